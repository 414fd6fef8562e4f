"""A PDF page's characters and ruling lines from PDFium, in pdfplumber's terms.

pdfplumber parses every content stream in pure Python (pdfminer): it was 95 %
of a PDF's cost. PDFium (pypdfium2) reads the same page in C. This module
gives the PDF loader what it used from pdfplumber, from PDFium:

- characters as pdfplumber's dicts (text, x0, x1, top, bottom, size, fontname,
  upright), with pdfplumber's geometry: x0 the glyph's origin, x1 the next
  glyph's origin on the same baseline (else the glyph box's right), bottom the
  loose box's bottom, top = bottom - font size, so that words, lines and
  gaps measure as before;
- the ruling-line edges pdfplumber derives from line, rectangle and curve
  paths, so that pdfplumber's own table finder (`TableFinder`, pure geometry)
  runs on a page it never parsed.

Text PDFium made up (spaces and line breaks it inserts, `FPDFText_IsGenerated`)
is left out: pdfplumber never sees it. A glyph without a Unicode value comes
out as "(cid:N)", as pdfminer writes it, which the loader counts as unreadable.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as c
from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils.text import WordExtractor, dedupe_chars

FONT_BUF = 256
ORIENT_EPS = 0.01  # pt: a segment this close to axis-aligned is a rule (PDFium's points are float32)


@dataclass
class Page:
    """The parts of a pdfplumber page the loader uses: number, size, chars, edges, tables."""

    page_number: int
    width: float
    height: float
    chars: list[dict]
    edges: list[dict]
    has_images: bool
    has_rules: bool  # a line or rectangle path: a ruled table may be on the page

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)

    def extract_words(self, **settings) -> list[dict]:
        return WordExtractor(**settings).extract_words(self.chars)

    def dedupe_chars(self) -> "Page":
        return Page(self.page_number, self.width, self.height, dedupe_chars(self.chars), self.edges,
                    self.has_images, self.has_rules)

    def find_tables(self, settings: dict) -> list:
        return TableFinder(self, TableSettings.resolve(settings)).tables  # type: ignore[arg-type]


def read_page(pdf: pdfium.PdfDocument, index: int) -> Page:
    page = pdf[index]
    try:
        box = c.FS_RECTF()
        c.FPDF_GetPageBoundingBox(page.raw, box)  # the page's box, inherited /MediaBox resolved
        x0, y1 = box.left, box.top
        width, height = box.right - box.left, box.top - box.bottom
        textpage = page.get_textpage()
        try:
            chars = _chars(textpage, x0, y1)
        finally:
            textpage.close()
        edges, images, curves, rules = _paths(page, x0, y1)
    finally:
        page.close()
    return Page(index + 1, width, height, chars, edges, images or curves > 50, rules)


def _chars(textpage, left: float, top_y: float) -> list[dict]:
    """Per glyph: its text (one call for the page), origin and loose box; font, size and angle once
    per text object, which every glyph of a run shares (ctypes calls are the cost here)."""
    raw = textpage.raw
    n = c.FPDFText_CountChars(raw)
    text_all = textpage.get_text_range(0, n) if n else ""
    aligned = len(text_all) == n  # one UTF-16 unit per glyph: no character outside the BMP
    rect = c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    buf = ctypes.create_string_buffer(FONT_BUF)
    flags = ctypes.c_int()
    styles: dict[int, tuple[float, str, bool]] = {}
    found = []  # (text, origin x, origin y, box right, box bottom, size, font, upright)
    for i in range(n):
        if aligned:
            ch = text_all[i]
            u = ord(ch)
            if ch in " \r\n\t\ufffe\uffff" and c.FPDFText_IsGenerated(raw, i) == 1:
                continue
        else:
            if c.FPDFText_IsGenerated(raw, i) == 1:
                continue
            u = c.FPDFText_GetUnicode(raw, i)
        if u in (10, 13):
            continue
        text = chr(u) if u >= 32 or u == 9 else f"(cid:{u})"  # a glyph id with no Unicode: pdfminer's notation
        obj = c.FPDFText_GetTextObject(raw, i)
        key = ctypes.cast(obj, ctypes.c_void_p).value or -1
        style = styles.get(key)
        if style is None or key == -1:
            length = c.FPDFText_GetFontInfo(raw, i, buf, FONT_BUF, flags)
            style = (round(c.FPDFText_GetFontSize(raw, i), 6), buf.raw[:max(length - 1, 0)].decode("utf-8", "replace"),
                     abs(c.FPDFText_GetCharAngle(raw, i)) < 1e-3)
            styles[key] = style
        c.FPDFText_GetLooseCharBox(raw, i, rect)
        c.FPDFText_GetCharOrigin(raw, i, ox, oy)
        found.append((text, ox.value, oy.value, rect.right, rect.bottom) + style)
    out = []
    for k, (text, x, y, right, bottom, size, font, upright) in enumerate(found):
        x1 = right
        if k + 1 < len(found):
            nx, ny = found[k + 1][1], found[k + 1][2]
            if abs(ny - y) < 0.01 and x < nx < right + 0.6:
                x1 = nx  # the advance: where the next glyph starts (a glyph's ink may overhang it: "ư", "K")
        b = top_y - bottom
        t = b - size
        out.append({"text": text, "x0": x - left, "x1": x1 - left, "top": t, "bottom": b, "doctop": t,
                    "width": x1 - x, "height": size, "size": size, "fontname": font, "upright": upright})
    return out


def _paths(page, left: float, top_y: float) -> tuple[list[dict], bool, int, bool]:
    """(edges, has an image, curves, has a line or rectangle) over the page's objects, forms included."""
    edges: list[dict] = []
    state = {"images": False, "curves": 0, "rules": False}
    raw = page.raw
    for i in range(c.FPDFPage_CountObjects(raw)):
        _walk(c.FPDFPage_GetObject(raw, i), (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), edges, state, left, top_y)
    return edges, state["images"], state["curves"], state["rules"]


