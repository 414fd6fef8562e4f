"""The command line on real folders: contract-valid output, bad files contained, clear exits."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.run import extract_file

ROOT = Path(__file__).resolve().parents[1]
CHECK_CONTRACT = ROOT.parent / "shared" / "tools" / "check_contract.py"


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture()
def mixed_folder(tmp_path: Path) -> Path:
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    for f in (ROOT / "data" / "raw").iterdir():
        shutil.copy(f, inp / "sub" / f.name)
    (inp / "empty.txt").write_bytes(b"")
    (inp / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (inp / "menu.txt").write_text("Thực đơn hôm nay: phở bò, bún chả, cà phê sữa đá.\nGiá 45.000 đồng.\n", encoding="utf-8")
    (inp / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EO")
    (inp / "fake.docx").write_text("this is not a zip file", encoding="utf-8")
    (inp / "notes.xyz").write_text("x", encoding="utf-8")
    return inp


def test_batch_keeps_going_and_keeps_the_contract(mixed_folder: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    assert main(["extract", str(mixed_folder), "--out", str(out), "-q"]) == 0
    docs = {d["source_path"]: d for d in read(out / "documents.csv")}
    assert docs["sub/kientuong-ubnd-2024.md"]["status"] == "ok"
    assert docs["sub/kiengiang-stttt-2024.txt"]["status"] == "ok"
    assert docs["empty.txt"]["status"] == "failed"
    assert docs["junk.txt"]["status"] == "failed"
    assert docs["menu.txt"]["status"] == "partial"
    assert docs["broken.pdf"]["status"] == "failed"
    assert docs["fake.docx"]["status"] == "failed"
    assert "notes.xyz" not in docs  # not a document type we read: not picked up from a folder
    errors = {(e["source_path"], e["error_type"]) for e in read(out / "errors.csv")}
    assert ("empty.txt", "empty") in errors
    assert ("junk.txt", "corrupt") in errors
    assert ("menu.txt", "not_a_plan") in errors
    assert {s for s, _ in errors} >= {"broken.pdf", "fake.docx"}
    assert len(read(out / "budget_lines.csv")) == 22
    assert not list(out.glob(".*.part"))
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    if CHECK_CONTRACT.exists():
        res = subprocess.run([sys.executable, str(CHECK_CONTRACT), str(out)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout


def test_doc_id_is_stable_across_runs(tmp_path: Path):
    a = extract_file(ROOT / "data" / "raw" / "kientuong-ubnd-2024.md", ROOT / "data" / "raw")
    copy = tmp_path / "renamed.md"
    shutil.copy(ROOT / "data" / "raw" / "kientuong-ubnd-2024.md", copy)
    b = extract_file(copy, tmp_path)
    assert a.document.doc_id == b.document.doc_id and len(a.document.doc_id) == 17 and a.document.doc_id.startswith("d")
    assert {f.doc_id for f in a.flags} == {a.document.doc_id}


def test_missing_input_is_a_usage_error(tmp_path: Path, capsys):
    assert main(["extract", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_bad_usage_exits_2():
    with pytest.raises(SystemExit) as e:
        main(["extract"])
    assert e.value.code == 2


def test_check_prints_fields_and_findings(capsys):
    assert main(["check", str(ROOT / "data" / "raw" / "kientuong-ubnd-2024.md")]) == 0
    out = capsys.readouterr().out
    assert "ỦY BAN NHÂN DÂN THỊ XÃ KIẾN TƯỜNG (inferred)" in out
    assert "line_arithmetic" in out and "Bảng tên" in out and "46.670.000" in out


def test_huge_file_is_refused_with_a_reason(tmp_path: Path, monkeypatch):
    import pipeline.run as run

    big = tmp_path / "big.txt"
    big.write_text("KẾ HOẠCH\n" * 2000, encoding="utf-8")
    monkeypatch.setattr(run, "MAX_BYTES", 1000)
    ex = extract_file(big, tmp_path)
    assert ex.document.status == "failed"
    assert ex.errors[0].error_type == "too_large" and "limit" in ex.errors[0].message
