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
SUPPORTED = TEXT_SUFFIXES | DOCX_SUFFIXES | DOC_SUFFIXES | PDF_SUFFIXES


def load(path: Path) -> Document:
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
        from pipeline.loaders.pdf import load_pdf
        return load_pdf(path)
    raise UnsupportedFormatError(f"{path.name}: unsupported file type '{suffix or '(none)'}'")


__all__ = ["load", "LoadError", "SUPPORTED"]
