"""Plain-text and Markdown plans to the document model.

Text exports of PDFs hard-wrap every line and leave page numbers alone on a
line; Word→Markdown exports glue emphasis runs and put tables as tab rows or
pipe tables. Both are repaired here so extractors see whole paragraphs.
"""
from __future__ import annotations

import re
from pathlib import Path

from extractors.text_utils import LEAD_WORDS, ascii_fold
from models.document import Block, Document
from pipeline.loaders.source_lines import locate
from pipeline.loaders.line_tables import header_of, tabify_text_tables

# A line that starts a new paragraph whatever came before it.
MARKER = re.compile(
    r"^(?:[IVXLC]{1,6}\s*(?:[.:)]|\s[-–]\s)|\d{1,2}(?:\.\d{1,2}){0,3}\s*[.)](?!\d)|[a-zđ]\s*\)|[a-zđ]\.\s|[-+•*–]\s|"
    r"(?:Phần|PHẦN|Mục|MỤC|Phụ lục|PHỤ LỤC|Điều|ĐIỀU|Chương|CHƯƠNG)\s+[\dIVXLC]+)"
)
PAGE_NUMBER = re.compile(r"^(?:-\s*)?(?:Trang\s+)?(\d{1,3})(?:\s*-)?(?:\s*/\s*\d{1,3})?$", re.I)
TERMINAL = tuple(".;:!?…")


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


# --- Markdown inline clean-up -------------------------------------------------

def split_glued_emphasis(line: str) -> list[str]:
    """'**Phụ lục 1****DANH SÁCH…***(Kèm theo…)*' is three lines glued by Word's exporter."""
    line = re.sub(r"(?<=\S)\*\*\*\*(?=\S)", "**\n**", line)
    line = re.sub(r"(?<=[^\s*])\*\*\*(?=[^\s*])", "**\n*", line)
    return line.split("\n")


INLINE_MARK = re.compile(r"[<\[*_\\]")
INLINE_RULES = [(re.compile(p, f), r) for p, f, r in (
    (r"<br\s*/?>", re.I, " "),
    (r"</?(?:b|strong|i|em|u|span)(?:\s[^>]*)?>", re.I, ""),
    (r"<(https?://[^>]+)>", 0, r"\1"),
    (r"\[([^\]]+)\]\([^)]+\)", 0, r"\1"),
    (r"\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)", 0, ""),
    (r"\\([\\`*_{}\[\]()#+\-.!|])", 0, r"\1"),
)]


def strip_inline(text: str) -> str:
    if not INLINE_MARK.search(text):
        return fold(text)  # most lines carry no Markdown mark: skip the substitutions
    for pattern, repl in INLINE_RULES:
        text = pattern.sub(repl, text)
    return fold(text)


# --- Tables ------------------------------------------------------------------

def is_table_row(line: str) -> bool:
    if "\t" in line.strip(" \r\n\u00a0"):
        return True
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def table_cells(line: str) -> list[str] | None:
    """Cells of a tab or pipe row; None for a pipe separator row (|---|)."""
    stripped = line.strip()
    if stripped.startswith("|"):
        body = stripped.strip("|")
        cells = re.split(r"(?<!\\)\|", body)
        if all(re.fullmatch(r"\s*:?-{2,}:?\s*", c) for c in cells if c.strip()) and any(c.strip() for c in cells):
            return None
    else:
        cells = line.rstrip("\n").split("\t")
    return [strip_inline(c) for c in cells]


def looks_like_header_row(cells: list[str]) -> bool:
    joined = " ".join(cells).lower()
    return bool(re.search(r"\b(stt|tt|nội dung|đơn vị|số lượng|thành tiền|số tiền|ghi chú)\b", joined)) and not re.search(r"\d{3}", joined)


# --- Line repair -------------------------------------------------------------

def is_hard_wrapped(lines: list[str]) -> bool:
    """PDF text exports break every visual line: lengths cluster under ~110 chars."""
    lengths = sorted(len(l) for l in lines if len(l) > 20)
    if len(lengths) < 15:
        return False
    p95 = lengths[int(0.95 * (len(lengths) - 1))]
    return p95 <= 110


