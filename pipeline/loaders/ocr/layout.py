"""OCR words back into the blocks the text loader gives: one per real paragraph.

Tesseract reports words and lines; a reader sees paragraphs. Lines are joined
when they wrap (lower-case start, a full previous line) and split at the cues
a typist leaves (a label such as "1." or "a)", a short last line, a first-line
indent, extra spacing, centred title lines). The two-column header and the
signature are flattened left column first, one paragraph per line, as the
other loaders do. Tesseract reads such a pair of columns as one line, so lines
are cut at wide gaps first. Anchors are matched without diacritics, since OCR
drops some ("CONG HOA", "So:").
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from statistics import median

import cv2
import numpy as np

from models.document import Block
from pipeline.loaders.layout import LABEL, fold, is_layout_line
from pipeline.loaders.ocr.engine import Word

EM_PER_INK = 1.35       # type size over the median height of a line's words (ink boxes)
COLUMN_GAP = 2.5       # a gap wider than this many line heights splits a line into column segments
PARA_SPACING = 1.25    # a baseline pitch this much above the usual one starts a paragraph
RUN_ON_SPACING = 1.8   # … unless the line before runs on into this one (full, no full stop, lower-case next)
RUNNING_BAND = 0.08    # share of the page height at top and bottom where page numbers live
TERMINAL = (".", ":", ";", "!", "?", "…")
PAGE_NUMBER = re.compile(r"^[-–—]?\s*(?:Trang\s+)?\d{1,3}\s*[-–—]?$", re.I)
# Header/signature anchors without diacritics (OCR loses some of them).
ASCII_ANCHOR = re.compile(
    r"CONG\s*HOA\s*XA\s*HOI|DOC\s*LAP\s*[-–—]|^SO\s*[:;.]|NOI\s*NHAN|^(?:TM|KT|TL|TUQ)\s*[.,]\s*\S|"
    r"^[^\d,]{2,40},\s*NGAY\b.*\bTHANG\b", re.I)


@dataclass
class Line:
    words: list[Word]

    @property
    def x0(self) -> int:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> int:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.bottom for w in self.words)

    @property
    def base(self) -> float:
        """Baseline, near enough: the bottom of the words that have no descender ("g", "(", a dot below);
        in a line with none ("triệu đồng)."), the highest bottom less a descender's usual depth."""
        plain = [w.bottom for w in self.words if not descends(w.text)]
        return median(plain) if plain else min(w.bottom for w in self.words) - DESCENT * self.height

    @property
    def height(self) -> float:
        return median(w.height for w in self.words)

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def text(self) -> str:
        return fold(" ".join(w.text for w in self.words))

    @property
    def size(self) -> float:
        """The font size in pixels, as the unruled-table reader measures gaps: a word's ink is about
        three quarters of the type's height (the em)."""
        return EM_PER_INK * self.height

    bold = False  # OCR does not tell; every line alike
    # A word space between OCR word boxes measures 0.3-0.5 of the size (the text layer's: ~0.3), a gap
    # between table cells 0.85 and more: cells are cut at gaps wider than this (`unruled.cells_of`).
    cell_gap = 0.65

    def segments(self) -> list["Line"]:
        out = [[self.words[0]]]
        gap = COLUMN_GAP * self.height
        for prev, word in zip(self.words, self.words[1:]):
            if word.x0 - prev.x1 > gap:
                out.append([])
            out[-1].append(word)
        return [Line(ws) for ws in out]


@dataclass
class Geometry:
    width: int
    height: int
    left: float = 0.0
    right: float = 0.0
    pitch: float = 0.0

    @property
    def mid(self) -> float:
        return (self.left + self.right) / 2

    @property
    def half(self) -> float:
        return max((self.right - self.left) / 2, 1.0)


DESCENT = 0.2          # of a word's height (ascender to descender) that a descender takes below the baseline
DESCENDERS = set("gjpqyQ()[]{}|,;ạặậẹệịọộợụựỵẠẶẬẸỆỊỌỘỢỤỰỴ")


