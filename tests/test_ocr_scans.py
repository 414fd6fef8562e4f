"""OCR of real scans (tests/data/ocr, made by make_scans.py: 200 dpi grayscale, turned < 1°,
noisy): exact key lines, table rows and figures, and the plan's records end to end.

Each scan is read once per module (about 1 s a page), so the whole file stays
well under a minute on two cores.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.loaders import ocr
from pipeline.loaders.errors import ConverterMissingError
from tests.data.ocr import make_scans

DATA = Path(__file__).parent / "data" / "ocr"

try:
    ocr.require_tesseract()
    HAVE_TESSERACT = True
except ConverterMissingError:
    HAVE_TESSERACT = False
pytestmark = pytest.mark.skipif(not HAVE_TESSERACT, reason="Tesseract with Vietnamese data is not installed")


def texts(doc_or_blocks) -> list[str]:
    blocks = getattr(doc_or_blocks, "blocks", doc_or_blocks)
    return [b.text for b in blocks if not b.is_table]


@pytest.fixture(scope="module")
def png():
    from pipeline.loaders.image import load_image

    return load_image(DATA / "plan-p1.png")


@pytest.fixture(scope="module")
def tif():
    from pipeline.loaders.image import load_image

    return load_image(DATA / "plan.tif", workers=2)


@pytest.fixture(scope="module")
def scanned_pdf():
    return ocr.load_scanned_pdf(DATA / "plan-scan.pdf", workers=2)


def test_png_page_one(png):
    assert (png.source_format, png.pages, png.ocr_used, png.warnings) == ("image", 1, True, [])
    page = texts(png)
    assert page[:8] == [t for t, _ in make_scans.HEADER_LEFT + make_scans.HEADER_RIGHT] + make_scans.TITLE
    for text, _ in make_scans.PAGE1:  # every paragraph whole: wrapped lines joined, labels kept
        assert text in page
    assert len(page) == 8 + len(make_scans.PAGE1)
    assert all(b.page == 1 and b.confidence and b.confidence > 80 for b in png.blocks)


def test_tiff_two_pages_with_the_budget_table(tif):
    assert (tif.pages, tif.ocr_used) == (2, True)
    tables = tif.tables()
    assert len(tables) == 1 and tables[0].page == 2
    assert tables[0].rows == make_scans.TABLE
    assert tables[0].confidence > 80
    body = texts(tif)
    assert "Bằng chữ: Hai mươi mốt triệu một trăm bảy mươi nghìn đồng." in body
    assert body[-7:] == [t for t, _ in make_scans.SIGN_LEFT + make_scans.SIGN_RIGHT if t]
    # the table sits between the paragraph that announces it and the amount in words
    kinds = [(b.kind, b.text[:10]) for b in tif.blocks if b.page == 2][:4]
    assert kinds == [("paragraph", "III. KINH "), ("paragraph", "Dự toán ki"), ("table", ""), ("paragraph", "Bằng chữ: ")]


def test_jpg_table_figures():
    from extractors.figures import parse_figure
    from pipeline.loaders.image import load_image

    doc = load_image(DATA / "plan-p2.jpg")
    rows = doc.tables()[0].rows
    assert rows == make_scans.TABLE
    amounts = [parse_figure(r[4], ocr=True).value for r in rows[1:]]
    assert amounts == [5_000_000, 3_000_000, 9_000_000, 1_800_000, 2_370_000, 21_170_000]
    assert sum(amounts[:-1]) == amounts[-1]


def test_scanned_pdf(scanned_pdf, tif):
    assert (scanned_pdf.source_format, scanned_pdf.pages, scanned_pdf.ocr_used) == ("pdf", 2, True)
    assert scanned_pdf.tables()[0].rows == make_scans.TABLE
    assert texts(scanned_pdf)[:8] == texts(tif)[:8]


def test_ocr_pdf_pages_for_the_pdf_loader():
    blocks = ocr.ocr_pdf_pages(DATA / "plan-scan.pdf", [2])
    assert {b.page for b in blocks} == {2}
    assert [b.rows for b in blocks if b.is_table] == [make_scans.TABLE]
    assert all(b.confidence is not None for b in blocks)


def test_scan_agrees_with_the_text_pdf(tif):
    """The same table, row for row, from the text layer and from the scan."""
    try:
        from pipeline.loaders.pdf import load_pdf
    except ImportError:
        pytest.skip("no PDF loader yet")
    text_doc = load_pdf(DATA / "plan.pdf")
    assert [t.rows for t in text_doc.tables()] == [t.rows for t in tif.tables()]


def test_records_from_the_scan(tif, tmp_path):
    """End to end: the scan gives the plan's records, and no finding comes from a misread figure."""
    from pipeline.run import extract_document

    ex = extract_document(tif)
    d = ex.document
    assert (d.doc_number, d.issue_place, str(d.issue_date), d.title) == (
        "215/KH-UBND", "Châu Thành", "2024-03-12", "Tổ chức Hội thi tuyên truyền về chuyển đổi số năm 2024")
    assert [(b.relation, b.ref_type, b.ref_number, str(b.ref_date)) for b in ex.legal_bases] == [
        ("can_cu", "Quyết định", "1234/QĐ-UBND", "2024-01-15"), ("can_cu", "Nghị quyết", "05/NQ-HĐND", "2023-12-20")]
    assert [(l.row, l.quantity, l.unit_price, l.amount, l.is_total) for l in ex.budget_lines] == [
        (1, 1, 5_000_000, 5_000_000, False), (2, 150, 20_000, 3_000_000, False), (3, 6, 1_500_000, 9_000_000, False),
        (4, 120, 15_000, 1_800_000, False), (5, 1, 2_370_000, 2_370_000, False), (6, None, None, 21_170_000, True)]
    assert [(t.stated_total, t.words_amount) for t in ex.budget_tables] == [(21_170_000, 21_170_000)]
    assert ex.flags == []
    assert d.ocr_used is True


