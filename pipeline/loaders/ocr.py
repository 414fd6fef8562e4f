"""OCR for pages without a usable text layer: Tesseract 5 with its Vietnamese data (engine: `tesseract`).

Tesseract driven from Python rather than OCRmyPDF (see README, "OCR"): we need each word's box
and confidence to rebuild paragraphs and tables ourselves and to read table
cells one by one; OCRmyPDF only hands back a PDF text layer. A page is
deskewed (OpenCV), its ruled tables are cut out and read cell by cell
(`ocr_tables`), the rest is read once and rebuilt into paragraphs
(`ocr_layout`). Pages run in parallel threads, each driving one single-threaded
Tesseract (`OMP_THREAD_LIMIT=1`: Tesseract's own threads only fight over the
cores the pool already uses).
"""
from __future__ import annotations

import math
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import cv2
import numpy as np

from models.document import Block, Document
from pipeline.loaders.errors import CorruptFileError, EmptyDocumentError, EncryptedError, LoadError
from pipeline.loaders.tesseract import Word, read_words, require_tesseract  # noqa: F401  (the engine)

PDF_DPI = 300           # resolution for vector pages, and scans coarser than SCAN_DPI (README "OCR")
SCAN_DPI = (150, 400)   # a scanned page is rendered at its own resolution within these bounds
MAX_SKEW = 5.0          # degrees searched by the deskew
LOW_CONFIDENCE = 60     # a page whose mean word confidence is lower is named in Document.warnings
MIN_SIDE = 32           # px; a smaller image holds no line of text


# --- Deskew -------------------------------------------------------------------------------------

