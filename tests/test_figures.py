import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.figures import Figure, find_figures, format_vnd, parse_figure, parse_int, same_digits

AMOUNTS = st.integers(min_value=0, max_value=10**13)


@pytest.mark.parametrize(
    "text, value",
    [
        ("46.670.000", 46670000),
        ("200.000", 200000),
        ("1.000", 1000),
        ("999", 999),
        ("0", 0),
        ("08", 8),
        ("01", 1),
        ("05", 5),
        ("1,5", 1.5),
        ("0,5", 0.5),
        ("12,25", 12.25),
        ("0,1234", 0.1234),  # a comma with any digits but 3 is decimal
        ("1.000,5", 1000.5),
        ("1.000.000,25", 1000000.25),
        ("46,670,000", 46670000),  # English style: several 3-digit groups
        ("1,000.5", 1000.5),
        ("1,500", 1.5),  # a lone comma group is the Vietnamese decimal mark...
        ("1.5", 1.5),  # ...and a lone dot with 1-2 digits an English decimal
        ("46 670 000", 46670000),
        ("46\u00a0670\u00a0000", 46670000),
        ("1 000,5", 1000.5),
        # decorations around the figure
        ("200.000 đồng", 200000),
        ("200.000đ", 200000),
        ("200.000 đ.", 200000),
        ("5.000 VNĐ", 5000),
        ("5.000 VND", 5000),
        ("5.000 vnđ", 5000),
        ("VNĐ 5.000", 5000),
        ("5.000₫", 5000),
        ("6.950.000 (đồng)", 6950000),
        ("<b>6.950.000</b>", 6950000),
        ("**6.950.000**", 6950000),
        ("*6.950.000*", 6950000),
        ("(6.950.000)", 6950000),
        ("  46.670.000.  ", 46670000),
        ("46.670.000;", 46670000),
    ],
)
def test_exact_values(text, value):
    fig = parse_figure(text)
    assert fig.value == value
    assert type(fig.value) is type(value)
    assert not fig.malformed and fig.candidates == ()
    assert fig.raw == text.strip()


@pytest.mark.parametrize(
    "text, value",
    [
        ("1,500", 1500),  # VND has no fractions: three digits after a comma are thousands
        ("1,500 đồng", 1500),
        ("12,500", 12500),
        ("1,5", 1.5),  # other digit counts stay decimal
        ("46,670,000", 46670000),
        ("46.670.000", 46670000),
    ],
)
def test_money_values(text, value):
    fig = parse_figure(text, money=True)
    assert fig.value == value and type(fig.value) is type(value) and not fig.malformed


@pytest.mark.parametrize("text", ["", "   ", "-", "—", "–", "x", "X", "…", "đồng", "(đồng)", "abc", "Sở 10", "1,5 triệu"])
def test_not_a_figure(text):
    assert parse_figure(text) == Figure(text.strip(), None, False, ())


@pytest.mark.parametrize(
    "text, first, also",
    [
        ("7.00.000", 700000, {7000000, 70000}),
        ("50.0000", 500000, {50000}),
        ("1.5000.000", 15000000, {1500000}),
        ("46670.000", 46670000, set()),  # first group of 5 digits with a dot later
        ("46..670.000", 46670000, set()),
        ("7,00,000", 700000, {7000000}),  # Indian-style grouping
        ("1.000,000", 1000000, set()),  # mixed marks in money: 1000000 with a typo
    ],
)
def test_malformed(text, first, also):
    fig = parse_figure(text, money=True)
    assert fig.malformed and fig.value is None
    assert fig.candidates[0] == first
    assert also <= set(fig.candidates)
    assert len(set(fig.candidates)) == len(fig.candidates)


def test_malformed_candidates_order():
    assert parse_figure("7.00.000").candidates == (700000, 7000000, 70000)
    assert parse_figure("50.0000").candidates == (500000, 50000, 5000000)
    assert parse_figure("1.5000.000").candidates == (15000000, 1500000, 150000000)


