"""Which source lines of a text or Markdown file each block came from.

The text loader rewrites lines before it builds blocks (columns unfolded,
space-aligned and one-cell-a-line tables made tab rows, wrapped lines joined),
so line numbers cannot be carried through. They are found again afterwards:
blocks are in reading order, so each one is looked for from where the last
one ended, by its first and last words, compared without diacritics, case,
Markdown marks or spacing. A block that is not found keeps no lines rather
than a wrong guess.
"""
from __future__ import annotations

import re

from extractors.text_utils import ascii_fold
from models.document import Block

MARKS = re.compile(r"<[^>\n]{1,20}>|[*_#>|`\t ]+")  # Markdown marks, inline HTML tags (<b>), spacing
LOOKAHEAD = 400  # lines searched past the last find by a line's start
NEARBY = 12      # lines searched for a probe inside a line, and back for a column read after its neighbour


def _key(text: str) -> str:
    return MARKS.sub("", ascii_fold(text).lower())


def _probe(text: str, words: int, last: bool = False) -> str:
    parts = text.split()
    return _key(" ".join(parts[-words:] if last else parts[:words]))


def _hit(key: str, probe: str, at_end: bool, inside: bool) -> bool:
    return (key.endswith(probe) if at_end else key.startswith(probe)) or (inside and len(probe) >= 8 and probe in key)


def _find(keys: list[str], probe: str, start: int, stop: int, at_end: bool = False) -> int | None:
    """The first line from `start` that begins (or, `at_end`, ends) with `probe`; near `start`, also a
    line that holds it, when the probe is long enough not to match by chance ("2" is in every figure)."""
    if not probe:
        return None
    start, stop = max(start, 0), min(stop, len(keys))
    near = min(start + NEARBY, stop) if len(probe) >= 8 else start
    for i in range(start, near):
        if probe in keys[i]:
            return i  # holds it (so also begins or ends with it)
    test = str.endswith if at_end else str.startswith
    for i in range(near, stop):
        if test(keys[i], probe):
            return i
    return None


def _span(keys: list[str], first: str, last: str, cursor: int) -> tuple[int, int] | None:
    """0-based (start, end) lines holding `first` then `last`, from `cursor` on (or just before it:
    a right-hand column is read after the left one, from the same lines)."""
    start = _find(keys, first, cursor, cursor + LOOKAHEAD)
    if start is None:
        start = _find(keys, first, cursor - NEARBY, cursor)
        if start is None:
            return None
    if not last or _hit(keys[start], last, True, True):
        return start, start
    end = _find(keys, last, start + 1, start + 1 + LOOKAHEAD // 8, at_end=True)
    return start, end if end is not None else start


def locate(blocks: list[Block], text: str) -> None:
    """Set `lines` (and `row_lines` of tables) on blocks parsed from `text`; 1-based, inclusive."""
    keys = _key(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")  # one pass: marks never span lines
    cursor = 0
    for block in blocks:
        if block.is_table:
            spans: list[tuple[int, int] | None] = []
            for row in block.rows:
                cells = [c for c in row if c.strip()]
                found = _span(keys, _probe(cells[0], 3), _probe(cells[-1], 3, last=True), cursor) if cells else None
                if found is not None:
                    cursor = max(cursor, found[1] + 1)  # rows do not share lines
                spans.append((found[0] + 1, found[1] + 1) if found else None)
            block.row_lines = spans
            known = [s for s in spans if s]
            block.lines = (known[0][0], known[-1][1]) if known else None
            continue
        found = _span(keys, _probe(block.text, 4), _probe(block.text, 4, last=True), cursor)
        if found is not None:
            block.lines = (found[0] + 1, found[1] + 1)
            cursor = max(cursor, found[1])
