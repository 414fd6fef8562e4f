"""Legal bases cited in the preamble ("Căn cứ …", "Thực hiện …", "Theo …").

A paragraph may hold several citations (";"-separated), a citation may
continue on a line without a lead word, and laws are often cited without a
number, so each citation is cut out first and then parsed field by field.
"""
from __future__ import annotations

import re

from extractors.source import stamp
from extractors.text_utils import DOC_TYPE_RE, DOC_TYPES, REF_NUMBER, NUMERIC_DATE, WORDED_DATE, ascii_fold, clean_value, fold, parse_date, strip_marks, symbol_of
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
FOLDED_TYPES = {ascii_fold(t): t for t in DOC_TYPES}
TYPE_AT = re.compile(r"\b(" + "|".join(re.escape(t) for t in FOLDED_TYPES) + r")\b")  # on ascii-folded text
CITATION_START = re.compile(
    rf"(?:^|;\s*|,\s*(?=(?:{DOC_TYPE_RE})\s+số)|\s+và\s+(?=(?:{DOC_TYPE_RE})\s+số)|(?:,|\s+và)\s+(?=Luật\s+[A-ZĐ]))", re.I)
SUMMARY_START = re.compile(  # on folded text
    r"\s(?:ve viec|ve|v/v|phe duyet|ban hanh|quy dinh|huong dan|sua doi|trien khai|to chuc|thuc hien|"
    r"giao|phan bo|dieu chinh|bo sung|thanh lap|kien toan|cong bo|tiep tuc|day manh|tang cuong)\s"
)
# The summary's first words as Vietnamese spells them: "giáo" (in "Ban Tuyên giáo") folds to "giao" but
# is not the verb "giao"; a word without any mark (OCR lost them) still counts.
SUMMARY_WORDS = {
    "ve viec": "về việc", "ve": "về", "v/v": "v/v", "phe duyet": "phê duyệt", "ban hanh": "ban hành",
    "quy dinh": "quy định", "huong dan": "hướng dẫn", "sua doi": "sửa đổi", "trien khai": "triển khai",
    "to chuc": "tổ chức", "thuc hien": "thực hiện", "giao": "giao", "phan bo": "phân bổ",
    "dieu chinh": "điều chỉnh", "bo sung": "bổ sung", "thanh lap": "thành lập", "kien toan": "kiện toàn",
    "cong bo": "công bố", "tiep tuc": "tiếp tục", "day manh": "đẩy mạnh", "tang cuong": "tăng cường",
}


def spelt_as_verb(text: str, m: re.Match) -> bool:
    word = text[m.start() + 1:m.end() - 1]
    return word.isascii() or word.lower() == SUMMARY_WORDS.get(m.group(0).strip(), word.lower())


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


LAWS = ("Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp")


def fsearch(pattern: str, text: str, match: bool = False) -> re.Match[str] | None:
    """Search a diacritic-free pattern in the folded text; offsets are the original's (OCR may drop marks)."""
    rx = re.compile(pattern, re.I)
    folded = strip_marks(text)
    return rx.match(folded) if match else rx.search(folded)


