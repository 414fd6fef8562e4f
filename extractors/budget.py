"""Budget tables, their lines and totals, amounts in words, grand totals and funding splits.

Figures are kept raw beside their values; a malformed figure ("7.00.000") is
resolved only when the line's own arithmetic gives a reading with the same
significant digits, so a typo is fixed but a real error is never hidden.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.figures import Figure, parse_figure, same_digits
from extractors.number_words import parse_number_words
from extractors.source import stamp
from extractors.tables import TableLayout, analyse, scale_of
from extractors.text_utils import ascii_fold, clean_value, fold
from models.document import Block, format_box
from models.records import BudgetLine, BudgetTable

WORDS = re.compile(r"\(?\s*b[a]ng\s+ch[u]\s*:?\s*([^)]*)\)?")  # on folded text: "Bằng chữ", "Bảng chữ", "Băng chư"
# ("Oộng", "0ộng": OCR's reading of a lone "Cộng")
TOTAL_ROW = re.compile(r"^(tong ?cong|tong ?so|tong kinh phi)\b|^(tong|[co0]ong)\s*(\(.*\))?\s*[:.]?\s*$")
GROUP_LABEL = re.compile(r"^([IVX]{1,5}|[A-Z])\.?$")
FIGURE_IN_TEXT = r"(\d{1,3}(?:[.,\s]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)*)"
# Matched on the ascii-folded text (same offsets as the original), so OCR that lost diacritics still matches.
STATEMENT = re.compile(
    r"(tong\s+(?:cong\s+)?(?:kinh phi|du toan|so tien|nhu cau kinh phi|cong)|kinh phi(?: thuc hien| to chuc| du kien)?|du toan kinh phi)"
    r"([^:\d()]{0,80}?)(?::|\sla)\s*" + FIGURE_IN_TEXT + r"\s*(ty|ti|trieu|nghin|ngan)?\s*(?:dong|d\b|vnd)?",
)
UNIT_WORDS = {"tỷ": 10**9, "tỉ": 10**9, "triệu": 10**6, "nghìn": 10**3, "ngàn": 10**3,
              "ty": 10**9, "ti": 10**9, "trieu": 10**6, "nghin": 10**3, "ngan": 10**3}
SPLIT_AMOUNT = re.compile(FIGURE_IN_TEXT + r"\s*(tỷ|tỉ|triệu|nghìn|ngàn)?\s*(?:đồng|đ\b)?", re.I)


@dataclass
class MoneyStatement:
    """An amount stated in running text ("Tổng kinh phí: 46.670.000 (Bằng chữ: …)")."""

    amount: int | None
    raw: str
    is_grand: bool
    section_id: str
    words_text: str = ""
    words_amount: int | None = None
    split: list[tuple[str, int]] = field(default_factory=list)  # (label, amount) after "Trong đó"
    text: str = ""
    page: int | None = None  # provenance of the paragraph that states it (extractors.source.stamp)
    bbox: str = ""
    source_ref: str = ""


@dataclass
class BudgetResult:
    tables: list[BudgetTable] = field(default_factory=list)
    lines: list[BudgetLine] = field(default_factory=list)
    statements: list[MoneyStatement] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # total rows of tables no reader could rebuild

    @property
    def grand_total(self) -> MoneyStatement | None:
        grands = [s for s in self.statements if s.is_grand and s.amount]
        if grands:
            return grands[-1]
        inline = [s for s in self.statements if s.amount]
        return inline[0] if len(inline) == 1 else None


def read(cell: str, scale: int = 1, money: bool = True) -> tuple[Figure, int | None, float | None]:
    fig = parse_figure(cell, money=money, lookalikes=True)
    if fig.value is None:
        return fig, None, None
    value = fig.value * scale
    as_int = int(value) if float(value).is_integer() else None
    return fig, as_int, float(value)


def words_of(text: str) -> tuple[str, int | None]:
    m = WORDS.search(ascii_fold(text))  # same offsets as `text`
    if not m:
        return "", None
    words = clean_value(text[m.start(1):m.end(1)])
    return words, parse_number_words(words)


def extract_table(block: Block, table_id: str, section_id: str, title: str,
                  layout: TableLayout) -> tuple[BudgetTable, list[BudgetLine]]:
    cols = layout.columns
    table = stamp(BudgetTable(table_id=table_id, section_id=section_id, title=title), block)
    lines: list[BudgetLine] = []

    def cell(row: list[str], role: str) -> str:
        i = cols.get(role)
        return fold(row[i]) if i is not None and i < len(row) else ""

    table.ocr_confidence = block.confidence
    for r_index, raw_row in enumerate(block.rows[layout.header_rows:], start=layout.header_rows):
        row = [fold(c) for c in raw_row]
        if not any(row):
            continue
        joined = " ".join(c for c in row if c)
        if ascii_fold(joined).lstrip("( ").startswith("bang chu"):
            table.words_text, table.words_amount = words_of(joined)
            continue
        line = BudgetLine(table_id=table_id, row=len(lines) + 1)
        first = next((c for c in row if c), "")
        label = cell(row, "stt")
        line.item = cell(row, "item") or (first if first != label else "")
        line.unit = cell(row, "unit")
        line.note = cell(row, "note")
        line.raw_quantity, line.raw_unit_price, line.raw_amount = cell(row, "quantity"), cell(row, "unit_price"), cell(row, "amount")
        if not line.raw_amount and "amount" not in cols:
            line.raw_amount = ""
        if TOTAL_ROW.match(ascii_fold(label or line.item or first)) and not (line.raw_quantity and line.raw_unit_price):
            line.is_total = True
            line.item = line.item or label or first
        elif not line.raw_quantity and not line.raw_unit_price and (
                GROUP_LABEL.match(label) or (not label.isdigit() and is_group_heading(line.item, cols))):
            line.is_subtotal = True
        q_fig, line.quantity, line.quantity_value = read(line.raw_quantity, money=False)
        p_fig, line.unit_price, _ = read(line.raw_unit_price, layout.scale)
        a_fig, line.amount, _ = read(line.raw_amount, layout.scale)
        if layout.quantity_persons and not line.is_total:
            line.quantity_kind = "persons"
        resolve_malformed(line, q_fig, p_fig, a_fig, layout.scale)
        line.ocr_confidence = figure_confidence(block, r_index, [cols.get(k) for k in ("quantity", "unit_price", "amount")])
        stamp(line, block, r_index)
        line.quantity_bbox, line.unit_price_bbox, line.amount_bbox = (
            format_box(block.cell_box(r_index, cols.get(k))) for k in ("quantity", "unit_price", "amount"))
        if not (line.item or line.amount or line.raw_amount):
            continue
        lines.append(line)
    resolve_from_sum(lines)
    totals = [l for l in lines if l.is_total]
    if totals:
        table.stated_total = totals[-1].amount
        table.raw_stated_total = totals[-1].raw_amount
    leaf = [l for l in lines if not l.is_total and not l.is_subtotal]
    if leaf and all(l.amount is not None for l in leaf):
        table.computed_total = sum(l.amount for l in leaf)  # type: ignore[misc]
    elif not leaf and lines and not totals:
        table.computed_total = None
    return table, lines


def is_group_heading(item: str, cols: dict[str, int]) -> bool:
    """A group row whose label is missing or unreadable (OCR's "^" for "A"): its item in capitals
    ("CHI TỔ CHỨC HỘI NGHỊ"), an amount and no quantity or price, in a table that has those columns."""
    letters = [c for c in item if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters) and "quantity" in cols and "unit_price" in cols


def figure_confidence(block: Block, row: int, columns: list[int | None]) -> float | None:
    """The lowest OCR confidence among a line's figures (per cell where the OCR gave it, else the table's)."""
    if block.cell_confidence and row < len(block.cell_confidence):
        cells = block.cell_confidence[row]
        found = [cells[c] for c in columns if c is not None and c < len(cells) and cells[c] is not None]
        if found:
            return min(found)  # type: ignore[type-var]
    return block.confidence


def resolve_malformed(line: BudgetLine, q: Figure, p: Figure, a: Figure, scale: int) -> None:
    """Fill a malformed figure from the other two when the digits agree; record which were malformed."""
    bad = [name for name, f in (("quantity", q), ("unit_price", p), ("amount", a)) if f.malformed]
    line.malformed_fields = ",".join(bad)
    if len(bad) != 1:
        return
    qv, pv, av = line.quantity_value, line.unit_price, line.amount
    derived = None
    if bad[0] == "unit_price" and qv and av is not None and av / qv == int(av / qv):
        derived, cands = int(av / qv), [c * scale for c in p.candidates]
    elif bad[0] == "amount" and qv is not None and pv is not None and float(qv * pv).is_integer():
        derived, cands = int(qv * pv), [c * scale for c in a.candidates]
    elif bad[0] == "quantity" and pv and av is not None and av % pv == 0:
        derived, cands = av // pv, list(q.candidates)
    else:
        return
    if derived and any(same_digits(derived, c) for c in cands):
        setattr(line, bad[0], derived)
        if bad[0] == "quantity":
            line.quantity_value = float(derived)


def resolve_from_sum(lines: list[BudgetLine]) -> None:
    """A malformed amount on a line without quantity × price ("11500.000" in a list of lump sums) is
    what its group or table total leaves for it, when that has the same digits: a misplaced dot is
    repaired, a wrong figure is not."""
    for k, line in enumerate(lines):
        if line.malformed_fields != "amount" or line.amount is not None or line.is_total or line.is_subtotal:
            continue
        lo = max((j for j in range(k) if lines[j].is_subtotal or lines[j].is_total), default=-1)
        hi = next((j for j in range(k + 1, len(lines)) if lines[j].is_subtotal or lines[j].is_total), len(lines))
        head = lines[lo] if lo >= 0 and lines[lo].is_subtotal else None
        whole = head if head is not None else (lines[hi] if hi < len(lines) and lines[hi].is_total and lo < 0 else None)
        members = [l for l in lines[lo + 1:hi] if l is not line]
        if whole is None or whole.amount is None or any(l.amount is None for l in members):
            continue
        derived = whole.amount - sum(l.amount for l in members)  # type: ignore[misc]
        digits = re.sub(r"\D", "", line.raw_amount)
        if derived > 0 and digits and same_digits(derived, int(digits)):
            line.amount = derived


def split_after(blocks: list[Block], i: int) -> list[tuple[str, int]]:
    """A split printed under the statement: 'Trong đó:' then '- Ngân sách quận: 30.000.000 đồng;' lines."""
    if i + 1 >= len(blocks) or blocks[i + 1].is_table or not ascii_fold(blocks[i + 1].text).startswith("trong do"):
        return []
    parts = [fold(blocks[i + 1].text).split(":", 1)[-1] if ":" in blocks[i + 1].text else ""]
    for b in blocks[i + 2:]:
        if b.is_table or not re.match(r"^[-+•*]", b.text.strip()):
            break
        parts.append(fold(b.text).lstrip("-+•* "))
    return parse_split("; ".join(p for p in parts if p))


def find_statements(blocks: list[Block], block_section: dict[int, str]) -> list[MoneyStatement]:
    out: list[MoneyStatement] = []
    for i, block in enumerate(blocks):
        if block.is_table:
            continue
        text = fold(block.text)
        folded = ascii_fold(text)
        for m in STATEMENT.finditer(folded):
            fig = parse_figure(m.group(3), money=True)
            if fig.value is None and not fig.malformed:
                continue
            if fig.value is not None and fig.value < 1000 and not m.group(4):
                continue  # "kinh phí 02 ngày": not an amount
            amount = None
            if fig.value is not None:
                amount = int(fig.value * UNIT_WORDS.get((m.group(4) or "").lower(), 1))
            st = MoneyStatement(amount=amount, raw=m.group(3), is_grand=m.group(1).startswith("tong"),
                                section_id=block_section.get(id(block), ""), text=text)
            stamp(st, block)
            tail = text[m.end():]
            nxt = STATEMENT.search(folded, m.end())
            scope = tail[: nxt.start() - m.end()] if nxt else tail
            if re.match(r"^[\s.,;]*\(?\s*bang\s+chu", ascii_fold(scope)):
                st.words_text, st.words_amount = words_of(scope)
            else:
                paren = re.match(r"^\s*\(([^()]{4,200})\)", scope)  # "(Một tỷ năm trăm triệu đồng)"
                if paren and re.search(r"đồng|chẵn", paren.group(1), re.I) and parse_number_words(paren.group(1)) is not None:
                    st.words_text, st.words_amount = clean_value(paren.group(1)), parse_number_words(paren.group(1))
            split_at = re.search(r"trong\s+đó\s*:?", scope, re.I)
            if split_at:
                st.split = parse_split(scope[split_at.end():])
            elif not nxt:
                st.split = split_after(blocks, i)
            out.append(st)
    return out


def parse_split(text: str) -> list[tuple[str, int]]:
    """'vận động xã hội hóa: 23.400.000; chi từ ngân sách nhà nước: 23.270.000' -> labelled parts.

    A part's amount is the last figure of its piece: its label may hold a year or a number of its own
    ("ngân sách sự nghiệp giáo dục năm 2025 159.200.000 đồng")."""
    parts = []
    for piece in re.split(r";|\.\s|\s+và\s+", text):
        for m in reversed(list(SPLIT_AMOUNT.finditer(piece))):
            fig = parse_figure(m.group(1), money=True)
            if fig.value is None or fig.value < 1000 and not m.group(2):
                continue
            label = clean_value(re.split(r"[:;,()]", piece[:m.start()].rstrip(" :"))[-1])
            if label:
                parts.append((label, int(fig.value * UNIT_WORDS.get((m.group(2) or "").lower(), 1))))
            break
    return parts


def table_title(blocks: list[Block], i: int, section_title: str) -> str:
    """The caption just above the table, else its section's title."""
    for j in range(i - 1, max(i - 3, -1), -1):
        b = blocks[j]
        if b.is_table:
            break
        text = fold(b.text)
        if text and not ascii_fold(text).startswith(("bang chu", "(kem theo", "dvt", "don vi tinh")) and len(text) <= 200:
            return clean_value(re.sub(r"^(?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])\s*(?:[.)]|\s[-–])\s*", "", text))
    return section_title


