"""Plans per second on a folder of text plans, one core, against the bare read.

Usage: python benchmarks/bench_text.py [FOLDER] [--copies N] [--generated N --seed S]
Default: data/raw plus tests/fixtures/plans (.txt/.md), each repeated N times. With --generated,
N distinct plans of the compositional generator in txt and in md instead (no copies: a plan read
twice would find its folds cached), written to a scratch folder.
The bare baseline is reading and decoding the same files (the "library call"
for text is Python's own decode), so the ratio shows the pipeline's own cost.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from pipeline.run import extract_file

ROOT = Path(__file__).resolve().parents[1]


def generated(n: int, seed: int, folder: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from tests.fixtures.corpus import plan_for, render

    out = []
    for i in range(n):
        for fmt in ("txt", "md"):
            plan, _ = plan_for(seed, i, fmt)
            out.append(folder / f"gen-{seed}-{i:04d}.{fmt}")
            out[-1].write_bytes(render(plan, fmt, seed))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", default=[str(ROOT / "data" / "raw"), str(ROOT / "tests" / "fixtures" / "plans")])
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--generated", type=int, default=0, help="N distinct generated plans, each as txt and md")
    ap.add_argument("--seed", type=int, default=271828)
    args = ap.parse_args()
    if args.generated:
        with tempfile.TemporaryDirectory(prefix="kehoach-bench-") as tmp:
            run(generated(args.generated, args.seed, Path(tmp)))
        return
    files = [p for f in args.folders if Path(f).is_dir() for p in sorted(Path(f).rglob("*")) if p.suffix in (".txt", ".md")]
    run(files * args.copies)


def run(files: list[Path]) -> None:
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
