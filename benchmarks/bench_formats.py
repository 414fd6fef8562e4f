"""DOCX and PDF: the loaders and the full pipeline against the bare library parse, on one core.

Usage: python benchmarks/bench_formats.py [FOLDER ...] [--repeat N]
Default folders: tests/data/loaders and tests/fixtures/plans (when present).

Bare baseline — pdfplumber: open + extract_text() + extract_tables() on every
page; python-docx: Document(path). The ratio is what rebuilding paragraphs,
columns, numbering and tables costs on top of the parse the loader needs anyway.
The full pipeline is `extract_file` (load, every extractor, reconciliation).
Files a loader refuses (encrypted, truncated, …) and PDFs with pages that need
OCR (timed by benchmarks/bench_ocr.py) are skipped.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import docx
import pdfplumber

from pipeline.loaders.docx import load_docx
from pipeline.loaders.errors import LoadError
from pipeline.loaders.pdf import load_pdf, unusable_pages
from pipeline.run import extract_file

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
            doc = (load_pdf if p.suffix == ".pdf" else load_docx)(p)
        except LoadError:
            continue
        if p.suffix == ".pdf" and (unusable_pages(doc) or not doc.blocks):
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


def full(path: Path) -> int:
    return extract_file(path, path.parent).document.pages or 0


def report(kind: str, files: list[Path], bare, loader, repeat: int) -> None:
    if not files:
        print(f"{kind}: no files")
        return
    t_bare, pages = timed(bare, files, repeat)
    t_load, _ = timed(loader, files, repeat)
    t_full, _ = timed(full, files, repeat)
    print(f"{kind}: {len(files)} files" + (f", {pages} pages" if pages else ""))
    for name, t in (("bare parse", t_bare), ("loader", t_load), ("full pipeline", t_full)):
        rate = f"{pages / t:.1f} pages/s, " if pages else ""
        print(f"  {name:14} {rate}{len(files) / t:.1f} docs/s, {t / t_bare:.2f}x the bare parse")


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
