"""DOCX pages without rendered breaks: the loader's flow model (pipeline/loaders/docx_pages.py) against a layout.

Usage: python benchmarks/bench_docx_pages.py [--seed S] [-n N] [--no-fixtures] [--calibrate] [--show]

The reference is LibreOffice: each .docx is converted to PDF headless (one
`soffice --convert-to pdf` call for all files), and every paragraph block of
20+ characters and every budget line is looked for in the PDF's page texts
(pypdfium2, NFKC, whitespace removed) by the first 40 characters of its text
(a budget line: of its item). A text found on no page or on several, or one
the document holds more than once (an item in two tables), is skipped; the
others give the true page, compared with the page the loader gives.
LibreOffice's layout is not Word's (its font substitutes, line breaking,
spacing and table rules differ a little), so the figures measure the model
against one real layout engine, the one we have offline, not against Word.

Printed for (a) the DOCX fixture plans (tests/fixtures/plans) and (b) N plans
of the generator for seed S (tests/fixtures/corpus.py; default 1234, n 100):
files and their page basis, page counts equal, texts compared, share on the
exact page and within ±1 page, the same for budget lines alone. The model was
calibrated on the fixtures and seed 1234; seed 777001 is kept for measuring.
`--show` prints each text the model puts on another page; `--calibrate` what
the constants are measured from: the mean advance of the fixtures' characters
by class in the font LibreOffice uses for Times New Roman, and the tightest
line pitch over the font size in its PDFs (1.15 where lines are single-spaced,
the fixtures' 12 pt table text; 1.15 × 1.15 for their 1.15-spaced body text).
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from pipeline.loaders.docx import load_docx  # noqa: E402
from pipeline.run import extract_document  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "plans"
KEY_CHARS = 40
MIN_BLOCK = 20
SHOW = False  # --show: print every text on another page than LibreOffice's


def convert(files: list[Path], out: Path) -> dict[Path, Path]:
    """PDFs LibreOffice makes of `files` (one call, a private profile), by source file."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("LibreOffice (soffice) is needed: it is the reference layout")
    profile = (out / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, files)], capture_output=True, timeout=60 + 10 * len(files))
    return {f: out / (f.stem + ".pdf") for f in files if (out / (f.stem + ".pdf")).exists()}


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def page_texts(pdf_path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [norm(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    finally:
        pdf.close()


def key_of(text: str) -> str:
    return norm(text[:KEY_CHARS])


def true_page(text: str, pages: list[str], repeated: Counter) -> int | None:
    """The one page whose text holds the first KEY_CHARS characters of `text`; None if none or several, or
    if the document has several texts that begin so (`repeated`: keys of every paragraph and cell)."""
    key = key_of(text)
    if not key or repeated[key] > 1:
        return None
    found = [i + 1 for i, p in enumerate(pages) if key in p]
    return found[0] if len(found) == 1 else None


def compare(docx_path: Path, pdf_path: Path) -> dict:
    """(loader page, true page) pairs of the file's paragraph blocks and budget lines, and its page counts."""
    pages = page_texts(pdf_path)
    doc = load_docx(docx_path)
    out = {"blocks": [], "lines": [], "skipped": 0, "pages": (doc.pages, len(pages)), "basis": doc.page_basis}
    repeated = Counter(key_of(t) for b in doc.blocks for t in [b.text] + [c for r in b.rows for c in r] if t)
    for b in doc.blocks:
        if b.kind != "table" and len(b.text) >= MIN_BLOCK:
            truth = true_page(b.text, pages, repeated)
            if truth is None:
                out["skipped"] += 1
            else:
                out["blocks"].append((b.page, truth))
                if SHOW and b.page != truth:
                    print(f"    {docx_path.name}: block {b.text[:50]!r} page {b.page}, LibreOffice {truth}")
    for line in extract_document(doc).budget_lines:
        truth = true_page(line.item, pages, repeated)
        if truth is None:
            out["skipped"] += 1
        else:
            out["lines"].append((line.page, truth))
            if SHOW and line.page != truth:
                print(f"    {docx_path.name}: line {line.item[:50]!r} page {line.page}, LibreOffice {truth}")
    return out


def shares(pairs: list[tuple]) -> str:
    if not pairs:
        return "0 compared"
    exact = sum(1 for got, want in pairs if got == want)
    near = sum(1 for got, want in pairs if got is not None and abs(got - want) <= 1)
    return f"{len(pairs)} compared, exact {exact / len(pairs):.1%}, within ±1 {near / len(pairs):.1%}"


def report(label: str, results: list[dict]) -> None:
    blocks = [p for r in results for p in r["blocks"]]
    lines = [p for r in results for p in r["lines"]]
    counts = sum(1 for r in results if r["pages"][0] == r["pages"][1])
    bases = Counter(r["basis"] or "none" for r in results)
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(bases.items()))
    print(f"{label}: {len(results)} files ({kinds}), "
          f"page count equal {counts}/{len(results)}, {sum(r['skipped'] for r in results)} texts skipped "
          "(on no page or several, or repeated in the file)")
    print(f"  all blocks (paragraphs of {MIN_BLOCK}+ chars and budget lines): {shares(blocks + lines)}")
    print(f"  budget lines: {shares(lines)}")


def generated(seed: int, n: int, folder: Path) -> list[Path]:
    from tests.fixtures.corpus import plan_for, render

    files = []
    for i in range(n):
        plan, _ = plan_for(seed, i, "docx")
        path = folder / f"s{seed}-{i:04d}.docx"
        path.write_bytes(render(plan, "docx", seed))
        files.append(path)
    return files


def run(label: str, files: list[Path], tmp: Path) -> dict[Path, Path]:
    """Convert, compare and print; the PDFs by source file."""
    pdfs = convert(files, tmp)
    results = [compare(f, pdfs[f]) for f in files if f in pdfs]
    if len(pdfs) < len(files):
        print(f"{label}: LibreOffice converted {len(pdfs)} of {len(files)} files")
    report(label, results)
    return pdfs


def calibrate(files: list[Path], pdfs: dict[Path, Path]) -> None:
    """What docx_pages' constants are measured from: the mean advance of the files' characters by class
    (space, punctuation, digit, small letter, capital) in the font LibreOffice uses for Times New Roman, and
    the PDFs' line pitches."""
    import zipfile

    from lxml import etree
    from PIL import ImageFont

    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def font(pattern: str):
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True).stdout
        return found, ImageFont.truetype(found, 1000)

    name, regular = font("Times New Roman")
    fonts = {False: regular, True: font("Times New Roman:bold")[1]}
    width, chars = Counter(), Counter()
    for f in files:
        root = etree.fromstring(zipfile.ZipFile(f).read("word/document.xml"))
        for r in root.iter(W + "r"):
            b = r.find(f"{W}rPr/{W}b")
            bold = b is not None and b.get(W + "val", "true") not in ("0", "false")
            for c in "".join(t.text or "" for t in r.iter(W + "t")):
                kind = ("space" if c.isspace() else "capital" if c.isupper() else "digit" if c.isdigit()
                        else "letter" if c.isalpha() else "punct")
                width[bold, kind] += fonts[bold].getlength(c) / 1000
                chars[bold, kind] += 1
    print(f"calibration, font {Path(name).name}: mean advance in ems (characters)")
    for bold in (False, True):
        print(f"  {'bold   ' if bold else 'regular'} " + ", ".join(
            f"{kind} {width[bold, kind] / max(1, chars[bold, kind]):.3f} ({chars[bold, kind]})"
            for kind in ("space", "punct", "digit", "letter", "capital")))
    ratios: dict[float, list[float]] = {}
    for pdf_path in pdfs.values():
        pdf = pdfium.PdfDocument(str(pdf_path))
        for i in range(len(pdf)):
            for size, ratio in _pitches(pdf[i]):
                ratios.setdefault(size, []).append(ratio)
        pdf.close()
    print("  tightest line pitch / font size, by size (median over pages): " + ", ".join(
        f"{size:g} pt {statistics.median(r):.3f}" for size, r in sorted(ratios.items()) if len(r) > 2))


def _pitches(page) -> list[tuple[float, float]]:
    """(font size, smallest baseline gap over the size) of the page's lines of each size: the pitch of
    lines within one paragraph or cell at that size's tightest spacing."""
    import ctypes

    import pypdfium2.raw as raw

    tp = page.get_textpage()
    height = page.get_height()
    lines: dict[float, set] = {}
    x, y = ctypes.c_double(), ctypes.c_double()
    for i in range(tp.count_chars()):
        if not tp.get_text_range(i, 1).strip():
            continue
        raw.FPDFText_GetCharOrigin(tp.raw, i, x, y)
        size = round(raw.FPDFText_GetFontSize(tp.raw, i), 1)
        lines.setdefault(size, set()).add(round(height - y.value, 1))
    out = []
    for size, ys in lines.items():
        ys = sorted(ys)
        gaps = [b - a for a, b in zip(ys, ys[1:]) if b - a > size * 0.9]
        if gaps:
            out.append((size, min(gaps) / size))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--no-fixtures", action="store_true")
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--show", action="store_true", help="print every text the model puts on another page")
    args = ap.parse_args()
    global SHOW
    SHOW = args.show
    with tempfile.TemporaryDirectory(prefix="bench-docx-pages-") as tmp:
        tmp = Path(tmp)
        if not args.no_fixtures:
            files = sorted(FIXTURES.glob("*.docx"))
            (tmp / "fixtures").mkdir()
            pdfs = run("fixtures", files, tmp / "fixtures")
            if args.calibrate:
                calibrate(files, pdfs)
        if args.n:
            (tmp / "gen").mkdir()
            run(f"seed {args.seed}, {args.n} generated plans", generated(args.seed, args.n, tmp / "gen"), tmp / "gen")


if __name__ == "__main__":
    main()
