"""Every figure says where it was printed: the box holds the printed figure (pdfplumber's words on
PDFs, Tesseract reading the crop back on scans), the source lines hold it in text files, the block
and row hold it in DOCX; every finding points at its row."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.loaders import load
from pipeline.run import extract_file

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "tests" / "fixtures" / "plans"
OCR = ROOT / "tests" / "data" / "ocr"
SAMPLES = ROOT / "data" / "raw"  # the two real samples, as shipped in ../shared/samples
FIGURES = ("quantity", "unit_price", "amount")


def box(text: str) -> tuple[float, ...]:
    return tuple(float(v) for v in text.split(","))


def words_in(page, b: tuple[float, ...]) -> str:
    x0, y0, x1, y1 = b
    return "".join(w["text"] for w in page.extract_words()
                   if x0 - 1 <= (w["x0"] + w["x1"]) / 2 <= x1 + 1 and y0 - 1 <= (w["top"] + w["bottom"]) / 2 <= y1 + 1)


@pytest.mark.parametrize("path", sorted(PLANS.glob("*.pdf")), ids=lambda p: p.stem)
def test_pdf_figure_boxes_hold_the_printed_figure(path: Path) -> None:
    import pdfplumber

    ex = extract_file(path, path.parent)
    with pdfplumber.open(path) as pdf:
        for line in ex.budget_lines:
            assert line.page is not None and line.bbox and line.source_ref.startswith("block "), line
            for name in FIGURES:
                raw = getattr(line, f"raw_{name}")
                if raw:
                    found = words_in(pdf.pages[line.page - 1], box(getattr(line, f"{name}_bbox")))
                    assert found == raw.replace(" ", ""), (line.table_id, line.row, name)
    for flag in ex.flags:
        assert flag.page is not None and flag.bbox and flag.source_ref, flag


def test_pdf_fixtures_have_lines_to_check() -> None:
    """The test above must not pass for want of lines."""
    counts = [len(extract_file(p, p.parent).budget_lines) for p in sorted(PLANS.glob("*.pdf"))]
    assert sum(counts) >= 40 and sum(1 for c in counts if c) >= 8


def page_image(path: Path, page: int):
    """The page as printed and its resolution, by the convention of docs/conventions.md."""
    from PIL import Image

    if path.suffix == ".pdf":
        import pypdfium2 as pdfium

        return pdfium.PdfDocument(str(path))[page - 1].render(scale=300 / 72).to_pil().convert("L"), 300.0
    img = Image.open(path)
    img.seek(page - 1)
    dpi = (img.info.get("dpi") or (0,))[0]
    return img.convert("L"), float(dpi) if dpi and dpi > 10 else img.width / 8.27


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs Tesseract")
@pytest.mark.parametrize("name", ["plan-scan.pdf", "plan.tif"])
def test_scan_figure_boxes_read_back(name: str) -> None:
    """Crop each amount's box out of the page and read it again: the same digits. The figures are
    the pipeline's guarantee (re-read until the arithmetic agrees), so digits are exact here."""
    import pytesseract

    path = OCR / name
    ex = extract_file(path, path.parent)
    amounts = [l for l in ex.budget_lines if l.amount is not None]
    assert len(amounts) == 6
    for line in amounts:
        img, dpi = page_image(path, line.page)
        x0, y0, x1, y1 = (v * dpi / 72 for v in box(line.amount_bbox))
        crop = img.crop((int(x0) - 6, int(y0) - 6, int(x1) + 6, int(y1) + 6))
        read = pytesseract.image_to_string(crop, config="--psm 7 -c tessedit_char_whitelist=0123456789.,")
        assert re.sub(r"\D", "", read) == re.sub(r"\D", "", line.raw_amount), (line.row, read)
        assert box(line.bbox)[0] < box(line.amount_bbox)[0] and line.source_ref.startswith("block ")


@pytest.mark.parametrize("name", ["kientuong-ubnd-2024.md", "kiengiang-stttt-2024.txt"])
def test_text_sources_name_their_lines(name: str) -> None:
    path = SAMPLES / name
    ex = extract_file(path, path.parent)
    source = path.read_text("utf-8").split("\n")
    for line in ex.budget_lines:
        m = re.search(r"lines? (\d+)(?:-(\d+))?$", line.source_ref)
        assert m, line.source_ref
        text = " ".join(source[int(m.group(1)) - 1:int(m.group(2) or m.group(1))])
        assert line.raw_amount in text and line.item.split()[0] in text, (line.source_ref, text)
    for rows in (ex.flags, ex.legal_bases, ex.sections, ex.attendance):
        for r in rows:
            assert r.page is not None and re.search(r"^block \d+( row \d+)? lines? \d+", r.source_ref), r


def test_text_sample_lines_exactly() -> None:
    """Known lines of the Kiến Tường plan: its first budget table's 'Bảng tên' row, its numbering finding."""
    path = SAMPLES / "kientuong-ubnd-2024.md"
    ex = extract_file(path, path.parent)
    source = path.read_text("utf-8").split("\n")
    badge = next(l for l in ex.budget_lines if l.item.startswith("Bảng tên"))
    n = int(re.search(r"line (\d+)$", badge.source_ref).group(1))
    assert "Bảng tên" in source[n - 1] and badge.raw_amount in source[n - 1]
    flag = next(f for f in ex.flags if f.check == "line_arithmetic" and f.table_id == badge.table_id and f.row == badge.row)
    assert flag.source_ref == badge.source_ref and flag.page == 1


@pytest.mark.parametrize("path", sorted(PLANS.glob("*.docx"))[:6], ids=lambda p: p.stem)
def test_docx_rows_name_their_block_and_row(path: Path) -> None:
    doc = load(path)
    ex = extract_file(path, path.parent)
    for line in ex.budget_lines:
        m = re.fullmatch(r"block (\d+) row (\d+)", line.source_ref)
        assert m, line.source_ref
        block = doc.blocks[int(m.group(1)) - 1]
        assert block.is_table and line.raw_amount in block.rows[int(m.group(2)) - 1]


def test_flags_point_at_their_rows_on_generated_pdfs() -> None:
    """Plans with injected errors: each finding carries the page and box of the row it is about."""
    from tests.fixtures.corpus import extract_bytes, plan_for, render

    seen = 0
    for index in range(8):
        plan, _ = plan_for(2024, index, "pdf")
        ex = extract_bytes(render(plan, "pdf", 2024), "plan.pdf")
        lines = {(l.table_id, l.row): l for l in ex.budget_lines}
        for flag in ex.flags:
            seen += 1
            assert flag.page is not None and flag.bbox and flag.source_ref, flag
            if (flag.table_id, flag.row) in lines:
                assert flag.bbox == lines[flag.table_id, flag.row].bbox
    assert seen >= 5


def test_every_docx_budget_line_and_finding_has_a_page() -> None:
    """DOCX files without Word's rendered breaks: the flow model's pages (page_basis "estimated")."""
    for path in sorted(PLANS.glob("*.docx")):
        ex = extract_file(path, path.parent)
        assert ex.document.page_basis in ("estimated", "explicit", "rendered"), path.name
        assert all(l.page and 1 <= l.page <= ex.document.pages for l in ex.budget_lines), path.name
        assert all(f.page and 1 <= f.page <= ex.document.pages for f in ex.flags if f.table_id or f.section_id), path.name
