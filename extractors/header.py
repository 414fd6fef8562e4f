"""Header, title and signature of a plan (the components of Decree 30/2020/NĐ-CP).

Two-column headers often arrive interleaved ("Số: /KH-STTTT Kiên Giang,
ngày …" on one line) or half missing, so each component is found by its own
pattern wherever it sits in the header zone, and a missing issuer is inferred
from the symbol or the body.

On scans the number and day are often written by hand and OCR returns junk
there ("Só: 5Ø /KH-BCA-C04", "ngàyÓ2 tháng 10"): the anchors are matched with
look-alikes and lost marks, and a part that is not a clean number is left
blank while the rest of the field (symbol, place, month, year) is kept.
"""
from __future__ import annotations

import re

from extractors.text_utils import REF_NUMBER, ascii_fold, fold, is_caps, make_date, parse_date, symbol_of, type_from_symbol
from extractors.vocab import ADMIN_LEVELS, AGENCY_CODES, SURNAMES, SURNAMES_BY_FOLD
from extractors.zones import Zones
from models.document import Block
from models.records import DocumentRecord

QUOC_HIEU = re.compile(r"cong\s+hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s+nam|doc\s+lap\s*[-–—]?\s*tu\s+do\s*[-–—]?\s*hanh\s+phuc")
TYPE_NAMES = {"ke hoach": "Kế hoạch", "quyet dinh": "Quyết định", "chuong trinh": "Chương trình", "de an": "Đề án",
              "huong dan": "Hướng dẫn", "thong bao": "Thông báo", "chi thi": "Chỉ thị", "phuong an": "Phương án"}


def drop_quoc_hieu(line: str) -> str:
    """Blank the national motto wherever it sits; matched on folded text, so OCR'd 'CONG HOA' goes too."""
    for m in reversed(list(QUOC_HIEU.finditer(ascii_fold(line)))):
        line = line[: m.start()] + " " + line[m.end():]
    return line
NUMBER_LINE = re.compile(r"S[ốoỐO]\s*(?:[:.]|hiệu\s*:)\s*(\d*\s*/\s*(?:\d{4}\s*/\s*)?[A-ZĐ][A-Za-zĐđ0-9&]*(?:\s*-\s*[A-ZĐa-zđ0-9&]+)*|" + REF_NUMBER + r")")
# "Số" as OCR reads it: a lost or wrong mark (So, Só, Sô, Sỏ …), O or 0 for ô; "Sở" is a word, not this.
SO_LOOSE = r"(?<![A-Za-zÀ-ỹĐđ])S[oóòỏõọôốồổỗộơớờỡợöøOÓÒỎÕỌÔỐỒỔỖỘƠỚỜỠỢÖØ0]"
# The number part may be handwritten junk ("5Ø", "......"): kept only when it is clean digits.
NUMBER_LINE_LOOSE = re.compile(
    SO_LOOSE + r"\s*(?:[:;.,]|hi[eệ]u\s*[:;.]?)?\s*(?P<num>(?:[^\s/:,]{1,10}\s*){0,2}?)/\s*"
    r"(?P<sym>(?:\d{4}\s*/\s*)?[A-ZĐ][A-Za-zĐđ0-9&]*(?:\s*-\s*[A-ZĐa-zđ0-9&]+)*)")
PLACE_DATE = re.compile(r"([^\d,:;]{2,60}?)\s*,\s*(?:ng[aà]y\b|(?=\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}))", re.I)
# "Hà Nội, ngàyÓ2", "Hà Nội. ngảy": any mark on "ngày", junk glued to it (not a lower-case letter), "." for ",".
PLACE_DATE_LOOSE = re.compile(r"([^\d,:;]{2,60}?)\s*[,.;]\s*ng[aàáảãạ]y(?-i:(?![a-zà-ỹđ]))", re.I)
DATE_WORDS = re.compile(r"th[aáàảãạ]ng|n[aăắằẳẵặâ]m|\d/\d{4}", re.I)
# Day, month and year between the words, whatever OCR made of them; each part judged on its own.
LOOSE_DATE = re.compile(r"ng[aàáảãạ]y(?P<d>[^\n]{0,8}?)th[aáàảãạ]ng(?P<m>[^\n]{0,8}?)n[aăắằẳẵặâ]m(?P<y>\s*\S{0,8})", re.I)
AUTHORITY = re.compile(r"^(TM|KT|TL|TUQ|Q|T/M)\.?\s+\S", re.I)
LEVEL_START = re.compile(r"^(" + "|".join(ADMIN_LEVELS) + r")\b", re.I)
BARE_COUNCIL = re.compile(r"^(ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|HĐND)$")
# Two to six capitalised words with some lower case: "Nguyễn Thị Lụa", "Y Khem Niê", "Nguyễn Văn A".
NAME_LINE = re.compile(r"^(?=.*[a-zà-ỹđ])(?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]*\.?)(?:\s+[A-ZĐÀ-Ỹ][a-zà-ỹđ]*\.?){1,5}$")


