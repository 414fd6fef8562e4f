"""Tables that lost their grid: a row is a line of words, or every cell a line of its own.

Text exported from PDFs (pdfplumber's `extract_text`, pdftotext without -layout, a copy
from a viewer), unruled PDF tables and OCR of tables without rules all give a table as
lines: `3 Pano tuyên truyền (3m x 4m) Tấm 4 2.400.000 9.600.000 Xã hội hóa` under
`STT Nội dung ĐVT Số lượng Đơn giá (đồng) Thành tiền (đồng) Ghi chú`. The header line
names the columns; the figures at the end of a row are given to the header's numeric
columns in the header's order and checked by the row's own arithmetic (quantity × price =
amount), which also settles where the item ends when it holds a number of its own; the word
before the figures is the unit when the table has a unit column. A line without figures
continues the item above it (a wrapped cell).

Loaders call `tabify_text_tables` on their lines, so every format meets the same reader and
no extractor knows a table had no grid.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.figures import parse_figure
from extractors.text_utils import ascii_fold

# Header phrases per role, ascii-folded, longest first within a role.
PHRASES: list[tuple[str, str]] = [
    ("stt", "so thu tu"), ("stt", "so tt"), ("stt", "stt"), ("stt", "tt"),
    ("item", "noi dung cong viec"), ("item", "noi dung chi"), ("item", "noi dung"), ("item", "hang muc"),
    ("item", "dien giai"), ("item", "khoan chi"), ("item", "danh muc"), ("item", "thanh phan"),
    ("unit", "don vi tinh"), ("unit", "dvt"), ("unit", "d.v.t"), ("unit", "don vi"),
    ("quantity", "so luong dai bieu"), ("quantity", "so luong"), ("quantity", "khoi luong"), ("quantity", "so nguoi"),
    ("quantity", "so ngay"), ("quantity", "so buoi"), ("quantity", "so lan"), ("quantity", "sl"),
    ("unit_price", "don gia"), ("unit_price", "muc chi"), ("unit_price", "dinh muc"),
    ("amount", "thanh tien"), ("amount", "so tien"), ("amount", "kinh phi"), ("amount", "du toan"),
    ("amount", "tong tien"),
    ("note", "ghi chu"),
]
NUMERIC = ("quantity", "unit_price", "amount")
LABEL = re.compile(r"^(?:\d{1,3}(?:\.\d{1,2})?|[IVXLC]{1,6}|[A-Z]|[a-zđ])[.)]?$")
TOTAL = re.compile(r"^(tong ?cong|tong ?so|tong|cong)\b")
WORDS_LINE = re.compile(r"^\(?\s*b[aả]ng\s+ch[uư]")
# Units of measure printed in the ĐVT column (folded); a capitalised short word also counts.
UNITS = {
    "nguoi", "buoi", "goi", "suat", "bo", "tam", "cai", "chuyen", "giai", "la", "lit", "ngay", "dem", "thang", "nam",
    "lan", "cuoc", "bai", "tin", "dot", "lop", "xe", "km", "m", "m2", "m3", "kg", "chiec", "quyen", "cuon", "to", "hop",
    "thung", "chai", "diem", "doi", "tran", "phong", "ban", "ghe", "bang", "cuon", "trang", "ky", "so", "tiet", "ca",
    "luot", "chuong trinh", "phong su", "luot nguoi", "nguoi/ngay", "nguoi/buoi", "nguoi/dem", "xe/ngay", "phan",
    "con", "bao", "hoi nghi", "cum", "cong trinh", "bo phan", "dia diem", "mon", "mau", "tap", "bo", "goi thau",
}
CURRENCY = re.compile(r"^(?:đ|đồng|vnđ|vnd|₫)[.,;]?$", re.I)


@dataclass
class Header:
    roles: list[str]  # role per column, in printed order
    texts: list[str]  # the header text of each column

    @property
    def is_money(self) -> bool:
        return "amount" in self.roles or ("quantity" in self.roles and "unit_price" in self.roles)


FIRST_WORDS = {phrase.split()[0] for _, phrase in PHRASES} | {phrase.replace(" ", "") for _, phrase in PHRASES}


def _phrases(words: list[str]) -> tuple[list[str], list[str]] | None:
    """(roles, texts) when every word belongs to a column name or its bracketed unit, else None."""
    if not words or ascii_fold(words[0]).strip(":*") not in FIRST_WORDS:
        return None  # the common case, a line of text: decided by its first word
    folded = ascii_fold(" ".join(words)).split(" ")
    roles: list[str] = []
    texts: list[list[str]] = []
    i = 0
    while i < len(words):
        if words[i].startswith("(") and texts:  # a unit in brackets belongs to the column before it
            j = i
            while j < len(words) - 1 and not words[j].endswith(")"):
                j += 1
            texts[-1] += words[i:j + 1]
            i = j + 1
            continue
        for role, phrase in PHRASES:
            n = len(phrase.split())
            glued = n > 1 and folded[i].strip(":*") == phrase.replace(" ", "")  # "Nộidung" (OCR glued it)
            if glued:
                n = 1
            if glued or " ".join(folded[i:i + n]).strip(":*") == phrase:
                roles.append(role)
                texts.append(words[i:i + n])
                i += n
                break
        else:
            if roles and roles[-1] == "item" and not any(c.isdigit() for c in words[i]):
                texts[-1].append(words[i])  # an item column's longer name: "Nội dung hoạt động"
                i += 1
                continue
            return None
    return roles, [" ".join(t) for t in texts]


GROUP = re.compile(r"^(?:nguon )?(?:kinh phi|du toan)\b")


def _drop_group(roles: list[str], texts: list[str]) -> tuple[list[str], list[str]]:
    """A two-row header read as one line: "Kinh phí (đồng)" over "Đơn giá | Thành tiền" names a group,
    not a column. Its sub-columns follow it, or (a one-cell-a-line export prints the top row first)
    close the header; they take its place and its unit."""
    for k, (role, text) in enumerate(zip(roles, texts)):
        if role != "amount" or not GROUP.match(ascii_fold(text)):
            continue
        for at in (k + 1, len(roles) - 2):
            under = roles[at:at + 2]
            if at > k and len(under) == 2 and set(under) <= set(NUMERIC) and "amount" in under:
                unit = re.search(r"\(.*\)$", text)
                sub = [t + (" " + unit.group(0) if unit and "(" not in t else "") for t in texts[at:at + 2]]
                rest_r = roles[k + 1:at] + roles[at + 2:]
                rest_t = texts[k + 1:at] + texts[at + 2:]
                return roles[:k] + under + rest_r, texts[:k] + sub + rest_t
    return roles, texts


def sub_header(header: Header, line: str) -> Header | None:
    """The header completed by its second row ("Đơn giá Thành tiền" under "Kinh phí (đồng)")."""
    found = _phrases(line.split())
    if found is None or len(found[0]) < 2 or not set(found[0]) <= set(NUMERIC):
        return None
    for k, (role, text) in enumerate(zip(header.roles, header.texts)):
        if role == "amount" and GROUP.match(ascii_fold(text)):
            roles = header.roles[:k] + [role] + found[0] + header.roles[k + 1:]
            texts = header.texts[:k] + [text] + found[1] + header.texts[k + 1:]
            roles, texts = _drop_group(roles, texts)
            if len(set(roles)) == len(roles):
                return Header(roles, texts)
    return None


def header_of(line: str) -> Header | None:
    """The columns a header line names, when every word of it belongs to a column name (and its
    parenthetical unit, "(đồng)", "(1.000đ)"); None for any other line."""
    found = _phrases(line.split())
    if found is None:
        return None
    roles, texts = _drop_group(*found)
    if len(set(roles)) != len(roles) or (len(roles) < 3 and roles != ["item", "amount"]):
        return None  # two columns only as "Nội dung chi | Thành tiền": a lump-sum table
    h = Header(roles, texts)
    return h if h.is_money or ("quantity" in roles and ("item" in roles or "unit" in roles)) else None


CURRENCY_END = re.compile(r"(?i)(đồng|đ|₫)$")


def _figure(token: str) -> bool:
    t = token.rstrip(".,;")
    if not any(ch.isdigit() for ch in t):
        return False  # most tokens are words
    t = CURRENCY_END.sub("", t)
    if not t:
        return False
    fig = parse_figure(t, money=True, lookalikes=True)
    return fig.value is not None or fig.malformed


def _tokens(text: str) -> list[str]:
    """Words, a currency word glued back to its figure ("9.600.000 đ" is one token)."""
    out: list[str] = []
    for w in text.split():
        if CURRENCY.match(w) and out and _figure(out[-1]):
            out[-1] += " " + w
        else:
            out.append(w)
    return out


def _value(token: str) -> float | None:
    t = re.sub(r"(?i)\s*(đồng|đ|₫)[.,;]?$", "", token.rstrip(".,;"))
    fig = parse_figure(t, money=True, lookalikes=True)
    return float(fig.value) if fig.value is not None else None


def _arithmetic_holds(figs: list[str], numeric: list[str]) -> bool:
    vals = dict(zip(numeric, (_value(f) for f in figs)))
    q, p, a = vals.get("quantity"), vals.get("unit_price"), vals.get("amount")
    return q is not None and p is not None and a is not None and abs(q * p - a) < 0.5


def split_row(text: str, header: Header) -> list[str]:
    """One row line to cells in the header's column order (see the module docstring)."""
    tokens = _tokens(text)
    cells = {role: "" for role in header.roles}
    if "stt" in cells and len(tokens) > 1 and LABEL.match(tokens[0]):
        cells["stt"] = tokens.pop(0).rstrip(".)")
    numeric = [r for r in header.roles if r in NUMERIC]
    # the rightmost run of figures; what follows it is the note
    end = len(tokens)
    while end > 0 and not _figure(tokens[end - 1]):
        end -= 1
    start = end
    while start > 0 and _figure(tokens[start - 1]):
        start -= 1
    figs = tokens[start:end]
    note = tokens[end:]
    if note and "note" not in cells:  # no note column: trailing words are the item's (a total "Tổng cộng (I+II)")
        figs, note = [], []
        start = end = len(tokens)
        while start > 0 and _figure(tokens[start - 1]):
            start -= 1
        figs = tokens[start:]
    before = tokens[:start]
    if len(figs) > len(numeric):  # leading figures belong to the item ("Hội nghị lần 2 …"), unless the
        before += figs[: len(figs) - len(numeric)]  # arithmetic says otherwise
        figs = figs[len(figs) - len(numeric):]
    if len(figs) == len(numeric):
        for role, f in zip(numeric, figs):
            cells[role] = f
    elif len(figs) == 1:
        cells["amount" if "amount" in cells else numeric[-1]] = figs[0]
    elif figs:
        # two figures for three columns: the amount is the figure in the amount's place; the other
        # is the quantity when it is a small whole number, else the price
        order = [r for r in numeric if r != "amount"]
        amount_last = numeric[-1] == "amount"
        a, other = (figs[-1], figs[0]) if amount_last else (figs[0], figs[-1])
        cells["amount" if "amount" in cells else numeric[-1]] = a
        small = (_value(other) or 0) < 10_000 and "." not in other
        target = "quantity" if small and "quantity" in order else (order[-1] if order else "")
        if target:
            cells[target] = other
    name = "item" if "item" in cells else ("unit" if "unit" in cells else header.roles[0])
    if name != "unit" and "unit" in cells and len(before) >= 2 and any(cells[r] for r in ("quantity", "unit_price") if r in cells):
        for n in (2, 1):
            cand = " ".join(before[-n:])
            if len(before) > n and (ascii_fold(cand) in UNITS or (n == 1 and _unit_like(cand))):
                cells["unit"] = cand
                before = before[:-n]
                break
    cells[name] = " ".join(before)
    if note:
        cells["note"] = " ".join(note)
    return [cells[r] for r in header.roles]


