"""Review formatting of `--format xlsx`: findings' cells filled, a findings sheet linking to the lines.

Run on the workbook pipeline.write has just written (before it is moved into
place): in the budget_lines sheet the cells behind each finding are filled
with the finding's severity colour (the amount, quantity and unit price of a
line_arithmetic, the total row's amount of a table_sum or amount_in_words,
the malformed cell and its raw text), likewise the count cell of an
attendance finding; a `findings` sheet lists every finding with an internal
hyperlink to its line (`#budget_lines!A123`); every sheet gets its header
row frozen and an auto-filter. Cells are looked up by header name, so extra
columns anywhere do not matter.
"""
from __future__ import annotations

import sys
from pathlib import Path

from pipeline.report.findings import cells

FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
FINDING_COLUMNS = ["doc_id", "source_path", "check", "severity", "table_id", "row", "section_id", "expected", "found",
                   "message", "line"]
ATTENDANCE_CHECKS = {"attendance_sum", "count_mismatch"}


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _index(ws) -> tuple[dict[str, int], list[dict]]:
    """(column name -> 1-based index, rows as {column: text} with their sheet row number under "_r")."""
    rows = ws.iter_rows(values_only=True)
    header = [str(h) for h in next(rows, ())]
    col = {h: i + 1 for i, h in enumerate(header)}
    out = []
    for r, values in enumerate(rows, start=2):
        d = {h: _text(v) for h, v in zip(header, values)}
        d["_r"] = r
        out.append(d)
    return col, out


def review_workbook(path: Path) -> int:
    """Format the workbook in place; return the number of findings listed."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    with open(path, "rb") as f:
        wb = load_workbook(f)
    lines_ws, att_ws, flags_ws = wb["budget_lines"], wb["attendance"], wb["flags"]
    line_col, lines = _index(lines_ws)
    att_col, atts = _index(att_ws)
    _, flags = _index(flags_ws)
    _, docs = _index(wb["documents"])
    source_of = {d["doc_id"]: d.get("source_path", "") for d in docs}
    by_line = {(l["doc_id"], l["table_id"], l["row"]): l for l in lines}
    by_att = {(a["doc_id"], a["table_id"], a["row"]): a for a in atts if a.get("table_id") and a.get("row")}
    totals = {(l["doc_id"], l["table_id"]): l["row"] for l in lines if l.get("is_total") == "true"}
    fills = {k: PatternFill("solid", start_color=v, end_color=v) for k, v in FILLS.items()}

    if "findings" in wb.sheetnames:  # formatted before: list the findings afresh
        del wb["findings"]
    ws = wb.create_sheet("findings")
    ws.append(FINDING_COLUMNS)
    link_font = Font(color="0563C1", underline="single")
    for f in flags:
        row = f["row"] or (totals.get((f["doc_id"], f["table_id"]), "") if f["check"] == "amount_in_words" else "")
        key = (f["doc_id"], f["table_id"], row)
        options = [("budget_lines", line_col, by_line.get(key)), ("attendance", att_col, by_att.get(key))]
        if f["check"] in ATTENDANCE_CHECKS:
            options.reverse()
        sheet, col, target = next((o for o in options if o[2] is not None), options[0])
        fill = fills.get(f["severity"], fills["error"])
        if target is not None:
            _, names = cells(f, target)
            if f["check"] == "malformed_number":
                names = names + [f"raw_{n}" for n in names]
            for name in names:
                name = "label" if name == "item" and "item" not in col else name  # a group label in a head-count table
                if name in col:
                    (att_ws if sheet == "attendance" else lines_ws).cell(target["_r"], col[name]).fill = fill
        ws.append([f["doc_id"], source_of.get(f["doc_id"], ""), f["check"], f["severity"], f["table_id"],
                   int(f["row"]) if f["row"].isdigit() else None, f["section_id"], f["expected"], f["found"],
                   f["message"], f"{sheet} row {target['_r']}" if target is not None else ""])
        for c in ws[ws.max_row]:
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"  # text, never a formula (docs/conventions.md)
        if target is not None:
            c = ws.cell(ws.max_row, len(FINDING_COLUMNS))
            c.hyperlink = Hyperlink(ref=c.coordinate, location=f"{sheet}!A{target['_r']}")
            c.font = link_font
    for sheet in wb.worksheets:
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    wb.save(path)
    return len(flags)


def try_review(path: Path) -> bool:
    """Format the workbook; on any failure leave it as written and say so on stderr."""
    try:
        review_workbook(path)
        return True
    except Exception as e:  # noqa: BLE001 — the plain workbook is still complete
        print(f"kehoach: warning: the workbook's review formatting failed ({type(e).__name__}: {e}); "
              "the tables in it are complete", file=sys.stderr)
        return False
