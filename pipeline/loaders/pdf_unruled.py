"""Tables without ruling lines on a PDF page (no borders, or horizontal rules only).

pdfplumber finds tables by their borders; an unruled table reaches the loader as lines of words.
Those lines are laid out as `pdftotext -layout` would print them — each word at the column its x
position gives, cells kept apart by two spaces or more — and handed to the text loader's readers
(`text.tabify_space_tables`, `line_tables.tabify_text_tables`), so one reader serves text exports,
unruled PDFs and scans alike. A region starts at a line that names columns (STT, Nội dung, Thành
tiền …) and ends at the first line that is running text.
"""
from __future__ import annotations

import re
from statistics import median
from typing import Protocol, Sequence

from extractors.text_utils import ascii_fold

HEADER_WORDS = re.compile(r"\b(stt|tt|noi dung|hang muc|dien giai|dvt|don vi|so luong|khoi luong|don gia|muc chi|"
                          r"dinh muc|thanh tien|so tien|kinh phi|du toan|ghi chu|so nguoi|thanh phan)\b")
MONEY_WORDS = re.compile(r"\b(so luong|khoi luong|don gia|muc chi|dinh muc|thanh tien|so tien|kinh phi|du toan|so nguoi)\b")
CAPTION = re.compile(r"^(?:bang|bieu|tong hop|danh sach|phu luc)\b|.*:")
WORDS = re.compile(r"^\(?\s*bang chu")
GROUP_WORDS = re.compile(r"^(?:nguon )?(?:kinh phi|du toan)\b")
TOTAL = re.compile(r"^(?:tong cong|tong so|tong|cong)\b")
CELL_GAP = 0.45  # font sizes: a wider gap between two words separates two cells


class WordLike(Protocol):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool


class LineLike(Protocol):
    words: list
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    bold: bool
    text: str


def layout_text(line: LineLike, left: float, cw: float) -> str:
    """The line as a fixed-width text line: each cell at the column its x position gives."""
    out = ""
    prev = None
    for w in line.words:
        if prev is None:
            out = " " * max(0, round((w.x0 - left) / cw)) + w.text
        elif w.x0 - prev.x1 > CELL_GAP * max(w.size, prev.size):
            out += " " * max(2, round((w.x0 - left) / cw) - len(out)) + w.text
        else:
            out += (" " if w.x0 - prev.x1 > 0.12 * w.size else "") + w.text
        prev = w
    return out


def _headerish(line: LineLike) -> bool:
    """Could the line be (part of) a header: few words, no figure but in brackets, not a caption
    ("Bảng 2: …", "DỰ TOÁN KINH PHÍ" in capitals on its own)."""
    bare = re.sub(r"\([^)]*\)?", "", line.text)
    letters = [c for c in bare if c.isalpha()]
    caps_title = len(cells_of(line)) == 1 and len(bare.split()) >= 3 and letters and all(c.isupper() for c in letters)
    return len(line.words) <= 16 and not re.search(r"\d", bare) and not CAPTION.match(ascii_fold(line.text)) \
        and not caps_title


def _names_columns(band: Sequence[LineLike]) -> bool:
    """Do the lines name columns: two column names or more, one of them a figure's, in separate cells
    (a caption "Bảng 1: Dự toán kinh phí" names them in one)?"""
    folded = ascii_fold(" ".join(l.text for l in band))
    return (len(set(HEADER_WORDS.findall(folded))) >= 2 and bool(MONEY_WORDS.search(folded))
            and sum(len(cells_of(l)) for l in band) >= 2)


def _is_header(line: LineLike) -> bool:
    return _headerish(line) and _names_columns([line])


def _band_end(lines: Sequence[LineLike], i: int) -> int:
    """The last line of the header band starting at `i`: header lines touching each other (a header
    whose cells wrap onto several staggered lines)."""
    j = i
    while j + 1 < len(lines) and lines[j + 1].top - lines[j].bottom < 0.6 * lines[j].size and _headerish(lines[j + 1]) \
            and lines[j + 1].bold == lines[i].bold:
        j += 1
    return j


def _is_running_text(line: LineLike, left: float, right: float) -> bool:
    """A line of a paragraph: it fills the text width with ordinary word spaces only."""
    gaps = [b.x0 - a.x1 for a, b in zip(line.words, line.words[1:])]
    wide = any(g > 1.2 * line.size for g in gaps)
    return not wide and len(line.words) >= 6 and line.x1 - line.x0 > 0.8 * (right - left)