def header_lines(blocks: list[Block]) -> list[str]:
    lines = []
    for b in blocks:
        if b.is_table:
            lines.extend(c for row in b.rows for c in row if c)
        else:
            lines.append(b.text)
    return [fold(l) for l in lines if fold(l)]


def extract_header(z: Zones, body_text: str = "") -> DocumentRecord:
    rec = DocumentRecord()
    issuer_lines: list[str] = []
    for line in header_lines(z.header):
        line = fold(drop_quoc_hieu(line))
        if not rec.doc_number:
            number, span = number_of(line)
            if number:
                rec.doc_number = number
                line = fold(line[: span[0]] + " " + line[span[1]:])
        pd = place_date_of(line) if not rec.issue_place else None
        if pd:
            before = line[: pd.start()]
            rec.issue_place = fold(pd.group(1)).strip(" -–")
            rec.issue_date, rec.issue_year, rec.issue_month, rec.issue_day = issue_date_of(line[pd.start():])
            line = fold(before)
        if not line or re.fullmatch(r"[-_=*.–— ]+", line):
            continue
        if is_caps(line):
            issuer_lines.append(line.strip(" -_"))
    rec.doc_symbol = symbol_of(rec.doc_number) if rec.doc_number else ""
    if z.type_line is not None:
        folded = ascii_fold(fold(z.type_line.text)).strip(" .:")
        rec.doc_type = TYPE_NAMES.get(folded, fold(z.type_line.text).strip(" .:").capitalize())
    code_type = type_from_symbol(rec.doc_symbol)
    if not rec.doc_type and code_type:
        rec.doc_type = code_type
    rec.doc_type_code = re.split(r"[-/]", rec.doc_symbol)[0] if rec.doc_symbol else ""
    rec.title = fold(" ".join(b.text for b in z.title)).strip(" .")
    assign_issuer(rec, issuer_lines, body_text)
    return rec


def number_of(line: str) -> tuple[str, tuple[int, int]]:
    """('50/KH-BCA', span) from the number line; a number part that is not clean digits is blank
    ('/KH-BCA-C04' from 'Só: 5Ø /KH-BCA-C04'), the symbol still stands."""
    m = NUMBER_LINE.search(line)
    if m:
        return m.group(1).replace(" ", ""), m.span()
    m = NUMBER_LINE_LOOSE.search(line)
    if not m:
        return "", (0, 0)
    digits = m.group("num").replace(" ", "")
    return (digits if digits.isascii() and digits.isdigit() else "") + "/" + m.group("sym").replace(" ", ""), m.span()


def place_date_of(line: str) -> re.Match | None:
    """'Hà Nội, ngày …' (a date must follow: tháng, năm or d/m/yyyy), read strictly first, then with OCR's slips."""
    for rx in (PLACE_DATE, PLACE_DATE_LOOSE):
        pd = rx.search(line)
        if pd and DATE_WORDS.search(line[pd.end():]):
            return pd
    return None


def issue_date_of(text: str):
    """parse_date, and when it reads nothing, each of day, month, year kept if it is a clean number."""
    parsed = parse_date(text)
    if any(v is not None for v in parsed):
        return parsed
    m = LOOSE_DATE.search(text)
    if not m:
        return parsed

    def part(raw: str, lo: int, hi: int, width: str) -> int | None:
        raw = raw.strip(" /.,-")
        return int(raw) if re.fullmatch(width, raw) and lo <= int(raw) <= hi else None

    day, month, year = part(m.group("d"), 1, 31, r"[0-9]{1,2}"), part(m.group("m"), 1, 12, r"[0-9]{1,2}"), \
        part(m.group("y"), 1900, 2100, r"[0-9]{4}")
    return make_date(year, month, day), year, month, day


