"""PNG crops of the page around a row with a finding, so the printed figure sits next to what was read.

Boxes are in PDF points from the page's top left (docs/conventions.md,
"Provenance"). A PDF page (text layer or scan) is rendered with pypdfium2 at
`DPI`; an image file is opened with PIL and its points turned into pixels
with the OCR loader's own rule (image.frame_dpi, ocr.prep.effective_dpi): dpi from the frame's metadata (above
10), else width / 8.27 (an A4 width). Each page is rendered once per
document, and only for rows that have a finding. The cells behind the
finding are outlined in red on the crop.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.loaders.image import frame_dpi
from pipeline.loaders.ocr.prep import effective_dpi

DPI = 150
MARGIN_PT = (10.0, 5.0)  # horizontal, vertical margin around the row's box
RED = (220, 30, 30)


def parse_box(s: str) -> tuple[float, float, float, float] | None:
    parts = re.split(r"\s*,\s*", (s or "").strip())
    if len(parts) != 4:
        return None
    try:
        x0, y0, x1, y1 = map(float, parts)
    except ValueError:
        return None
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


@dataclass
class Target:
    name: str                     # PNG file name
    page: int                     # 1-based
    box: tuple[float, float, float, float]
    marks: list[tuple[float, float, float, float]] = field(default_factory=list)


def _frame_scale(img) -> float:
    """Pixels per point of an image frame."""
    return effective_dpi(img.width, frame_dpi(img)) / 72.0


class Pages:
    """The document's pages as PIL images and their pixels per point, rendered on first use."""

    def __init__(self, data: bytes, source_format: str):
        self.data, self.format = data, source_format
        self._pdf = None
        self._image = None
        self._cache: dict[int, tuple[object, float]] = {}

    def page(self, n: int):
        if n not in self._cache:
            if len(self._cache) > 2:  # a long plan's pages are not all held at once
                self._cache.pop(next(iter(self._cache)))
            self._cache[n] = self._render(n)
        return self._cache[n]

    def _render(self, n: int):
        if self.format == "pdf":
            import pypdfium2 as pdfium

            if self._pdf is None:
                self._pdf = pdfium.PdfDocument(self.data)
            page = self._pdf[n - 1]
            try:
                img = page.render(scale=DPI / 72).to_pil().convert("RGB")
            finally:
                page.close()
            return img, DPI / 72
        from PIL import Image

        if self._image is None:
            self._image = Image.open(io.BytesIO(self.data))
        self._image.seek(n - 1)
        frame = self._image
        return frame.convert("RGB"), _frame_scale(frame)

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
        if self._image is not None:
            self._image.close()


def render(pages: Pages, target: Target, folder: Path) -> Path:
    from PIL import ImageDraw

    img, k = pages.page(target.page)
    mx, my = MARGIN_PT
    x0, y0, x1, y1 = target.box
    left, top = max(0, int((x0 - mx) * k)), max(0, int((y0 - my) * k))
    right, bottom = min(img.width, int((x1 + mx) * k) + 1), min(img.height, int((y1 + my) * k) + 1)
    if right <= left or bottom <= top:
        raise ValueError(f"box {target.box} lies outside page {target.page}")
    crop = img.crop((left, top, right, bottom))
    draw = ImageDraw.Draw(crop)
    for bx0, by0, bx1, by1 in target.marks:
        draw.rectangle((bx0 * k - left - 2, by0 * k - top - 2, bx1 * k - left + 2, by1 * k - top + 2),
                       outline=RED, width=2)
    path = folder / target.name
    crop.save(path, "PNG")
    return path
