"""PDF with a text layer to the document model: characters from PDFium, then lines and blocks,
then tables, then the document.

A PDF knows glyph positions, not paragraphs. Lines are rebuilt from word
boxes and joined into paragraphs by the cues a reader uses (a short last
line, a first-line indent, a section label, extra spacing); the two-column
header and the signature block are read column by column; ruled tables come
from pdfplumber's table finder (run on PDFium's ruling lines: `pdf_chars`) and are stitched across page breaks. Running
headers, page numbers and footers are dropped. Pages whose text layer is a
legacy font encoding are converted; pages that stay unreadable are named in
`Document.warnings` for the OCR stage and never passed on as text.
"""
from __future__ import annotations

import re
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

import pypdfium2 as pdfium

from models.document import Block, Box, Document, union
from extractors.text_utils import ascii_fold
from pipeline.loaders import continued, legacy_fonts, pdf_chars, unruled, text_quality
from pipeline.loaders.continued import repeated_rows
from pipeline.loaders.errors import CorruptFileError, EmptyDocumentError, EncryptedError
from pipeline.loaders.layout import LABEL, flatten_columns, fold, is_layout_line, is_layout_table

# pdfplumber table finder settings, in one place (see pdfplumber's TableSettings).
TABLE_SETTINGS = {
    "vertical_strategy": "lines",    # only ruled tables: plans draw every cell border
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,             # pt: borders drawn as thin rectangles snap together
    "join_tolerance": 3,             # pt: border pieces split at cell corners join up
    "edge_min_length": 3,            # pt: ignore specks
    "intersection_tolerance": 3,     # pt: a border reaching near a crossing still crosses it
}
WORD_SETTINGS = {"keep_blank_chars": False, "use_text_flow": False, "extra_attrs": ["size", "fontname"]}

RUNNING_BAND = 0.08        # share of the page height at top and bottom where running headers/footers live
COLUMN_GAP = 1.8           # a gap wider than this many font sizes splits a line into column segments
PARA_SPACING = 1.3         # a line pitch this much above the usual one starts a paragraph
BAD_GLYPHS_MAX = 0.10      # share of cid/unmappable glyphs above which a page has no usable text
MIN_SYLLABLE_VALIDITY = 0.5
NOT_VIETNAMESE = "text layer not Vietnamese"  # the warning of a page whose words are not syllables

PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*)?(?:(?:Trang|Page)\s+)?\d{1,3}(?:\s*(?:/|trên|of)\s*\d{1,3})?(?:\s*[-–—])?$", re.I)
CID = re.compile(r"\(cid:\d+\)")
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|,B$|-B$", re.I)
SYMBOL_FONT = re.compile(r"symbol|wingding|webding|dingbat", re.I)
SYMBOL_BULLETS = {"Ø": "➢", "§": "▪", "ü": "✓", "l": "●", "n": "■", "q": "❑", "v": "❖", "·": "•", "à": "→", "Ÿ": "•"}
PUA_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf02d": "-", "\uf0d8": "➢", "\uf0fc": "✓", "\uf076": "❖", "\uf0e0": "→"}
UNICODE_ONLY = re.compile("[\u1ea0-\u1ef9ơưăđƠƯĂĐ]")
TERMINAL = (".", ":", ";", "!", "?", "…")


# --- Model of a page ---------------------------------------------------------------

@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool


@dataclass
class Line:
    words: list[Word]
    page: int

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def size(self) -> float:
        return median(w.size for w in self.words)

    @property
    def bold(self) -> bool:
        total = sum(len(w.text) for w in self.words)
        return total > 0 and sum(len(w.text) for w in self.words if w.bold) >= 0.8 * total

    @property
    def text(self) -> str:
        """Words joined by a space, except pieces that touch: pdfplumber splits a word where its
        font changes ('“' + bold 'Phổ'), and those must not get a space between them."""
        out = ""
        for prev, w in zip([None, *self.words], self.words):
            touching = prev is not None and w.x0 - prev.x1 < 0.12 * w.size
            out += w.text if prev is None or touching else " " + w.text
        return fold(out)

    def segments(self) -> list["Line"]:
        """Pieces split at column gaps (header columns, tab stops).

        A gap is a column gap when it is wider than COLUMN_GAP font sizes, or
        clearly wider than this line's usual word space: a header's left and
        right columns can nearly touch ("… TRUYỀN THÔNG  CỘNG HÒA …").
        """
        gaps = [b.x0 - a.x1 for a, b in zip(self.words, self.words[1:])]
        if not gaps:
            return [self]
        usual = median(gaps)
        out = [[self.words[0]]]
        for gap, prev, word in zip(gaps, self.words, self.words[1:]):
            size = max(prev.size, word.size)
            if gap > COLUMN_GAP * size or (gap > 0.5 * size and gap > 1.9 * usual):
                out.append([])
            out[-1].append(word)
        return [Line(ws, self.page) for ws in out]


@dataclass
class TableItem:
    rows: list[list[str]]
    top: float
    bottom: float
    page: int
    edges: list[float]  # x of the column borders, for stitching across pages
    cell_boxes: list[list[Box | None]] = field(default_factory=list)  # per cell of `rows`: its words' ink


@dataclass
class Columns:
    """A flattened header/signature block: its lines, left column first."""
    lines: list[Line]
    page: int


@dataclass
class PageData:
    number: int
    width: float
    height: float
    items: list = field(default_factory=list)  # Line | TableItem | Columns, top to bottom
    left: float = 0.0
    right: float = 0.0
    pitch: float = 0.0


# --- Entry point -----------------------------------------------------------------------

def load_pdf(path: Path) -> Document:
    path = Path(path)
    if not path.exists():
        raise CorruptFileError(f"{path.name}: file not found")
    if path.stat().st_size == 0:
        raise EmptyDocumentError(f"{path.name}: the file is empty (0 bytes)")
    warnings: list[str] = []
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise _classify(path, exc) from exc
    try:
        source = [pdf_chars.read_page(pdf, i) for i in range(len(pdf))]
        raw_pages = [_raw_page(page) for page in source]
        encodings = _font_encodings(raw_pages)
        pages = [_read_page(page, raw, encodings, warnings) for page, raw in zip(source, raw_pages)]
        n_pages = len(source)
    except pdfium.PdfiumError as exc:
        raise _classify(path, exc) from exc
    except (KeyError, ValueError, TypeError, IndexError, struct.error, zlib.error, RecursionError) as exc:
        raise CorruptFileError(f"{path.name}: damaged PDF ({type(exc).__name__}: {str(exc)[:80]})") from exc
    finally:
        pdf.close()
    _legacy_warning(encodings, raw_pages, warnings)
    if not any(p.items for p in pages) and not any(
            w.startswith("page ") and ("usable" in w or NOT_VIETNAMESE in w) for w in warnings):
        warnings.insert(0, "no text layer (scanned?)")
    _strip_running_lines(pages)
    for page in pages:
        _measure(page, pages)
        page.items = _unruled_tables(page)
        page.items = _find_columns(page)
    blocks = _assemble(pages)
    return Document(source_path=str(path), source_format="pdf", blocks=blocks, pages=n_pages, warnings=warnings)


def unusable_pages(doc: Document) -> list[int]:
    """Pages the OCR stage should read: named by the loader's 'page N: no … text layer' and
    'page N: text layer not Vietnamese' warnings."""
    found = (re.match(rf"^page (\d+): (?:no (?:usable )?text layer|{NOT_VIETNAMESE})", w) for w in doc.warnings)
    return sorted({int(m.group(1)) for m in found if m})


def _classify(path: Path, exc: BaseException) -> Exception:
    if "password" in str(exc).lower():  # PDFium: "Incorrect password error", also for a missing one
        return EncryptedError(f"{path.name}: the PDF is password-protected; ask for an unprotected copy")
    detail = str(exc) or type(exc).__name__
    return CorruptFileError(f"{path.name}: damaged or not a PDF ({detail[:80]})")