def test_make_scans_is_reproducible(tmp_path):
    """The kept scans are what the script makes (so a change to it must come with new files)."""
    import numpy as np
    from PIL import Image

    make_scans.save_all(tmp_path)
    for name in ("plan-p1.png", "plan-p2.jpg", "reread-small.jpg", "reread-error.jpg"):
        a, b = (np.asarray(Image.open(folder / name).convert("L"), dtype=np.float32) for folder in (DATA, tmp_path))
        assert a.shape == b.shape
        assert np.abs(a - b).mean() < 1.0  # JPEG encoders may differ by a level here and there


# --- Figures read again before anything is flagged (make_scans: reread-small.jpg, reread-error.jpg) -------

def test_cell_confidence_per_cell(tif):
    table = tif.tables()[0]
    assert [len(r) for r in table.cell_confidence] == [len(r) for r in table.rows]
    for row, confs in zip(table.rows, table.cell_confidence):
        for text, conf in zip(row, confs):
            assert (conf is None) == (text == "") and (conf is None or 0 <= conf <= 100)
    filled = [c for r in table.cell_confidence for c in r if c is not None]
    assert min(filled) <= table.confidence <= max(filled)


@pytest.mark.parametrize("engine", ["library", "command"])
def test_a_figure_printed_small_is_read_again(monkeypatch, engine):
    """Row 3's amount (6 × 1.500.000) is printed in a 4.3 pt font: the page read takes it for 3.000.000;
    read again, enlarged to the table's own figures with digits only, it is 9.000.000. (Debian's
    Tesseract 5.3; Tesseract 5.5 reads it right the first time.)"""
    from PIL import Image

    from pipeline.loaders.ocr import tables as ocr_tables
    from pipeline.run import extract_document

    monkeypatch.setenv("KEHOACH_OCR_ENGINE", engine)
    image = Image.open(DATA / "reread-small.jpg")
    with monkeypatch.context() as m:
        m.setattr(ocr_tables, "REREAD_SCALES", ())
        first = next(b for b in ocr.read_page(image, 1, 200).blocks if b.is_table)
    assert first.rows[3][4] == "3.000.000"  # the misreading the re-read has to repair

    result = ocr.read_page(image, 1, 200)
    table = next(b for b in result.blocks if b.is_table)
    assert table.rows == make_scans.TABLE
    assert table.cell_confidence[3][4] >= 85  # the re-read's confidence, not the misreading's
    from models.document import Document

    ex = extract_document(Document("reread-small.jpg", "image", result.blocks, pages=1, ocr_used=True))
    assert [l.amount for l in ex.budget_lines] == [5_000_000, 3_000_000, 9_000_000, 1_800_000, 2_370_000, 21_170_000]
    assert ex.flags == []


def test_a_real_error_survives_the_reread(monkeypatch):
    """Row 4 really is wrong in the plan (120 × 15.000 printed as 1.900.000): it is read again, every reading
    repeats it, and the finding stands as an error without an OCR caveat."""
    from pipeline.loaders.ocr import tables as ocr_tables
    from pipeline.run import extract_file

    reread = []
    original = ocr_tables._reread
    monkeypatch.setattr(ocr_tables, "_reread", lambda gray, ink, cells, *a: (
        reread.extend((c.row, c.col) for c in cells), original(gray, ink, cells, *a))[1])
    ex = extract_file(DATA / "reread-error.jpg", DATA)
    assert {(4, 2), (4, 3), (4, 4)} <= set(reread)
    assert [(f.check, f.severity, f.row, f.expected, f.found) for f in ex.flags] == [
        ("line_arithmetic", "error", 4, "1800000", "1900000")]
    assert "OCR" not in ex.flags[0].message
    line = next(l for l in ex.budget_lines if l.row == 4)
    assert line.ocr_confidence is not None and line.ocr_confidence >= 85
