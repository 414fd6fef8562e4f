"""Small text helpers shared by the extractors: folding, dates, reference numbers."""
from __future__ import annotations

import re
from functools import lru_cache
import unicodedata
from datetime import date

# Document types as cited in text, longest first so "Thông tư liên tịch" wins over "Thông tư".
DOC_TYPES = [
    "Thông tư liên tịch", "Nghị quyết liên tịch", "Quyết định", "Kế hoạch", "Nghị định", "Nghị quyết",
    "Thông tư", "Bộ luật", "Luật", "Pháp lệnh", "Hiến pháp", "Chỉ thị", "Công văn", "Văn bản", "Hướng dẫn",
    "Thông báo", "Kết luận", "Quy định", "Quy chế", "Chương trình", "Đề án", "Công điện", "Tờ trình",
    "Báo cáo", "Lệnh", "Điều lệ",
]
DOC_TYPE_RE = "|".join(re.escape(t) for t in DOC_TYPES)

# Type codes of Decree 30/2020/NĐ-CP, appendix III (and Party documents). Case matters: HĐ is not HD.
TYPE_CODES = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "QC": "Quy chế", "QyĐ": "Quy định",
    "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình", "KH": "Kế hoạch", "PA": "Phương án",
    "ĐA": "Đề án", "DA": "Dự án", "BC": "Báo cáo", "BB": "Biên bản", "TTr": "Tờ trình", "HĐ": "Hợp đồng",
    "CĐ": "Công điện", "BGN": "Bản ghi nhớ", "BTT": "Bản thỏa thuận", "GUQ": "Giấy ủy quyền",
    "GM": "Giấy mời", "GGT": "Giấy giới thiệu", "KL": "Kết luận", "NĐ": "Nghị định", "TT": "Thông tư",
    "TTLT": "Thông tư liên tịch", "L": "Luật", "PL": "Pháp lệnh", "QH": "Luật",
}

# "505/QĐ-TTg", "181/2024/NĐ-CP", "202/2025/QH15", "2663/KH-UBND", "/KH-UBND"; Party "11-CT/TU".
REF_NUMBER = (
    r"(?:\d+[a-zA-Z]?-[A-ZĐ][A-Za-zĐđ]*/[A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐa-zđ0-9]+)*"
    r"|\d*/(?:\d{4}/)?[A-ZĐ][A-Za-zĐđ0-9&]*(?:-[A-ZĐa-zđ0-9&]+)*)"
)

LETTER_ORDER_VI = "abcdđeghiklmnopqrstuvxy"
LETTER_ORDER_LATIN = "abcdefghijklmnopqrstuvwxyz"

# What OCR reads instead of a list letter (expected letter -> characters it comes out as). A found label
# that is one of these where the expected one belongs is the expected label, not a numbering mistake.
# Only these confusions, never a skip: "a) b) d)" stays a finding.
LABEL_LOOKALIKES = {
    "đ": "d", "d": "đ",  # the bar of đ lost (or a speck read as one)
    "b": "h", "h": "b",
    "i": "l1", "l": "1i",
    "o": "0",
}


def fold(text: str) -> str:
    """White space folded to single spaces, NFC."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def _fold_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0xC0, 0x1EFA):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
        if base != ch and len(base) == 1:
            table[code] = base
    return table


_FOLD = _fold_table()


def strip_marks(text: str) -> str:
    """Without diacritics but with case kept; same offsets as the (NFC) original."""
    return unicodedata.normalize("NFC", text).translate(_FOLD)


@lru_cache(maxsize=8192)  # the same block texts are folded by zones, sections, the TOC check, budget
def ascii_fold(text: str) -> str:
    """Lower-case without diacritics, so anchors survive OCR that drops them ("Can cu").

    Keeps one character per character (NFC input), so offsets in the folded text
    are offsets in the original.
    """
    return unicodedata.normalize("NFC", text).translate(_FOLD).lower()


# The words a legal basis or the preamble opens with (on ascii-folded text): "Căn cứ", "Thực hiện", and
# "Theo" when a document type follows it ("Theo Chỉ thị số …", "Theo Nghị quyết …").
_CITED = "|".join(sorted({ascii_fold(t) for t in DOC_TYPES} | {"de nghi", "chi dao", "y kien"}, key=len, reverse=True))
LEAD_WORDS = re.compile(rf"^(can cu|thuc hien|tiep tuc thuc hien|theo ({_CITED})|xet de nghi|de (trien khai|thuc hien)|nham)\b")


def clean_value(text: str) -> str:
    """A field value without the sentence punctuation around it."""
    text = fold(text)
    text = re.sub(r"^[\s:;,.\-–]+", "", text)
    return re.sub(r"[\s.;:,]+$", "", text)


def make_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if not (year and month and day):
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


NUMERIC_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
WORDED_DATE = re.compile(
    r"ng[aà]y\s*(\d{1,2})?\s*(?:/\s*)?th[aá]ng\s*(\d{1,2})?\s*(?:/\s*)?n[aă]m\s*(\d{4})?", re.I
)


def parse_date(text: str) -> tuple[date | None, int | None, int | None, int | None]:
    """The first date in `text`: (date, year, month, day); blanks give None parts."""
    best = None
    for m in (NUMERIC_DATE.search(text), WORDED_DATE.search(text)):
        if m and (best is None or m.start() < best.start()):
            best = m
    if best is None:
        return None, None, None, None
    if best.re is NUMERIC_DATE:
        d, mo, y = (int(g) for g in best.groups())
    else:
        d, mo, y = (int(g) if g else None for g in best.groups())
    if mo is not None and not 1 <= mo <= 12:
        mo = None
    if d is not None and not 1 <= d <= 31:
        d = None
    return make_date(y, mo, d), y, mo, d


def find_dates(text: str) -> list[tuple[int, int, date]]:
    """All complete dates in running text, as (start, end, date)."""
    found = []
    for rx in (NUMERIC_DATE, WORDED_DATE):
        for m in rx.finditer(text):
            if rx is NUMERIC_DATE:
                d, mo, y = (int(g) for g in m.groups())
            else:
                if not all(m.groups()):
                    continue
                d, mo, y = (int(g) for g in m.groups())
            dt = make_date(y, mo, d)
            if dt:
                found.append((m.start(), m.end(), dt))
    return sorted(found)


def symbol_of(number: str) -> str:
    """'505/QĐ-TTg' -> 'QĐ-TTg'; '181/2024/NĐ-CP' -> 'NĐ-CP'; '11-CT/TU' -> 'CT/TU'."""
    if re.match(r"^\d+[a-zA-Z]?-", number):
        return number.split("-", 1)[1]
    parts = number.split("/")
    return parts[-1] if len(parts) > 1 else ""


def type_from_symbol(symbol: str) -> str:
    """The document type named by a symbol's type code: 'KH-UBND' -> 'Kế hoạch', 'CT/TU' -> 'Chỉ thị'."""
    code = re.split(r"[-/]", symbol)[0] if symbol else ""
    if code in TYPE_CODES:
        return TYPE_CODES[code]
    m = re.match(r"(QH|L)\d*$", code)
    if m:
        return "Luật"
    return "Công văn" if code else ""


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)
