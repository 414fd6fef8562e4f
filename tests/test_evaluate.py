"""`pipeline.evaluate`: exact scores on a tiny hand-made case, and the command on two fixture plans."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from models.records import DocumentRecord, Extraction, Flag, LegalBasis
from pipeline.evaluate import evaluate, find_pairs, main, soft, strict

PLANS = Path(__file__).parent / "fixtures" / "plans"


def tiny() -> tuple[Extraction, dict]:
    expected = {
        "documents": [{"issuer": "SỞ Y TẾ", "title": "Kế hoạch A"}],
        "legal_bases": [
            {"seq": 1, "ref_number": "1/QĐ-UBND", "ref_issuer": "UBND tỉnh"},
            {"seq": 2, "ref_number": "2/KH-UBND", "ref_issuer": "Sở Y tế"},
            {"seq": 3, "ref_number": "3/CT-TTg", "ref_issuer": "Thủ tướng Chính phủ"},
        ],
        "flags": [{"check": "table_sum", "table_id": "T1", "row": 3, "section_id": "I", "expected": "10", "found": "12"}],
    }
    ex = Extraction(
        document=DocumentRecord(source_format="txt", issuer="SỞ  Y TẾ", title="kế hoạch a"),
        legal_bases=[
            LegalBasis(seq=1, ref_number="1/QĐ-UBND", ref_issuer="UBND tỉnh"),  # exact
            LegalBasis(seq=2, ref_number="2/KH-UBND", ref_issuer="So Y Te."),  # issuer equal only softly
            LegalBasis(seq=4, ref_number="4/QĐ-UBND", ref_issuer="UBND tỉnh"),  # spurious; seq 3 is missing
        ],
        flags=[Flag(check="numbering", severity="warning", section_id="II", expected="III", found="IV")],
    )
    return ex, expected


def test_normalisation():
    assert strict("  Sở\u00a0Y   tế ") == "Sở Y tế" and strict(None) == "" and strict(False) == "false" and strict(3) == "3"
    assert strict("Tha\u0301ng") == "Tháng"  # NFD input compares equal to NFC
    assert soft("Sở Y Tế.") == soft("so y te") == "so y te" and soft("Đà Nẵng, (b/c)") == "da nang b c"


def test_exact_scores_on_a_tiny_case():
    report = evaluate([tiny()])
    assert report.formats() == ["txt"]
    t = report.for_format("txt")
    assert set(t) == {"documents", "legal_bases", "flags"}  # tables no expected file lists are not scored

    doc = t["documents"]
    assert (doc.strict["issuer"].correct, doc.strict["title"].correct, doc.soft["title"].correct) == (1, 0, 1)
    assert (doc.micro("strict").precision, doc.micro("strict").recall, doc.micro("soft").f1) == (0.5, 0.5, 1.0)
    assert (doc.exact_records, doc.accuracy) == (0, 0.0)

    lb = t["legal_bases"]
    s, o = lb.micro("strict"), lb.micro("soft")
    assert (s.expected, s.extracted, s.correct) == (9, 9, 5)  # 3 fields × (3 expected | 2 matched + 1 spurious)
    assert (o.expected, o.extracted, o.correct) == (9, 9, 6)
    assert s.precision == pytest.approx(5 / 9) and o.f1 == pytest.approx(2 / 3)
    assert lb.strict["ref_issuer"].as_dict() == {"expected": 3, "extracted": 3, "correct": 1,
                                                  "precision": 0.3333, "recall": 0.3333, "f1": 0.3333}
    assert (lb.expected_records, lb.extracted_records, lb.matched_records, lb.exact_records) == (3, 3, 2, 1)
    assert lb.record_score.precision == pytest.approx(1 / 3)
    assert lb.accuracy == 0.25  # 1 exact / (3 expected + 1 spurious)

    fl = t["flags"]
    s = fl.micro("strict")
    assert (s.expected, s.extracted, s.correct, s.f1) == (6, 4, 0, 0.0)  # the spurious flag's 4 non-empty fields
    assert fl.accuracy == 0.0

    d = report.as_dict()
    assert d["txt"]["documents"] == 1
    assert d["txt"]["tables"]["legal_bases"]["records"]["accuracy"] == 0.25
    assert d["txt"]["tables"]["legal_bases"]["soft"]["f1"] == pytest.approx(0.6667)


def test_expected_files_match_documents_by_stem(tmp_path):
    for name in ("a.txt", "a.docx", "a.pdf", "a.expected.json", "b.md", "c.txt", "c.expected.json", "notes.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    pairs = [(d.name, e.name) for d, e in find_pairs(tmp_path)]
    assert pairs == [("a.docx", "a.expected.json"), ("a.pdf", "a.expected.json"), ("a.txt", "a.expected.json"),
                     ("c.txt", "c.expected.json")]


def test_command_on_two_fixture_plans(tmp_path, capsys):
    for stem, ext in (("hoavang-phongvhtt-ngay-sach-2025", "txt"), ("tuyphuoc-ubnd-huyen-pbgdpl-2025", "md")):
        shutil.copy(PLANS / f"{stem}.{ext}", tmp_path)
        shutil.copy(PLANS / f"{stem}.expected.json", tmp_path)
    out = tmp_path / "scores" / "eval.json"
    assert main([str(tmp_path), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "== md: 1 document(s) ==" in printed and "== txt: 1 document(s) ==" in printed and "== all: 2" in printed
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(scores) == ["all", "md", "txt"]
    for fmt in ("txt", "md"):
        tables = scores[fmt]["tables"]
        # Both plans are extracted without a defect: every score is perfect.
        assert all(t["strict"]["f1"] == 1.0 and t["records"]["accuracy"] == 1.0 for t in tables.values()), fmt
    assert scores["md"]["tables"]["flags"]["records"]["expected"] == 1  # tuyphuoc's injected line_arithmetic
    assert scores["all"]["tables"]["budget_lines"]["records"]["expected"] == 10


def test_command_refuses_a_folder_without_expected_files(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert "no document" in capsys.readouterr().err


def test_differences_name_every_wrong_field():
    from pipeline.evaluate import differences

    ex, expected = tiny()
    ex.document.source_path = "a.txt"
    assert differences(ex, expected) == [  # (the issuer's double space is no difference)
        "a.txt: documents (1,) title: expected 'Kế hoạch A', got 'kế hoạch a'",
        "a.txt: legal_bases (2, 1) ref_issuer: expected 'Sở Y tế', got 'So Y Te.'",
        "a.txt: legal_bases (3, 1): missing",
        "a.txt: legal_bases (4, 1): not expected",
        "a.txt: flags ('table_sum', 'T1', 3, 'I', 1): missing",
        "a.txt: flags ('numbering', '', None, 'II', 1): not expected",
    ]
