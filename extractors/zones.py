"""Split a plan into its administrative zones (Decree 30/2020/NĐ-CP layout).

header (issuer, number, place/date) → type line and title → preamble (legal
bases) → body (numbered sections) → closing (Nơi nhận, signature) → appendices.
Every extractor reads only its zone, so a number in the preamble is never
mistaken for the plan's own number. A table of contents is a zone of its own
(`toc`): its entries would otherwise start the body early, cut it at a
"Phụ lục … 12" entry, and repeat every section label.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.sections import find_toc, parse_label
from extractors.text_utils import LEAD_WORDS, ascii_fold
from models.document import Block, Document

TYPE_LINE = re.compile(r"^(ke hoach|quyet dinh|chuong trinh|de an|huong dan|thong bao|chi thi|phuong an)$")
def is_section_start(text: str) -> bool:
    """The first numbered section: I., Phần I, Mục 1, or 1. (the body's own label styles)."""
    label = parse_label(text)
    if label is None:
        return bool(re.match(r"^(phan|muc|chuong)\s+[\divxlc]+\b", ascii_fold(text)))
    style, key = label[0], label[1]
    return style in ("roman", "part", "muc", "chapter") or (style == "arabic" and key == "1")
CLOSING = re.compile(r"^(noi nhan|(tm|kt|tl|tuq|q)\.\s*\S)")
# "Phụ lục", "Phụ lục 2", "Biểu số 01" — but not "Biểu dương …" (to commend).
APPENDIX = re.compile(r"^(?:phu luc(?:\s+(?:so\s+)?[\divxlc]+)?\b|bieu\s+(?:so\s+)?[\divxlc]+\b|bieu\s+mau\b)")


@dataclass
class Zones:
    header: list[Block] = field(default_factory=list)
    type_line: Block | None = None
    title: list[Block] = field(default_factory=list)
    preamble: list[Block] = field(default_factory=list)
    body: list[Block] = field(default_factory=list)
    closing: list[Block] = field(default_factory=list)
    appendix: list[Block] = field(default_factory=list)
    toc: list[Block] = field(default_factory=list)  # a table of contents, wherever it sits; read by no extractor


def find_type_line(blocks: list[Block]) -> int | None:
    for i, b in enumerate(blocks[:40]):
        if b.kind != "table" and TYPE_LINE.match(ascii_fold(b.text).strip(" .:")):
            return i
    return None


def split_zones(doc: Document) -> Zones:
    toc = find_toc(doc.blocks)
    blocks = [b for i, b in enumerate(doc.blocks) if i not in toc]
    z = Zones(toc=[b for i, b in enumerate(doc.blocks) if i in toc])
    t = find_type_line(blocks)
    i = 0
    if t is not None:
        z.header = blocks[:t]
        z.type_line = blocks[t]
        i = t + 1
        while i < len(blocks) and len(z.title) < 4:
            b = blocks[i]
            folded = ascii_fold(b.text)
            if b.is_table or LEAD_WORDS.match(folded) or is_section_start(b.text) or len(b.text) > 300:
                break
            if re.fullmatch(r"[-_*=. ]{3,}", b.text):
                i += 1
                break
            z.title.append(b)
            i += 1
    else:
        # No type line (OCR lost it, or not a plan): the header is what precedes the first lead word.
        while i < len(blocks) and i < 15 and not LEAD_WORDS.match(ascii_fold(blocks[i].text)) and not is_section_start(blocks[i].text):
            i += 1
        z.header = blocks[:i]
    start = i
    while i < len(blocks) and not (blocks[i].kind != "table" and is_section_start(blocks[i].text)):
        if CLOSING.match(ascii_fold(blocks[i].text)):
            break
        i += 1
    z.preamble = blocks[start:i]
    start = i
    while i < len(blocks) and not (blocks[i].kind != "table" and CLOSING.match(ascii_fold(blocks[i].text))):
        if blocks[i].kind != "table" and APPENDIX.match(ascii_fold(blocks[i].text)) and _appendix_heading(blocks, i):
            break
        i += 1
    z.body = blocks[start:i]
    if i == len(blocks) or not CLOSING.match(ascii_fold(blocks[i].text) if not blocks[i].is_table else ""):
        cut = signature_start(z.body)  # no "Nơi nhận" / TM.: a bare title and name end the body
        if cut is not None:
            i -= len(z.body) - cut
            z.body = z.body[:cut]
    start = i
    while i < len(blocks) and not (blocks[i].kind != "table" and APPENDIX.match(ascii_fold(blocks[i].text)) and _appendix_heading(blocks, i)):
        i += 1
    z.closing = blocks[start:i]
    z.appendix = blocks[i:]
    return z


NAME = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]+(?:\s+[A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,4}$")
CAPS_NAME = re.compile(r"^[A-ZĐÀ-Ỹ]+(?:\s+[A-ZĐÀ-Ỹ]+){1,4}$")
SIGNER_TITLE = re.compile(r"^(PHÓ\s+)?(CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG BAN|TRƯỞNG PHÒNG|CHÁNH VĂN PHÒNG|BÍ THƯ|HIỆU TRƯỞNG|THỦ TRƯỞNG|CỤC TRƯỞNG|VIỆN TRƯỞNG|TỔNG GIÁM ĐỐC|TRƯỞNG ĐOÀN|CHÁNH THANH TRA)$")


def signature_start(body: list[Block]) -> int | None:
    """Index of a signer title ("GIÁM ĐỐC") followed by a name among the last blocks."""
    for j in range(len(body) - 1, max(len(body) - 8, -1), -1):
        if not body[j].is_table and SIGNER_TITLE.match(body[j].text.strip()):
            if any(NAME.match(b.text.strip()) or CAPS_NAME.match(b.text.strip()) for b in body[j + 1:j + 4] if not b.is_table):
                return j
    return None


def _appendix_heading(blocks: list[Block], i: int) -> bool:
    """'Phụ lục 1' as a heading line, not 'theo phụ lục 1' inside a sentence."""
    text = blocks[i].text
    return len(text) < 120 and not text.rstrip().endswith((",", ";"))
