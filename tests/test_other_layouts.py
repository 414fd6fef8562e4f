"""A plan unlike the samples: tab-separated two-column header, Sở under UBND tỉnh, laws without
number, Party directive, "Theo đề nghị", pipe table in thousands of đồng."""
from datetime import date
from pathlib import Path

from pipeline.run import extract_file

PLAN = Path(__file__).parent / "data" / "plans" / "quangnam-svhttdl-2025.txt"


def test_quangnam_plan():
    ex = extract_file(PLAN, PLAN.parent)
    d = ex.document
    assert (d.issuer, d.parent_issuer, d.doc_number, d.issue_place, d.issue_date) == (
        "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "UBND TỈNH QUẢNG NAM", "1234/KH-SVHTTDL", "Quảng Nam", date(2025, 3, 5))
    assert d.title == "Tổ chức Giải chạy việt dã truyền thống năm 2025"
    assert (d.signer_authority, d.signer_title, d.signer_name) == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lê Thị Hoa")
    assert [(l.relation, l.ref_type, l.ref_number, l.ref_date) for l in ex.legal_bases] == [
        ("can_cu", "Luật", "", date(2006, 11, 29)),
        ("can_cu", "Luật", "26/2018/QH14", date(2018, 6, 14)),
        ("can_cu", "Nghị định", "36/2019/NĐ-CP", date(2019, 4, 29)),
        ("thuc_hien", "Chỉ thị", "11-CT/TU", date(2021, 5, 5)),
        ("theo", "Đề nghị", "", None),
    ]
    assert ex.legal_bases[0].ref_summary == "Thể dục, thể thao"
    assert ex.legal_bases[3].ref_issuer == "Ban Thường vụ Tỉnh ủy"
    assert ex.legal_bases[4].ref_issuer == "Trưởng phòng Quản lý Thể dục thể thao"
    s = {s.section_id: s for s in ex.sections}["II.1"]
    assert (s.time_text, s.location) == ("ngày 20/4/2025", "Quảng trường 24/3, thành phố Tam Kỳ")
    assert s.lead_agency == "Trung tâm Huấn luyện và Thi đấu thể thao tỉnh"
    assert s.coordinating_agencies == "Công an tỉnh; Sở Y tế; Đài Phát thanh - Truyền hình Quảng Nam"
    assert [(a.section_id, a.count, a.approx, a.unit) for a in ex.attendance] == [("II.2", 1500, True, "vận động viên")]
    assert [(l.row, l.quantity, l.unit_price, l.amount, l.is_total) for l in ex.budget_lines] == [
        (1, 60, 150_000, 9_000_000, False), (2, 1500, 10_000, 15_000_000, False), (3, None, None, 24_000_000, True)]
    assert [(t.table_id, t.section_id, t.stated_total, t.words_amount) for t in ex.budget_tables] == [("T1", "III", 24_000_000, 24_000_000)]
    assert ex.flags == []


def test_commune_plan_with_dash_numbering_groups_and_no_recipients():
    plan = PLAN.parent / "xa-tanphu-2025.md"
    ex = extract_file(plan, plan.parent)
    d = ex.document
    assert (d.issuer, d.parent_issuer, d.doc_number, d.issue_date) == ("ỦY BAN NHÂN DÂN XÃ TÂN PHÚ", "", "15/KH-UBND", date(2025, 2, 20))
    assert (d.signer_title, d.signer_name) == ("CHỦ TỊCH", "NGUYỄN VĂN AN")
    assert (d.stated_total_vnd, d.stated_total_words_amount) == (12_500_000, 12_500_000)
    assert [(l.ref_type, l.ref_summary, l.ref_date) for l in ex.legal_bases] == [
        ("Luật", "Tổ chức chính quyền địa phương", date(2015, 6, 19)),
        ("Luật", "Lâm nghiệp", date(2017, 11, 15)),
        ("Kế hoạch", "tổ chức Tết trồng cây năm 2025", date(2025, 1, 10)),
    ]
    assert [s.section_id for s in ex.sections] == ["I", "II", "II.1", "II.1.a", "II.1.b", "II.1.c", "II.2", "III", "IV"]
    s = {s.section_id: s for s in ex.sections}["II.1"]
    assert (s.time_text, s.location, s.participants_text) == (
        "07 giờ 30 phút, ngày 08/02/2025", "Sân Ủy ban nhân dân xã Tân Phú", "150 người gồm cán bộ, công chức xã và Nhân dân")
    assert [(l.row, l.is_subtotal, l.is_total, l.amount) for l in ex.budget_lines] == [
        (1, True, False, 5_500_000), (2, False, False, 3_500_000), (3, False, False, 2_000_000),
        (4, True, False, 7_000_000), (5, False, False, 7_000_000), (6, False, True, 12_500_000)]
    assert [(t.title, t.stated_total, t.computed_total) for t in ex.budget_tables] == [("KINH PHÍ", 12_500_000, 12_500_000)]
    assert [(f.check, f.expected, f.found) for f in ex.flags] == [("date_conflict", "2025-02-08", "2025-02-09")]


def test_anchors_survive_ocr_that_drops_diacritics(tmp_path):
    """Every mark stripped, as a poor OCR does: "Can cu", "So:", "KE HOACH", "Tong cong", "Bang chu"."""
    import unicodedata

    text = PLAN.read_text(encoding="utf-8").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    plan = tmp_path / "ocr-like.txt"
    plan.write_text(text, encoding="utf-8")
    ex = extract_file(plan, tmp_path)
    d = ex.document
    assert (d.doc_type, d.doc_number, d.issue_date, d.issuer) == ("Kế hoạch", "1234/KH-SVHTTDL", date(2025, 3, 5), "SO VAN HOA, THE THAO VA DU LICH")
    assert [(l.relation, l.ref_number, l.ref_date) for l in ex.legal_bases] == [
        ("can_cu", "", date(2006, 11, 29)), ("can_cu", "26/2018/QH14", date(2018, 6, 14)),
        ("can_cu", "36/2019/ND-CP", date(2019, 4, 29)), ("thuc_hien", "11-CT/TU", date(2021, 5, 5)), ("theo", "", None)]
    assert ex.legal_bases[4].ref_issuer == "Truong phong Quan ly The duc the thao"
    s = {s.section_id: s for s in ex.sections}["II.1"]
    assert (s.time_text, s.lead_agency) == ("ngay 20/4/2025", "Trung tam Huan luyen va Thi dau the thao tinh")
    assert [(a.count, a.approx) for a in ex.attendance] == [(1500, True)]
    assert [(t.table_id, t.stated_total, t.words_amount) for t in ex.budget_tables] == [("T1", 24_000_000, 24_000_000)]
    assert ex.flags == []


def test_space_aligned_table_of_a_layout_text_export():
    """pdftotext -layout prints tables as space-aligned columns, with wrapped item cells."""
    plan = PLAN.parent / "cangio-vhtt-layout-2025.txt"
    ex = extract_file(plan, plan.parent)
    assert (ex.document.issuer, ex.document.parent_issuer) == ("PHÒNG VĂN HÓA VÀ THÔNG TIN", "UBND HUYỆN CẦN GIỜ")
    assert [(l.row, l.item, l.unit, l.quantity, l.unit_price, l.amount, l.is_total) for l in ex.budget_lines] == [
        (1, "Thuê âm thanh, ánh sáng", "Gói", 1, 5_000_000, 5_000_000, False),
        (2, "Giải thưởng tập thể", "Giải", 6, 1_500_000, 9_000_000, False),
        (3, "Bồi dưỡng Ban Giám khảo và Ban Tổ chức", "Người", 5, 300_000, 1_600_000, False),
        (4, "Tổng cộng", "", None, None, 15_600_000, True)]
    assert [(t.stated_total, t.computed_total, t.words_amount) for t in ex.budget_tables] == [(15_600_000, 15_600_000, 15_600_000)]
    assert [(f.check, f.row, f.expected, f.found) for f in ex.flags] == [("line_arithmetic", 3, "1500000", "1600000")]
