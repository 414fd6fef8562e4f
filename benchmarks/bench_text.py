"""Plans per second on a folder of text plans, one core, against the bare read.

Usage: python benchmarks/bench_text.py [FOLDER] [--copies N]
Default: data/raw plus tests/fixtures/plans (.txt/.md), each repeated N times.
The bare baseline is reading and decoding the same files (the "library call"
for text is Python's own decode), so the ratio shows the pipeline's own cost.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.run import extract_file

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", default=[str(ROOT / "data" / "raw"), str(ROOT / "tests" / "fixtures" / "plans")])
    ap.add_argument("--copies", type=int, default=20)
    args = ap.parse_args()
    files = [p for f in args.folders if Path(f).is_dir() for p in sorted(Path(f).rglob("*")) if p.suffix in (".txt", ".md")]
    files = files * args.copies
    extract_file(files[0], files[0].parent)  # warm caches (spaCy pipeline, regexes)
    t0 = time.perf_counter()
    for p in files:
        p.read_bytes().decode("utf-8-sig")
    bare = time.perf_counter() - t0
    t0 = time.perf_counter()
    flags = 0
    for p in files:
        flags += len(extract_file(p, p.parent).flags)
    full = time.perf_counter() - t0
    print(f"{len(files)} text plans ({len(set(files))} distinct): {len(files) / full:.1f} plans/s on one core "
          f"({1000 * full / len(files):.2f} ms/plan); bare read+decode {1000 * bare / len(files):.3f} ms/plan; "
          f"ratio {full / bare:.0f}x; {flags} findings")


if __name__ == "__main__":
    main()
