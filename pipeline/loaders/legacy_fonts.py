"""Vietnamese text typed in pre-Unicode fonts (TCVN3/ABC, VNI) back to Unicode.

Many provincial plans are still typed in ".VnTime" (TCVN3) or "VNI-Times"
fonts. Their PDFs carry a text layer of Latin-1 look-alikes ("KÕ ho¹ch",
"Keá hoaïch") that reads as garbage; the glyph codes map one-to-one (TCVN3)
or as base letter + mark (VNI) onto Vietnamese letters, so the text is
recoverable without OCR.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipeline.loaders.text_quality import is_syllable

# --- TCVN3 (TCVN 5712:1993, the ".Vn" fonts) --------------------------------
# Code point → Unicode for 0x80-0xFF. Lower-case letters live in 0xA1-0xFF; the
# 0x80-0x9F block and a few gaps hold the upper-case toned letters (rare: most
# typists use the ".VnTimeH" upper-case fonts instead).
_TCVN3_HIGH = (
    # 0x80
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"
    # 0x90
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"
    # 0xA0
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"
    # 0xB0 (0xB0-0xB4 are combining tone marks)
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    # 0xC0
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"
    # 0xD0
    "éẹềểễếệìỉỄẾỒĩíịò"
    # 0xE0
    "Ổỏõóọồổỗốộờởỡớợù"
    # 0xF0
    "ỖủũúụừửữứựỳỷỹýỵỐ"
)
assert len(_TCVN3_HIGH) == 128, len(_TCVN3_HIGH)

TCVN3_TO_UNICODE: dict[str, str] = {chr(0x80 + i): u for i, u in enumerate(_TCVN3_HIGH)}
# PDF producers decode the 0x80-0x9F codes through WinAnsi (cp1252); accept both.
for _i in range(0x20):
    try:
        _cp = bytes([0x80 + _i]).decode("cp1252")
    except UnicodeDecodeError:
        continue
    TCVN3_TO_UNICODE.setdefault(_cp, _TCVN3_HIGH[_i])
TCVN3_TO_UNICODE["\u00a0"] = " "

# --- VNI (the "VNI-" fonts) ---------------------------------------------------
# A toned vowel is its base letter followed by one mark character; i, y-dot and
# đ have single characters of their own.
_TONES = "\u0301\u0300\u0309\u0303\u0323"  # acute, grave, hook, tilde, dot below
_VNI_TONE_MARKS = "ùøûõï"                  # same order as _TONES
_VNI_HAT_TONE = "áàåãä"                     # circumflex + tone
_VNI_BREVE_TONE = "éèúüë"                   # breve + tone


def _build_vni() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(seq: str, text: str) -> None:
        for s in {seq, seq.upper(), seq[0].upper() + seq[1:], seq[0] + seq[1:].upper()}:
            table[s] = unicodedata.normalize("NFC", text.upper() if s[0].isupper() else text)

    for base in "aeouy":
        for mark, tone in zip(_VNI_TONE_MARKS, _TONES):
            add(base + mark, base + tone)
    for base in "aeo":
        add(base + "â", base + "\u0302")
        for mark, tone in zip(_VNI_HAT_TONE, _TONES):
            add(base + mark, base + "\u0302" + tone)
    add("aê", "ă")
    for mark, tone in zip(_VNI_BREVE_TONE, _TONES):
        add("a" + mark, "a\u0306" + tone)
    for base, horn in (("ô", "ơ"), ("ö", "ư")):  # ô/ö stand alone for ơ/ư
        table[base], table[base.upper()] = horn, horn.upper()
        for mark, tone in zip(_VNI_TONE_MARKS, _TONES):
            add(base + mark, horn + tone)
    for single, letter in zip("íìæóò", "íìỉĩị"):
        table[single], table[single.upper()] = letter, letter.upper()
    table["î"], table["Î"] = "ỵ", "Ỵ"
    table["ñ"], table["Ñ"] = "đ", "Đ"
    return table


VNI_TO_UNICODE = _build_vni()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, VNI_TO_UNICODE), key=len, reverse=True)))

# --- Public conversion API ----------------------------------------------------

TCVN3_FONT = re.compile(r"^\.?Vn[A-Z]", re.I)
VNI_FONT = re.compile(r"^VNI[-_ ]", re.I)


def base_font(fontname: str) -> str:
    """'ABCDEF+.VnTimeH,Bold' → '.VnTimeH,Bold' (subset prefix removed)."""
    return fontname.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", fontname) else fontname


@lru_cache(maxsize=512)
def font_encoding(fontname: str) -> str | None:
    """'tcvn3', 'tcvn3-upper' (the ...H fonts), 'vni' or None from a PDF font name."""
    name = base_font(fontname or "")
    if TCVN3_FONT.match(name) and not name.lower().startswith("vni"):
        family = re.split(r"[,-]", name)[0]
        family = re.sub(r"(?:Bold|Italic|Regular|Book|Normal|Oblique|Medium|MT|PS)+$", "", family)
        return "tcvn3-upper" if family.endswith("H") else "tcvn3"
    if VNI_FONT.match(name):
        return "vni"
    return None


def tcvn3_to_unicode(text: str, upper: bool = False) -> str:
    """Map TCVN3 characters; `upper` for the ".VnTimeH"-style fonts that draw capitals."""
    out = "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in text)
    out = unicodedata.normalize("NFC", out)
    return out.upper() if upper else out


def vni_to_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(lambda m: VNI_TO_UNICODE[m.group(0)], text))


def convert(text: str, encoding: str | None) -> str:
    if encoding == "tcvn3":
        return tcvn3_to_unicode(text)
    if encoding == "tcvn3-upper":
        return tcvn3_to_unicode(text, upper=True)
    if encoding == "vni":
        return vni_to_unicode(text)
    return text


# --- Telling encodings apart by their characters -------------------------------

VIETNAMESE_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_SPACE_OR_DIGIT = re.compile(r"[\s\d]")
_FOREIGN_LATIN1 = re.compile("[" + "".join(re.escape(chr(c)) for c in range(0x80, 0x100) if chr(c) not in VIETNAMESE_LATIN1
                                           and not chr(c).isspace() and not chr(c).isdigit()) + "]")


def foreign_latin1_ratio(text: str) -> float:
    """Share of letters that are Latin-1 symbols/letters Vietnamese never uses (¸ µ Õ ï ø …)."""
    letters = len(text) - len(_SPACE_OR_DIGIT.findall(text))
    if letters <= 0:
        return 0.0
    return len(_FOREIGN_LATIN1.findall(text)) / letters  # regexes: this runs on every text file


def syllable_validity(text: str) -> float:
    """Share of accented words that are well-formed Vietnamese syllables (one tone, real vowels).

    A wrong legacy conversion yields two tones in a word ("chửực") or
    impossible vowel runs; the right one yields syllables.
    """
    good = bad = 0
    for word in re.findall(r"[^\W\d_]+", text.lower()):
        if word.isascii():
            continue
        if is_syllable(word):
            good += 1
        else:
            bad += 1
    return good / (good + bad) if good + bad else 0.0


def guess_encoding(text: str) -> str | None:
    """'tcvn3' or 'vni' when unknown-font text reads like one of them, else None.

    Unicode Vietnamese has almost no Latin-1 symbols; legacy text is full of
    them. The winner is the conversion whose words are real syllables.
    """
    if foreign_latin1_ratio(text) < 0.02 or sum(ch.isalpha() for ch in text) < 20:
        return None  # too little text to judge (a bullet font, a stray symbol)
    scores = {enc: syllable_validity(convert(text, enc)) for enc in ("tcvn3", "vni")}
    best = max(scores, key=lambda enc: scores[enc])
    if scores[best] < 0.6 or scores[best] <= syllable_validity(text):
        return None
    return best
