"""The summary page (index.html) and the data file its tables page through (report-data.js).

The plans and findings tables are drawn by report.js from report-data.js, a
page of rows at a time, so 10,000 plans and their findings stay quick: the
data is a script (`window.KEHOACH_DATA = …`) because browsers refuse fetch()
on file:// pages. Counts, charts and the failures are plain HTML and SVG.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict

from pipeline.report import svg
from pipeline.report.page import esc, money, shell, table
from pipeline.report.prices import Group

SEVERITIES = ("error", "warning", "info")
MAX_ERRORS = 500
TOP_PLANS = 15
MESSAGE_CHARS = 300


def data_js(docs: list[list], findings: list[list]) -> str:
    """The rows the tables page through; "<" escaped so no text can close a script element."""
    payload = {
        "docs": {"cols": ["doc_id", "source_path", "label", "issuer", "year", "status", "findings", "in_question"],
                 "rows": docs},
        "findings": {"cols": ["doc", "check", "severity", "where", "expected", "found", "message", "anchor"],
                     "rows": findings},
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return "window.KEHOACH_DATA = " + text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + ";\n"


def _status(docs: list[dict]) -> str:
    c = Counter(d["status"] for d in docs)
    cards = "".join(f'<div class="card st-{esc(k)}"><b>{v}</b><span>{esc(k)}</span></div>'
                    for k, v in sorted(c.items(), key=lambda kv: ("ok", "partial", "failed").index(kv[0])
                                       if kv[0] in ("ok", "partial", "failed") else 9))
    return f'<section id="status"><h2>Plans by status</h2><div class="cards"><div class="card"><b>{len(docs)}</b><span>plans</span></div>{cards}</div></section>'


def _checks(flags: list[dict]) -> str:
    by = defaultdict(Counter)
    for f in flags:
        by[f["check"]][f["severity"]] += 1
    order = sorted(by, key=lambda c: (-sum(by[c].values()), c))
    rows = [[f"<code>{esc(c)}</code>", *(str(by[c][s]) if by[c][s] else "" for s in SEVERITIES), str(sum(by[c].values()))]
            for c in order]
    tot = Counter(f["severity"] for f in flags)
    rows.append(["<b>all</b>", *(f"<b>{tot[s]}</b>" for s in SEVERITIES), f"<b>{len(flags)}</b>"])
    chart = svg.bar_chart([(c, sum(by[c].values()), "") for c in order], caption="Findings per check")
    return (f'<section id="checks"><h2>Findings per check and severity</h2><div class="pair">'
            f'{table(["check", *SEVERITIES, "total"], rows, "counts")}{chart}</div></section>')


def _money(top: list[tuple[str, int, str]], total: int, plans: int) -> str:
    chart = svg.bar_chart(top, caption="Plans with the largest amounts in question", unit=" đ", css="bar money")
    return (f'<section id="money"><h2>Money in question</h2><p>{esc(money(str(total)))} đồng over {plans} plans: for each '
            'plan, the sum of |expected − found| over its money findings (line_arithmetic, table_sum, grand_total, '
            'amount_in_words, funding_split), as in the run summary. The plans table below has every plan\'s figure.</p>'
            f'{chart}</section>')


def _prices(groups: list[Group], href_of) -> str:
    rows = []
    for g in groups:
        for p in g.prices:
            if p.outlier:
                rows.append([esc(g.label), f"<b>{esc(money(str(p.value)))}</b>",
                             esc(money(str(round(_median(g))))), f'<a href="{esc(href_of(p))}">{esc(p.item)}</a>',
                             esc(p.label)])
    outl = (table(["item", "unit price", "median", "line", "plan"], rows[:200], "outliers")
            if rows else '<p class="empty">No outlier.</p>')
    return ('<section id="prices"><h2>Unit prices of common items</h2><p class="sub">Lines grouped by item (nước uống, '
            'tiền ăn, thuê hội trường, … by name; other items by their first words) and unit; groups priced in two '
            'plans or more. Box: first to third quartile; tick: median; red: an outlier — more than 3× or less than a '
            'third of the median (3 prices or more), or beyond 1.5 IQR from the quartiles (5 prices or more). '
            f'Each row has its own logarithmic scale.</p>{svg.price_chart(groups, href_of)}'
            f'<h3>Outliers ({len(rows)})</h3>{outl}</section>')


def _median(g: Group) -> float:
    from pipeline.report.prices import quantile

    return quantile([p.value for p in g.prices], 0.5)


def _paged(kind: str, title: str, filters: str) -> str:
    return (f'<section id="{kind}"><h2>{esc(title)}</h2><div class="filters" id="{kind}-filters">{filters}</div>'
            f'<p class="pager"><span id="{kind}-count"></span> <button id="{kind}-prev" type="button">‹ previous</button> '
            f'<span id="{kind}-page"></span> <button id="{kind}-next" type="button">next ›</button></p>'
            f'<table class="data paged" id="{kind}-table"><thead></thead><tbody></tbody></table>'
            f'<noscript>The {esc(kind)} table needs JavaScript.</noscript></section>')


def _errors(errors: list[dict], status_of: dict[str, str], link_of: dict[str, str]) -> str:
    failed = [e for e in errors if status_of.get(e["source_path"]) == "failed"]
    other = [e for e in errors if status_of.get(e["source_path"]) != "failed"]

    def rows(es: list[dict]) -> list[list[str]]:
        out = []
        for e in es[:MAX_ERRORS]:
            sp = esc(e["source_path"])
            link = f'<a href="{esc(link_of[e["source_path"]])}">{sp}</a>' if e["source_path"] in link_of else sp
            out.append([link, esc(e["stage"]), esc(e["error_type"]), esc(e["message"])])
        return out

    parts = []
    for title, es, ident in (("Failures", failed, "failures"), ("Warnings", other, "warnings")):
        more = f'<p class="sub">… and {len(es) - MAX_ERRORS} more: see errors.csv.</p>' if len(es) > MAX_ERRORS else ""
        body = table(["source", "stage", "type", "message"], rows(es), "errors") if es else '<p class="empty">None.</p>'
        parts.append(f'<h3 id="{ident}">{title} ({len(es)})</h3>{body}{more}')
    return f'<section id="errors"><h2>Failures and warnings (errors.csv)</h2>{"".join(parts)}</section>'


def summary_html(*, docs: list[dict], flags: list[dict], errors: list[dict], top: list[tuple[str, int, str]],
                 total_in_question: int, plans_in_question: int, groups: list[Group], href_of, run: dict,
                 notes: list[str]) -> str:
    status_of = {d["source_path"]: d["status"] for d in docs}
    link_of = {d["source_path"]: f'docs/{d["doc_id"]}.html' for d in docs if d["doc_id"]}
    sub = " · ".join(x for x in (f"{len(docs)} plans", f"{len(flags)} findings", run.get("finished", ""),
                                 f"pipeline {run.get('pipeline_version', '')}" if run.get("pipeline_version") else "")
                     if x)
    note = "".join(f'<p class="note">{esc(n)}</p>' for n in notes)
    filt = ('<label>check <select id="findings-check"><option value="">all</option></select></label>'
            '<label>severity <select id="findings-severity"><option value="">all</option></select></label>'
            '<label>issuer <select id="findings-issuer"><option value="">all</option></select></label>'
            '<label>year <select id="findings-year"><option value="">all</option></select></label>'
            '<label>text <input id="findings-text" type="search" placeholder="plan, message…"></label>')
    pfilt = ('<label>status <select id="plans-status"><option value="">all</option></select></label>'
             '<label>issuer <select id="plans-issuer"><option value="">all</option></select></label>'
             '<label>year <select id="plans-year"><option value="">all</option></select></label>'
             '<label>text <input id="plans-text" type="search" placeholder="plan, source…"></label>')
    body = (f'<header><h1>Review report</h1><p class="sub">{esc(sub)}</p>{note}'
            '<nav><a href="#checks">Findings per check</a> · <a href="#money">Money in question</a> · '
            '<a href="#prices">Unit prices</a> · <a href="#plans">Plans</a> · <a href="#findings">Findings</a> · '
            '<a href="#errors">Failures and warnings</a></nav></header>'
            + _status(docs) + _checks(flags) + _money(top, total_in_question, plans_in_question)
            + _prices(groups, href_of)
            + _paged("findings", "Findings", filt) + _paged("plans", "Plans", pfilt)
            + _errors(errors, status_of, link_of))
    return shell("kehoach review report", body, root="", page_class="summary", scripts=["report-data.js"])
