"""DOCX and PDF loaders against the bare library parse, on one core.

Usage: python benchmarks/bench_formats.py [FOLDER ...] [--repeat N]
Default folders: tests/data/loaders and tests/fixtures/plans (when present).

Bare baseline — pdfplumber: open + extract_text() + extract_tables() on every
page; python-docx: Document(path). The ratio is what rebuilding paragraphs,
columns, numbering and tables costs on top of the parse the loader needs anyway.
Files a loader refuses (encrypted, truncated, …) are skipped.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import docx
import pdfplumber

from pipeline.loaders.docx import load_docx
from pipeline.loaders.errors import LoadError
from pipeline.loaders.pdf import load_pdf

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [ROOT / "tests" / "data" / "loaders", ROOT / "tests" / "fixtures" / "plans"]


def bare_pdf(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
        return len(pdf.pages)


def bare_docx(path: Path) -> int:
    docx.Document(str(path))
    return 0


def usable(files: list[Path]) -> list[Path]:
    out = []
    for p in files:
        try:
            (load_pdf if p.suffix == ".pdf" else load_docx)(p)
        except LoadError:
            continue
        out.append(p)
    return out


def timed(fn, files: list[Path], repeat: int) -> tuple[float, int]:
    """Best of `repeat` passes over all files: (seconds, pages)."""
    best, pages = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        pages = 0
        for p in files:
            result = fn(p)
            pages += result if isinstance(result, int) else (result.pages or 0)
        best = min(best, time.perf_counter() - t0)
    return best, pages


def report(kind: str, files: list[Path], bare, loader, repeat: int) -> None:
    if not files:
        print(f"{kind}: no files")
        return
    t_bare, pages = timed(bare, files, repeat)
    t_load, _ = timed(loader, files, repeat)
    line = f"{kind}: {len(files)} files"
    if pages:
        line += f", {pages} pages | bare {pages / t_bare:.1f} pages/s, loader {pages / t_load:.1f} pages/s"
    line += (f" | bare {len(files) / t_bare:.1f} docs/s, loader {len(files) / t_load:.1f} docs/s"
             f" | loader/bare time ratio {t_load / t_bare:.2f}x")
    print(line)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = sorted(p for f in args.folders if f.is_dir() for p in f.rglob("*") if p.suffix in (".pdf", ".docx"))
    files = usable(files)  # also warms imports and caches
    report("PDF", [p for p in files if p.suffix == ".pdf"], bare_pdf, load_pdf, args.repeat)
    report("DOCX", [p for p in files if p.suffix == ".docx"], bare_docx, load_docx, args.repeat)


if __name__ == "__main__":
    main()
