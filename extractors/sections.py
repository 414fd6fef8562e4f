"""The numbered section tree (I., 1., 1.1., a), Phần/Mục, Phụ lục) and activity fields.

Levels are not read from Markdown or Word heading levels, which real plans
use inconsistently: a label's style decides. The first style seen sits at
the top, a new style nests under the current one, a known style closes the
deeper ones (a stack of styles, as a reader does it).

Long real documents repeat labels legitimately: a table of contents before
the body, numbering restarted under each Chương/Phần/Phụ lục/Biểu, a report
outline reusing I./1. A `numbering` finding is kept for what a reader would
call a mistake (two "3.2." side by side, II then IV), so contents blocks are
left out, containers hold their own lists, a list restarted at its first
label is a new list, and an OCR look-alike of the expected letter is that letter.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from extractors.source import stamp
from extractors.text_utils import LABEL_LOOKALIKES, LETTER_ORDER_LATIN, LETTER_ORDER_VI, ascii_fold, clean_value, fold
from extractors.vocab import AGENCY_HEADS
from models.document import Block
from models.records import Flag, Section

ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# "Phần thứ hai" is Phần II (folded ordinal word -> number).
ORDINAL_WORDS = {"nhat": 1, "hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}
# Labels that open a new top-level container: the lists under each restart at 1/I/a.
CONTAINER_STYLES = ("appendix", "part", "chapter", "muc")
LABEL_PATTERNS = [
    # Numbered ("Phụ lục 1 kèm theo …"), or unnumbered and not running on in lower case: the atomic group
    # keeps "Phụ lục kèm theo Kế hoạch" (a sentence) from backtracking past the look-ahead.
    ("appendix", re.compile(r"^(?:Phụ lục|PHỤ LỤC|Phụ Lục)(?:\s*(?:số\s*)?([IVX]+|\d+)\b\s*[.:]?\s*"
                            r"|(?>\s*[.:]?\s*)(?![a-zà-ỹđ]))")),
    ("appendix", re.compile(r"^(?:Biểu|BIỂU)\s+(?:số|SỐ)?\s*(\d+|[IVX]+)\b\s*[.:]?\s*")),  # not "Biểu dương"
    ("chapter", re.compile(r"^(?:Chương|CHƯƠNG)\s+([IVX]+|\d+)\b\s*[.:]?\s*")),  # not "Chương trình"
    ("part", re.compile(r"^(?:Phần|PHẦN)\s+([IVX]+|\d+)\s*[.:]?\s*")),
    ("part", re.compile(r"^(?:Phần|PHẦN)\s+(?:thứ|THỨ)\s+((?i:nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười))\b\s*[.:]?\s*")),
    ("muc", re.compile(r"^(?:Mục|MỤC)\s+([IVX]+|\d+)\s*[.:]?\s*")),
    ("roman", re.compile(r"^([IVX]{1,5})\s*(?:[.:)]|\s[-–]|[-–](?=\s))\s*(?=\S)")),
    ("dotted", re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(?=\S)")),
    ("arabic", re.compile(r"^(\d{1,2})\s*[.)]\s*(?=[^\d\s.,/])")),
    ("letter", re.compile(r"^([a-zđ])\s*\)\s*(?=\S)")),
    ("letter_dot", re.compile(r"^([a-zđ])\.\s+(?=[A-ZĐÀ-Ỹ])")),
]
FIELD_LABELS = [  # (field, folded label regex)
    ("time_text", re.compile(r"^thoi gian\b")),
    ("location", re.compile(r"^dia diem\b")),
    ("participants_text", re.compile(r"^(thanh phan|doi tuong|thanh vien tham gia)\b")),
    ("lead_agency", re.compile(r"^((co quan|don vi|bo phan)\s+)?chu tri\b")),
    ("coordinating_agencies", re.compile(r"^((co quan|don vi|bo phan)\s+)?phoi hop\b")),
    ("content_text", re.compile(r"^noi dung\b")),
]


def roman_value(s: str) -> int | None:
    total, prev = 0, 0
    for ch in reversed(s):
        v = ROMAN_VALUES.get(ch)
        if v is None:
            return None
        total += -v if v < prev else v
        prev = max(prev, v)
    return total


def parse_label(text: str) -> tuple[str, str, str, str] | None:
    """(style, key, printed label, rest) for a paragraph that starts with a section label."""
    for style, rx in LABEL_PATTERNS:
        m = rx.match(text)
        if not m:
            continue
        key = m.group(1) or ""
        if style == "part" and ascii_fold(key) in ORDINAL_WORDS:
            key = to_roman(ORDINAL_WORDS[ascii_fold(key)])
        if style == "roman" and roman_value(key) is None:
            continue
        if style == "dotted":
            style = f"dotted{key.count('.')}"
        printed = text[: m.end()].strip()
        return style, key, printed, text[m.end():].strip()
    return None


def successor_ok(style: str, prev: str, cur: str) -> bool:
    if style.startswith("letter"):
        return any(o.find(prev) >= 0 and o.find(prev) + 1 < len(o) and o[o.find(prev) + 1] == cur
                   for o in (LETTER_ORDER_VI, LETTER_ORDER_LATIN))
    return ordinal(style, cur) == (ordinal(style, prev) or 0) + 1


def ordinal(style: str, key: str) -> int | None:
    if not key:
        return None
    last = key.split(".")[-1]
    if last.isdigit():
        return int(last)
    if style.startswith("letter"):
        return LETTER_ORDER_VI.find(last) + 1
    return roman_value(last)


def expected_next(style: str, prev: str) -> str:
    if style.startswith("letter"):
        i = LETTER_ORDER_VI.find(prev)
        return LETTER_ORDER_VI[i + 1] if 0 <= i < len(LETTER_ORDER_VI) - 1 else ""
    n = (ordinal(style, prev) or 0) + 1
    if style in ("roman",) or (style in ("part", "muc", "appendix") and not prev.isdigit()):
        return to_roman(n)
    if style.startswith("dotted"):
        return ".".join(prev.split(".")[:-1] + [str(n)])
    return str(n)


def to_roman(n: int) -> str:
    out = ""
    for v, s in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out, n = out + s, n - v
    return out


@dataclass
class Node:
    section: Section
    style: str
    key: str
    own: list[str] = field(default_factory=list)  # own paragraphs (heading remainder first)
    children: list["Node"] = field(default_factory=list)
    series: str = ""  # labels numbered together: the style, and for appendices the word ("Phụ lục" vs "Biểu")


@dataclass
class SectionTree:
    sections: list[Section]
    flags: list[Flag]
    block_section: dict[int, str]  # id(block) -> section_id of the section the block sits in


def id_key(style: str, key: str) -> str:
    return {"appendix": "PL", "part": "P", "muc": "M", "chapter": "Ch"}.get(style, "") + key


def series_of(style: str, printed: str) -> str:
    """Appendix labels are numbered per word: 'Biểu số 01' after 'Phụ lục 2' is no repeat."""
    if style == "appendix":
        return "appendix:" + ascii_fold(printed).split()[0]
    return style


def is_restart(style: str, prev: str, key: str) -> bool:
    """A list begun again at its first label (1, I, a): a new list (after a lead-in, an outline), not a
    mistake, unless it repeats the label just before it ("1." then "1."). Dotted labels are addresses
    ("3.1" twice in part 3 is a repeat), so they never restart."""
    return not style.startswith("dotted") and ordinal(style, key) == 1 and prev != key


def lookalike_of(found: str, expected: str) -> bool:
    return bool(expected) and found in LABEL_LOOKALIKES.get(expected, "")


def letter_misread_as_digit(stack: list[Node], style: str, key: str, printed: str) -> str | None:
    """'1)' where 'l)' is due in an open letter list (OCR read l as 1): the letter it stands for."""
    if style != "arabic" or not printed.endswith(")"):
        return None
    for node in reversed(stack):
        if node.style == "letter":
            expected = expected_next("letter", node.key)
            return expected if lookalike_of(key, expected) else None
    return None


def stroke_misread(found: str, expected: str) -> bool:
    """A Roman label one stroke off the expected one ("I" for "II", "II" for "III")."""
    return found != expected and found.replace("I", "") == expected.replace("I", "") and abs(len(found) - len(expected)) == 1


def next_key(blocks: list[Block], index: int, style: str) -> str | None:
    """The key of the next label of `style` after block `index`."""
    for b in blocks[index + 1:]:
        if not b.is_table:
            parsed = parse_label(fold(b.text))
            if parsed is not None and parsed[0] == style:
                return parsed[1]
    return None


def build_sections(blocks: list[Block]) -> SectionTree:
    root = Node(Section(section_id=""), "root", "")
    stack: list[Node] = [root]
    nodes: list[Node] = []
    flags: list[Flag] = []
    block_section: dict[int, str] = {}
    used_ids: set[str] = set()
    toc = find_toc(blocks)
    for index, block in enumerate(blocks):
        if block.is_table or index in toc:
            block_section[id(block)] = stack[-1].section.section_id
            continue
        text = fold(block.text)
        parsed = parse_label(text)
        if parsed is None:
            stack[-1].own.append(text)
            block_section[id(block)] = stack[-1].section.section_id
            continue
        style, key, printed, rest = parsed
        letter = letter_misread_as_digit(stack, style, key, printed)
        if letter:
            style, key = "letter", letter
        parent = place(stack, style, key)
        series = series_of(style, printed)
        siblings = [c for c in parent.children if c.series == series]
        finding: tuple[str, str] | None = None  # (previous key, expected key)
        if siblings and key and siblings[-1].key and not successor_ok(style, siblings[-1].key, key):
            prev = siblings[-1].key
            exp = expected_next(style, prev)
            if style.startswith("letter") and lookalike_of(key, exp):
                key = exp  # "d)" where "đ)" is due, "h)" where "b)" is: OCR's reading of the expected letter
            elif style == "roman" and block.confidence is not None and stroke_misread(key, exp) \
                    and successor_ok(style, exp, next_key(blocks, index, style) or ""):
                key = exp  # OCR lost or added a stroke ("I." for "II."), and the next label follows "II"
            elif not is_restart(style, prev, key):
                finding = (prev, exp)
        sid_base = ".".join(p for p in (parent.section.section_id, id_key(style, key) or str(len(parent.children) + 1)) if p)
        sid = sid_base
        n = 2
        while sid in used_ids:
            sid = f"{sid_base}~{n}"
            n += 1
        used_ids.add(sid)
        sec = stamp(Section(section_id=sid, parent_id=parent.section.section_id, level=len(stack),
                            label=printed), block)
        title, remainder = split_title(rest)
        sec.title = title
        node = Node(sec, style, key, series=series)
        if remainder:
            node.own.append(remainder)
        if finding:
            prev, exp = finding
            what = "repeats" if prev == key or sid != sid_base else "skips"
            flags.append(Flag(check="numbering", severity="warning", section_id=sid, expected=exp, found=key,
                              message=f"Section label '{printed}' {what} the numbering: after '{prev}' comes '{exp}'"
                                      + (f" (under {parent.section.section_id})" if parent.section.section_id else "")))
        parent.children.append(node)
        stack.append(node)
        nodes.append(node)
        block_section[id(block)] = sid
    for node in nodes:
        if not node.section.title and node.own and len(node.own[0]) <= 150:
            node.section.title = clean_value(node.own.pop(0))  # "Phụ lục 1" / "DANH SÁCH …"
        fill_fields(node)
    return SectionTree([n.section for n in nodes], flags, block_section)


def place(stack: list[Node], style: str, key: str) -> Node:
    """Pop the stack to where a label of `style` belongs and return its parent."""
    if style == "appendix":
        del stack[1:]
        return stack[0]
    styles = [n.style for n in stack]
    if style in styles:
        i = styles.index(style)
        sibling = stack[i]
        restarts = ordinal(style, key) == 1 and ordinal(style, sibling.key) not in (None, 0)
        deeper_open = i < len(stack) - 1
        if restarts and deeper_open and style not in ("roman", "part", "muc", "chapter"):
            return stack[-1]  # "1." again under "a)": a new list nested inside, not a sibling
        del stack[i:]
        return stack[-1]
    if style.startswith("dotted"):
        # "3.2." belongs under "3." even when other styles opened since.
        depth = int(style[6:])
        for j in range(len(stack) - 1, 0, -1):
            n = stack[j]
            if (n.style == "arabic" and depth == 1) or n.style == f"dotted{depth - 1}":
                if key.rsplit(".", 1)[0] == n.key:
                    del stack[j + 1:]
                    return n
    if style in ("chapter", "roman"):
        # A first Chương sits under its Phần or Phụ lục; a first "I." under its Chương/Phần/Mục/Phụ lục
        # (the appendix's own list, not a sibling of the body's "V."), else at the top.
        holders = ("appendix", "part") if style == "chapter" else CONTAINER_STYLES
        for j in range(len(stack) - 1, 0, -1):
            if stack[j].style in holders:
                del stack[j + 1:]
                return stack[j]
        del stack[1:]
    return stack[-1]


# --- tables of contents ----------------------------------------------------------------------------

TOC_HEADING = re.compile(r"^muc luc$")  # folded, trailing punctuation stripped ("NỘI DUNG" heads real text)
# Dot leaders (or …, ___, · · ·) then a page number at the end: "I. MỤC ĐÍCH ........ 3".
LEADER_PAGE = re.compile(r"\s*(?:\.{3,}|…+\.*|(?:\.\s){3,}\.?|_{3,}|·{3,}|(?:·\s){3,})\s*(\d{1,3})\s*$")
TRAILING_PAGE = re.compile(r"\s+(\d{1,3})\s*$")


def has_leader(text: str) -> bool:
    """Dot leaders and a page number at the line's end ("I. MỤC ĐÍCH ........ 3"): only a line that ends in
    a digit is searched, and only its end (the search is slow on long paragraphs)."""
    text = text.rstrip()
    return bool(text) and text[-1].isdigit() and bool(LEADER_PAGE.search(text[-80:]))


def toc_stripped(text: str) -> str:
    """A contents line without its leaders and page number (a body heading without a trailing number)."""
    text = LEADER_PAGE.sub("", text)
    text = re.sub(r"\s*(?:\.{3,}|…+)\s*$", "", text)
    return TRAILING_PAGE.sub("", text)


@lru_cache(maxsize=8192)  # the zones and the section tree both look for a table of contents
def heading_signature(text: str) -> tuple[str, str, str] | None:
    """(style, key, folded title) of a label line, page number and leaders ignored; None if no label."""
    parsed = parse_label(toc_stripped(text))
    if parsed is None:
        return None
    style, key, _, rest = parsed
    return style, key, " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_fold(rest)).split())


def find_toc(blocks: list[Block]) -> set[int]:
    """Indices of the blocks of a table of contents, which repeats the body's labels and is no section.

    Recognised by structure, never by one heading alone: (1) a label line with dot leaders and a page
    number; (2) the entries after a "MỤC LỤC" heading, up to where the body begins its first label
    again; (3) a run of label lines with nothing between them, listing siblings (some style twice),
    that the document repeats elsewhere in the same order with text between (the body it lists).
    """
    texts = [None if b.is_table else fold(b.text) for b in blocks]
    sigs = [heading_signature(t) if t else None for t in texts]
    toc: set[int] = set()
    for i, t in enumerate(texts):
        if t and sigs[i] and has_leader(t):
            toc.add(i)
    for _ in range(2):  # unlabelled lines with leaders and a page number beside entries ("MỞ ĐẦU ..... 1")
        for i, t in enumerate(texts):
            if t and i not in toc and has_leader(t) and ({i - 1, i + 1} & toc):
                toc.add(i)
    for i, t in enumerate(texts):
        if t and TOC_HEADING.match(ascii_fold(t).strip(" .:")) and len(t) < 30:
            entries = contents_after(texts, sigs, i + 1)
            if entries:
                toc.add(i)
                toc.update(entries)
    i = 0
    while i < len(blocks):
        run = label_run(texts, sigs, i, toc)
        if len(run) >= 2 and repeats_elsewhere(run, sigs, texts, toc):
            toc.update(run)
        i = (run[-1] if run else i) + 1
    return toc


def contents_after(texts: list[str | None], sigs: list, start: int) -> list[int]:
    """The entries under a "MỤC LỤC" heading: label lines or lines ending in a page number."""
    entries: list[int] = []
    seen: set = set()
    first = None
    for j in range(start, len(texts)):
        t, sig = texts[j], sigs[j]
        if t is None or len(t) > 250:
            break
        if sig is not None:
            if sig in seen or (first is not None and sig[:2] == first):
                break  # the body begins: its first label again
            first = first or sig[:2]
            seen.add(sig)
        elif not TRAILING_PAGE.search(t):
            break
        entries.append(j)
    return entries if any(sigs[j] for j in entries) else []


def label_run(texts: list[str | None], sigs: list, start: int, toc: set[int]) -> list[int]:
    """Consecutive label lines from `start` (none in between), cut where one repeats an earlier entry."""
    run: list[int] = []
    seen: set = set()
    for j in range(start, len(texts)):
        if texts[j] is None or sigs[j] is None or j in toc or sigs[j] in seen:
            break
        seen.add(sigs[j])
        run.append(j)
    return run


def repeats_elsewhere(run: list[int], sigs: list, texts: list[str | None], toc: set[int]) -> bool:
    """The run lists siblings (a style twice) and its entries recur in order elsewhere, not side by side."""
    styles = [sigs[j][0] for j in run]
    if len(set(styles)) == len(styles):
        return False  # a chain "I. / 1. / a)": a body's nested headings, not a list of contents
    paged = all(TRAILING_PAGE.search(texts[j] or "") for j in run)
    for others in ([j for j in range(run[-1] + 1, len(sigs)) if j not in toc],
                   [j for j in range(run[0]) if j not in toc] if paged else []):
        positions: list[int] = []
        k = 0
        for j in run:
            while k < len(others) and sigs[others[k]] != sigs[j]:
                k += 1
            if k == len(others):
                break
            positions.append(others[k])
            k += 1
        if len(positions) == len(run) and positions[-1] - positions[0] > len(positions) - 1:
            return True
    return False


def split_title(rest: str) -> tuple[str, str]:
    """'Kinh phí thực hiện: 200.000.000 đồng …' -> ('Kinh phí thực hiện', '200.000.000 đồng …')."""
    if ":" in rest:
        head, tail = rest.split(":", 1)
        if 0 < len(head) <= 100 and not re.search(r"\d{1,2}/\d", head):
            return clean_value(head), tail.strip()
    return clean_value(rest), ""


def field_of(text: str) -> tuple[str, str] | None:
    """('time_text', value) for 'Thời gian tổ chức: Dự kiến …', else None."""
    if ":" not in text:
        return None
    head, value = text.split(":", 1)
    head = head.lstrip("-+•* ").strip()
    if len(head) > 60:
        return None
    folded = ascii_fold(head)
    for name, rx in FIELD_LABELS:
        if rx.match(folded):
            return name, value.strip()
    return None


def fill_fields(node: Node) -> None:
    """Activity fields from the section's own lines and from field-titled children (a) Thời gian: …)."""
    lines: list[str] = []
    for line in node.own:
        lines.append(line)
    for child in node.children:
        if child.style.startswith("letter") and field_of(f"{child.section.title}: x"):
            own = child.own or [""]
            lines.append(f"{child.section.title}: {own[0]}")
            lines.extend(own[1:])
    values: dict[str, list[str]] = {}
    current: str | None = None
    gathering = False  # the field's value is the bullet list that follows it
    for line in lines:
        f = field_of(line)
        if f:
            current = f[0]
            gathering = not f[1] or current == "participants_text"
            values.setdefault(current, [])
            if f[1]:
                values[current].append(clean_value(f[1]))
            continue
        if current and gathering and re.match(r"^[-+•*]", line):
            values[current].append(clean_value(line.lstrip("-+•* ")))
            continue
        current = None
    sec = node.section
    sec.text = " ".join(node.own)
    for name, vals in values.items():
        vals = [v for v in vals if v]
        if name in ("lead_agency", "coordinating_agencies"):
            setattr(sec, name, "; ".join(a for v in vals for a in split_agencies(v)))
        else:
            setattr(sec, name, "; ".join(vals))


AGENCY_SPLIT = re.compile(r",\s+(?=(?:" + "|".join(re.escape(h) for h in sorted(AGENCY_HEADS, key=len, reverse=True)) + r")\b)")


def split_agencies(text: str) -> list[str]:
    """'Phòng A; Trung tâm B, Thông tin và C, Ủy ban D' -> ['Phòng A', 'Trung tâm B, Thông tin và C', 'Ủy ban D']."""
    out = []
    for part in text.split(";"):
        for piece in AGENCY_SPLIT.split(part):
            piece = clean_value(piece)
            if piece:
                out.append(piece)
    return out
