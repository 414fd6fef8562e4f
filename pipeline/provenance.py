"""Each finding points at what it was computed from, so an auditor can look at the printed figure.

The checks (pipeline.reconcile) name a table and row, a section or an
amount; the rows they name already carry their page, box and block
reference (extractors.source.stamp). This stage copies those onto the
finding: a line's for a line or total row, an attendance row's, the
table's for a table-wide finding, the paragraph's for a stated amount, and
the section's for a numbering or date finding.
"""
from __future__ import annotations

from extractors.budget import BudgetResult
from models.records import Extraction, Flag


def _copy(flag: Flag, source: object) -> None:
    flag.page = getattr(source, "page", None)
    flag.bbox = getattr(source, "bbox", "")
    flag.source_ref = getattr(source, "source_ref", "")


def _source_of(flag: Flag, ex: Extraction, budget: BudgetResult) -> object | None:
    if flag.table_id and flag.row is not None:
        rows = [l for l in ex.budget_lines if l.table_id == flag.table_id and l.row == flag.row]
        rows = rows or [a for a in ex.attendance if a.source == "table" and a.table_id == flag.table_id and a.row == flag.row]
        if rows:
            return rows[0]
    if flag.table_id:
        tables = [t for t in ex.budget_tables if t.table_id == flag.table_id]
        if tables:
            return tables[0]
        rows = [a for a in ex.attendance if a.table_id == flag.table_id]
        if rows:
            return rows[-1]
    if flag.check in ("grand_total", "funding_split", "amount_in_words"):
        grand = budget.grand_total
        wanted = flag.found if flag.check != "amount_in_words" else flag.expected
        stated = [s for s in budget.statements if s.amount is not None and str(s.amount) == wanted]
        if flag.check == "grand_total" and grand is not None:
            return grand
        if stated:
            return stated[0]
    if flag.section_id:
        return next((s for s in ex.sections if s.section_id == flag.section_id), None)
    return None


def locate_flags(ex: Extraction, budget: BudgetResult) -> None:
    for flag in ex.flags:
        source = _source_of(flag, ex, budget)
        if source is not None:
            _copy(flag, source)
