"""Legal bases cited in the preamble ("Căn cứ …", "Thực hiện …", "Theo …").

A paragraph may hold several citations (";"-separated), a citation may
continue on a line without a lead word, and laws are often cited without a
number, so each citation is cut out first and then parsed field by field.
"""
from __future__ import annotations

import re

from extractors.text_utils import DOC_TYPE_RE, DOC_TYPES, REF_NUMBER, NUMERIC_DATE, WORDED_DATE, ascii_fold, clean_value, fold, parse_date, symbol_of
from models.document import Block
from models.records import LegalBasis

LEADS = [  # (folded lead word, relation)
    ("tiep tuc thuc hien", "thuc_hien"),
    ("thuc hien", "thuc_hien"),
    ("can cu", "can_cu"),
    ("xet de nghi", "other"),
    ("xet", "other"),
    ("theo", "theo"),
]
TYPE_AT = re.compile(rf"\b({DOC_TYPE_RE})\b", re.I)
CITATION_START = re.compile(
    rf"(?:^|;\s*|,\s*(?=(?:{DOC_TYPE_RE})\s+số)|\s+và\s+(?=(?:{DOC_TYPE_RE})\s+số)|(?:,|\s+và)\s+(?=Luật\s+[A-ZĐ]))", re.I)
SUMMARY_START = re.compile(
    r"\s(?:về việc|về|v/v|phê duyệt|ban hành|quy định|hướng dẫn|sửa đổi|triển khai|tổ chức|thực hiện|"
    r"giao|phân bổ|điều chỉnh|bổ sung|thành lập|kiện toàn|công bố|tiếp tục|đẩy mạnh|tăng cường)\s",
    re.I,
)
# Abbreviations whose dot does not end a sentence.
ABBREV = r"(?<!\bTP)(?<!\bTp)(?<!\bTT)(?<!\bTX)(?<!\bP)(?<!\bQ)(?<!\bThS)(?<!\bTS)(?<!\bNxb)"
SENTENCE_END = re.compile(ABBREV + r"\.\s+(?=[A-ZĐÀ-Ỹ])")


def lead_of(text: str) -> tuple[str | None, str]:
    """(relation, text without the lead word), or (None, text) when no lead word starts it."""
    folded = ascii_fold(text)
    for word, relation in LEADS:
        if folded.startswith(word + " ") or folded == word:
            return relation, text[len(word):].lstrip(" :,")
    return None, text


def split_citations(text: str) -> list[str]:
    """Cut a paragraph at ';', ', Quyết định số', ' và Nghị định số' and at its first full stop."""
    text = SENTENCE_END.split(text, maxsplit=1)[0]
    pieces = [p.strip() for p in CITATION_START.split(text) if p and p.strip()]
    return pieces


def parse_citation(piece: str, relation: str, text: str) -> LegalBasis | None:
    rel, body = lead_of(piece)
    relation = rel or relation
    m_type = TYPE_AT.search(body)
    if not m_type:
        return None
    ref_type = next(t for t in DOC_TYPES if t.lower() == m_type.group(1).lower())
    rest = body[m_type.end():]
    lb = LegalBasis(relation=relation, ref_type=ref_type, text=text)
    m_num = re.match(r"\s*(?:số\s*:?\s*)?(" + REF_NUMBER + r")", rest)
    name = ""
    if m_num and re.search(r"\d", m_num.group(1)):
        lb.ref_number = m_num.group(1)
        lb.ref_symbol = symbol_of(lb.ref_number)
        rest = rest[m_num.end():]
    elif ref_type in ("Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp"):
        # An unnumbered law: its name runs to the date or the number.
        m_end = re.search(r"\s(?:số\s+" + REF_NUMBER + r"|ngày\s|được\s|năm\s\d{4})", rest)
        name = rest[: m_end.start()] if m_end else rest
        rest = rest[len(name):]
        m_num = re.match(r"\s*số\s*(" + REF_NUMBER + r")", rest)
        if m_num:
            lb.ref_number, lb.ref_symbol = m_num.group(1), symbol_of(m_num.group(1))
            rest = rest[m_num.end():]
    elif not re.search(r"\bngày\b|\d{1,2}/\d{1,2}/\d{4}", rest[:60]):
        return None  # "Căn cứ tình hình thực tế …": no document cited
    m_date = None
    for rx in (NUMERIC_DATE, WORDED_DATE):
        m = rx.search(rest)
        if m and (m_date is None or m.start() < m_date.start()):
            m_date = m
    if m_date and m_date.start() < 40:
        lb.ref_date = parse_date(m_date.group(0))[0]
        rest = rest[m_date.end():]
    if ref_type in ("Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp"):
        lb.ref_summary = clean_value(name) or clean_value(re.sub(r"^\s*(?:của\s+\S+(?:\s+\S+)?\s+)?", "", rest))
        m_issuer = re.match(r"\s*của\s+(Quốc hội|Ủy ban Thường vụ Quốc hội)", rest)
        lb.ref_issuer = m_issuer.group(1) if m_issuer else ""
        return lb
    m_of = re.match(r"\s*(?:ngày\s*)?của\s+", rest)
    if m_of:
        rest = rest[m_of.end():]
        m_sum = SUMMARY_START.search(" " + rest)
        if m_sum:
            lb.ref_issuer = clean_value(rest[: max(m_sum.start() - 1, 0)])
            rest = rest[m_sum.start():]
        else:
            lb.ref_issuer, rest = clean_value(rest), ""
    # "…năm 2025, Ủy ban nhân dân xã X xây dựng Kế hoạch như sau": the plan's own sentence starts.
    rest = re.split(r",\s*(?=(?:Ủy ban|UBND|Sở|Phòng|Ban|Trung tâm|Văn phòng)\b[^,;]*\b(?:xây dựng|ban hành)\b)", rest)[0]
    summary = clean_value(rest)
    summary = re.sub(r"^(?:về việc|về|v/v)\s+", "", summary, flags=re.I)
    lb.ref_summary = summary
    return lb


def extract_legal_bases(preamble: list[Block]) -> list[LegalBasis]:
    out: list[LegalBasis] = []
    relation = "other"
    for block in preamble:
        if block.is_table:
            continue
        text = fold(block.text)
        rel, _ = lead_of(text)
        starts_with_type = re.match(rf"^(?:[-+•]\s*)?({DOC_TYPE_RE})\s+(?:số\s*)?\S*\d", text, re.I)
        if rel is None and not starts_with_type:
            continue  # narrative ("Sở … xây dựng Kế hoạch … như sau:")
        relation = rel or relation
        for piece in split_citations(text.lstrip("-+• ")):
            lb = parse_citation(piece, relation, text)
            if lb is not None:
                relation = lb.relation
                lb.seq = len(out) + 1
                out.append(lb)
            elif "de nghi" in ascii_fold(piece)[:20]:
                # "Xét đề nghị của …", "Theo đề nghị của …": a basis that cites no document.
                lb = LegalBasis(seq=len(out) + 1, relation=rel or relation, ref_type="Đề nghị", text=text,
                                ref_issuer=clean_value(re.sub(r"^(?:xét|theo)?\s*đề nghị\s+(?:của\s+)?", "", piece, flags=re.I)))
                out.append(lb)
    return out