def is_caps(line: str) -> bool:
    """Three letters or more, all capitals (str.isupper first: most lines fail it at once)."""
    return line.isupper() and sum(1 for c in line if c.isalpha()) >= 3


def continues(prev: str, nxt: str, width: int | None) -> bool:
    """Does `nxt` continue the paragraph that `prev` ends? Not when it opens a legal basis with a
    capital ("Căn cứ …", "Thực hiện …"; in a wrapped sentence the word is lower case): a title line of
    full width is no wrapped sentence."""
    if MARKER.match(nxt) or not prev or (nxt[:1].isupper() and LEAD_WORDS.match(ascii_fold(nxt))):
        return False
    caps = is_caps(prev)
    if caps != is_caps(nxt) and (caps or len(nxt) < 40):
        return False
    first = nxt[0]
    if first.islower():
        return True
    if width is None:
        return False
    return len(prev) >= 0.75 * width and not prev.endswith(TERMINAL)


def load_text(path: Path) -> Document:
    from pipeline.loaders.encoding import decode_text  # UTF-8/16, Windows-1258, TCVN3 and VNI bytes

    decoded = decode_text(path.read_bytes(), path.name)
    markdown = path.suffix.lower() in (".md", ".markdown")
    doc = parse_text(decoded.text, str(path), "md" if markdown else "txt")
    doc.warnings += decoded.warnings
    return doc


COLUMN_GAP = re.compile(r"(?<=\S)(\s{6,})(?=\S)")


def column_parts(line: str) -> tuple[str | None, str | None]:
    """(left, right) of a line from a two-column layout (pdftotext -layout), else (line, None).

    "Số:      /KH-UBND" and "ngày    tháng" keep their blanks: a gap after a colon,
    before a "/" or inside a date is a blank field, not a column break.
    """
    stripped = line.rstrip()
    gaps = list(COLUMN_GAP.finditer(stripped))
    indent = len(stripped) - len(stripped.lstrip())
    if not gaps:
        return (None, stripped.strip()) if indent >= 30 and len(stripped.strip()) < 60 else (stripped, None)
    if len(gaps) > 1:
        return stripped, None  # a space-aligned row, not two columns
    left, right = stripped[: gaps[0].start()], stripped[gaps[0].end():]
    if re.search(r"s[ốo]\s*:?$", left.strip(), re.I) or right[:1] in "/0123456789" or right[:1].islower() or re.search(r"(ngày|tháng)$", left.strip(), re.I):
        return stripped, None
    return left.strip(), right.strip()


def right_centre(line: str, part: str) -> float:
    start = line.rfind(part)
    return start + len(part) / 2


def unfold_columns(lines: list[str]) -> list[str]:
    """Put a two-column region (header, signature) as its left column then its right column.

    A region starts at a line with both columns; a line with text only on the
    right joins it when centred under the right column (a signer's name), not
    when centred on the page (KẾ HOẠCH, a title line); bullet lines right after
    it still belong to its left column (the last recipients).
    """
    parts = [column_parts(l) if "\t" not in l and l.strip() else (l, None) for l in lines]
    splits = [i for i, (left, right) in enumerate(parts) if right is not None and left]
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i not in splits:
            out.append(lines[i])
            i += 1
            continue
        centre = right_centre(lines[i], parts[i][1] or "")
        end = i
        while True:  # the region goes on while its next column line is at most 4 text lines away
            nxt = next((j for j in range(end + 1, len(lines)) if parts[j][1] is not None and (
                j in splits or abs(right_centre(lines[j], parts[j][1] or "") - centre) <= 10)), None)
            if nxt is None or sum(1 for l in lines[end + 1:nxt] if l.strip()) > 4:
                break
            end = nxt
        while end + 1 < len(lines) and (not lines[end + 1].strip() or re.match(r"\s*[-+•]\s", lines[end + 1])) \
                and any(re.match(r"\s*[-+•]\s", l) for l in lines[end + 1:end + 3]):
            end += 1
        lefts = [p[0] for p in parts[i:end + 1] if p[0] and p[0].strip()]
        rights = [p[1] for p in parts[i:end + 1] if p[1]]
        for piece in lefts + rights:
            out += [piece.strip(), ""]
        i = end + 1
    return out


