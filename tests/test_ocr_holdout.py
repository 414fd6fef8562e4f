"""The held-out scans, end to end: image PDFs (200 and 300 dpi), multi-page TIFFs and a JPG of plans the
pipeline was not written on, against their expected records (tests/fixtures/holdout2, holdout3).

Every expected field must come out, and no record may be missing or extra, save the OCR misreads listed
here: they are the scans' residual errors, and a change that adds or removes one shows up as a failure.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluate import differences
from pipeline.loaders import ocr
from pipeline.run import extract_file

FIXTURES = Path(__file__).parent / "fixtures"
SCANS = sorted(p for folder in ("holdout2", "holdout3") for p in (FIXTURES / folder).glob("*-scan.*")
               if p.suffix in (".pdf", ".tif", ".jpg", ".png"))
MISREADS = {  # (file) -> differences left by OCR, each a single glyph misread
    "hanam-syt-tap-huan-benh-khong-lay-nhiem-2025-scan.pdf": [
        "hanam-syt-tap-huan-benh-khong-lay-nhiem-2025-scan.pdf: budget_lines ('T1', 9, 1) unit: "
        "expected 'Người/đêm', got 'Ngườiđêm'"],
}


def test_there_are_scans_of_every_kind():
    assert {p.suffix for p in SCANS} == {".pdf", ".tif", ".jpg"} and len(SCANS) >= 6


@pytest.mark.parametrize("scan", SCANS, ids=[p.name for p in SCANS])
def test_a_held_out_scan(scan: Path):
    ocr.require_tesseract()
    ex = extract_file(scan, scan.parent)
    assert ex.document.ocr_used and ex.document.status == "ok"
    stem = scan.name[: -len(scan.suffix)]
    expected = json.loads((scan.parent / f"{stem}.expected.json").read_text(encoding="utf-8"))
    assert differences(ex, expected) == MISREADS.get(scan.name, [])