def issuer_units(lines: list[str]) -> list[str]:
    """Join header lines that continue one body's name ('ỦY BAN NHÂN DÂN' + 'HUYỆN X')."""
    units: list[str] = []
    for line in lines:
        continues_name = LEVEL_START.match(line) and (BARE_COUNCIL.match(units[-1]) if units else False)
        place_of_body = units and LEVEL_START.match(line) and not re.search(
            r"\b(" + "|".join(ADMIN_LEVELS) + r")\b", units[-1], re.I) and not BARE_COUNCIL.match(units[-1])
        if units and (continues_name or place_of_body or re.match(r"^(VÀ|&|,)\s", line)):
            units[-1] = f"{units[-1]} {line}"
        else:
            units.append(line)
    return units


def assign_issuer(rec: DocumentRecord, lines: list[str], body_text: str) -> None:
    units = issuer_units(lines)
    suffix = rec.doc_symbol.split("-", 1)[1] if "-" in rec.doc_symbol else ""
    symbol_issuer = AGENCY_CODES.get(suffix, "")
    if len(units) >= 2:
        rec.parent_issuer, rec.issuer = units[0], " ".join(units[1:])
    elif len(units) == 1:
        only = units[0]
        is_council = re.match(r"^(ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND|HĐND|HỘI ĐỒNG NHÂN DÂN)\b", only)
        if is_council and symbol_issuer and suffix not in ("UBND", "HĐND"):
            rec.parent_issuer, rec.issuer, rec.issuer_inferred = only, symbol_issuer, True
        else:
            rec.issuer = only
    if not rec.issuer:
        rec.issuer = infer_from_body(suffix, rec.issue_place, body_text) or symbol_issuer
        rec.issuer_inferred = bool(rec.issuer)
    elif BARE_COUNCIL.match(rec.issuer):
        fuller = infer_from_body(suffix, rec.issue_place, body_text)
        if fuller:
            rec.issuer, rec.issuer_inferred = fuller, True


def infer_from_body(suffix: str, place: str, body_text: str) -> str:
    """'ỦY BAN NHÂN DÂN THỊ XÃ KIẾN TƯỜNG' from the body's own mention of the unit at the issue place."""
    if suffix not in ("UBND", "HĐND") or not place or not body_text:
        return ""
    head = "ỦY BAN NHÂN DÂN" if suffix == "UBND" else "HỘI ĐỒNG NHÂN DÂN"
    levels = "|".join(ADMIN_LEVELS)
    m = re.search(rf"\b({levels})\s+{re.escape(place)}\b", body_text, re.I)
    if m:
        return f"{head} {m.group(1).upper()} {place.upper()}"
    return ""


def extract_signature(closing: list[Block]) -> tuple[str, str, str, str]:
    """(authority, title, name, recipients) from the closing zone, in whatever order columns came."""
    authority: list[str] = []
    title = name = ""
    recipients: list[str] = []
    in_recipients = False
    for b in closing:
        texts = [c for row in b.rows for c in row if c] if b.is_table else [b.text]
        for text in texts:
            t = fold(text)
            folded = ascii_fold(t)
            if folded.startswith("noi nhan"):
                in_recipients = True
                rest = t.split(":", 1)[1].strip() if ":" in t else ""
                if rest:
                    recipients.append(rest.strip(" -;."))
                continue
            if in_recipients and re.match(r"^[-+•]", t):
                recipients.append(t.lstrip("-+• ").rstrip(";. ").strip())
                continue
            in_recipients = False
            if AUTHORITY.match(t) and is_caps(t):
                authority.append(t)
            elif is_caps(t) and not title and len(t.split()) <= 8 and not re.search(r"\d", t) and not re.search(r"đã ký|ký|dấu", t, re.I):
                title = t
            elif NAME_LINE.match(t) and (title or authority) and not name:
                name = t
            elif title and not name and is_caps(t) and 2 <= len(t.split()) <= 5 and not re.search(r"\d", t):
                name = t  # a name printed in capitals
    return "; ".join(authority), title, fix_surname(name), "; ".join(recipients)


def fix_surname(name: str) -> str:
    """A surname OCR got one mark wrong ("Đỉnh Thị Thu Hà"): no such surname, and only one that is spelt
    the same without marks ("Đinh"). A real surname, one that could be two ("Đoàn"/"Doãn") or one written
    without any mark is kept."""
    first, _, rest = name.partition(" ")
    if not rest or first in SURNAMES or first.title() in SURNAMES or first.lower() == ascii_fold(first).lower():
        return name  # a known surname, or one written without marks (the whole text may be)
    same = SURNAMES_BY_FOLD.get(ascii_fold(first).lower(), [])
    if len(same) != 1:
        return name
    return f"{same[0].upper() if first.isupper() else same[0]} {rest}"
