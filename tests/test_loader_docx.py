"""DOCX loader on real Word files built with python-docx (tests/data/loaders/make_samples.py)."""
from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from pipeline.loaders.docx import load_doc, load_docx
from pipeline.loaders.errors import ConverterMissingError, CorruptFileError, EmptyDocumentError, EncryptedError, LoadError

SAMPLES = Path(__file__).parent / "data" / "loaders" / "make_samples.py"


def _samples():
    spec = importlib.util.spec_from_file_location("loader_samples", SAMPLES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def samples():
    return _samples()


@pytest.fixture(scope="module")
def plan(samples, tmp_path_factory):
    return load_docx(samples.build_docx_plan(tmp_path_factory.mktemp("docx") / "plan.docx"))


@pytest.fixture(scope="module")
def variants(samples, tmp_path_factory):
    return load_docx(samples.build_docx_variants(tmp_path_factory.mktemp("docx") / "variants.docx"))


def texts(doc):
    return [b.text for b in doc.blocks if b.kind != "table"]


def test_document_fields(plan):
    assert plan.source_format == "docx"
    assert plan.source_path.endswith("plan.docx")
    # no page breaks recorded: pages estimated by the flow model (pipeline/loaders/docx_pages.py)
    assert (plan.pages, plan.page_basis) == (2, "estimated")
    assert plan.warnings == []
    pages = [b.page for b in plan.blocks]
    assert pages[0] == 1 and set(pages) == {1, 2}


def test_header_table_is_flattened_left_column_first(plan):
    assert texts(plan)[:6] == [
        "ỦY BAN NHÂN DÂN",
        "THỊ XÃ KIẾN TƯỜNG",
        "Số: 123/KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Kiến Tường, ngày 05 tháng 9 năm 2024",
    ]
    assert plan.blocks[0].bold and not plan.blocks[2].bold


def test_soft_line_break_joins_title_and_notes_do_not_leak(plan):
    t = texts(plan)
    assert t[6] == "KẾ HOẠCH"
    assert t[7] == "Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn thị xã năm 2024"
    # footnote reference mark adds no digit, the comment's text is not in the body
    assert t[8] == ("Căn cứ Quyết định số 505/QĐ-TTg ngày 22/4/2022 của Thủ tướng Chính phủ "
                    "về Ngày Chuyển đổi số quốc gia.")
    assert not any("Kiểm tra lại" in x for x in t)


def test_word_numbering_is_rebuilt_as_printed(plan):
    t = texts(plan)
    start = t.index("I. MỤC ĐÍCH, YÊU CẦU")
    assert t[start:start + 12] == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích",
        "- Tuyên truyền về Ngày Chuyển đổi số quốc gia.",
        "• Nâng cao nhận thức của người dân.",
        "2. Yêu cầu",
        "II. NỘI DUNG",
        "1. Tổ chức các hoạt động truyền thông",
        "1.1. Tổ chức Lễ mít tinh",
        "a) Thời gian: Dự kiến ngày 08/10/2024.",
        "b) Địa điểm: Hội trường Ủy ban nhân dân thị xã.",
        "1.2. Tổ chức hội thảo",
        "2. Khen thưởng",
    ]


def test_heading_styles_give_heading_blocks(plan):
    headings = [(b.level, b.text) for b in plan.blocks if b.kind == "heading"]
    assert headings == [(1, "I. MỤC ĐÍCH, YÊU CẦU"), (2, "1. Mục đích"), (2, "2. Yêu cầu"), (1, "II. NỘI DUNG")]
    assert all(b.bold for b in plan.blocks if b.kind == "heading")


def test_hidden_deleted_inserted_sdt_and_textbox_content(plan):
    t = texts(plan)
    assert "Thành phần: khoảng 300 đại biểu. Có mời báo chí." in t  # hidden and deleted runs dropped
    assert "Nội dung trong điều khiển nội dung." in t                 # body-level content control
    assert t[t.index("Nội dung trong điều khiển nội dung.") + 1] == "Ghi chú trong khung."


