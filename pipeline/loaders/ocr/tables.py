"""Ruled tables in a page image: cells from the ruling lines, text cell by cell, figures checked.

Plans draw every border of their budget and attendance tables, so the cells
are the white regions the ruling lines enclose (OpenCV morphology keeps only
long straight strokes, so text never closes a cell). A spanned cell is one
region over several grid columns or rows; like the text loaders, its text goes
in its first grid cell and the others stay "".

The page's one Tesseract call reads the tables too, their lines painted out
(`clean_tables`); each cell takes the words whose centre it holds. A cell the
page's words cannot vouch for (ink no word covers, a word across a border or
two lines tall, a word read with low confidence) is cut out and read on its
own, all such cells stacked on one canvas in one more call: each call costs
~0.1 s of start-up alone. Then the figures: a line whose quantity × unit
price ≠ amount, or a figure that does not parse, is read again enlarged with
digits only, and the reading that makes the line agree is kept
(`check_figures`). Each cell's confidence goes to `Block.cell_confidence`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from statistics import median

import cv2
import numpy as np

from extractors.figures import parse_figure
from models.document import Block, union
from pipeline.loaders.ocr.engine import Word, read_words
from pipeline.loaders.ocr.prep import scale_of
from pipeline.loaders.ocr.layout import ROMANISH, fix_text, is_caps, roman_from_stems

MIN_CELL = 8            # px: narrower or lower white regions are gaps between double lines, not cells
PAD = 4                 # px of paper kept around a cell's ink
NUMERIC_SHARE = 0.6     # share of a column's filled body cells that must be figures for it to be numeric
REREAD_CONF = 70        # a figure read with a lower mean word confidence is read again
REREAD_SCALES = (2.0, 3.0)  # enlargements for re-reading figures, the second only where the first settles nothing
LONE_SCALE = 2.0        # a cell with ink whose cut-out reads nothing is read again this much enlarged, in a row
LONE_SCALES = (2.0, 1.5, 3.0)  # a bold "2." reads "eo" at 2×, "2." at 1.5×: a label is read at each till one fits
CLEARLY_SURER = 15      # a re-read this much more confident replaces a first reading that no arithmetic confirms
WORD_TRUST = 75         # a cell from the page call with a word read less surely is cut out and read again
UNCOVERED = 25          # px of ink (at 200 dpi) outside a cell's words that mark a dropped word
DIGITS = "0123456789.,"  # the whitelist of a figure re-read
JUNK = "\"'`‘’“”,;: "   # what a blurred numbering cell ("II") gains around its strokes


@dataclass
class Cell:
    row: int
    col: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 inside the borders
    text: str = ""
    conf: float | None = None
    words: int = 0
    doubtful: bool = False  # the page call's words cannot be trusted for this cell: read it on its own
    first: tuple[str, float | None, int] | None = None  # the page call's reading of a doubtful cell
    sure_in_place: bool = False  # … doubted for its confidence alone


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
    rect = cv2.MORPH_RECT
    horizontal = cv2.erode(ink, cv2.getStructuringElement(rect, (max(20, w // 30), 1)))
    vertical = cv2.erode(ink, cv2.getStructuringElement(rect, (1, max(15, h // 70))))
    horizontal = _near_ink(horizontal, (max(20, w // 30) + 14, 1), cv2.MORPH_DILATE)  # the opening's dilation
    vertical = _near_ink(vertical, (1, max(15, h // 70) + 14), cv2.MORPH_DILATE)     # and the closing's, as one
    horizontal = _near_ink(horizontal, (15, 1), cv2.MORPH_ERODE)
    vertical = _near_ink(vertical, (1, 15), cv2.MORPH_ERODE)
    return cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))


def _near_ink(img: np.ndarray, size: tuple[int, int], op: int) -> np.ndarray:
    """`op` with a size[0] × size[1] rectangle, computed only around the image's ink: the same result (nothing
    is far from it) in a fraction of the time, the strokes left after the erosion being few."""
    x, y, bw, bh = cv2.boundingRect(img)
    if not bw:
        return img
    x0, y0 = max(x - size[0], 0), max(y - size[1], 0)
    x1, y1 = min(x + bw + size[0], img.shape[1]), min(y + bh + size[1], img.shape[0])
    out = np.zeros_like(img)
    out[y0:y1, x0:x1] = cv2.morphologyEx(img[y0:y1, x0:x1], op, cv2.getStructuringElement(cv2.MORPH_RECT, size))
    return out


def find_tables(gray: np.ndarray, ink: np.ndarray | None = None) -> list[Grid]:
    """Every ruled grid of at least 2 × 2 cells on the page, top to bottom."""
    ink = ink_mask(gray) if ink is None else ink
    lines = ruling_lines(ink)
    h, w = gray.shape
    # The boxes of the line drawings: outer contours, each component's (holes, the cells, are second level);
    # a tenth of the time connected components with stats take on a whole page.
    contours, hierarchy = cv2.findContours(lines, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    outer = [cv2.boundingRect(c) for c, link in zip(contours, hierarchy[0] if hierarchy is not None else []) if link[3] < 0]
    grids = []
    for x, y, bw, bh in outer:
        if bw < 0.15 * w or bh < 0.02 * h:
            continue
        for grid in _stacked(lines[y:y + bh, x:x + bw], x, y):
            grids.append(grid)
    return sorted(grids, key=lambda g: g.top)


def _stacked(lines: np.ndarray, ox: int, oy: int) -> list[Grid]:
    """The grids of one line drawing: two tables printed one right under the other share a border, and
    their columns are not the same; cut between them, each is a table of its own (its columns its own).

    The cut goes along the first row boundary where the rows above use a column the rows below do not,
    and the other way round (a spanned cell only leaves columns out); rows across the whole table just
    above the cut (a "Bằng chữ" line) stay above it."""
    grid = _cells(lines, ox, oy)
    if grid is None:
        return []
    used: dict[int, set[int]] = {}
    for c in grid.cells:
        used.setdefault(c.row, set()).add(c.col)
    rows = sorted(used)

    def apart(k: int) -> bool:
        above = set().union(*(used[r] for r in rows[:k + 1]))
        below = set().union(*(used[r] for r in rows[k + 1:]))
        return bool(above - below and below - above)

    for k in range(1, len(rows) - 1):
        if apart(k):
            while k + 2 < len(rows) and apart(k + 1):
                k += 1  # a row across the table (the words line) stays with the table above
            bottom = max(c.box[3] for c in grid.cells if c.row == rows[k]) - oy
            top = min(c.box[1] for c in grid.cells if c.row == rows[k + 1]) - oy
            cut = (bottom + top) // 2
            upper, lower = _stacked(lines[:cut + 1], ox, oy), _stacked(lines[cut:], ox, oy + cut)
            if upper and lower:
                return upper + lower
            break
    grid.lines = lines
    return [grid]


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

def grid_of(grids: list[Grid], word: Word) -> Grid | None:
    """The grid whose box holds the centre of the word."""
    cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return next((g for g in grids if g.box[0] <= cx < g.box[2] and g.box[1] <= cy < g.box[3]), None)


def read_tables(gray: np.ndarray, grids: list[Grid], page: int, ink: np.ndarray | None = None,
                dpi: int | None = None, words: list[Word] | None = None) -> list[Block]:
    """One table block per grid, every cell cut out and read in one Tesseract call, figures checked.

    `page.read_page` saves that call: it stacks the same crops under the page
    and reads both at once, then calls `finish_tables`. With `words` (the
    page's words inside the grids, the page's tables cleaned), each cell takes
    the words whose centre it holds and only the doubtful cells are read again.
    """
    scale = scale_of(gray, dpi)
    if words is None:
        ink = ink_mask(gray) if ink is None else ink
        gray, ink = clean_tables(gray, ink, grids, scale)
        crops = cell_crops(gray, ink, grids)
    else:
        ink = ink_mask(gray) if ink is None else ink
        for grid in grids:
            _assign(grid, [w for w in words if grid_of([grid], w) is grid], ink, scale)
        crops = cell_crops(gray, ink, grids, [c for g in grids for c in g.cells if c.doubtful])
    _read_into(crops, psm=6, dpi=dpi)
    # a cell no reading found anything in (a lone "II" the page call dropped, the stack read as nothing): as a line;
    # one the page call read keeps that reading (its figures are checked below)
    read_lone([(cell, img) for cell, img in crops if not cell.text and cell.first is None], dpi)
    for cell, _ in crops:  # a cell doubted for its confidence alone keeps the surer of its two readings;
        # any keeps the page's reading when the cut-out reads nothing (a figure printed small, skipped in a block)
        if cell.first is not None and (not cell.text or (cell.sure_in_place and (cell.first[1] or 0) >= (cell.conf or 0))):
            cell.text, cell.conf, cell.words = cell.first
    return finish_tables(gray, ink, grids, page, dpi)


def recount(gray: np.ndarray, ink: np.ndarray, grids: list[Grid], dpi: int | None) -> None:
    """Read again, as lines (`read_lone`), the labels of a numbering column that break its count ("+" or
    "M" read for "1" or "2", however surely: an attendance row taken for a group, a false sum), and keep
    a new reading only where it carries the count on."""
    todo = [(grid, cell) for grid in grids for cell, broke in zip(*_numbering(grid))
            if broke and len(cell.text.strip()) <= 4]
    if not todo:
        return
    before = {id(cell): (cell.text, cell.conf, cell.words) for _, cell in todo}
    crops = []
    for _, cell in todo:
        box = _ink_box(ink, cell.box)
        if box is not None:
            crops.append((cell, gray[box[1]:box[3], box[0]:box[2]]))
            cell.text = ""
    grids_of = list({id(g): g for g, _ in todo}.values())
    for f in LONE_SCALES:
        read_lone(crops, dpi, f)
        fits = {id(cell) for grid in grids_of for cell, broke in zip(*_numbering(grid)) if cell.text and not broke}
        crops = [(cell, img) for cell, img in crops if id(cell) not in fits]
        for cell, _ in crops:
            cell.text = ""
        if not crops:
            break
    for cell, _ in crops:  # no reading carries the count on: the first stays
        cell.text, cell.conf, cell.words = before[id(cell)]


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]
LETTERS = "ABCDĐEGHIKLMNOPQRSTUVXY"  # Vietnamese order (Latin order accepted too, see `breaks_count`)


def breaks_count(texts: list[str]) -> list[bool]:
    """For the labels of a numbering column, top to bottom: does each break the column's count?

    A count goes 1, 2, 3 … and starts again at 1 under a group label; group labels go I, II, III … or
    A, B, C … A label that does none of this ("+", "M" or "^" read for "1", "2", "A") breaks it; so does
    a text that is no label. An empty cell (a total row) breaks nothing.
    """
    out, expected, roman, letter = [], 1, 0, -1
    for text in texts:
        v = text.strip(" .):")
        if not v:
            out.append(False)
            continue
        if v.isdigit():
            ok = int(v) in (expected, 1)
            expected = int(v) + 1 if ok else expected + 1
        elif v in ROMAN:
            ok = ROMAN.index(v) in (roman, 0)
            roman, expected = (ROMAN.index(v) + 1, 1) if ok else (roman, expected)
        elif ROMANISH.fullmatch(v) and v not in ("l", "I"):  # a bold "II" read "H", "Il": counted by its stems later
            ok, roman, expected = True, roman + 1, 1
        elif len(v) == 1 and v.upper() in LETTERS:
            k = LETTERS.index(v.upper())
            ok = k in (letter + 1, 0) or (letter >= 0 and ord(v.upper()) == ord(LETTERS[letter]) + 1)
            letter, expected = (k, 1) if ok else (letter, expected + 1)
        else:
            ok, expected = False, expected + 1  # it stood for the next number, most likely
        out.append(not ok)
    return out


def _numbering(grid: Grid) -> tuple[list[Cell], list[bool]]:
    """The body cells of the grid's first column, top to bottom, and which break its count; nothing when the
    column is not a numbering column (most of its filled cells labels)."""
    cells = sorted((c for c in grid.cells if c.col == 0 and c.row > 0), key=lambda c: c.row)
    texts = [c.text.strip() for c in cells]
    filled = [t for t in texts if t]
    labels = [t for t in filled if re.fullmatch(r"\d{1,3}[.)]?|[IVX]{1,5}[.)]?|[A-ZĐa-zđ][.)]?", t)]
    if len(labels) < 3 or len(labels) < 0.6 * len(filled):
        return [], []
    return cells, breaks_count(texts)


def cell_crops(gray: np.ndarray, ink: np.ndarray, grids: list[Grid], cells: list[Cell] | None = None
               ) -> list[tuple[Cell, np.ndarray]]:
    """Each cell's ink with a margin of paper (from a page through `clean_tables`); empty cells are set empty."""
    crops = []
    for cell in cells if cells is not None else [c for g in grids for c in g.cells]:
        box = _ink_box(ink, cell.box)
        if box is not None:
            crops.append((cell, gray[box[1]:box[3], box[0]:box[2]]))
        else:
            cell.text, cell.conf, cell.words = "", None, 0
    return crops