SPACE_CELL = re.compile(r"\S+(?: \S+)*")  # cells of a space-aligned row: runs split by 2+ spaces
FIGURE_CELL = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$|^\d+$")


def space_cells(line: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in SPACE_CELL.finditer(line)]


def tabify_space_tables(lines: list[str]) -> list[str]:
    """Space-aligned tables (pdftotext -layout) become tab rows, cells placed under the header's columns.

    A region is two or more lines of three or more cells, one of them with a
    figure of four or more digits; a one-cell line inside it continues the cell
    above it (a wrapped item), a two-cell line is a row (a total row).
    """
    out = list(lines)
    i = 0
    while i < len(lines):
        cells = space_cells(lines[i]) if "\t" not in lines[i] else []
        if len(cells) < 3:
            i += 1
            continue
        j, rows, last = i, [], i
        while j < len(lines) and j - last <= 6:  # blank lines (a page break) inside the table
            if PAGE_NUMBER.match(lines[j].replace("\f", "").strip()) or lines[j].strip() == "\f":
                j += 1  # a page break inside the table: the table goes on
                last = j
                continue
            c = space_cells(lines[j]) if "\t" not in lines[j] else []
            if c and rows and looks_like_header_row([t for *_, t in c]) and not same_cells(c, rows[0][1]) and (
                    j - last > 1 or any(re.search(r"\d", t) for _, rc in rows for *_, t in rc)):
                break  # another table's header: after blank lines, or after rows of figures
            # a lone cell continues a wrapped item when it is indented past the first column, or, without
            # digits, when table rows go on below it (the item column is the first)
            nxt = next((space_cells(l) for l in lines[j + 1:j + 3] if l.strip()), [])
            after_total = bool(rows) and bool(re.match(r"(tong|cong)\b", ascii_fold(" ".join(t for *_, t in rows[-1][1]))))
            lone_wrap = len(c) == 1 and rows and (c[0][0] > rows[0][1][0][1] or (
                not re.search(r"\d", c[0][2]) and len(c[0][2]) <= 40 and len(nxt) >= 2 and not after_total
                and not looks_like_header_row([t for *_, t in nxt]) and not is_caps(c[0][2])))
            if len(c) >= 2 or lone_wrap:
                rows.append((j, c))
                last = j
            elif c:
                break
            j += 1
        wide = [r for r in rows if len(r[1]) >= 3]
        # figures of four digits or more, or any figures under a header that names the columns (a table
        # in millions prints "480")
        has_money = any(FIGURE_CELL.match(t) and len(re.sub(r"\D", "", t)) >= 4 for _, c in rows for *_, t in c) or (
            bool(header_lines(rows)) and any(FIGURE_CELL.match(t) for _, c in rows for *_, t in c))
        if len(wide) < 2 or not has_money:
            i += 1
            continue
        head = header_lines(rows)
        header = merge_header_lines([c for _, c in head]) if len(head) >= 2 else max(wide[:3], key=lambda r: len(r[1]))[1]
        head_rest = {n for n, _ in head[1:]}
        # Widen each column to the cells the wide rows put in it, so a wrapped line left of a centred
        # header word still lands in its column.
        spans = [[h[0], h[1], h[2]] for h in header]
        for _, c in wide:
            for cell in c:
                k = column_of(cell, header)
                spans[k][0], spans[k][1] = min(spans[k][0], cell[0]), max(spans[k][1], cell[1])
        header = [tuple(h) for h in spans]
        table: list[tuple[int, list[str]]] = []
        for n, c in rows:
            if n in head_rest:  # a second header line, merged into the header's columns
                out[n] = ""
                continue
            if head_rest and n == head[0][0]:
                table.append((n, [h[2] for h in header]))
                continue
            no_figure = not any(re.search(r"\d{2}|\d[.,]\d", t) for *_, t in c)
            total_row = len(c) >= 2 and bool(re.match(r"(tong|cong)\b", ascii_fold(c[0][2])))  # "Cộng … 7" (millions)
            if table and not total_row and (len(c) == 1 or (no_figure and c[0][0] > header[0][1])):
                for cell in c:  # a wrapped line: its pieces continue the cells above them
                    col = column_of(cell, header)
                    table[-1][1][col] = f"{table[-1][1][col]} {cell[2]}".strip()
                out[n] = ""
                continue
            row = [""] * len(header)
            for cell in c:
                col = column_of(cell, header)
                row[col] = f"{row[col]} {cell[2]}".strip()
            table.append((n, row))
        for n, row in table:
            out[n] = "\t".join(row)
        i = rows[-1][0] + 1
    return out


