"""Inline SVG charts, drawn here so the report needs no chart library, no CDN and no script.

Every text goes through `esc`; links are relative hrefs built by the caller.
"""
from __future__ import annotations

import math
from html import escape

from extractors.figures import format_vnd
from pipeline.report.prices import Group, quantile

LABEL_W, PLOT_W, VALUE_W = 330, 340, 150
WIDTH = LABEL_W + PLOT_W + VALUE_W


def esc(s: object) -> str:
    return escape(str(s), quote=True)


def short(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def bar_chart(items: list[tuple[str, int, str]], *, caption: str, unit: str = "", css: str = "bar") -> str:
    """Horizontal bars: (label, value, href or "")."""
    if not items:
        return f'<p class="empty">{esc(caption)}: none.</p>'
    row_h = 22
    top = max(v for _, v, _ in items) or 1
    h = row_h * len(items) + 8
    out = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {h}" width="{WIDTH}" height="{h}" '
           f'aria-label="{esc(caption)}"><title>{esc(caption)}</title>']
    for i, (label, value, href) in enumerate(items):
        y = 4 + i * row_h
        w = max(1.0, PLOT_W * value / top)
        text = f'<text x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end">{esc(short(label))}</text>'
        if href:
            text = f'<a href="{esc(href)}">{text}</a>'
        out.append(f'<g><title>{esc(label)}: {esc(format_vnd(value))}{esc(unit)}</title>{text}'
                   f'<rect class="{css}" x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}"/>'
                   f'<text x="{LABEL_W + w + 6:.1f}" y="{y + 15}">{esc(format_vnd(value))}{esc(unit)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def price_chart(groups: list[Group], href_of) -> str:
    """One row per item: box from the first to the third quartile, median tick, whiskers over the
    prices that are not outliers, outliers as red dots linked to their line; each row on its own
    logarithmic axis (a price of nước uống and of thuê hội trường differ a hundredfold)."""
    if not groups:
        return '<p class="empty">No item is priced in two plans or more.</p>'
    row_h = 40
    h = row_h * len(groups) + 10
    out = [f'<svg class="chart prices" role="img" viewBox="0 0 {WIDTH} {h}" width="{WIDTH}" height="{h}" '
           f'aria-label="Unit prices of common items"><title>Unit prices of common items across plans</title>']
    for i, g in enumerate(groups):
        y = 6 + i * row_h
        mid = y + 14
        values = [p.value for p in g.prices]
        lo, hi = min(values) / 1.15, max(values) * 1.15
        span = math.log(hi) - math.log(lo) or 1.0

        def x(v: float) -> float:
            return LABEL_W + PLOT_W * (math.log(v) - math.log(lo)) / span

        inner = [p.value for p in g.prices if not p.outlier] or values
        q1, med, q3 = (quantile(values, q) for q in (0.25, 0.5, 0.75))
        n_out = sum(p.outlier for p in g.prices)
        label = f"{g.label} ({g.unit})" if g.unit else g.label
        out.append(f'<g class="item"><text x="{LABEL_W - 8}" y="{mid + 4}" text-anchor="end">{esc(short(label, 38))}'
                   f'<title>{esc(label)}</title></text>'
                   f'<text class="sub" x="{LABEL_W - 8}" y="{mid + 17}" text-anchor="end">'
                   f'{len(values)} prices, {g.plans} plans{f", {n_out} outliers" if n_out else ""}</text>'
                   f'<line class="whisker" x1="{x(min(inner)):.1f}" x2="{x(max(inner)):.1f}" y1="{mid}" y2="{mid}"/>'
                   f'<rect class="box" x="{x(q1):.1f}" y="{mid - 7}" width="{max(1.0, x(q3) - x(q1)):.1f}" height="14"/>'
                   f'<line class="median" x1="{x(med):.1f}" x2="{x(med):.1f}" y1="{mid - 9}" y2="{mid + 9}"/>')
        if len(values) <= 200:
            for p in g.prices:
                if not p.outlier:
                    out.append(f'<circle class="pt" cx="{x(p.value):.1f}" cy="{mid}" r="2.5"/>')
        for p in [p for p in g.prices if p.outlier][:50]:
            out.append(f'<a href="{esc(href_of(p))}"><circle class="outlier" cx="{x(p.value):.1f}" cy="{mid}" r="5">'
                       f'<title>outlier: {esc(format_vnd(p.value))} đ — {esc(p.item)} — {esc(p.label)}</title>'
                       f'</circle></a>')
        out.append(f'<text x="{LABEL_W + PLOT_W + 10}" y="{mid + 4}">median {esc(format_vnd(round(med)))} đ</text>'
                   f'<text class="sub" x="{LABEL_W + PLOT_W + 10}" y="{mid + 17}">'
                   f'{esc(format_vnd(min(values)))} – {esc(format_vnd(max(values)))}</text></g>')
    out.append("</svg>")
    return "".join(out)
