"""Recognise what a table is from its header row, whatever its columns are called.

Plans name the same column many ways (STT/TT, Nội dung/Hạng mục, Số tiền/
Thành tiền/Kinh phí) and order them freely, so columns are mapped by name,
and a money scale printed in the header ("(1.000 đồng)") is kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.figures import parse_figure
from extractors.text_utils import ascii_fold

COLUMN_RULES = [  # (role, folded header regex), first match wins per column
    ("stt", re.compile(r"^(stt|tt|so tt|so thu tu|s\.tt)$")),
    ("note", re.compile(r"^ghi chu")),
    ("unit_price", re.compile(r"^(don gia|muc chi|dinh muc|gia\b|don gia)")),
    ("unit", re.compile(r"^(dvt|d\.v\.t|don vi tinh|dv tinh|dvt\b)")),
    ("quantity", re.compile(r"^(so luong|sl\b|so nguoi|so dai bieu|khoi luong|so ngay|so buoi|so lop|so lan)")),
    ("amount", re.compile(r"^(thanh tien|so tien|kinh phi|du toan|tong tien|tong kinh phi|tong cong|tong so tien|tien\b|gia tri|nhu cau kinh phi)")),
    ("item", re.compile(r"^(noi dung|hang muc|dien giai|ten|khoan chi|cong viec|danh muc|thanh phan|doi tuong|chuc danh|don vi\b|co quan)")),
]
GLUED_RULES = {role: re.compile(rx.pattern.replace(" ", "").replace("\\b", "")) for role, rx in COLUMN_RULES}
GROUP_PREFIX = re.compile(r"^(?:nguon )?(?:kinh phi|du toan)\s*(?:\([^)]*\))?\s+(?=(?:don gia|muc chi|dinh muc|thanh tien|so tien|kinh phi|du toan)\b)")
SCALE = [(re.compile(r"(1\.000|1000|nghin|ngan)\s*(d\b|dong)"), 1000), (re.compile(r"trieu\s*dong"), 1_000_000)]
PERSONS = re.compile(r"dai bieu|nguoi|hoc vien|can bo|thanh vien|hoc sinh|khach")


@dataclass
class TableLayout:
    header_rows: int
    columns: dict[str, int] = field(default_factory=dict)  # role -> column index
    scale: int = 1
    quantity_persons: bool = False
    headers: list[str] = field(default_factory=list)

    @property
    def is_budget(self) -> bool:
        return "amount" in self.columns or ("unit_price" in self.columns and "quantity" in self.columns)

    @property
    def is_attendance(self) -> bool:
        """A head-count table: no money, and a count column named for people ("Số người") or
        a count beside a column of bodies or people ("Đơn vị", "Thành phần" | "Số lượng")."""
        if self.is_budget or "quantity" not in self.columns:
            return False
        if self.quantity_persons:
            return True
        name = self.columns.get("item")
        header = ascii_fold(self.headers[name]).strip(" :*") if name is not None and name < len(self.headers) else ""
        return bool(re.match(r"(don vi|thanh phan|doi tuong|co quan|chuc danh)\b", header))


def scale_of(text: str) -> int:
    folded = ascii_fold(text)
    for rx, factor in SCALE:
        if rx.search(folded):
            return factor
    return 1


def column_roles(cells: list[str]) -> tuple[dict[str, int], bool]:
    """Column roles of one header row (first match wins per column), and whether the quantity
    column counts people."""
    roles: dict[str, int] = {}
    persons = False
    plain_unit: list[int] = []  # "Đơn vị" alone: a unit of measure beside an item column
    for c, cell in enumerate(cells):
        folded = ascii_fold(cell).strip(" :*").lstrip("-_|—–.,;'\"` ")  # a rule or dust read before the name
        # a group heading merged with the sub-heading under it ("Kinh phí (đồng) Mức chi"): the sub-heading
        folded = GROUP_PREFIX.sub("", folded) if GROUP_PREFIX.match(folded) else folded
        glued = folded.replace(" ", "")  # "Nộidung" (OCR glued the words): matched without spaces too
        for role, rx in COLUMN_RULES:
            if (rx.match(folded) or GLUED_RULES[role].match(glued)) and role not in roles:
                if role == "item" and folded.startswith("don vi") and "tinh" in folded:
                    continue
                roles[role] = c
                if role == "quantity" and PERSONS.search(folded):
                    persons = True
                break
        else:
            if re.fullmatch(r"don vi", folded):
                plain_unit.append(c)
    if plain_unit and "item" in roles and "unit" not in roles:
        roles["unit"] = plain_unit[0]
    return roles, persons


def analyse(rows: list[list[str]]) -> TableLayout | None:
    """Find the header row among the first rows and map its columns to roles."""
    for h in range(min(3, len(rows))):
        roles, persons = column_roles(rows[h])
        if "stt" not in roles and 0 not in roles.values() and _numbers_rows(rows[h][0] if rows[h] else "", rows[h + 1:]):
            roles["stt"] = 0
        if len(roles) >= 2 and ("amount" in roles or "quantity" in roles or "unit_price" in roles):
            _figure_by_arithmetic(roles, rows[h + 1:])
            header_text = " ".join(rows[h])
            layout = TableLayout(header_rows=h + 1, columns=roles, headers=list(rows[h]))
            layout.scale = scale_of(header_text)  # a unit line or caption is read by budget.own_scale
            layout.quantity_persons = persons
            # "Đơn vị" is a unit of measure in a money table, a body's name in a head-count table.
            if layout.is_budget and "item" in roles and ascii_fold(rows[h][roles["item"]]).strip() == "don vi":
                if "unit" not in roles:
                    roles["unit"] = roles.pop("item")
            # A second header row is skipped: column numbers "(1) (2) (3)", units "(đồng)", or the
            # sub-headings under a merged cell ("Đơn giá" / "Thành tiền" under "Kinh phí"), which
            # then name their columns: the merged cell's name is a group's, not a column's.
            below = rows[h + 1] if h + 1 < len(rows) else []
            if below and not any(re.search(r"\d", c) for c in below) and any(c.strip() for c in below) and all(
                    not below[roles[k]].strip() for k in ("stt", "item") if k in roles and roles[k] < len(below)):
                layout.header_rows += 1
                merged = [below[c] if c < len(below) and below[c].strip() else cell for c, cell in enumerate(rows[h])]
                sub_roles, sub_persons = column_roles(merged)
                if "stt" in roles and "stt" not in sub_roles:
                    sub_roles["stt"] = roles["stt"]
                if len(sub_roles) >= len(roles) and ("amount" in sub_roles or "unit_price" in sub_roles):
                    layout.columns, layout.quantity_persons = sub_roles, sub_persons or persons
                layout.headers = merged
                layout.scale = scale_of(header_text + " " + " ".join(below)) if layout.scale == 1 else layout.scale
                return layout
            nxt = [c.strip() for c in below if c.strip()]
            numbers = [int(c.strip("()")) for c in nxt if re.fullmatch(r"\(?\d{1,2}\)?", c)]
            if len(nxt) >= 3 and len(numbers) == len(nxt) and numbers == sorted(set(numbers)):
                layout.header_rows += 1
            return layout
    return None


def _figure_by_arithmetic(roles: dict[str, int], body: list[list[str]]) -> None:
    """A figure column whose header was misread ("sỉ" for "SL") is named by the rows' own arithmetic:
    with the price and the amount known, the unnamed column whose figures make quantity × price =
    amount on the rows that have all three (two at least, and four in five: a plan's wrong line
    stays wrong) is the quantity; likewise the price."""
    missing = [r for r in ("quantity", "unit_price") if r not in roles]
    if len(missing) != 1 or "amount" not in roles or ("quantity" if missing[0] == "unit_price" else "unit_price") not in roles:
        return
    other = roles["quantity" if missing[0] == "unit_price" else "unit_price"]
    width = max((len(r) for r in body), default=0)
    for c in range(width):
        if c in roles.values() or not any(c < len(r) and r[c][:1].isdigit() for r in body):
            continue  # (most tables have no unnamed column of figures: nothing to parse)
        agree = disagree = 0
        for row in body:
            vals = [parse_figure(row[k], money=True, lookalikes=True).value if k < len(row) and row[k].strip() else None
                    for k in (c, other, roles["amount"])]
            if None in vals:
                continue
            if abs(vals[0] * vals[1] - vals[2]) <= 0.5:  # type: ignore[operator]
                agree += 1
            else:
                disagree += 1  # a wrong line of the plan, or another column
        if agree >= 2 and disagree <= agree // 4:
            roles[missing[0]] = c
            return


LABEL = re.compile(r"^(\d{1,3}(\.\d{1,2})*|[IVXLC]{1,6}|[a-zđ])[.)]?$")


def _numbers_rows(header: str, body: list[list[str]]) -> bool:
    """Is the first column a numbering column whose header is blank or misread (OCR's "sm" for "STT")?
    Its header is short and its body, where filled, is labels: 1, 2 …, I, II …, a, b … (a row of text
    across the table, "Bằng chữ: …", aside)."""
    labels = [r[0].strip() for r in body if r and r[0].strip() and len(r[0].strip()) <= 8]
    if len(header.strip()) > 4 or len(labels) < 2:
        return False
    return sum(bool(LABEL.match(v)) for v in labels) >= 0.8 * len(labels) and any(v.isdigit() for v in labels)
