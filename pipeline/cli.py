"""`kehoach extract`, `kehoach check`, `kehoach evaluate`."""
from __future__ import annotations

import argparse
import errno
import glob
import math
import os
import shutil
import sqlite3
import sys
import tempfile
import traceback
from pathlib import Path

from extractors.figures import format_vnd
from models.records import Extraction


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.batch import Options, run_batch
    from pipeline.cluster import SIMD_ENV, ClusterLost, ClusterUnavailable
    from pipeline.inputs import has_magic
    from pipeline.manifest import render_summary
    from pipeline.state import STATE_NAME, Busy, Damaged, stored_documents
    from pipeline.write import OutputTooLarge

    missing = [p for p in args.inputs if not Path(p).exists() and not (has_magic(p) and next(glob.iglob(p, recursive=True), None))]
    if missing:
        print(f"kehoach: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    out = Path(args.out)
    problem = out_problem(out)
    if problem:
        print(f"kehoach: {problem}", file=sys.stderr)
        return 2
    os.environ[SIMD_ENV] = args.ocr_simd  # read by the OCR engine in every worker (Dask: pipeline.cluster)
    opts = Options(workers=args.workers or 0, timeout=args.timeout, max_memory_mb=args.max_memory_mb,
                   format=args.format, scheduler=args.scheduler, retry_failed=args.retry_failed, quiet=args.quiet,
                   in_process=args.workers == 0 and not args.scheduler)
    try:
        summary = run_batch(args.inputs, out, opts)
    except ClusterLost as e:
        print(f"kehoach: {e}: {e.in_flight} document(s) in flight were not finished; "
              f"{stored_documents(out)} document(s) are saved in {out / STATE_NAME} and the tables were not "
              f"rewritten. Run the same command again (with a scheduler, or without --scheduler): it does the "
              f"rest and writes the tables.", file=sys.stderr)
        return 2
    except (Busy, ClusterUnavailable) as e:
        print(f"kehoach: {e}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error, Damaged) as e:
        said = state_problem(out, e)
        if said is None:
            raise
        print(f"kehoach: {said}", file=sys.stderr)
        return 2
    except OutputTooLarge as e:
        print(f"kehoach: too many rows for a workbook: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:  # a message of its own when the tables could not be written
        print(f"kehoach: {e}" if str(e) else
              "kehoach: interrupted; the documents finished so far are in the tables, and a rerun resumes",
              file=sys.stderr)
        import signal

        for sig in (signal.SIGINT, signal.SIGTERM):  # exiting: a second Ctrl-C must not turn 130 into a kill
            signal.signal(sig, signal.SIG_IGN)
        return 130
    if summary.report is not None and summary.report.documents == 0 and not summary.report.dropped:
        print(f"kehoach: no documents found in {', '.join(args.inputs)}", file=sys.stderr)
    print(render_summary(summary.report))
    if not args.no_report:
        from pipeline.report.command import report_after_run

        report_after_run(Path(args.out), crops=args.report_crops == "on")
    return 0


# --------------------------------------------------------------------------- bad usage and bad state, in words

def seconds(text: str) -> float | None:
    """--timeout: a positive, finite number of seconds, or `none` for no limit (0, nan, inf are mistakes)."""
    if text.strip().lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (or 'none' for no limit)") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a positive number of seconds, or 'none' for no limit")
    return value


def megabytes(text: str) -> int | None:
    """--max-memory-mb: a positive whole number of MB, or `none` for no limit."""
    if text.strip().lower() == "none":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of MB (or 'none' for no limit)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a positive number of MB, or 'none' for no limit")
    return value


def workers_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of workers") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 (this process) or more workers")
    return value


def out_problem(out: Path) -> str | None:
    """Why --out cannot take the tables (a file, under a file, read-only, full), or None; it is created here."""
    for place in (out, *out.parents):
        if place.is_dir():
            break
        if place.exists():
            return f"--out {out} is a file, not a folder" if place == out else f"--out {out} is under {place}, which is a file"
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".kehoach-probe-", dir=out)
        try:
            os.write(fd, b"\0" * 4096)  # a full disk refuses a page, not an empty file
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as e:
        return io_problem(out, e)
    return None


