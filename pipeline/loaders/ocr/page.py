"""One page image to blocks: prepare it, find its tables, read it once, rebuild tables and paragraphs.

Uses the modules below it only: prep (the image), engine (Tesseract), layout
(paragraphs and columns), tables (ruled and unruled tables and their figures).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

import cv2
import numpy as np

from models.document import Block
from pipeline.loaders import unruled
from pipeline.loaders.ocr import layout as ocr_layout
from pipeline.loaders.ocr import tables as ocr_tables
from pipeline.loaders.ocr.engine import Word, read_words
from pipeline.loaders.ocr.prep import MIN_SIDE, deskew, despeckle, effective_dpi, scale_of, text_span, to_gray


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
    outside = fix_labels(outside, gray, dpi)
    tables = ocr_tables.read_tables(gray, grids, number, ink, dpi, words=inside)
    outside, done = recover_words(gray, ink, outside, scale, dpi)  # what the page call dropped in unruled tables
    outside, _ = recover_words(gray, ink, outside, scale, dpi, done)  # in rows the words read joined to a table
    loose, outside = unruled_grids(outside, gray.shape[1], gray.shape[0], gray, dpi)  # tables printed without rules
    tables += ocr_tables.finish_tables(gray, ink, loose, number, dpi)  # their figures re-read like any
    grids = grids + loose
    blocks = ocr_layout.page_blocks(outside, list(zip((g.top for g in grids), tables)), number,
                                    gray.shape[1], gray.shape[0])
    confs = [w.conf for w in outside] + [c.conf for g in grids for c in g.cells if c.conf is not None]
    to_points(blocks, angle, gray.shape, effective_dpi(gray.shape[1], dpi))
    return PageResult(number, blocks, angle, round(sum(confs) / len(confs), 1) if confs else None)


LABEL_READ = re.compile(r"(\d{1,2}|[IVX]{1,4}|[a-zđ])\s*([.)])")


def fix_labels(words: list[Word], gray: np.ndarray, dpi: int | None) -> list[Word]:
    """Section labels whose digit the page call misread as a letter or a mark, its dot left a word of its
    own ("M ." and "ụ ." for "2." and "3.": a false `numbering` finding, two sections lost): the label
    and its dot are read again together as a line, and a reading that is a label replaces them."""
    by_line: dict[tuple, list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    dots = [w for w in words if w.text in (".", ")")]
    todo = []
    for ws in by_line.values():
        first = min(ws, key=lambda w: w.x0)
        text = first.text.strip()
        if not 1 <= len(text) <= 2 or LABEL_READ.fullmatch(text + "."):
            continue
        near = [d for d in dots if first.top <= (d.top + d.bottom) / 2 <= first.bottom + 2
                and 0 <= d.x0 - first.x1 < 2 * first.height]  # its dot, a word of its own (maybe another line's)
        if near:
            dot = min(near, key=lambda d: d.x0)
            y0, y1 = max(min(first.top, dot.top) - 2, 0), max(first.bottom, dot.bottom) + 2
            crop = gray[y0:y1, max(first.x0 - 2, 0):dot.x1 + 2]
            if crop.size:
                todo.append((first, dot, ocr_tables.Cell(0, 0, (first.x0, y0, dot.x1, y1)), crop))
    if not todo:
        return words
    gone = set()
    for f in ocr_tables.LONE_SCALES:  # a small bold label reads at one enlargement and not at another
        ocr_tables.read_lone([(cell, crop) for _, _, cell, crop in todo], dpi, f)
        left = []
        for item in todo:
            first, dot, cell, _ = item
            m = LABEL_READ.fullmatch(cell.text.replace(" ", ""))
            if m and m.group(2) == dot.text:
                first.text, first.x1, first.conf = m.group(1) + m.group(2), dot.x1, cell.conf or first.conf
                gone.add(id(dot))
            else:
                cell.text = ""
                left.append(item)
        todo = left
        if not todo:
            break
    return [w for w in words if id(w) not in gone]


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


def unruled_grids(words: list[Word], width: int, height: int, gray: np.ndarray | None = None,
                  dpi: int | None = None) -> tuple[list, list[Word]]:
    """Tables without ruling lines among the page's words (see `unruled`), as grids whose cells are
    the boxes of their words, so that `ocr_tables.check_figures` re-reads their figures as it does a
    ruled table's; and the words left. With the page (`gray`), header cells that name no column are
    read again on their own (`reread_header`)."""
    lines = ocr_layout.lines_of(words)
    grids, used = [], set()
    for top, head_bottom, bottom in table_regions(words, width, height):
        part = [l for l in lines if top <= (l.top + l.bottom) / 2 <= bottom]  # all its words, the doubtful too
        head = sum(1 for l in part if (l.top + l.bottom) / 2 <= head_bottom)
        originals = {id(w) for l in part for w in l.words}
        part = [_join_names(l) if k < head else l for k, l in enumerate(part)]
        found = unruled.grid_cells(part, head) if 0 < head < len(part) else None
        if found is None:
            continue
        rows, boxes, _ = found
        span = [w for l in part for w in l.words]
        rows = [[ocr_layout.fix_text(t) for t in row] for row in rows]
        head_conf = reread_header(gray, rows, boxes, span, dpi) if gray is not None else {}
        cells = []
        for r, (row, row_boxes) in enumerate(zip(rows, boxes)):
            for c, (text, (x0, y0, x1, y1)) in enumerate(zip(row, row_boxes)):
                mine = [w for w in span if x0 - 1 <= (w.x0 + w.x1) / 2 <= x1 + 1 and y0 - 1 <= (w.top + w.bottom) / 2 <= y1 + 1]
                confs = [w.conf for w in mine if w.conf >= 0]
                conf = head_conf[c] if r == 0 and c in head_conf else min(confs) if confs else None
                if not text:  # an empty cell is its column across the row: not the ink of a figure running into it
                    x0, x1 = _free_span(x0, x1, y0, y1, span)
                box = (int(x0) - 2, int(y0) - 2, int(x1) + 3, int(y1) + 3)
                cells.append(ocr_tables.Cell(r, c, box, text, conf, len(mine)))
        box = (min(c.box[0] for c in cells), min(c.box[1] for c in cells),
               max(c.box[2] for c in cells), max(c.box[3] for c in cells))
        grids.append(ocr_tables.Grid(box, len(rows), len(rows[0]), cells))
        used |= originals
    return grids, [w for w in words if id(w) not in used]


def _free_span(x0: float, x1: float, y0: float, y1: float, words: list[Word]) -> tuple[float, float]:
    """The part of [x0, x1] that no word of the row reaches into (a wide figure of the next column); empty
    (x1 ≤ x0 + 1) when nothing is left."""
    for w in words:
        if min(w.bottom, y1) > max(w.top, y0) and min(w.x1, x1) > max(w.x0, x0):
            if (w.x0 + w.x1) / 2 < (x0 + x1) / 2:
                x0 = max(x0, w.x1 + 1)
            else:
                x1 = min(x1, w.x0 - 1)
    return (x0, x1) if x1 - x0 >= 4 else (x0, x0 + 1)


def _names(text: str) -> bool:
    from extractors.tables import column_roles
    return bool(column_roles([text])[0]) or bool(unruled.GROUP_WORDS.match(ocr_layout.ascii_fold(text).lower()))


def _join_names(line: ocr_layout.Line) -> ocr_layout.Line:
    """A header line whose column name OCR boxed apart ("Kinh" … "phí", a word's box cut short): two
    neighbouring words that name a column together, and neither alone, are one word."""
    words = list(line.words)
    k = 0
    while k < len(words) - 1:
        a, b = words[k], words[k + 1]
        joined = f"{a.text} {b.text}"
        if b.x0 - a.x1 <= 1.5 * line.size and _names(joined) and not _names(a.text) and not _names(b.text):
            words[k:k + 2] = [Word(joined, a.x0, min(a.top, b.top), b.x1, max(a.bottom, b.bottom),
                                   min(a.conf, b.conf), a.line)]
            continue
        k += 1
    return line if len(words) == len(line.words) else ocr_layout.Line(words)


def reread_header(gray: np.ndarray, rows: list[list[str]], boxes: list[list[tuple]], words: list[Word],
                  dpi: int | None) -> dict[int, float]:
    """Read again, each on its own, the header cells of an unruled table that name no column (`rows[0]`
    changed in place); the confidences of the cells taken.

    Tesseract's page read garbles a header whose cells wrap onto staggered lines ("Số" over "lượng" read
    "hay", "xổ", "TY”:"), so a column of figures loses its name and its arithmetic goes unchecked. A cell
    is cut from the header band between the midpoints to its neighbouring columns, the other columns'
    header words painted out, all such cells read in one call; a reading that names a column replaces
    one that does not.
    """
    from extractors.tables import column_roles

    head, ncols = rows[0], len(rows[0])
    todo = [c for c in range(ncols) if not column_roles([head[c]])[0]
            and any(r[c] for r in rows[1:] if sum(bool(x) for x in r) > 1)]
    if not todo:
        return {}
    spans = []
    for c in range(ncols):
        filled = [b[c] for r, b in zip(rows, boxes) if r[c]]
        spans.append((min(b[0] for b in filled), max(b[2] for b in filled)) if filled else None)
    top = min(b[1] for b in boxes[0])
    bottom = max(b[3] for b in boxes[0])
    paper = int(np.median(gray[::16, ::16]))
    crops = []
    for c in todo:
        if spans[c] is None:
            continue
        before = [s for s in spans[:c] if s is not None]
        after = [s for s in spans[c + 1:] if s is not None]
        x0 = int((before[-1][1] + spans[c][0]) / 2) if before else int(spans[c][0]) - 40
        x1 = int((spans[c][1] + after[0][0]) / 2) if after else int(spans[c][1]) + 40
        y0, y1 = max(int(top) - ocr_tables.PAD, 0), min(int(bottom) + ocr_tables.PAD, gray.shape[0])
        x0, x1 = max(x0, 0), min(x1, gray.shape[1])
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        crop = gray[y0:y1, x0:x1].copy()
        for w in words:  # another column's header words reaching over the midpoint
            cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
            if top <= cy <= bottom and not x0 <= cx < x1:
                crop[max(w.top - y0, 0):max(w.bottom - y0, 0), max(w.x0 - x0, 0):max(w.x1 - x0, 0)] = paper
        crops.append((ocr_tables.Cell(0, c, (x0, y0, x1, y1)), crop))
    if not crops:
        return {}
    taken = {}
    for (cell, _), found in zip(crops, read_crops(crops, dpi)):
        found = [w for w in found if any(ch.isalnum() for ch in w[0]) and w[5] >= RECOVER_CONF]
        text = ocr_layout.fix_text(" ".join(w[0] for w in sorted(found, key=lambda w: (w[6], w[1]))))
        if text and column_roles([text])[0]:
            head[cell.col] = text
            taken[cell.col] = sum(w[5] for w in found) / len(found)
    return taken


# --- Words the page call dropped inside tables without rules ------------------------------------

TALL_JUNK = 2.2         # a word this many times the usual height in a table: two lines or rows read as one
GLUED_GAP = 0.6         # of the usual word height: paper this wide inside a word parts two words read as one
JUNK_CONF = 50          # a word read less surely is read again (and finds no table)
RECOVER_CONF = 40       # a word read from dropped ink is kept from this confidence up
DASHES = {"-", "–", "—"}  # an empty figure cell's dash is a word of a table; "_" or "|" is not


def table_regions(words: list[Word], width: int, height: int) -> list[tuple[float, float, float]]:
    """(top, header bottom, bottom) in px of each unruled table among the words (`unruled.regions`),
    found among the words read surely: a garbled header word ("34s" for "Số / TT" read as one, "II:"
    for "TT") would make its header line a caption or a line of figures."""
    if not words:
        return []
    usual = float(np.median([w.height for w in words]))
    sure = [w for w in words if w.conf >= ocr_tables.WORD_TRUST and w.height <= TALL_JUNK * usual
            and any(ch.isalnum() for ch in w.text)]  # not a ":" read from a speck, which makes a caption
    lines = ocr_layout.lines_of(sure)

    def noted(line) -> bool:  # a caption or unit note whose colon was read unsurely: "(ĐVT: nghìn đồng)"
        full = " ".join(w.text for w in words if line.top <= (w.top + w.bottom) / 2 <= line.bottom)
        return ":" in full and ":" not in line.text and bool(NOTE_WORDS.search(ocr_layout.ascii_fold(full).lower()))

    lines = [l for l in lines if not noted(l)]
    geo = ocr_layout.measure(lines, width, height)
    out = []
    for first, head, last in unruled.regions(lines, geo.left, geo.right):
        width = max(l.x1 for l in lines[first:last + 1]) - min(l.x0 for l in lines[first:last + 1])
        while first < head and (UNIT_NOTE.match(ocr_layout.ascii_fold(lines[first].text).lower()) or (
                len(unruled.cells_of(lines[first])) == 1 and lines[first].x1 - lines[first].x0 > 0.3 * width)):
            first += 1  # what is left of "(ĐVT: đồng)" or of a caption above the header once its "(ĐVT:" is set aside
        out.append((lines[first].top, max(l.bottom for l in lines[first:head + 1]),
                    max(l.bottom for l in lines[first:last + 1])))
    return out


NOTE_WORDS = re.compile(r"\b(?:dvt|d\.v\.t|don vi tinh|bang|bieu|phu luc)\b")  # a caption's or unit note's words
UNIT_NOTE = re.compile(r"^\(?\s*(?:dvt|don vi tinh|don vi)?\s*[:.]?\s*(?:1\.000|1000|nghin|ngan|trieu)?\s*dong\s*\)?\.?$")


def table_bands(words: list[Word], width: int, height: int) -> list[tuple[int, int, int]]:
    """The vertical spans (px: top, header's bottom, bottom) of the unruled tables among the words; and of
    the likely ones: a line of three cells or more, one of its surely read words a column's name, over
    rows of figures (a table's header whose other names are garbled: "Brtong", "han", "SIT"), whose
    words are worth reading again before the table is looked for."""
    found = [(int(top), int(head), int(bottom)) for top, head, bottom in table_regions(words, width, height)]
    usual = float(np.median([w.height for w in words])) if words else 0.0
    lines = ocr_layout.lines_of([w for w in words if w.height <= TALL_JUNK * usual and any(ch.isalnum() for ch in w.text)])

    def figures(line) -> int:
        return sum(unruled._has_figure(t) for _, _, t in unruled.cells_of(line))

    i = 0
    while i < len(lines) - 1:
        head = lines[i]
        sure = " ".join(w.text for w in head.words if w.conf >= ocr_tables.WORD_TRUST)
        named = set(unruled.HEADER_WORDS.findall(ocr_layout.ascii_fold(sure).lower()))
        if not named or len(unruled.cells_of(head)) < 3 or any(lo <= head.top <= hi for lo, _, hi in found):
            i += 1
            continue
        k = i
        while k + 1 < len(lines) and lines[k + 1].top - lines[k].bottom < 0.6 * lines[k].size and not figures(lines[k + 1]):
            k += 1  # the header's wrapped pieces ("lượng" under "Khối")
        j = k
        while j + 1 < len(lines) and lines[j + 1].top - lines[j].bottom < 2.5 * lines[j].size and figures(lines[j + 1]):
            j += 1  # rows of figures (a group row has one)
        rows = lines[k + 1:j + 1]
        if (len(rows) >= 2 and any(figures(l) >= 2 for l in rows)) or (
                rows and len(named) >= 2 and len(unruled.cells_of(head)) >= 4):  # cut by the page break
            found.append((int(head.top), int(head.bottom), int(lines[j].bottom)))
            i = j + 1
        else:
            i += 1
    return found


def recover_words(gray: np.ndarray, ink: np.ndarray, words: list[Word], scale: float, dpi: int | None,
                  done: list[tuple[int, int]] | None = None) -> tuple[list[Word], list[tuple[int, int]]]:
    """The words of unruled tables the page call lost, read again from their ink.

    Tesseract's page read drops lone numbers and Roman labels (a table's STT
    column, "II" before a group), a narrow column's two-line header ("Số" over
    "lượng"), and reads a column of labels as one tall word of junk. Inside each
    unruled table's band, a word of junk several rows tall is dropped; the ink
    no word covers (ruling lines and specks aside) is cut into word-sized pieces
    and read on its own, all pieces stacked in one Tesseract call, and what
    reads as letters or digits with some confidence joins the page's words, so
    that the table's rows and columns are built with it.
    """
    found = table_bands(words, gray.shape[1], gray.shape[0])
    if done is not None:  # a second pass: only where the words the first one read made a table longer
        found = [(max([lo] + [b for a, b in done if a <= lo <= b]), head, hi) for lo, head, hi in found]
        found = [(lo, head, hi) for lo, head, hi in found if not any(a <= lo and hi <= b for a, b in done)]
    if not found:
        return words, []
    bands = [(lo, hi) for lo, _, hi in found]
    spans = list(bands) + (done or [])
    heads = [(lo - 0.5 * (head - lo), head) for lo, head, _ in found]  # made wider below once `usual` is known
    mid = lambda w: (w.top + w.bottom) / 2  # noqa: E731
    inside = [w for w in words if any(lo <= mid(w) <= hi for lo, hi in bands)]
    usual = float(np.median([w.height for w in inside])) if inside else 0.0
    if not usual:
        return words, spans
    bands = [(lo - round(usual), hi) for lo, hi in bands]  # a header word misread reaches above its line
    heads = [(lo, head + 1.2 * usual) for lo, head in heads]  # and a header line under it ("3" for "STT")
    read = done or []  # read in the first pass: not again
    inside = [w for w in words if any(lo <= mid(w) <= hi for lo, hi in bands)
              and not any(a <= mid(w) <= b for a, b in read)]
    junk = {id(w) for w in inside if w.height > TALL_JUNK * usual  # two lines or rows read as one word
            or _glued(ink, w, GLUED_GAP * usual)}  # two cells read as one ("063.000.000" for "06 | 3.000.000")
    # a header holds no figure but in brackets: "3" for a bold "STT" is a misreading, however sure
    implausible = {id(w) for w in inside if any(lo <= mid(w) <= hi for lo, hi in heads)
                   and re.search(r"\d", re.sub(r"\([^)]*\)?", "", w.text))}
    doubted = [w for w in inside if id(w) not in junk and any(ch.isalnum() for ch in w.text)
               and (w.conf < ocr_tables.WORD_TRUST or id(w) in implausible)]  # read alone, kept if surer
    junk |= {id(w) for w in inside if not any(ch.isalnum() for ch in w.text) and w.text not in DASHES}  # "_", "|"
    words = [w for w in words if id(w) not in junk and not any(w is d for d in doubted)]
    h, w_ = ink.shape
    lo = max(min(b[0] for b in bands) - round(usual), 0)
    hi = min(max(b[1] for b in bands) + round(usual), h)
    left = ink[lo:hi].copy()
    m = max(1, round(3 * scale))
    rules = cv2.erode(left, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w_ // 30), 1)))
    left[cv2.dilate(rules, np.ones((5, 2 * max(20, w_ // 30)), np.uint8)) > 0] = 0  # horizontal rules
    covered = np.zeros_like(left)
    core = np.zeros_like(left)  # the middle of each word's line, a margin wider: a glyph reaching in is the word's
    for wd in words:
        if wd.conf < JUNK_CONF and not any(ch.isalnum() for ch in wd.text):
            continue  # a speck or a stroke read as punctuation covers nothing (`lines_of` drops it)
        if wd.bottom + m >= lo and wd.top - m <= hi:
            covered[max(wd.top - m - lo, 0):max(wd.bottom + m - lo, 0), max(wd.x0 - m, 0):wd.x1 + m] = 1
            q = (wd.bottom - wd.top) // 4
            core[max(wd.top + q - lo, 0):max(wd.bottom - q - lo, 0), max(wd.x0 - m, 0):wd.x1 + m] = 1
    # a glyph a word's box cuts (the stem of a bold "K" left out of "KHEN") is that word's: a stroke mostly
    # under a word's box is covered whole; one mostly outside (a letter of the line below) stays uncovered
    n, labels = cv2.connectedComponents(left, connectivity=8)
    total = np.bincount(labels.ravel(), minlength=n)
    under = np.bincount(labels[covered > 0].ravel(), minlength=n)
    mostly = under * 2 > total
    mostly[np.unique(labels[(core > 0) & (left > 0)])] = True
    mostly[0] = False
    left[mostly[labels]] = 0
    outside_bands = np.ones(hi - lo, bool)
    for a, b in bands:
        outside_bands[max(a - lo - m, 0):max(b - lo + m, 0)] = False
    for a, b in read:
        outside_bands[max(a - lo, 0):max(b - lo, 0)] = True
    left[outside_bands] = 0
    joined = cv2.dilate(left, np.ones((max(3, round(0.3 * usual)), max(3, round(0.45 * usual))), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    crops = []
    for x, y, bw, bh, _ in stats[1:n].tolist():
        if bh < 0.45 * usual or bw < 0.25 * usual:
            continue  # an accent, a dot, a speck
        box = _ink_bounds(left[y:y + bh, x:x + bw])
        if box is None:
            continue
        x0, y0, x1, y1 = x + box[0], lo + y + box[1], x + box[2], lo + y + box[3]
        if y1 - y0 < 0.45 * usual or cv2.countNonZero(left[y0 - lo:y1 - lo, x0:x1]) < 0.06 * usual * usual:
            continue  # a "1" is ink enough; a smudge is not
        x0, y0 = max(x0 - ocr_tables.PAD, 0), max(y0 - ocr_tables.PAD, 0)
        x1, y1 = min(x1 + ocr_tables.PAD, w_), min(y1 + ocr_tables.PAD, h)
        crops.append((ocr_tables.Cell(0, 0, (x0, y0, x1, y1)), gray[y0:y1, x0:x1]))
    if not crops:
        return words, spans
    readings = [read_crops(crops, dpi, f) for f in RECOVER_SCALES]
    bests = [max(pick, key=_reading_score) for pick in zip(*readings)]
    lone = [(cell, img) for (cell, img), best in zip(crops, bests) if _reading_score(best) < 0]
    ocr_tables.read_lone(lone, dpi)  # a lone "II" that a stacked read makes nothing of, read as a line
    p = ocr_tables.PAD
    for k, (cell, img) in enumerate(crops):
        if cell.text:
            bests[k] = [(cell.text, p, p, img.shape[1] - p, img.shape[0] - p, cell.conf or 0.0, (0, 0, 0))]
    recovered: list[Word] = []
    for k, (best, (cell, _)) in enumerate(zip(bests, crops)):
        x0, y0, x1, y1 = cell.box
        olds = [d for d in doubted if x0 <= (d.x0 + d.x1) / 2 <= x1 and y0 <= mid(d) <= y1]
        new = [Word(ocr_layout.fix_text(text), x0 + a, y0 + b, x0 + c, y0 + d, conf, (100_000 + k, line[1], line[2]))
               for text, a, b, c, d, conf, line in best if conf >= RECOVER_CONF and any(ch.isalnum() for ch in text)]
        new = [w for w in new if not _sliver(w, words, usual)]
        if new and _reading_score(best) > max([0.0 if id(d) in implausible else d.conf for d in olds], default=-1.0):
            recovered += new
        else:
            words += olds  # the page call's doubtful reading stands when reading it alone is no surer
    # a word read in full from its ink replaces a piece of it the page call read ("ối" of "Khối")
    pieces = {id(w) for w in words for r in recovered if _inside(w, r)}
    words = [w for w in words if id(w) not in pieces]
    _join_lines(recovered, words)
    return words + recovered, spans  # a doubtful word whose ink other words cover was a piece of them ("Đụ")


def _sliver(w: Word, words: list[Word], usual: float) -> bool:
    """A short word read from ink right against a word of its line (a glyph that word's box left out: the
    "I" of "HỘI" read "1"), not a word of its own, which a space or a cell's gap parts from the next."""
    if len(w.text) > 2:
        return False
    for o in words:
        dy = min(o.bottom, w.bottom) - max(o.top, w.top)
        if dy >= 0.5 * min(o.height, w.height) and -1 <= max(o.x0 - w.x1, w.x0 - o.x1) < 0.2 * usual:
            return True
    return False