def skew_angle(gray: np.ndarray, limit: float = MAX_SKEW) -> float:
    """How far the page is turned counter-clockwise, in degrees.

    Projection profile: text lines give the sharpest row histogram of ink when
    projected at the page's own angle. Ink pixels are projected rather than the
    image rotated, on a copy ~1000 px wide: ~15 ms a page. (A copy of every n-th pixel is 5 ms faster and
    as close to the true angle on average, but its angles, 0.1° off here and there, cost words on the
    scanned fixture pages.)
    """
    scale = min(1.0, 1000 / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    points = cv2.findNonZero(ink)
    if points is None or len(points) < 200:
        return 0.0
    xs, ys = points.reshape(-1, 2).T
    if len(ys) > 50_000:  # every k-th ink pixel is sample enough
        k = len(ys) // 50_000 + 1
        ys, xs = ys[::k], xs[::k]
    ys, xs = ys.astype(np.float64), xs.astype(np.float64)

    def sharpness(deg: float) -> float:
        t = math.radians(deg)
        proj = ys * math.cos(t) + xs * math.sin(t)
        hist = np.bincount(np.round(proj - proj.min()).astype(np.int64))
        return float(np.dot(hist, hist))

    best = max(np.arange(-limit, limit + 1e-9, 0.5), key=sharpness)  # coarse to fine: 41 projections
    best = max(np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1), key=sharpness)
    best = max(np.arange(best - 0.1, best + 0.1 + 1e-9, 0.025), key=sharpness)
    return round(float(best), 3)


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The page turned upright (paper-white corners), and the angle it was turned by."""
    angle = skew_angle(gray)
    if abs(angle) < 0.05:
        return gray, angle
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255), angle


def to_gray(image) -> np.ndarray:
    """A PIL image or array as 8-bit grayscale."""
    if isinstance(image, np.ndarray):
        arr = image
    else:
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGBA" if "A" in image.mode or image.mode == "P" else "RGB")
            if image.mode == "RGBA":  # transparent scans: paper white
                from PIL import Image
                bg = Image.new("RGB", image.size, "white")
                bg.paste(image, mask=image.split()[-1])
                image = bg
        arr = np.asarray(image)
    if arr.ndim == 3:
        arr = cv2.cvtColor(arr[:, :, :3], cv2.COLOR_RGB2GRAY)
    if arr.dtype != np.uint8:
        arr = (arr > 0).astype(np.uint8) * 255 if arr.dtype == bool else np.clip(arr, 0, 255).astype(np.uint8)
    return arr


# --- One page ---------------------------------------------------------------------------------

@dataclass
class PageResult:
    number: int
    blocks: list[Block]
    angle: float
    confidence: float | None  # mean word confidence over the page


def read_page(image, number: int, dpi: int | None = None) -> PageResult:
    """Deskew and despeckle; find the ruled tables; read the page once; rebuild tables and paragraphs.

    The one page call reads the tables too (their ruling lines painted out):
    each word falls in the cell that holds its box, and only cells whose words
    are doubtful are cut out and read again, all in one more call
    (`ocr_tables.read_tables`). The right column of a two-column zone (header,
    recipients beside the signature) is moved below the page before the call,
    so that Tesseract cannot run its lines into the left column's, and put
    back after (`ocr_layout.unfold_columns`).
    """
    from pipeline.loaders import ocr_layout, ocr_tables

    gray = to_gray(image)
    if min(gray.shape) < MIN_SIDE:  # a thumbnail or a stray pixel: no text to read
        return PageResult(number, [], 0.0, None)
    gray, angle = deskew(gray)
    scale = scale_of(gray, dpi)
    ink = ocr_tables.ink_mask(gray)
    gray, ink = despeckle(gray, ink, scale)
    grids = ocr_tables.find_tables(gray, ink)
    gray, ink = ocr_tables.clean_tables(gray, ink, grids, scale)
    canvas, moved = ocr_layout.unfold_columns(gray, ink, [g.box for g in grids], scale)
    x0, y0, x1 = _text_span(ink, round(30 * scale))  # blank margins only cost Tesseract time
    words = read_words(canvas[y0:, x0:x1], psm=3, dpi=dpi)
    for w in words:
        w.x0, w.x1, w.top, w.bottom = w.x0 + x0, w.x1 + x0, w.top + y0, w.bottom + y0
    words = ocr_layout.put_back(words, moved, gray.shape[0])
    inside = [w for w in words if ocr_tables.grid_of(grids, w) is not None]
    outside = [w for w in words if ocr_tables.grid_of(grids, w) is None]
    ocr_layout.fix_roman_labels(outside, gray)
    tables = ocr_tables.read_tables(gray, grids, number, ink, dpi, words=inside)
    loose, outside = unruled_grids(outside, gray.shape[1], gray.shape[0])  # tables printed without rules
    tables += ocr_tables.finish_tables(gray, ink, loose, number, dpi)  # their figures re-read like any
    grids = grids + loose
    blocks = ocr_layout.page_blocks(outside, list(zip((g.top for g in grids), tables)), number,
                                    gray.shape[1], gray.shape[0])
    confs = [w.conf for w in outside] + [c.conf for g in grids for c in g.cells if c.conf is not None]
    to_points(blocks, angle, gray.shape, dpi or gray.shape[1] / 8.27)
    return PageResult(number, blocks, angle, round(sum(confs) / len(confs), 1) if confs else None)


def to_points(blocks: list[Block], angle: float, shape: tuple[int, ...], dpi: float) -> None:
    """Boxes from pixels of the deskewed page to points of the page as printed: turned back by the
    deskew angle and scaled by 72/dpi, so that a crop of the original page shows the cell."""
    h, w = shape[:2]
    back = cv2.invertAffineTransform(cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)) if abs(angle) >= 0.05 else None
    k = 72.0 / dpi

    def convert(box):
        if box is None:
            return None
        x0, y0, x1, y1 = box
        if back is not None:
            pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=float) @ back.T
            x0, y0, x1, y1 = pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()
        return (round(float(x0) * k, 1), round(float(y0) * k, 1), round(float(x1) * k, 1), round(float(y1) * k, 1))

    for b in blocks:
        b.bbox = convert(b.bbox)
        b.row_boxes = [convert(x) for x in b.row_boxes]
        b.cell_boxes = [[convert(x) for x in r] for r in b.cell_boxes]


def unruled_grids(words: list[Word], width: int, height: int) -> tuple[list, list[Word]]:
    """Tables without ruling lines among the page's words (see `unruled`), as grids whose cells are
    the boxes of their words, so that `ocr_tables.check_figures` re-reads their figures as it does a
    ruled table's; and the words left."""
    from pipeline.loaders import ocr_layout, ocr_tables, unruled

    lines = ocr_layout.lines_of(words)
    geo = ocr_layout.measure(lines, width, height)
    grids, used = [], set()
    for first, last, rows, boxes in unruled.unruled_grids(lines, geo.left, geo.right):
        span = [w for l in lines[first:last + 1] for w in l.words]
        cells = []
        for r, (row, row_boxes) in enumerate(zip(rows, boxes)):
            for c, (text, (x0, y0, x1, y1)) in enumerate(zip(row, row_boxes)):
                mine = [w for w in span if x0 - 1 <= (w.x0 + w.x1) / 2 <= x1 + 1 and y0 - 1 <= (w.top + w.bottom) / 2 <= y1 + 1]
                confs = [w.conf for w in mine if w.conf >= 0]
                box = (int(x0) - 2, int(y0) - 2, int(x1) + 3, int(y1) + 3)
                cells.append(ocr_tables.Cell(r, c, box, text, min(confs) if confs else None, len(mine)))
        box = (min(c.box[0] for c in cells), min(c.box[1] for c in cells),
               max(c.box[2] for c in cells), max(c.box[3] for c in cells))
        grids.append(ocr_tables.Grid(box, len(rows), len(rows[0]), cells))
        used |= {id(w) for w in span}
    return grids, [w for w in words if id(w) not in used]


