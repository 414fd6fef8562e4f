"""The Tesseract engine: words with boxes and confidences from a page image.

Tesseract runs in-process, through the C API of the installed libtesseract
(ctypes; Debian's `libtesseract5`, which `tesseract-ocr` brings), one engine
per thread, kept between pages and documents. Where the library cannot be
loaded, the `tesseract` command is run through pytesseract. Same library, same
TSV, word for word; in-process saves ~0.15 s a call (0.63 s against 0.78 s on a
200 dpi page): no process start, no model load, no image file (README, "OCR").
`KEHOACH_OCR_ENGINE=command` forces the command.
"""
from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import queue
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from pipeline.loaders.errors import ConverterMissingError, LoadError

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one Tesseract thread per page; the page pool uses the cores

LANG = "vie"
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-vie"
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata")


@dataclass
class Word:
    text: str
    x0: int
    top: int
    x1: int
    bottom: int
    conf: float
    line: tuple[int, int, int]  # Tesseract's (block, paragraph, line) numbers

    @property
    def height(self) -> int:
        return self.bottom - self.top


def engine() -> str:
    """'library' (libtesseract in-process) or 'command' (the `tesseract` program)."""
    if os.environ.get("KEHOACH_OCR_ENGINE", "").lower() == "command" or _library() is None:
        return "command"
    if _simd() and not hasattr(_library(), SIMD_UPDATE):  # cannot pin it in-process: the command can
        return "command"
    return "library"


SIMD_UPDATE = "_ZN9tesseract10SIMDDetect6UpdateEv"  # tesseract::SIMDDetect::Update(), applies `dotproduct`


def _simd() -> str:
    """'generic' when --ocr-simd generic asks for Tesseract's plain arithmetic (README, OCR), else ''."""
    return "generic" if os.environ.get("KEHOACH_OCR_SIMD", "").lower() == "generic" else ""


def require_tesseract() -> None:
    """Raise ConverterMissingError, naming the packages, unless Tesseract and its Vietnamese data are there."""
    problem = _check(engine(), os.environ.get("TESSDATA_PREFIX", ""), shutil.which("tesseract") or "")
    if problem:
        raise ConverterMissingError(problem)


@lru_cache(maxsize=8)
def _check(kind: str, prefix: str, command: str) -> str:
    if kind == "library":
        if tessdata() is None:
            return f"Tesseract's Vietnamese data ('{LANG}.traineddata') is not installed; scanned pages need it: {INSTALL}"
        return ""
    try:
        import pytesseract
    except ImportError:
        return f"OCR needs libtesseract or pytesseract (pip install pytesseract), and {INSTALL}"
    try:
        version = pytesseract.get_tesseract_version()
        langs = pytesseract.get_languages()
    except (pytesseract.TesseractNotFoundError, OSError):
        return f"Tesseract OCR is not installed ('{pytesseract.pytesseract.tesseract_cmd}' not found); " \
               f"scanned pages need it: {INSTALL}"
    except pytesseract.TesseractError as exc:
        return f"Tesseract OCR does not run ({str(exc)[:80]}); reinstall it: {INSTALL}"
    if LANG not in langs:
        return f"Tesseract {version} has no Vietnamese data ('{LANG}'); install it: {INSTALL}"
    return ""


def tessdata() -> str | None:
    """The folder holding vie.traineddata: TESSDATA_PREFIX if set (as Tesseract itself does), else the one the
    installed `tesseract` command reports, else the usual install places."""
    return _tessdata(os.environ.get("TESSDATA_PREFIX", ""), shutil.which("tesseract") or "")


@lru_cache(maxsize=8)
def _tessdata(prefix: str, command: str) -> str | None:
    """(Cached: every new engine asks, and asking the command is a process start.)"""
    if prefix:
        return prefix if (Path(prefix) / f"{LANG}.traineddata").is_file() else None
    places = list(TESSDATA_DIRS)
    if command:
        try:
            out = subprocess.run([command, "--list-langs"], capture_output=True, text=True, timeout=20).stdout
            if '"' in out:
                places.insert(0, out.split('"')[1])
        except (OSError, subprocess.SubprocessError):
            pass
    return next((p for p in places if (Path(p) / f"{LANG}.traineddata").is_file()), None)


