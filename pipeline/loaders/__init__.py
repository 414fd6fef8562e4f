"""One loader per input format, all returning `models.document.Document`."""
from __future__ import annotations

from pathlib import Path

from models.document import Document
from pipeline.loaders.errors import LoadError, UnsupportedFormatError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
DOCX_SUFFIXES = {".docx"}
DOC_SUFFIXES = {".doc"}
PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED = TEXT_SUFFIXES | DOCX_SUFFIXES | DOC_SUFFIXES | PDF_SUFFIXES | IMAGE_SUFFIXES


def load(path: Path) -> Document:
    """The file as a document, whatever its format; a table a page break cut in two is one again."""
    from pipeline.loaders.continued import join_continued_tables

    return join_continued_tables(_load(path))


def _load(path: Path) -> Document:
    """Dispatch on the file's suffix; the loaders import lazily so a text run never loads pdfplumber."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        from pipeline.loaders.text import load_text
        return load_text(path)
    if suffix in DOCX_SUFFIXES:
        from pipeline.loaders.docx import load_docx
        return load_docx(path)
    if suffix in DOC_SUFFIXES:
        from pipeline.loaders.docx import load_doc
        return load_doc(path)
    if suffix in PDF_SUFFIXES:
        return load_pdf_with_ocr(path)
    if suffix in IMAGE_SUFFIXES:
        from pipeline.loaders.image import load_image
        return load_image(path)
    raise UnsupportedFormatError(f"{path.name}: unsupported file type '{suffix or '(none)'}'")


def load_pdf_with_ocr(path: Path) -> Document:
    """The text layer where it is usable; Tesseract for scanned or garbage pages.

    Without Tesseract the document keeps its readable pages and a warning naming
    the packages, so it comes out partial instead of silently missing pages.
    """
    from pipeline.loaders.errors import ConverterMissingError
    from pipeline.loaders.pdf import NOT_VIETNAMESE, load_pdf, unusable_pages

    doc = load_pdf(path)
    pages = unusable_pages(doc)
    whole = not doc.blocks and any("no text layer" in w for w in doc.warnings)
    if not pages and not whole:
        return doc
    try:
        from pipeline.loaders.ocr import load_scanned_pdf, ocr_pdf_pages

        if whole:
            scanned = load_scanned_pdf(path)
            scanned.source_format = "pdf"
            scanned.warnings = [w for w in _after_ocr(doc.warnings, pages) if NOT_VIETNAMESE in w] + scanned.warnings
            return scanned
        ocr_blocks = ocr_pdf_pages(path, pages)
    except ConverterMissingError as e:
        doc.warnings.append(f"OCR unavailable for pages {', '.join(map(str, pages)) or 'all'}: {e}")
        return doc
    order = {id(b): i for i, b in enumerate(doc.blocks)}
    merged = doc.blocks + ocr_blocks
    merged.sort(key=lambda b: (b.page or 0, order.get(id(b), len(order))))
    doc.blocks = merged
    doc.ocr_used = True
    doc.warnings = _after_ocr(doc.warnings, pages)
    return doc


def _after_ocr(warnings: list[str], pages: list[int]) -> list[str]:
    """The loader's warnings once `pages` are read by OCR: a missing text layer is no news then,
    but a text layer that passed the glyph checks and still was not Vietnamese (a Ghostscript
    rewrite, a wrong font map) stays, marked as read by OCR."""
    from pipeline.loaders.pdf import NOT_VIETNAMESE

    out = []
    for w in warnings:
        if NOT_VIETNAMESE in w:
            out.append(f"{w}; page read by OCR")
        elif not any(w.startswith(f"page {p}:") for p in pages):
            out.append(w)
    return out


__all__ = ["load", "LoadError", "SUPPORTED"]
