"""Helpers the DOCX and PDF loaders share: text folding, labels, layout tables.

Both formats must hand extractors the same shape as the text loader, so the
rules for "is this a paragraph label", "is this table really the page header"
and "how is a header flattened" live here once.
"""
from __future__ import annotations

import re
import unicodedata

from models.document import Block

_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")


def fold(text: str) -> str:
    """NFC, invisible characters dropped, every run of white space one space.

    Hot (every line of every loader): translate() only runs when there is
    something to drop, and str.split() splits on exactly what `\\s` matches.
    """
    text = unicodedata.normalize("NFC", text)
    if _HAS_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    return " ".join(text.split())


# A paragraph label as printed: "II.", "1.", "3.2.", "a)", "-", "+", "•", "Phần I".
LABEL = re.compile(
    r"^(?:[IVXLC]{1,6}\s*(?:[.:)]|\s[-–]\s)|\d{1,2}(?:\.\d{1,2}){0,3}\s*[.)](?!\d)|[a-zđ]\s*\)|[a-zđ]\.\s|[-+•*–—]\s|"
    r"(?:Phần|PHẦN|Mục|MỤC|Phụ lục|PHỤ LỤC|Điều|ĐIỀU|Chương|CHƯƠNG)\s+[\dIVXLC]+)"
)

# Lines that only the header or the signature block of a Vietnamese plan has.
LAYOUT_MARK = re.compile(
    r"C[ỘOỌ]NG\s+H[ÒOÓ]A\s+X[ÃA]\s+H[ỘO]I|Độc\s+lập\s*[-–—]|^Số\s*:|Nơi\s+nhận|"
    r"^[^\d,]{2,40},\s*ngày\b.*\btháng\b.*\bnăm\b",
    re.I,
)
# Signature authority and title lines are capitals; "Chủ tịch UBND" in a table is not one.
SIGNATURE_MARK = re.compile(
    r"^(?:TM|KT|TL|TUQ|Q|T/M)\.\s*\S|^(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|GIÁM\s+ĐỐC|TRƯỞNG\s+(?:BAN|PHÒNG))$"
)


def is_layout_line(text: str) -> bool:
    text = fold(text)
    return bool(LAYOUT_MARK.search(text) or SIGNATURE_MARK.search(text))


def is_layout_table(columns: list[list[list[str]]]) -> bool:
    """A header/signature grid: at most three columns, few rows, a layout mark in it.

    `columns[c][r]` is the list of lines of the cell at column c, row r.
    """
    if not columns or len(columns) > 3:
        return False
    nrows = max(len(col) for col in columns)
    if nrows > 12:
        return False
    return any(is_layout_line(line) for col in columns for cell in col for line in cell)


def flatten_columns(columns: list[list[list[str]]], page: int | None, bold=None) -> list[Block]:
    """One paragraph per cell line, left column first (header: issuer, number; then the motto, date)."""
    blocks = []
    for c, col in enumerate(columns):
        for r, cell in enumerate(col):
            for i, line in enumerate(cell):
                text = fold(line)
                if text:
                    is_bold = bool(bold(c, r, i)) if bold else False
                    blocks.append(Block("paragraph", text=text, page=page, bold=is_bold))
    return blocks


def square(rows: list[list[str]]) -> list[list[str]]:
    """Pad rows to the widest so every row has one entry per column."""
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def drop_empty_rows(rows: list[list[str]]) -> list[list[str]]:
    return [r for r in rows if any(c for c in r)]
