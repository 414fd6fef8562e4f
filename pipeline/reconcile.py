"""Reconciliation: every check of the contract, one function each.

`expected` is what the arithmetic gives and `found` what the document
states. Messages are written for an analyst who has the plan open.
"""
from __future__ import annotations

import re
from collections import defaultdict

from extractors.budget import BudgetResult, MoneyStatement
from extractors.events import EventMention, same_event
from extractors.figures import format_vnd
from extractors.sections import expected_next, successor_ok
from models.records import Attendance, BudgetLine, BudgetTable, Flag, Section

WORDS_TOLERANCE = 0  # amounts in words must match to the đồng
OCR_TRUSTED = 85  # below this OCR confidence a figure may be misread: an arithmetic finding is only a warning


def ocr_caveat(flag: Flag, confidence: float | None) -> Flag:
    """A finding that rests on a doubtful OCR reading says so instead of accusing the plan."""
    if confidence is not None and confidence < OCR_TRUSTED:
        flag.severity = "warning" if flag.severity == "error" else flag.severity
        flag.message += f" (figures read by OCR with confidence {confidence:.0f}%: check the scan)"
    return flag


def vnd(n: int | float | None) -> str:
    return format_vnd(int(n)) if n is not None else "?"


def line_arithmetic(lines: list[BudgetLine], sections: dict[str, str]) -> list[Flag]:
    flags = []
    for l in lines:
        if l.is_total or l.is_subtotal or l.quantity_value is None or l.unit_price is None or l.amount is None:
            continue
        expected = round(l.quantity_value * l.unit_price)
        if expected == l.amount:
            continue
        q = l.raw_quantity or str(l.quantity_value)
        msg = f"Row {l.row} '{l.item}': {q} × {vnd(l.unit_price)} = {vnd(expected)}, but the amount is {vnd(l.amount)}"
        severity = "error"
        if l.quantity_kind == "persons":
            severity = "warning"
            msg += (f"; the quantity column counts people ({q})"
                    + (", and the amount equals one unit price: the price is likely per vehicle or per trip, not per person"
                       if l.amount == l.unit_price else ""))
        flags.append(ocr_caveat(Flag(check="line_arithmetic", severity=severity, table_id=l.table_id, row=l.row,
                                     section_id=sections.get(l.table_id, ""), expected=str(expected), found=str(l.amount),
                                     message=msg), l.ocr_confidence))
    return flags


def malformed_numbers(lines: list[BudgetLine], sections: dict[str, str]) -> list[Flag]:
    flags = []
    for l in lines:
        for name in filter(None, l.malformed_fields.split(",")):
            raw = getattr(l, f"raw_{name}")
            value = getattr(l, name)
            resolved = f"; the line's arithmetic gives {vnd(value)}" if value is not None else "; it could not be resolved"
            flags.append(Flag(check="malformed_number", severity="warning", table_id=l.table_id, row=l.row,
                              section_id=sections.get(l.table_id, ""), expected=str(value) if value is not None else "",
                              found=raw, message=f"Row {l.row} '{l.item}': {name.replace('_', ' ')} '{raw}' has invalid digit grouping{resolved}"))
    return flags


def table_sums(tables: list[BudgetTable], lines: list[BudgetLine]) -> list[Flag]:
    flags = []
    by_table: dict[str, list[BudgetLine]] = defaultdict(list)
    for l in lines:
        by_table[l.table_id].append(l)
    for t in tables:
        if t.stated_total is not None and t.computed_total is not None and t.stated_total != t.computed_total:
            total_row = next((l.row for l in reversed(by_table[t.table_id]) if l.is_total), None)
            flags.append(ocr_caveat(Flag(check="table_sum", severity="error", table_id=t.table_id, row=total_row, section_id=t.section_id,
                              expected=str(t.computed_total), found=str(t.stated_total),
                              message=f"Table {t.table_id} '{t.title}': the lines add up to {vnd(t.computed_total)}, but the total row says {vnd(t.stated_total)}"),
                                    t.ocr_confidence))
        flags.extend(group_sums(t, by_table[t.table_id]))
    return flags