def test_budget_table_merged_cells_numbered_rows_and_cell_sdt(plan):
    tables = plan.tables()
    assert tables[0].rows == [
        ["STT", "Nội dung", "Số lượng", "Thành tiền"],
        ["1", "Nước uống", "127", "2.540.000"],
        ["2", "Hỗ trợ tiền ăn", "127", "3.810.000"],
        ["3", "Bảng tên", "", "200.000"],
        ["Tổng cộng", "", "", "6.550.000"],
    ]


def test_nested_table_follows_its_outer_table(plan):
    outer, inner = plan.tables()[1:3]
    assert outer.rows == [["Hoạt động", "Chi tiết"], ["Ra quân", "Phân công: Xem bảng trên."]]
    assert inner.rows == [["Đơn vị", "Số người"], ["VNPT", "10"]]
    kinds = [b.kind for b in plan.blocks]
    assert kinds[kinds.index("table"):kinds.index("table") + 3] == ["table"] * 3


def test_tab_separated_signature_becomes_columns(plan):
    assert texts(plan)[-7:] == [
        "Nơi nhận:", "- UBND tỉnh (b/c);", "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Thị Lụa",
    ]


def test_tab_header_split_tables_page_breaks_and_style_numbering(variants):
    assert [(b.kind, b.page, b.text) for b in variants.blocks] == [
        ("paragraph", 1, "ỦY BAN NHÂN DÂN"),
        ("paragraph", 1, "HUYỆN TÂN THẠNH"),
        ("paragraph", 1, "Số: 45/KH-UBND"),
        ("paragraph", 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("paragraph", 1, "Độc lập - Tự do - Hạnh phúc"),
        ("paragraph", 1, "Tân Thạnh, ngày 10 tháng 10 năm 2024"),
        ("heading", 1, "KẾ HOẠCH"),
        ("paragraph", 1, "1. Mục đích tuyên truyền"),
        ("paragraph", 1, "1. Nội dung thứ nhất"),
        ("paragraph", 1, "2. Nội dung thứ hai"),
        ("paragraph", 2, "SỞ Y TẾ"),
        ("paragraph", 2, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("paragraph", 2, "Độc lập - Tự do - Hạnh phúc"),
        ("paragraph", 2, "Số: 7/KH-SYT"),
        ("paragraph", 2, "Long An, ngày 01 tháng 10 năm 2024"),
        ("paragraph", 2, "Đoạn văn có tab ở giữa"),
        ("paragraph", 3, "KT. GIÁM ĐỐC"),
        ("paragraph", 3, "PHÓ GIÁM ĐỐC"),
    ]
    assert (variants.pages, variants.page_basis) == (3, "explicit")  # explicit breaks, no page between them


def test_text_nfc_and_folded(plan):
    import unicodedata

    for b in plan.blocks:
        for t in [b.text] + [c for r in b.rows for c in r]:
            assert t == unicodedata.normalize("NFC", t)
            assert "  " not in t and "\t" not in t and "\n" not in t and t == t.strip()


# --- failures ---------------------------------------------------------------------

def test_zero_byte_file(tmp_path):
    with pytest.raises(EmptyDocumentError, match="empty"):
        load_docx(_samples().build_empty(tmp_path / "empty.docx"))


def test_text_file_renamed_docx(tmp_path):
    with pytest.raises(CorruptFileError, match="not a readable Word .docx file"):
        load_docx(_samples().build_text_as_docx(tmp_path / "note.docx"))


def test_zip_without_word_part(tmp_path):
    import zipfile

    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "không phải Word")
    with pytest.raises(CorruptFileError):
        load_docx(path)


def test_truncated_docx(samples, tmp_path):
    full = samples.build_docx_plan(tmp_path / "full.docx")
    cut = tmp_path / "cut.docx"
    cut.write_bytes(full.read_bytes()[:2000])
    with pytest.raises(CorruptFileError):
        load_docx(cut)


def test_password_protected_docx(tmp_path):
    # Word stores a protected .docx as an OLE container with an EncryptedPackage stream.
    path = tmp_path / "secret.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(64))
    with pytest.raises(EncryptedError, match="password"):
        load_docx(path)


def test_doc_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on this PATH
    with pytest.raises(ConverterMissingError, match="LibreOffice"):
        load_doc(path)
    with pytest.raises(ConverterMissingError):  # a .doc under a .docx name takes the same road
        renamed = tmp_path / "old.docx"
        renamed.write_bytes(path.read_bytes())
        load_docx(renamed)


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_doc_through_libreoffice(samples, tmp_path):
    import subprocess

    docx_path = samples.build_docx_variants(tmp_path / "src.docx")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([soffice, "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(docx_path)],
                   check=True, capture_output=True, timeout=120)
    doc = load_doc(tmp_path / "src.doc")
    assert "KẾ HOẠCH" in [b.text for b in doc.blocks]
    assert doc.source_path.endswith("src.doc")


def test_errors_are_load_errors():
    assert issubclass(ConverterMissingError, LoadError) and issubclass(EncryptedError, LoadError)
    assert os.path.exists(SAMPLES)


def test_signature_run_with_untabbed_line_indent_and_rendered_pages(samples, tmp_path):
    doc = load_docx(samples.build_docx_signature(tmp_path / "signature.docx"))
    assert [(b.page, b.text) for b in doc.blocks] == [
        (1, "Trên đây là Kế hoạch của Ủy ban nhân dân huyện./."),
        (1, "Nơi nhận:"), (1, "- UBND tỉnh;"), (1, "- Như trên;"), (1, "- Lưu: VT."),
        (1, "TM. ỦY BAN NHÂN DÂN"), (1, "KT. CHỦ TỊCH"), (1, "PHÓ CHỦ TỊCH"),
        (1, "Trần Văn Bình"),
        (2, "Phụ lục 1"),  # Word's rendered page break: the appendix starts page 2
        (2, "DANH SÁCH ĐẠI BIỂU"),
    ]
    assert doc.pages == 2


def test_three_column_header_with_spacer_column(tmp_path):
    import docx

    d = docx.Document()
    table = d.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "UBND TỈNH KIÊN GIANG\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    table.cell(0, 2).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    table.cell(1, 0).text = "Số:\t/KH-STTTT"
    table.cell(1, 2).text = "Kiên Giang, ngày    tháng    năm 2024"
    d.add_paragraph("KẾ HOẠCH")
    path = tmp_path / "three.docx"
    d.save(str(path))
    assert [b.text for b in load_docx(path).blocks] == [
        "UBND TỈNH KIÊN GIANG", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "Số: /KH-STTTT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Kiên Giang, ngày tháng năm 2024", "KẾ HOẠCH",
    ]


def test_runs_in_legacy_fonts_are_converted(tmp_path):
    import docx

    d = docx.Document()
    heading = d.add_paragraph().add_run("céng hßa x· héi chñ nghÜa viÖt nam")
    heading.font.name = ".VnTimeH"
    body = d.add_paragraph()
    body.add_run("KÕ ho¹ch tæ chøc ").font.name = ".VnTime"
    body.add_run("Ngaøy Chuyeån ñoåi soá").font.name = "VNI-Times"
    body.add_run(" năm 2024.").font.name = "Times New Roman"
    path = tmp_path / "legacy.docx"
    d.save(str(path))
    doc = load_docx(path)
    assert [b.text for b in doc.blocks] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Kế hoạch tổ chức Ngày Chuyển đổi số năm 2024.",
    ]
    assert doc.warnings == ["text converted from the legacy TCVN3 font encoding",
                            "text converted from the legacy VNI font encoding"]