UNIT_LINE = re.compile(r"^[(\[]?\s*(?:dvt|d\.v\.t|don vi tinh|don vi)\s*[:.]")
CAPTION_UNIT = re.compile(r"\((?:\s*(?:dvt|don vi tinh|don vi)\s*[:.]?)?[^()]{0,25}(?:dong|d)\s*\)")
SCALES = (1, 1000, 1_000_000)


def own_scale(blocks: list[Block], i: int, layout: TableLayout) -> tuple[int, str]:
    """The scale a table states for itself: in its header cells, in a unit line just above it
    ("ĐVT: 1.000 đồng"), or in its caption ("DỰ TOÁN KINH PHÍ (ĐVT: nghìn đồng)").

    Only the table's own lines count: the text before a caption belongs to something else (the
    previous table's "Bằng chữ: … nghìn đồng" line, a statement of a total in đồng)."""
    header = " ".join(c for r in blocks[i].rows[:layout.header_rows] for c in r)
    if scale_of(header) != 1 or re.search(r"\(\s*(?:đồng|đ|vnđ)\s*\)", header, re.I):
        return scale_of(header), "header"
    for j in range(i - 1, max(i - 3, -1), -1):
        b = blocks[j]
        if b.is_table:
            break
        text = fold(b.text)
        folded = ascii_fold(text)
        if folded.lstrip("(* ").startswith("bang chu") or len(text) > 200:
            break
        if UNIT_LINE.match(folded.lstrip("(* ")):
            return scale_of(folded), "unit_line"
        if re.search(r"\d{1,3}(?:[.,]\d{3})+", re.sub(r"\([^)]*\)", "", text)) or "bang chu" in folded:
            break  # a statement with figures or words: not a caption
        unit = CAPTION_UNIT.search(folded)
        if unit:
            return scale_of(unit.group(0)), "caption"
    return 1, ""


