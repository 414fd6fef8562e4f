"""Tables without ruling lines, read from the positions of their words (PDF text layers and OCR).

pdfplumber and the OpenCV grid find tables by their borders; a table with no borders, or with
horizontal rules only, reaches its loader as lines of positioned words. Both loaders hand those
lines here. A table starts at a band of header lines that name columns (STT, Nội dung, Thành tiền
…; wrapped headers come as staggered lines) and ends at running text, a section heading, the next
header or its total row. Its columns are the spans its body cells share (left-aligned text shares
a left edge, right-aligned figures a right edge), or the header's when a page break left too few
rows; a row is the lines that touch each other (a wrapped cell centred against its neighbours).
Lines of plain text without positions go to `line_tables` instead.
"""
from __future__ import annotations

import re
from typing import Protocol, Sequence

from extractors.tables import column_roles
from extractors.text_utils import ascii_fold
from pipeline.loaders.text_quality import join_wrapped

HEADER_WORDS = re.compile(r"\b(stt|tt|noi dung|hang muc|dien giai|dvt|don vi|so luong|khoi luong|don gia|muc chi|"
                          r"dinh muc|thanh tien|so tien|kinh phi|du toan|ghi chu|so nguoi|thanh phan)\b")
MONEY_WORDS = re.compile(r"\b(so luong|khoi luong|don gia|muc chi|dinh muc|thanh tien|so tien|kinh phi|du toan|so nguoi)\b")
CAPTION = re.compile(r"^(?:bang|bieu|tong hop|danh sach|phu luc)\b|.*:")
WORDS = re.compile(r"^\(?\s*bang chu")
GROUP_WORDS = re.compile(r"^(?:nguon )?(?:kinh phi|du toan)\b")
TOTAL = re.compile(r"^(?:tong ?cong|tong ?so|tong|cong)\b")
CELL_GAP = 0.45  # line heights (font sizes): a wider gap between two words separates two cells


class WordLike(Protocol):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


class LineLike(Protocol):
    words: list[WordLike]
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    bold: bool
    text: str


# "(Kèm theo Kế hoạch số …)" under an appendix title is a caption; "(đồng)" under a header is its unit
BRACKETED_CAPTION = re.compile(r"^\((?!.*\b(?:dong|d|nghin|trieu|ty|vnd|nguoi)\b)[^()]*\)$")


def _headerish(line: LineLike) -> bool:
    """Could the line be (part of) a header: few words, no figure but in brackets, not a caption
    ("Bảng 2: …", "DỰ TOÁN KINH PHÍ" in capitals on its own)."""
    bare = re.sub(r"\([^)]*\)?", "", line.text)
    letters = [c for c in bare if c.isalpha()]
    caps_title = len(cells_of(line)) == 1 and len(bare.split()) >= 3 and letters and all(c.isupper() for c in letters)
    return len(line.words) <= 16 and not re.search(r"\d", bare) and not CAPTION.match(ascii_fold(line.text)) \
        and not caps_title and not BRACKETED_CAPTION.match(ascii_fold(line.text.strip()))


def _names_columns(band: Sequence[LineLike]) -> bool:
    """Do the lines name columns: two column names or more, one of them a figure's, in separate cells
    (a caption "Bảng 1: Dự toán kinh phí" names them in one)?"""
    folded = ascii_fold(" ".join(l.text for l in band))
    return (len(set(HEADER_WORDS.findall(folded))) >= 2 and bool(MONEY_WORDS.search(folded))
            and sum(len(cells_of(l)) for l in band) >= 2)


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
            words_line = bool(WORDS.match(ascii_fold(nxt.text).lstrip("( ")))
            if nxt.top - cur.bottom > 2.5 * cur.size or (_is_running_text(nxt, left, right) and not words_line):
                break
            if re.match(r"^(?:[IVX]+\.|\d+\.\d*\.?)\s+\S", nxt.text) and not re.search(r"\d[.,]\d{3}", nxt.text):
                break  # a section heading
            if end > head_end and _headerish(nxt) and _names_columns(lines[end + 1:_band_end(lines, end + 1) + 1]):
                break  # the next table's header
            end += 1
            if ascii_fold(nxt.text).lstrip("( ").startswith("bang chu"):
                while end + 1 < len(lines) and _words_go_on(lines[end], lines[end + 1]):
                    end += 1  # the words line wrapped ("… không trăm" / "linh một đồng chẵn.")
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


