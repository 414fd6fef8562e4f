"""Text-layer PDFs, one core: the whole pipeline beside the bare library calls, on the same files.

    python benchmarks/bench_pdf.py [--generated 120] [--seed 31337] [--repeat 3]

Two sets: the fixture PDFs (tests/fixtures/plans) and `--generated` plans of the compositional
generator rendered as PDFs (ruled, unruled and rules-only tables). Per set it prints pages/s as the
median of `--repeat` runs of:
- pypdfium2 alone: open, get_textpage().get_text_range() on every page (the floor);
- pdfplumber alone: open, extract_text() + extract_tables() on every page (what the loader used to pay);
- kehoach loader (pipeline.loaders.load) and the whole pipeline (run.extract_file);
and the pipeline's time as a multiple of each bare call.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from pipeline.loaders import load  # noqa: E402
from pipeline.run import extract_file  # noqa: E402


def pdfium_text(files: list[Path]) -> None:
    for f in files:
        pdf = pdfium.PdfDocument(str(f))
        for page in pdf:
            tp = page.get_textpage()
            tp.get_text_range()
            tp.close()
            page.close()
        pdf.close()


def plumber_text_tables(files: list[Path]) -> None:
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()


def loader(files: list[Path]) -> None:
    for f in files:
        load(f)


def pipeline(files: list[Path]) -> None:
    for f in files:
        extract_file(f, f.parent)


def pages_of(files: list[Path]) -> int:
    n = 0
    for f in files:
        pdf = pdfium.PdfDocument(str(f))
        n += len(pdf)
        pdf.close()
    return n


def measure(name: str, files: list[Path], repeat: int) -> None:
    pages = pages_of(files)
    pipeline(files[:2])  # warm caches (spaCy, regexes)
    times = {}
    for label, fn in (("pypdfium2 text only", pdfium_text), ("pdfplumber text+tables", plumber_text_tables),
                      ("kehoach loader", loader), ("kehoach whole pipeline", pipeline)):
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(files)
            runs.append(time.perf_counter() - t0)
        times[label] = statistics.median(runs)
    whole = times["kehoach whole pipeline"]
    print(f"{name}: {len(files)} PDFs, {pages} pages, median of {repeat} runs, one core")
    for label, t in times.items():
        print(f"  {label:<24} {pages / t:8.1f} pages/s   pipeline = {whole / t:5.2f}x this")


def generated(n: int, seed: int, folder: Path) -> list[Path]:
    from tests.fixtures.corpus import plan_for, render

    out = []
    for i in range(n):
        plan, _ = plan_for(seed, i, "pdf")
        path = folder / f"gen-{seed}-{i:04d}.pdf"
        path.write_bytes(render(plan, "pdf", seed))
        out.append(path)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generated", type=int, default=120)
    ap.add_argument("--seed", type=int, default=31337)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    fixtures = sorted((ROOT / "tests" / "fixtures" / "plans").glob("*.pdf"))
    measure("fixture PDFs", fixtures, args.repeat)
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-") as tmp:
        files = generated(args.generated, args.seed, Path(tmp))
        measure(f"generated PDFs (seed {args.seed})", files, args.repeat)


if __name__ == "__main__":
    main()