def parse_citation(piece: str, relation: str, text: str) -> LegalBasis | None:
    rel, body = lead_of(piece)
    relation = rel or relation
    m_type = TYPE_AT.search(ascii_fold(body))
    if not m_type:
        return None
    ref_type = FOLDED_TYPES[m_type.group(1)]
    rest = body[m_type.end():]
    lb = LegalBasis(relation=relation, ref_type=ref_type, text=text)
    before = piece[: len(piece) - len(body) + m_type.start()]  # with the lead word: "Xét đề nghị của …"
    proposer = fsearch(r"de nghi\s+(?:cua\s+)?(.+?)\s+(?:tai|theo|qua)\s*$", before)
    if proposer:  # "Xét đề nghị của Giám đốc Sở … tại Tờ trình số …": the proposer issued the cited document
        lb.ref_issuer = clean_value(before[proposer.start(1):proposer.end(1)])
    m_num = fsearch(r"\s*(?:so\s*:?\s*)?(" + REF_NUMBER + r")", rest, match=True)
    name = ""
    if m_num and re.search(r"\d", m_num.group(1)):
        lb.ref_number = rest[m_num.start(1):m_num.end(1)]
        lb.ref_symbol = symbol_of(lb.ref_number)
        rest = rest[m_num.end():]
    elif ref_type in LAWS:
        # An unnumbered law: its name runs to the date or the number.
        m_end = fsearch(r"\s(?:so\s+" + REF_NUMBER + r"|ngay\s|duoc\s|nam\s\d{4})", rest)
        name = rest[: m_end.start()] if m_end else rest
        rest = rest[len(name):]
        m_num = fsearch(r"\s*so\s*(" + REF_NUMBER + r")", rest, match=True)
        if m_num:
            lb.ref_number = rest[m_num.start(1):m_num.end(1)]
            lb.ref_symbol = symbol_of(lb.ref_number)
            rest = rest[m_num.end():]
    elif not fsearch(r"\bngay\b|\d{1,2}/\d{1,2}/\d{4}", rest[:60]):
        return None  # "Căn cứ tình hình thực tế …": no document cited
    m_date = None
    folded = strip_marks(rest)
    for rx in (NUMERIC_DATE, WORDED_DATE):
        m = rx.search(folded)
        if m and (m_date is None or m.start() < m_date.start()):
            m_date = m
    if m_date and m_date.start() < 40:
        lb.ref_date = parse_date(m_date.group(0))[0]
        rest = rest[m_date.end():]
    if ref_type in LAWS:
        lb.ref_summary = clean_value(name) or clean_value(rest)
        m_issuer = fsearch(r"\s*cua\s+(quoc hoi|uy ban thuong vu quoc hoi)", rest.lower(), match=True)
        lb.ref_issuer = rest[m_issuer.start(1):m_issuer.end(1)] if m_issuer else ""
        return lb
    m_of = fsearch(r"\s*(?:ngay\s*)?cua\s+", rest, match=True)
    if m_of:
        rest = rest[m_of.end():]
        padded, folded_rest = " " + rest, " " + ascii_fold(rest)
        m_sum = SUMMARY_START.search(folded_rest)
        while m_sum and not (padded[m_sum.start() + 1].islower() and spelt_as_verb(padded, m_sum)):
            m_sum = SUMMARY_START.search(folded_rest, m_sum.start() + 1)
        if m_sum:  # a verb in lower case: "Giáo dục" or "huyện Phú Giáo" are names, not "giao"
            lb.ref_issuer = clean_value(rest[: max(m_sum.start() - 1, 0)])
            rest = rest[m_sum.start():]
        else:
            lb.ref_issuer, rest = clean_value(rest), ""
    # "…năm 2025, Ủy ban nhân dân xã X xây dựng Kế hoạch như sau": the plan's own sentence starts.
    own = fsearch(r",\s*(?=(?:uy ban|ubnd|so|phong|ban|trung tam|van phong)\b[^,;]*\b(?:xay dung|ban hanh)\b)", rest.lower())
    if own:
        rest = rest[: own.start()]
    m_about = fsearch(r"\s*(?:ve viec|ve|v/v)\s+", rest.lower(), match=True)
    lb.ref_summary = clean_value(rest[m_about.end():] if m_about else rest)
    return lb


def extract_legal_bases(preamble: list[Block]) -> list[LegalBasis]:
    out: list[LegalBasis] = []
    relation = "other"
    for block in preamble:
        if block.is_table:
            continue
        text = fold(block.text)
        rel, _ = lead_of(text)
        starts_with_type = re.match(r"^(?:[-+•]\s*)?(" + TYPE_AT.pattern[3:-3] + r")\s+(?:so\s*)?\S*\d", ascii_fold(text))
        if rel is None and not starts_with_type:
            continue  # narrative ("Sở … xây dựng Kế hoạch … như sau:")
        relation = rel or relation
        for piece in split_citations(text.lstrip("-+• ")):
            lb = parse_citation(piece, relation, text)
            if lb is not None:
                relation = lb.relation
                lb.seq = len(out) + 1
                out.append(stamp(lb, block))
            elif "de nghi" in ascii_fold(piece)[:20]:
                # "Xét đề nghị của …", "Theo đề nghị của …": a basis that cites no document.
                lb = LegalBasis(seq=len(out) + 1, relation=rel or relation, ref_type="Đề nghị", text=text,
                                ref_issuer=clean_value(piece[fsearch(r"^(?:xet|theo)?\s*de nghi\s+(?:cua\s+)?", piece).end():]))
                out.append(stamp(lb, block))
    return out