# --- Words, encodings, page quality ---------------------------------------------------------

@dataclass
class _Raw:
    words: list[dict]
    has_images: bool


def _raw_page(page) -> _Raw:
    if _has_doubled_glyphs(page):
        page = page.dedupe_chars()  # "fake bold": every glyph drawn twice, a hair apart
    words = page.extract_words(**WORD_SETTINGS)
    has_images = page.has_images
    return _Raw(words, has_images)


def _has_doubled_glyphs(page) -> bool:
    """Cheap check before the costly dedupe: many glyphs repeated at (almost) the same spot."""
    spots = sorted((round(c["top"]), c["text"], c["x0"]) for c in page.chars if not c["text"].isspace())
    doubled = sum(1 for a, b in zip(spots, spots[1:]) if a[:2] == b[:2] and b[2] - a[2] < 1.5)
    return doubled > 0.05 * len(spots)


def _font_encodings(raw_pages: list[_Raw]) -> dict[str, str]:
    """Legacy encoding per font: by name (.VnTime, VNI-Times), else by what its characters look like."""
    by_font: dict[str, list[str]] = {}
    for raw in raw_pages:
        for w in raw.words:
            by_font.setdefault(w["fontname"], []).append(w["text"])
    encodings = {}
    for font, texts in by_font.items():
        text = " ".join(texts)
        if SYMBOL_FONT.search(font) or UNICODE_ONLY.search(text):
            continue  # legacy encodings never yield precomposed Vietnamese letters: this font is Unicode
        enc = legacy_fonts.font_encoding(font) or legacy_fonts.guess_encoding(text)
        if enc:
            encodings[font] = enc
    return encodings


def _legacy_warning(encodings: dict[str, str], raw_pages: list[_Raw], warnings: list[str]) -> None:
    for name in ("TCVN3", "VNI"):
        fonts = {f for f, e in encodings.items() if e.upper().startswith(name)}
        pages = [i + 1 for i, raw in enumerate(raw_pages) if any(w["fontname"] in fonts for w in raw.words)]
        if pages:
            noun = "page" if len(pages) == 1 else "pages"
            warnings.append(f"{noun} {_ranges(pages)}: text converted from the legacy {name} font encoding")


def _ranges(numbers: list[int]) -> str:
    out, start = [], numbers[0]
    for prev, cur in zip(numbers, numbers[1:] + [None]):
        if cur != prev + 1:
            out.append(str(start) if start == prev else f"{start}-{prev}")
            start = cur
    return ", ".join(out)


def _words(raw: _Raw, encodings: dict[str, str]) -> list[Word]:
    out = []
    for w in raw.words:
        text = legacy_fonts.convert(w["text"], encodings.get(w["fontname"]))
        table = SYMBOL_BULLETS if SYMBOL_FONT.search(w["fontname"]) else PUA_BULLETS
        text = "".join(table.get(ch, PUA_BULLETS.get(ch, ch)) for ch in text)
        out.append(Word(text, w["x0"], w["x1"], w["top"], w["bottom"], round(w["size"], 1),
                        bool(BOLD_FONT.search(legacy_fonts.base_font(w["fontname"])))))
    return out


