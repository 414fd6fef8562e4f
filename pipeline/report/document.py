"""One plan's page: header fields, findings, legal bases, section tree, attendance and budget tables.

Each table row has an anchor (`T2-r3`), each section one (`s-II.3`), each
finding one (`f1`), so the summary's links land on the row behind a
finding. The cells behind a finding are highlighted and show the expected
and the found value; under the row sits the evidence (a crop of the page or
the source lines, pipeline.report.evidence).
"""
from __future__ import annotations

import re
from collections import defaultdict

from pipeline.report.evidence import Evidence
from pipeline.report.findings import anchor, cells, row_anchor, section_anchor, target_row
from pipeline.report.page import esc, frag, money, shell, table

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
HEADER_FIELDS = [
    ("doc_number", "Number"), ("doc_type", "Type"), ("issuer", "Issuer"), ("parent_issuer", "Parent issuer"),
    ("issue_place", "Place"), ("issue_date", "Date"), ("title", "Title"), ("signer_authority", "Signed for"),
    ("signer_title", "Signer's title"), ("signer_name", "Signer"), ("stated_total_vnd", "Stated total (đồng)"),
    ("stated_total_words", "Total in words"), ("funding_split", "Funding split"), ("recipients", "Recipients"),
    ("source_path", "Source"), ("source_format", "Format"), ("ocr_used", "OCR"), ("pages", "Pages"),
    ("status", "Status"), ("duplicate_of", "Duplicate of"),
]
BUDGET_COLS = [("item", "Item"), ("unit", "Unit"), ("quantity", "Quantity"), ("unit_price", "Unit price"),
               ("amount", "Amount"), ("note", "Note")]
ATTENDANCE_COLS = [("label", "STT"), ("group", "Group"), ("count", "Count"), ("unit", "Unit")]
NUMERIC = {"quantity", "unit_price", "amount", "count"}


def _int_key(s: str) -> int:
    return int(s) if re.fullmatch(r"\d+", s or "") else 0


def doc_label(d: dict) -> str:
    """A plan as a reader names it: its title (its number when the title was not read), else its file."""
    return d.get("title", "")[:120] or d.get("doc_number", "") or d.get("source_path", "")


def _value(line: dict, col: str) -> str:
    v = line.get(col, "")
    if col in NUMERIC:
        if col == "quantity" and not v and line.get("quantity_value"):
            v = line["quantity_value"]
        shown = money(v) if v else line.get(f"raw_{col}", "")
        return esc(shown)
    return esc(v)


def _ef(flag: dict) -> str:
    """The expected and found values of a finding, as a reader wants them."""
    e, f = money(flag["expected"]), money(flag["found"])
    if flag["check"] == "malformed_number":
        return f'<span class="ef">printed <b>{esc(f)}</b> · read as <b>{esc(e) or "?"}</b></span>'
    return f'<span class="ef">expected <b>{esc(e)}</b> · found <b>{esc(f)}</b></span>'