def regions(lines: Sequence[LineLike], left: float, right: float) -> list[tuple[int, int, int]]:
    """(first, header end, last) line index of every candidate table: a header band (lines naming
    columns, their wrapped pieces touching each other) and the lines below it up to running text, a
    section heading, the next table's header or a wide gap."""
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < len(lines):
        if not _headerish(lines[i]):
            i += 1
            continue
        head_end = _band_end(lines, i)
        if not _names_columns(lines[i:head_end + 1]):
            i += 1
            continue
        end = head_end
        while end + 1 < len(lines):
            nxt, cur = lines[end + 1], lines[end]
            if nxt.top - cur.bottom > 2.5 * cur.size or _is_running_text(nxt, left, right):
                break
            if re.match(r"^(?:[IVX]+\.|\d+\.\d*\.?)\s+\S", nxt.text) and not re.search(r"\d[.,]\d{3}", nxt.text):
                break  # a section heading
            if end > head_end and _headerish(nxt) and _names_columns(lines[end + 1:_band_end(lines, end + 1) + 1]):
                break  # the next table's header
            end += 1
            if ascii_fold(nxt.text).lstrip("( ").startswith("bang chu"):
                break
            if TOTAL.match(ascii_fold(nxt.text)):  # the total row closes the table, with its wrapped pieces
                while end + 1 < len(lines) and lines[end + 1].top - lines[end].bottom < 0.7 * lines[end].size \
                        and len(lines[end + 1].words) <= 3:
                    end += 1
                after = lines[end + 1] if end + 1 < len(lines) else None
                if not (after and WORDS.match(ascii_fold(after.text))):
                    break
        if end > head_end:
            out.append((i, head_end, end))
        i = end + 1
    return out


def cells_of(line: LineLike) -> list[tuple[float, float, str]]:
    """The line's words grouped into cells at gaps wider than CELL_GAP font sizes."""
    out: list[list] = []
    prev = None
    for w in line.words:
        if prev is not None and w.x0 - prev.x1 <= CELL_GAP * max(w.size, prev.size):
            joint = " " if w.x0 - prev.x1 > 0.12 * w.size else ""
            out[-1][1], out[-1][2] = w.x1, out[-1][2] + joint + w.text
        else:
            out.append([w.x0, w.x1, w.text])
        prev = w
    return [(a, b, t) for a, b, t in out]


def columns_of(body: Sequence[list[tuple[float, float, str]]], width: float) -> list[tuple[float, float]]:
    """Column spans: the cells of all body rows, overlapping ones merged (left-aligned text shares its
    left edge, right-aligned figures their right edge). A row of one cell across the table (the words
    line) does not count."""
    spans = sorted((a, b) for cells in body for a, b, _ in cells if not (len(cells) == 1 and b - a > 0.5 * width))
    cols: list[list[float]] = []
    for a, b in spans:
        if cols and a < cols[-1][1] - 0.5:
            cols[-1][1] = max(cols[-1][1], b)
        else:
            cols.append([a, b])
    return [(a, b) for a, b in cols]


def _column(cell: tuple[float, float, str], cols: list[tuple[float, float]]) -> int:
    a, b, _ = cell
    overlaps = [min(b, cb) - max(a, ca) for ca, cb in cols]
    best = max(range(len(cols)), key=lambda k: overlaps[k])
    if overlaps[best] > 0:
        return best
    mid = (a + b) / 2
    return min(range(len(cols)), key=lambda k: abs((cols[k][0] + cols[k][1]) / 2 - mid))


FIGURE = re.compile(r"(?<![\w(])\d[\d.,]*(?:\s?đ|đồng)?(?![\w)])")


def _has_figure(text: str) -> bool:
    """A figure standing as a word ("120", "3.500.000đ"), not a digit inside one ("(3m x 4m)")."""
    return bool(FIGURE.search(text))


def _split_column(head_cells: list[tuple[float, float, str]], cols: list[tuple[float, float]]) -> tuple[float, float] | None:
    """A new column span for header cells that share a column with other header cells they do not
    overlap and lie farther from it ("Ghi chú" beside "Thành tiền" over an empty note column)."""
    def distance(c: tuple[float, float, str], k: int) -> float:
        return max(cols[k][0] - c[1], c[0] - cols[k][1], 0.0)

    for k in range(len(cols)):
        mine = [c for c in head_cells if _column(c, cols) == k]
        clusters: list[list[tuple[float, float, str]]] = []
        for c in sorted(mine):
            if clusters and c[0] < max(x[1] for x in clusters[-1]):
                clusters[-1].append(c)
            else:
                clusters.append([c])
        if len(clusters) > 1:
            clusters.sort(key=lambda cl: min(distance(c, k) for c in cl))
            far = clusters[-1]
            return (min(c[0] for c in far), max(c[1] for c in far))
    return None


