"""img2table against the project's own ruled-table reader (pipeline/loaders/ocr/tables.py), same scanned pages.

Usage (img2table is not a project dependency; run it from a separate venv):
    python3 -m venv /tmp/i2t
    /tmp/i2t/bin/pip install img2table pytesseract opencv-python-headless pypdfium2 pdfplumber python-docx spacy pandas
    /tmp/i2t/bin/pip install -e . --no-deps
    /tmp/i2t/bin/python benchmarks/bench_tables_img2table.py [--clean] [--only NAME] [--repeat N]

Pages (200 dpi grayscale, every page that holds a table):
  * tests/data/ocr: plan-p2.jpg, page 2 of plan.tif, reread-small.jpg, reread-error.jpg; truth is
    make_scans.TABLE (ERROR_TABLE for reread-error.jpg);
  * tests/fixtures/plans/*.pdf: each page on which pdfplumber finds a table in the text layer, rasterised
    and "scanned" as bench_ocr.py --fixture-pages scans it (make_scans.degrade: turned < 1°, blur, noise,
    dust; same seed; `--clean` skips the degradation); truth is pdfplumber's `page.extract_tables()`.
    Per document, the share of the `.expected.json` budget_lines items and table attendance groups that
    appear as a cell is also counted.

Methods, all with Tesseract `vie`, one Tesseract thread (OMP_THREAD_LIMIT=1):
  img2table   Image(png bytes).extract_tables(ocr=TesseractOCR(lang="vie"), borderless_tables=False)
              (a spanned cell, repeated by img2table in each grid cell, is kept in its first cell only,
              the project's and pdfplumber's convention)
  project     ocr.read_page(gray, n, 200): the production path (deskew, despeckle, grids, one page call,
              doubtful cells re-read, figures checked); its table blocks. Times the whole page (paragraphs too).
  proj-tables the table reader alone: deskew, despeckle, ocr_tables.find_tables, then
              ocr_tables.read_tables(..., words=None): every cell cut out and read in one stacked call.

Scores per truth table, matched to the found table with the most exact cells: shape (rows × columns equal),
exact cells (non-empty truth cells whose text equals the found cell at the same row/column after NFC and
whitespace folding), and seconds per page (the fastest of --repeat runs).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.loaders import ocr
from pipeline.loaders.ocr import tables as ocr_tables  # noqa: E402  (sets OMP_THREAD_LIMIT=1)
from tests.data.ocr import make_scans  # noqa: E402

DATA = ROOT / "tests" / "data" / "ocr"
PLANS = ROOT / "tests" / "fixtures" / "plans"
DPI = 200


def fold(s) -> str:
    return " ".join(unicodedata.normalize("NFC", s or "").split())


# --- Pages and their truth ----------------------------------------------------------------------

def ocr_data_pages() -> list[dict]:
    from PIL import Image

    tif = Image.open(DATA / "plan.tif")
    tif.seek(1)
    out = [("plan-p2.jpg", Image.open(DATA / "plan-p2.jpg").convert("L"), make_scans.TABLE),
           ("plan.tif#2", tif.convert("L"), make_scans.TABLE),
           ("reread-small.jpg", Image.open(DATA / "reread-small.jpg").convert("L"), make_scans.TABLE),
           ("reread-error.jpg", Image.open(DATA / "reread-error.jpg").convert("L"), make_scans.ERROR_TABLE)]
    return [dict(name=n, doc=None, image=img, truth=[t]) for n, img, t in out]


def fixture_pages(clean: bool) -> list[dict]:
    """Same raster and degradation (seed 7, in the same order) as bench_ocr.fixture_pages."""
    import pdfplumber

    rng = random.Random(7)
    out = []
    for pdf in sorted(PLANS.glob("*.pdf")):
        with pdfplumber.open(pdf) as doc:
            truths = [[[[fold(c) for c in row] for row in t] for t in page.extract_tables()] for page in doc.pages]
        for n, img in enumerate(make_scans.rasterise(pdf, DPI), start=1):
            angle, seed = rng.uniform(-1, 1), rng.randrange(1000)  # drawn for every page, as bench_ocr does
            if truths[n - 1]:
                out.append(dict(name=f"{pdf.stem[:28]}#{n}", doc=pdf, image=img if clean else make_scans.degrade(img, angle, seed),
                                truth=truths[n - 1]))
    return out


# --- The methods ----------------------------------------------------------------------------------

def run_img2table(gray, tess) -> list[list[list[str]]]:
    import cv2
    from img2table.document import Image

    ok, png = cv2.imencode(".png", gray)
    doc = Image(png.tobytes())
    tables = doc.extract_tables(ocr=tess, borderless_tables=False)
    out = []
    for t in tables:
        seen = set()
        rows = []
        for _, cells in sorted(t.content.items()):
            row = []
            for cell in cells:
                key = (cell.bbox.x1, cell.bbox.y1, cell.bbox.x2, cell.bbox.y2)
                row.append("" if key in seen else fold(cell.value))
                seen.add(key)
            rows.append(row)
        out.append(rows)
    return out


def run_project(gray) -> list[list[list[str]]]:
    result = ocr.read_page(gray, 1, DPI)
    return [[[fold(c) for c in row] for row in b.rows] for b in result.blocks if b.is_table]


def run_project_tables(gray) -> list[list[list[str]]]:
    g, _ = ocr.deskew(gray)
    scale = ocr.scale_of(g, DPI)
    ink = ocr_tables.ink_mask(g)
    g, ink = ocr.despeckle(g, ink, scale)
    grids = ocr_tables.find_tables(g, ink)
    blocks = ocr_tables.read_tables(g, grids, 1, ink, DPI)
    return [[[fold(c) for c in row] for row in b.rows] for b in blocks]


# --- Scoring ----------------------------------------------------------------------------------------

def exact_cells(truth, found) -> int:
    return sum(1 for r, row in enumerate(truth) for c, want in enumerate(row)
               if want and r < len(found) and c < len(found[r]) and found[r][c] == want)


def score(truths, found) -> list[tuple[bool, int, int]]:
    """(shape equal, exact non-empty cells, non-empty truth cells) per truth table."""
    free = list(range(len(found)))
    out = []
    for t in truths:
        want = sum(1 for row in t for c in row if c)
        best = max(free, key=lambda i: exact_cells(t, found[i]), default=None)
        if best is None:
            out.append((False, 0, want))
            continue
        free.remove(best)
        f = found[best]
        shape = len(f) == len(t) and all(len(r) == len(t[0]) for r in f)
        out.append((shape, exact_cells(t, f), want))
    return out


def expected_hits(doc: Path, found_tables) -> tuple[int, int]:
    """Budget-line items and table-attendance groups of the document's .expected.json found as a cell."""
    e = json.loads(doc.with_suffix(".expected.json").read_text(encoding="utf-8"))
    names = [fold(b.get("item")) for b in e.get("budget_lines", []) if b.get("item")]
    names += [fold(a.get("group")) for a in e.get("attendance", []) if a.get("source") == "table" and a.get("group")]
    cells = {c for t in found_tables for row in t for c in row}
    return sum(n in cells for n in names), len(names)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clean", action="store_true", help="fixture pages rasterised without the scan degradation")
    ap.add_argument("--only", help="pages whose name contains this")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--methods", default="img2table,project,proj-tables")
    args = ap.parse_args()

    from img2table.ocr import TesseractOCR

    tess = TesseractOCR(n_threads=1, lang="vie")
    methods = {"img2table": lambda g: run_img2table(g, tess), "project": run_project, "proj-tables": run_project_tables}
    methods = {k: v for k, v in methods.items() if k in args.methods.split(",")}
    pages = ocr_data_pages() + fixture_pages(args.clean)
    if args.only:
        pages = [p for p in pages if args.only in p["name"]]

    totals = {m: dict(tables=0, shape=0, exact=0, cells=0, secs=0.0, found=0, hits=0, names=0) for m in methods}
    found_by_doc: dict[tuple[str, Path], list] = {}
    print(f"{'page':34s} {'tables':>6s} | " + " | ".join(f"{m:^28s}" for m in methods))
    print(f"{'':34s} {'':>6s} | " + " | ".join(f"{'found shape  exact cells    s':>28s}" for _ in methods))
    for p in pages:
        gray = ocr.to_gray(p["image"])
        line = f"{p['name']:34s} {len(p['truth']):6d} | "
        parts = []
        for m, fn in methods.items():
            best, found = None, []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                found = fn(gray)
                dt = time.perf_counter() - t0
                best = dt if best is None else min(best, dt)
            s = score(p["truth"], found)
            tot = totals[m]
            tot["tables"] += len(s)
            tot["shape"] += sum(x[0] for x in s)
            tot["exact"] += sum(x[1] for x in s)
            tot["cells"] += sum(x[2] for x in s)
            tot["secs"] += best
            tot["found"] += len(found)
            if p["doc"] is not None:
                found_by_doc.setdefault((m, p["doc"]), []).extend(found)
            parts.append(f"{len(found):5d} {sum(x[0] for x in s):3d}/{len(s):<2d} "
                         f"{sum(x[1] for x in s):4d}/{sum(x[2] for x in s):<4d} {best:6.2f}")
        print(line + " | ".join(f"{x:>28s}" for x in parts), flush=True)
    for (m, doc), found in found_by_doc.items():
        h, n = expected_hits(doc, found)
        totals[m]["hits"] += h
        totals[m]["names"] += n

    print()
    print(f"{len(pages)} pages, {sum(len(p['truth']) for p in pages)} truth tables"
          + (" (fixtures rasterised clean)" if args.clean else " (fixtures scanned: degrade, seed 7)"))
    print(f"{'method':12s} {'tables found':>12s} {'shape ok':>10s} {'exact cells':>18s} "
          f"{'expected items':>16s} {'s/page':>7s}")
    for m, t in totals.items():
        print(f"{m:12s} {t['found']:12d} {t['shape']:4d}/{t['tables']:<3d}   "
              f"{t['exact']:5d}/{t['cells']:<5d} {t['exact'] / max(t['cells'], 1):6.1%} "
              f"{t['hits']:5d}/{t['names']:<4d} {t['hits'] / max(t['names'], 1):4.0%} "
              f"{t['secs'] / max(len(pages), 1):7.2f}")


if __name__ == "__main__":
    main()