def finish_tables(gray: np.ndarray, ink: np.ndarray, grids: list[Grid], page: int, dpi: int | None) -> list[Block]:
    """The cells read: labels that break their column's count read again, Roman numbering labels counted by
    their stems, figures checked and re-read, blocks made."""
    recount(gray, ink, grids, dpi)
    for grid in grids:
        for cell in grid.cells:
            label = cell.text.strip(JUNK)
            if cell.col == 0 and ROMANISH.fullmatch(bare := re.sub(f"[{re.escape(JUNK)}]", "", label)):
                label = bare  # a quote between the strokes of a bold "III" ("I\"H")
            if ROMANISH.fullmatch(label) and (_heads_a_group(grid, cell) or ("H" in label and len(label) > 1)
                                              or _opens_a_count(grid, cell)):
                box = _ink_box(ink, cell.box)
                if box is not None:
                    cell.text = roman_from_stems(gray[box[1]:box[3], box[0]:box[2]], label)
        check_figures(gray, ink, grid, dpi)
    return [_block(grid, page) for grid in grids]


def clean_tables(gray: np.ndarray, ink: np.ndarray, grids: list[Grid], scale: float) -> tuple[np.ndarray, np.ndarray]:
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


def _opens_a_count(grid: Grid, cell: Cell) -> bool:
    """A numbering cell read as letters ("l", "Il") right above a "1": the label of a group, a Roman numeral."""
    below = sorted((c for c in grid.cells if c.col == cell.col and c.row > cell.row and c.text), key=lambda c: c.row)
    return cell.col == 0 and not cell.text.strip(JUNK).isdigit() and bool(below) and below[0].text.strip(" .") == "1"