def group_sums(t: BudgetTable, lines: list[BudgetLine]) -> list[Flag]:
    """Group rows (I, II, …) against the lines under them."""
    flags = []
    group: BudgetLine | None = None
    members: list[BudgetLine] = []

    def close() -> None:
        if group is not None and group.amount is not None and members and all(m.amount is not None for m in members):
            s = sum(m.amount for m in members)  # type: ignore[misc]
            if s != group.amount:
                flags.append(Flag(check="table_sum", severity="error", table_id=t.table_id, row=group.row, section_id=t.section_id,
                                  expected=str(s), found=str(group.amount),
                                  message=f"Table {t.table_id}, group '{group.item}': its lines add up to {vnd(s)}, but the group row says {vnd(group.amount)}"))

    for l in lines:
        if l.is_subtotal or l.is_total:
            close()
            group, members = (l, []) if l.is_subtotal else (None, [])
        else:
            members.append(l)
    if any(l.is_total for l in lines) or t.words_text:
        close()  # the last group is closed by the total row or the words line; without them the
    return flags  # table may go on where no reader found it (a page whose header OCR lost)


def amounts_in_words(tables: list[BudgetTable], statements: list[MoneyStatement]) -> list[Flag]:
    flags = []
    for t in tables:
        figure = t.stated_total if t.stated_total is not None else t.computed_total
        if t.words_text and figure is not None:
            flags.extend(words_flag(figure, t.words_text, t.words_amount, t.table_id, t.section_id, f"Table {t.table_id} '{t.title}'"))
    for s in statements:
        if s.words_text and s.amount is not None:
            flags.extend(words_flag(s.amount, s.words_text, s.words_amount, "", s.section_id, "The stated amount"))
    return flags


def words_flag(figure: int, words: str, amount: int | None, table_id: str, section_id: str, what: str) -> list[Flag]:
    if amount is None:
        return [Flag(check="amount_in_words", severity="warning", table_id=table_id, section_id=section_id,
                     expected=str(figure), found="", message=f"{what}: the amount in words '{words}' could not be read as a number")]
    if abs(amount - figure) <= WORDS_TOLERANCE:
        return []
    return [Flag(check="amount_in_words", severity="error", table_id=table_id, section_id=section_id,
                 expected=str(figure), found=str(amount),
                 message=f"{what}: the figure is {vnd(figure)} but the words '{words}' say {vnd(amount)}")]


def grand_total(tables: list[BudgetTable], statement: MoneyStatement | None) -> list[Flag]:
    if statement is None or statement.amount is None or not tables:
        return []
    totals = [t.stated_total if t.stated_total is not None else t.computed_total for t in tables]
    if any(v is None for v in totals):
        return []
    s = sum(totals)  # type: ignore[arg-type]
    # A summary table repeats the others' totals: its own total is the sum.
    for i, v in enumerate(totals):
        if len(totals) > 2 and v == s - v:
            s = v
    if s == statement.amount:
        return []
    return [Flag(check="grand_total", severity="error", section_id=statement.section_id, expected=str(s), found=str(statement.amount),
                 message=f"The {len(tables)} budget table totals add up to {vnd(s)}, but the plan states a total of {vnd(statement.amount)}")]


def funding_splits(statements: list[MoneyStatement]) -> list[Flag]:
    flags = []
    for st in statements:
        if st.amount is None or len(st.split) < 2:
            continue
        s = sum(v for _, v in st.split)
        if s != st.amount:
            parts = "; ".join(f"{label}: {vnd(v)}" for label, v in st.split)
            flags.append(Flag(check="funding_split", severity="error", section_id=st.section_id, expected=str(s), found=str(st.amount),
                              message=f"The funding sources ({parts}) add up to {vnd(s)}, not the stated {vnd(st.amount)}"))
    return flags


def attendance_sums(rows: list[Attendance]) -> list[Flag]:
    flags = []
    by_table: dict[str, list[Attendance]] = defaultdict(list)
    for a in rows:
        if a.source == "table":
            by_table[a.table_id].append(a)
    for table_id, items in by_table.items():
        groups: list[tuple[Attendance, list[Attendance]]] = []
        loose: list[Attendance] = []
        for a in items:
            if a.is_subtotal:
                groups.append((a, []))
            elif a.is_total:
                total = a
                parts = [g.count for g, _ in groups] + [m.count for m in loose]
                if parts and sum(parts) != total.count:
                    flags.append(sum_flag(table_id, total, sum(parts), "the groups add up to"))
            elif groups:
                groups[-1][1].append(a)
            else:
                loose.append(a)
        for g, members in groups:
            if members and sum(m.count for m in members) != g.count:
                flags.append(sum_flag(table_id, g, sum(m.count for m in members), "its rows add up to"))
        flags.extend(label_sequence(table_id, [g for g, _ in groups]))
    return flags


