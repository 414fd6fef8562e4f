"""The two real plans, end to end, with exact expected values: from their original text and Markdown,
and re-created as Word files (typed labels, and Word auto-numbering) and as PDFs
(tests/data/samples/make_sample_formats.py), which must give the same records."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.run import extract_file

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
FORMATS = Path(__file__).resolve().parent / "data" / "samples"
KG = [RAW / "kiengiang-stttt-2024.txt", FORMATS / "kiengiang-stttt-2024.docx", FORMATS / "kiengiang-stttt-2024.pdf"]
KT = [RAW / "kientuong-ubnd-2024.md", FORMATS / "kientuong-ubnd-2024.docx", FORMATS / "kientuong-ubnd-2024-autonum.docx",
      FORMATS / "kientuong-ubnd-2024.pdf"]


@pytest.fixture(scope="module", params=KG, ids=lambda p: p.name)
def kg(request):
    return extract_file(request.param, request.param.parent)


@pytest.fixture(scope="module", params=KT, ids=lambda p: p.name)
def kt(request):
    return extract_file(request.param, request.param.parent)


def test_kiengiang_header(kg):
    d = kg.document
    assert d.status == "ok" and d.source_path.startswith("kiengiang-stttt-2024.")
    assert (d.doc_type, d.doc_number, d.doc_symbol) == ("Kế hoạch", "/KH-STTTT", "KH-STTTT")
    assert (d.issuer, d.parent_issuer, d.issuer_inferred) == ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "UBND TỈNH KIÊN GIANG", True)
    assert (d.issue_place, d.issue_date, d.issue_year, d.issue_month, d.issue_day) == ("Kiên Giang", None, 2024, None, None)
    assert d.title == "Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia và Ngày chuyển đổi số tỉnh Kiên Giang năm 2024"
    assert (d.signer_authority, d.signer_title, d.signer_name) == ("", "GIÁM ĐỐC", "Võ Minh Trung")
    assert d.recipients == "Ban Giám đốc Sở; Các phòng, Trung tâm thuộc Sở; Lưu: VT, CĐS (ptthong)"
    assert d.stated_total_vnd == 200_000_000 and d.stated_total_words_amount == 200_000_000
    assert d.pages == 6  # the docx's estimated by the flow model: the same as the pdf and LibreOffice


def test_kiengiang_legal_bases(kg):
    got = [(l.relation, l.ref_type, l.ref_number, l.ref_date, l.ref_issuer) for l in kg.legal_bases]
    assert got == [
        ("can_cu", "Quyết định", "505/QĐ-TTg", date(2022, 4, 22), "Thủ tướng Chính phủ"),
        ("can_cu", "Quyết định", "934/QĐ-BTTTT", date(2024, 6, 7), "Bộ Thông tin và Truyền thông"),
        ("can_cu", "Quyết định", "2426/QĐ-UBND", date(2022, 9, 30), "UBND tỉnh"),
        ("can_cu", "Quyết định", "841/QĐ-UBND", date(2024, 4, 10), "Ủy ban nhân tỉnh"),
        ("thuc_hien", "Kế hoạch", "277/KH-UBND", date(2024, 9, 11), "UBND tỉnh"),
    ]
    assert kg.legal_bases[0].ref_summary == "Ngày Chuyển đổi số quốc gia"
    assert kg.legal_bases[3].ref_summary == "phân bổ kinh phí thực hiện chuyển đổi số trên địa bàn tỉnh Kiên Giang năm 2024"


def test_kiengiang_sections(kg):
    ids = [s.section_id for s in kg.sections]
    assert ids[:8] == ["I", "I.1", "I.2", "II", "II.1", "II.2", "II.3", "II.3.3.1"]
    assert "II.3.3.2~2" in ids and ids.index("II.3.3.2~2") > ids.index("II.3.3.2.d")
    assert ids[-5:] == ["II.4", "II.5", "II.5.5.1", "II.5.5.2", "II.5.5.3"]
    by = {s.section_id: s for s in kg.sections}
    s = by["II.3.3.2"]
    assert (s.parent_id, s.level, s.label) == ("II.3", 3, "3.2.")
    assert s.title == "Tổ chức Lễ mít tinh hưởng ứng Ngày Chuyển đổi quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang (10/10)"
    assert (s.time_text, s.location) == ("Dự kiến ngày 08/10/2024", "tại thành phố Rạch Giá")
    assert s.participants_text.startswith("Dự kiến khoảng 300 đại biểu; Lãnh đạo Tỉnh ủy, HĐND, UBND")
    assert by["II.3.3.2~2"].time_text == "Dự kiến ngày 27/9/2024"
    assert by["II.3.3.3"].time_text == "Tháng 9/2024; Dự kiến ngày 08/10/2024 tại Lễ mít tinh hưởng ứng Ngày Chuyển đổi quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang"
    assert by["II.4"].title == "Kinh phí thực hiện"


def test_kiengiang_attendance(kg):
    got = [(a.section_id, a.count, a.approx, a.unit, a.source) for a in kg.attendance]
    assert got == [("II.3.3.2.c", 300, True, "đại biểu", "text"), ("II.3.3.2~2.c", 1000, True, "đại biểu", "text"),
                   ("II.3.3.4.c", 550, True, "đại biểu", "text")]


def test_kiengiang_findings(kg):
    got = sorted((f.check, f.severity, f.section_id, f.expected, f.found) for f in kg.flags)
    assert got == [("date_conflict", "warning", "II.3.3.2~2.d", "2024-10-08", "2024-10-04"),
                   ("numbering", "warning", "II.3.3.2~2", "3.3", "3.2")]
    assert kg.document.n_flags == 2


def test_kientuong_header(kt):
    d = kt.document
    assert (d.doc_number, d.doc_symbol, d.doc_type) == ("/KH-UBND", "KH-UBND", "Kế hoạch")
    assert (d.issuer, d.parent_issuer, d.issuer_inferred) == ("ỦY BAN NHÂN DÂN THỊ XÃ KIẾN TƯỜNG", "", True)
    assert (d.issue_place, d.issue_year, d.issue_month, d.issue_day, d.issue_date) == ("Kiến Tường", 2024, 9, None, None)
    assert d.title == "Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn thị xã Kiến Tường năm 2024"
    assert (d.signer_authority, d.signer_title, d.signer_name) == ("TM. ỦY BAN NHÂN DÂN; KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Thị Lụa")
    assert d.stated_total_vnd == 46_670_000 and d.stated_total_words_amount == 46_670_000
    assert d.funding_split == "vận động xã hội hóa: 23400000; chi từ ngân sách nhà nước: 23270000"


def test_kientuong_legal_basis(kt):
    [lb] = kt.legal_bases
    assert (lb.relation, lb.ref_type, lb.ref_number, lb.ref_date, lb.ref_issuer) == (
        "thuc_hien", "Kế hoạch", "2663/KH-UBND", date(2024, 9, 9), "UBND tỉnh Long An")
    assert lb.ref_summary == "tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn tỉnh Long An năm 2024"


def test_kientuong_sections(kt):
    by = {s.section_id: s for s in kt.sections}
    assert [s.section_id for s in kt.sections if s.level == 1] == ["I", "II", "III", "IV", "V", "PL1", "PL2"]
    assert [s.section_id for s in kt.sections if s.parent_id == "V"] == [f"V.{i}" for i in range(1, 11)]
    assert [s.section_id for s in kt.sections if s.parent_id == "PL2"] == [f"PL2.{i}" for i in range(1, 7)]
    s = by["III.1"]
    assert s.lead_agency == "Phòng Văn hóa và Thông tin; Trung Tâm Văn hóa, Thông tin và Truyền thanh; Ủy ban nhân dân các xã, phường"
    assert s.coordinating_agencies == "Các cơ quan, ban ngành, đoàn thể thị xã; Ủy ban nhân dân các xã, phường"
    assert s.time_text == "Từ ngày 20/9/2024 đến ngày 20/10/2024"
    assert (by["III.3"].time_text, by["III.3"].location) == ("07h ngày 08/10/2024 (thực hiện trong 2 ngày)", "Sân khấu Nhà thiếu nhi củ")
    assert by["III.5"].time_text == "Tổ chức họp mặt Tổ Công nghệ số cộng đồng: Ngày 10/10/2024; Tổ chức triển lãm: Ngày 09 -10/10/2024"
    assert by["PL1"].title == "DANH SÁCH THÀNH PHẦN THAM DỰ HỢP MẶT"


def test_kientuong_attendance(kt):
    text = {(a.section_id, a.count, a.approx) for a in kt.attendance if a.source == "text"}
    assert ("III.4", 130, True) in text and ("III.3", 70, False) in text and ("III.3", 40, False) in text
    table = [(a.group, a.count, a.is_subtotal, a.is_total) for a in kt.attendance if a.source == "table"]
    assert table[0] == ("ĐẠI BIỂU TỈNH", 1, True, False)
    assert ("CÁC CƠ QUAN, ĐƠN VỊ THỊ XÃ", 120, True, False) in table
    assert ("CÁC DOANH NGHIỆP VIỄN THÔNG THỊ XÃ", 6, True, False) in table
    assert table[-1] == ("TỔNG CỘNG", 127, False, True)
    assert len(table) == 21


def test_kientuong_budget(kt):
    tables = [(t.table_id, t.section_id, t.stated_total, t.computed_total, t.words_amount) for t in kt.budget_tables]
    assert tables == [
        ("T2", "PL2.1", 6_950_000, 6_950_000, 6_950_000), ("T3", "PL2.2", 16_320_000, 16_320_000, 16_320_000),
        ("T4", "PL2.3", 8_400_000, 8_400_000, 8_400_000), ("T5", "PL2.4", 9_000_000, 9_000_000, 9_000_000),
        ("T6", "PL2.5", 2_500_000, 2_500_000, 2_500_000), ("T7", "PL2.6", 3_500_000, 3_500_000, 3_500_000),
    ]
    lines = [(l.table_id, l.row, l.item, l.quantity, l.unit_price, l.amount) for l in kt.budget_lines if not l.is_total]
    assert len(lines) == 16
    assert lines[:5] == [
        ("T2", 1, "Nước uống", 127, 20_000, 2_540_000), ("T2", 2, "Hỗ trợ tiền ăn", 127, 30_000, 3_810_000),
        ("T2", 3, "Bảng tên", 8, 200_000, 200_000), ("T2", 4, "Phong nền màn hình LED", 1, 200_000, 200_000),
        ("T2", 5, "Bồi dưỡng kỹ thuật, vệ sinh, trật tự", 1, 200_000, 200_000)]
    assert ("T4", 2, "Khen cá nhân", 6, 700_000, 4_200_000) in lines
    assert ("T5", 5, "Bồi dưỡng cho đoàn viên thanh niên", 40, 50_000, 2_000_000) in lines
    malformed = {(l.table_id, l.row): l.raw_unit_price for l in kt.budget_lines if l.malformed_fields}
    assert malformed == {("T4", 2): "7.00.000", ("T5", 5): "50.0000"}
    totals = [(l.table_id, l.row, l.amount) for l in kt.budget_lines if l.is_total]
    assert totals == [("T2", 6, 6_950_000), ("T3", 3, 16_320_000), ("T4", 3, 8_400_000), ("T5", 6, 9_000_000),
                      ("T6", 2, 2_500_000), ("T7", 2, 3_500_000)]
    assert kt.budget_tables[0].words_text == "Sáu triệu chín trăm năm mươi nghìn đồng"


def test_kientuong_findings(kt):
    got = sorted((f.check, f.severity, f.table_id, f.row, f.expected, f.found) for f in kt.flags)
    assert got == [
        ("line_arithmetic", "error", "T2", 3, "1600000", "200000"),
        ("line_arithmetic", "error", "T3", 1, "3600000", "1920000"),
        ("line_arithmetic", "warning", "T6", 1, "35000000", "2500000"),
        ("line_arithmetic", "warning", "T7", 1, "87500000", "3500000"),
        ("malformed_number", "warning", "T4", 2, "700000", "7.00.000"),
        ("malformed_number", "warning", "T5", 5, "50000", "50.0000"),
        ("numbering", "warning", "T1", 17, "III", "IV"),
    ]
    # The consistent parts raise nothing: sums, words, grand total 46.670.000 and its split.
    assert not {f.check for f in kt.flags} & {"table_sum", "amount_in_words", "grand_total", "funding_split", "attendance_sum"}