def _bad_glyphs(words: list[Word]) -> tuple[int, int, str]:
    """(unreadable glyphs, all glyphs, why) for a page's words."""
    text = "".join(w.text for w in words)
    cids = len(CID.findall(text))
    rest = CID.sub("", text)
    odd = sum(1 for ch in rest if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" or (ord(ch) < 32))
    total = cids + len(rest)
    return cids + odd, max(total, 1), "cid glyphs" if cids >= odd else "unmappable characters"


def _read_page(page, raw: _Raw, encodings: dict[str, str], warnings: list[str]) -> PageData:
    """A page's lines and tables; an unreadable page comes back empty, named in `warnings`."""
    number = page.page_number
    data = PageData(number, float(page.width), float(page.height))
    words = [w for w in _words(raw, encodings) if w.text.strip()]
    if not words:
        if raw.has_images:
            warnings.append(f"page {number}: no text layer (scanned?)")
        return data
    bad, total, why = _bad_glyphs(words)
    text = " ".join(w.text for w in words)
    accented = sum(1 for t in re.findall(r"[^\W\d_]+", text) if not t.isascii())
    legacy = any(encodings.get(w["fontname"]) for w in raw.words)
    invalid = accented >= 10 and legacy_fonts.syllable_validity(text) < MIN_SYLLABLE_VALIDITY
    if bad / total > BAD_GLYPHS_MAX or (invalid and legacy):
        if bad / total <= BAD_GLYPHS_MAX:
            why = "legacy font encoding could not be mapped"
        warnings.append(f"page {number}: no usable text layer ({why})")
        return data
    score = text_quality.score_text(text)
    if score.garbled:  # glyph ids read as letters (a Ghostscript rewrite): words, not glyphs, tell
        warnings.append(f"page {number}: {NOT_VIETNAMESE}: {score.reason}")
        return data
    if invalid:
        warnings.append(f"page {number}: no usable text layer (unmappable characters)")
        return data
    if bad:
        for w in words:
            w.text = CID.sub("", "".join(ch for ch in w.text if not ("\ue000" <= ch <= "\uf8ff") and ch != "\ufffd"))
        words = [w for w in words if w.text.strip()]
        warnings.append(f"page {number}: {bad} unreadable glyph(s) dropped")
    tables = _tables(page, words) if page.has_rules else []
    flow = [w for w in words if not any(_inside(w, t) for t in tables)] if tables else words
    data.items = sorted(_lines(flow, number) + tables, key=lambda it: it.top)
    return data


# --- Tables ------------------------------------------------------------------------------

def _unruled_tables(page: PageData) -> list:
    """Runs of lines that are a table without borders become tables (see unruled)."""
    items = list(page.items)
    lines = [k for k, it in enumerate(items) if isinstance(it, Line)]
    if not lines:
        return items
    found = unruled.unruled_grids([items[k] for k in lines], page.left, page.right or page.width)
    for first, last, rows, boxes in reversed(found):
        span = [items[k] for k in lines[first:last + 1]]
        edges = sorted({round(w.x0) for l in span for w in l.words})[:1] + [round(max(l.x1 for l in span))]
        table = TableItem(rows, min(l.top for l in span), max(l.bottom for l in span), page.number, edges, boxes)
        items[lines[first]:lines[last] + 1] = [table]
    return items


def _inside(word: Word, table: TableItem) -> bool:
    cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return table.edges[0] - 1 <= cx <= table.edges[-1] + 1 and table.top - 1 <= cy <= table.bottom + 1


def _tables(page, words: list[Word]) -> list:
    """Ruled tables with cell text rebuilt from (converted) words; layout grids become Columns."""
    found = []
    for table in page.find_tables(TABLE_SETTINGS):
        grid = [row.cells for row in table.rows]
        ncols = max((len(r) for r in grid), default=0)
        if len(grid) < 2 or ncols < 2:
            continue
        x0, top, x1, bottom = table.bbox
        if not _has_inner_vertical_rules(page, table.bbox):
            continue  # horizontal rules only: its words stay in the flow, for the unruled-table reader
        cells_words: list[list[list[Word]]] = [[[] for _ in r] for r in grid]
        for w in words:
            cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
            if not (x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1):
                continue
            for r, row in enumerate(grid):
                for c, cell in enumerate(row):
                    if cell and cell[0] - 1 <= cx <= cell[2] + 1 and cell[1] - 1 <= cy <= cell[3] + 1:
                        cells_words[r][c].append(w)
                        break
                else:
                    continue
                break
        cell_lines = [[[l.text for l in _lines(ws, page.page_number)] for ws in row] for row in cells_words]
        edges = sorted({round(cell[0], 1) for row in grid for cell in row if cell} | {round(x1, 1)})
        columns = [[cell_lines[r][c] if c < len(cell_lines[r]) else [] for r in range(len(grid))] for c in range(ncols)]
        if is_layout_table(columns):
            lines = [l for ws in (cells_words[r][c] for c in range(ncols) for r in range(len(grid))
                                  if c < len(cells_words[r])) for l in _lines(ws, page.page_number)]
            found.append(_LayoutGrid([], top, bottom, page.page_number, [x0, x1], lines=lines))
            continue
        rows = [[fold(text_quality.join_wrapped(cell)) for cell in row] + [""] * (ncols - len(row)) for row in cell_lines]
        boxes = [[_ink(ws, cell) for ws, cell in zip(cells_words[r], grid[r])] + [None] * (ncols - len(grid[r]))
                 for r in range(len(grid))]
        keep = [r for r, row in enumerate(rows) if any(row)]
        found.append(TableItem([rows[r] for r in keep], top, bottom, page.page_number, edges, [boxes[r] for r in keep]))
    return found


def _ink(words: list[Word], cell) -> Box | None:
    """A cell's box: the ink of its words (what a crop should show), else its ruled rectangle."""
    if words:
        return (min(w.x0 for w in words), min(w.top for w in words), max(w.x1 for w in words), max(w.bottom for w in words))
    return (cell[0], cell[1], cell[2], cell[3]) if cell else None


def _has_inner_vertical_rules(page, bbox) -> bool:
    """Does a vertical rule run between the table's columns? A table drawn with horizontal rules only
    gives pdfplumber columns from where its rule segments end, which are not the columns."""
    x0, top, x1, bottom = bbox
    height = bottom - top
    inner = [e for e in page.edges if e["orientation"] == "v" and x0 + 2 < e["x0"] < x1 - 2
             and e["top"] < bottom and e["bottom"] > top and e["bottom"] - e["top"] > 0.3 * min(height, 40)]
    return bool(inner)


@dataclass
class _LayoutGrid(TableItem):
    """A ruled header/signature grid: words excluded from the flow like a table, output as lines."""
    lines: list[Line] = field(default_factory=list)


# --- Lines ------------------------------------------------------------------------------

def _lines(words: list[Word], page: int) -> list[Line]:
    """Group words into visual lines (vertical overlap), drop superscript note marks."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        for line in reversed(lines[-3:]):
            top, bottom = min(x.top for x in line), max(x.bottom for x in line)
            overlap = min(bottom, w.bottom) - max(top, w.top)
            if overlap >= 0.5 * min(bottom - top, w.bottom - w.top):
                line.append(w)
                break
        else:
            lines.append([w])
    out = []
    for ws in lines:
        ws.sort(key=lambda w: w.x0)
        body = max(w.size for w in ws)
        kept = [w for w in ws if not (w.size < 0.75 * body and re.fullmatch(r"[\d*,)(]+", w.text))]
        if kept:
            out.append(Line(kept, page))
    merged = _merge_superscript_lines(out)
    return sorted(merged, key=lambda l: (l.top, l.x0))


def _merge_superscript_lines(lines: list[Line]) -> list[Line]:
    """A footnote mark set above the line forms a 'line' of its own: drop it."""
    if len(lines) < 2:
        return lines
    body = median(l.size for l in lines)
    out = []
    for line in lines:
        small = line.size < 0.75 * body and re.fullmatch(r"[\d*,() ]+", line.text or "x")
        if not (small and any(o is not line and o.top < line.bottom and line.top < o.bottom for o in lines)):
            out.append(line)
    return out


def _strip_running_lines(pages: list[PageData]) -> None:
    """Drop page numbers and text repeated at the same place on most pages, in the top/bottom bands."""
    def band(page: PageData, line: Line) -> str | None:
        if line.bottom < page.height * RUNNING_BAND + 20:
            return "top"
        if line.top > page.height * (1 - RUNNING_BAND):
            return "bottom"
        return None

    def key(page: PageData, line: Line) -> tuple:
        # Page numbers vary, so digits are masked; a heading such as "Phụ lục 1" keeps its digits.
        text = line.text.lower() if LABEL.match(line.text + " ") else re.sub(r"\d+", "#", line.text.lower())
        return band(page, line), text, round(line.x0 / 20)

    counts = Counter()
    for page in pages:
        counts.update({key(page, l) for l in page.items if isinstance(l, Line) and band(page, l)})
    repeated = {k for k, n in counts.items() if n >= 2 and n >= 0.5 * len(pages)
                and not unruled.HEADER_WORDS.search(ascii_fold(k[1]))}  # a table's header repeated on each page
    def touches(line: Line, lines: list[Line]) -> bool:
        """A piece of a wrapped header cell ("Số" over "lượng") touches the header line beside it;
        a running head or a page number stands apart."""
        return any(o is not line and o.top - line.bottom < 0.3 * line.size and line.top - o.bottom < 0.3 * line.size
                   for o in lines)

    for page in pages:
        lines = [it for it in page.items if isinstance(it, Line)]
        edge = set(map(id, lines[:2] + lines[-2:]))
        page.items = [it for it in page.items if not (
            isinstance(it, Line) and band(page, it) and (
                (key(page, it) in repeated and not touches(it, lines))
                or (id(it) in edge and PAGE_NUMBER.match(it.text))))]


def _measure(page: PageData, pages: list[PageData]) -> None:
    """Text margins and usual line pitch, from this page or (if it has little text) the whole document."""
    own = [it for it in page.items if isinstance(it, Line)]
    lines = own if len(own) >= 6 else [it for p in pages if p.width == page.width for it in p.items
                                       if isinstance(it, Line)] or own
    if not lines:
        return
    starts = Counter(round(l.x0) for l in lines)
    page.left = min(x for x, n in starts.items() if n >= max(starts.values()) * 0.5)
    # Lines followed by a lower-case continuation surely wrapped: they end at the margin.
    wrapped = sorted(a.x1 for a, b in zip(lines, lines[1:])
                     if a.page == b.page and b.text[:1].islower() and not LABEL.match(b.text + " "))
    ends = sorted(l.x1 for l in lines)
    if len(wrapped) >= 3:
        page.right = wrapped[len(wrapped) // 2]
    else:  # too little text to tell: no plan has a right margin over ~25 mm
        page.right = max(ends[int(0.9 * (len(ends) - 1))], page.width * 0.88)
    pitches = [b.top - a.top for a, b in zip(lines, lines[1:]) if 0 < b.top - a.top < 2.5 * a.size and a.page == b.page]
    page.pitch = median(pitches) if pitches else 1.2 * median(l.size for l in lines)


# --- Header and signature columns --------------------------------------------------------------

def _find_columns(page: PageData) -> list:
    """Replace each run of two-column lines anchored on a header/signature mark by a Columns item."""
    items = page.items
    out: list = []
    i = 0
    mid = (page.left + page.right) / 2 if page.right else page.width / 2
    half = (page.right - page.left) / 2 if page.right else page.width / 2
    while i < len(items):
        item = items[i]
        if isinstance(item, _LayoutGrid):
            out.append(Columns(item.lines, item.page))
            i += 1
            continue
        sides = _sides(item, mid, half, None) if isinstance(item, Line) else None
        if not sides or not any(is_layout_line(s.text) for s in sides.values()):
            out.append(item)
            i += 1
            continue
        zone = _Zone(mid, half, sides)
        j = i + 1
        while j < len(items) and isinstance(items[j], Line) and zone.take(items[j]):
            j += 1
        # On page 1 the header may start with left-only lines above the anchor (a parent agency).
        while out and isinstance(out[-1], Line) and page.number == 1 and out[-1].top < page.height * 0.3 \
                and zone.take(out[-1], front=True):
            out.pop()
        out.append(Columns(zone.left + zone.right, page.number))
        i = j
    return out


def _sides(line: Line, mid: float, half: float, zone: "_Zone | None") -> dict[str, Line] | None:
    """{'left': …, 'right': …} parts of an off-centre or two-column line; None for a body line.

    `mid` is the centre of the text area, `half` half its width. Without a zone
    (looking for an anchor) a line must sit clearly to one side or have two
    parts either side of the middle; inside a zone it must match the zone's
    columns and not cross the gap between them.
    """
    segs = line.segments()
    if len(segs) >= 2:
        boundary = zone.boundary if zone else mid
        k = min(range(len(segs) - 1), key=lambda k: abs((segs[k].x1 + segs[k + 1].x0) / 2 - boundary))
        left = Line([w for s in segs[:k + 1] for w in s.words], line.page)
        right = Line([w for s in segs[k + 1:] for w in s.words], line.page)
        if zone is None:
            ok = left.center < mid < right.center
        else:
            ok = left.x1 < zone.right_x0 + 2 and right.x0 > zone.left_x1 - 2
        return {"left": left, "right": right} if ok else None
    off = abs(line.center - mid)
    if zone is None:
        if off < 0.25 * half:
            return None
        if line.center < mid:
            return {"left": line} if line.x1 < mid + 0.2 * half else None
        return {"right": line} if line.x0 > mid - 0.2 * half else None
    d_left, d_right = abs(line.center - zone.c_left), abs(line.center - zone.c_right)
    if min(d_left, d_right) >= off:
        return None
    if d_left < d_right:
        return {"left": line} if line.x1 <= zone.right_x0 + 2 else None
    return {"right": line} if line.x0 >= zone.left_x1 - 2 else None


class _Zone:
    """The columns of a header/signature block as they grow line by line."""

    def __init__(self, mid: float, half: float, sides: dict[str, Line]) -> None:
        self.mid, self.half = mid, half
        self.left: list[Line] = []
        self.right: list[Line] = []
        left, right = sides.get("left"), sides.get("right")
        self.c_left = left.center if left else mid - (right.center - mid)
        self.c_right = right.center if right else mid + (mid - left.center)
        self.left_x1 = left.x1 if left else mid - 10
        self.right_x0 = right.x0 if right else mid + 10
        self._add(sides)

    @property
    def boundary(self) -> float:
        return (self.left_x1 + self.right_x0) / 2

    def _add(self, sides: dict[str, Line], front: bool = False) -> None:
        for name, part in sides.items():
            column = self.left if name == "left" else self.right
            if front:
                column.insert(0, part)
            elif column and part.text[:1].islower() and part.top - column[-1].bottom < part.size:
                column[-1] = Line(column[-1].words + part.words, part.page)  # a wrapped column line
            else:
                column.append(part)
            if name == "left":
                self.left_x1 = max(self.left_x1, part.x1)
            else:
                self.right_x0 = min(self.right_x0, part.x0)

    def take(self, line: Line, front: bool = False) -> bool:
        sides = _sides(line, self.mid, self.half, self)
        if not sides:
            return False
        self._add(sides, front)
        return True


# --- Paragraphs ---------------------------------------------------------------------------

def _assemble(pages: list[PageData]) -> list[Block]:
    blocks: list[Block] = []
    open_para: list[Line] = []   # lines of the paragraph being built
    open_page: PageData | None = None
    last_table: TableItem | None = None  # a table still open for a continuation on the next page

    def close() -> None:
        nonlocal open_para
        if open_para:
            blocks.append(_paragraph(open_para))
            open_para = []

    for page in pages:
        if not page.items:  # an unreadable or blank page breaks any continuation
            last_table = None
            close()
        for n, item in enumerate(page.items):
            if isinstance(item, TableItem):
                close()
                if n == 0 and last_table is not None and _continues(last_table, item, blocks):
                    _extend(blocks[-1], item)
                else:
                    blocks.append(_table_block(item))
                last_table = item if n == len(page.items) - 1 else None
                continue
            last_table = None
            if isinstance(item, Columns):
                close()
                blocks.extend(flatten_columns([[[l.text] for l in item.lines]], item.page,
                                              lambda c, r, i: item.lines[r].bold))
                continue
            if open_para and open_page and not _new_paragraph(open_para[-1], item, open_page, page):
                open_para.append(item)
            else:
                close()
                open_para = [item]
            open_page = page
    close()
    return blocks


def _table_block(item: TableItem) -> Block:
    cells = [list(r) for r in item.cell_boxes] if len(item.cell_boxes) == len(item.rows) else []
    row_boxes = [union(r) for r in cells]
    return Block("table", rows=[list(r) for r in item.rows], page=item.page, bbox=union(row_boxes),
                 row_pages=[item.page] * len(item.rows), row_boxes=row_boxes, cell_boxes=cells)


def _paragraph(lines: list[Line]) -> Block:
    text = lines[0].text
    for line in lines[1:]:
        nxt = line.text
        if re.search(r"\w-$", text) and nxt[:1].isalnum():
            text += nxt  # a compound split at its hyphen: "HĐND-" + "UBND"
        else:
            text += " " + nxt
    bold = all(l.bold for l in lines)
    first = [l for l in lines if l.page == lines[0].page]
    box = (min(l.x0 for l in first), min(l.top for l in first), max(l.x1 for l in first), max(l.bottom for l in first))
    return Block("paragraph", text=fold(text), page=lines[0].page, bold=bold, bbox=box)


def _new_paragraph(prev: Line, cur: Line, prev_page: PageData, page: PageData) -> bool:
    """Does `cur` start a paragraph rather than continue the one `prev` ends?"""
    size = max(prev.size, cur.size)
    if abs(prev.size - cur.size) > 0.15 * size:
        return True
    same_page = prev.page == cur.page
    if same_page and page.pitch and cur.top - prev.top > PARA_SPACING * page.pitch + 0.5:
        return True
    text, prev_text = cur.text, prev.text
    ends_terminal = prev_text.rstrip("\"”’)»").endswith(TERMINAL)
    is_label = bool(LABEL.match(text + " "))
    starts_lower = text[:1].islower() and not is_label
    if prev.bold != cur.bold and not (starts_lower and not ends_terminal):
        return True
    right = prev_page.right or prev.x1
    width = max(right - prev_page.left, 1)
    flush = prev.x1 >= right - 1.5 * prev.size
    short = prev.x1 < right - 0.2 * width
    if is_label:
        # A label starts a paragraph; only a dash after a full line may be a wrapped "A - B".
        return not (text[:1] in "-–—" and flush and not ends_terminal)
    if starts_lower and not ends_terminal:
        return False
    if not flush and (ends_terminal or short):
        return True
    indented = cur.x0 > page.left + 0.8 * cur.size and cur.x0 > prev.x0 + 0.8 * cur.size
    if indented and (ends_terminal or not flush):
        return True
    if _centered(prev, prev_page) and _centered(cur, page):
        return True
    return False


def _centered(line: Line, page: PageData) -> bool:
    mid = (page.left + page.right) / 2
    return line.x0 > page.left + 2 * line.size and abs(line.center - mid) < 0.05 * (page.right - page.left)


# --- Tables across pages --------------------------------------------------------------------

def _continues(prev: TableItem, cur: TableItem, blocks: list[Block]) -> bool:
    """Same columns at the same x positions, the previous block is that table, and it has not been
    closed by its total row (a table without rules has only its outer edges: a new table that
    starts the next page shares them)."""
    if not blocks or not blocks[-1].is_table or len(prev.edges) != len(cur.edges):
        return False
    if continued.has_total(blocks[-1].rows) or (cur.rows and len(cur.rows[0]) != len(blocks[-1].rows[0])):
        return False
    return all(abs(a - b) <= 3 for a, b in zip(prev.edges, cur.edges))


def _extend(block: Block, cont: TableItem) -> None:
    """Append a continuation, minus the header rows the page break repeated."""
    more = _table_block(cont)
    block.append_rows(more, repeated_rows(block.rows, more.rows))
