"""`extractors.tables.analyse`: column roles from the header row, and a numbering column found by its body."""
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