def io_problem(out: Path, e: OSError) -> str:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return full_disk(out, e.strerror or str(e))
    if e.errno == errno.EROFS:
        return f"cannot write to --out {out}: read-only file system"
    if e.errno in (errno.EACCES, errno.EPERM):
        return f"cannot write to --out {out}: permission denied ({e.filename or out})"
    return f"cannot write to --out {out}: {e.strerror or e}"


def full_disk(out: Path, why: str) -> str:
    from pipeline.state import STATE_NAME, stored_documents

    state = out / STATE_NAME
    size = state.stat().st_size if state.is_file() else 0
    try:
        free = shutil.disk_usage(out).free
    except OSError:
        free = 0
    return (f"the disk holding --out {out} is full ({why}; {free // 1024} KB free): "
            f"{stored_documents(out)} document(s) are saved in {state} ({size // 1024} KB); the tables in --out are "
            f"those of the last complete write, if any. Free some space and run the same command again: it resumes "
            f"from the saved documents.")


def state_problem(out: Path, e: BaseException) -> str | None:
    """The message for an OSError, sqlite error or damaged store met during a run, or None if not about --out."""
    from pipeline.state import STATE_NAME, Damaged, move_aside

    if isinstance(e, OSError):
        inside = e.filename is None or Path(str(e.filename)).resolve().is_relative_to(out.resolve())
        return io_problem(out, e) if inside else None
    text = str(e).lower()
    if isinstance(e, Damaged) or any(w in text for w in ("malformed", "not a database", "corrupt")):
        aside = move_aside(out / STATE_NAME, str(e)) if (out / STATE_NAME).exists() else None
        where = f" (moved aside to {aside.name})" if aside else ""
        return (f"the state database of --out {out} was found damaged during the run{where}. Run the same command "
                f"again: it rebuilds the tables from the inputs.")
    if "full" in text or "disk i/o" in text and _nearly_full(out):
        return full_disk(out, str(e))
    if "readonly" in text or "read-only" in text:
        return f"cannot write to --out {out}: read-only file system"
    if "disk i/o" in text or "unable to open" in text:
        return f"cannot write to --out {out}: {e}"
    return None


def _nearly_full(out: Path) -> bool:
    try:
        return shutil.disk_usage(out).free < 1024 * 1024
    except OSError:
        return False


def internal_error(args: argparse.Namespace, e: BaseException) -> int:
    """A bug, not the user's doing: one line here, the traceback in OUT/kehoach-error.log (KEHOACH_DEBUG=1 raises)."""
    log = None
    out = getattr(args, "out", None)
    if out and Path(out).is_dir():
        log = Path(out) / "kehoach-error.log"
        try:
            log.write_text("".join(traceback.format_exception(e)), encoding="utf-8")
        except OSError:
            log = None
    where = f"; the details are in {log}" if log else "; run with KEHOACH_DEBUG=1 for the details"
    print(f"kehoach: internal error ({type(e).__name__}: {str(e)[:200]}){where}. Please report it.", file=sys.stderr)
    return 1


def cmd_check(args: argparse.Namespace) -> int:
    from pipeline.run import extract_file

    path = Path(args.file)
    if not path.is_file():
        print(f"kehoach: no such file: {path}", file=sys.stderr)
        return 2
    os.environ["KEHOACH_OCR_SIMD"] = args.ocr_simd
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


_DASH_HINT = ""


def dash_hint(argv: list[str]) -> str:
    """A file named like an option (`-plan.md`) before `--`: how to give it, shown with a usage error."""
    for a in argv:
        if a == "--":
            break
        if a.startswith("-") and a != "-" and os.path.exists(a):
            return f"'{a}' is a file: give inputs whose name starts with '-' after '--': kehoach extract --out OUT -- {a}"
    return ""


