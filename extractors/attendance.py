"""Head counts: in the text ("Dự kiến khoảng 300 đại biểu", "(10 người)") and in attendance tables.

A number is a head count only when a person unit follows it, so "500 doanh
nghiệp" or "14 điểm cầu" are not counted.
"""
from __future__ import annotations

import re

from extractors.figures import parse_int
from extractors.nlp import entities
from extractors.source import stamp
from extractors.tables import analyse
from extractors.text_utils import ascii_fold, clean_value, fold
from extractors.vocab import PERSON_UNITS
from models.document import Block
from models.records import Attendance

UNITS = "|".join(re.escape(u) for u in sorted(set(PERSON_UNITS) | {ascii_fold(u) for u in PERSON_UNITS}, key=len, reverse=True))
COUNT = re.compile(rf"(?<![\d.,/%])(\d{{1,3}}(?:\.\d{{3}})+|\d+)\s+({UNITS})(?![\wà-ỹ])", re.I)
APPROX = re.compile(r"(khoang|du kien|tren|gan|hon|uoc|uoc tinh|toi thieu|toi da|xap xi)\s*$")  # on folded text
PER_UNIT = re.compile(r"\bmoi\s+\w+(?:\s+\w+)?\s*$")  # on folded text
GROUP_ROW = re.compile(r"^([IVX]{1,5}|[A-Z])\.?$")
TOTAL = re.compile(r"^(tong ?cong|tong ?so|tong kinh phi)\b|^(tong|cong)\s*(\(.*\))?\s*[:.]?\s*$")


def text_counts(blocks: list[Block], block_section: dict[int, str]) -> list[Attendance]:
    out: list[Attendance] = []
    for block in blocks:
        if block.is_table:
            continue
        text = fold(block.text)
        if not COUNT.search(text):
            continue  # cheap pre-filter: most paragraphs hold no head count
        for ent in entities(text, "HEADCOUNT"):  # spaCy rule component; COUNT re-reads its parts
            m = COUNT.search(text, ent.start_char)
            if m is None or m.start() >= ent.end_char:
                continue
            before = text[: m.start()]
            if PER_UNIT.search(ascii_fold(before)) or re.search(r"%\s*(số\s+)?$", before):
                continue
            count = parse_int(m.group(1))
            if count is None or count == 0:
                continue
            near = before[-25:]
            near = ascii_fold(near)
            approx = bool(APPROX.search(near)) or bool(re.search(r"(khoang|du kien)\s+\S*\s*$", near))
            out.append(stamp(Attendance(section_id=block_section.get(id(block), ""), source="text",
                                        group=group_before(text, m.start()), count=count, approx=approx,
                                        unit=m.group(2).lower(), text=clean_value(sentence_around(text, m.start(), m.end()))),
                             block))
    return out


def group_before(text: str, start: int) -> str:
    """'Ngân hàng BIDV thị xã Kiến Tường (10 người)' -> 'Ngân hàng BIDV thị xã Kiến Tường'."""
    before = text[:start]
    if not re.search(r"\(\s*$", before):
        return ""
    before = before.rstrip(" (")
    cut = max(before.rfind(c) for c in ",;:(")
    return clean_value(before[cut + 1:]) if cut >= 0 else clean_value(before)


def sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".;:")
    right_candidates = [i for i in (text.find(c, end) for c in ".;") if i >= 0]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left + 1: right]


def table_counts(block: Block, table_id: str, section_id: str) -> list[Attendance]:
    """Rows of an attendance table: members, group subtotals (I, II, …) and the total."""
    layout = analyse(block.rows)
    if layout is None or not layout.is_attendance:
        return []
    cols = layout.columns
    unit = "đại biểu" if "dai bieu" in ascii_fold(layout.headers[cols["quantity"]]) else "người"
    out: list[Attendance] = []
    for r, row in enumerate(block.rows[layout.header_rows:], start=1):
        cells = [fold(c) for c in row]
        label = cells[cols["stt"]] if "stt" in cols else ""
        name = cells[cols["item"]] if "item" in cols else next((c for c in cells if c and c != label), "")
        count = parse_int(cells[cols["quantity"]])
        if count is None:
            continue
        rec = Attendance(section_id=section_id, source="table", group=clean_value(name), count=count, unit=unit,
                         text=" | ".join(c for c in cells if c), table_id=table_id, row=r, label=label)
        stamp(rec, block, layout.header_rows + r - 1)
        if TOTAL.match(ascii_fold(name or label)):
            rec.is_total = True
        elif GROUP_ROW.match(label):
            rec.is_subtotal = True
        rec.group = rec.group or label
        out.append(rec)
    _unlabelled_groups(out)
    return out


def _unlabelled_groups(rows: list[Attendance]) -> None:
    """A group row whose label was lost (an OCR gap or a mark where "II" stood): a row without a label, before
    numbering that starts again at 1, whose count the rows below it make up (or, beside other group
    rows, whose members restart at 1)."""
    lost = lambda label: not re.sub(r"[\W_]", "", label)  # noqa: E731 - blank, or dust where "II" stood ('"')
    for k, rec in enumerate(rows[:-1]):
        if not lost(rec.label) or rec.is_total or rec.is_subtotal or rows[k + 1].label.strip().rstrip(".)") != "1":
            continue
        members = []
        for nxt in rows[k + 1:]:
            if nxt.is_total or nxt.is_subtotal or lost(nxt.label):
                break
            members.append(nxt.count)
        if sum(members) == rec.count or any(r.is_subtotal for r in rows):
            rec.is_subtotal = True


def extract_attendance(blocks: list[Block], block_section: dict[int, str], table_ids: dict[int, str]) -> list[Attendance]:
    out = text_counts(blocks, block_section)
    for block in blocks:
        if block.is_table:
            out.extend(table_counts(block, table_ids[id(block)], block_section.get(id(block), "")))
    return out