def sum_flag(table_id: str, row: Attendance, s: int, what: str) -> Flag:
    return Flag(check="attendance_sum", severity="error", table_id=table_id, row=row.row, section_id=row.section_id,
                expected=str(s), found=str(row.count), message=f"Attendance table {table_id}, '{row.group}': {what} {s}, but it states {row.count}")


def label_sequence(table_id: str, groups: list[Attendance]) -> list[Flag]:
    """Group labels of a table (I, II, IV) must follow on like section labels."""
    flags = []
    for prev, cur in zip(groups, groups[1:]):
        if prev.label and cur.label and re.fullmatch(r"[IVX]+", prev.label + cur.label) and not successor_ok("roman", prev.label, cur.label):
            exp = expected_next("roman", prev.label)
            flags.append(Flag(check="numbering", severity="warning", table_id=table_id, row=cur.row, section_id=cur.section_id,
                              expected=exp, found=cur.label, message=f"Table {table_id}: group '{cur.label}' follows '{prev.label}' (expected '{exp}'); a group may be missing"))
    return flags


def count_mismatches(rows: list[Attendance], sections: list[Section]) -> list[Flag]:
    """A text count that points to an attendance table ("Chi tiết theo Phụ lục 1") against that table's total."""
    flags = []
    totals = {a.section_id: a for a in rows if a.source == "table" and a.is_total}
    texts = {s.section_id: s.text + " " + s.participants_text for s in sections}
    for a in rows:
        if a.source != "text":
            continue
        ref = re.search(r"ph[uụ]\s*l[uụ]c\s*(?:số\s*)?([IVX]+|\d+)", texts.get(a.section_id, ""), re.I)
        if not ref:
            continue
        total = totals.get(f"PL{ref.group(1)}")
        if total is None or total.count == a.count:
            continue
        if a.approx and abs(total.count - a.count) <= 0.1 * total.count:
            continue  # "khoảng 130" for 127 is consistent
        flags.append(Flag(check="count_mismatch", severity="info" if a.approx else "warning", table_id=total.table_id, row=total.row,
                          section_id=a.section_id, expected=str(total.count), found=str(a.count),
                          message=f"Section {a.section_id} states {'about ' if a.approx else ''}{a.count} {a.unit}, but the attendance table {total.table_id} totals {total.count}"))
    return flags


def date_conflicts(events: list[EventMention]) -> list[Flag]:
    flags = []
    keys = {e.key for e in events}
    reported: set[tuple[str, str]] = set()
    for i, ev in enumerate(events):
        seen = next((e for e in events[:i] if same_event(e.key, ev.key, keys)), ev)
        if seen.when != ev.when and (seen.key, ev.when.isoformat()) not in reported:
            reported.add((seen.key, ev.when.isoformat()))
            flags.append(Flag(check="date_conflict", severity="warning", section_id=ev.section_id,
                              expected=seen.when.isoformat(), found=ev.when.isoformat(),
                              message=f"'{ev.key}' is dated {seen.when:%d/%m/%Y} (section {seen.section_id or '-'}) and {ev.when:%d/%m/%Y} (section {ev.section_id or '-'})"))
    return flags


def reconcile(budget: BudgetResult, attendance: list[Attendance], sections: list[Section],
              events: list[EventMention], numbering: list[Flag]) -> list[Flag]:
    table_sections = {t.table_id: t.section_id for t in budget.tables}
    flags = (
        line_arithmetic(budget.lines, table_sections)
        + malformed_numbers(budget.lines, table_sections)
        + table_sums(budget.tables, budget.lines)
        + (grand_total(budget.tables, budget.grand_total) if not budget.unread else [])  # a table is missing
        + amounts_in_words(budget.tables, budget.statements)
        + funding_splits(budget.statements)
        + attendance_sums(attendance)
        + count_mismatches(attendance, sections)
        + numbering
        + date_conflicts(events)
    )
    return flags
