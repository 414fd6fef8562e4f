"""Ruled tables in a page image: cells from the ruling lines, text cell by cell.

Plans draw every border of their budget and attendance tables, so the cells
are the white regions the ruling lines enclose (OpenCV morphology keeps only
long straight strokes, so text never closes a cell). A spanned cell is one
region over several grid columns or rows; like the text loaders, its text goes
in its first grid cell and the others stay "". Reading a table as page text
mixes columns and borders ("5 [Trang trí… 2.370.000]"); reading each cell on its
own does not. One Tesseract call per call site reads all cells of a page,
stacked on one canvas, because each call costs ~0.1 s of start-up alone.
Figures that do not parse are read again, enlarged, with a digits-only list.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractors.figures import parse_figure
from models.document import Block
from pipeline.loaders import ocr
from pipeline.loaders.ocr_layout import ROMANISH, fix_text, is_caps, roman_from_stems

MIN_CELL = 8            # px: narrower or lower white regions are gaps between double lines, not cells
PAD = 4                 # px of paper kept around a cell's ink
NUMERIC_SHARE = 0.6     # share of a column's filled body cells that must be figures for it to be numeric
REREAD_CONF = 70        # a figure read with a lower mean word confidence is read again
REREAD_SCALE = 2.0
DIGITS = "-c tessedit_char_whitelist=0123456789.,"


@dataclass
class Cell:
    row: int
    col: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 inside the borders
    text: str = ""
    conf: float | None = None
    words: int = 0


@dataclass
class Grid:
    box: tuple[int, int, int, int]
    nrows: int
    ncols: int
    cells: list[Cell]
    lines: np.ndarray | None = None  # the ruling-line mask over `box`

    @property
    def top(self) -> int:
        return self.box[1]


# --- Finding the grid ---------------------------------------------------------------------

def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark strokes as 255; adaptive, so uneven scan brightness does not matter."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def ruling_lines(ink: np.ndarray) -> np.ndarray:
    """Long horizontal and vertical strokes only, gaps closed, a little thickened so that they cross."""
    h, w = ink.shape
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 30), 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, h // 70))))
    horizontal = cv2.morphologyEx(horizontal, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 1)))
    vertical = cv2.morphologyEx(vertical, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 15)))
    return cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))


def find_tables(gray: np.ndarray, ink: np.ndarray | None = None) -> list[Grid]:
    """Every ruled grid of at least 2 × 2 cells on the page, top to bottom."""
    ink = ink_mask(gray) if ink is None else ink
    lines = ruling_lines(ink)
    h, w = gray.shape
    n, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    grids = []
    for x, y, bw, bh, _ in stats[1:n]:
        if bw < 0.15 * w or bh < 0.02 * h:
            continue
        grid = _cells(lines[y:y + bh, x:x + bw], x, y)
        if grid is not None:
            grid.lines = lines[y:y + bh, x:x + bw]
            grids.append(grid)
    return sorted(grids, key=lambda g: g.top)


def _cells(lines: np.ndarray, ox: int, oy: int) -> Grid | None:
    """The white regions enclosed by the lines, placed on a grid of row and column starts."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(255 - lines, connectivity=4)
    h, w = lines.shape
    border = set(labels[0, :]) | set(labels[-1, :]) | set(labels[:, 0]) | set(labels[:, -1])
    boxes = [(x, y, x + bw, y + bh) for i, (x, y, bw, bh, area) in enumerate(stats)
             if i and i not in border and bw >= MIN_CELL and bh >= MIN_CELL and area >= 0.5 * bw * bh]
    if len(boxes) < 4:
        return None
    tol = max(6, min(h, w) // 100)
    col_starts = _cluster([b[0] for b in boxes], tol)
    row_starts = _cluster([b[1] for b in boxes], tol)
    if len(col_starts) < 2 or len(row_starts) < 2:
        return None
    cells = [Cell(_index(row_starts, y0), _index(col_starts, x0), (x0 + ox, y0 + oy, x1 + ox, y1 + oy))
             for x0, y0, x1, y1 in boxes]
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid((ox, oy, ox + w, oy + h), len(row_starts), len(col_starts), cells)


def _cluster(values: list[int], tol: int) -> list[float]:
    """Centres of runs of values no more than `tol` apart."""
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _index(starts: list[float], v: int) -> int:
    return min(range(len(starts)), key=lambda i: abs(starts[i] - v))


# --- Reading the cells ------------------------------------------------------------------------

def read_tables(gray: np.ndarray, grids: list[Grid], page: int, ink: np.ndarray | None = None,
                dpi: int | None = None) -> list[Block]:
    """One table block per grid, cells read in one Tesseract call; bad figures read once more."""
    ink = ink_mask(gray) if ink is None else ink
    gray, ink = _clean(gray, ink, grids, (dpi or gray.shape[1] / 8.27) / 200)
    crops = []
    for grid in grids:
        for cell in grid.cells:
            box = _ink_box(ink, cell.box)
            if box is not None:
                crops.append((cell, gray[box[1]:box[3], box[0]:box[2]]))
    _read_into(crops, psm=6, dpi=dpi)
    for cell, img in crops:
        if ROMANISH.fullmatch(cell.text) and _heads_a_group(grids, cell):
            cell.text = roman_from_stems(img, cell.text)
    for grid in grids:
        _reread_figures(gray, ink, grid, dpi)
    return [_block(grid, page) for grid in grids]


def _clean(gray: np.ndarray, ink: np.ndarray, grids: list[Grid], scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Copies of the page and its ink where, inside each table, only the strokes of text are left.

    The ruling lines are painted out with a margin for their blurred edges, and
    so is every speck smaller than a full stop (`scale` is dpi / 200): a border
    remnant or a speck of dust reads as "|", "." or "ng", and stretches the
    cell's crop.
    """
    if not grids:
        return gray, ink
    gray, ink = gray.copy(), ink.copy()
    min_area = max(4, round(6 * scale * scale))
    for g in grids:
        if g.lines is None:
            continue
        x0, y0, x1, y1 = g.box
        region, region_ink = gray[y0:y1, x0:x1], ink[y0:y1, x0:x1]
        half = cv2.distanceTransform(g.lines, cv2.DIST_L2, 3)
        t = max(1, int(np.percentile(half[g.lines > 0], 90))) if g.lines.any() else 1
        region_ink[cv2.dilate(g.lines, np.ones((2 * t + 1, 2 * t + 1), np.uint8)) > 0] = 0
        n, labels, stats, _ = cv2.connectedComponentsWithStats(region_ink, connectivity=8)
        keep = stats[:, cv2.CC_STAT_AREA] >= min_area
        keep[0] = False
        text = keep[labels].astype(np.uint8)
        region_ink[:] = text * 255
        near = cv2.dilate(text, np.ones((5, 5), np.uint8)) > 0  # keep the anti-aliased edges of glyphs
        region[~near] = 255
    return gray, ink


def _heads_a_group(grids: list[Grid], cell: Cell) -> bool:
    """A numbering cell whose row names a group in capitals ("II | CÁC ĐƠN VỊ TRỰC THUỘC")."""
    grid = next(g for g in grids if cell in g.cells)
    return any(c.row == cell.row and c.col > cell.col and is_caps(c.text) for c in grid.cells)


def _ink_box(ink: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The cell's ink with a margin of paper, or None for an empty cell (specks of dust ignored)."""
    x0, y0, x1, y1 = box
    m = 2
    inner = ink[y0 + m:y1 - m, x0 + m:x1 - m]
    if inner.size == 0:
        return None
    clean = cv2.morphologyEx(inner, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    ys, xs = np.nonzero(clean)
    if len(ys) < 6:
        return None
    bx0, by0 = x0 + m + max(int(xs.min()) - PAD, 0), y0 + m + max(int(ys.min()) - PAD, 0)
    bx1, by1 = x0 + m + min(int(xs.max()) + 1 + PAD, inner.shape[1]), y0 + m + min(int(ys.max()) + 1 + PAD, inner.shape[0])
    return bx0, by0, bx1, by1


def _read_into(crops: list[tuple[Cell, np.ndarray]], psm: int, config: str = "", scale: float = 1.0,
               dpi: int | None = None) -> None:
    """OCR the crops stacked on one white canvas and give each cell the words that fall on its band."""
    if not crops:
        return
    if scale != 1.0:
        crops = [(c, cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)) for c, img in crops]
    gap = max(20, int(np.median([img.shape[0] for _, img in crops])))
    margin = 20
    width = max(img.shape[1] for _, img in crops) + 2 * margin
    height = sum(img.shape[0] + gap for _, img in crops) + margin
    canvas = np.full((height, width), 255, np.uint8)
    bands = []
    y = margin
    for cell, img in crops:
        canvas[y:y + img.shape[0], margin:margin + img.shape[1]] = img
        bands.append((y - gap // 2, y + img.shape[0] + gap // 2, cell))
        y += img.shape[0] + gap
    words = ocr.read_words(canvas, psm=psm, config=config, dpi=round(dpi * scale) if dpi else None)
    for lo, hi, cell in bands:
        mine = [wd for wd in words if lo <= (wd.top + wd.bottom) / 2 < hi]
        mine.sort(key=lambda wd: (wd.line, wd.x0))
        cell.text = fix_text(" ".join(wd.text for wd in mine).strip())
        cell.words = len(mine)
        cell.conf = sum(wd.conf for wd in mine) / len(mine) if mine else None


def numeric_columns(grid: Grid) -> set[int]:
    """Columns whose filled cells (below the first row) are mostly figures."""
    out = set()
    for c in range(grid.ncols):
        texts = [cell.text for cell in grid.cells if cell.col == c and cell.row > 0 and cell.text]
        figures = [t for t in texts if parse_figure(t, ocr=True).value is not None or _digit_share(t) >= 0.5]
        if texts and len(figures) >= NUMERIC_SHARE * len(texts):
            out.add(c)
    return out


def _digit_share(text: str) -> float:
    chars = [ch for ch in text if not ch.isspace()]
    return sum(ch.isdigit() for ch in chars) / len(chars) if chars else 0.0


def needs_reread(text: str, conf: float | None) -> bool:
    """A figure cell whose text does not read as one figure, or was read with low confidence."""
    if not text or text in ("-", "x", "X"):
        return False
    fig = parse_figure(text, ocr=True)
    return fig.value is None or fig.malformed or (conf is not None and conf < REREAD_CONF)


def _reread_figures(gray: np.ndarray, ink: np.ndarray, grid: Grid, dpi: int | None) -> None:
    """Read doubtful figure cells again at REREAD_SCALE with digits only; keep a reading that parses."""
    numeric = numeric_columns(grid)
    doubtful = [c for c in grid.cells if c.col in numeric and c.row > 0 and needs_reread(c.text, c.conf)]
    pairs = []
    for cell in doubtful:
        box = _ink_box(ink, cell.box)
        if box is not None:
            pairs.append((cell, Cell(cell.row, cell.col, cell.box), gray[box[1]:box[3], box[0]:box[2]]))
    _read_into([(again, img) for _, again, img in pairs], psm=6, config=DIGITS, scale=REREAD_SCALE, dpi=dpi)
    for cell, again, _ in pairs:
        fig = parse_figure(again.text, ocr=True)
        if again.text and fig.value is not None and not fig.malformed:
            cell.text, cell.conf = again.text, again.conf


def _block(grid: Grid, page: int) -> Block:
    rows = [[""] * grid.ncols for _ in range(grid.nrows)]
    for cell in grid.cells:
        rows[cell.row][cell.col] = cell.text
    rows = [r for r in rows if any(r)]
    weighted = [(c.conf, c.words) for c in grid.cells if c.conf is not None]
    total = sum(n for _, n in weighted)
    conf = round(sum(cf * n for cf, n in weighted) / total, 1) if total else None
    return Block("table", rows=rows, page=page, confidence=conf)