def descends(text: str) -> bool:
    """Does the word reach below the baseline (a descender, a bracket, a comma, a dot below)?"""
    return any(ch in DESCENDERS for ch in unicodedata.normalize("NFC", text))


def ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def is_anchor(text: str) -> bool:
    return is_layout_line(text) or bool(ASCII_ANCHOR.search(ascii_fold(fold(text))))


# --- Two-column zones -------------------------------------------------------------------------

COLUMN_SPLIT = 0.28    # inch of paper, top to bottom of a zone, that parts its two columns
WORD_JOIN = 0.085      # inch: ink closer than this is one segment of a line


@dataclass
class Moved:
    """A right-column rectangle of the page (x0, y0, x1, y1) and where its copy sits on the canvas."""
    box: tuple[int, int, int, int]
    top: int


def column_zones(ink: np.ndarray, exclude: list[tuple[int, int, int, int]], scale: float = 1.0
                 ) -> list[tuple[int, int, int, int]]:
    """The right column of each two-column zone of the page (header, recipients beside the signature).

    A zone is a run of rows whose ink leaves, all the way down, a strip of paper
    at least COLUMN_SPLIT wide in the middle of the page, with ink on both
    sides; a body line or a centred title crosses the strip and ends the zone.
    Tables (`exclude`) end a zone too. Ink is joined into line segments first
    (solid boxes, accents joined to their letters), so that word spaces and the
    rows of accents alone do not count as strips. Worked out at half size.
    """
    small = cv2.resize(ink, (ink.shape[1] // 2, ink.shape[0] // 2), interpolation=cv2.INTER_AREA)
    zones = _zones(small, [tuple(v // 2 for v in box) for box in exclude], 100 * scale)
    h, w = ink.shape
    return [(2 * x0, 2 * y0, min(2 * x1, w), min(2 * y1, h)) for x0, y0, x1, y1 in zones]


def _zones(ink: np.ndarray, exclude: list[tuple[int, ...]], dpi: float) -> list[tuple[int, int, int, int]]:
    h, w = ink.shape
    joined = cv2.dilate(ink, np.ones((max(3, round(0.025 * dpi)), max(3, round(WORD_JOIN * dpi))), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes = sorted((x, y, x + bw, y + bh) for x, y, bw, bh, _ in stats[1:n].tolist()
                   if (bh >= 0.07 * dpi or bw >= 0.15 * dpi)  # not a speck or a lone dot
                   and not any(ex[0] <= x + bw / 2 < ex[2] and ex[1] <= y + bh / 2 < ex[3] for ex in exclude))
    boxes.sort(key=lambda b: b[1])
    # visual rows: segments whose heights overlap, chained (a signature beside recipients at another pitch
    # makes one tall row of both columns)
    rows: list[list[tuple[int, int, int, int]]] = []
    for b in boxes:
        if rows and b[1] < max(r[3] for r in rows[-1]):
            rows[-1].append(b)
        else:
            rows.append([b])
    step = 2
    lo, hi = int(0.2 * w) // step, int(0.8 * w) // step
    need = COLUMN_SPLIT * dpi / step

    def free_of(row) -> np.ndarray:
        free = np.ones(hi - lo, bool)
        for x0, _, x1, _ in row:
            free[max(x0 // step - lo, 0):max((x1 - 1) // step + 1 - lo, 0)] = False
        return free

    def split(row, free) -> tuple[int, int] | None:
        """The strip's edges (px) when the row has segments wholly on both sides of it."""
        a, b = _widest(free)
        if b - a < need:
            return None
        left, right = (lo + a) * step, (lo + b) * step
        if any(r[2] <= left for r in row) and any(r[0] >= right for r in row):
            return left, right
        return None

    zones: list[tuple[int, int, int, int]] = []
    run: list = []
    free = None

    def close() -> None:
        if run:
            cut = split([b for r in run for b in r], free)
            right = [b for r in run for b in r if cut and b[0] >= cut[1]]
            if right:
                pad = max(1, round(0.01 * dpi))
                zones.append((max(min(b[0] for b in right) - pad, cut[1]), max(min(b[1] for b in right) - pad, 0),
                              min(max(b[2] for b in right) + pad, w), min(max(b[3] for b in right) + pad, h)))

    for row in rows:
        own = free_of(row)
        if split(row, own) is None:  # a body line, a title, a lone column line: no zone here
            close()
            run, free = [], None
            continue
        between = run and any(ex[1] < row[0][1] and ex[3] > max(b[3] for b in run[-1]) for ex in exclude)
        if run and not between and split([b for r in run for b in r] + row, free & own) is not None:
            run.append(row)
            free = free & own
            continue
        close()
        run, free = [row], own
    close()
    return zones


def _widest(free: np.ndarray) -> tuple[int, int]:
    """Start and end of the longest run of True."""
    if not free.any():
        return 0, 0
    edges = np.diff(np.concatenate([[0], free.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    k = int(np.argmax(ends - starts))
    return int(starts[k]), int(ends[k])


def unfold_columns(gray: np.ndarray, ink: np.ndarray, exclude: list[tuple[int, int, int, int]], scale: float = 1.0
                   ) -> tuple[np.ndarray, list[Moved]]:
    """The page with the right column of each two-column zone moved below it, and what was moved.

    Tesseract finds lines across the whole width: where the two columns'
    lines are not level (a signature block beside a list of recipients) it
    runs a line of one into a line of the other, and drops or garbles words
    ("PHO CHỦ TỊCH", a recipient lost). Read apart, each column's lines are
    whole; `put_back` returns the words to their place.
    """
    zones = column_zones(ink, exclude, scale)
    if not zones:
        return gray, []
    h, w = gray.shape
    gap = round(60 * scale)
    paper = int(np.median(gray[::16, ::16]))
    canvas = np.full((h + sum(y1 - y0 + gap for _, y0, _, y1 in zones) + gap, w), paper, np.uint8)
    canvas[:h] = gray
    moved, top = [], h + gap
    for x0, y0, x1, y1 in zones:
        canvas[top:top + y1 - y0, x0:x1] = gray[y0:y1, x0:x1]
        canvas[y0:y1, x0:x1] = paper
        moved.append(Moved((x0, y0, x1, y1), top))
        top += y1 - y0 + gap
    return canvas, moved


def put_back(words: list[Word], moved: list[Moved], height: int) -> list[Word]:
    """Words read on an unfolded canvas, in page coordinates."""
    for wd in words:
        cy = (wd.top + wd.bottom) / 2
        if cy < height:
            continue
        for m in moved:
            if m.top - 5 <= cy < m.top + m.box[3] - m.box[1] + 5:
                shift = m.top - m.box[1]
                wd.top, wd.bottom = wd.top - shift, wd.bottom - shift
                break
    return words


# --- Roman numerals ---------------------------------------------------------------------------

# What Tesseract makes of a bold "I.", "II.", "III." label: "l.", "H.", "II." (for III), "Il.".
ROMANISH = re.compile(r"([IlH|]{1,4})([.):]?)")


def roman_from_stems(crop: np.ndarray, text: str) -> str:
    """Read an all-"I" numeral by counting its stems across the middle of the glyphs, where serifs
    do not join them; `text` is kept when it is not such a numeral or the count is implausible."""
    m = ROMANISH.fullmatch(text)
    if not m or crop.size == 0:
        return text
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    h = ink.shape[0]
    band = ink[int(0.3 * h):max(int(0.6 * h), int(0.3 * h) + 1)]
    cols = (band.mean(axis=0) >= 0.6).astype(np.int8)  # a stem crosses the whole band; a speck does not
    stems = int(np.count_nonzero(np.diff(np.concatenate([[0], cols, [0]])) == 1))
    return "I" * stems + m.group(2) if 1 <= stems <= 4 else text


def fix_roman_labels(words: list[Word], gray: np.ndarray) -> None:
    """Re-read the first word of each line when it looks like a mangled Roman label ("H.", "Il.")."""
    first: dict[tuple, Word] = {}
    for w in words:
        if w.line not in first or w.x0 < first[w.line].x0:
            first[w.line] = w
    for w in first.values():
        if MIXED_ROMAN.fullmatch(w.text):  # "I1." for a bold "II.": a stroke read as a one; its box may leave
            left = max(w.x0 - (w.bottom - w.top) // 2, 0)  # the first stroke out, and the margin is paper
            w.text = roman_from_stems(gray[w.top:w.bottom, left:w.x1], w.text.replace("1", "I"))
        elif ROMANISH.fullmatch(w.text) and w.text[-1:] in ".):" and not (w.conf >= 90 and set(w.text[:-1]) == {"I"}):
            w.text = roman_from_stems(gray[w.top:w.bottom, w.x0:w.x1], w.text)
        elif GLUED_DASH.fullmatch(w.text) and _spaced_dash(gray[w.top:w.bottom, w.x0:w.x1]):
            w.text = w.text[:-1] + " " + w.text[-1]  # "I - MỤC ĐÍCH" read as "I- MỤC ĐÍCH"


MIXED_ROMAN = re.compile(r"(?=[^.):]*[IlH|])(?=[^.):]*1)[IlH|1]{2,4}[.):]")  # strokes and ones mixed: no count
GLUED_DASH = re.compile(r"[IVXLC]{1,6}[-–]")


def _spaced_dash(crop: np.ndarray) -> bool:
    """Is there a word space (a quarter of the height) of paper before the final dash of the crop?"""
    if crop.size == 0:
        return False
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    cols = ink.any(axis=0).astype(np.int8)
    edges = np.diff(np.concatenate([[0], cols, [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return len(starts) >= 2 and starts[-1] - ends[-2] >= 0.25 * crop.shape[0]


# --- Words to lines ---------------------------------------------------------------------------

def lines_of(words: list[Word]) -> list[Line]:
    """Tesseract's lines, specks dropped, side-by-side pieces of one visual line merged, top to bottom."""
    by_key: dict[tuple, list[Word]] = {}
    for w in words:
        if w.conf < 50 and not any(ch.isalnum() for ch in w.text):
            continue  # dust and border fragments read as punctuation
        by_key.setdefault(w.line, []).append(w)
    lines = sorted((Line(sorted(ws, key=lambda w: w.x0)) for ws in by_key.values()), key=lambda l: l.top)
    merged: list[Line] = []
    for line in lines:
        for other in reversed(merged[-3:]):
            overlap = min(other.bottom, line.bottom) - max(other.top, line.top)
            # apart: no word of one over a word of the other (a table row's cells may come as two lines
            # that interleave: "1 … Cờ Tổ quốc … 1" and "Lá … 130 … 130")
            apart = not any(min(a.x1, b.x1) > max(a.x0, b.x0) for a in line.words for b in other.words)
            if apart and overlap >= 0.5 * min(other.bottom - other.top, line.bottom - line.top):
                other.words = sorted(other.words + line.words, key=lambda w: w.x0)
                break
        else:
            merged.append(line)
    return sorted(merged, key=lambda l: l.top)


def measure(lines: list[Line], width: int, height: int) -> Geometry:
    """Text margins and the usual baseline pitch of the page."""
    geo = Geometry(width, height)
    if not lines:
        geo.left, geo.right = 0.0, float(width)
        return geo
    text_width = max(l.x1 for l in lines) - min(l.x0 for l in lines)
    body = [l for l in lines if l.x1 - l.x0 > 0.6 * text_width and len(l.segments()) == 1] or lines
    geo.left = min(l.x0 for l in body)  # wrapped lines start at the margin, first lines may be indented
    ends = sorted(l.x1 for l in lines)
    geo.right = ends[int(0.9 * (len(ends) - 1))]
    # the body's pitch: a header or signature line (two columns) has its own, often larger
    single = [len(l.segments()) == 1 for l in lines]
    pitches = sorted(b.base - a.base for (a, b), s in zip(zip(lines, lines[1:]), zip(single, single[1:]))
                     if all(s) and 0 < b.base - a.base < 2.2 * a.height)
    # the lower quartile: on a page of short paragraphs most pitches span a paragraph break
    geo.pitch = pitches[len(pitches) // 4] if pitches else 1.4 * median(l.height for l in lines)
    return geo


# --- Header and signature columns ----------------------------------------------------------------

def sides(line: Line, geo: Geometry) -> dict[str, Line] | None:
    """{'left': …, 'right': …} parts of a two-column or off-centre line; None for a body line."""
    segs = line.segments()
    mid, half = geo.mid, geo.half
    if len(segs) >= 2:
        k = min(range(len(segs) - 1), key=lambda k: abs((segs[k].x1 + segs[k + 1].x0) / 2 - mid))
        left = Line([w for s in segs[:k + 1] for w in s.words])
        right = Line([w for s in segs[k + 1:] for w in s.words])
        return {"left": left, "right": right} if left.center < mid < right.center else None
    off = abs(line.center - mid)
    if off < 0.25 * half:
        return None
    if line.center < mid:
        return {"left": line} if line.x1 < mid + 0.2 * half else None
    return {"right": line} if line.x0 > mid - 0.2 * half else None


def column_blocks(zone: list[dict[str, Line]], page: int) -> list[Block]:
    """One paragraph per column line, left column first; a wrapped column line (lower-case start) joined."""
    blocks = []
    for side in ("left", "right"):
        parts = [z[side] for z in zone if side in z]
        joined: list[list[Line]] = []
        for part in parts:
            if joined and part.text[:1].islower() and part.top - joined[-1][-1].bottom < part.height:
                joined[-1].append(part)
            else:
                joined.append([part])
        blocks += [paragraph(group, page) for group in joined]
    return blocks


# --- Paragraphs -------------------------------------------------------------------------------------

def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


# Words that always open a paragraph of a plan (a legal basis, the closing, the recipients).
OPENER = re.compile(r"(?:Can cu|Thuc hien|Theo de nghi|Xet de nghi|Tren day|Noi nhan)\b")


def centred(line: Line, geo: Geometry) -> bool:
    """Set in the middle with a margin on both sides (titles), unlike a justified or a last line."""
    h = line.height
    return (line.x0 > geo.left + 2 * h and line.x1 < geo.right - 2 * h
            and abs(line.center - geo.mid) < 0.05 * (geo.right - geo.left))


def new_paragraph(prev: Line, cur: Line, geo: Geometry) -> bool:
    """Does `cur` start a paragraph rather than continue the one `prev` ends?"""
    h = max(prev.height, cur.height)
    text, prev_text = cur.text, prev.text
    ends_terminal = prev_text.rstrip("\"”’)»").endswith(TERMINAL)
    flush = prev.x1 >= geo.right - 1.5 * h
    # a full line running on into a lower-case word is one sentence: only a wide gap parts them
    runs_on = flush and not ends_terminal and text[:1].islower() and not LABEL.match(text + " ")
    if geo.pitch and cur.base - prev.base > (RUN_ON_SPACING if runs_on else PARA_SPACING) * geo.pitch + 2:
        return True
    if LABEL.match(text + " "):  # "1.", "a)", "-": a new item unless the line before runs on to the margin
        return not flush or ends_terminal or prev.x0 > cur.x0 + 2 * h
    if OPENER.match(ascii_fold(text)):  # OCR may lose the ";" that ended the legal basis before
        return True
    if centred(prev, geo) != centred(cur, geo):  # a title line, then the body
        return True
    if text[:1].islower() and not ends_terminal:
        return False
    if is_caps(prev_text) != is_caps(text):
        return True
    short = prev.x1 < geo.right - 0.2 * (geo.right - geo.left)
    if not flush and (ends_terminal or short):
        return True
    indented = cur.x0 > geo.left + 0.8 * h and cur.x0 > prev.x0 + 0.8 * h
    if indented and (ends_terminal or not flush):
        return True
    return centred(prev, geo) and centred(cur, geo)


# Confusions of the Vietnamese model that are never right: the Icelandic eth for đ/Đ, and the capital C
# that the recipients' "(b/c)" (báo cáo) comes out with.
# Nor is "chỉ" where the model reads the plain "chi" (spend) beside "tiết" or "phí", or closing a column head
# ("Mức chi", "Nội dung chi").
# The model also doubles a capital Đ inside an abbreviation ("QĐĐ-BYT", "TĐĐKT") and reads the "c" of
# "(b/c)" as a euro sign.
OCR_FIXES = [(re.compile("Ð"), "Đ"), (re.compile("ð"), "đ"), (re.compile(r"(?<=\bb/)[C€](?=\))"), "c"),
             (re.compile(r"(?<=[A-Z])ĐĐ|ĐĐ(?=[A-Z-])"), "Đ"),
             (re.compile(r"\b([Cc])hỉ(?= (?:tiết(?! kiệm)|phí)\b)"), r"\1hi"),
             (re.compile(r"(?i)^((?:nội dung|mức|định mức|khoản) )chỉ$"), r"\1chi"),
             (re.compile(r"(?<=\w )Chỉ(?= (?:đoàn|hội|bộ|cục|nhánh)\b)"), "Chi")]  # "Bí thư Chi đoàn"


def fix_text(text: str) -> str:
    for pattern, repl in OCR_FIXES:
        text = pattern.sub(repl, text)
    return text


JUNK_LEAD = re.compile(r"^[_`´ˆ¬~^'\"“”‘’|.,:;]+\s+(?=\w)")
JUNK_TAIL = re.compile(r"(?<=\S)\s+[_`´ˆ¬~^|]+$")  # a mark or speck read as its own "word" at a line's end


DASH_LOOKALIKES = {"~", "—", "–", "¬", "_", "="}


def _leading_dash(line: Line) -> str:
    """A list line's dash read as "~" or "—": a flat mark before the first word, at least twice as wide as
    it is tall and lower than the line's letters are tall (the "- Lưu: VT" of a recipients list)."""
    first = line.words[0]
    if len(line.words) > 1 and first.text in DASH_LOOKALIKES and first.x1 - first.x0 >= 2 * first.height \
            and first.height < 0.5 * line.height:
        return "- " + " ".join(w.text for w in line.words[1:])
    return line.text


def paragraph(lines: list[Line], page: int) -> Block:
    text = JUNK_TAIL.sub("", JUNK_LEAD.sub("", fold(_leading_dash(lines[0]))))
    for line in lines[1:]:
        nxt = JUNK_TAIL.sub("", line.text)
        text = text + nxt if re.search(r"\w-$", text) and nxt[:1].isalnum() else f"{text} {nxt}"
    words = [w for l in lines for w in l.words]
    conf = round(sum(w.conf for w in words) / len(words), 1)
    box = (min(w.x0 for w in words), min(w.top for w in words), max(w.x1 for w in words), max(w.bottom for w in words))
    return Block("paragraph", text=fix_text(fold(text)), page=page, confidence=conf, bbox=box)


def page_blocks(words: list[Word], tables: list[tuple[int, Block]], page: int, width: int, height: int) -> list[Block]:
    """Paragraphs, flattened header/signature columns and tables of one page, in reading order."""
    lines = [l for l in lines_of(words) if not _page_number(l, height)]
    geo = measure(lines, width, height)
    items: list = sorted([(l.top, 1, l) for l in lines] + [(top, 0, b) for top, b in tables], key=lambda t: (t[0], t[1]))
    items = [it for _, _, it in items]
    blocks: list[Block] = []
    open_para: list[Line] = []

    def close() -> None:
        if open_para:
            blocks.append(paragraph(open_para, page))
            open_para.clear()

    lead = _header_lead(items, geo) if page == 1 else 0
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, Block):
            close()
            blocks.append(item)
            i += 1
            continue
        found = sides(item, geo)
        if found and (i < lead or any(is_anchor(part.text) for part in found.values())):
            close()
            zone = [found]
            j = i + 1
            while j < len(items) and isinstance(items[j], Line) and (nxt := sides(items[j], geo)) \
                    and items[j].top - items[j - 1].bottom < 6 * items[j].height:
                zone.append(nxt)
                j += 1
            blocks.extend(column_blocks(zone, page))
            i = j
            continue
        if open_para and not new_paragraph(open_para[-1], item, geo):
            open_para.append(item)
        else:
            close()
            open_para.append(item)
        i += 1
    close()
    return [b for b in blocks if b.is_table or any(ch.isalnum() for ch in b.text)]


def _header_lead(items: list, geo: Geometry) -> int:
    """On a first page the header may start with off-centre lines above its anchor (a parent agency):
    the number of such lines, which then open the header zone."""
    for k, item in enumerate(items[:8]):
        if not isinstance(item, Line) or item.top > 0.3 * geo.height:
            return 0
        found = sides(item, geo)
        if not found:
            return 0
        if any(is_anchor(part.text) for part in found.values()):
            return k
    return 0


def _page_number(line: Line, height: int) -> bool:
    band = line.bottom < RUNNING_BAND * height or line.top > (1 - RUNNING_BAND) * height
    return band and bool(PAGE_NUMBER.match(line.text))


# --- Pages to a document -------------------------------------------------------------------------

def join_pages(pages: list[list[Block]]) -> list[Block]:
    """Concatenate pages; a table or a sentence cut by the page break is joined."""
    out: list[Block] = []
    for blocks in pages:
        blocks = list(blocks)
        if out and blocks:
            prev, first = out[-1], blocks[0]
            if prev.is_table and first.is_table and _continues(prev, first):
                _extend(prev, first)
                blocks = blocks[1:]
            elif (not prev.is_table and not first.is_table and first.text[:1].islower()
                  and not prev.text.endswith(TERMINAL)):
                prev.text = f"{prev.text} {first.text}"
                blocks = blocks[1:]
        out.extend(blocks)
    return out


CLOSING = re.compile(r"^(?:tong ?cong|tong ?so|cong|\(?\s*bang chu)\b")


def _continues(table: Block, first: Block) -> bool:
    """Does the table at the top of a page carry on the one the page before ended with? Same columns, the
    first one not closed yet (no total row, no words line at its end), and the new one either repeats
    its header or starts with body rows (no header of its own: another table's header names columns)."""
    from extractors.tables import column_roles

    if len(table.rows[0]) != len(first.rows[0]):
        return False
    if any(CLOSING.match(ascii_fold(" ".join(c for c in row if c.strip())).lower().strip()) for row in table.rows[-2:]):
        return False
    for k in (2, 1):
        if len(first.rows) > k and len(table.rows) > k and _same_rows(first.rows[:k], table.rows[:k]):
            return True
    return len(column_roles(first.rows[0])[0]) < 2


def _extend(table: Block, cont: Block) -> None:
    rows = [list(r) for r in cont.rows]
    confs = [list(r) for r in cont.cell_confidence] or [[None] * len(r) for r in rows]
    skip = 0
    for k in (2, 1):
        if len(rows) > k and len(table.rows) > k and _same_rows(rows[:k], table.rows[:k]):
            rows, confs, skip = rows[k:], confs[k:], k
            break
    if table.confidence is not None and cont.confidence is not None:  # weighted by filled cells
        n1, n2 = (sum(1 for r in rs for c in r if c) for rs in (table.rows, rows))
        table.confidence = round((table.confidence * n1 + cont.confidence * n2) / (n1 + n2), 1) if n1 + n2 else None
    if table.cell_confidence or cont.cell_confidence:
        table.cell_confidence = table.cell_confidence or [[None] * len(r) for r in table.rows]
        table.cell_confidence.extend(confs)
    table.append_rows(cont, skip, confidence=False)


def _same_rows(a: list[list[str]], b: list[list[str]]) -> bool:
    """Header rows repeated on the next page; OCR may read them slightly differently."""
    fa, fb = (re.sub(r"1[.,]?000(?=\)?dong|d\b)", "", ascii_fold(" ".join(" ".join(r) for r in rows)).lower().replace(" ", ""))
              for rows in (a, b))  # a unit in brackets, "(1.000 đồng)", is no figure of a body row
    if fa == fb:
        return True
    from difflib import SequenceMatcher
    return not re.search(r"\d{3}", fa) and SequenceMatcher(None, fa, fb).ratio() >= 0.85
