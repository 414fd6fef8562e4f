"""The HTML shell shared by the report's pages, and value formatting.

Everything a plan says is escaped on the way in (`esc`): a plan may well
contain "<script>". Pages link one CSS and one JS file beside them; nothing
is fetched from the network and no font is downloaded.
"""
from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from extractors.figures import format_vnd


def esc(s: object) -> str:
    return escape("" if s is None else str(s), quote=True)


def frag(anchor: str) -> str:
    """A fragment for an href (section ids hold dots and "~")."""
    return quote(anchor, safe="-._~")


def money(s: str) -> str:
    """A contract integer as printed in Vietnam (46.670.000); anything else as it is."""
    return format_vnd(int(s)) if re.fullmatch(r"-?\d+", s or "") else (s or "")


def shell(title: str, body: str, *, root: str, page_class: str, scripts: list[str] = ()) -> str:
    tags = "".join(f'<script src="{esc(root + s)}"></script>' for s in [*scripts, "report.js"])
    return ("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><link rel=\"stylesheet\" href=\"{esc(root)}report.css\"></head>"
            f"<body class=\"{page_class}\">{body}{tags}</body></html>\n")


def table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A plain table; cells are HTML already escaped by the caller."""
    h = "".join(f"<th>{esc(c)}</th>" for c in head)
    b = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{h}</tr></thead><tbody>{b}</tbody></table>'
