"""Each check alone, on small real plans run through the real pipeline, with exact findings."""
from __future__ import annotations

from pathlib import Path

from pipeline.loaders.text import parse_text
from pipeline.run import extract_document

HEAD = """ỦY BAN NHÂN DÂN
HUYỆN CHÂU THÀNH
Số: 45/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Châu Thành, ngày 12 tháng 3 năm 2025
KẾ HOẠCH
Tổ chức Ngày hội đọc sách năm 2025
Căn cứ Quyết định số 12/QĐ-UBND ngày 02/01/2025 của UBND tỉnh Hậu Giang về kế hoạch năm.
"""
TAIL = """Nơi nhận:
- Như trên;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Trần Văn Bình
"""


def run(body: str):
    ex = extract_document(parse_text(HEAD + body + TAIL, "x.txt", "txt"))
    return sorted((f.check, f.severity, f.table_id, f.row, f.expected, f.found) for f in ex.flags), ex


def table(*rows: str) -> str:
    return "\n".join(rows) + "\n"


GOOD_TABLE = table(
    "STT\tNội dung\tĐVT\tSố lượng\tĐơn giá\tThành tiền",
    "1\tNước uống\tNgười\t100\t20.000\t2.000.000",
    "2\tTài liệu\tBộ\t100\t15.000\t1.500.000",
    "\tTổng cộng\t\t\t\t3.500.000",
    "Bằng chữ: Ba triệu năm trăm nghìn đồng.",
)


def test_clean_plan_has_no_findings():
    flags, ex = run("I. NỘI DUNG\n1. Tổ chức ngày hội\n" + GOOD_TABLE
                    + "II. KINH PHÍ\nTổng kinh phí: 3.500.000 đồng (Bằng chữ: Ba triệu năm trăm nghìn đồng). "
                      "Trong đó: ngân sách huyện: 2.000.000 đồng; xã hội hóa: 1.500.000 đồng.\n")
    assert flags == []
    assert ex.document.issuer == "ỦY BAN NHÂN DÂN HUYỆN CHÂU THÀNH" and ex.document.parent_issuer == ""
    assert ex.document.issue_date.isoformat() == "2025-03-12"
    assert ex.document.stated_total_vnd == 3_500_000
    assert [l.amount for l in ex.budget_lines] == [2_000_000, 1_500_000, 3_500_000]


def test_line_arithmetic():
    flags, _ = run("I. NỘI DUNG\n" + GOOD_TABLE.replace("100\t15.000\t1.500.000", "100\t15.000\t1.600.000").replace("3.500.000", "3.600.000")
                   .replace("Ba triệu năm trăm", "Ba triệu sáu trăm"))
    assert flags == [("line_arithmetic", "error", "T1", 2, "1500000", "1600000")]


def test_table_sum():
    flags, _ = run("I. NỘI DUNG\n" + GOOD_TABLE.replace("\t3.500.000", "\t3.700.000").replace("Ba triệu năm trăm", "Ba triệu bảy trăm"))
    assert flags == [("table_sum", "error", "T1", 3, "3500000", "3700000")]


def test_amount_in_words():
    flags, _ = run("I. NỘI DUNG\n" + GOOD_TABLE.replace("Ba triệu", "Bốn triệu"))
    assert flags == [("amount_in_words", "error", "T1", None, "3500000", "4500000")]


def test_grand_total_and_funding_split():
    flags, _ = run("I. NỘI DUNG\n" + GOOD_TABLE
                   + "II. KINH PHÍ\nTổng kinh phí: 3.800.000 đồng. Trong đó: ngân sách: 2.000.000 đồng; xã hội hóa: 1.500.000 đồng.\n")
    assert flags == [("funding_split", "error", "", None, "3500000", "3800000"),
                     ("grand_total", "error", "", None, "3500000", "3800000")]


def test_malformed_number_resolved_and_unresolved():
    flags, ex = run("I. NỘI DUNG\n" + GOOD_TABLE.replace("\t15.000\t", "\t15.00\t"))
    assert flags == [("malformed_number", "warning", "T1", 2, "15000", "15.00")]
    assert ex.budget_lines[1].unit_price == 15_000 and ex.budget_lines[1].raw_unit_price == "15.00"
    flags, ex = run("I. NỘI DUNG\n" + GOOD_TABLE.replace("\t15.000\t", "\t17.00\t"))
    assert ("malformed_number", "warning", "T1", 2, "", "17.00") in flags
    assert ex.budget_lines[1].unit_price is None