def infer_scale(table: BudgetTable, scale: int) -> int | None:
    """The scale under which the table's figure and its words agree, when the printed scale makes
    them disagree by a whole factor (a unit line lost or misplaced), else None."""
    figure = table.stated_total if table.stated_total is not None else table.computed_total
    if not table.words_amount or not figure:
        return None
    if figure == table.words_amount:
        return None
    fits = [s for s in SCALES if s != scale and figure * s == table.words_amount * scale]
    return fits[0] if len(fits) == 1 else None


def rescaled(block: Block, table: BudgetTable, layout: TableLayout, scale: int, source: str,
             title: str) -> tuple[BudgetTable, list[BudgetLine]]:
    layout.scale = scale
    words = (table.words_text, table.words_amount)
    new, lines = extract_table(block, table.table_id, table.section_id, title, layout)
    if not new.words_text:
        new.words_text, new.words_amount = words
    new.scale, new.scale_source = scale, source
    return new, lines


def extract_budget(blocks: list[Block], block_section: dict[int, str], table_ids: dict[int, str],
                   section_titles: dict[str, str]) -> BudgetResult:
    result = BudgetResult()
    found: list[tuple[Block, TableLayout, str]] = []
    for i, block in enumerate(blocks):
        if not block.is_table:
            continue
        layout = analyse(block.rows)
        if layout is None or not layout.is_budget:
            continue
        layout.scale, source = own_scale(blocks, i, layout)
        sid = block_section.get(id(block), "")
        title = table_title(blocks, i, section_titles.get(sid, ""))
        table, lines = extract_table(block, table_ids[id(block)], sid, title, layout)
        table.scale, table.scale_source = layout.scale, source
        if not table.words_text and i + 1 < len(blocks) and not blocks[i + 1].is_table:
            nxt = fold(blocks[i + 1].text)
            if ascii_fold(nxt).lstrip("( ").startswith("bang chu"):
                table.words_text, table.words_amount = words_of(nxt)
        better = infer_scale(table, layout.scale)
        if better is not None:
            table, lines = rescaled(block, table, layout, better, "words", title)
        result.tables.append(table)
        result.lines.extend(lines)
        found.append((block, layout, title))
    result.statements = find_statements(blocks, block_section)
    result.unread = unread_tables(blocks)
    settle_by_grand_total(result, found)
    return result


