"""`kehoach extract`, `kehoach check`, `kehoach evaluate`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from extractors.figures import format_vnd
from models.records import Extraction


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.batch import run_batch

    inputs = [Path(p) for p in args.inputs]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        print(f"kehoach: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2

    def progress(summary, ex: Extraction) -> None:
        if not args.quiet:
            d = ex.document
            extra = f"{d.n_flags} finding(s)" if d.status != "failed" else ex.errors[0].message
            print(f"[{summary.documents}] {d.status:7} {d.source_path}: {extra}", file=sys.stderr)

    summary = run_batch(inputs, Path(args.out), progress)
    status = ", ".join(f"{k} {v}" for k, v in sorted(summary.status.items())) or "none"
    print(f"{summary.documents} document(s) → {args.out}: {status}")
    if summary.checks:
        print("findings: " + ", ".join(f"{k} {v}" for k, v in summary.checks.most_common()))
    for source, message in summary.failures:
        print(f"failed: {source}: {message}")
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

    return evaluate.main([args.folder] + (["--json", args.json] if args.json else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kehoach", description="Extract tables from Vietnamese plans (Kế hoạch) and flag budgets that do not add up.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="extract files or folders into the contract's CSV tables")
    p.add_argument("inputs", nargs="+", help="files or folders (searched recursively)")
    p.add_argument("--out", default="data/out", help="output folder (default data/out)")
    p.add_argument("-q", "--quiet", action="store_true", help="no per-document lines")
    p.set_defaults(fn=cmd_extract)
    p = sub.add_parser("check", help="show one document's fields and findings")
    p.add_argument("file")
    p.set_defaults(fn=cmd_check)
    p = sub.add_parser("evaluate", help="score documents against <name>.expected.json files")
    p.add_argument("folder")
    p.add_argument("--json", help="write the scores as JSON here")
    p.set_defaults(fn=cmd_evaluate)
    args = parser.parse_args(argv)
    try:
        return args.fn(args)
    except KeyboardInterrupt:
        print("kehoach: interrupted; tables written so far are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