def test_attendance_sum_and_count_mismatch():
    body = ("I. NỘI DUNG\n1. Hội nghị tổng kết\n- Thành phần: 60 đại biểu (Chi tiết tại Phụ lục 1).\n"
            + TAIL.replace("Nơi nhận", "Nơi nhận") .split("Nơi nhận")[0]
            )
    appendix = table("Phụ lục 1", "DANH SÁCH ĐẠI BIỂU") + table(
        "TT\tĐơn vị\tSố lượng (người)",
        "I\tKhách mời\t10",
        "1\tLãnh đạo tỉnh\t4",
        "2\tSở, ngành\t5",
        "II\tHuyện\t40",
        "1\tPhòng, ban\t25",
        "2\tXã, thị trấn\t15",
        "\tTổng cộng\t50",
    )
    ex = extract_document(parse_text(HEAD + body + TAIL + appendix, "x.txt", "txt"))
    flags = sorted((f.check, f.severity, f.table_id, f.row, f.expected, f.found) for f in ex.flags)
    assert flags == [("attendance_sum", "error", "T1", 1, "9", "10"),
                     ("count_mismatch", "warning", "T1", 7, "50", "60")]


def test_numbering_repeat_and_skip():
    flags, ex = run("I. MỤC ĐÍCH\n1. Mục đích\n2. Yêu cầu\n2. Yêu cầu khác\nIII. TỔ CHỨC THỰC HIỆN\n")
    assert flags == [("numbering", "warning", "", None, "3", "2"), ("numbering", "warning", "", None, "II", "III")]
    assert [s.section_id for s in ex.sections] == ["I", "I.1", "I.2", "I.2~2", "III"]


def test_letters_follow_vietnamese_or_latin_order():
    flags, _ = run("I. NỘI DUNG\n1. Hội thi\na) Thời gian: tháng 5\nb) Địa điểm: Hội trường\nc) Nội dung: thi\nd) Giải thưởng: 3 giải\nđ) Kinh phí: xã hội hóa\ne) Khác: không\n")
    assert flags == []
    flags, _ = run("I. NỘI DUNG\n1. Hội thi\na) Thời gian: tháng 5\nb) Địa điểm: Hội trường\nd) Nội dung: thi\n")
    assert flags == [("numbering", "warning", "", None, "c", "d")]


def test_date_conflict():
    flags, _ = run("I. NỘI DUNG\n1. Tổ chức Hội nghị tổng kết năm 2024\n- Thời gian: ngày 15/01/2025.\n"
                   "2. Phân công\nHội nghị tổng kết năm 2024 được tổ chức vào ngày 16/01/2025 tại Hội trường.\n"
                   "Phòng Nội vụ gửi tài liệu Hội nghị tổng kết năm 2024 trước ngày 10/01/2025.\n")
    assert flags == [("date_conflict", "warning", "", None, "2025-01-15", "2025-01-16")]


def test_different_events_and_deadlines_are_not_conflicts():
    flags, _ = run("I. NỘI DUNG\n1. Hội nghị sơ kết\n- Thời gian: ngày 15/6/2025.\n2. Hội nghị tổng kết\n- Thời gian: ngày 15/12/2025.\n"
                   "3. Hội thi tìm hiểu pháp luật\nVòng sơ khảo Hội thi tìm hiểu pháp luật ngày 02/5/2025. "
                   "Hội thi tìm hiểu pháp luật được tổ chức ngày 20/5/2025.\n")
    assert flags == []


def test_a_finding_on_low_confidence_ocr_is_a_warning_that_says_so():
    from models.document import Block
    from models.records import BudgetLine

    from pipeline.reconcile import line_arithmetic

    line = BudgetLine(table_id="T1", row=2, item="Tài liệu", quantity=100, quantity_value=100.0, unit_price=15_000,
                      amount=1_600_000, raw_quantity="100", ocr_confidence=61.0)
    [flag] = line_arithmetic([line], {"T1": "I"})
    assert (flag.severity, flag.expected, flag.found) == ("warning", "1500000", "1600000")
    assert "confidence 61%" in flag.message
    line.ocr_confidence = 96.0
    assert line_arithmetic([line], {"T1": "I"})[0].severity == "error"
    assert Block("table").cell_confidence == []