def _heads_a_group(grid: Grid, cell: Cell) -> bool:
    """A numbering cell whose row names a group in capitals ("II | CÁC ĐƠN VỊ TRỰC THUỘC")."""
    return any(c.row == cell.row and c.col > cell.col and is_caps(c.text) for c in grid.cells)


def _ink_box(ink: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The cell's ink with a margin of paper, or None for an empty cell (specks of dust ignored)."""
    x0, y0, x1, y1 = box
    m = 2
    inner = ink[y0 + m:y1 - m, x0 + m:x1 - m]
    if inner.size == 0:
        return None
    clean = cv2.morphologyEx(inner, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    if cv2.countNonZero(clean) < 6:
        return None
    x, y, w, h = cv2.boundingRect(clean)
    bx0, by0 = x0 + m + max(x - PAD, 0), y0 + m + max(y - PAD, 0)
    bx1, by1 = x0 + m + min(x + w + PAD, inner.shape[1]), y0 + m + min(y + h + PAD, inner.shape[0])
    return bx0, by0, bx1, by1


# --- Cells from the page's words --------------------------------------------------------------

def _cell_at(grid: Grid, x: float, y: float) -> Cell | None:
    return next((c for c in grid.cells if c.box[0] <= x < c.box[2] and c.box[1] <= y < c.box[3]), None)


def _assign(grid: Grid, words: list[Word], ink: np.ndarray, scale: float) -> None:
    """Give each cell the page words whose centre it holds; mark the cells those words cannot vouch for."""
    tol = 3 * scale
    mine: dict[int, list[Word]] = {id(c): [] for c in grid.cells}
    tall = 1.6 * float(np.median([w.height for w in words])) if words else 0.0
    for w in words:
        cy = (w.top + w.bottom) / 2
        cell = _cell_at(grid, (w.x0 + w.x1) / 2, cy)
        if cell is None:
            continue  # on a ruling line: the ink left uncovered marks the cell
        if w.conf < 50 and not any(ch.isalnum() for ch in w.text):
            continue  # a border remnant or dust read as punctuation
        mine[id(cell)].append(w)
        if w.height > tall:  # two lines taken for one word: one of them is lost
            cell.doubtful = True
        if w.x0 < cell.box[0] - tol or w.x1 > cell.box[2] + tol:  # run across a border: both cells again
            cell.doubtful = True
            for x in (w.x0, w.x1 - 1):
                other = _cell_at(grid, x, cy)
                if other is not None:
                    other.doubtful = True
    for cell in grid.cells:
        found = _without_fragments(mine[id(cell)])
        box = _ink_box(ink, cell.box)
        if box is None:  # no ink: whatever was read there is noise
            cell.text, cell.conf, cell.words = "", None, 0
            continue
        cell.text, cell.conf, cell.words = _join(found)
        only_confidence = not cell.doubtful
        if not found or _uncovered(ink, box, found, scale):
            cell.doubtful, only_confidence = True, False
        elif min(w.conf for w in found) < WORD_TRUST:
            cell.doubtful = True
        if cell.doubtful and found:
            cell.first = (cell.text, cell.conf, cell.words)
            cell.sure_in_place = only_confidence  # read well enough in place: may stay
    _trust_numbering(grid)


def _without_fragments(words: list[Word]) -> list[Word]:
    """Drop the pieces of a word read on their own: an accent or a dot, above or below a word at least twice
    its height that it overlaps. Tesseract reads the hats and breves of a line as "words" at up to 85 %
    ("F" for the hat of "truyền", "N" for that of "Nội"), so a piece under 40 % of the word's height goes
    whatever its confidence, one under half of it when read below 70 %."""
    if len(words) < 2:
        return words

    def piece_of(w: Word, o: Word) -> bool:
        ratio = 2.5 if w.conf >= 70 else 2.0
        return (o is not w and o.height >= ratio * w.height and min(o.x1, w.x1) > max(o.x0, w.x0)
                and w.bottom >= o.top - w.height and w.top <= o.bottom + w.height)  # on it, or just above/below

    return [w for w in words if not any(piece_of(w, o) for o in words)]


def _trust_numbering(grid: Grid) -> None:
    """A numbering cell read with low confidence needs no second read when it carries on its column's count
    (1, 2, 3 …, from 1 again after a group row): its neighbours vouch for it."""
    expected = 1
    for cell in sorted((c for c in grid.cells if c.col == 0 and c.row > 0), key=lambda c: c.row):
        text = cell.text.strip(" .")
        if text.isdigit():
            if cell.sure_in_place and int(text) == expected:
                cell.doubtful, cell.first = False, None
            expected = int(text) + 1
        elif text or cell.doubtful:
            expected = 1


def _join(words: list[Word]) -> tuple[str, float | None, int]:
    """Text (Tesseract's lines top to bottom, words left to right), mean confidence and count of a cell's words."""
    if not words:
        return "", None, 0
    lines: dict[tuple, list[Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    ordered = sorted(lines.values(), key=lambda ws: median((w.top + w.bottom) / 2 for w in ws))
    text = " ".join(w.text for ws in ordered for w in sorted(ws, key=lambda w: w.x0))
    return fix_text(text.strip()), sum(w.conf for w in words) / len(words), len(words)


def _uncovered(ink: np.ndarray, box: tuple[int, int, int, int], words: list[Word], scale: float) -> bool:
    """Does the cell hold ink that none of its words covers (a word the page call dropped)?"""
    x0, y0, x1, y1 = box
    left = ink[y0:y1, x0:x1].copy()
    m = round(3 * scale)
    for w in words:
        left[max(w.top - m - y0, 0):max(w.bottom + m - y0, 0), max(w.x0 - m - x0, 0):max(w.x1 + m - x0, 0)] = 0
    return cv2.countNonZero(left) > UNCOVERED * scale * scale


def stack(crops: list[tuple[Cell, np.ndarray]], scale: float = 1.0, width: int = 0
          ) -> tuple[np.ndarray, list[tuple[int, int, Cell]]]:
    """The crops one under another on a white canvas (at least `width` wide), and each one's band of rows.

    One Tesseract call reads them all: each call costs ~0.1 s of start-up alone.
    """
    if scale != 1.0:
        crops = [(c, cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)) for c, img in crops]
    gap = max(20, int(np.median([img.shape[0] for _, img in crops]))) if crops else 20
    margin = 20
    width = max([width] + [img.shape[1] + 2 * margin for _, img in crops])
    height = sum(img.shape[0] + gap for _, img in crops) + margin
    canvas = np.full((height, width), 255, np.uint8)
    bands = []
    y = margin
    for cell, img in crops:
        canvas[y:y + img.shape[0], margin:margin + img.shape[1]] = img
        bands.append((y - gap // 2, y + img.shape[0] + gap // 2, cell))
        y += img.shape[0] + gap
    return canvas, bands


def take(words: list[Word], bands: list[tuple[int, int, Cell]], offset: int = 0) -> None:
    """Give each stacked cell the words on its band (`offset`: where the stack starts on the canvas read)."""
    for lo, hi, cell in bands:
        mine = [wd for wd in words if lo + offset <= (wd.top + wd.bottom) / 2 < hi + offset]
        mine = [wd for wd in mine if wd.conf >= 50 or any(ch.isalnum() for ch in wd.text)]  # specks as punctuation
        mine.sort(key=lambda wd: (wd.line, wd.x0))
        cell.text = fix_text(" ".join(wd.text for wd in mine).strip())
        cell.words = len(mine)
        cell.conf = sum(wd.conf for wd in mine) / len(mine) if mine else None


def read_lone(crops: list[tuple[Cell, np.ndarray]], dpi: int | None, f: float = LONE_SCALE) -> None:
    """Read again, side by side on one line (`--psm 7`) and enlarged, crops a stacked read made nothing of.

    Tesseract's block mode finds no text line in a crop holding one short word ("II", "1" in bold): it
    reads nothing where, told the crop is a line, it reads "II" or "H" (counted by its stems later). The
    crops are set in a row with wide gaps, so that each stays a word of its own; a cell takes the words
    over its span.
    """
    if not crops:
        return
    imgs = [(cell, cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)) for cell, img in crops]
    height = max(img.shape[0] for _, img in imgs) + 40
    gap = max(40, int(np.median([img.shape[0] for _, img in imgs])) * 2)
    width = sum(img.shape[1] + gap for _, img in imgs) + gap
    canvas = np.full((height, width), 255, np.uint8)
    spans, x = [], gap
    for cell, img in imgs:
        y = (height - img.shape[0]) // 2
        canvas[y:y + img.shape[0], x:x + img.shape[1]] = img
        spans.append((x - gap // 2, x + img.shape[1] + gap // 2, cell))
        x += img.shape[1] + gap
    words = read_words(canvas, psm=7, dpi=round(dpi * f) if dpi else None)
    for lo, hi, cell in spans:
        mine = [w for w in words if lo <= (w.x0 + w.x1) / 2 < hi and any(ch.isalnum() for ch in w.text)]
        if mine:
            cell.text = fix_text(" ".join(w.text for w in sorted(mine, key=lambda w: w.x0)))
            cell.words = len(mine)
            cell.conf = sum(w.conf for w in mine) / len(mine)


def _read_into(crops: list[tuple[Cell, np.ndarray]], psm: int, whitelist: str = "", scale: float = 1.0,
               dpi: int | None = None) -> None:
    """OCR the crops stacked on one white canvas and give each cell the words that fall on its band."""
    if not crops:
        return
    canvas, bands = stack(crops, scale)
    take(read_words(canvas, psm=psm, whitelist=whitelist, dpi=round(dpi * scale) if dpi else None), bands)


# --- Figures: parse, check the line's arithmetic, re-read ---------------------------------------

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
    low = conf is not None and conf < REREAD_CONF
    if not any(ch.isdigit() for ch in text) and not low:
        return False  # a word read surely ("Tổng cộng" in the numbering column), not a figure
    fig = parse_figure(text, ocr=True)
    if fig.value is None or fig.malformed or low:
        return True
    return parse_figure(text).value is None  # read only with look-alikes mapped ("48.0oo"): digits wanted


def _value(text: str, money: bool) -> int | float | None:
    fig = parse_figure(text, money=money, ocr=True)
    return None if fig.malformed else fig.value


def _agrees(q, p, a) -> bool:
    return q is not None and p is not None and a is not None and round(q * p) == a


@dataclass
class Reading:
    text: str
    conf: float | None


def check_figures(gray: np.ndarray, ink: np.ndarray, grid: Grid, dpi: int | None) -> None:
    """Re-read the figures that may be misread, enlarged, digits only, before anything is flagged.

    A figure cell is read again when it does not parse or was read with low
    confidence, and so are the quantity, unit price and amount of every line
    (columns found by their headers, `extractors.tables.analyse`) where
    quantity × unit price ≠ amount: at 2×, then at 3× for lines the 2× reading
    does not settle. A line takes the readings that make its arithmetic agree
    with the fewest changes; when none does, a cell keeps its first reading
    unless a re-read parses where it did not, or was read with clearly higher
    confidence. So a blurred digit is repaired, and a real error in the plan,
    which every reading repeats, is still there to be flagged. The cell's
    confidence records the re-read: the higher of the two when they agree (two
    reads vouch for it), the re-read's own when it was taken, the lower of the
    two when they disagree and the first is kept.
    """
    from extractors.tables import analyse

    rows = [[""] * grid.ncols for _ in range(grid.nrows)]
    for cell in grid.cells:
        rows[cell.row][cell.col] = cell.text
    layout = analyse(rows)
    body = layout.header_rows if layout else 1
    roles = [layout.columns.get(k) for k in ("quantity", "unit_price", "amount")] if layout else [None] * 3
    at = {(c.row, c.col): c for c in grid.cells}
    numeric = numeric_columns(grid)
    numbering = layout.columns.get("stt", 0) if layout else 0
    lone = [c for c in grid.cells if c.col in numeric and c.row >= body and needs_reread(c.text, c.conf)
            and not (c.col == numbering and c.text.strip(" .").isdigit())]  # a count, not a sum: see _trust_numbering
    lines, vouched = [], set()
    if None not in roles:
        for r in range(body, grid.nrows):
            trio = [at.get((r, c)) for c in roles]
            if not all(c is not None and (c.text or _ink_box(ink, c.box) is not None) for c in trio):
                continue  # not a line with all three figures (a group or total row)
            if _agrees(*_values(trio)):
                vouched |= {id(c) for c in trio if parse_figure(c.text).value is not None}  # the arithmetic vouches
            else:
                lines.append(trio)
    line_cells = {id(c) for trio in lines for c in trio}
    lone = [c for c in lone if id(c) not in line_cells and id(c) not in vouched]
    reads: dict[int, list[Reading]] = {}
    todo = lone + [c for trio in lines for c in trio]
    line = _figure_height(ink, grid, numeric, body)
    for factor in REREAD_SCALES:
        if not todo:
            break
        _reread(gray, ink, todo, factor, dpi, reads, line)
        lines = [trio for trio in lines if not _settle(trio, reads)]
        todo = [c for trio in lines for c in trio]
    for trio in lines:  # no reading agrees: a real error, or a figure beyond repair
        for cell in trio:
            _keep_best(cell, reads.get(id(cell), []))
    for cell in lone:
        _keep_best(cell, reads.get(id(cell), []))


def _values(trio: list[Cell], texts: list[str] | None = None) -> tuple:
    texts = texts or [c.text for c in trio]
    return _value(texts[0], False), _value(texts[1], True), _value(texts[2], True)


def _reread(gray, ink, cells: list[Cell], factor: float, dpi: int | None, reads: dict[int, list[Reading]],
            line: float | None = None) -> None:
    """Read the cells again, digits only, enlarged `factor` times: times the table's usual line of figures
    (`line`, px) rather than the cell's own size, so that a figure printed small is brought up to the others
    (Tesseract passes over glyphs much smaller than the rest of a block)."""
    pairs = []
    for cell in cells:
        box = _ink_box(ink, cell.box)
        if box is not None:
            img = gray[box[1]:box[3], box[0]:box[2]]
            own = max(img.shape[0] - 2 * PAD, 1)
            f = factor * min(max(line / own, 1.0), 3.0) if line and own < line else factor  # one line, no higher
            pairs.append((cell, Cell(cell.row, cell.col, cell.box),
                          cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)))
    _read_into([(again, img) for _, again, img in pairs], psm=6, whitelist=DIGITS, dpi=round(dpi * factor) if dpi else None)
    for cell, again, _ in pairs:
        if again.text and _value(again.text, True) is not None:
            reads.setdefault(id(cell), []).append(Reading(again.text, again.conf))


def _figure_height(ink: np.ndarray, grid: Grid, columns: set[int], body: int) -> float | None:
    """The usual height (px) of a one-line figure in the table's figure columns."""
    heights = []
    for cell in grid.cells:
        if cell.col in columns and cell.row >= body and cell.text and "\n" not in cell.text:
            box = _ink_box(ink, cell.box)
            if box is not None:
                heights.append(box[3] - box[1] - 2 * PAD)
    return float(median(heights)) if heights else None


def _settle(trio: list[Cell], reads: dict[int, list[Reading]]) -> bool:
    """Give the line the readings that make its arithmetic agree, fewest changes first; False if none does."""
    options = [[Reading(c.text, c.conf)] + reads.get(id(c), []) for c in trio]
    first = _values(trio)
    best = None
    for pick in product(*options):
        values = _values(trio, [r.text for r in pick])
        if not _agrees(*values):
            continue
        rank = (sum(v != f for v, f in zip(values, first)), -sum(r.conf or 0 for r in pick))
        if best is None or rank < best[0]:
            best = (rank, pick)
    if best is None:
        return False
    for cell, pick in zip(trio, best[1]):
        _take(cell, pick, reads.get(id(cell), []))
    return True


def _take(cell: Cell, pick: Reading, again: list[Reading]) -> None:
    """Set the cell to `pick` and its confidence from all the readings (see `check_figures`)."""
    first = Reading(cell.text, cell.conf)
    same = [r.conf for r in [first] + again if r.conf is not None and _value(r.text, True) == _value(pick.text, True)]
    if pick is first or _value(pick.text, True) == _value(first.text, True):
        cell.conf = max(same) if same else cell.conf
        if parse_figure(cell.text).value is None:  # look-alikes in the first reading: take the digits read again
            cell.text = next((_plain(r.text) for r in again if parse_figure(_plain(r.text)).value is not None
                              and _value(r.text, True) == _value(first.text, True)), cell.text)
        return
    cell.text, cell.conf, cell.words = _plain(pick.text), max(same) if same else pick.conf, max(cell.words, 1)


def _keep_best(cell: Cell, again: list[Reading]) -> None:
    """No reading settles the line: keep the first unless a re-read parses where it did not, or is clearly surer."""
    if not again:
        return
    best = max(again, key=lambda r: r.conf or 0)
    first_ok = _value(cell.text, True) is not None and not parse_figure(cell.text, ocr=True).malformed
    if not first_ok or (best.conf or 0) >= (cell.conf or 0) + CLEARLY_SURER:
        _take(cell, best, again)
    else:
        vals = [r.conf for r in again if r.conf is not None and _value(r.text, True) != _value(cell.text, True)]
        if vals and cell.conf is not None:
            cell.conf = min([cell.conf] + vals)  # the readings disagree: less sure than either
        else:
            _take(cell, Reading(cell.text, cell.conf), again)


def _plain(text: str) -> str:
    return text.replace(" ", "")


def _block(grid: Grid, page: int) -> Block:
    rows = [[""] * grid.ncols for _ in range(grid.nrows)]
    confs: list[list[float | None]] = [[None] * grid.ncols for _ in range(grid.nrows)]
    for cell in grid.cells:
        rows[cell.row][cell.col] = cell.text
        confs[cell.row][cell.col] = round(cell.conf, 1) if cell.text and cell.conf is not None else None
    keep = [i for i, r in enumerate(rows) if any(r)]
    weighted = [(c.conf, c.words) for c in grid.cells if c.conf is not None and c.text]
    total = sum(n for _, n in weighted)
    conf = round(sum(cf * n for cf, n in weighted) / total, 1) if total else None
    boxes: list[list[tuple | None]] = [[None] * grid.ncols for _ in range(grid.nrows)]
    for cell in grid.cells:
        boxes[cell.row][cell.col] = cell.box  # pixels; ocr.read_page turns them into points
    cells = [boxes[i] for i in keep]
    row_boxes = [union(r) for r in cells]
    return Block("table", rows=[rows[i] for i in keep], page=page, confidence=conf,
                 cell_confidence=[confs[i] for i in keep], bbox=union(row_boxes), row_pages=[page] * len(keep),
                 row_boxes=row_boxes, cell_boxes=cells)
