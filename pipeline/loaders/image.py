"""Scanned pages as image files (PNG, JPG, TIFF with any number of pages) to the document model.

Every frame of the file is a page and is read by OCR (`ocr.py`). Scans are
read at their own resolution: archives scan at 200-300 dpi, where Tesseract
reads body text well, and enlarging a 200 dpi scan bought no accuracy in our
measurements (README, "OCR") while it doubled the time. Only scans coarser
than MIN_DPI are enlarged.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from models.document import Document
from pipeline.loaders import ocr
from pipeline.loaders.errors import CorruptFileError, EmptyDocumentError

MIN_DPI = 150  # below this the scan is enlarged to TARGET_DPI before OCR
TARGET_DPI = 300


def load_image(path: Path, workers: int | None = None) -> Document:
    path = Path(path)
    if not path.exists():
        raise CorruptFileError(f"{path.name}: file not found")
    if path.stat().st_size == 0:
        raise EmptyDocumentError(f"{path.name}: the file is empty (0 bytes)")
    ocr.require_tesseract()
    n_frames = _frame_count(path)
    results = ocr.ocr_images(_frames(path), workers)
    blocks = ocr.blocks_of(results)
    if not blocks:
        raise EmptyDocumentError(f"{path.name}: OCR found no text in the image")
    return Document(source_path=str(path), source_format="image", blocks=blocks, pages=n_frames,
                    ocr_used=True, warnings=ocr.warnings_of(results))


def _open(path: Path):
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 200_000_000  # a 600 dpi A0 scan; larger is a decompression bomb
    try:
        return Image.open(path)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise CorruptFileError(f"{path.name}: damaged or not an image ({exc})") from exc


def _frame_count(path: Path) -> int:
    with _open(path) as img:
        return getattr(img, "n_frames", 1)


def _frames(path: Path) -> Iterator[tuple[int, object, int | None]]:
    """(1-based page, grayscale image, dpi) for each frame, enlarged when scanned too coarsely."""
    from PIL import Image, ImageSequence

    with _open(path) as img:
        try:
            for n, frame in enumerate(ImageSequence.Iterator(img), start=1):
                gray = ocr.to_gray(frame.copy())
                dpi = frame_dpi(frame)
                if dpi and dpi < MIN_DPI:
                    factor = TARGET_DPI / dpi
                    pil = Image.fromarray(gray)
                    gray = pil.resize((round(pil.width * factor), round(pil.height * factor)), Image.LANCZOS)
                    dpi = TARGET_DPI
                yield n, gray, round(dpi) if dpi else None
        except (OSError, ValueError) as exc:
            raise CorruptFileError(f"{path.name}: damaged image ({exc})") from exc


def frame_dpi(frame) -> float | None:
    """The resolution an image frame records, when it records a plausible one (some write 1 or 72 × 0)."""
    dpi = frame.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None
    return value if value and value > 10 else None
