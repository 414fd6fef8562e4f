"""Split a plan into its administrative zones (Decree 30/2020/NĐ-CP layout).

header (issuer, number, place/date) → type line and title → preamble (legal
bases) → body (numbered sections) → closing (Nơi nhận, signature) → appendices.
Every extractor reads only its zone, so a number in the preamble is never
mistaken for the plan's own number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.text_utils import ascii_fold
from models.document import Block, Document

TYPE_LINE = re.compile(r"^(ke hoach|quyet dinh|chuong trinh|de an|huong dan|thong bao|chi thi|phuong an)$")
LEAD_WORDS = re.compile(r"^(can cu|thuc hien|tiep tuc thuc hien|theo (de nghi|quyet dinh|ke hoach|chi dao|van ban|cong van|huong dan|y kien)|xet de nghi|de (trien khai|thuc hien)|nham)\b")
SECTION_START = re.compile(
    r"^(?:[IVXLC]{1,6}\s*[.:)]\s*\S|(?:phan|muc|chuong)\s+[\divxlc]+\b|1\s*[.)]\s*\S)", re.I
)
CLOSING = re.compile(r"^(noi nhan|(tm|kt|tl|tuq|q)\.\s*\S)")
APPENDIX = re.compile(r"^(phu luc|bieu)\b(\s+[\divxlc]+)?", re.I)


@dataclass
class Zones:
    header: list[Block] = field(default_factory=list)
    type_line: Block | None = None
    title: list[Block] = field(default_factory=list)
    preamble: list[Block] = field(default_factory=list)
    body: list[Block] = field(default_factory=list)
    closing: list[Block] = field(default_factory=list)
    appendix: list[Block] = field(default_factory=list)


def find_type_line(blocks: list[Block]) -> int | None:
    for i, b in enumerate(blocks[:40]):
        if b.kind != "table" and TYPE_LINE.match(ascii_fold(b.text).strip(" .:")):
            return i
    return None


def split_zones(doc: Document) -> Zones:
    blocks = doc.blocks
    z = Zones()
    t = find_type_line(blocks)
    i = 0
    if t is not None:
        z.header = blocks[:t]
        z.type_line = blocks[t]
        i = t + 1
        while i < len(blocks) and len(z.title) < 4:
            b = blocks[i]
            folded = ascii_fold(b.text)
            if b.is_table or LEAD_WORDS.match(folded) or SECTION_START.match(b.text) or len(b.text) > 300:
                break
            if re.fullmatch(r"[-_*=. ]{3,}", b.text):
                i += 1
                break
            z.title.append(b)
            i += 1
    else:
        # No type line (OCR lost it, or not a plan): the header is what precedes the first lead word.
        while i < len(blocks) and i < 15 and not LEAD_WORDS.match(ascii_fold(blocks[i].text)) and not SECTION_START.match(blocks[i].text):
            i += 1
        z.header = blocks[:i]
    start = i
    while i < len(blocks) and not (blocks[i].kind != "table" and SECTION_START.match(blocks[i].text)):
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
    start = i
    while i < len(blocks) and not (blocks[i].kind != "table" and APPENDIX.match(ascii_fold(blocks[i].text)) and _appendix_heading(blocks, i)):
        i += 1
    z.closing = blocks[start:i]
    z.appendix = blocks[i:]
    return z


def _appendix_heading(blocks: list[Block], i: int) -> bool:
    """'Phụ lục 1' as a heading line, not 'theo phụ lục 1' inside a sentence."""
    text = blocks[i].text
    return len(text) < 120 and not text.rstrip().endswith((",", ";"))
