"""A table continued after a page break as a second table: one table again.

Clerks paste a long table as two Word tables, the header repeated on the next page; PDF exports and
OCR can do the same. Whatever the format, a table that follows another with nothing but blank blocks
between them, repeats its header (or carries on its numbering without one), while the first has no
total row yet, is the same table.
"""
from __future__ import annotations

import re

from extractors.tables import column_roles
from extractors.text_utils import ascii_fold
from models.document import Block, Document

TOTAL = re.compile(r"^(tong ?cong|tong ?so|tong kinh phi|tong|cong)\b")


def has_total(rows: list[list[str]]) -> bool:
    return any(TOTAL.match(ascii_fold(next((c for c in r if c.strip()), "")).strip()) for r in rows)


def same_header(a: list[list[str]], b: list[list[str]]) -> bool:
    """The same header rows, cell for cell, or word for word when a reader placed a spanning heading
    over another of its columns ("Kinh phí" over Mức chi | Số tiền)."""
    if a == b:
        return True
    words = lambda rows: sorted(ascii_fold(" ".join(c for r in rows for c in r)).split())  # noqa: E731
    return len(a) == len(b) and all(len(x) == len(y) for x, y in zip(a, b)) and words(a) == words(b) and bool(words(a))


def repeated_rows(a: list[list[str]], b: list[list[str]]) -> int:
    """How many of `b`'s first rows repeat `a`'s header (2, 1 or 0): the same rows, or rows that name
    columns and hold no figure (a header read again, its pieces put together another way)."""
    for k in (2, 1):
        if len(a) > k and len(b) >= k and same_header(a[:k], b[:k]):
            return k
    k = 0
    while k < min(2, len(b)) and names_columns(b[k]):
        k += 1
    return k if k and names_columns(a[0]) else 0


def names_columns(row: list[str]) -> bool:
    bare = [re.sub(r"\([^)]*\)", "", c) for c in row]  # "Đơn giá (1.000đ)" names a column, holds no figure
    return not any(re.search(r"\d", c) for c in bare) and len(column_roles(row)[0]) >= 2


def _repeated_header(a: list[list[str]], b: list[list[str]]) -> int | None:
    """How many header rows `b` repeats from `a` (0: none, it carries on); None: not a continuation."""
    if not b or not a or len(b[0]) != len(a[0]):
        return None
    k = repeated_rows(a, b)
    if k:
        return k
    first = b[0][0].strip().rstrip(".")
    last = next((r[0].strip().rstrip(".") for r in reversed(a) if r and r[0].strip().rstrip(".").isdigit()), "")
    if first.isdigit() and last and int(first) == int(last) + 1:
        return 0
    return None


WORDS = re.compile(r"^\(?\s*bang\s+chu")


def _is_words(row: list[str]) -> bool:
    return bool(WORDS.match(ascii_fold(next((c for c in row if c.strip()), "")).strip()))


def _tail(rows: list[list[str]]) -> int | None:
    """A table that is only its header repeated over the words line ("Bằng chữ: …"): the tail a page
    break cut from the table before it. How many header rows it repeats, else None."""
    k = 0
    while k < min(2, len(rows) - 1) and names_columns(rows[k]):
        k += 1
    return k if k and len(rows) == k + 1 and _is_words(rows[k]) else None


def _drop_spurious_columns(a: Block, b: Block) -> None:
    """A table and its continuation read with a column more in one of them, the extra one empty but
    for dust ("—") under an empty or broken header word (OCR split "Hạng mục" into "… | mụ", a stray
    "3"): the reader's column, not the table's. Dropped, so that the two parts line up."""
    if not a.rows or not b.rows or len(b.rows) < 2 or len(a.rows) < 2:
        return
    wide = b if len(b.rows[0]) > len(a.rows[0]) else a  # either part may carry the reader's column
    extra = abs(len(b.rows[0]) - len(a.rows[0]))
    if not 0 < extra <= 2:
        return

    def spurious(c: int) -> bool:
        head = wide.rows[0][c]
        dust = all(not re.sub(r"[\W_]", "", r[c] if c < len(r) else "") for r in wide.rows[1:] if not _is_words(r))
        return dust and (not head.strip() or not column_roles([head])[0])
    cols = [c for c in range(1, len(wide.rows[0])) if spurious(c)]
    if len(cols) == extra:
        wide.drop_columns(set(cols))


def join_continued_tables(doc: Document) -> Document:
    blocks: list[Block] = []
    for b in doc.blocks:
        if b.is_table and blocks:
            j = len(blocks) - 1
            while j >= 0 and not blocks[j].is_table and not blocks[j].text.strip():
                j -= 1
            prev = blocks[j] if j >= 0 else None
            if prev is not None and prev.is_table and prev.rows and b.rows and len(prev.rows[0]) == len(b.rows[0]) \
                    and not _is_words(prev.rows[-1]) and (k := _tail(b.rows)) is not None:
                prev.append_rows(b, k)  # the words line of the table before the page break
                del blocks[j + 1:]
                continue
            if prev is not None and prev.is_table and not has_total(prev.rows) and not (prev.rows and _is_words(prev.rows[-1])):
                _drop_spurious_columns(prev, b)
                k = _repeated_header(prev.rows, b.rows)
                if k is not None:
                    prev.append_rows(b, k)
                    del blocks[j + 1:]
                    continue
        blocks.append(b)
    doc.blocks = blocks
    return doc
