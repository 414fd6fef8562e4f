"""`kehoach report OUT` and the report written at the end of `kehoach extract`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def report_after_run(out_dir: Path, crops: bool = True) -> Path | None:
    """Write the report of a finished run; a failure is one warning line on stderr."""
    from pipeline.report import try_write_report

    path, warning = try_write_report(out_dir, crops=crops)
    if warning:
        print(f"kehoach: {warning}", file=sys.stderr)
    else:
        print(f"review report: {path}")
    return path


def cmd_report(args: argparse.Namespace) -> int:
    from pipeline.report import write_report
    from pipeline.report.tables import NoTables

    out = Path(args.out)
    if not out.is_dir():
        print(f"kehoach: no such output folder: {out}", file=sys.stderr)
        return 2
    try:
        path = write_report(out, crops=args.crops == "on", inputs_root=Path(args.inputs) if args.inputs else None)
    except NoTables as e:
        print(f"kehoach: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"kehoach: the report could not be written: {e}", file=sys.stderr)
        return 1
    print(f"review report: {path}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="(re)write the HTML review report of an output folder",
                       description="Write OUT/report/index.html (summary) and one page per plan from the tables of "
                                   "an output folder. The input files are looked for where the run found them "
                                   "(manifest.json), for the crops and source lines.")
    p.add_argument("out", help="an output folder of `kehoach extract`")
    p.add_argument("--crops", choices=("on", "off"), default="on", help="PNG crops of the rows with findings (default on)")
    p.add_argument("--inputs", metavar="FOLDER", help="where the input files are now, if they have moved")
    p.set_defaults(fn=cmd_report)
