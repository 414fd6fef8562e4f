"""`extractors.tables.analyse` (column roles, a numbering column found by its body); surname and split repairs."""
from __future__ import annotations

from extractors.tables import analyse


def test_columns_by_name():
    rows = [["TT", "Hạng mục", "ĐVT", "SL", "Đơn giá", "Thành tiền"], ["1", "Bàn", "cái", "2", "5", "10"]]
    layout = analyse(rows)
    assert layout.columns == {"stt": 0, "item": 1, "unit": 2, "quantity": 3, "unit_price": 4, "amount": 5}
    assert layout.header_rows == 1 and layout.is_budget


def test_a_numbering_column_with_a_misread_or_blank_header():
    """OCR read "STT" as "sm"; another plan leaves the head blank: the labels below (I, 1, 2 …, II …) say
    what the column is, and group rows can then be told from lines."""
    body = [["I", "HUYỆN A", "", "", "", "51.000.000"], ["1", "Xã B", "Mũi", "920", "12.000", "11.040.000"],
            ["2", "Xã C", "Mũi", "780", "12.000", "9.360.000"], ["", "Tổng cộng", "", "", "", "20.400.000"],
            ["Bằng chữ: Hai mươi triệu bốn trăm nghìn đồng.", "", "", "", "", ""]]
    for head in ("sm", "", "S TT"):
        layout = analyse([[head, "Nội dung", "ĐVT", "Số lượng", "Mức chi", "Thành tiền"]] + body)
        assert layout.columns["stt"] == 0, head


def test_a_first_column_of_names_is_not_numbering():
    rows = [["Đơn vị", "Số lượng", "Kinh phí"], ["Xã A", "10", "5"], ["Xã B", "12", "6"]]
    assert "stt" not in analyse(rows).columns
    rows = [["Mã", "Nội dung", "Kinh phí"], ["A1", "Xăng", "5"], ["B2", "Dầu", "6"]]  # codes, not a count
    assert "stt" not in analyse(rows).columns


def test_a_surname_misread_by_one_mark():
    from extractors.header import fix_surname

    assert fix_surname("Đỉnh Thị Thu Hà") == "Đinh Thị Thu Hà"
    assert fix_surname("ĐỈNH THỊ THU HÀ") == "ĐINH THỊ THU HÀ"
    assert fix_surname("Nguyễn Văn Bình") == "Nguyễn Văn Bình"
    assert fix_surname("Nguyen Van Binh") == "Nguyen Van Binh"  # no marks at all: left as written
    assert fix_surname("Đoản Văn An") == "Đoản Văn An"  # Đoàn or Doãn: not guessed


def test_a_split_part_named_with_a_year():
    from extractors.budget import parse_split

    text = "ngân sách sự nghiệp giáo dục năm 2025 159.200.000 đồng; Chương trình mục tiêu quốc gia 60.000.000 đồng."
    assert parse_split(text) == [("ngân sách sự nghiệp giáo dục năm 2025", 159_200_000),
                                 ("Chương trình mục tiêu quốc gia", 60_000_000)]
    assert parse_split("Ngân sách quận: 30.000.000 đồng (chiếm 60%); xã hội hóa 1,5 tỷ đồng") == [
        ("Ngân sách quận", 30_000_000), ("xã hội hóa", 1_500_000_000)]
