"""`manifest.json` (what a run did, for the record) and the summary printed at the end.

The manifest is written next to the tables, atomically, on every run that
got as far as planning, also an interrupted one (`"interrupted": true`), so
whoever picks up an output folder can tell what made it and whether it is
complete.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from extractors.figures import format_vnd
from pipeline.inputs import display_name

MANIFEST_NAME = "manifest.json"
MAX_FAILURES = 1000


@dataclass
class RunReport:
    """What the summary and the manifest say about one run."""

    out_dir: Path
    format: str
    options: dict
    inputs: list[str]
    version: str
    package_version: str
    started: str = ""
    finished: str = ""
    interrupted: bool = False
    documents: int = 0
    processed: int = 0
    skipped: int = 0
    dropped: int = 0
    duplicates: int = 0  # inputs whose bytes are another input's (documents.duplicate_of)
    status: dict[str, int] = field(default_factory=dict)
    run_status: dict[str, int] = field(default_factory=dict)
    worker_errors: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    top: list[tuple[str, str, int]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    workers: dict = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    wrote_tables: bool = True

    def to_json(self) -> dict:
        return {
            "tool": "kehoach", "package_version": self.package_version, "pipeline_version": self.version,
            "started": self.started, "finished": self.finished, "interrupted": self.interrupted,
            "inputs": self.inputs, "format": self.format, "options": self.options,
            "counts": {"documents": self.documents, "duplicates": self.duplicates, "status": self.status,
                       "this_run": {"processed": self.processed, "skipped_unchanged": self.skipped,
                                    "dropped_removed": self.dropped, "status": self.run_status,
                                    "worker_errors": self.worker_errors},
                       "rows": self.rows},
            "findings": self.checks,
            "largest_amounts_in_question": [{"source_path": s, "document": label, "amount_vnd": amount}
                                            for s, label, amount in self.top],
            "timings_s": self.timings,
            "workers": self.workers,
            "failures": [{"source_path": s, "error": e} for s, e in self.failures[:MAX_FAILURES]],
            "failures_total": self.status.get("failed", 0),
            "outputs": self.outputs,
        }


def write_manifest(report: RunReport) -> Path:
    path = report.out_dir / MANIFEST_NAME
    part = report.out_dir / f".{MANIFEST_NAME}.part"
    part.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(part, path)
    return path


def render_summary(r: RunReport, max_failures: int = 20) -> str:
    lines = []
    status = ", ".join(f"{k} {v}" for k, v in sorted(r.status.items())) or "none"
    how = f"{r.processed} extracted, {r.skipped} unchanged skipped" + (f", {r.dropped} removed" if r.dropped else "")
    secs = r.timings.get("total", 0.0)
    out = display_name(str(r.out_dir))
    lines.append(f"{r.documents} document(s) → {out} ({r.format}): {status}  [{how}; {secs:.1f} s]")
    if r.duplicates:
        lines.append(f"duplicates: {r.duplicates} input(s) with the same bytes as another; their rows are written "
                     f"once, under the first (documents.duplicate_of names it)")
    if r.interrupted:
        lines.append("interrupted: the tables hold the documents finished so far; run again to resume")
    if r.worker_errors:
        lines.append("worker errors: " + ", ".join(f"{k} {v}" for k, v in sorted(r.worker_errors.items())))
    if r.checks:
        lines.append("findings: " + ", ".join(f"{k} {v}" for k, v in sorted(r.checks.items(), key=lambda kv: (-kv[1], kv[0]))))
    if r.top:
        lines.append("largest amounts in question (sum of |expected − found| over money checks):")
        for source, label, amount in r.top:
            lines.append(f"  {format_vnd(amount):>16} đ  {source}" + (f"  ({label[:70]})" if label else ""))
    for source, message in r.failures[:max_failures]:
        lines.append(f"failed: {source}: {message}")
    if len(r.failures) > max_failures:
        lines.append(f"… and {r.status.get('failed', 0) - max_failures} more failed: see errors.csv")
    return "\n".join(lines)