def _words_go_on(cur: LineLike, nxt: LineLike) -> bool:
    """Does `nxt` continue the amount in words on `cur`: it touches it, holds no figure, and `cur`
    has not ended its sentence."""
    return nxt.top - cur.bottom < 0.7 * cur.size and not cur.text.rstrip().endswith((".", ")", ";")) \
        and not re.search(r"\d", nxt.text) and len(nxt.words) <= 12


def cells_of(line: LineLike) -> list[tuple[float, float, str]]:
    """The line's words grouped into cells at gaps wider than CELL_GAP font sizes."""
    out: list[list] = []
    prev = None
    size = line.size
    gap = getattr(line, "cell_gap", CELL_GAP)  # OCR's word boxes leave word spaces up to half a size
    for w in line.words:
        figures = prev is not None and bool(FIGURE.fullmatch(prev.text) and FIGURE.fullmatch(w.text))
        if prev is not None and w.x0 - prev.x1 <= (CELL_GAP if figures else gap) * size:  # "150 | 40.000"
            joint = " " if w.x0 - prev.x1 > 0.12 * size else ""
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


def body_columns(body: list[tuple[float, float]], cols: list[tuple[float, float]]) -> list[tuple[float, float, int]]:
    """Each body column with the header column it belongs to: the one it lies under, when it lies under
    one only; a body column under no header word (an item column left of its centred "Nội dung")
    takes the nearest header column that no other body column lies under."""
    out: list[tuple[float, float, int]] = []
    loose: list[tuple[float, float]] = []
    for ba, bb in body:
        under = [k for k, (ca, cb) in enumerate(cols) if min(bb, cb) - max(ba, ca) > 0]
        if len(under) == 1:
            out.append((ba, bb, under[0]))
        elif not under:
            loose.append((ba, bb))
    owned = {k for *_, k in out}
    for ba, bb in loose:
        free = [k for k in range(len(cols)) if k not in owned]
        if free:
            mid = (ba + bb) / 2
            k = min(free, key=lambda k: abs((cols[k][0] + cols[k][1]) / 2 - mid))
            out.append((ba, bb, k))
            owned.add(k)
    return out


def _column_via(cell: tuple[float, float, str], cols: list[tuple[float, float]],
                body: list[tuple[float, float, int]]) -> int:
    """The header column of a cell; one under no header word goes with the body column it sits in."""
    a, b, _ = cell
    if body and not any(min(b, cb) - max(a, ca) > 0 for ca, cb in cols):
        for ba, bb, k in body:
            if min(b, bb) - max(a, ba) > 0:
                return k
    return _column(cell, cols)


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
            slack = max(3.0, 0.25 * head[i].size) if GROUP_WORDS.match(ascii_fold(t)) else 0.0  # centred over its pair (pt or px)
            under = [c for c in others if min(b, c[1]) - max(a, c[0]) > -slack]
            if any(min(x[1], y[1]) - max(x[0], y[0]) <= 0 for x in under for y in under if x is not y):
                out.add((a, b, t))
            elif not under and GROUP_WORDS.match(ascii_fold(t)) and any(
                    x[1] <= a and b <= y[0] for cs in lines if cs is not cells for x, y in zip(cs, cs[1:])):
                out.add((a, b, t))  # centred over the gap between its two sub-headings
            elif GROUP_WORDS.match(ascii_fold(t)) and any(
                    x[1] < (a + b) / 2 < y[0] and a - x[1] <= head[i].size and y[0] - b <= head[i].size
                    and MONEY_WORDS.match(ascii_fold(x[2])) and MONEY_WORDS.match(ascii_fold(y[2]))
                    for cs in lines[i + 1:] for x, y in zip(cs, cs[1:])):
                out.add((a, b, t))  # centred over two money columns below, reaching both (OCR boxes)
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
            total = TOTAL.match(ascii_fold(line.text)) and any(full(l) for l in groups[-1])  # after a full row
            if touching and not total and not (full(line) and any(full(l) for l in groups[-1])) \
                    and not _refills(line, groups[-1]) and not _caps_after(line, groups[-1]):
                groups[-1].append(line)
                continue
        groups.append([line])
    return _regroup_leading_wraps(groups)


def _regroup_leading_wraps(groups: list[list[LineLike]]) -> list[list[LineLike]]:
    """A cell wrapped onto two lines is centred on its row, so its first line can sit above the row's
    label and figures, touching the row above too: a text-only last line nearer to the next row than
    to its own goes with the next row."""
    for i in range(len(groups) - 1):
        g, nxt = groups[i], groups[i + 1]
        if len(g) < 2:
            continue
        last, before, first = g[-1], g[-2], nxt[0]
        text_only = not _has_figure(last.text) and not _label_first(last)  # ("Tổng" over "cộng" too)
        if text_only and (_has_figure(first.text) or _label_first(first)) and \
                first.top - last.bottom < last.top - before.bottom:
            nxt.insert(0, g.pop())
    return groups


