"""Is a page's text layer Vietnamese at all?

Some PDFs carry a text layer that is neither cid glyphs nor a legacy font
encoding: a file rewritten by Ghostscript without the fonts' ToUnicode maps
reads glyph ids as code points, so "Sở Công Thương" comes out as
"6ӣ Công 7KѭѫQJ" and "NĐ-CP" as "1Ĉ&3". Every character is a real letter,
so the glyph checks pass; only the words give it away. Vietnamese is written
in syllables with a small, regular structure (onset, vowel nucleus with one
tone, coda), so a page whose words are not syllables, or that glues Cyrillic
or Armenian letters to Latin ones or to digits, is not text to extract from.

`score_text` measures a page; `TextScore.garbled` is the decision. Pure ASCII
words (English, abbreviations such as UBND or QĐ-TTg, units) and numbers are
accepted as they are: the test is aimed at letters that do not belong.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

# Thresholds. A page is garbled when either signal fires.
MIXED_MIN = 2          # mixed-script words on a page needed to flag it ...
MIXED_SHARE = 0.05     # ... when they are also this share of its words
VALID_MIN = 0.75       # below this share of valid words a page is flagged ...
VALID_MIN_WORDS = 10   # ... if it has at least this many words to judge

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
VOWEL_MARKS = {"a": "\u0302\u0306", "e": "\u0302", "o": "\u0302\u031b", "u": "\u031b"}  # â ă ê ô ơ ư

# Onsets and codas of standard Vietnamese, plus "kr" and "k" of the Central Highlands place
# names written in Vietnamese letters (Krông Búk, Đắk Lắk): a province's own name must pass.
ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|kr|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
NUCLEUS = (
    r"(?:iêu|yêu|oai|oay|oeo|uây|uôi|ươi|ươu|uya|uyê|uyu|"
    r"ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
    r"a|ă|â|e|ê|i|o|ô|ơ|u|ư|y)"
)
CODA = r"(?:ch|ng|nh|[cmnpt]|k)?"
SYLLABLE = re.compile(f"^{ONSET}{NUCLEUS}{CODA}$")

ASCII_WORD = re.compile(r"^[a-zA-ZđĐ]+$")  # English, abbreviations (UBND, NĐ, TTg), units


@dataclass(frozen=True)
class TextScore:
    """What a page's words look like: judged words, valid ones, mixed-script ones."""
    words: int
    valid: int
    mixed: int

    @property
    def valid_share(self) -> float:
        return self.valid / self.words if self.words else 1.0

    @property
    def garbled(self) -> bool:
        """Not Vietnamese text: mixed-script words are never chance, a low valid share needs some words."""
        if self.mixed >= MIXED_MIN and self.mixed >= MIXED_SHARE * self.words:
            return True
        return self.words >= VALID_MIN_WORDS and self.valid_share < VALID_MIN

    @property
    def reason(self) -> str:
        """'41% valid syllables, 12 mixed-script words' (percent rounded down, never a false 100%)."""
        noun = "word" if self.mixed == 1 else "words"
        return f"{int(100 * self.valid_share)}% valid syllables, {self.mixed} mixed-script {noun}"


def score_text(text: str) -> TextScore:
    """Judge every whitespace-separated token that holds a letter or a digit."""
    words = valid = mixed = 0
    for token in text.split():
        kind = word_kind(token)
        if kind is None:
            continue
        words += 1
        valid += kind == "valid"
        mixed += kind == "mixed"
    return TextScore(words, valid, mixed)


@lru_cache(maxsize=65536)
def word_kind(token: str) -> str | None:
    """'valid', 'mixed' or 'invalid' for one token; None when it is only punctuation.

    valid: numbers, dates and figures; ASCII words (English, abbreviations, units);
    words whose letter runs are Vietnamese syllables ("Thương", "KH-UBND", "ngày05").
    mixed: letters of two scripts ("7KѭѫQJ"), or a non-Vietnamese letter glued to a
    digit ("6ӣ", "1Ĉ&3"). invalid: anything else ("Ӄ", "Müller").
    """
    token = _strip_edges(unicodedata.normalize("NFKC", token))  # ligatures, superscripts: 'ﬁ', 'm²'
    if not token:
        return None
    runs = ["".join(g) for alpha, g in groupby(token, str.isalpha) if alpha]
    if not runs:
        return "valid" if any(ch.isdigit() for ch in token) else None
    scripts = {_script(ch) for run in runs for ch in run}
    if "other" in scripts and len(scripts) > 1:
        return "mixed"
    if scripts != {"viet"}:
        glued = any(_script(a) != "viet" and b.isdigit() or a.isdigit() and _script(b) != "viet"
                    for a, b in zip(token, token[1:]) if a.isalpha() or b.isalpha())
        return "mixed" if glued else "invalid"
    return "valid" if all(ASCII_WORD.match(run) or is_syllable(run) for run in runs) else "invalid"


def is_syllable(word: str) -> bool:
    """A Vietnamese syllable: optional onset, vowel nucleus, optional coda, at most one tone mark.

    Case-insensitive ("KẾ", "Kế", "kế"); the vowel letters' own marks (â ă ê ô ơ ư)
    are part of the nucleus, the tone is stripped before matching.
    """
    parts = unicodedata.normalize("NFD", word.lower())
    if sum(ch in TONE_MARKS for ch in parts) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in parts if ch not in TONE_MARKS))
    return bool(SYLLABLE.match(bare))


def _strip_edges(token: str) -> str:
    """Drop quotes, brackets, list marks and trailing punctuation; keep inner '-', '/', '.', '&'."""
    start, end = 0, len(token)
    while start < end and not token[start].isalnum():
        start += 1
    while end > start and not token[end - 1].isalnum():
        end -= 1
    return token[start:end]


def _script(ch: str) -> str:
    """'viet' for letters of the Vietnamese alphabet (ASCII letters, đ, â ă ê ô ơ ư and toned forms),
    'latin' for other Latin letters (ĉ, ü, æ), 'other' for Cyrillic, Armenian, Greek and the rest."""
    if ch.isascii() or ch in "đĐ":
        return "viet"
    base, *marks = unicodedata.normalize("NFD", ch.lower())
    shape = [m for m in marks if m not in TONE_MARKS]
    if base in "aeiouy" and len(shape) <= 1 and all(m in VOWEL_MARKS.get(base, "") for m in shape) \
            and len(marks) - len(shape) <= 1:
        return "viet"
    return "latin" if unicodedata.name(ch, "").startswith("LATIN") else "other"


def join_wrapped(pieces: list[str]) -> str:
    """A cell's lines as one text. A narrow cell can break a word ("Chuyế" over "n"): a piece that
    starts with a lower-case fragment which is no syllable, but makes one with the word before it,
    is glued to that word; other pieces are joined with a space."""
    out = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        head = piece.split()[0]
        tail = out.split()[-1] if out else ""
        if tail and head.isalpha() and head.islower() and tail.isalpha() and not is_syllable(head) \
                and is_syllable(tail + head):
            out += piece
        else:
            out = f"{out} {piece}" if out else piece
    return out