class DocumentPage:
    def __init__(self, d: dict, parts: dict[str, list[dict]], evidence: Evidence):
        self.d, self.p, self.ev = d, parts, evidence
        self.lines = {(l["table_id"], l["row"]): l for l in parts["budget_lines"]}
        self.att_rows = {(a["table_id"], a["row"]): a for a in parts["attendance"] if a["table_id"] and a["row"]}
        self.rows = {**self.att_rows, **self.lines}
        self.totals: dict[str, str] = {}
        for l in parts["budget_lines"]:
            if l["is_total"] == "true":
                self.totals[l["table_id"]] = l["row"]
        self.flags = parts["flags"]  # document order, as flags.csv holds them
        # (table_id, row) -> [(n, flag)]; section_id -> [(n, flag)]
        self.by_row: dict[tuple[str, str], list[tuple[int, dict]]] = defaultdict(list)
        self.by_section: dict[str, list[tuple[int, dict]]] = defaultdict(list)
        self.anchors: list[str] = []
        for n, f in enumerate(self.flags, start=1):
            a = anchor(f, self.rows, self.totals, n)
            self.anchors.append(a)
            r = target_row(f, self.rows, self.totals)
            if f["table_id"] and r and (f["table_id"], r) in self.rows:
                self.by_row[(f["table_id"], r)].append((n, f))
            if f["section_id"]:
                self.by_section[f["section_id"]].append((n, f))

    # ------------------------------------------------------------------ parts
    def header(self) -> str:
        rows = []
        for key, label in HEADER_FIELDS:
            v = self.d.get(key, "")
            if not v or v == "false" and key in ("ocr_used",):
                continue
            shown = money(v) if key == "stated_total_vnd" else v
            rows.append(f"<tr><th>{esc(label)}</th><td>{esc(shown)}</td></tr>")
        plan = [(n, f) for n, f in enumerate(self.flags, 1) if f["check"] in ("grand_total", "funding_split")]
        for n, f in plan:
            rows.append(f'<tr class="hit sev-{esc(f["severity"])}"><th>{esc(f["check"])}</th>'
                        f'<td><a href="#f{n}">finding {n}</a> {_ef(f)}</td></tr>')
        return f'<section id="header"><h2>Header</h2><table class="fields">{"".join(rows)}</table></section>'

    def findings(self) -> str:
        if not self.flags:
            return '<section id="findings"><h2>Findings</h2><p class="empty">No finding.</p></section>'
        items = []
        for n, (f, a) in enumerate(zip(self.flags, self.anchors), start=1):
            where = " ".join(x for x in (f["table_id"], f"row {f['row']}" if f["row"] else "",
                                         f"section {f['section_id']}" if f["section_id"] else "") if x)
            link = f' <a class="goto" href="#{esc(frag(a))}">{esc(where or "see")}</a>' if a != f"f{n}" else \
                f" {esc(where)}"
            ev = ""
            if (f["table_id"], target_row(f, self.rows, self.totals)) not in self.rows and (f.get("bbox") or f.get("source_ref")):
                ev = self.ev.html(f, [])
            items.append(f'<li id="f{n}" class="finding sev-{esc(f["severity"])}"><span class="badge">{esc(f["severity"])}</span> '
                         f'<code>{esc(f["check"])}</code>{link} {_ef(f)}<div class="msg">{esc(f["message"])}</div>{ev}</li>')
        return f'<section id="findings"><h2>Findings ({len(self.flags)})</h2><ol>{"".join(items)}</ol></section>'

    def legal_bases(self) -> str:
        lbs = self.p["legal_bases"]
        if not lbs:
            return ""
        rows = [[esc(b["seq"]), esc(b["relation"]), esc(b["ref_type"]), esc(b["ref_number"]), esc(b["ref_date"]),
                 esc(b["ref_issuer"]), esc(b["ref_summary"])] for b in lbs]
        return (f'<section id="legal"><h2>Legal bases ({len(lbs)})</h2>'
                + table(["#", "Relation", "Type", "Number", "Date", "Issuer", "Summary"], rows) + "</section>")

    def section_tree(self) -> str:
        secs = self.p["sections"]
        if not secs:
            return ""
        ids = {s["section_id"] for s in secs}
        children: dict[str, list[dict]] = defaultdict(list)
        for s in secs:
            children[s["parent_id"] if s["parent_id"] in ids else ""].append(s)

        def render(parent: str, depth: int) -> str:
            out = []
            for s in children.get(parent, []):
                hits = self.by_section.get(s["section_id"], [])
                marks = "".join(f' <a class="flagref sev-{esc(f["severity"])}" href="#f{n}">{esc(f["check"])}</a>'
                                for n, f in hits)
                fields = "".join(f'<div class="field"><span>{esc(lbl)}:</span> {esc(s[k])}</div>'
                                 for k, lbl in (("time_text", "Time"), ("location", "Place"),
                                                ("participants_text", "Participants"), ("lead_agency", "Lead"),
                                                ("coordinating_agencies", "With")) if s.get(k))
                text = s.get("text", "")
                body = (f'<details><summary>text</summary><p>{esc(text[:600])}{"…" if len(text) > 600 else ""}</p></details>'
                        if text else "")
                sub = render(s["section_id"], depth + 1) if depth < 12 else ""
                out.append(f'<li id="{esc(section_anchor(s["section_id"]))}"{" class=hit" if hits else ""}>'
                           f'<b>{esc(s["label"])}</b> {esc(s["title"])}{marks}{fields}{body}{sub}</li>')
            return f"<ul>{''.join(out)}</ul>" if out else ""

        return f'<section id="sections"><h2>Sections ({len(secs)})</h2><div class="tree">{render("", 0)}</div></section>'

    def _rows_table(self, table_id: str, rows: list[dict], cols: list[tuple[str, str]], caption: str) -> str:
        head = "".join(f"<th>{esc(lbl)}</th>" for _, lbl in [("row", "Row"), *cols])
        body = []
        for r in rows:
            hits = self.by_row.get((table_id, r["row"]), [])
            hit_cells: dict[str, list[tuple[int, dict]]] = defaultdict(list)
            main_cells: dict[str, list[dict]] = defaultdict(list)
            marks: list[str] = []
            names = dict(cols)
            for n, f in hits:
                main, cs = cells(f, r)  # a cell the table lacks (a group label's "item") is its first column
                main, cs = (main if main in names else cols[0][0]), [c if c in names else cols[0][0] for c in cs]
                for c in cs:
                    hit_cells[c].append((n, f))
                    if r.get(f"{c}_bbox"):
                        marks.append(r[f"{c}_bbox"])
                main_cells[main].append(f)
            cls = ["total"] if r.get("is_total") == "true" else ["group"] if r.get("is_subtotal") == "true" else []
            if hits:
                cls.append("flagged")
            tds = [f'<td class="rowno">{esc(r["row"])}</td>']
            for c, _ in cols:
                v = _value(r, c)
                num = " num" if c in NUMERIC else ""
                if c in hit_cells:
                    sev = min((f["severity"] for _, f in hit_cells[c]), key=lambda s: SEVERITY_ORDER.get(s, 3))
                    refs = " ".join(f'<a href="#f{n}">#{n}</a>' for n, _ in hit_cells[c])
                    efs = "".join(_ef(f) for f in main_cells.get(c, []))
                    tds.append(f'<td class="hit sev-{esc(sev)}{num}">{v}{efs}<span class="refs">{refs}</span></td>')
                else:
                    tds.append(f'<td class="{num.strip()}">{v}</td>')
            body.append(f'<tr id="{esc(row_anchor(table_id, r["row"]))}" class="{" ".join(cls)}">{"".join(tds)}</tr>')
            if hits:
                ev = self.ev.html(r, marks)
                if ev:
                    body.append(f'<tr class="evidence"><td></td><td colspan="{len(cols)}">{ev}</td></tr>')
        return (f'<table id="{esc(table_id)}" class="data"><caption>{caption}</caption><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>')

    def budget(self) -> str:
        tables = self.p["budget_tables"]
        if not tables:
            return ""
        lines: dict[str, list[dict]] = defaultdict(list)
        for l in self.p["budget_lines"]:
            lines[l["table_id"]].append(l)
        out = []
        for t in tables:
            tid = t["table_id"]
            rows = sorted(lines.get(tid, []), key=lambda l: _int_key(l["row"]))
            words = ""
            if t.get("words_text"):
                wf = [f for f in self.flags if f["check"] == "amount_in_words" and f["table_id"] == tid]
                words = (f'<div class="words{" hit sev-" + esc(wf[0]["severity"]) if wf else ""}">Bằng chữ: '
                         f'{esc(t["words_text"])}{"".join(_ef(f) for f in wf)}</div>')
            scale = f" · figures × {esc(money(t['scale']))}" if t.get("scale") not in ("", "1") else ""
            cap = (f'<b>{esc(tid)}</b> {esc(t["title"])} <span class="sub">section {esc(t["section_id"] or "—")} · '
                   f'stated total {esc(money(t["stated_total"]) or "—")} · sum of lines '
                   f'{esc(money(t["computed_total"]) or "—")}{scale}</span>{words}')
            out.append(self._rows_table(tid, rows, BUDGET_COLS, cap))
        return f'<section id="budget"><h2>Budget tables ({len(tables)})</h2>{"".join(out)}</section>'

    def attendance(self) -> str:
        att = self.p["attendance"]
        if not att:
            return ""
        by_table: dict[str, list[dict]] = defaultdict(list)
        text = []
        for a in att:
            (by_table[a["table_id"]] if a["source"] == "table" and a["table_id"] else text).append(a)
        out = []
        for tid, rows in by_table.items():
            rows = sorted(rows, key=lambda a: _int_key(a["row"]))
            out.append(self._rows_table(tid, rows, ATTENDANCE_COLS, f"<b>{esc(tid)}</b> attendance table"))
        if text:
            items = "".join(f'<li>{"~" if a["approx"] == "true" else ""}{esc(money(a["count"]))} {esc(a["unit"])} '
                            f'<span class="sub">({esc(a["section_id"])})</span> — {esc(a["text"][:200])}</li>'
                            for a in text)
            out.append(f"<h3>Head counts in the text</h3><ul class=counts>{items}</ul>")
        return f'<section id="attendance"><h2>Attendance</h2>{"".join(out)}</section>'

    def errors(self) -> str:
        errs = self.p["errors"]
        if not errs:
            return ""
        rows = [[esc(e["stage"]), esc(e["error_type"]), esc(e["message"])] for e in errs]
        return '<section id="errors"><h2>Errors and warnings</h2>' + table(["Stage", "Type", "Message"], rows) + "</section>"

    def html(self) -> str:
        d = self.d
        title = doc_label(d)
        nav = ('<nav><a href="../index.html">← Summary</a> · <a href="#findings">Findings</a> · '
               '<a href="#budget">Budget</a> · <a href="#sections">Sections</a></nav>')
        head = (f'<header><h1>{esc(d.get("title") or d.get("source_path"))}</h1>'
                f'<p class="sub">{" · ".join(esc(d[k]) for k in ("doc_number", "issuer", "source_path") if d.get(k))} · '
                f'<span class="status st-{esc(d.get("status"))}">{esc(d.get("status"))}</span></p></header>')
        body = nav + head + "".join(part() for part in (self.findings, self.header, self.budget, self.attendance,
                                                         self.legal_bases, self.section_tree, self.errors))
        return shell(title, body, root="../", page_class="doc")