def _unit_like(word: str) -> bool:
    """A short capitalised word before the figures: "Tấm", "Chuyến", "Suất"."""
    return bool(re.fullmatch(r"[A-ZĐÀ-Ỹ][a-zà-ỹđ]{0,7}(?:/[a-zà-ỹđ]+)?", word))


def _has_figure(text: str) -> bool:
    """A figure outside brackets: "(ĐVT: 1.000 đồng)" in a caption is no figure of a row."""
    return any(_figure(t) for t in _tokens(re.sub(r"\([^)]*\)", " ", text)))


def _is_row_start(text: str, header: Header) -> bool:
    first = text.split()[0] if text.split() else ""
    return (("stt" in header.roles and bool(LABEL.match(first))) or bool(TOTAL.match(ascii_fold(text)))
            or _has_figure(text))


def _ends_table(text: str) -> bool:
    """A body paragraph after the table: a section label with text, or a long sentence."""
    folded = ascii_fold(text)
    return len(text) > 160 or bool(re.match(r"^(?:[ivx]+\.|\d+\.\d*\.?\s|[a-zđ]\)|- )", folded))


def _group_cells(lines: list[str], header: Header) -> list[str]:
    """Lines holding one cell each ("cells" exports) joined into row lines.

    With a numbering column a row starts at a label once the row has a figure, when text follows
    the label (a label-like "1" followed by a figure is a quantity or a price); without one, at the
    first text after a figure. A total label and the words line always start a row."""
    rows: list[str] = []
    last = ""  # the last row label
    numeric = sum(r in NUMERIC for r in header.roles)
    for n, text in enumerate(lines):
        t = text.strip()
        after = lines[n + 1].strip() if n + 1 < len(lines) else ""
        folded = ascii_fold(t)
        row_tokens = _tokens(rows[-1]) if rows else []
        if row_tokens and LABEL.match(row_tokens[0]) and "stt" in header.roles:
            row_tokens = row_tokens[1:]  # the row's own number is not one of its figures
        has_fig = any(_figure(x) for x in row_tokens)
        if not rows or TOTAL.match(folded) or WORDS_LINE.match(folded):
            new = True
        elif "stt" in header.roles:  # a label followed by a figure is a quantity or a price, not a row
            # (and its item follows it: a label-like figure before the total row closes the row above)
            new = (bool(LABEL.match(t)) and has_fig and bool(after) and not _only_figure(after) and _follows(last, t)
                   and not TOTAL.match(ascii_fold(after)) and not WORDS_LINE.match(ascii_fold(after)))
        else:
            new = has_fig and not _has_figure(t) and _figure(row_tokens[-1]) and numeric > 0
        if new:
            rows.append(t)
            if LABEL.match(t):
                last = t.rstrip(".)")
        else:
            rows[-1] += " " + t
    return rows


