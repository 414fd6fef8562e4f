"""Read figures as Vietnamese documents print them.

Vietnamese writes "46.670.000" (dot = thousands) and "1,5" (comma = decimal),
but plans also carry English-style "46,670,000", space-grouped "46 670 000",
currency suffixes, Markdown/HTML emphasis and typing errors such as
"7.00.000".  A figure whose grouping is wrong is never guessed silently: it
comes back ``malformed`` with ``value=None`` and a short list of readings that
the caller can confirm from the table's own arithmetic (see ``same_digits``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Figure", "parse_figure", "parse_int", "find_figures", "format_vnd", "same_digits"]


@dataclass(frozen=True)
class Figure:
    raw: str  # the text as given (stripped)
    value: int | float | None  # None when it cannot be read unambiguously
    malformed: bool  # digit grouping invalid
    candidates: tuple[int, ...] = ()  # malformed integers: plausible readings, best first


_CURRENCY = r"(?:vnđ|vnd|đồng|đ|₫)"
_EDGE_JUNK = " *()[]{}.,;:"  # emphasis, brackets and sentence punctuation around a figure
_EMPTY = {"", "-", "–", "—", "x", "…", "..."}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_NUMERIC = re.compile(r"\d(?:[\d., ]*\d)?")
_OCR_MAP = str.maketrans("OolI|S", "001115")


def _clean(text: str) -> str:
    """Drop what surrounds a figure but is not part of it: tags, **, (đồng), a final '.'."""
    s = re.sub(r"<[^>]*>", "", unicodedata.normalize("NFC", text))
    s = _SPACES.sub(" ", s)
    while True:
        t = s.strip(_EDGE_JUNK)
        t = re.sub(rf"(?i)\s*{_CURRENCY}$", "", t)
        t = re.sub(rf"(?i)^{_CURRENCY}\s*", "", t)
        if t == s:
            return s
        s = t


def _ocr_fix(s: str) -> str:
    """Map O/o→0, l/I/|→1, S→5 when the character touches a digit or separator.

    Repeated so that runs ("1.5OO") are mapped; a word ("Số") is left as is and
    is then simply not a figure.
    """
    prev = None
    while prev != s:
        prev, s = s, re.sub(r"(?<=[\d.,])[OolI|S]|[OolI|S](?=[\d.,])", lambda m: m[0].translate(_OCR_MAP), s)
    return s


def _well_grouped(groups: list[str], seps: list[str]) -> bool:
    """1–3 digits, then groups of exactly 3, all separated by one and the same character."""
    if len(groups) == 1:
        return True
    return (
        len(set(seps)) == 1
        and len(seps[0]) == 1
        and 1 <= len(groups[0]) <= 3
        and all(len(g) == 3 for g in groups[1:])
    )


def _ocr_regroup(groups: list[str], seps: list[str]) -> bool:
    """OCR doubles or drops dots ("46..670.000", "46670.000"); the digits are still right
    when every later group is a whole number of 3-digit groups."""
    one_kind = len(set("".join(seps))) == 1
    return one_kind and all(len(g) % 3 == 0 for g in groups[1:])


def _fix_groups(groups: list[str]) -> int | None:
    """Keep the first group and bring each later group to 3 digits by adding or dropping zeros."""
    fixed = [groups[0]]
    for g in groups[1:]:
        if len(g) < 3:
            g = g + "0" * (3 - len(g))
        while len(g) > 3:
            i = g.rfind("0")
            if i < 0:
                return None
            g = g[:i] + g[i + 1:]
        fixed.append(g)
    return int("".join(fixed))


def _candidates(groups: list[str]) -> tuple[int, ...]:
    """Plausible readings of a badly grouped integer, best first.

    The writer's digits are usually right and a dot misplaced ("7.00.000" →
    700.000), so all digits joined come first; then the reading that repairs
    each bad group; then one zero more or less.
    """
    joined = int("".join(groups))
    out = [joined, _fix_groups(groups), joined * 10]
    if joined % 10 == 0:
        out.append(joined // 10)
    return tuple(dict.fromkeys(c for c in out if c is not None))


def _split_decimal(s: str, money: bool) -> tuple[str, str | None]:
    """Split off the decimal part.

    ',' is the Vietnamese decimal mark: a single ',' is decimal ("1,5",
    "1.000,5", "0,1234"), except that "1,500" with money=True is 1500 (VND has
    no fractions, so three digits after a comma in money are thousands).
    A '.' followed by exactly 3 digits is always thousands; a single '.' with
    1–2 digits is an English decimal ("1.5") unless money=True, where it can
    only be a grouping error.
    """
    m = re.fullmatch(r"(.*\d)([.,])(\d+)", s)
    if not m:
        return s, None
    head, mark, frac = m.groups()
    if mark == "," and s.count(",") == 1 and not (money and len(frac) == 3):
        return head, frac
    if mark == "." and s.count(".") == 1 and len(frac) in (1, 2) and not money:
        return head, frac
    return s, None


def parse_figure(text: str, *, money: bool = False, ocr: bool = False, lookalikes: bool = False) -> Figure:
    """Read one figure; see the module docstring and the rules in the helpers.

    English-style "46,670,000" is thousands (every later group has 3 digits).
    Leading zeros are fine ("08" → 8).  Empty, "-", "—", "x" → value None.
    ocr=True also repairs digit look-alikes and doubled/dropped dots; such a
    repair gives the value and malformed=False. lookalikes=True repairs only the
    look-alikes (O for 0, l for 1 in a table's figure cell: no word is spelt so),
    so that a misplaced dot is still reported.
    """
    raw = text.strip()
    s = _clean(raw)
    if s.lower() in _EMPTY:
        return Figure(raw, None, False)
    if ocr or lookalikes:
        s = _ocr_fix(s)
    if not _NUMERIC.fullmatch(s):
        return Figure(raw, None, False)
    head, frac = _split_decimal(s, money)
    parts = re.split(r"([., ]+)", head)
    groups, seps = parts[0::2], parts[1::2]
    if not (_well_grouped(groups, seps) or (ocr and _ocr_regroup(groups, seps))):
        return Figure(raw, None, True, () if frac is not None else _candidates(groups))
    digits = "".join(groups)
    value = int(digits) if frac is None else float(f"{digits}.{frac}")
    return Figure(raw, value, False)


def parse_int(text: str) -> int | None:
    """The value when ``text`` is a well-formed integer, else None."""
    fig = parse_figure(text)
    return fig.value if isinstance(fig.value, int) and not fig.malformed else None


# A figure in running text: space-grouped ("46 670 000") only with exact 3-digit
# groups, so "năm 2024 có 3 lớp" stays three figures; otherwise digits joined by
# '.'/',' (doubled separators kept so that parse_figure can flag them).
_FIGURE_RE = re.compile(
    r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3}(?!\d))+(?:,\d+)?|\d+(?:[.,]+\d+)*)"
)
_MONEY_AFTER = re.compile(rf"(?i)(?:\s|\*|</?b>|\()*{_CURRENCY}(?!\w)")


def find_figures(text: str) -> list[tuple[int, int, Figure]]:
    """(start, end, figure) for each figure in running text; offsets index ``text``.

    A figure followed by a currency word ("1,500 đồng") is read with money=True.
    """
    out = []
    for m in _FIGURE_RE.finditer(text):
        after = unicodedata.normalize("NFC", text[m.end():m.end() + 20])
        money = bool(_MONEY_AFTER.match(after))
        out.append((m.start(), m.end(), parse_figure(m.group(), money=money)))
    return out


def format_vnd(n: int) -> str:
    """46670000 → "46.670.000" (Vietnamese thousands dots)."""
    return f"{n:,}".replace(",", ".")


def _significant(n: int) -> int:
    n = abs(n)
    while n and n % 10 == 0:
        n //= 10
    return n


def same_digits(a: int, b: int) -> bool:
    """True when a and b differ only by trailing zeros (700000 vs 7000000).

    A malformed figure usually has the right digits and a wrong count of
    zeros, so arithmetic that yields the same significant digits confirms it.
    """
    return _significant(a) == _significant(b)
