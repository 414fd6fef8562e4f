"""One page image to blocks: prepare it, find its tables, read it once, rebuild tables and paragraphs.

Uses the modules below it only: prep (the image), engine (Tesseract), layout
(paragraphs and columns), tables (ruled and unruled tables and their figures).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from models.document import Block
from pipeline.loaders import unruled
from pipeline.loaders.ocr import layout as ocr_layout
from pipeline.loaders.ocr import tables as ocr_tables
from pipeline.loaders.ocr.engine import Word, read_words
from pipeline.loaders.ocr.prep import MIN_SIDE, text_span, deskew, despeckle, scale_of, to_gray


@dataclass
class PageResult:
    number: int
    blocks: list[Block]
    angle: float
    confidence: float | None  # mean word confidence over the page


def read_page(image, number: int, dpi: int | None = None) -> PageResult:
    """Deskew and despeckle; find the ruled tables; read the page once; rebuild tables and paragraphs.

    The one page call reads the tables too (their ruling lines painted out):
    each word falls in the cell that holds its box, and only cells whose words
    are doubtful are cut out and read again, all in one more call
    (`ocr_tables.read_tables`). The right column of a two-column zone (header,
    recipients beside the signature) is moved below the page before the call,
    so that Tesseract cannot run its lines into the left column's, and put
    back after (`ocr_layout.unfold_columns`).
    """
    gray = to_gray(image)
    if min(gray.shape) < MIN_SIDE:  # a thumbnail or a stray pixel: no text to read
        return PageResult(number, [], 0.0, None)
    gray, angle = deskew(gray)
    scale = scale_of(gray, dpi)
    ink = ocr_tables.ink_mask(gray)
    gray, ink = despeckle(gray, ink, scale)
    grids = ocr_tables.find_tables(gray, ink)
    gray, ink = ocr_tables.clean_tables(gray, ink, grids, scale)
    canvas, moved = ocr_layout.unfold_columns(gray, ink, [g.box for g in grids], scale)
    x0, y0, x1 = text_span(ink, round(30 * scale))  # blank margins only cost Tesseract time
    words = read_words(canvas[y0:, x0:x1], psm=3, dpi=dpi)
    for w in words:
        w.x0, w.x1, w.top, w.bottom = w.x0 + x0, w.x1 + x0, w.top + y0, w.bottom + y0
    words = ocr_layout.put_back(words, moved, gray.shape[0])
    inside = [w for w in words if ocr_tables.grid_of(grids, w) is not None]
    outside = [w for w in words if ocr_tables.grid_of(grids, w) is None]
    ocr_layout.fix_roman_labels(outside, gray)
    tables = ocr_tables.read_tables(gray, grids, number, ink, dpi, words=inside)
    loose, outside = unruled_grids(outside, gray.shape[1], gray.shape[0])  # tables printed without rules
    tables += ocr_tables.finish_tables(gray, ink, loose, number, dpi)  # their figures re-read like any
    grids = grids + loose
    blocks = ocr_layout.page_blocks(outside, list(zip((g.top for g in grids), tables)), number,
                                    gray.shape[1], gray.shape[0])
    confs = [w.conf for w in outside] + [c.conf for g in grids for c in g.cells if c.conf is not None]
    to_points(blocks, angle, gray.shape, dpi or gray.shape[1] / 8.27)
    return PageResult(number, blocks, angle, round(sum(confs) / len(confs), 1) if confs else None)


def to_points(blocks: list[Block], angle: float, shape: tuple[int, ...], dpi: float) -> None:
    """Boxes from pixels of the deskewed page to points of the page as printed: turned back by the
    deskew angle and scaled by 72/dpi, so that a crop of the original page shows the cell."""
    h, w = shape[:2]
    back = cv2.invertAffineTransform(cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)) if abs(angle) >= 0.05 else None
    k = 72.0 / dpi

    def convert(box):
        if box is None:
            return None
        x0, y0, x1, y1 = box
        if back is not None:
            pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=float) @ back.T
            x0, y0, x1, y1 = pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()
        return (round(float(x0) * k, 1), round(float(y0) * k, 1), round(float(x1) * k, 1), round(float(y1) * k, 1))

    for b in blocks:
        b.bbox = convert(b.bbox)
        b.row_boxes = [convert(x) for x in b.row_boxes]
        b.cell_boxes = [[convert(x) for x in r] for r in b.cell_boxes]


def unruled_grids(words: list[Word], width: int, height: int) -> tuple[list, list[Word]]:
    """Tables without ruling lines among the page's words (see `unruled`), as grids whose cells are
    the boxes of their words, so that `ocr_tables.check_figures` re-reads their figures as it does a
    ruled table's; and the words left."""
    lines = ocr_layout.lines_of(words)
    geo = ocr_layout.measure(lines, width, height)
    grids, used = [], set()
    for first, last, rows, boxes in unruled.unruled_grids(lines, geo.left, geo.right):
        span = [w for l in lines[first:last + 1] for w in l.words]
        cells = []
        for r, (row, row_boxes) in enumerate(zip(rows, boxes)):
            for c, (text, (x0, y0, x1, y1)) in enumerate(zip(row, row_boxes)):
                mine = [w for w in span if x0 - 1 <= (w.x0 + w.x1) / 2 <= x1 + 1 and y0 - 1 <= (w.top + w.bottom) / 2 <= y1 + 1]
                confs = [w.conf for w in mine if w.conf >= 0]
                box = (int(x0) - 2, int(y0) - 2, int(x1) + 3, int(y1) + 3)
                cells.append(ocr_tables.Cell(r, c, box, text, min(confs) if confs else None, len(mine)))
        box = (min(c.box[0] for c in cells), min(c.box[1] for c in cells),
               max(c.box[2] for c in cells), max(c.box[3] for c in cells))
        grids.append(ocr_tables.Grid(box, len(rows), len(rows[0]), cells))
        used |= {id(w) for w in span}
    return grids, [w for w in words if id(w) not in used]
