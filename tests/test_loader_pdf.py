"""PDF loader on real PDFs made with fpdf2 (tests/data/loaders/make_samples.py)."""
from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

import pytest

from pipeline.loaders.errors import CorruptFileError, EmptyDocumentError, EncryptedError
from pipeline.loaders.pdf import load_pdf, unusable_pages

SAMPLES = Path(__file__).parent / "data" / "loaders" / "make_samples.py"


@pytest.fixture(scope="module")
def samples():
    spec = importlib.util.spec_from_file_location("loader_samples", SAMPLES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def plan(samples, folder):
    return load_pdf(samples.build_pdf_plan(folder / "plan.pdf"))


def paragraphs(doc):
    return [(b.page, b.text) for b in doc.blocks if b.kind != "table"]


def test_document_fields(plan):
    assert plan.source_format == "pdf"
    assert plan.pages == 3
    assert plan.warnings == []
    assert all(b.page in (1, 2, 3) for b in plan.blocks)


def test_two_column_header_left_column_first(plan):
    assert paragraphs(plan)[:8] == [
        (1, "ỦY BAN NHÂN DÂN"),
        (1, "THỊ XÃ KIẾN TƯỜNG"),
        (1, "Số: 123/KH-UBND"),
        (1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (1, "Độc lập - Tự do - Hạnh phúc"),
        (1, "Kiến Tường, ngày 05 tháng 9 năm 2024"),
        (1, "KẾ HOẠCH"),
        (1, "Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn thị xã năm 2024"),
    ]
    assert [b.bold for b in plan.blocks[:3]] == [True, True, False]


def test_wrapped_paragraphs_are_joined_and_labels_start_paragraphs(samples, plan):
    got = [t for _, t in paragraphs(plan)[8:]]
    expected = [t for t, _ in samples.PDF_PARAGRAPHS]
    assert got[:len(expected)] == expected


def test_paragraph_continued_across_page_break_keeps_its_first_page(plan):
    sixth = [b for b in plan.blocks if b.text.startswith("Nội dung yêu cầu thứ 6:")]
    assert len(sixth) == 1 and sixth[0].page == 1
    assert sixth[0].text.endswith("bảo đảm an toàn trong suốt thời gian tổ chức.")


def test_page_numbers_and_running_footer_removed(samples, plan):
    texts = [t for _, t in paragraphs(plan)]
    assert samples.RUNNING_FOOTER not in texts
    assert not any(t in ("2", "3") for t in texts)
    assert not any(samples.RUNNING_FOOTER in c for b in plan.tables() for r in b.rows for c in r)


def test_ruled_table_with_spanned_total(samples, plan):
    budget = plan.tables()[0]
    assert budget.page == 2
    assert budget.rows == samples.PDF_BUDGET + [["Tổng cộng", "", "", "", "6.550.000"]]


def test_table_continued_on_next_page_is_stitched_without_repeated_header(samples, plan):
    tables = plan.tables()
    assert len(tables) == 2
    attendance = tables[1]
    assert attendance.page == 2
    assert attendance.rows == samples.PDF_ATTENDANCE  # 1 header + 40 rows, header once


def test_tables_sit_at_their_vertical_position(plan):
    kinds = [(b.kind, b.text[:30]) for b in plan.blocks]
    i = kinds.index(("table", ""))
    assert kinds[i - 1] == ("paragraph", "Dự trù kinh phí thực hiện như ")
    assert kinds[i + 1] == ("paragraph", "Danh sách đại biểu tham dự:")
    assert kinds[i + 2][0] == "table"
    assert kinds[i + 3][1].startswith("Trên đây là Kế hoạch")


def test_signature_block_columns(plan):
    assert paragraphs(plan)[-8:] == [
        (3, "Trên đây là Kế hoạch tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn "
            "thị xã năm 2024; đề nghị các cơ quan, đơn vị triển khai thực hiện./."),
        (3, "Nơi nhận:"), (3, "- UBND tỉnh (b/c);"), (3, "- Lưu: VT."),
        (3, "TM. ỦY BAN NHÂN DÂN"), (3, "KT. CHỦ TỊCH"), (3, "PHÓ CHỦ TỊCH"), (3, "Nguyễn Thị Lụa"),
    ]


def test_text_is_nfc_and_folded(plan):
    for b in plan.blocks:
        for t in [b.text] + [c for r in b.rows for c in r]:
            assert t == unicodedata.normalize("NFC", t) and "  " not in t and t == t.strip()


def test_legacy_font_pages_are_converted(samples, folder):
    doc = load_pdf(samples.build_pdf_legacy(folder / "legacy.pdf"))
    assert paragraphs(doc) == [
        (1, samples.TCVN3_UPPER[1]),
        (1, samples.TCVN3_LINES[0][1]),
        (1, samples.TCVN3_LINES[1][1]),
        (2, samples.VNI_LINES[0][1]),
        (2, samples.VNI_LINES[1][1]),
        (3, samples.TCVN3_LINES[1][1]),  # font with a plain name: recognised by its characters
        (3, samples.TCVN3_LINES[0][1]),
    ]
    assert doc.warnings == ["pages 1, 3: text converted from the legacy TCVN3 font encoding",
                            "page 2: text converted from the legacy VNI font encoding"]
    assert unusable_pages(doc) == []


def test_cid_and_scanned_pages_are_flagged_not_passed_on(samples, folder):
    doc = load_pdf(samples.build_pdf_garbage(folder / "garbage.pdf"))
    assert paragraphs(doc) == [(1, "Trang này có lớp chữ đọc được: Kế hoạch tổ chức Ngày Chuyển đổi số.")]
    assert doc.warnings == ["page 2: no usable text layer (cid glyphs)", "page 3: no text layer (scanned?)"]
    assert unusable_pages(doc) == [2, 3]


def test_scan_only_pdf_warns_and_has_no_blocks(folder):
    from fpdf import FPDF
    from PIL import Image

    image = folder / "scan.png"
    Image.new("RGB", (200, 100), "white").save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=20, y=20, w=100)
    path = folder / "scan.pdf"
    pdf.output(str(path))
    doc = load_pdf(path)
    assert doc.blocks == []
    assert doc.warnings == ["no text layer (scanned?)", "page 1: no text layer (scanned?)"]
    assert doc.pages == 1


# --- failures ---------------------------------------------------------------------

def test_encrypted_pdf(samples, folder):
    with pytest.raises(EncryptedError, match="password-protected"):
        load_pdf(samples.build_pdf_encrypted(folder / "encrypted.pdf"))


def test_truncated_pdf(samples, folder):
    with pytest.raises(CorruptFileError, match="damaged"):
        load_pdf(samples.build_pdf_truncated(folder / "truncated.pdf"))


def test_zero_byte_pdf(samples, folder):
    with pytest.raises(EmptyDocumentError, match="empty"):
        load_pdf(samples.build_empty(folder / "empty.pdf"))


def test_text_file_named_pdf(folder):
    path = folder / "note.pdf"
    path.write_text("Đây không phải PDF", encoding="utf-8")
    with pytest.raises(CorruptFileError, match="not a PDF"):
        load_pdf(path)


def test_fake_bold_doubled_glyphs_are_read_once(samples, folder):
    pdf = samples._pdf()
    pdf.add_page()
    pdf.set_font("DejaVu", "", 12)
    for dx in (0, 0.3):  # some producers fake bold by drawing every glyph twice
        pdf.text(30 + dx, 40, "KẾ HOẠCH tổ chức Ngày Chuyển đổi số quốc gia.")
    path = folder / "doubled.pdf"
    pdf.output(str(path))
    assert paragraphs(load_pdf(path)) == [(1, "KẾ HOẠCH tổ chức Ngày Chuyển đổi số quốc gia.")]


def test_ruled_header_grid_and_staggered_signature(samples, folder):
    doc = load_pdf(samples.build_pdf_variants(folder / "variants.pdf"))
    assert doc.tables() == []
    assert [t for _, t in paragraphs(doc)] == [
        "SỞ Y TẾ TỈNH LONG AN", "Số: 9/KH-SYT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Long An, ngày 01 tháng 10 năm 2024",
        "KẾ HOẠCH",
        "Trên đây là kế hoạch của Sở Y tế tỉnh Long An đề nghị các đơn vị nghiêm túc triển khai thực hiện./.",
        "Nơi nhận:", "- Như trên;", "- Lưu: VT, NVY.",
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lê Văn Cường",
    ]


def test_header_columns_one_word_space_apart(samples, folder):
    doc = load_pdf(samples.build_pdf_tight_header(folder / "tight.pdf"))
    assert [t for _, t in paragraphs(doc)] == [
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "TỈNH KIÊN GIANG", "Số: /KH-STTTT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Kiên Giang, ngày tháng năm 2024",
        "KẾ HOẠCH",
    ]
