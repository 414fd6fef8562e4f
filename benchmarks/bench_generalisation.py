"""Generalisation: score the pipeline on generated plans of a seed it has never met.

    python benchmarks/bench_generalisation.py --seed 4711 -n 500 --scans 60

Every plan is drawn by `tests/fixtures/compose.py` (independent draws of layout, columns, units,
wording, errors and render style) and rendered as txt, md, docx and pdf (the first `--scans`
plans also as 200 dpi image-only PDFs); each file goes through the real pipeline. Prints per
format and per table family the strict field F1 (budget lines and flags with P/R), false
findings on clean plans, missed findings, and the speed. A seed you have tuned on says nothing:
quote the first run of a fresh seed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.corpus import run_one, render_summary, summary  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, required=True, help="a seed never run before, for a fair figure")
    ap.add_argument("-n", type=int, default=500, help="plans (each in every text format)")
    ap.add_argument("--formats", default="txt,md,docx,pdf")
    ap.add_argument("--scans", type=int, default=0, help="how many of the plans to scan as well (OCR: ~1 s a page)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", type=Path, help="write the files and their expected records here (for `kehoach evaluate --diff`)")
    ap.add_argument("--diff", action="store_true", help="list every differing budget line, table and finding")
    args = ap.parse_args(argv)
    jobs = [(args.seed, i, fmt, str(args.keep / fmt) if args.keep else None)
            for fmt in args.formats.split(",") for i in range(args.n)]
    jobs += [(args.seed, i, "scan", str(args.keep / "scan") if args.keep else None) for i in range(args.scans)]
    os.environ.setdefault("KEHOACH_OCR_WORKERS", "1")
    t0 = time.perf_counter()
    if args.workers > 1:
        with Pool(args.workers) as pool:
            results = pool.map(run_one, jobs, chunksize=4)
    else:
        results = [run_one(j) for j in jobs]
    wall = time.perf_counter() - t0
    print(f"seed {args.seed}: {args.n} plans × {args.formats}" + (f" + {args.scans} scans" if args.scans else "")
          + f", {len(results)} documents in {wall:.0f} s ({args.workers} workers)")
    print(render_summary(summary(results)))
    per: dict[str, list[float]] = {}
    for r in results:
        per.setdefault(r.fmt, []).append(r.seconds)
    print("extraction time per document (one core): " + ", ".join(
        f"{fmt} {sum(v) / len(v) * 1000:.0f} ms" for fmt, v in per.items()))
    if args.diff:
        from pipeline.evaluate import differences
        for r in results:
            for line in differences(r.extraction, r.expected):
                if any(t in line for t in (" budget_lines ", " budget_tables ", " flags ", " attendance ")):
                    print(f"  [{r.fmt}] {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
