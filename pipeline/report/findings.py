"""What each finding points at: its anchor on the document page and the cells behind it.

A finding names a table and row when it is about a line (`line_arithmetic`,
`malformed_number`, `table_sum` on the total row, a group label's
`numbering`, `attendance_sum` and `count_mismatch` on an attendance row), a
table alone for `amount_in_words` (its total row), a section for
`numbering` and `date_conflict`, nothing for `grand_total` and
`funding_split` (the plan's header). Money in question is the run summary's
figure (pipeline.worker.summarise): the sum of |expected − found| over the
money checks whose two values are whole numbers.
"""
from __future__ import annotations

import re

from pipeline.worker import MONEY_CHECKS

# The figure cells of a line behind each check: (cell to show expected/found on, other cells).
LINE_CELLS = {
    "line_arithmetic": ("amount", ("quantity", "unit_price")),
    "table_sum": ("amount", ()),
    "amount_in_words": ("amount", ()),
    "attendance_sum": ("count", ()),
    "count_mismatch": ("count", ()),
    "numbering": ("item", ()),
}


def as_int(s: str) -> int | None:
    return int(s) if re.fullmatch(r"-?\d+", s or "") else None


def in_question(flag: dict) -> int:
    e, f = as_int(flag["expected"]), as_int(flag["found"])
    return abs(e - f) if flag["check"] in MONEY_CHECKS and e is not None and f is not None else 0


def row_anchor(table_id: str, row: str) -> str:
    return f"{table_id}-r{row}"


def section_anchor(section_id: str) -> str:
    return f"s-{section_id}"


def target_row(flag: dict, rows: dict[tuple[str, str], dict], totals: dict[str, str]) -> str:
    """The row number a finding highlights in its table ("" when none): `amount_in_words` names no
    row, and stands for the table's total row."""
    if flag["row"]:
        return flag["row"]
    if flag["check"] == "amount_in_words" and flag["table_id"] in totals:
        return totals[flag["table_id"]]
    return ""


def anchor(flag: dict, rows: dict[tuple[str, str], dict], totals: dict[str, str], n: int) -> str:
    """The fragment a finding links to on its document page: its row, table, section, or its own entry."""
    t = flag["table_id"]
    r = target_row(flag, rows, totals)
    if t and r and (t, r) in rows:
        return row_anchor(t, r)
    if t and any(k[0] == t for k in rows):
        return t
    if flag["section_id"]:
        return section_anchor(flag["section_id"])
    return f"f{n}"


def cells(flag: dict, line: dict) -> tuple[str, list[str]]:
    """(cell that carries expected/found, all cells to highlight) for a finding on a line."""
    check = flag["check"]
    if check == "malformed_number":
        bad = [c for c in re.split(r"[,;]", line.get("malformed_fields") or "") if c.strip()] or \
              [c for c in ("quantity", "unit_price", "amount") if line.get(f"raw_{c}") and not line.get(c)]
        bad = [c.strip() for c in bad] or ["amount"]
        return bad[0], bad
    main, others = LINE_CELLS.get(check, ("amount", ()))
    return main, [main, *others]