def test_money_dot_with_two_digits_is_malformed():
    assert parse_figure("7.00").value == 7.0
    fig = parse_figure("7.00", money=True)
    assert fig.malformed and fig.value is None and 700 in fig.candidates


def test_malformed_decimal_has_no_candidates():
    fig = parse_figure("1.50.000,5")
    assert fig.malformed and fig.value is None and fig.candidates == ()


@pytest.mark.parametrize(
    "text, value",
    [
        ("46..670.000", 46670000),  # doubled dot
        ("46670.000", 46670000),  # dropped dot
        ("46.670000", 46670000),
        ("4O.OOO", 40000),
        ("1.5OO.OOO", 1500000),
        ("l2.500.000", 12500000),
        ("I2.500.000", 12500000),
        ("|2.500.000", 12500000),
        ("1S.000", 15000),
        ("2o0.000 đồng", 200000),
    ],
)
def test_ocr_repairs(text, value):
    assert parse_figure(text, ocr=True) == Figure(text.strip(), value, False, ())


@pytest.mark.parametrize("text", ["7.00.000", "50.0000", "1.5000.000", "46.67.000", "46,670.000", "46.670 000"])
def test_ocr_does_not_hide_grouping_errors(text):
    assert parse_figure(text, ocr=True).malformed


def test_ocr_off_leaves_letters():
    assert parse_figure("4O.OOO").value is None
    assert parse_figure("Số 10", ocr=True).value is None


def test_nfd_input():
    text = unicodedata.normalize("NFD", "6.950.000 (đồng)")
    assert text != unicodedata.normalize("NFC", text)
    assert parse_figure(text).value == 6950000
    assert parse_figure(unicodedata.normalize("NFD", "5.000 VNĐ")).value == 5000


def test_parse_int():
    assert parse_int("46.670.000") == 46670000
    assert parse_int("08") == 8
    assert parse_int("1,5") is None
    assert parse_int("7.00.000") is None
    assert parse_int("-") is None
    assert parse_int("abc") is None


def test_find_figures_in_running_text():
    text = "Kinh phí: 200.000.000 đồng (Hai trăm triệu), gồm 46 670 000, 1,500 đ và 7.00.000; năm 2024 có 3 lớp, tỷ lệ 1,5%."
    found = find_figures(text)
    assert [text[s:e] for s, e, _ in found] == [
        "200.000.000", "46 670 000", "1,500", "7.00.000", "2024", "3", "1,5"
    ]
    assert [f.value for _, _, f in found] == [200000000, 46670000, 1500, None, 2024, 3, 1.5]
    assert found[3][2].malformed and found[3][2].candidates[0] == 700000
    assert all(f.raw == text[s:e] for s, e, f in found)


def test_find_figures_markup_and_nothing():
    text = "Tổng cộng: <b>6.950.000</b>"
    ((s, e, fig),) = find_figures(text)
    assert text[s:e] == "6.950.000" and fig.value == 6950000
    assert find_figures("Không có số nào.") == []
    assert [f.value for _, _, f in find_figures("Mẫu B2, phòng A1 có 3 người")] == [3]


def test_format_vnd():
    assert format_vnd(46670000) == "46.670.000"
    assert format_vnd(0) == "0"
    assert format_vnd(999) == "999"
    assert format_vnd(1000) == "1.000"


@pytest.mark.parametrize(
    "a, b, same",
    [
        (700000, 7000000, True),
        (50000, 500000, True),
        (1600000, 200000, False),
        (46670000, 4667000, True),
        (46670000, 46680000, False),
        (0, 0, True),
        (0, 10, False),
        (105, 15, False),  # inner zeros are significant
    ],
)
def test_same_digits(a, b, same):
    assert same_digits(a, b) is same and same_digits(b, a) is same


# ---- properties -------------------------------------------------------------


