"""`kehoach extract`, `kehoach check`, `kehoach evaluate`."""
from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path

from extractors.figures import format_vnd
from models.records import Extraction


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.batch import Options, run_batch
    from pipeline.cluster import ClusterUnavailable
    from pipeline.inputs import has_magic
    from pipeline.manifest import render_summary
    from pipeline.state import Busy
    from pipeline.write import OutputTooLarge

    missing = [p for p in args.inputs if not Path(p).exists() and not (has_magic(p) and glob.glob(p, recursive=True))]
    if missing:
        print(f"kehoach: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 0 or args.timeout is not None and args.timeout < 0:
        print("kehoach: --workers and --timeout must not be negative", file=sys.stderr)
        return 2
    opts = Options(workers=args.workers or 0, timeout=args.timeout or None, max_memory_mb=args.max_memory_mb or None,
                   format=args.format, scheduler=args.scheduler, retry_failed=args.retry_failed, quiet=args.quiet,
                   in_process=args.workers == 0 and not args.scheduler)
    try:
        summary = run_batch(args.inputs, Path(args.out), opts)
    except (Busy, ClusterUnavailable) as e:
        print(f"kehoach: {e}", file=sys.stderr)
        return 2
    except OutputTooLarge as e:
        print(f"kehoach: too many rows for a workbook: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kehoach: interrupted; the documents finished so far are in the tables, and a rerun resumes",
              file=sys.stderr)
        return 130
    if summary.report is not None and summary.report.documents == 0 and not summary.report.dropped:
        print(f"kehoach: no documents found in {', '.join(args.inputs)}", file=sys.stderr)
    print(render_summary(summary.report))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from pipeline.run import extract_file

    path = Path(args.file)
    if not path.is_file():
        print(f"kehoach: no such file: {path}", file=sys.stderr)
        return 2
    print(render(extract_file(path, path.parent)))
    return 0


def render(ex: Extraction) -> str:
    """One document's fields and findings, for a person at a terminal."""
    d = ex.document
    out = [f"{d.source_path}  [{d.status}]  {d.doc_type} {d.doc_number}",
           f"  issuer:   {d.issuer}" + (" (inferred)" if d.issuer_inferred else "") + (f"  ← {d.parent_issuer}" if d.parent_issuer else ""),
           f"  place:    {d.issue_place}, date {d.issue_date or '/'.join(str(x or '__') for x in (d.issue_day, d.issue_month, d.issue_year))}",
           f"  title:    {d.title}",
           f"  signed:   {d.signer_authority} {d.signer_title} {d.signer_name}".rstrip()]
    if d.stated_total_vnd is not None:
        out.append(f"  total:    {format_vnd(d.stated_total_vnd)} đồng")
    out.append(f"\nLegal bases ({len(ex.legal_bases)})")
    for lb in ex.legal_bases:
        out.append(f"  {lb.seq}. [{lb.relation}] {lb.ref_type} {lb.ref_number} {lb.ref_date or ''} — {lb.ref_issuer}: {lb.ref_summary[:70]}")
    out.append(f"\nSections ({len(ex.sections)})")
    for s in ex.sections:
        fields = [f"{k}={getattr(s, k)[:40]!r}" for k in ("time_text", "location", "lead_agency") if getattr(s, k)]
        out.append(f"  {'  ' * (s.level - 1)}{s.label} {s.title[:70]}  {' '.join(fields)}".rstrip())
    out.append(f"\nHead counts ({len(ex.attendance)})")
    for a in ex.attendance:
        out.append(f"  {a.section_id:10} {'~' if a.approx else ' '}{a.count} {a.unit} [{a.source}] {a.group[:50]}")
    out.append(f"\nBudget tables ({len(ex.budget_tables)})")
    for t in ex.budget_tables:
        out.append(f"  {t.table_id} {t.title[:60]}: stated {fmt(t.stated_total)}, computed {fmt(t.computed_total)}, words {fmt(t.words_amount)}")
        for l in (l for l in ex.budget_lines if l.table_id == t.table_id):
            out.append(f"     {l.row:>2} {'TOTAL ' if l.is_total else ''}{l.item[:40]:40} {l.raw_quantity:>6} × {l.raw_unit_price:>12} = {l.raw_amount:>12}")
    out.append(f"\nFindings ({len(ex.flags)})")
    for f in ex.flags:
        where = " ".join(x for x in (f.table_id, f"row {f.row}" if f.row else "", f.section_id) if x)
        out.append(f"  {f.severity.upper():7} {f.check:17} {where:18} {f.message}")
    for e in ex.errors:
        out.append(f"  ERROR   {e.stage}: {e.error_type}: {e.message}")
    return "\n".join(out)


def fmt(n: int | None) -> str:
    return format_vnd(n) if n is not None else "—"


def cmd_evaluate(args: argparse.Namespace) -> int:
    from pipeline import evaluate

    return evaluate.main([args.folder] + (["--json", args.json] if args.json else []) + (["--diff"] if args.diff else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kehoach", description="Extract tables from Vietnamese plans (Kế hoạch) and flag budgets that do not add up.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="extract files, folders, glob patterns or .zip archives into the contract's tables",
                       description="Extract plans in parallel into the contract's tables. Reruns into the same --out "
                                   "folder skip unchanged documents; an interrupted run resumes where it stopped.")
    p.add_argument("inputs", nargs="+", help="files, folders (searched recursively), glob patterns ('in/**/*.pdf') "
                                             "or .zip archives")
    p.add_argument("--out", default="data/out", help="output folder (default data/out)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress, only the summary")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes (default: all cores); 0 runs in this process without time or memory limits")
    p.add_argument("--timeout", type=float, default=120.0,
                   help="seconds one document may take before its worker is stopped (default 120; 0: no limit)")
    p.add_argument("--max-memory-mb", type=int, default=2048,
                   help="memory one worker may use, in MB, before it is stopped (default 2048; 0: no limit)")
    p.add_argument("--format", choices=("csv", "parquet", "xlsx"), default="csv",
                   help="csv per the contract (default), parquet, or one xlsx workbook with a sheet per table")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://HOST:8786")
    p.add_argument("--retry-failed", action="store_true",
                   help="redo documents that failed last time even when unchanged")
    p.set_defaults(fn=cmd_extract)
    p = sub.add_parser("check", help="show one document's fields and findings")
    p.add_argument("file")
    p.set_defaults(fn=cmd_check)
    p = sub.add_parser("evaluate", help="score documents against <name>.expected.json files")
    p.add_argument("folder")
    p.add_argument("--json", help="write the scores as JSON here")
    p.add_argument("--diff", action="store_true", help="also list every field that differs from the expected")
    p.set_defaults(fn=cmd_evaluate)
    args = parser.parse_args(argv)
    try:
        return args.fn(args)
    except KeyboardInterrupt:
        print("kehoach: interrupted; tables written so far are kept", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `kehoach check … | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
