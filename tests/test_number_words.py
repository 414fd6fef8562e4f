import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from num2words import num2words

from extractors.number_words import number_to_words, parse_number_words

NUMBERS = st.integers(min_value=0, max_value=10**13 - 1)


@pytest.mark.parametrize(
    "text, value",
    [
        ("Sáu triệu chín trăm năm mươi nghìn đồng.", 6950000),
        ("mười", 10),
        ("mười một", 11),
        ("mười lăm", 15),
        ("mười nhăm", 15),
        ("mười bốn", 14),
        ("hai mươi", 20),
        ("hai mươi mốt", 21),
        ("hai mươi tư", 24),
        ("hai mươi bốn", 24),
        ("hai mươi lăm", 25),
        ("hai mươi nhăm", 25),
        ("một trăm", 100),
        ("một trăm linh một", 101),
        ("một trăm lẻ năm", 105),
        ("một trăm linh tư", 104),
        ("một trăm mười", 110),
        ("một nghìn không trăm linh năm", 1005),
        ("một ngàn không trăm lẻ năm", 1005),
        ("một ngìn", 1000),
        ("một trăm nghìn", 100000),
        ("hai mươi lăm tỷ", 25 * 10**9),
        ("hai mươi lăm tỉ", 25 * 10**9),
        ("một nghìn tỷ", 10**12),
        ("năm trăm nghìn tỷ", 5 * 10**14),
        ("một nghìn hai trăm tỷ", 12 * 10**11),
        ("một nghìn tỷ hai trăm tỷ", 12 * 10**11),
        ("một triệu rưỡi", 1500000),
        ("hai trăm rưỡi", 250),
        ("ba trăm rưỡi nghìn", 350000),
        ("không", 0),
        ("không trăm linh năm", 5),
        ("một nghìn lẻ mười lăm", 1015),  # num2words' colloquial "lẻ" before tens
        ("một triệu lẻ năm", 1000005),
        # framing: labels, brackets, case, commas, currency and ./.
        ("Bằng chữ: Một tỷ, hai trăm triệu đồng chẵn./.", 1200000000),
        ("Bảng chữ: Hai trăm nghìn đồng", 200000),
        ("(bằng chữ: Hai trăm triệu đồng)", 200000000),
        ("(Ba mươi triệu đồng chẳn)", 30000000),
        ("Bằng chữ: Sáu triệu VNĐ", 6000000),
        ("Hai trăm triệu đồng, trong đó ngân sách tỉnh 150 triệu", 200000000),
        ("Hai trăm triệu, trong đó", 200000000),
        ("BỐN MƯƠI SÁU TRIỆU SÁU TRĂM BẢY MƯƠI NGHÌN ĐỒNG", 46670000),
        ("Kinh phí một trăm triệu tạm ứng", 100000000),  # "tạm" (temporary) is not "tam" (8)
        # diacritics stripped by OCR
        ("Sau trieu chin tram nam muoi nghin dong", 6950000),
        ("Bang chu: hai muoi tu trieu khong tram linh nam nghin", 24005000),
        ("mot ty hai tram trieu", 1200000000),
        ("muoi lam", 15),
        ("bon muoi mot", 41),
        ("bay tram le tam", 708),
        ("mot trieu ruoi", 1500000),
    ],
)
def test_exact(text, value):
    assert parse_number_words(text) == value
    assert parse_number_words(unicodedata.normalize("NFD", text)) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Kinh phí thực hiện: 200.000.000 đồng",
        "Không có",  # không = not
        "Kế hoạch năm 2024",  # năm = year
        "Sau khi họp",  # sau = after
        "triệu đồng",  # a scale alone is not a number
        "tư nhân",  # tư = private
        "mốt",
        "tạm ứng",
    ],
)
def test_no_number(text):
    assert parse_number_words(text) is None


def test_stops_at_first_other_word():
    assert parse_number_words("hai ba") == 2  # a list, not 23
    # a lone "năm"/"không" before another word is not read ("năm học" = school year)
    assert parse_number_words("Năm người") is None
    assert parse_number_words("Năm đồng") == 5
    assert parse_number_words("hai tỷ nghìn năm") == 2 * 10**9  # a scale word with no count ends it
    assert parse_number_words("một trăm hai") == 102  # colloquial 120 is not guessed


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1005, "một nghìn không trăm linh năm"),
        (1015, "một nghìn không trăm mười lăm"),
        (1000000, "một triệu"),
        (1050000, "một triệu không trăm năm mươi nghìn"),
        (6950000, "sáu triệu chín trăm năm mươi nghìn"),
        (10**9, "một tỷ"),
        (10**12, "một nghìn tỷ"),
        (1200 * 10**9, "một nghìn hai trăm tỷ"),
        (10**12 + 5, "một nghìn tỷ không trăm linh năm"),
    ],
)
def test_number_to_words(n, words):
    assert number_to_words(n) == words