class Parser(argparse.ArgumentParser):
    """argparse, with the hint above added to a usage error (its subcommands' parsers are of this class too)."""

    def error(self, message: str):
        if _DASH_HINT:
            message = f"{message}\n{self.prog}: {_DASH_HINT}"
        super().error(message)


OCR_SIMD = ("auto", "generic")
OCR_SIMD_HELP = ("Tesseract's arithmetic: auto (fastest for this CPU) or generic (plain code, the same readings on "
                 "every x86-64 CPU, ~3x slower OCR; for a cluster of mixed machines; README, OCR)")


def main(argv: list[str] | None = None) -> int:
    global _DASH_HINT
    _DASH_HINT = dash_hint(sys.argv[1:] if argv is None else argv)
    parser = Parser(prog="kehoach", description="Extract tables from Vietnamese plans (Kế hoạch) and flag budgets that do not add up.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="extract files, folders, glob patterns or .zip archives into the contract's tables",
                       description="Extract plans in parallel into the contract's tables. Reruns into the same --out "
                                   "folder skip unchanged documents; an interrupted run resumes where it stopped.")
    p.add_argument("inputs", nargs="+", help="files, folders (searched recursively), glob patterns ('in/**/*.pdf') "
                                             "or .zip archives; a name that starts with '-' goes after '--', the "
                                             "options before it: kehoach extract --out OUT -- -plan.md")
    p.add_argument("--out", default="data/out", help="output folder (default data/out)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress, only the summary")
    p.add_argument("--workers", type=workers_count, default=None,
                   help="worker processes (default: all cores); 0 runs in this process without time or memory limits")
    p.add_argument("--timeout", type=seconds, default=120.0,
                   help="seconds one document may take before its worker is stopped (default 120; none: no limit)")
    p.add_argument("--max-memory-mb", type=megabytes, default=2048,
                   help="memory one worker may use, in MB, before it is stopped (default 2048; none: no limit)")
    p.add_argument("--format", choices=("csv", "parquet", "xlsx"), default="csv",
                   help="csv per the contract (default), parquet, or one xlsx workbook with a sheet per table")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://HOST:8786")
    p.add_argument("--retry-failed", action="store_true",
                   help="redo documents that failed last time even when unchanged")
    p.add_argument("--ocr-simd", choices=OCR_SIMD, default="auto", help=OCR_SIMD_HELP)
    p.add_argument("--no-report", action="store_true", help="do not write the HTML review report (OUT/report/)")
    p.add_argument("--report-crops", choices=("on", "off"), default="on",
                   help="PNG crops of the rows with findings in the report (default on)")
    p.set_defaults(fn=cmd_extract)
    p = sub.add_parser("check", help="show one document's fields and findings")
    p.add_argument("file")
    p.add_argument("--ocr-simd", choices=OCR_SIMD, default="auto", help=OCR_SIMD_HELP)
    p.set_defaults(fn=cmd_check)
    p = sub.add_parser("evaluate", help="score documents against <name>.expected.json files")
    p.add_argument("folder")
    p.add_argument("--json", help="write the scores as JSON here")
    p.add_argument("--diff", action="store_true", help="also list every field that differs from the expected")
    p.set_defaults(fn=cmd_evaluate)
    from pipeline.report.command import add_parser as add_report_parser

    add_report_parser(sub)
    args = parser.parse_args(argv)
    try:
        return args.fn(args)
    except KeyboardInterrupt:
        print("kehoach: interrupted; tables written so far are kept", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `kehoach check … | head`
        sys.stderr.close()
        return 0
    except Exception as e:  # never a traceback at the user: a line, and the details kept
        if os.environ.get("KEHOACH_DEBUG"):
            raise
        return internal_error(args, e)


if __name__ == "__main__":
    sys.exit(main())
