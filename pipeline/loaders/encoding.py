"""The encoding of a text file: UTF-8, UTF-16, Windows-1258, or the legacy TCVN3 and VNI fonts' bytes.

Plans typed in ".VnTime" (TCVN3) or "VNI-Times" fonts and saved as plain text
are single-byte files that decode without error as Windows-1258, so a wrong
guess reads "TØNH T¢Y NINH" instead of "TỈNH TÂY NINH" and nothing fails.
Each single-byte reading is therefore scored by what the PDF and DOCX
loaders already use (pipeline.loaders.legacy_fonts): the share of accented
words that are real Vietnamese syllables, less the Latin-1 symbols
Vietnamese never uses. The best reading wins; when it is weak or close to
the next, the file is still read that way and a warning says so. UTF-8 text
that holds legacy-font characters (copied out of an old Word file) is
converted the same way.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pipeline.loaders.errors import CorruptFileError, EmptyDocumentError
from pipeline.loaders.legacy_fonts import (foreign_latin1_ratio, guess_encoding, syllable_validity,
                                           tcvn3_to_unicode, vni_to_unicode)

NAMES = {"cp1258": "Windows-1258", "tcvn3": "TCVN3 (.VnTime fonts)", "vni": "VNI (VNI- fonts)"}
SURE_VALIDITY = 0.85   # share of accented words that are syllables, for a reading to be taken without a warning
SURE_MARGIN = 0.15     # and its lead over the next reading
MIN_WORDS = 8          # fewer accented words than this: too little to judge


@dataclass
class Decoded:
    text: str
    encoding: str                      # utf-8, utf-16, cp1258, tcvn3, vni, utf-8+tcvn3, utf-8+vni
    warnings: list[str] = field(default_factory=list)


def _readings(raw: bytes) -> dict[str, str]:
    latin1 = raw.decode("latin-1")  # the fonts' codes are the bytes; latin-1 keeps every one
    return {"cp1258": unicodedata.normalize("NFC", raw.decode("cp1258", errors="replace")),
            "tcvn3": tcvn3_to_unicode(latin1), "vni": vni_to_unicode(latin1)}


def _accented_words(text: str) -> int:
    return sum(1 for w in text.split() if not w.isascii() and any(ch.isalpha() for ch in w))


def score(text: str) -> float:
    """How Vietnamese a reading looks: valid syllables, less odd Latin-1 symbols and replacement marks."""
    odd = foreign_latin1_ratio(text) + text.count("\ufffd") / max(1, len(text))
    return syllable_validity(text) - 2 * odd


def _single_byte(raw: bytes, name: str) -> Decoded:
    readings = _readings(raw)
    scores = {enc: score(t) for enc, t in readings.items()}
    ranked = sorted(scores, key=lambda enc: -scores[enc])
    best, second = ranked[0], ranked[1]
    text = readings[best]
    out = Decoded(text, best)
    if _accented_words(text) < MIN_WORDS:
        if best != "cp1258" and scores[best] - scores["cp1258"] < SURE_MARGIN:
            out = Decoded(readings["cp1258"], "cp1258")
        out.warnings.append(f"{name}: not UTF-8, and too little accented text to tell its encoding; "
                            f"read as {NAMES[out.encoding]}")
    elif scores[best] < SURE_VALIDITY or scores[best] - scores[second] < SURE_MARGIN:
        out.warnings.append(f"{name}: not UTF-8; read as {NAMES[best]}, but unsure ({scores[best]:.0%} of its "
                            f"accented words are Vietnamese syllables, {scores[second]:.0%} as {NAMES[second]}): "
                            f"check the text")
    return out


def _utf16_without_bom(raw: bytes) -> str | None:
    sample = raw[:4000]
    for codec, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if len(zeros) > 10 and zeros.count(0) > 0.9 * len(zeros):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # category Cc but tab, newline, CR, form feed


def decode_text(raw: bytes, name: str) -> Decoded:
    """Bytes to NFC text with the encoding found; binary junk is refused rather than passed on as text."""
    if not raw.strip():
        raise EmptyDocumentError(f"{name}: the file is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        out = Decoded(raw.decode("utf-16"), "utf-16")
    elif b"\x00" in raw[:4096]:
        text = _utf16_without_bom(raw)
        if text is None:
            raise CorruptFileError(f"{name}: binary data, not a text file")
        out = Decoded(text, "utf-16")
    else:
        try:
            out = Decoded(raw.decode("utf-8-sig"), "utf-8")
        except UnicodeDecodeError:
            out = _single_byte(raw, name)
        else:
            legacy = guess_encoding(out.text)  # legacy-font characters saved as UTF-8
            if legacy:
                conv = tcvn3_to_unicode(out.text) if legacy == "tcvn3" else vni_to_unicode(out.text)
                out = Decoded(conv, f"utf-8+{legacy}")
    controls = len(CONTROLS.findall(out.text, 0, 20000))
    if controls > 0.01 * min(len(out.text), 20000):
        raise CorruptFileError(f"{name}: binary data, not a text file")
    out.text = unicodedata.normalize("NFC", out.text)
    if not out.text.strip():
        raise EmptyDocumentError(f"{name}: the file has no text")
    return out