@given(AMOUNTS)
def test_round_trip_format_vnd(n):
    assert parse_figure(format_vnd(n)) == Figure(format_vnd(n), n, False, ())
    assert parse_int(format_vnd(n)) == n


@given(AMOUNTS)
def test_round_trip_english_and_spaces(n):
    english = f"{n:,}"
    assert parse_figure(english, money=True).value == n
    if n >= 10**6 or n < 1000:
        assert parse_figure(english).value == n
    else:  # "12,345" without money is the decimal 12.345
        assert parse_figure(english).value == float(english.replace(",", "."))
    assert parse_figure(format_vnd(n).replace(".", " ")).value == n


DECORATIONS = ["{} đồng", "{}đ", "{} VNĐ.", "<b>{}</b>", "**{}**", "({})", " {} (đồng) ", "{}.", "VND {}"]


@given(AMOUNTS, st.sampled_from(DECORATIONS), st.booleans())
def test_decorations_ignored(n, deco, nfd):
    text = deco.format(format_vnd(n))
    if nfd:
        text = unicodedata.normalize("NFD", text)
    assert parse_figure(text, money=True).value == n


def _groups(n):
    return format_vnd(n).split(".")


@given(st.integers(min_value=1000, max_value=10**13), st.data())
def test_dropped_or_added_zero_is_flagged_and_recoverable(n, data):
    groups = _groups(n)
    later = [i for i in range(1, len(groups)) if groups[i].endswith("0")]
    if not later:
        return
    i = data.draw(st.sampled_from(later))
    for bad in (groups[i][:-1], groups[i] + "0"):
        text = ".".join(groups[:i] + [bad] + groups[i + 1:])
        fig = parse_figure(text, money=True)  # money: "1.00" cannot be a decimal
        assert fig.malformed and fig.value is None, text
        assert n in fig.candidates, text
        assert any(same_digits(c, n) for c in fig.candidates)


@given(st.integers(min_value=1000, max_value=10**13), st.data())
def test_ocr_dot_repairs(n, data):
    groups = _groups(n)
    i = data.draw(st.integers(min_value=1, max_value=len(groups) - 1))
    dropped = ".".join(groups[:i]) + groups[i] + "".join("." + g for g in groups[i + 1:])
    doubled = format_vnd(n).replace(".", "..", 1)
    for text in (doubled, dropped):
        plain = parse_figure(text)
        if "." in text:
            assert plain.malformed and plain.candidates[0] == n, text
        else:  # two groups with the dot dropped: just digits
            assert plain.value == n
        assert parse_figure(text, ocr=True) == Figure(text, n, False, ()), text


@given(AMOUNTS)
def test_ocr_letter_o_for_zero(n):
    text = format_vnd(n).replace("0", "O")
    if any(c.isdigit() for c in text):
        assert parse_figure(text, ocr=True).value == n


@given(AMOUNTS, st.sampled_from(["Kinh phí: {} đồng.", "Tổng cộng {}", "({} đồng)", "- Mức chi {}đ/người;"]))
def test_find_figures_locates_amount(n, sentence):
    text = sentence.format(format_vnd(n))
    ((s, e, fig),) = find_figures(text)
    assert text[s:e] == format_vnd(n) and fig.value == n


@given(st.text(max_size=30), st.booleans(), st.booleans())
@settings(max_examples=300)
def test_never_raises_and_invariants(text, money, ocr):
    fig = parse_figure(text, money=money, ocr=ocr)
    assert fig.raw == text.strip()
    if fig.malformed:
        assert fig.value is None
    else:
        assert fig.candidates == ()
    assert all(isinstance(c, int) for c in fig.candidates)
    for s, e, f in find_figures(text):
        assert 0 <= s < e <= len(text) and f.raw == text[s:e]


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=0, max_value=6))
def test_same_digits_ignores_trailing_zeros(n, k):
    assert same_digits(n, n * 10**k)
    assert same_digits(n, n + 1) is (str(n).rstrip("0") == str(n + 1).rstrip("0"))
