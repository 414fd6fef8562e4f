"""Headers of scans whose number and day are written by hand: what OCR read cleanly is kept.

An unreadable part (a handwritten number or day) stays blank; the rest of the field still stands.
"""
from __future__ import annotations

from datetime import date

import pytest

from extractors.header import extract_header
from extractors.zones import split_zones
from pipeline.loaders.text import parse_text
from pipeline.run import extract_document

BODY = """KẾ HOẠCH
Triển khai đợt cao điểm tấn công, trấn áp tội phạm về ma túy
Thực hiện Kế hoạch số 120/KH-BCA ngày 15/9/2025 của Bộ Công an.
I. MỤC ĐÍCH, YÊU CẦU
Nâng cao hiệu quả phòng, chống tội phạm về ma túy.
II. TỔ CHỨC THỰC HIỆN
Các đơn vị triển khai thực hiện.
Nơi nhận:
- Như trên;
- Lưu: VT.
CỤC TRƯỞNG
Nguyễn Văn Hùng
"""


def header_of(head: str):
    return extract_document(parse_text(head + BODY, "scan.txt", "txt")).document


def fields(d) -> tuple:
    return (d.doc_number, d.doc_symbol, d.issue_place, d.issue_day, d.issue_month, d.issue_year, d.issue_date)


def test_the_handwritten_number_and_day_of_a_real_scan():
    d = header_of("BỘ CÔNG AN\nCỤC CẢNH SÁT ĐIỀU TRA TỘI PHẠM VỀ MA TÚY\nSó: 5Ø /KH-BCA-C04\n"
                  "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                  "Hà Nội, ngàyÓ2 tháng 10 năm 2025\n")
    assert fields(d) == ("/KH-BCA-C04", "KH-BCA-C04", "Hà Nội", None, 10, 2025, None)
    assert (d.doc_type, d.doc_type_code) == ("Kế hoạch", "KH")
    assert (d.parent_issuer, d.issuer) == ("BỘ CÔNG AN", "CỤC CẢNH SÁT ĐIỀU TRA TỘI PHẠM VỀ MA TÚY")


def test_number_and_place_date_on_one_interleaved_line():
    d = header_of("BỘ CÔNG AN\nSó: 5Ø /KH-BCA-C04 Hà Nội, ngàyÓ2 tháng 10 năm 2025\n")
    assert fields(d) == ("/KH-BCA-C04", "KH-BCA-C04", "Hà Nội", None, 10, 2025, None)


@pytest.mark.parametrize("line,number", [
    ("Sô: 17/KH-UBND", "17/KH-UBND"),
    ("S0: 17/KH-UBND", "17/KH-UBND"),
    ("SỐ : 17 /KH-UBND", "17/KH-UBND"),
    ("Sỏ: 17/KH-UBND", "17/KH-UBND"),
    ("Só 17/KH-UBND", "17/KH-UBND"),
    ("Số: ....../KH-UBND", "/KH-UBND"),
    ("Số: l7/KH-UBND", "/KH-UBND"),
    ("Số: 1 7 /KH-UBND", "17/KH-UBND"),
    ("Số: 45/2025/KH-UBND", "45/2025/KH-UBND"),
])
def test_số_read_with_any_look_alike_and_a_number_that_is_not_clean(line, number):
    d = header_of(f"ỦY BAN NHÂN DÂN\nHUYỆN CHÂU THÀNH\n{line}\nChâu Thành, ngày 12 tháng 3 năm 2025\n")
    assert (d.doc_number, d.issue_place, d.issue_date) == (number, "Châu Thành", date(2025, 3, 12))


@pytest.mark.parametrize("line,parts", [
    ("Hà Nội, ngàyÓ2 tháng 10 năm 2025", ("Hà Nội", None, 10, 2025, None)),
    ("Hà Nội, ngày Ó2 tháng 10 năm 2025", ("Hà Nội", None, 10, 2025, None)),
    ("Hà Nội, ngày 02 tháng 1O năm 2025", ("Hà Nội", 2, None, 2025, None)),
    ("Hà Nội, ngảy 02 thảng 10 nắm 2025", ("Hà Nội", 2, 10, 2025, date(2025, 10, 2))),
    ("Hà Nội, ngày ... tháng 10 năm 2025", ("Hà Nội", None, 10, 2025, None)),
    ("Hà Nội, ngày?? tháng ?? năm 2025", ("Hà Nội", None, None, 2025, None)),
    ("Hà Nội. ngày 02 tháng 10 năm 2025", ("Hà Nội", 2, 10, 2025, date(2025, 10, 2))),
    ("TP. Hồ Chí Minh, ngàyÓ2 tháng 10 năm 2025", ("TP. Hồ Chí Minh", None, 10, 2025, None)),
    ("TP. Hồ Chí Minh, ngày 02 tháng 10 năm 2025", ("TP. Hồ Chí Minh", 2, 10, 2025, date(2025, 10, 2))),
    ("Hà Nội, ngày 02 tháng 10 năm 2025", ("Hà Nội", 2, 10, 2025, date(2025, 10, 2))),
])
def test_a_day_or_month_that_is_not_a_clean_number_is_blank_and_the_rest_stands(line, parts):
    d = header_of(f"BỘ CÔNG AN\nSố: 12/KH-BCA\n{line}\n")
    assert (d.issue_place, d.issue_day, d.issue_month, d.issue_year, d.issue_date) == parts
    assert d.doc_number == "12/KH-BCA"


def test_the_body_is_untouched_by_the_salvage():
    """The tolerant patterns read the header zone only: a 'Số' in the body is not the plan's number."""
    doc = parse_text("BỘ CÔNG AN\nSó: 5Ø /KH-BCA-C04\nHà Nội, ngàyÓ2 tháng 10 năm 2025\n" + BODY
                     + "Phụ lục\nSố: 99/BC-CAT ngày 01 tháng 9 năm 2025\n", "scan.txt", "txt")
    rec = extract_header(split_zones(doc))
    assert (rec.doc_number, rec.issue_month) == ("/KH-BCA-C04", 10)


def test_a_department_name_is_not_a_number_line():
    d = header_of("UBND TỈNH AN GIANG\nSỞ Y TẾ\nSố: 8/KH-SYT\nAn Giang, ngày 3 tháng 2 năm 2025\n")
    assert (d.doc_number, d.parent_issuer, d.issuer, d.issue_date) == ("8/KH-SYT", "UBND TỈNH AN GIANG", "SỞ Y TẾ", date(2025, 2, 3))