def _compose(inner: tuple, outer: tuple) -> tuple:
    a, b, cc, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, cc * A + d * C, cc * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _matrix(obj) -> tuple:
    m = c.FS_MATRIX()
    if not c.FPDFPageObj_GetMatrix(obj, m):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _walk(obj, outer: tuple, edges: list[dict], state: dict, left: float, top_y: float, depth: int = 0) -> None:
    kind = c.FPDFPageObj_GetType(obj)
    if kind == c.FPDF_PAGEOBJ_IMAGE:
        state["images"] = True
    elif kind == c.FPDF_PAGEOBJ_FORM and depth < 8:
        m = _compose(_matrix(obj), outer)
        for i in range(c.FPDFFormObj_CountObjects(obj)):
            _walk(c.FPDFFormObj_GetObject(obj, i), m, edges, state, left, top_y, depth + 1)
    elif kind == c.FPDF_PAGEOBJ_PATH:
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        c.FPDFPath_GetDrawMode(obj, fill, stroke)
        if fill.value == 0 and not stroke.value:
            return  # a clipping path or an invisible one: pdfminer draws nothing for it either
        m = _compose(_matrix(obj), outer)
        for pts in _subpaths(obj, m, left, top_y):
            _add_edges(pts, edges, state)


def _subpaths(obj, m: tuple, left: float, top_y: float) -> list[list[tuple[float, float]]]:
    a, b, cc, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    out: list[list[tuple[float, float]]] = []
    for i in range(c.FPDFPath_CountSegments(obj)):
        seg = c.FPDFPath_GetPathSegment(obj, i)
        c.FPDFPathSegment_GetPoint(seg, x, y)
        px, py = a * x.value + cc * y.value + e, b * x.value + d * y.value + f
        point = (px - left, top_y - py)
        if c.FPDFPathSegment_GetType(seg) == c.FPDF_SEGMENT_MOVETO or not out:
            out.append([point])
        else:
            out[-1].append(point)
        if c.FPDFPathSegment_GetClose(seg) and out[-1][0] != point:
            out[-1].append(out[-1][0])
    return out


def _add_edges(pts: list[tuple[float, float]], edges: list[dict], state: dict) -> None:
    if len(pts) < 2:
        return
    is_line = len(pts) == 2
    xs, ys = {round(p[0], 2) for p in pts}, {round(p[1], 2) for p in pts}
    is_rect = len(pts) in (4, 5) and len(xs) <= 2 and len(ys) <= 2 and all(
        _orientation(p, q) for p, q in zip(pts, pts[1:]))
    if is_line or is_rect:
        state["rules"] = True
    else:
        state["curves"] += 1
    if is_rect and len(pts) == 4:
        pts = pts + [pts[0]]
    for p, q in zip(pts, pts[1:]):
        orient = _orientation(p, q)
        x0, x1 = sorted((p[0], q[0]))
        t, bt = sorted((p[1], q[1]))
        if orient == "v":
            x0 = x1 = (p[0] + q[0]) / 2
        elif orient == "h":
            t = bt = (p[1] + q[1]) / 2
        edges.append({"object_type": "rect_edge" if is_rect else "line" if is_line else "curve_edge",
                      "x0": x0, "x1": x1, "top": t, "bottom": bt, "doctop": t,
                      "width": x1 - x0, "height": bt - t, "orientation": orient})


def _orientation(p: tuple[float, float], q: tuple[float, float]) -> str | None:
    if abs(p[0] - q[0]) <= ORIENT_EPS:
        return "v"
    if abs(p[1] - q[1]) <= ORIENT_EPS:
        return "h"
    return None
