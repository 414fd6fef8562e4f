"""Seconds per page of the OCR path against the bare Tesseract call, and pages per minute.

Usage: python benchmarks/bench_ocr.py [--repeat N] [--dpi-sweep] [--fixtures | --only-fixtures] [--fixture-pages]

The page images are the test scans (tests/data/ocr: 200 dpi grayscale, turned
< 1°, noisy), decoded once and held in memory, so both sides read the very
same pixels. "bare" is `pytesseract.image_to_string(img, lang="vie")`, on the
PIL image (which pytesseract PNG-encodes) and on an uncompressed PGM file of it
(Tesseract alone); "full" is `ocr.read_page` (deskew, despeckle, tables,
columns, figure re-reads, paragraphs).
Both run one Tesseract thread (OMP_THREAD_LIMIT=1). Accuracy is the share of
expected words found in order (paragraph text) and of table cells read exactly.
`--dpi-sweep` renders the image-only PDF and the text PDF (vector glyphs, as a
page with a garbage text layer is) at 200/300/400 dpi and reports both.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.loaders import ocr  # noqa: E402  (sets OMP_THREAD_LIMIT=1 before Tesseract runs)
from tests.data.ocr import make_scans  # noqa: E402

DATA = ROOT / "tests" / "data" / "ocr"


def page_images() -> list[tuple[int, object, int]]:
    from PIL import Image

    return [(n, Image.open(DATA / name).convert("L"), 200) for n, name in ((1, "plan-p1.png"), (2, "plan-p2.jpg"))]


def words_found(expected: str, got: str) -> float:
    """Share of the expected words that the text has, in order."""
    a, b = expected.split(), got.split()
    matched = sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return matched / len(a) if a else 1.0


def accuracy(blocks) -> tuple[float, float]:
    """(word accuracy of the paragraphs, exact-cell accuracy of the tables) against make_scans' source."""
    text = " ".join(b.text for b in blocks if not b.is_table)
    rows = [r for b in blocks if b.is_table for r in b.rows]
    want_rows = make_scans.TABLE
    cells = sum(1 for wr, gr in zip(want_rows, rows) for w, g in zip(wr, gr) if w == g)
    return words_found(make_scans.expected_text(), text), cells / sum(len(r) for r in want_rows)


def bare_text_accuracy(texts: list[str]) -> float:
    """The bare call has no tables: its words against all expected words, table text included."""
    want = make_scans.expected_text() + " " + " ".join(c for r in make_scans.TABLE for c in r)
    return words_found(" ".join(sorted(want.split())), " ".join(sorted(" ".join(texts).split())))


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def bench_pages(images, repeat: int, score: bool = True) -> None:
    """Seconds per page: the full path with each engine, and three bare Tesseract calls on the same pixels.

    Bare calls, all `lang="vie"` with default settings and plain text out:
    "PIL" is `pytesseract.image_to_string(img)`, which PNG-encodes the image first;
    "file" is the `tesseract` command on the page already written as an
    uncompressed PGM (writing it is not timed); "in-process" is libtesseract's C API
    (`SetImage` + `GetUTF8Text` on an engine loaded beforehand; the load is not
    timed). The full path starts from the decoded image. Each page is timed by
    every variant in turn, `repeat` times, and the fastest of each is kept (other
    processes on the machine only ever add time).
    """
    import os
    import tempfile

    import cv2
    import numpy as np
    import ctypes

    import pytesseract

    from pipeline.loaders.ocr import engine as tesseract

    def full_with(engine: str):
        def run(img, n, dpi):
            os.environ["KEHOACH_OCR_ENGINE"] = engine
            return ocr.read_page(img, n, dpi)
        return run

    lib = tesseract._library()
    lib.TessBaseAPIGetUTF8Text.argtypes, lib.TessBaseAPIGetUTF8Text.restype = [ctypes.c_void_p], ctypes.c_void_p
    api = tesseract._engine_from_pool(lib)  # loaded here, outside the timing

    def in_process(img):
        a = np.ascontiguousarray(np.asarray(img))
        lib.TessBaseAPISetPageSegMode(api, 3)
        lib.TessBaseAPISetImage(api, a.ctypes.data, a.shape[1], a.shape[0], 1, a.strides[0])
        ptr = lib.TessBaseAPIGetUTF8Text(api)
        text = ctypes.string_at(ptr).decode()
        lib.TessDeleteText(ptr)
        lib.TessBaseAPIClear(api)
        return text

    ocr.require_tesseract()
    variants = {"bare, PIL (PNG)": lambda img, path, n, dpi: pytesseract.image_to_string(img, "vie"),
                "bare, command on file": lambda img, path, n, dpi: pytesseract.image_to_string(path, "vie"),
                "bare, in-process": lambda img, path, n, dpi: in_process(img),
                "full, command": lambda img, path, n, dpi: full_with("command")(img, n, dpi),
                "full, in-process": lambda img, path, n, dpi: full_with("library")(img, n, dpi)}
    total = dict.fromkeys(variants, 0.0)
    texts, results = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (n, img, dpi) in enumerate(images):
            path = os.path.join(tmp, f"page{n}.pgm")
            cv2.imwrite(path, np.asarray(img))
            if i == 0:  # warm up: imports, first process start, engine load
                for fn in variants.values():
                    fn(img, path, n, dpi)
            best = dict.fromkeys(variants, float("inf"))
            for _ in range(repeat):
                for name, fn in variants.items():
                    out, dt = timed(fn, img, path, n, dpi)
                    best[name] = min(best[name], dt)
                    if name == "bare, command on file":
                        text = out
                    elif name == "full, in-process":
                        res = out
            for name in variants:
                total[name] += best[name]
            texts.append(text)
            results.append(res)
    os.environ.pop("KEHOACH_OCR_ENGINE", None)
    pages = len(images)
    print(f"pages: {pages} (fastest of {repeat} runs each, OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT')})")
    for name, t in total.items():
        ratios = "" if name.startswith("bare") else "  (" + ", ".join(
            f"{t / total[b]:.2f} x {b}" for b in total if b.startswith("bare")) + ")"
        print(f"{name:24s}: {t / pages:.2f} s/page{ratios}")
    if score:
        words, cells = accuracy(ocr.blocks_of(results))
        print(f"accuracy full        : words {words:.1%}, table cells exact {cells:.1%}")
        print(f"accuracy bare        : words (bag, tables included) {bare_text_accuracy(texts):.1%}")
    for workers in (1, 2):
        batch = [(n, img, dpi) for _ in range(2) for n, img, dpi in images]
        _, dt = timed(ocr.ocr_images, batch, workers)
        print(f"throughput {workers} worker(s): {60 * len(batch) / dt:.1f} pages/min ({tesseract.engine()})")


