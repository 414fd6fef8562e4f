"""Scans through the whole pipeline: the PDF loader hands pages without a text layer to Tesseract."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pipeline.run import extract_file

DATA = Path(__file__).parent / "data"


def test_image_only_pdf_is_read_by_ocr():
    ex = extract_file(DATA / "ocr" / "plan-scan.pdf", DATA / "ocr")
    d = ex.document
    assert (d.status, d.ocr_used, d.source_format) == ("ok", True, "pdf")
    assert (d.doc_number, d.issuer, d.issue_date) == ("215/KH-UBND", "ỦY BAN NHÂN DÂN HUYỆN CHÂU THÀNH", date(2024, 3, 12))
    assert (d.signer_authority, d.signer_title, d.signer_name) == ("TM. ỦY BAN NHÂN DÂN; KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Văn Bình")
    assert [(l.ref_number, l.ref_date) for l in ex.legal_bases] == [("1234/QĐ-UBND", date(2024, 1, 15)), ("05/NQ-HĐND", date(2023, 12, 20))]
    assert ex.budget_tables and all(t.stated_total == t.computed_total for t in ex.budget_tables)


def test_a_garbage_page_is_ocred_and_the_readable_page_kept():
    from pipeline.loaders import load

    doc = load(DATA / "loaders" / "garbage.pdf")
    assert doc.ocr_used and doc.warnings == []
    assert [b.page for b in doc.blocks] == [1, 2]
    assert doc.blocks[1].text.startswith("Trang này mất bảng mã")


@pytest.mark.parametrize("engine", ["library", "command"])
def test_without_tesseract_the_scan_is_partial_with_the_packages_named(tmp_path: Path, engine: str):
    out = tmp_path / "out"
    env = {**os.environ, "PATH": str(Path(sys.executable).parent),  # python and kehoach, no tesseract
           "TESSDATA_PREFIX": str(tmp_path / "no-tessdata"), "KEHOACH_OCR_ENGINE": engine}
    res = subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", str(DATA / "loaders" / "garbage.pdf"), "--out", str(out), "-q"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "Traceback" not in res.stderr
    with open(out / "errors.csv", encoding="utf-8-sig") as f:
        messages = [r["message"] for r in csv.DictReader(f)]
    assert any("tesseract-ocr" in m for m in messages)
    with open(out / "documents.csv", encoding="utf-8-sig") as f:
        assert [r["status"] for r in csv.DictReader(f)] == ["partial"]


def test_an_image_of_a_few_pixels_is_empty_not_corrupt(tmp_path: Path):
    from PIL import Image

    for i, (size, colour) in enumerate((((1, 1), 255), ((3, 2), 0), ((4000, 20), 0))):
        Image.new("L", size, colour).save(tmp_path / f"tiny{i}.png")
        ex = extract_file(tmp_path / f"tiny{i}.png", tmp_path)
        assert ex.document.status == "failed"
        assert [(e.error_type, e.message) for e in ex.errors] == [("empty", f"tiny{i}.png: OCR found no text in the image")]