NUMBER_LABEL = re.compile(r"\d+(?:\.\d+)?")


def _follows(prev: str, label: str) -> bool:
    """Can `label` number the row after the one numbered `prev`: the next number, 1 after a group
    label (or first), a sub-number of the row above (3 → 3.1, 3.1 → 3.2, 3.2 → 4), or a group label
    (I, II, A, B …)? "6.0" after "3" is a figure, not a label."""
    label = label.rstrip(".)")
    if not NUMBER_LABEL.fullmatch(label):
        return True
    parts = [int(x) for x in label.split(".")]
    before = [int(x) for x in prev.split(".")] if NUMBER_LABEL.fullmatch(prev) else []
    if len(parts) == 2:
        return bool(before) and parts[0] == before[0] and parts[1] == (before[1] + 1 if len(before) == 2 else 1)
    return parts[0] == (before[0] + 1 if before else 1)


def _only_figure(text: str) -> bool:
    tokens = _tokens(text)
    return bool(tokens) and all(_figure(t) for t in tokens)


def read_table(lines: list[str], header: Header, breaks: list[str] | None = None) -> tuple[list[list[str]], int]:
    """Rows of the table whose header precedes `lines`, and how many lines they took; page-break
    lines met inside the table are put in `breaks` (the loader counts pages by them)."""
    rows: list[list[str]] = []
    used = 0
    breaks = [] if breaks is None else breaks
    for n, text in enumerate(lines):
        t = text.strip()
        if not t or _page_mark(lines, n):
            if rows and _goes_on(lines, n + 1, header):
                used = n + 1
                if t:
                    breaks.append(text)
                continue  # blank lines and a page number (a page break) inside the table
            break
        folded = ascii_fold(t)
        if WORDS_LINE.match(folded):
            rows.append([t] + [""] * (len(header.roles) - 1))
            used = n + 1
            break
        if header_of(t) is not None:  # the header repeated after a page break
            used = n + 1
            continue
        if _is_row_start(t, header) and not (_ends_table(t) and not _has_figure(t)):
            rows.append(split_row(t, header))
            used = n + 1
            if TOTAL.match(folded) and not _next_is_row(lines, n + 1, header):
                break
            continue
        if rows and not _ends_table(t) and len(t) <= 80:
            k = header.roles.index("item") if "item" in header.roles else 0
            rows[-1][k] = f"{rows[-1][k]} {t}".strip()  # a wrapped item
            used = n + 1
            continue
        break
    return rows, used