ORPHAN_TOTAL = re.compile(r"^(?:tong ?cong|tong ?so|cong)\s*:?\s*\d{1,3}(?:[.,]\d{3})+(?:\s*(?:d|dong))?\.?$")
# a row's line: a label then a figure at the end, or two figures at the end (its label lost)
ROW_LIKE = re.compile(r"^(?:(?:\d{1,2}|[ivx]{1,4}|[a-e])[.)]?\s+\S.*|.*\d[\d.,]*(?:\s*d)?\s+)\d{1,3}(?:[.,]\d{3})+(?:\s*d)?$")


def unread_tables(blocks: list[Block]) -> list[str]:
    """Tables whose rows came out as paragraphs (a header OCR could not read): a total row ("Cộng
    1.249.450.000") outside any table, under paragraphs that look like its rows. The plan's grand
    total cannot be checked without them."""
    out = []
    for i, b in enumerate(blocks):
        if b.is_table or len(b.text) > 40 or not ORPHAN_TOTAL.match(ascii_fold(fold(b.text)).strip()):
            continue
        before = [x for x in blocks[max(0, i - 4):i] if not x.is_table]
        if sum(bool(ROW_LIKE.match(ascii_fold(fold(x.text)).strip())) for x in before) >= 2:
            out.append(fold(b.text).strip())
    return out


def settle_by_grand_total(result: BudgetResult, found: list[tuple[Block, TableLayout, str]]) -> None:
    """A table that prints no scale (and has no words to settle it) takes the scale under which the
    tables add up to the plan's stated grand total, when exactly one such scale exists."""
    grand = result.grand_total
    if grand is None or not grand.is_grand or grand.amount is None:
        return
    totals = [t.stated_total if t.stated_total is not None else t.computed_total for t in result.tables]
    if None in totals or sum(totals) == grand.amount:  # type: ignore[arg-type]
        return
    loose = [k for k, t in enumerate(result.tables) if not t.scale_source and not t.words_amount]
    for k in loose:
        for s in SCALES[1:]:
            trial = sum(totals) - totals[k] + totals[k] * s  # type: ignore[operator]
            if trial == grand.amount:
                block, layout, title = found[k]
                old = result.tables[k]
                new, lines = rescaled(block, old, layout, s, "grand_total", title)
                result.tables[k] = new
                result.lines = [l for l in result.lines if l.table_id != old.table_id] + lines
                result.lines.sort(key=lambda l: ([t.table_id for t in result.tables].index(l.table_id), l.row))
                return
