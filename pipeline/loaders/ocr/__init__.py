"""OCR for pages without a usable text layer: Tesseract 5 with its Vietnamese data.

Tesseract driven from Python rather than OCRmyPDF (see README, "OCR"): we need each word's box
and confidence to rebuild paragraphs and tables ourselves and to read table
cells one by one; OCRmyPDF only hands back a PDF text layer. A page is
prepared (`prep`: deskew, dust), its tables are read cell by cell (`tables`),
the rest is read once and rebuilt into paragraphs (`layout`), all per page in
`page`; the engine is `engine`. Pages run in parallel threads, each driving one single-threaded
Tesseract (`OMP_THREAD_LIMIT=1`: Tesseract's own threads only fight over the
cores the pool already uses).
"""
from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, Iterator

from models.document import Block, Document
from pipeline.loaders.errors import CorruptFileError, EmptyDocumentError, EncryptedError
from pipeline.loaders.ocr.engine import Word, read_words, require_tesseract
from pipeline.loaders.ocr.layout import join_pages
from pipeline.loaders.ocr.page import PageResult, read_page
from pipeline.loaders.ocr.prep import deskew, despeckle, scale_of, skew_angle, to_gray

__all__ = [  # the package's API; the steps are re-exported for callers that drive a page by hand
    "ocr_images", "blocks_of", "warnings_of", "render_pages", "page_dpi", "ocr_pdf_pages", "load_scanned_pdf",
    "default_workers", "require_tesseract", "read_page", "PageResult", "Word", "read_words",
    "to_gray", "deskew", "despeckle", "skew_angle", "scale_of",
]

PDF_DPI = 300           # resolution for vector pages, and scans coarser than SCAN_DPI (README "OCR")
SCAN_DPI = (150, 400)   # a scanned page is rendered at its own resolution within these bounds
LOW_CONFIDENCE = 60     # a page whose mean word confidence is lower is named in Document.warnings


def ocr_images(images: Iterable[tuple[int, object, int | None]], workers: int | None = None) -> list[PageResult]:
    """Read (page number, image, dpi or None) triples in parallel, in order; images are pulled lazily so that
    at most two per worker are held in memory."""
    require_tesseract()
    workers = max(1, workers or default_workers())
    results: list[PageResult] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: list[Future] = []
        for number, image, dpi in images:
            pending.append(pool.submit(read_page, image, number, dpi))
            while len(pending) >= 2 * workers:
                results.append(pending.pop(0).result())
        results.extend(f.result() for f in pending)
    return results


def default_workers() -> int:
    env = os.environ.get("KEHOACH_OCR_WORKERS", "")
    return int(env) if env.isdigit() and int(env) > 0 else (os.cpu_count() or 1)


def blocks_of(results: list[PageResult]) -> list[Block]:
    return join_pages([r.blocks for r in results])


def warnings_of(results: list[PageResult]) -> list[str]:
    out = []
    for r in results:
        if r.confidence is None:
            out.append(f"page {r.number}: OCR found no text")
        elif r.confidence < LOW_CONFIDENCE:
            out.append(f"page {r.number}: low OCR confidence (mean {r.confidence:.0f})")
    return out


# --- PDFs -------------------------------------------------------------------------------------

def render_pages(path: Path, pages: list[int] | None = None, dpi: int | None = None
                 ) -> Iterator[tuple[int, object, int]]:
    """(1-based page number, grayscale PIL image, dpi) for each page, rendered in this thread
    (PDFium is not thread-safe). Without `dpi`, a scanned page is rendered at its scan's own
    resolution and a vector page at PDF_DPI (see `page_dpi`)."""
    import pypdfium2 as pdfium

    pdf = _open_pdf(path)
    try:
        numbers = pages if pages is not None else range(1, len(pdf) + 1)
        for n in numbers:
            if not 1 <= n <= len(pdf):
                raise ValueError(f"{path.name}: no page {n} (the PDF has {len(pdf)})")
            page = pdf[n - 1]
            try:
                at = dpi or page_dpi(page)
                image = page.render(scale=at / 72, grayscale=True).to_pil().convert("L")
            except pdfium.PdfiumError as exc:
                raise CorruptFileError(f"{path.name}: page {n} cannot be rendered ({exc})") from exc
            finally:
                page.close()
            yield n, image, at
    finally:
        pdf.close()


def page_dpi(page) -> int:
    """The resolution of the scan when one image covers the page, within SCAN_DPI; else PDF_DPI.

    Rendering a 200 dpi scan at 300 dpi only interpolates pixels: it read no
    better in our measurements and took twice as long (README, "OCR").
    """
    import pypdfium2.raw as pdfium_c

    width_pt, height_pt = page.get_size()
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=1):
        x0, y0, x1, y1 = obj.get_bounds()
        if (x1 - x0) * (y1 - y0) >= 0.8 * width_pt * height_pt:
            px_w, px_h = obj.get_px_size()
            native = max(px_w / ((x1 - x0) / 72), px_h / ((y1 - y0) / 72))
            lo, hi = SCAN_DPI
            return PDF_DPI if native < lo else int(min(round(native), hi))
    return PDF_DPI


def _open_pdf(path: Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedError(f"{path.name}: the PDF is password-protected; ask for an unprotected copy") from exc
        raise CorruptFileError(f"{path.name}: damaged or not a PDF ({exc})") from exc


def ocr_pdf_pages(path: Path, pages: list[int], workers: int | None = None) -> list[Block]:
    """Blocks read by OCR from the given 1-based pages of a PDF, in page order.

    For the PDF loader's pages with no usable text layer. Each block carries
    its page number and `confidence`; a table running over consecutive pages
    given here is joined. Raises ConverterMissingError without Tesseract.
    """
    require_tesseract()
    path = Path(path)
    return blocks_of(ocr_images(render_pages(path, sorted(set(pages))), workers))


def load_scanned_pdf(path: Path, workers: int | None = None) -> Document:
    """A PDF whose pages are all images, read entirely by OCR."""
    require_tesseract()
    path = Path(path)
    results = ocr_images(render_pages(path), workers)
    blocks = blocks_of(results)
    if not blocks:
        raise EmptyDocumentError(f"{path.name}: OCR found no text on any page")
    return Document(source_path=str(path), source_format="pdf", blocks=blocks, pages=len(results),
                    ocr_used=True, warnings=warnings_of(results))