PAGE_NUMBER = re.compile(r"^\f*\s*(?:-\s*)?(?:Trang\s+)?\d{1,3}(?:\s*-)?(?:\s*/\s*\d{1,3})?\s*$", re.I)


def _page_mark(lines: list[str], i: int) -> bool:
    """A page number: after a form feed, or alone between blank lines (a lone "1" beside cell lines
    is a numbering cell)."""
    t = lines[i]
    alone = (i == 0 or not lines[i - 1].strip()) and (i + 1 >= len(lines) or not lines[i + 1].strip())
    return bool(PAGE_NUMBER.match(t.strip())) and ("\f" in t or alone)


def _goes_on(lines: list[str], i: int, header: Header) -> bool:
    """After a blank or page-number line: does the table go on within a few lines (a page break)?"""
    for k in range(i, min(i + 6, len(lines))):
        t = lines[k].strip()
        if not t or _page_mark(lines, k):
            continue
        return header_of(t) is not None or (_is_row_start(t, header) and not _ends_table(t))
    return False


def _next_is_row(lines: list[str], i: int, header: Header) -> bool:
    nxt = next((l.strip() for l in lines[i:i + 2] if l.strip()), "")
    return bool(nxt) and (bool(WORDS_LINE.match(ascii_fold(nxt))) or (
        "stt" in header.roles and bool(LABEL.match(nxt.split()[0])) and _has_figure(nxt)))