def read_words(image: np.ndarray, psm: int = 3, whitelist: str = "", dpi: int | None = None) -> list[Word]:
    """Words with boxes and confidences, in Tesseract's reading order, numbered as its TSV output numbers them."""
    if engine() == "library":
        return _words_in_process(image, psm, whitelist, dpi)
    return parse_tsv(_tsv_by_command(image, psm, whitelist, dpi))


def parse_tsv(tsv: str) -> list[Word]:
    words = []
    for row in tsv.splitlines():
        f = row.split("\t")
        if len(f) < 12 or not f[0].isdigit() or not f[11].strip():
            continue
        conf = float(f[10])
        if conf < 0:
            continue
        x, y, w, h = (int(v) for v in f[6:10])
        words.append(Word(f[11].strip(), x, y, x + w, y + h, conf, (int(f[2]), int(f[3]), int(f[4]))))
    return words


# --- in-process -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL | None:
    """libtesseract with the C API's signatures declared, or None."""
    name = ctypes.util.find_library("tesseract")
    try:
        lib = ctypes.CDLL(name or "libtesseract.so.5")
    except OSError:
        return None
    api, text = ctypes.c_void_p, ctypes.c_char_p
    for fn, args, res in (("TessBaseAPICreate", [], api), ("TessBaseAPIInit3", [api, text, text], ctypes.c_int),
                          ("TessBaseAPISetPageSegMode", [api, ctypes.c_int], None),
                          ("TessBaseAPISetVariable", [api, text, text], ctypes.c_int),
                          ("TessBaseAPISetImage", [api, ctypes.c_void_p] + [ctypes.c_int] * 4, None),
                          ("TessBaseAPIRecognize", [api, ctypes.c_void_p], ctypes.c_int),
                          ("TessBaseAPIGetIterator", [api], ctypes.c_void_p),
                          ("TessResultIteratorGetPageIterator", [ctypes.c_void_p], ctypes.c_void_p),
                          ("TessResultIteratorGetUTF8Text", [ctypes.c_void_p, ctypes.c_int], ctypes.c_void_p),
                          ("TessResultIteratorConfidence", [ctypes.c_void_p, ctypes.c_int], ctypes.c_float),
                          ("TessResultIteratorDelete", [ctypes.c_void_p], None),
                          ("TessPageIteratorIsAtBeginningOf", [ctypes.c_void_p, ctypes.c_int], ctypes.c_int),
                          ("TessPageIteratorBoundingBox", [ctypes.c_void_p, ctypes.c_int] + [ctypes.c_void_p] * 4,
                           ctypes.c_int),
                          ("TessPageIteratorNext", [ctypes.c_void_p, ctypes.c_int], ctypes.c_int),
                          ("TessDeleteText", [ctypes.c_void_p], None), ("TessBaseAPIClear", [api], None),
                          ("TessBaseAPIDelete", [api], None)):
        try:
            f = getattr(lib, fn)
        except AttributeError:
            return None
        f.argtypes, f.restype = args, res
    return lib


_idle: queue.SimpleQueue = queue.SimpleQueue()  # engines not in use, kept for the next page


@atexit.register
def _end_engines() -> None:
    """Free the engines before the library's own exit check reports their models as leaked."""
    while not _idle.empty():
        _library().TessBaseAPIDelete(_idle.get_nowait())


def _engine_from_pool(lib: ctypes.CDLL) -> int:
    try:
        return _idle.get_nowait()
    except queue.Empty:
        pass
    path = tessdata()
    if path is None:
        raise ConverterMissingError(f"Tesseract's Vietnamese data is not installed; scanned pages need it: {INSTALL}")
    api = lib.TessBaseAPICreate()
    if lib.TessBaseAPIInit3(api, os.fsencode(path), LANG.encode()) != 0:
        lib.TessBaseAPIDelete(api)
        raise ConverterMissingError(f"Tesseract could not load its Vietnamese data from {path}; {INSTALL}")
    lib.TessBaseAPISetVariable(api, b"debug_file", os.devnull.encode())  # its notes ("Estimating resolution…")
    if _simd():  # a process-wide choice; the C API sets the variable, Update() makes Tesseract use it
        lib.TessBaseAPISetVariable(api, b"dotproduct", _simd().encode())
        getattr(lib, SIMD_UPDATE)()
    return api