def _refills(line: LineLike, row: Sequence[LineLike]) -> bool:
    """Does the line put a figure under a figure of the row (a group row's amount over its first line's,
    rows set close on a scan), or a numbering label beside one: a cell filled twice is another row."""
    def figures(l: LineLike) -> list[tuple[float, float]]:
        return [(a, b) for a, b, t in cells_of(l) if _has_figure(t) and not re.search(r"[^\W\d_]{2}", t)]

    mine = figures(line) + _label_first(line)
    return any(min(b, d) > max(a, c) for a, b in mine for l in row for c, d in figures(l) + _label_first(l))


def _caps_after(line: LineLike, row: Sequence[LineLike]) -> bool:
    """Is the line a group's name in capitals ("CHI HOẠT ĐỘNG CHUYÊN", its amount and label on the line
    below it) under a row whose text is not: a group row starts, it does not continue the row above."""
    def caps(text: str) -> bool:
        letters = [c for c in text if c.isalpha()]
        return len(letters) >= 6 and all(c.isupper() for c in letters)

    first = cells_of(line)
    texts = [c[2] for l in row for c in cells_of(l) if sum(ch.isalpha() for ch in c[2]) >= 6]
    return bool(first) and caps(first[0][2]) and bool(texts) and not any(caps(t) for t in texts)


def _label_first(line: LineLike) -> list[tuple[float, float]]:
    """The span of the numbering label ("1", "II", "a)") the line opens with, more cells following."""
    cells = cells_of(line)
    if len(cells) >= 2 and re.fullmatch(r"(?:\d{1,3}|[IVXLC]{1,5}|[a-zđ])[.)]?", cells[0][2]):
        return [cells[0][:2]]
    return []


Box = tuple[float, float, float, float]  # x0, top, x1, bottom


def grid_cells(part: Sequence[LineLike], head: int) -> tuple[list[list[str]], list[list[Box]], list[Box]] | None:
    """Rows of an unruled table (`part[:head]` its header lines, the rest its body), the box of every
    cell (the ink of its words, or its column across its row where it is empty) and each row's box."""
    groups = row_groups(part[head:])
    while len(groups) > 1 and len(groups[0]) == 1 and _header_piece(groups[0][0], part[head - 1]) and any(
            _has_figure(l.text) for l in groups[1]):
        head += 1  # a header piece set lower than the header's other words ("TT" under "Số", read as "II")
        groups = groups[1:]
    tail = len(groups) == 1 and WORDS.match(ascii_fold(" ".join(l.text for l in groups[0])))
    if not groups or not (tail or any(_has_figure(c[2]) for l in groups[0] for c in cells_of(l))):
        return None  # (a header over the words line alone: the tail of a table the page break cut)
    width = max(l.x1 for l in part) - min(l.x0 for l in part)
    head_spans = header_columns(part[:head], width)
    # the words line (with its wrapped end) runs across the table; a justified one has gaps that are no columns
    rows_only = [g for g in groups if not WORDS.match(ascii_fold(g[0].text))]
    line_cells = [cells_of(l) for g in rows_only for l in g] or [[]]
    most = max(len(c) for c in line_cells)
    body_spans: list[tuple[float, float, int]] = []
    fullest = sum(len(c) >= most - 1 for c in line_cells)
    if (most < len(head_spans) - 1 or (fullest < 2 and most <= len(head_spans))) and len(head_spans) >= 3:
        cols = head_spans  # no row, or one only, full enough to show the columns (a page break left a group row): the header's
        body_spans = body_columns(columns_of([cells_of(l) for g in rows_only for l in g
                                              if not TOTAL.match(ascii_fold(l.text))], width), cols)
    else:  # columns from the fullest rows (a wide group or total label may run past its column's edge)
        cols = columns_of([c for c in line_cells if len(c) >= most - 1], width)
    heads = group_headings(part[:head])
    head_cells = [c for line in part[:head] for c in cells_of(line) if c not in heads]
    for _ in range(len(head_cells)):  # header cells apart from each other over one column: the one
        split = _split_column(head_cells, cols)  # nearest it names it, the others name empty columns
        if split is None or split in cols:  # a span already split off: nothing new
            break
        cols = sorted(cols + [split])
    if len(cols) < 2 or (len(cols) == 2 and not _item_and_amount(part[:head])):
        return None  # two columns only under "Nội dung | Thành tiền" (a table of lump sums)
    rows: list[list[str]] = []
    boxes: list[list[Box | None]] = []
    spans: list[Box] = []
    for n, lines in enumerate([list(part[:head])] + groups):
        top, bottom = min(l.top for l in lines), max(l.bottom for l in lines)
        cells = [(c, l) for l in lines for c in cells_of(l)]
        joined = " ".join(c[2] for c, _ in cells)
        row: list[str] = [""] * len(cols)
        box: list[Box | None] = [None] * len(cols)
        if n and ((len(cells) == 1 and cells[0][0][1] - cells[0][0][0] > 0.5 * width) or WORDS.match(ascii_fold(joined))):
            row[0] = joined  # the words line across the table
        else:
            for (a, b, t), line in cells:
                k = _column_via((a, b, t), cols, body_spans)
                row[k] = join_wrapped([row[k], t])
                old = box[k]
                box[k] = (a, line.top, b, line.bottom) if old is None else (
                    min(old[0], a), min(old[1], line.top), max(old[2], b), max(old[3], line.bottom))
        wrapped = len(rows) > 1 and not any(_has_figure(c) for c in row) and not row[0] and any(rows[-1][1:])
        if wrapped:  # a wrapped cell on a row of its own: its words continue the row above
            rows[-1] = [join_wrapped([x, y]) for x, y in zip(rows[-1], row)]
            boxes[-1] = [x if y is None else y if x is None else (min(x[0], y[0]), min(x[1], y[1]), max(x[2], y[2]),
                                                                   max(x[3], y[3])) for x, y in zip(boxes[-1], box)]
            spans[-1] = (spans[-1][0], spans[-1][1], spans[-1][2], bottom)
            continue
        rows.append(row)
        boxes.append(box)
        spans.append((cols[0][0], top, cols[-1][1], bottom))
    full = [[b if b is not None else (cols[k][0], span[1], cols[k][1], span[3]) for k, b in enumerate(bs)]
            for bs, span in zip(boxes, spans)]
    _merge_split_headers(rows, full)
    return rows, full, spans


