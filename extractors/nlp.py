"""The spaCy language layer: a blank Vietnamese pipeline with kehoach's rule component.

No model is downloaded: `spacy.blank("vi")` with its syllable tokenizer
(pyvi off) and one registered component, `kehoach_rules`, that marks legal
references, dates, money, head counts and agencies as entities. The regexes
are the extractors' own, so a user who adds the component to their pipeline
sees exactly what kehoach sees:

    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.add_pipe("kehoach_rules")
"""
from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, filter_spans

from extractors.text_utils import DOC_TYPE_RE, NUMERIC_DATE, REF_NUMBER, WORDED_DATE
from extractors.text_utils import ascii_fold
from extractors.vocab import AGENCY_HEADS, PERSON_UNITS

_UNITS = "|".join(re.escape(u) for u in sorted(set(PERSON_UNITS) | {ascii_fold(u) for u in PERSON_UNITS}, key=len, reverse=True))
_HEADS = "|".join(re.escape(h) for h in sorted(set(AGENCY_HEADS) - {"Các", "Cơ quan", "Đơn vị", "Tổ"}, key=len, reverse=True))

# Words that end an agency's name: the verb or preposition after it.
_STOP = ("tổ chức|thực hiện|chủ trì|phối hợp|hướng dẫn|triển khai|xây dựng|tham mưu|đề nghị|báo cáo|huy động|cử|bố trí|về|của|tại|trong|"
         "để|có|được|là|đã|sẽ|với|cho|theo|từ|đến|các|những|nhằm|gồm|và các")
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("LEGAL_REF", re.compile(rf"\b(?:{DOC_TYPE_RE})\s+(?:số\s*)?{REF_NUMBER}", re.I)),
    ("DATE", NUMERIC_DATE),
    ("DATE", WORDED_DATE),
    ("MONEY", re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?\s*(?:đồng|đ\b|VNĐ|triệu đồng|tỷ đồng)", re.I)),
    ("HEADCOUNT", re.compile(rf"(?<![\d.,/%])(?:\d{{1,3}}(?:\.\d{{3}})+|\d+)\s+(?:{_UNITS})(?![\wà-ỹ])", re.I)),
    ("AGENCY", re.compile(rf"\b(?:{_HEADS})(?:\s+(?!(?:{_STOP})\b)(?!\d)[\w&-]+){{1,8}}")),
]


@Language.factory("kehoach_rules")
def create_rules(nlp: Language, name: str) -> "RuleEntities":
    return RuleEntities()


class RuleEntities:
    """Marks rule matches as entities; overlapping matches keep the longest."""

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for label, rx in PATTERNS:
            for m in rx.finditer(doc.text):
                if label == "DATE" and not all(m.groups()):
                    continue  # "ngày  tháng 9 năm 2024": a date with blanks is not a full DATE
                span = doc.char_span(m.start(), m.end(), label=label, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        # An agency name never swallows a figure, a date or a head count next to it.
        strong = [s for s in spans if s.label_ != "AGENCY"]
        spans = strong + [a for a in spans if a.label_ == "AGENCY"
                          and not any(a.start < s.end and s.start < a.end for s in strong)]
        doc.ents = filter_spans(spans)
        return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """Syllables split off their punctuation: the vi tokenizer without pyvi splits on spaces only."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    d = nlp.Defaults
    nlp.tokenizer = Tokenizer(nlp.vocab, prefix_search=compile_prefix_regex(d.prefixes).search,
                              suffix_search=compile_suffix_regex(d.suffixes).search,
                              infix_finditer=compile_infix_regex(d.infixes).finditer)
    nlp.add_pipe("kehoach_rules")
    return nlp


def entities(text: str, label: str | None = None) -> list[Span]:
    return [e for e in get_nlp()(text).ents if label is None or e.label_ == label]
