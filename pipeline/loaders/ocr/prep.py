"""A page image made ready for Tesseract: grayscale, upright, free of dust.

The steps every page goes through before it is read, whatever reads it (the
page call, the table cells); nothing here calls Tesseract.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

MAX_SKEW = 5.0          # degrees searched by the deskew
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


def text_span(ink: np.ndarray, margin: int) -> tuple[int, int, int]:
    """Left, top and right of the page's ink with a margin of paper (the whole page when it has none)."""
    cols = np.flatnonzero(ink[::4].any(axis=0))
    rows = np.flatnonzero(ink[:, ::4].any(axis=1))
    if not len(cols) or not len(rows):
        return 0, 0, ink.shape[1]
    return max(int(cols[0]) - margin, 0), max(int(rows[0]) - margin, 0), min(int(cols[-1]) + 1 + margin, ink.shape[1])


A4_WIDTH_IN = 8.27  # a page of unknown resolution is taken to be A4 wide


def effective_dpi(width_px: int, dpi: float | None) -> float:
    """The resolution a page is read at: its own, else an A4 width's (docs/conventions.md, "Provenance")."""
    return dpi or width_px / A4_WIDTH_IN


def scale_of(gray: np.ndarray, dpi: int | None) -> float:
    """The page's resolution over 200 dpi."""
    return effective_dpi(gray.shape[1], dpi) / 200


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
