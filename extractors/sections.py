"""The numbered section tree (I., 1., 1.1., a), Phần/Mục, Phụ lục) and activity fields.

Levels are not read from Markdown or Word heading levels, which real plans
use inconsistently: a label's style decides. The first style seen sits at
the top, a new style nests under the current one, a known style closes the
deeper ones (a stack of styles, as a reader does it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.text_utils import LETTER_ORDER_LATIN, LETTER_ORDER_VI, ascii_fold, clean_value, fold
from extractors.vocab import AGENCY_HEADS
from models.document import Block
from models.records import Flag, Section

ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
LABEL_PATTERNS = [
    ("appendix", re.compile(r"^(?:Phụ lục|PHỤ LỤC|Phụ Lục)\s*(?:số\s*)?([IVX]+|\d+)?\s*[.:]?\s*(?![a-zà-ỹđ])")),
    ("appendix", re.compile(r"^(?:Biểu|BIỂU)\s+(?:số|SỐ)?\s*(\d+|[IVX]+)\b\s*[.:]?\s*")),  # not "Biểu dương"
    ("part", re.compile(r"^(?:Phần|PHẦN)\s+([IVX]+|\d+)\s*[.:]?\s*")),
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


@dataclass
class SectionTree:
    sections: list[Section]
    flags: list[Flag]
    block_section: dict[int, str]  # id(block) -> section_id of the section the block sits in


def id_key(style: str, key: str) -> str:
    return {"appendix": "PL", "part": "P", "muc": "M"}.get(style, "") + key


def build_sections(blocks: list[Block]) -> SectionTree:
    root = Node(Section(section_id=""), "root", "")
    stack: list[Node] = [root]
    nodes: list[Node] = []
    flags: list[Flag] = []
    block_section: dict[int, str] = {}
    for block in blocks:
        if block.is_table:
            block_section[id(block)] = stack[-1].section.section_id
            continue
        text = fold(block.text)
        parsed = parse_label(text)
        if parsed is None:
            stack[-1].own.append(text)
            block_section[id(block)] = stack[-1].section.section_id
            continue
        style, key, printed, rest = parsed
        parent = place(stack, style, key)
        siblings = [c for c in parent.children if c.style == style]
        sid_base = ".".join(p for p in (parent.section.section_id, id_key(style, key) or str(len(parent.children) + 1)) if p)
        sid = sid_base
        existing = {c.section.section_id for c in parent.children}
        n = 2
        while sid in existing or any(s.section.section_id == sid for s in nodes):
            sid = f"{sid_base}~{n}"
            n += 1
        sec = Section(section_id=sid, parent_id=parent.section.section_id, level=len(stack),
                      label=printed)
        title, remainder = split_title(rest)
        sec.title = title
        node = Node(sec, style, key)
        if remainder:
            node.own.append(remainder)
        if siblings and key and siblings[-1].key and not successor_ok(style, siblings[-1].key, key):
            prev = siblings[-1].key
            what = "repeats" if prev == key or sid != sid_base else "skips"
            exp = expected_next(style, prev)
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
        if restarts and deeper_open and style not in ("roman", "part", "muc"):
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
    if style == "roman" and "part" not in styles and "muc" not in styles:
        del stack[1:]
    return stack[-1]


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
