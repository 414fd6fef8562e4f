"""A Roman label OCR read one stroke short ("I." for "II.") is the expected label when the next label
follows it; typed text keeps the finding (a real repeat)."""
from __future__ import annotations

from extractors.sections import build_sections
from models.document import Block


def tree(confidence):
    blocks = [Block("paragraph", "I. MỤC ĐÍCH", confidence=confidence), Block("paragraph", "1. Mục đích", confidence=confidence),
              Block("paragraph", "I. NỘI DUNG", confidence=confidence), Block("paragraph", "1. Tập huấn", confidence=confidence),
              Block("paragraph", "III. KINH PHÍ", confidence=confidence)]
    return build_sections(blocks)


def test_a_stroke_lost_by_ocr_is_no_finding():
    t = tree(82.0)
    assert [s.section_id for s in t.sections] == ["I", "I.1", "II", "II.1", "III"]
    assert t.flags == []


def test_typed_text_keeps_the_repeat():
    t = tree(None)
    assert [s.section_id for s in t.sections] == ["I", "I.1", "I~2", "I~2.1", "III"]
    assert [(f.check, f.expected, f.found) for f in t.flags] == [("numbering", "II", "I"), ("numbering", "II", "III")]
