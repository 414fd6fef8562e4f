"""The reader of tables that lost their grid (`pipeline/loaders/line_tables.py`) and a table's own
scale (`extractors/budget.own_scale`): exact values on the layouts the issue names, and properties."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.loaders.line_tables import header_of, split_row, tabify_text_tables
from pipeline.loaders.text import parse_text
from pipeline.run import extract_document

HEADER = "STT Nội dung ĐVT Số lượng Đơn giá (đồng) Thành tiền (đồng) Ghi chú"


def test_a_header_line_names_its_columns():
    h = header_of(HEADER)
    assert h.roles == ["stt", "item", "unit", "quantity", "unit_price", "amount", "note"]
    assert h.texts == ["STT", "Nội dung", "ĐVT", "Số lượng", "Đơn giá (đồng)", "Thành tiền (đồng)", "Ghi chú"]
    assert header_of("Nội dung công việc Số lượng Định mức Dự toán").roles == ["item", "quantity", "unit_price", "amount"]
    assert header_of("Căn cứ Quyết định số 12/QĐ-UBND ngày 02/01/2025") is None
    assert header_of("Nội dung chương trình gồm các phần sau") is None  # names one column only


def test_a_row_of_single_spaced_cells():
    h = header_of(HEADER)
    assert split_row("3 Pano tuyên truyền (3m x 4m) Tấm 4 2.400.000 9.600.000 Xã hội hóa", h) == [
        "3", "Pano tuyên truyền (3m x 4m)", "Tấm", "4", "2.400.000", "9.600.000", "Xã hội hóa"]
    assert split_row("Tổng cộng 46.670.000", h) == ["", "Tổng cộng", "", "", "", "46.670.000", ""]
    assert split_row("2 Giải chạy 5 km Giải 3 1.000.000 3.000.000", h)[1:6] == [
        "Giải chạy 5 km", "Giải", "3", "1.000.000", "3.000.000"]  # the item's own number stays in the item


def test_the_price_column_after_the_amount_keeps_its_place():
    h = header_of("TT Nội dung SL Thành tiền Đơn giá")
    assert split_row("1 Tiền ăn 300 30.000.000 100.000", h) == ["1", "Tiền ăn", "300", "30.000.000", "100.000"]


TEXT = """I. KINH PHÍ
Bảng 1
STT Nội dung ĐVT Số lượng Đơn giá Thành tiền
1 In tài liệu Bộ 150 20.000 3.000.000
2 Thuê hội trường Buổi 2 4.000.000 8.000.000
Tổng cộng 11.000.000
Bằng chữ: Mười một triệu đồng.
"""


def test_text_tables_one_cell_a_line_and_single_spaced_give_the_same_rows():
    spaced = [l for l in tabify_text_tables(TEXT.splitlines()) if "\t" in l]
    cells = []
    for line in TEXT.splitlines():
        if line.startswith(("STT", "1 ", "2 ")):
            h = header_of(HEADER.replace(" (đồng)", "").replace(" Ghi chú", ""))
            cells += split_row(line, h) if not line.startswith("STT") else h.texts
        else:
            cells.append(line)
    one_a_line = [l for l in tabify_text_tables([c for c in cells if c]) if "\t" in l]
    assert spaced == one_a_line
    assert spaced[1] == "1\tIn tài liệu\tBộ\t150\t20.000\t3.000.000"
    assert spaced[-1].startswith("Bằng chữ: Mười một triệu đồng.")


PLAN = """ỦY BAN NHÂN DÂN
HUYỆN CHÂU THÀNH
Số: 12/KH-UBND
Châu Thành, ngày 12 tháng 3 năm 2025
KẾ HOẠCH
Tổ chức hội thi năm 2025
Căn cứ Quyết định số 12/QĐ-UBND ngày 02/01/2025 của UBND tỉnh về kế hoạch năm.
I. KINH PHÍ
Bảng 1 (ĐVT: nghìn đồng)
STT\tNội dung\tSố lượng\tĐơn giá\tThành tiền
1\tIn tài liệu\t150\t20\t3.000
\tTổng cộng\t\t\t3.000
Bằng chữ: Ba triệu đồng.
Bảng 2
STT\tNội dung\tSố lượng\tĐơn giá\tThành tiền
1\tThuê hội trường\t2\t4.000.000\t8.000.000
\tTổng cộng\t\t\t8.000.000
Bằng chữ: Tám triệu đồng.
Tổng kinh phí: 11.000.000 đồng.
"""


def test_a_tables_scale_is_its_own_not_the_words_line_before_it():
    """Bảng 2 is in đồng: the "Bằng chữ: Ba triệu đồng" and "(ĐVT: nghìn đồng)" before it are Bảng 1's."""
    ex = extract_document(parse_text(PLAN, "x.txt", "txt"))
    assert [(t.table_id, t.scale, t.scale_source, t.stated_total) for t in ex.budget_tables] == [
        ("T1", 1000, "caption", 3_000_000), ("T2", 1, "", 8_000_000)]
    assert ex.flags == []


def test_a_scale_in_doubt_is_settled_by_the_words():
    text = PLAN.replace("Bảng 1 (ĐVT: nghìn đồng)", "Bảng 1")
    ex = extract_document(parse_text(text, "x.txt", "txt"))
    assert [(t.scale, t.scale_source) for t in ex.budget_tables] == [(1000, "words"), (1, "")]
    assert ex.flags == []


UNITS = ["Bộ", "Buổi", "Gói", "Người", "Suất", "Tấm", "Chuyến", "Lá"]
ITEM_WORDS = ["Thuê", "hội", "trường", "In", "tài", "liệu", "Băng", "rôn", "(3m", "x", "4m)", "Tiền", "ăn", "lần", "2"]


def vnd(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(ITEM_WORDS), min_size=1, max_size=6), unit=st.sampled_from(UNITS),
       q=st.integers(1, 500), p=st.integers(1, 50_000).map(lambda x: x * 1000), label=st.integers(1, 99),
       suffix=st.sampled_from(["", " đ", "đ"]))
def test_any_priced_row_is_split_into_its_figures(words, unit, q, p, label, suffix):
    item = " ".join(words)
    if not item[0].isalpha():
        item = "Chi " + item
    h = header_of("STT Nội dung ĐVT Số lượng Đơn giá Thành tiền")
    cells = split_row(f"{label} {item} {unit} {q} {vnd(p)}{suffix} {vnd(q * p)}{suffix}", h)
    assert cells[0] == str(label) and cells[2] == unit and cells[3] == str(q)
    assert cells[4].replace(" ", "") == vnd(p) + suffix.strip() and cells[5].replace(" ", "") == vnd(q * p) + suffix.strip()
    assert cells[1] == item