@pytest.mark.parametrize("n", [-1, 10**15])
def test_number_to_words_range(n):
    with pytest.raises(ValueError):
        number_to_words(n)


# ---- properties -------------------------------------------------------------


@given(NUMBERS)
def test_round_trip(n):
    words = number_to_words(n)
    assert words == words.lower() and "  " not in words
    assert parse_number_words(words) == n


@given(NUMBERS, st.sampled_from([str.upper, str.title, str.capitalize]), st.sampled_from(["NFC", "NFD"]))
def test_case_and_normal_form(n, case, form):
    assert parse_number_words(unicodedata.normalize(form, case(number_to_words(n)))) == n


VARIANTS = [("nghìn", "ngàn"), ("linh", "lẻ"), ("tỷ", "tỉ"), ("mươi lăm", "mươi nhăm"), ("mươi tư", "mươi bốn")]


@given(NUMBERS, st.sets(st.sampled_from(VARIANTS)))
def test_variant_words(n, variants):
    words = number_to_words(n)
    for old, new in variants:
        words = re.sub(rf"\b{old}\b", new, words)
    assert parse_number_words(words) == n


def _strip_diacritics(text):
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if not unicodedata.combining(c))


@given(NUMBERS)
def test_ocr_stripped_diacritics(n):
    assert parse_number_words(_strip_diacritics(number_to_words(n))) == n


FRAMES = ["Bằng chữ: {} đồng./.", "(Bằng chữ: {} đồng chẵn)", "{} đồng, trong đó hai phần", "Tổng: 1.000 - {}."]


@given(NUMBERS, st.sampled_from(FRAMES))
def test_in_a_sentence(n, frame):
    words = number_to_words(n)
    assert parse_number_words(frame.format(words[0].upper() + words[1:])) == n


# ---- independent cross-check against num2words ------------------------------
# num2words (0.5.14) writes colloquial forms that differ from ours but read to the
# same value, so they need no exception:
#   1005 -> "một nghìn lẻ năm" (no "không trăm"), 1015 -> "một nghìn lẻ mười lăm",
#   1050000 -> "một triệu năm mươi nghìn", 24 -> "hai mươi bốn" (not "tư"),
#   "lẻ" instead of "linh".
# Where num2words is wrong (all outside the [0, 10**12) range checked below);
# (n, what num2words writes, what those words mean or None when they are not Vietnamese):
NUM2WORDS_WRONG = [
    # scale 1000**5 is named "trăm nghìn tỷ" (= 10**14); 10**15 is "một triệu tỷ"
    (10**15, "một trăm nghìn tỷ", 10**14),
    (2 * 10**15 + 3, "hai trăm nghìn tỷ lẻ ba", 2 * 10**14 + 3),
    (10**16, "mười trăm nghìn tỷ", None),
    # it formats through '%.2f' % float(n), so integers above 2**53 lose digits
    # (…993 is written …992) on top of the scale error
    (2**53 + 1, "chín trăm nghìn tỷ bảy nghìn tỷ một trăm chín mươi chín tỷ hai trăm năm mươi"
     " bốn triệu bảy trăm bốn mươi nghìn chín trăm chín mươi hai", None),
    # scales from 10**18 fall back to English names
    (10**18, "một Quintillion", None),
]


@pytest.mark.parametrize("n, words, meaning", NUM2WORDS_WRONG)
def test_num2words_wrong_words(n, words, meaning):
    assert num2words(n, lang="vi") == words
    if meaning is not None:
        assert parse_number_words(words) == meaning


@pytest.mark.parametrize("n", [n for n, _, _ in NUM2WORDS_WRONG])
@pytest.mark.xfail(strict=True, reason="num2words writes the wrong words (documented above)")
def test_num2words_cross_check_known_wrong(n):
    assert parse_number_words(num2words(n, lang="vi")) == n


def test_num2words_exhaustive_small():
    wrong = [n for n in range(20001) if parse_number_words(num2words(n, lang="vi")) != n]
    assert wrong == []


@given(st.integers(min_value=0, max_value=10**12 - 1))
@settings(max_examples=500)
def test_num2words_cross_check(n):
    assert parse_number_words(num2words(n, lang="vi")) == n