def _cells_header(lines: list[str], i: int) -> tuple[Header, int] | None:
    """A header printed one cell a line: consecutive short lines, each one column name."""
    j = i
    while j < len(lines) and j - i < 9:
        found = _phrases(lines[j].split()) if lines[j].strip() else None
        if found is None or len(found[0]) != 1:
            break
        j += 1
    if j - i < 3:
        return None
    h = header_of(" ".join(l.strip() for l in lines[i:j]))
    return (h, j) if h is not None and len(h.roles) in (j - i, j - i - 1) else None  # less a group heading


def tabify_text_tables(lines: list[str]) -> list[str]:
    """Lines of tables without a grid (see the module docstring) become tab rows; other lines stay."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        if "\t" in raw or not raw.strip():
            out.append(raw)
            i += 1
            continue
        header = header_of(raw.strip())
        body_start = i + 1
        cells_mode = False
        if header is None:
            found = _cells_header(lines, i)
            if found is not None:
                header, body_start = found
                cells_mode = True
        if header is None:
            out.append(raw)
            i += 1
            continue
        nxt = next((k for k in range(body_start, min(body_start + 2, len(lines))) if lines[k].strip()), None)
        if not cells_mode and nxt is not None and (full := sub_header(header, lines[nxt].strip())) is not None:
            header, body_start = full, nxt + 1
        body = lines[body_start:]
        breaks: list[str] = []
        if cells_mode:
            cell_lines, end, breaks = _cells_body(lines, body_start, header)
            rows, _ = read_table(_group_cells(cell_lines, header), header)
            used = end - body_start
        else:
            rows, used = read_table(body, header, breaks)
        figured = sum(bool(r[-1]) and not WORDS_LINE.match(ascii_fold(r[0])) for r in rows)
        if not rows or not any(any(c for c in r[1:]) for r in rows) or (len(header.roles) == 2 and figured < 2):
            out.append(raw)
            i += 1
            continue
        out.append("\t".join(header.texts))
        out += ["\t".join(r) for r in rows]
        out += [""] + breaks if breaks else []
        i = body_start + used
    return out


def _cells_body(lines: list[str], start: int, header: Header) -> tuple[list[str], int, list[str]]:
    """The cell lines of a one-cell-a-line table, the index after it, and the page-break lines met
    inside it. It ends at a blank line the table does not go on after, a long sentence, or the
    line after its words line (or after its total row's figure when no words line follows)."""
    cells: list[str] = []
    breaks: list[str] = []
    j = start
    after_total = False
    while j < len(lines):
        t = lines[j].strip()
        folded = ascii_fold(t)
        if not t or _page_mark(lines, j):
            if cells and _cells_go_on(lines, j + 1, header):
                if t:
                    breaks.append(lines[j])
                j += 1
                continue
            break
        if WORDS_LINE.match(folded):
            return cells + [t], j + 1, breaks
        if (_ends_table(t) and not _has_figure(t)) or (after_total and not _has_figure(t)):
            break
        cells.append(t)
        j += 1
        if TOTAL.match(folded):
            after_total = True
        elif after_total:
            nxt = next((l.strip() for l in lines[j:j + 3] if l.strip()), "")
            if not WORDS_LINE.match(ascii_fold(nxt)):
                break
    return cells, j, breaks


def _cells_go_on(lines: list[str], i: int, header: Header) -> bool:
    for k in range(i, min(i + 6, len(lines))):
        t = lines[k].strip()
        if not t or _page_mark(lines, k):
            continue
        folded = ascii_fold(t)
        return bool(("stt" in header.roles and LABEL.match(t)) or _has_figure(t) or TOTAL.match(folded)
                    or WORDS_LINE.match(folded) or ("stt" not in header.roles and len(t) <= 60 and not _ends_table(t)))
    return False
