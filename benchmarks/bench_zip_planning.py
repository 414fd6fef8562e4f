"""Planning time for one big archive: discover + hash every member (what a bulk run does before extracting).

Builds a zip of N small distinct text members (default 10,000, the allowed
maximum) in a temporary folder and times `pipeline.batch._Run.plan` on it with
a fresh state store, then a second time (a rerun: everything unchanged). Before
each archive was opened once per pass, planning reopened it for every member
(twice per run), which made 10,000 members take minutes.

    .venv/bin/python benchmarks/bench_zip_planning.py [-n 10000]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.batch import Options, _Run  # noqa: E402
from pipeline.state import State  # noqa: E402


def build(path: Path, n: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(n):
            zf.writestr(f"plans/{i // 500:02d}/p{i:05d}.txt",
                        f"ỦY BAN NHÂN DÂN XÃ {i}\nKẾ HOẠCH\nTổ chức hội nghị số {i}\nI. MỤC ĐÍCH\n")


def plan_once(archive: Path, out: Path) -> tuple[float, int, int]:
    run = _Run([str(archive)], out, Options())
    t0 = time.perf_counter()
    with State(out) as state:
        todo, _ = run.plan(state)
    return time.perf_counter() - t0, len(todo), run.skipped


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000, help="members in the archive (default 10,000)")
    n = ap.parse_args().n
    with tempfile.TemporaryDirectory(prefix="bench-zip-") as tmp:
        archive = Path(tmp) / "big.zip"
        t0 = time.perf_counter()
        build(archive, n)
        print(f"built {archive.name}: {n} members, {archive.stat().st_size / 1024 ** 2:.1f} MB "
              f"in {time.perf_counter() - t0:.1f} s")
        secs, todo, _ = plan_once(archive, Path(tmp) / "out")
        print(f"planning, first run: {secs:.2f} s for {todo} members to extract ({n / secs:,.0f} members/s)")
        # a rerun finds the same hashes, but only results that were stored are skipped; none were here
        secs, todo, skipped = plan_once(archive, Path(tmp) / "out")
        print(f"planning again: {secs:.2f} s ({todo} to extract, {skipped} skipped)")


if __name__ == "__main__":
    main()