def _inside(piece: Word, whole: Word) -> bool:
    """Does `piece` lie mostly (60 % of its width, half its height) within `whole`?"""
    dx = min(piece.x1, whole.x1) - max(piece.x0, whole.x0)
    dy = min(piece.bottom, whole.bottom) - max(piece.top, whole.top)
    return dx >= 0.6 * max(piece.x1 - piece.x0, 1) and dy >= 0.5 * max(piece.height, 1)


def _join_lines(new: list[Word], words: list[Word]) -> None:
    """Give each recovered word the page line it is level with (its core: the median top and bottom of
    the line's words), where that line has no word above or below it, so that it joins its row's cells."""
    by_line: dict[tuple, list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    cores = {key: (median(w.top for w in ws), median(w.bottom for w in ws), ws) for key, ws in by_line.items()}
    for w in new:
        best, most = None, 0.0
        for key, (top, bottom, ws) in cores.items():
            overlap = min(bottom, w.bottom) - max(top, w.top)
            if overlap >= 0.5 * min(bottom - top, w.height) and overlap > most \
                    and not any(min(o.x1, w.x1) > max(o.x0, w.x0) for o in ws):
                best, most = key, overlap
        if best is not None:
            w.line = best
            cores[best][2].append(w)


RECOVER_SCALES = (1.0, 2.0)  # a lone "1" reads "+" at its own size and "1" enlarged; a "2" the other way round


def _reading_score(words: list[tuple]) -> float:
    """A crop's reading: its mean confidence, nothing for one without a letter or digit."""
    useful = [w for w in words if any(ch.isalnum() for ch in w[0])]
    return sum(w[5] for w in useful) / len(useful) if useful else -1.0


def read_crops(crops: list[tuple[object, np.ndarray]], dpi: int | None, factor: float = 1.0) -> list[list[tuple]]:
    """Each crop's words (text, x0, top, x1, bottom in the crop's pixels, confidence, line), the crops
    stacked and read in one call at `factor` times their size; a Roman label's stems counted."""
    canvas, placed = ocr_tables.stack(crops, factor)
    found = read_words(canvas, psm=6, dpi=round(dpi * factor) if dpi else None)
    margin = 20  # where `stack` puts a crop's left edge
    out = []
    for (band_lo, band_hi, _), (_, img) in zip(placed, crops):
        top = band_lo + (band_hi - band_lo - round(img.shape[0] * factor)) // 2
        mine = []
        for wd in found:
            if not band_lo <= (wd.top + wd.bottom) / 2 < band_hi:
                continue
            x0, y0 = (wd.x0 - margin) / factor, (wd.top - top) / factor
            x1, y1 = (wd.x1 - margin) / factor, (wd.bottom - top) / factor
            text, conf = wd.text, wd.conf
            if ocr_layout.ROMANISH.fullmatch(text):  # a bold "II" read "H", "Il" or "I" at 3 %: its stems counted
                text = ocr_layout.roman_from_stems(img[max(int(y0), 0):int(y1) + 1, max(int(x0), 0):int(x1) + 1], text)
                if set(text.rstrip(".):")) == {"I"}:
                    conf = max(conf, RECOVER_CONF)
            mine.append((text, round(x0), round(y0), round(x1), round(y1), conf, wd.line))
        out.append(mine)
    return out


def _glued(ink: np.ndarray, w: Word, gap: float) -> bool:
    """Does the word's ink hold a gap of paper at least `gap` px wide: two words read as one?"""
    cols = ink[max(w.top, 0):max(w.bottom, 0), max(w.x0, 0):max(w.x1, 0)].any(axis=0)
    inked = np.flatnonzero(cols)
    if len(inked) < 2:
        return False
    return bool(np.diff(inked).max() - 1 >= gap)


def _ink_bounds(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    x, y, bw, bh = cv2.boundingRect(mask)
    return (x, y, x + bw, y + bh) if bw and bh else None
