"""The review report: a static, offline HTML view of an output folder (OUT/report/index.html).

`write_report` reads the folder's tables (pipeline.report.tables), writes the
summary page, one page per plan (docs/<doc_id>.html), the data the summary's
tables page through, one CSS and one JS file, and PNG crops of the rows with
findings (crops/). It is built in a hidden folder and moved into place, so an
old report is replaced whole or not at all. `try_write_report` is what a run
calls: a failure there is one warning line, never a failed run.
"""
from __future__ import annotations

import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from typing import Callable

from pipeline.report.document import DocumentPage, doc_label
from pipeline.report.evidence import Evidence
from pipeline.report.findings import in_question
from pipeline.report.page import frag
from pipeline.report.prices import price_groups
from pipeline.report.sources import input_roots
from pipeline.report.summary import TOP_PLANS, MESSAGE_CHARS, data_js, summary_html
from pipeline.report.tables import load_tables

REPORT_DIR = "report"
ASSETS = Path(__file__).parent / "assets"
MAX_WARNINGS = 20


def _by_doc(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["doc_id"]].append(r)
    return out


class _Warnings:
    def __init__(self, warn: Callable[[str], None] | None):
        self.warn = warn or (lambda m: print(f"kehoach: report: {m}", file=sys.stderr))
        self.n = 0

    def __call__(self, message: str) -> None:
        self.n += 1
        if self.n <= MAX_WARNINGS:
            self.warn(message)


def _is_report(folder: Path) -> bool:
    """A folder this module wrote (it is replaced whole), or an empty one."""
    return folder.is_dir() and ((folder / "report.js").is_file() or not any(folder.iterdir()))


def write_report(out_dir: Path, crops: bool = True, inputs_root: Path | list[Path] | None = None,
                 warn: Callable[[str], None] | None = None, dest: Path | None = None) -> Path:
    """Write OUT/report/ (or `dest`) from the output folder's tables; return the path of index.html.

    inputs_root: where the input files are now, when they are no longer where the run found them."""
    out_dir = Path(out_dir)
    t = load_tables(out_dir)
    recs = {name: df.to_dict("records") for name, df in t.items()}
    roots = input_roots(out_dir, inputs_root)
    warnings = _Warnings(warn)
    final = Path(dest) if dest is not None else out_dir / REPORT_DIR
    if final.exists() and not _is_report(final):
        raise FileExistsError(f"{final} exists and is not a kehoach report: it is left alone")
    final.parent.mkdir(parents=True, exist_ok=True)
    work = final.parent / f".{final.name}.part"
    shutil.rmtree(work, ignore_errors=True)
    (work / "docs").mkdir(parents=True)
    (work / "crops").mkdir()
    for asset in ("report.js", "report.css"):
        shutil.copyfile(ASSETS / asset, work / asset)

    grouped = {name: _by_doc(rows) for name, rows in recs.items() if name not in ("documents", "errors")}
    errors_by_source = defaultdict(list)
    for e in recs["errors"]:
        errors_by_source[e["source_path"]].append(e)
    docs = [d for d in recs["documents"] if d["doc_id"]]
    labels = {d["doc_id"]: doc_label(d) for d in docs}
    doc_rows, finding_rows, money_by_doc = [], [], {}
    for i, d in enumerate(docs):
        did = d["doc_id"]
        parts = {name: grouped[name].get(did, []) for name in grouped}
        parts["errors"] = errors_by_source.get(d["source_path"], [])
        ev = Evidence(d, roots, work / "crops", crops, warnings)
        try:
            page = DocumentPage(d, parts, ev)
            (work / "docs" / f"{did}.html").write_text(page.html(), encoding="utf-8")
        finally:
            ev.close()
        q = sum(in_question(f) for f in parts["flags"])
        money_by_doc[did] = q
        doc_rows.append([did, d["source_path"], labels[did], d["issuer"], d["issue_year"], d["status"],
                         len(parts["flags"]), q])
        for f, a in zip(page.flags, page.anchors):
            where = " ".join(x for x in (f["table_id"], f"row {f['row']}" if f["row"] else "",
                                         f"§{f['section_id']}" if f["section_id"] else "") if x)
            finding_rows.append([i, f["check"], f["severity"], where, f["expected"], f["found"],
                                 f["message"][:MESSAGE_CHARS], a])
    (work / "report-data.js").write_text(data_js(doc_rows, finding_rows), encoding="utf-8")

    ranked = sorted(((q, did) for did, q in money_by_doc.items() if q > 0), key=lambda x: (-x[0], x[1]))
    sources = {d["doc_id"]: d["source_path"] or d["doc_id"] for d in docs}  # titles repeat; files do not
    top = [(sources[did], q, f"docs/{did}.html#findings") for q, did in ranked[:TOP_PLANS]]
    groups = price_groups(recs["budget_lines"], labels)
    try:
        run = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        run = {}
    notes = [] if crops else ["Crops were not made (--report-crops off)."]
    html = summary_html(docs=recs["documents"], flags=recs["flags"], errors=recs["errors"], top=top,
                        total_in_question=sum(money_by_doc.values()), plans_in_question=len(ranked), groups=groups,
                        href_of=lambda p: f"docs/{p.doc_id}.html#{frag(p.anchor)}", run=run, notes=notes)
    (work / "index.html").write_text(html, encoding="utf-8")
    if warnings.n > MAX_WARNINGS:
        warnings.warn(f"… and {warnings.n - MAX_WARNINGS} more warnings")
    old = final.parent / f".{final.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    work.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final / "index.html"


def try_write_report(out_dir: Path, crops: bool = True, inputs_root: Path | None = None) -> tuple[Path | None, str]:
    """(index.html, "") or (None, the warning line): the report never fails a run."""
    try:
        return write_report(out_dir, crops=crops, inputs_root=inputs_root), ""
    except Exception as e:  # noqa: BLE001 — any failure here is a warning; the tables are already written
        shutil.rmtree(Path(out_dir) / f".{REPORT_DIR}.part", ignore_errors=True)  # what a failed write left
        return None, f"warning: the review report was not written ({type(e).__name__}: {e}); the tables are complete"
