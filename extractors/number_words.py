"""Vietnamese number words, as in "Bằng chữ: Sáu triệu chín trăm năm mươi nghìn đồng".

Plans repeat their totals in words; reading them lets the amount in figures be
checked.  The parser is a small left-to-right accumulator: digits wait for a
multiplier (mươi, trăm), scale words (nghìn, triệu, tỷ) close a segment, and a
larger scale absorbs smaller segments before it, so compound scales
("một nghìn tỷ", "năm trăm nghìn tỷ") need no special table.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["parse_number_words", "number_to_words"]

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

_WORDS: dict[str, tuple[str, int]] = {
    **{w: ("digit", i) for i, w in enumerate(DIGITS)},
    "bẩy": ("digit", 7),
    "mốt": ("ctx", 1), "tư": ("ctx", 4), "lăm": ("ctx", 5), "nhăm": ("ctx", 5),
    "mười": ("tens", 10), "mươi": ("tens", 10),
    "linh": ("linh", 0), "lẻ": ("linh", 0),
    "trăm": ("hundred", 100),
    "nghìn": ("scale", 10**3), "ngàn": ("scale", 10**3), "ngìn": ("scale", 10**3),
    "triệu": ("scale", 10**6), "tỷ": ("scale", 10**9), "tỉ": ("scale", 10**9),
    "rưỡi": ("half", 0),
    "đồng": ("end", 0), "chẵn": ("end", 0), "chẳn": ("end", 0), "vnđ": ("end", 0), "vnd": ("end", 0),
}
# Diacritics stripped by OCR.  Keys match only words written without any
# diacritic, so a real word such as "tạm" (temporary) is never read as "tam" (8).
_ASCII: dict[str, tuple[str, int]] = {
    "khong": ("digit", 0), "mot": ("digit", 1), "bon": ("digit", 4), "nam": ("digit", 5),
    "sau": ("digit", 6), "bay": ("digit", 7), "tam": ("digit", 8), "chin": ("digit", 9),
    "tu": ("ctx", 4), "lam": ("ctx", 5), "nham": ("ctx", 5), "muoi": ("tens", 10),
    "le": ("linh", 0), "tram": ("hundred", 100),
    "nghin": ("scale", 10**3), "ngan": ("scale", 10**3), "ngin": ("scale", 10**3),
    "trieu": ("scale", 10**6), "ty": ("scale", 10**9), "ti": ("scale", 10**9),
    "ruoi": ("half", 0), "dong": ("end", 0), "chan": ("end", 0),
}
# mốt only after mươi ("hai mươi mốt"), tư after mươi/linh ("linh tư"), lăm/nhăm
# after mười/mươi; elsewhere these are ordinary words (mốt = fashion, tư = private).
_CONTEXT = {1: {"tens"}, 4: {"tens", "linh"}, 5: {"tens"}}
# Words that are often not numbers ("không" = not, "năm" = year, "sau" = after):
# alone they count only when nothing but punctuation or "đồng" follows.
_AMBIGUOUS = {"không", "năm"}


def _bare(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn").replace("đ", "d")


def _remarked(tokens: list[str]) -> list[str]:
    """Words with wrong marks inside a number ("Bón muơi sáu triệu": OCR swapped ố for ó) read by their
    letters, as words with none: only where a number word or its end ("đồng", punctuation) follows, so
    that "triệu tạm ứng" stays "triệu" and not "triệu tám"."""
    out = list(tokens)
    for i in range(len(out) - 1, -1, -1):
        tok = out[i]
        if tok in _WORDS or tok in _ASCII or tok.isascii() or _bare(tok) not in _ASCII:
            continue
        nxt = out[i + 1] if i + 1 < len(out) else ""
        if not nxt or not nxt.isalnum() or nxt in _WORDS or nxt in _ASCII or _classify(nxt, None) == ("end", 0):
            out[i] = _bare(tok)
    return out


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", unicodedata.normalize("NFC", text).lower())


def _classify(word: str, prev: str | None) -> tuple[str, int] | None:
    kind = _WORDS.get(word) or _ASCII.get(word)
    if kind and kind[0] == "ctx":
        return ("digit", kind[1]) if prev in _CONTEXT[kind[1]] else None
    return kind


def _read(tokens: list[str], start: int) -> tuple[int | None, int]:
    """Read one number from tokens[start]; return (value, index after it)."""
    segments: list[tuple[int, int]] = []  # (value, unit) closed by a scale word
    current, pending, prev, i = 0, None, None, start
    in_group = False  # a number word since the last scale word
    while i < len(tokens):
        tok = tokens[i]
        if tok == "," and prev is not None:  # "Một tỷ, hai trăm triệu"
            i += 1
            continue
        kind = _classify(tok, prev)
        if kind is None or kind[0] == "end":
            break
        what, val = kind
        if prev is None and what not in ("digit", "tens"):
            break
        if what == "digit":
            if pending is not None:
                break  # "hai ba": a list, not one number
            pending = val
        elif what == "tens":
            current += 10 * (pending if pending is not None else 1)
            pending = None
        elif what == "hundred":
            current += 100 * (pending if pending is not None else 1)
            pending = None
        elif what == "scale":
            merged = []
            while segments and segments[-1][1] < val:  # "một nghìn tỷ": nghìn joins tỷ
                merged.append(segments.pop())
            if not in_group and not merged:
                break
            x = current + (pending or 0) + sum(v for v, _ in merged)
            segments.append((x * val, max((u for _, u in merged), default=1) * val))
            current, pending, in_group = 0, None, False
        elif what == "half":  # rưỡi: half of the unit just named
            if prev == "hundred":
                current += 50
            elif prev == "scale":
                v, u = segments[-1]
                segments[-1] = (v + u // 2, u)
            else:
                break
        in_group = in_group or what != "scale"
        prev, i = what, i + 1
    if prev is None:
        return None, start + 1
    while tokens[i - 1] == ",":
        i -= 1
    return sum(v for v, _ in segments) + current + (pending or 0), i


def parse_number_words(text: str) -> int | None:
    """The first number written in words in ``text``, or None.

    Words before the number ("Bằng chữ:", "(") are skipped; reading stops at
    "đồng"/"chẵn"/"VNĐ" or at the first other word.  Handles mười/mươi, mốt,
    tư, lăm/nhăm, linh/lẻ, "không trăm", nghìn/ngàn, tỷ/tỉ, compound scales,
    rưỡi ("một triệu rưỡi" = 1 500 000), NFD input and OCR-stripped
    diacritics.  "một trăm hai" is read literally as 102 (the colloquial 120
    is not guessed), and a decimal "phẩy" part is not read.
    """
    tokens = _remarked(_tokens(text))
    i = 0
    while i < len(tokens):
        value, end = _read(tokens, i)
        if value is not None:
            word, nxt = tokens[i], tokens[end] if end < len(tokens) else None
            lone = end == i + 1 and (word in _AMBIGUOUS or word not in _WORDS)
            if not lone or nxt is None or not nxt.isalnum() or _classify(nxt, None) == ("end", 0):
                return value
        i += 1
    return None


def _group(g: int, leading: bool) -> list[str]:
    """Words for 0 < g < 1000; "không trăm" and "linh" when not the leading group."""
    h, t, u = g // 100, g // 10 % 10, g % 10
    words = [DIGITS[h], "trăm"] if h or not leading else []
    if t == 0:
        if u:
            words += (["linh"] if words else []) + [DIGITS[u]]
    elif t == 1:
        words += ["mười"] + (["lăm" if u == 5 else DIGITS[u]] if u else [])
    else:
        words += [DIGITS[t], "mươi"] + ([{1: "mốt", 4: "tư", 5: "lăm"}.get(u, DIGITS[u])] if u else [])
    return words


def _words(n: int, leading: bool) -> list[str]:
    words = []
    if n >= 10**9:  # 1 200 tỷ is "một nghìn hai trăm tỷ"
        words, n, leading = _words(n // 10**9, leading) + ["tỷ"], n % 10**9, False
    for scale, name in ((10**6, "triệu"), (10**3, "nghìn"), (1, None)):
        g, n = divmod(n, scale)
        if g:
            words += _group(g, leading) + ([name] if name else [])
            leading = False
    return words


def number_to_words(n: int) -> str:
    """Standard written form, lower case: 1005 → "một nghìn không trăm linh năm"."""
    if not 0 <= n < 10**15:
        raise ValueError(f"out of range: {n}")
    return " ".join(_words(n, True)) if n else "không"