def header_lines(rows: list[tuple[int, list[tuple[int, int, str]]]]) -> list[tuple[int, list[tuple[int, int, str]]]]:
    """The table's header lines: its first lines (up to 3), before any with a digit, when the first
    names columns."""
    head = []
    for n, c in rows[:3]:
        if any(re.search(r"\d", t) for *_, t in c):
            break
        head.append((n, c))
    return head if any(looks_like_header_row([t for *_, t in c]) for _, c in head) else []


def merge_header_lines(lines: list[list[tuple[int, int, str]]]) -> list[tuple[int, int, str]]:
    """Columns of a header printed on several lines: a cell under one column continues its name
    ("Kinh phí (đồng)" over "Số tiền", "Số" over "TT"); a cell under none is a column of its own
    (the second sub-heading of a merged cell)."""
    cols = [[s, e, t] for s, e, t in lines[0]]
    for line in lines[1:]:
        for s, e, t in line:
            over = [k for k, (cs, ce, _) in enumerate(cols) if min(e, ce) - max(s, cs) > 0]
            if over:
                k = over[0]
                cols[k] = [min(s, cols[k][0]), max(e, cols[k][1]), f"{cols[k][2]} {t}"]
            else:
                cols.append([s, e, t])
    return [tuple(c) for c in sorted(cols)]  # type: ignore[misc]


def same_cells(a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]) -> bool:
    return [t for *_, t in a] == [t for *_, t in b]


def column_of(cell: tuple[int, int, str], header: list[tuple[int, int, str]]) -> int:
    """The header column a cell overlaps most, else the nearest one (right-aligned figures)."""
    start, end, _ = cell
    overlaps = [max(0, min(end, h_end) - max(start, h_start)) for h_start, h_end, _ in header]
    if max(overlaps) > 0:
        return overlaps.index(max(overlaps))
    centre = (start + end) / 2
    return min(range(len(header)), key=lambda k: abs((header[k][0] + header[k][1]) / 2 - centre))