def fixture_pages(folder: Path) -> list[tuple[int, object, int]]:
    """The fixture plans' PDFs scanned as `--fixtures` scans them (same seed)."""
    import random

    rng = random.Random(7)
    return [(n, make_scans.degrade(img, rng.uniform(-1, 1), rng.randrange(1000)), 200)
            for pdf in sorted(folder.glob("*.pdf")) for n, img in enumerate(make_scans.rasterise(pdf), start=1)]


def dpi_sweep() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        text_pdf = make_scans.build_text_pdf(Path(tmp) / "plan.pdf")
        for label, pdf in (("image-only PDF (200 dpi scans)", DATA / "plan-scan.pdf"), ("vector PDF", text_pdf)):
            for dpi in (200, 300, 400):
                pages = list(ocr.render_pages(pdf, None, dpi))
                results, dt = timed(ocr.ocr_images, pages, 1)
                words, cells = accuracy(ocr.blocks_of(results))
                print(f"{label:32s} {dpi} dpi: {dt / len(pages):.2f} s/page, words {words:.1%}, cells {cells:.1%}")


def fixture_scans(folder: Path, workers: int) -> None:
    """Field scores of the fixture plans' PDFs scanned (200 dpi gray, turned up to 1°, noise), beside
    the same PDFs read from their text layer; and every finding the scans raise that the text does not."""
    import json
    import random

    from models.document import Document
    from pipeline.evaluate import differences, evaluate, render
    from pipeline.run import extract_document, extract_file

    rng = random.Random(7)
    scans, texts = [], []
    t0, n_pages = time.perf_counter(), 0
    for pdf in sorted(folder.glob("*.pdf")):
        expected = json.loads(pdf.with_name(pdf.stem + ".expected.json").read_text(encoding="utf-8"))
        pages = [(n, make_scans.degrade(img, rng.uniform(-1, 1), rng.randrange(1000)), 200)
                 for n, img in enumerate(make_scans.rasterise(pdf), start=1)]
        results = ocr.ocr_images(pages, workers)
        n_pages += len(pages)
        doc = Document(pdf.name, "image", ocr.blocks_of(results), pages=len(pages), ocr_used=True,
                       warnings=ocr.warnings_of(results))
        scan, text = extract_document(doc), extract_file(pdf, folder)
        scan.document.n_flags = len(scan.flags)  # (extract_file sets it; extract_document does not)
        scans.append((scan, expected))
        texts.append((text, expected))
        for line in differences(scan, expected):
            print("  scan differs:", line)
        seen = {(f.check, f.table_id, f.row, f.expected, f.found) for f in text.flags}
        for f in scan.flags:
            if (f.check, f.table_id, f.row, f.expected, f.found) not in seen:
                print(f"  {pdf.name}: scan-only finding {f.check} {f.table_id} row {f.row}: "
                      f"expected {f.expected} found {f.found} ({f.severity}: {f.message})")
    dt = time.perf_counter() - t0
    print(f"{n_pages} scanned fixture pages in {dt:.0f} s ({workers} workers, OCR and extraction)")
    print(render(evaluate(scans)))
    print(render(evaluate(texts)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dpi-sweep", action="store_true")
    ap.add_argument("--fixtures", nargs="?", const=str(ROOT / "tests" / "fixtures" / "plans"),
                    help="score scans of the fixture plans' PDFs against their expected records")
    ap.add_argument("--only-fixtures", action="store_true")
    ap.add_argument("--fixture-pages", action="store_true",
                    help="time the scans of the fixture plans' pages (33) instead of the two test scans")
    args = ap.parse_args()
    if args.fixture_pages:
        bench_pages(fixture_pages(ROOT / "tests" / "fixtures" / "plans"), args.repeat, score=False)
    elif not args.only_fixtures:
        bench_pages(page_images(), args.repeat)
    if args.dpi_sweep:
        dpi_sweep()
    if args.fixtures or args.only_fixtures:
        fixture_scans(Path(args.fixtures or ROOT / "tests" / "fixtures" / "plans"), 2)


if __name__ == "__main__":
    main()