def _words_in_process(image: np.ndarray, psm: int, whitelist: str, dpi: int | None) -> list[Word]:
    """As the command does it (`--dpi` is the variable user_defined_dpi), but the words are walked with the
    result iterator, as TessBaseAPI::GetTSVText walks them: its TSV text costs 30 ms a page to write."""
    lib = _library()
    api = _engine_from_pool(lib)
    try:
        img = np.ascontiguousarray(image, dtype=np.uint8)
        lib.TessBaseAPISetPageSegMode(api, psm)
        lib.TessBaseAPISetVariable(api, b"tessedit_char_whitelist", whitelist.encode())
        lib.TessBaseAPISetVariable(api, b"user_defined_dpi", str(int(dpi or 0)).encode())
        lib.TessBaseAPISetImage(api, img.ctypes.data, img.shape[1], img.shape[0], 1, img.strides[0])
        if lib.TessBaseAPIRecognize(api, None) != 0:
            raise LoadError("OCR failed: Tesseract could not read the page image")
        return _walk(lib, api)
    finally:
        lib.TessBaseAPIClear(api)
        _idle.put(api)


BLOCK, PARA, TEXTLINE, WORD = 0, 1, 2, 3  # TessPageIteratorLevel


def _walk(lib: ctypes.CDLL, api: int) -> list[Word]:
    it = lib.TessBaseAPIGetIterator(api)
    if not it:
        return []
    page = lib.TessResultIteratorGetPageIterator(it)
    box = [ctypes.c_int() for _ in range(4)]
    refs = [ctypes.byref(b) for b in box]
    words: list[Word] = []
    block = par = line = 0
    try:
        while True:
            ptr = lib.TessResultIteratorGetUTF8Text(it, WORD)
            if ptr:
                text = ctypes.string_at(ptr).decode("utf-8", "replace").strip()
                lib.TessDeleteText(ptr)
                if lib.TessPageIteratorIsAtBeginningOf(page, TEXTLINE):  # a paragraph or block starts a line
                    line += 1
                    if lib.TessPageIteratorIsAtBeginningOf(page, PARA):
                        par, line = par + 1, 1
                        if lib.TessPageIteratorIsAtBeginningOf(page, BLOCK):
                            block, par = block + 1, 1
                conf = round(lib.TessResultIteratorConfidence(it, WORD), 6)
                if text and conf >= 0:
                    lib.TessPageIteratorBoundingBox(page, WORD, *refs)
                    x0, top, x1, bottom = (b.value for b in box)
                    words.append(Word(text, x0, top, x1, bottom, conf, (block, par, line)))
            if not lib.TessPageIteratorNext(page, WORD):
                return words
    finally:
        lib.TessResultIteratorDelete(it)


# --- the command ------------------------------------------------------------------------------

def _tsv_by_command(image: np.ndarray, psm: int, whitelist: str, dpi: int | None) -> str:
    """The image goes as an uncompressed PGM file: handed a PIL image, pytesseract PNG-compresses it first,
    a third of the call on a noisy scan."""
    import pytesseract

    options = f"--psm {psm}" + (f" --dpi {int(dpi)}" if dpi else "") + \
        (f" -c tessedit_char_whitelist={whitelist}" if whitelist else "") + \
        (f" -c dotproduct={_simd()}" if _simd() else "")
    fd, tmp = tempfile.mkstemp(suffix=".pgm", prefix="kehoach-ocr-")
    os.close(fd)
    try:
        if not cv2.imwrite(tmp, image):
            raise LoadError("OCR failed: the page image could not be written")
        return pytesseract.image_to_data(tmp, lang=LANG, config=options)
    except pytesseract.TesseractNotFoundError as exc:
        raise ConverterMissingError(f"Tesseract OCR is not installed; scanned pages need it: {INSTALL}") from exc
    except pytesseract.TesseractError as exc:
        if "language" in str(exc).lower():
            raise ConverterMissingError(f"Tesseract has no Vietnamese data; install it: {INSTALL}") from exc
        raise LoadError(f"OCR failed: {str(exc)[:120]}") from exc
    finally:
        os.unlink(tmp)