def parse_text(text: str, source_path: str, fmt: str) -> Document:
    markdown = fmt == "md"
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not markdown:
        raw_lines = unfold_columns(tabify_text_tables(tabify_space_tables(raw_lines)))
    # (kind, text, page, level, cells) items before paragraph assembly
    items: list[tuple[str, str, int, int, list[str] | None]] = []
    page = 1
    max_page = 1
    fresh_page = False  # the first text line after a form feed may be the new page's number
    for i, line in enumerate(raw_lines):
        if "\f" in line:
            page += line.count("\f")
            max_page = max(max_page, page)
            line = line.replace("\f", "")
            fresh_page = True
        if fresh_page and line.strip():
            fresh_page = False
            m = PAGE_NUMBER.match(line.strip())
            if m:  # "\f2" or "\f" then "   - 2 -": the new page's number
                page = max(page, int(m.group(1)))
                max_page = max(max_page, page)
                continue
        if is_table_row(line):
            cells = table_cells(line)
            if cells is not None:
                items.append(("row", "", page, 0, cells))
            continue
        pieces = split_glued_emphasis(line) if markdown else [line]
        for piece in pieces:
            level = 0
            if markdown:
                m = re.match(r"^\s{0,3}(#{1,6})\s+(.*)$", piece)
                if m:
                    level, piece = len(m.group(1)), m.group(2)
                piece = re.sub(r"^\s*\*\s+", "- ", piece)
                piece = re.sub(r"^\s*>\s?", "", piece)
                piece = strip_inline(piece)
            else:
                piece = fold(piece)
            if not piece:
                items.append(("blank", "", page, 0, None))
                continue
            m = PAGE_NUMBER.match(piece)
            if m and _isolated(raw_lines, i):
                page = max(page, int(m.group(1))) if int(m.group(1)) >= page else page
                max_page = max(max_page, page)
                continue
            items.append(("line", piece, page, level, None))

    lines = [t for k, t, *_ in items if k == "line"]
    width = None
    if not markdown and is_hard_wrapped(lines):
        lengths = sorted(len(l) for l in lines)
        width = lengths[int(0.9 * (len(lengths) - 1))]

    blocks: list[Block] = []
    table: list[list[str]] | None = None
    gap = False
    last_line = ""  # the last physical line, since a wrap decision depends on its length
    for kind, content, pg, level, cells in items:
        if kind == "row" and table is None and sum(1 for c in cells or [] if c) <= 1:
            kind, content, cells = "line", " ".join(c for c in cells or [] if c), None
            if not content:
                continue
        if kind == "row":
            assert cells is not None
            if table is not None and cells == table[0][: len(cells)] and len(table) > 1:
                continue  # the header row repeated after a page break
            new_header = gap and looks_like_header_row(cells) or (
                table is not None and len(table) > 1 and header_of("\t".join(cells).replace("\t", " ")) is not None)
            if table is not None and not new_header:
                table.append(cells)
            else:
                table = [cells]
                blocks.append(Block("table", rows=table, page=pg))
            gap = False
            continue
        if kind == "blank":
            gap = True
            continue
        if table is not None and kind == "line":
            table = None
        prev = blocks[-1] if blocks else None
        if prev is not None and prev.kind != "table" and level == 0 and prev.level == 0 and continues(last_line, content, width):
            prev.text = f"{prev.text} {content}"
            last_line = content
            continue
        last_line = content
        blocks.append(Block("heading" if level else "paragraph", text=content, page=pg, level=level))
    blocks = [nb for b in blocks for nb in (square_or_flatten(b) if b.is_table else [b])]
    locate(blocks, text)
    pages = max_page if max_page > 1 else None  # known only where page breaks or numbers were seen
    return Document(source_path=source_path, source_format=fmt, blocks=blocks, pages=pages)


def _isolated(lines: list[str], i: int) -> bool:
    """A page number stands alone between blank lines (or at a file edge)."""
    before = lines[i - 1].strip() if i > 0 else ""
    after = lines[i + 1].strip() if i + 1 < len(lines) else ""
    return before == "" and after == ""


LAYOUT_CELL = re.compile(r"cong hoa|doc lap|^so\s*:|noi nhan|^(?:tm|kt|tl|tuq)\.")  # on lower-cased, diacritic-free text


def square_or_flatten(block: Block) -> list[Block]:
    """Pad a data table's rows; turn a one-row or header/signature 'table' into lines."""
    rows = block.rows
    ncols = max(len(r) for r in rows)
    layout = any(LAYOUT_CELL.search(ascii_fold(c)) for r in rows for c in r)
    if len(rows) >= 2 and not layout:
        for r in rows:
            r.extend([""] * (ncols - len(r)))
        return [block]
    columns = [[r[c] for r in rows if c < len(r) and r[c]] for c in range(ncols)]
    return [Block("paragraph", text=t, page=block.page) for col in columns for t in col]