def group_headings(head: Sequence[LineLike]) -> set[tuple[float, float, str]]:
    """Header cells that stand over two sub-headings apart from each other ("Kinh phí" over
    "Đơn giá | Thành tiền"): they name a group of columns, not a column."""
    lines = [cells_of(l) for l in head]
    out = set()
    for i, cells in enumerate(lines):
        others = [c for j, cs in enumerate(lines) if j != i for c in cs]
        for a, b, t in cells:
            slack = 3.0 if GROUP_WORDS.match(ascii_fold(t)) else 0.0  # a group heading centred over its pair
            under = [c for c in others if min(b, c[1]) - max(a, c[0]) > -slack]
            if any(min(x[1], y[1]) - max(x[0], y[0]) <= 0 for x in under for y in under if x is not y):
                out.add((a, b, t))
            elif not under and GROUP_WORDS.match(ascii_fold(t)) and any(
                    x[1] <= a and b <= y[0] for cs in lines if cs is not cells for x, y in zip(cs, cs[1:])):
                out.add((a, b, t))  # centred over the gap between its two sub-headings
    return out


def header_columns(head: Sequence[LineLike], width: float) -> list[tuple[float, float]]:
    """Column spans from the header alone: its stacked pieces merged ("Số" over "lượng"), a group
    heading left out."""
    groups = group_headings(head)
    return columns_of([[c for c in cells_of(l) if c not in groups] for l in head], width * 2)


def row_groups(body: Sequence[LineLike]) -> list[list[LineLike]]:
    """The body's lines by table row: lines that touch (a cell wrapped onto several lines, centred
    against its neighbours) are one row, as long as one of them at most is a full line of cells with
    figures (rows printed without padding touch too)."""
    groups: list[list[LineLike]] = []
    for line in body:
        if groups:
            prev = groups[-1][-1]
            touching = line.top - prev.bottom < 0.7 * line.size and not WORDS.match(ascii_fold(line.text))
            full = lambda l: _has_figure(l.text) and len(cells_of(l)) >= 3  # noqa: E731 - a row's main line
            if touching and not (full(line) and any(full(l) for l in groups[-1])):
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


def grid_rows(part: Sequence[LineLike], head: int) -> list[list[str]] | None:
    """Rows of an unruled table: `part[:head]` its header lines, the rest its body."""
    groups = row_groups(part[head:])
    if not groups or not any(_has_figure(c[2]) for l in groups[0] for c in cells_of(l)):
        return None
    width = max(l.x1 for l in part) - min(l.x0 for l in part)
    group_cells = [[c for l in g for c in cells_of(l)] for g in groups]
    head_spans = header_columns(part[:head], width)
    if len(groups) < 3 and len(head_spans) >= 3:
        cols = head_spans  # too few rows to show the columns (a table cut by a page break): the header's
    else:
        # columns from the fullest rows (a wide group or total label may run past its column's edge)
        line_cells = [cells_of(l) for g in groups for l in g]
        most = max(len(c) for c in line_cells)
        cols = columns_of([c for c in line_cells if len(c) >= most - 1], width)
    heads = group_headings(part[:head])
    head_cells = [c for line in part[:head] for c in cells_of(line) if c not in heads]
    for _ in range(len(head_cells)):  # header cells apart from each other over one column: the one
        split = _split_column(head_cells, cols)  # nearest it names it, the others name empty columns
        if split is None:
            break
        cols = sorted(cols + [split])
    if len(cols) < 3:
        return None
    header = [""] * len(cols)
    for line in part[:head]:
        for cell in cells_of(line):
            k = _column(cell, cols)
            header[k] = f"{header[k]} {cell[2]}".strip()
    rows: list[list[str]] = [header]
    for cells in group_cells:
        joined = " ".join(c[2] for c in cells)
        if (len(cells) == 1 and cells[0][1] - cells[0][0] > 0.5 * width) or WORDS.match(ascii_fold(joined)):
            rows.append([joined] + [""] * (len(cols) - 1))  # the words line across the table
            continue
        row = [""] * len(cols)
        for cell in cells:
            k = _column(cell, cols)
            row[k] = f"{row[k]} {cell[2]}".strip()
        wrapped = len(rows) > 1 and not any(_has_figure(c) for c in row) and not row[0] and any(rows[-1][1:])
        if wrapped:  # a wrapped cell on a row of its own: its words continue the row above
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], row)]
        else:
            rows.append(row)
    return rows


def unruled_rows(lines: Sequence[LineLike], left: float, right: float) -> list[tuple[int, int, list[list[str]]]]:
    """(first, last, rows) for each unruled table among `lines`."""
    found = []
    for start, head_end, end in regions(lines, left, right):
        part = lines[start:end + 1]
        rows = grid_rows(part, head_end - start + 1)
        if rows is not None:
            found.append((start, end, rows))
    return found