def _merge_split_headers(rows: list[list[str]], boxes: list[list[Box]]) -> None:
    """A header word set apart from its other half ("Đơn" | "vị", wide letter spacing or an OCR gap)
    over a column that stays empty is one column: "Đơn vị"."""
    for k in range(len(rows[0]) - 1, 0, -1):
        left, right = rows[0][k - 1], rows[0][k]
        if not left or not right or any(r[k] for r in rows[1:] if not WORDS.match(ascii_fold(r[0]))):
            continue
        joined = ascii_fold(f"{left} {right}")
        if HEADER_WORDS.search(ascii_fold(right)) or not HEADER_WORDS.fullmatch(joined.strip()):
            continue
        for row in rows:
            row[k - 1] = f"{row[k - 1]} {row[k]}".strip()
            del row[k]
        for bs in boxes:
            a, b = bs[k - 1], bs[k]
            bs[k - 1] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
            del bs[k]


def _item_and_amount(head: Sequence[LineLike]) -> bool:
    """Does the header name an item column, then an amount column, and nothing else?"""
    cells = [c[2] for line in head for c in cells_of(line)]
    return len(cells) == 2 and column_roles(cells)[0] == {"item": 0, "amount": 1}


def _header_piece(line: LineLike, above: LineLike) -> bool:
    """A word or two without figures touching the header line above it."""
    return len(line.words) <= 2 and not _has_figure(line.text) and line.top - above.bottom < 0.6 * line.size \
        and not TOTAL.match(ascii_fold(line.text))


def grid_rows(part: Sequence[LineLike], head: int) -> list[list[str]] | None:
    """The rows of `grid_cells`, for a loader that needs no boxes."""
    found = grid_cells(part, head)
    return found[0] if found is not None else None


def unruled_rows(lines: Sequence[LineLike], left: float, right: float) -> list[tuple[int, int, list[list[str]]]]:
    """(first, last, rows) for each unruled table among `lines`."""
    return [(start, end, rows) for start, end, rows, _ in unruled_grids(lines, left, right)]


def unruled_grids(lines: Sequence[LineLike], left: float, right: float
                  ) -> list[tuple[int, int, list[list[str]], list[list[Box]]]]:
    """(first, last, rows, cell boxes) for each unruled table among `lines`."""
    found = []
    for start, head_end, end in regions(lines, left, right):
        grid = grid_cells(lines[start:end + 1], head_end - start + 1)
        if grid is not None:
            found.append((start, end, grid[0], grid[1]))
    return found