def _text_span(ink: np.ndarray, margin: int) -> tuple[int, int, int]:
    """Left, top and right of the page's ink with a margin of paper (the whole page when it has none)."""
    cols = np.flatnonzero(ink[::4].any(axis=0))
    rows = np.flatnonzero(ink[:, ::4].any(axis=1))
    if not len(cols) or not len(rows):
        return 0, 0, ink.shape[1]
    return max(int(cols[0]) - margin, 0), max(int(rows[0]) - margin, 0), min(int(cols[-1]) + 1 + margin, ink.shape[1])


def scale_of(gray: np.ndarray, dpi: int | None) -> float:
    """The page's resolution over 200 dpi (an A4 width is assumed when the dpi is not known)."""
    return (dpi or gray.shape[1] / 8.27) / 200


def despeckle(gray: np.ndarray, ink: np.ndarray, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Paint out specks of dust: ink components of a few pixels that touch nothing.

    At 200 dpi dust is 1-4 px, the smallest part of a glyph (a dot, a
    diacritic, a full stop) 8 px or more. Left in, a speck beside a word reads
    as a ":" or a "." ("ban:") or shifts a diacritic ("chỉ" for "chi").
    """
    _, labels = cv2.connectedComponents(ink, connectivity=8)  # areas counted here: 4× faster than with stats
    xs, ys = cv2.findNonZero(ink).reshape(-1, 2).T if ink.any() else (np.empty(0, int), np.empty(0, int))
    label = labels[ys, xs]
    small = np.bincount(label)[label] <= max(2, round(4 * scale * scale))
    if not small.any():
        return gray, ink
    paper = int(np.median(gray[::16, ::16]))
    gray, ink = gray.copy(), ink.copy()
    mask = np.zeros_like(ink)
    mask[ys[small], xs[small]] = 255
    cv2.subtract(ink, mask, dst=ink)
    rim = cv2.dilate(mask, np.ones((3, 3), np.uint8))  # the speck and its blurred rim
    cv2.max(gray, cv2.min(rim, paper), dst=gray)  # paper there (a mask assignment costs 20× more)
    return gray, ink
    paper = int(np.median(gray[::16, ::16]))
    gray, ink = gray.copy(), ink.copy()
    h, w = gray.shape
    for i in small.tolist():  # a few hundred specks: their boxes, not a pass over the page
        x, y, bw, bh = stats[i, :4].tolist()
        ink[y:y + bh, x:x + bw][labels[y:y + bh, x:x + bw] == i] = 0
        gray[max(y - 1, 0):min(y + bh + 1, h), max(x - 1, 0):min(x + bw + 1, w)] = paper  # and its blurred rim
    return gray, ink


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
    from pipeline.loaders import ocr_layout

    return ocr_layout.join_pages([r.blocks for r in results])


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
