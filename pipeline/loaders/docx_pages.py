"""Pages of a .docx that records none: a flow model of the body.

Word writes `w:lastRenderedPageBreak` where its own layout broke the pages.
Files that never went through Word's layout (python-docx, Google Docs, most
converters) have no such marks, and the page of a paragraph is then whatever a
layout program makes of it. `estimate` lays the body out roughly, from what the
XML states, so that every row can still name a page:

- the page: each section's `w:pgSz` height and `w:pgMar` margins (twips);
  the text width is the page width less the left and right margins;
- a paragraph: its lines × the line height, plus its spacing before and
  after (none between paragraphs of one style that ask for contextual
  spacing). Lines come from a greedy word wrap in which every character is as
  wide as the mean of its class (space, punctuation, digit, small letter,
  capital: GLYPH_EM) at the font size, over the width the indents leave. The
  line height is the font's LINE_EM times `w:spacing/@w:line` / 240 (`auto`),
  or the stated height (`exact`, `atLeast`). Sizes, spacing and indents come
  from the document defaults, the table style, the paragraph style chain, then
  the paragraph itself, in that order;
- a table row: its tallest cell (the cell's paragraphs and nested tables at
  the width of its grid columns, `w:tblGrid`, less the cell margins; `w:tcW`
  only without a grid), plus the border between rows. LibreOffice follows the
  grid; Word may follow `w:tcW` where a file lets the two disagree (python-docx
  does). A vertically merged cell spreads over its rows; header rows marked
  to repeat are laid out again at the top of each page the table goes on to,
  and a row that breaks across pages puts each cell line on its own page;
- the page breaks: explicit ones (`w:br w:type="page"`, `pageBreakBefore`,
  sections that start a new page) are exact and restart the count; between
  them a paragraph or row that does not fit starts the next page (keep with
  next, keep lines together, widow control and rows that cannot split are
  honoured roughly).

It is an estimate: fonts other than Times New Roman, numbering labels (their
width is not counted), floating frames and text boxes (no height), headers and
footers taller than their margins all make it drift, and a mean glyph width
misses by a line where a word ends at the edge of a narrow cell (most of what
differs from LibreOffice on generated plans). The constants were measured, not
guessed: glyph widths are Liberation Serif's (Times New Roman's metrics) mean
advance over the fixture plans' text, the line height its ascent + descent +
gap, which LibreOffice's line pitches confirm; benchmarks/bench_docx_pages.py
measures the pages against LibreOffice's layout (docs/conventions.md,
"Provenance").
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from pipeline.loaders.wordml import W_SDT, W_SDT_CONTENT, W_VAL, WRAPPERS, w
from pipeline.loaders.wordml import children as _children, on as _on, val as _val

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


W_P, W_TBL, W_TR, W_TC, W_R, W_T, W_PPR, W_RPR = w("p"), w("tbl"), w("tr"), w("tc"), w("r"), w("t"), w("pPr"), w("rPr")
W_BR, W_TYPE = w("br"), w("type")
INLINE_WRAPPERS = WRAPPERS | {w("smartTag"), w("hyperlink"), w("fldSimple"), w("bdo"), w("dir"), w("sdtContent")}
NOT_PRINTED = {w("del"), w("moveFrom"), w("instrText"), w("delText"), w("pPr"), w("rPr"), w("sdtPr"), w("sdtEndPr")}
MC_ALTERNATE, MC_CHOICE = f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice"
WP_INLINE, WP_EXTENT = f"{{{WP}}}inline", f"{{{WP}}}extent"
W_SPACING, W_IND, W_SZ, W_B, W_VANISH, W_RSTYLE, W_PSTYLE = (w("spacing"), w("ind"), w("sz"), w("b"), w("vanish"),
                                                              w("rStyle"), w("pStyle"))
W_TAB, W_PTAB, W_CR, W_DRAWING = w("tab"), w("ptab"), w("cr"), w("drawing")
HYPHENS = {w("noBreakHyphen"), w("sym")}
W_BEFORE, W_AFTER, W_LINE, W_LINE_RULE = w("before"), w("after"), w("line"), w("lineRule")
W_BEFORE_AUTO, W_AFTER_AUTO = w("beforeAutospacing"), w("afterAutospacing")
W_LEFT, W_START, W_RIGHT, W_END, W_HANGING, W_FIRST_LINE = (w("left"), w("start"), w("right"), w("end"),
                                                            w("hanging"), w("firstLine"))
W_TBLPR, W_TRPR, W_TCPR, W_VMERGE, W_TCMAR, W_TCW = w("tblPr"), w("trPr"), w("tcPr"), w("vMerge"), w("tcMar"), w("tcW")
TOGGLES = {w("keepNext"): "keep_next", w("keepLines"): "keep_lines", w("widowControl"): "widow",
           w("pageBreakBefore"): "break_before", w("contextualSpacing"): "contextual"}

# Measured (see the module's docstring and benchmarks/bench_docx_pages.py --calibrate): the mean advance, in
# ems, of the characters of plan text by class, regular and bold. Capitals are half as wide again as small
# letters, and headings and header lines are set in them; digits and punctuation fill the narrow amount columns.
GLYPH_EM = {False: {"space": 0.25, "punct": 0.28, "digit": 0.50, "letter": 0.46, "capital": 0.68},
            True: {"space": 0.25, "punct": 0.28, "digit": 0.50, "letter": 0.50, "capital": 0.69}}
LINE_EM = 1.15        # single line height in ems: Times New Roman's ascent + descent + line gap (measured)
# What Word assumes when the XML says nothing.
DEFAULT_PAGE = (11906, 16838)             # A4, twips
DEFAULT_MARGINS = (1440, 1440, 1440, 1440)  # top, right, bottom, left
DEFAULT_SIZE = 20                         # half-points: 10 pt, OOXML's default
DEFAULT_CELL_MARGIN = 108                 # left and right cell margins, twips (Word's "Normal Table")
AUTO_SPACING = 280                        # twips: Word's HTML-like "auto" spacing before/after (14 pt)
TAB_STOP = 720                            # default tab stop, twips
EMU_PER_TWIP = 635


@dataclass
class Estimate:
    """Where each paragraph (`w:p`), table (`w:tbl`) and row (`w:tr`) starts, 1-based.

    `overflow` says whether the flow itself (not an explicit break) started a page:
    when it did not, every page number is the one the explicit breaks give.
    """
    pages: dict = field(default_factory=dict)
    count: int = 1
    overflow: bool = False


def estimate(body, styles_root, table_styles: "CutStyles | None" = None) -> Estimate:
    """Lay out `body` (w:body); `styles_root` is the styles part, `table_styles` the table styles the loader
    cut from it (None when there are none)."""
    sheet = _Sheet(styles_root, table_styles)
    sections = _sections(body)
    flow = _Flow(sections[0], sheet)
    flow.run(body, sections)
    return Estimate(flow.pages, flow.page, flow.overflow)


# --- Page geometry ----------------------------------------------------------------

@dataclass
class _Section:
    height: int   # usable height (page less top and bottom margins), twips
    width: int    # text width (page less left and right margins), twips
    starts_page: bool  # this section starts on a new page (its w:type is not "continuous")


def _sections(body) -> list[_Section]:
    """Sections in order: each `w:pPr/w:sectPr` ends one, the body's own `w:sectPr` the last (a tracked
    change's former `w:sectPr` is none)."""
    found = [s for s in body.iter(w("sectPr")) if s.getparent().tag in (W_PPR, w("body"))]
    return [_section(s) for s in found] or [_section(None)]


def _section(sect) -> _Section:
    width, height = DEFAULT_PAGE
    top, right, bottom, left = DEFAULT_MARGINS
    size = sect.find(w("pgSz")) if sect is not None else None
    if size is not None:
        width, height = _int(size.get(w("w")), width), _int(size.get(w("h")), height)
    mar = sect.find(w("pgMar")) if sect is not None else None
    if mar is not None:
        top, bottom = abs(_int(mar.get(w("top")), top)), abs(_int(mar.get(w("bottom")), bottom))
        right, left = _int(mar.get(w("right")), right), _int(mar.get(w("left")), left)
        left += _int(mar.get(w("gutter")), 0)
    text_width, text_height = max(1440, width - left - right), max(1440, height - top - bottom)
    cols = sect.find(w("cols")) if sect is not None else None
    n = max(1, _int(cols.get(w("num")), 1)) if cols is not None else 1
    if n > 1:  # newspaper columns: a narrower line, n column heights a page
        text_width = max(720, (text_width - (n - 1) * _int(cols.get(w("space")), 720)) // n)
        text_height *= n
    kind = _val(sect, "type") if sect is not None else None
    return _Section(text_height, text_width, (kind or "nextPage") != "continuous")


# --- Styles -----------------------------------------------------------------------

@dataclass
class _Para:
    """What a paragraph's height depends on, once its style chain and direct properties are merged."""
    size: int = DEFAULT_SIZE      # paragraph mark's font size, half-points
    bold: bool = False
    before: int = 0
    after: int = 0
    line: int = 240
    rule: str = "auto"
    left: int = 0
    right: int = 0
    first: int = 0                # first-line indent (negative: hanging)
    keep_next: bool = False
    keep_lines: bool = False
    widow: bool = True           # Word and LibreOffice keep widow/orphan control on unless told otherwise
    break_before: bool = False
    contextual: bool = False      # no spacing next to a paragraph of the same style
    style: str | None = None

    def apply_ppr(self, ppr) -> None:
        """Take what a w:pPr states (one pass over its children: every paragraph has one)."""
        if ppr is None:
            return
        for child in ppr:
            tag = child.tag
            if tag == W_SPACING:
                get = child.get
                if _on_attr(get(W_BEFORE_AUTO)):
                    self.before = AUTO_SPACING
                elif get(W_BEFORE) is not None:
                    self.before = _int(get(W_BEFORE), self.before)
                if _on_attr(get(W_AFTER_AUTO)):
                    self.after = AUTO_SPACING
                elif get(W_AFTER) is not None:
                    self.after = _int(get(W_AFTER), self.after)
                if get(W_LINE) is not None:
                    self.line = _int(get(W_LINE), self.line)
                    self.rule = get(W_LINE_RULE) or "auto"
            elif tag == W_IND:
                get = child.get
                self.left = _int(get(W_LEFT, get(W_START)), self.left)
                self.right = _int(get(W_RIGHT, get(W_END)), self.right)
                if get(W_HANGING) is not None:
                    self.first = -_int(get(W_HANGING), 0)
                elif get(W_FIRST_LINE) is not None:
                    self.first = _int(get(W_FIRST_LINE), 0)
            elif tag in TOGGLES:
                setattr(self, TOGGLES[tag], _on(child))

    def apply_rpr(self, rpr) -> None:
        size, bold = _run_props(rpr)
        self.size = size or self.size
        self.bold = self.bold if bold is None else bold


def _run_props(rpr) -> tuple[int | None, bool | None]:
    """(font size in half-points, bold) a w:rPr states, None for what it leaves to its styles."""
    if rpr is None:
        return None, None
    sz = rpr.find(W_SZ)
    b = rpr.find(W_B)
    return (_int(sz.get(W_VAL), 0) or None) if sz is not None else None, (_on(b) if b is not None else None)


class _Sheet:
    """Paragraph and run properties through the style chains, worked out once per style."""

    def __init__(self, root, cut: "CutStyles | None") -> None:
        self._by_id = {s.get(w("styleId")): s for s in root.iterfind(w("style"))} if root is not None else {}
        self._cut = cut
        defaults = root.find(w("docDefaults")) if root is not None else None
        self._dppr = defaults.find(f"{w('pPrDefault')}/{W_PPR}") if defaults is not None else None
        self._drpr = defaults.find(f"{w('rPrDefault')}/{W_RPR}") if defaults is not None else None
        default = [s for s in self._by_id.values()
                   if s.get(w("type")) == "paragraph" and _on_attr(s.get(w("default")))]
        self._default = default[0].get(w("styleId")) if default else None
        self._paras: dict[tuple, _Para] = {}
        self._chars: dict[str, tuple] = {}

    def _chain(self, style_id: str | None) -> list:
        """The style and those it is based on, farthest first (the order properties apply)."""
        chain, seen = [], set()
        while style_id and style_id not in seen:
            style = self._by_id.get(style_id)
            if style is None and self._cut is not None:
                style = self._by_id[style_id] = self._cut.get(style_id)
            if style is None:
                break
            seen.add(style_id)
            chain.append(style)
            style_id = _val(style, "basedOn")
        return chain[::-1]

    def para(self, style_id: str | None, table_style: str | None) -> _Para:
        key = (style_id, table_style)
        if key not in self._paras:
            props = _Para()
            props.apply_ppr(self._dppr)
            props.apply_rpr(self._drpr)
            for style in self._chain(table_style) + self._chain(style_id or self._default):
                props.apply_ppr(style.find(W_PPR))
                props.apply_rpr(style.find(W_RPR))
            props.style = style_id or self._default
            self._paras[key] = props
        return _copy(self._paras[key])

    def char(self, style_id: str) -> tuple[int | None, bool | None]:
        if style_id not in self._chars:
            size = bold = None
            for style in self._chain(style_id):
                s, b = _run_props(style.find(W_RPR))
                size, bold = s or size, bold if b is None else b
            self._chars[style_id] = (size, bold)
        return self._chars[style_id]

    def table(self, style_id: str | None) -> tuple[int, int, int]:
        """(left + right cell margins, top + bottom cell margins, border between rows) of a table style."""
        lr, tb, border = 2 * DEFAULT_CELL_MARGIN, 0, 0
        for style in self._chain(style_id):
            lr, tb, border = _table_props(style.find(w("tblPr")), lr, tb, border)
        return lr, tb, border


def _copy(p: _Para) -> _Para:
    return _Para(**p.__dict__)


def _table_props(tblpr, lr: int, tb: int, border: int) -> tuple[int, int, int]:
    """`(lr, tb, border)` as a w:tblPr changes them: its cell margins, its border between rows (twips)."""
    if tblpr is None:
        return lr, tb, border
    lr, tb = _margins(tblpr.find(w("tblCellMar")), lr, tb)
    borders = tblpr.find(w("tblBorders"))
    inside = borders.find(w("insideH")) if borders is not None else None
    if inside is not None:
        border = 0 if inside.get(W_VAL) in ("nil", "none") else _int(inside.get(w("sz")), 4) * 20 // 8
    return lr, tb, border


def _margins(mar, lr: int, tb: int) -> tuple[int, int]:
    """Left + right and top + bottom cell margins a w:tblCellMar or w:tcMar states, else `lr`, `tb`."""
    if mar is None:
        return lr, tb

    def side(*names: str) -> int | None:
        for name in names:
            el = mar.find(w(name))
            if el is not None:
                return _int(el.get(w("w")), 0)
        return None

    left, right, top, bottom = side("left", "start"), side("right", "end"), side("top"), side("bottom")
    if left is not None or right is not None:
        lr = (DEFAULT_CELL_MARGIN if left is None else left) + (DEFAULT_CELL_MARGIN if right is None else right)
    if top is not None or bottom is not None:
        tb = (top or 0) + (bottom or 0)
    return lr, tb


# --- Measuring ----------------------------------------------------------------------

@dataclass
class _Box:
    """One paragraph or table row to place. `segments` are the paragraph's line counts between its explicit
    page breaks; a row is one segment of one "line" as tall as the row."""
    elements: list
    segments: list[int]
    line: int              # line height (rows: the row's height), twips
    before: int = 0
    after: int = 0
    extra: int = 0          # inline pictures, twips
    keep_next: bool = False
    keep_lines: bool = False
    widow: bool = True
    break_before: bool = False
    style: str | None = None
    contextual: bool = False  # see `_contextual`
    row: bool = False
    cant_split: bool = False
    header: bool = False    # a table header row that repeats on each page
    first_line: int = 0     # rows: the height of their first line, what must fit for the row to start
    table: object = None
    offsets: list[int] = field(default_factory=list)  # rows: where each element's first line ends, from the top

    @property
    def height(self) -> int:
        return self.before + sum(self.segments) * self.line + self.extra + self.after


TAB, LINE = "tab", "line"  # a paragraph's pieces besides its text runs, (text, size, bold)


class _Parts:
    """A paragraph's pieces between its page breaks, whether each part has text, the largest font size of
    its text (half-points, 0 for none) and the height of its inline pictures (twips)."""
    __slots__ = ("segments", "text", "size", "extra")

    def __init__(self) -> None:
        self.segments: list[list] = [[]]
        self.text = [False]
        self.size = 0
        self.extra = 0

    def add(self, text: str, size: int, bold: bool) -> None:
        self.segments[-1].append((text, size, bold))
        if not text.isspace():
            self.text[-1] = True
            self.size = max(self.size, size)


class _Measure:
    """Heights of paragraphs and tables at a given width."""

    def __init__(self, sheet: _Sheet) -> None:
        self.sheet = sheet

    def paragraph(self, p, width: int, table_style: str | None = None) -> _Box:
        ppr = p.find(W_PPR)
        style = ppr.find(W_PSTYLE) if ppr is not None else None
        props = self.sheet.para(style.get(W_VAL) if style is not None else None, table_style)
        props.apply_ppr(ppr)
        if ppr is not None:
            props.apply_rpr(ppr.find(W_RPR))  # the paragraph mark: an empty paragraph is one line of its size
        parts = _Parts()
        self._inline(p, props, parts)
        avail = max(360, width - props.left - props.right)
        # Lines between the breaks. A part without text takes none, but for the first when nothing follows:
        # a paragraph holding only a break is a line on the page it ends (at a page's foot it makes the next
        # page blank, as in Word and LibreOffice); with text after it, the break acts as a break before.
        counts = [_wrap(seg, avail, props.first if k == 0 else 0) if parts.text[k] else 0
                  for k, seg in enumerate(parts.segments)]
        if not any(counts):
            counts[0] = 1
        return _Box([p], counts, _line_height(props, parts.size or props.size), props.before, props.after,
                    parts.extra, props.keep_next, props.keep_lines, props.widow, props.break_before,
                    props.style, props.contextual)

    def _inline(self, el, props: _Para, parts: "_Parts") -> None:
        for child in el:
            tag = child.tag
            if tag == W_R:
                self._run(child, props, parts)
            elif not isinstance(tag, str) or tag in NOT_PRINTED:
                continue
            elif tag == W_SDT:
                content = child.find(W_SDT_CONTENT)
                if content is not None:
                    self._inline(content, props, parts)
            elif tag in INLINE_WRAPPERS:
                self._inline(child, props, parts)
            elif tag == MC_ALTERNATE:
                choice = child.find(MC_CHOICE)
                if choice is not None:
                    self._inline(choice, props, parts)

    def _run(self, r, props: _Para, parts: "_Parts") -> None:
        rpr = r.find(W_RPR)
        if rpr is not None and _on(rpr.find(W_VANISH)):
            return
        size, bold = props.size, props.bold
        if rpr is not None:
            cstyle = rpr.find(W_RSTYLE)
            if cstyle is not None:
                s, b = self.sheet.char(cstyle.get(W_VAL))
                size, bold = s or size, bold if b is None else b
            s, b = _run_props(rpr)
            size, bold = s or size, bold if b is None else b
        for child in r:
            tag = child.tag
            if tag == W_T:
                text = child.text
                if text:
                    parts.add(text, size, bold)
            elif tag == W_TAB or tag == W_PTAB:
                parts.segments[-1].append(TAB)
            elif tag == W_BR:
                kind = child.get(W_TYPE)
                if kind == "page":
                    parts.segments.append([])
                    parts.text.append(False)
                else:
                    parts.segments[-1].append(LINE if kind != "column" else (" ", size, bold))
            elif tag == W_CR:
                parts.segments[-1].append(LINE)
            elif tag in HYPHENS:
                parts.add("-", size, bold)
            elif tag == W_DRAWING or tag == MC_ALTERNATE:
                for inline in child.iter(WP_INLINE):  # floating shapes take no room in the flow
                    extent = inline.find(WP_EXTENT)
                    if extent is not None:
                        parts.extra += _int(extent.get("cy"), 0) // EMU_PER_TWIP
                    break

    def table(self, tbl, width: int) -> tuple[list[_Box], int]:
        """The table's rows as boxes (each row's `elements` hold every w:p and w:tr inside it) and its height."""
        tblpr = tbl.find(W_TBLPR)
        tstyle = _val(tblpr, "tblStyle")
        lr, tb, border = _table_props(tblpr, *self.sheet.table(tstyle))
        grid = [_int(g.get(w("w")), 0) for g in tbl.iterfind(f"{w('tblGrid')}/{w('gridCol')}")]
        rows = list(_children(tbl, W_TR))
        cells_of = []  # per row: [(grid start, span, vMerge state, height, first line, [(element, offset)])]
        for tr in rows:
            col = _int(_val(tr.find(W_TRPR), "gridBefore"), 0)
            cells = []
            tcs = list(_children(tr, W_TC))
            for tc in tcs:
                tcpr = tc.find(W_TCPR)
                span = max(1, _int(_val(tcpr, "gridSpan"), 1))
                merge = tcpr.find(W_VMERGE) if tcpr is not None else None
                state = None if merge is None else (merge.get(W_VAL) or "continue")
                cell_lr, cell_tb = _margins(tcpr.find(W_TCMAR) if tcpr is not None else None, lr, tb)
                cw = _cell_width(grid, col, span, tcpr, width, len(tcs))
                height, first, elements = self._cell(tc, max(240, cw - cell_lr), tstyle)
                cells.append((col, span, state, height + cell_tb, first + cell_tb, elements))
                col += span
            cells_of.append(cells)
        heights, firsts, spread = [], [], []  # spread: (first row, last row, height) of vertically merged cells
        for i, cells in enumerate(cells_of):
            h = first = 0
            for col, _span, state, height, first_line, _ in cells:
                if state == "continue":
                    continue
                last = i
                if state == "restart":
                    while last + 1 < len(cells_of) and any(c[0] == col and c[2] == "continue" for c in cells_of[last + 1]):
                        last += 1
                if last > i:
                    spread.append((i, last, height))
                else:
                    h = max(h, height)
                first = max(first, first_line)
            heights.append(h)
            firsts.append(first)
        for i, last, height in spread:  # a merged cell taller than its rows makes the last one taller
            short = height - sum(heights[i:last + 1])
            if short > 0:
                heights[last] += short
        boxes, header = [], True
        for i, tr in enumerate(rows):
            trpr = tr.find(W_TRPR)
            h = heights[i] + border
            rule = trpr.find(w("trHeight")) if trpr is not None else None
            if rule is not None:
                stated = _int(rule.get(W_VAL), 0)
                h = stated if rule.get(w("hRule")) == "exact" else max(h, stated)
            h = max(h, 1)
            header = header and trpr is not None and _on(trpr.find(w("tblHeader")))
            first = max(1, min(h, firsts[i] + border))
            inside = [(e, off) for c in cells_of[i] for e, off in c[5]]
            boxes.append(_Box([tr] + [e for e, _ in inside], [1], h, row=True, header=header,
                              cant_split=trpr is not None and _on(trpr.find(w("cantSplit"))),
                              first_line=first, table=tbl, offsets=[first] + [off for _, off in inside]))
        return boxes, sum(b.line for b in boxes)

    def _cell(self, tc, width: int, tstyle: str | None) -> tuple[int, int, list]:
        """(height, height of the first line, [(element, where its first line ends)]) of a cell: its w:p,
        and the w:tbl, w:tr and w:p of tables inside it."""
        height, elements = 0, []
        for el in _children(tc):
            if el.tag == W_P:
                box = self.paragraph(el, width, tstyle)
                elements.append((el, height + box.before + box.line))
                height += box.height
            elif el.tag == W_TBL:
                rows, h = self.table(el, width)
                elements.append((el, height + (rows[0].first_line if rows else 0)))
                top = height
                for r in rows:
                    elements += [(e, top + off) for e, off in zip(r.elements, r.offsets)]
                    top += r.line
                height += h
        return height, elements[0][1] if elements else height, elements


def _cell_width(grid: list[int], col: int, span: int, tcpr, width: int, ncells: int) -> int:
    """The grid's width of the cell's columns, else its w:tcW, else an equal share of the text width."""
    if grid and col < len(grid) and sum(grid[col:col + span]) > 0:
        return sum(grid[col:col + span])
    tcw = tcpr.find(W_TCW) if tcpr is not None else None
    if tcw is not None:
        kind, value = tcw.get(w("type")), _int(tcw.get(w("w")), 0)
        if kind == "dxa" and value > 0:
            return value
        if kind == "pct" and value > 0:
            return width * value // 5000
    return width * span // max(1, ncells)


def _wrap(pieces: list, avail: int, first: int) -> int:
    """Lines of a greedy word wrap of `pieces` (text, tabs, line breaks) in `avail` twips."""
    lines, x, started = 1, max(0, first), False
    for piece in pieces:
        if piece is LINE:
            lines, x, started = lines + 1, 0, False
            continue
        if piece is TAB:
            x = (x // TAB_STOP + 1) * TAB_STOP
            if x > avail:
                lines, x = lines + 1, 0
            continue
        text, size, bold = piece
        scale = size * 10  # half-points → twips
        space = GLYPH_EM[bold]["space"] * scale
        for k, word in enumerate(text.split(" ")):
            if k:
                x += space  # the space before this word
            wide = _word_em(word, bold) * scale
            if started and x + wide > avail and word:
                lines, x = lines + 1, 0
            while wide > avail:  # a word longer than the line breaks where the line ends
                lines, wide = lines + 1, wide - avail
            x += wide
            started = started or bool(word)
    return lines


_EMS: dict[tuple[str, bool], float] = {}
_WORDS: dict[tuple[str, bool], float] = {}


def _em(c: str, bold: bool) -> float:
    """A character's width in ems: its class's mean (GLYPH_EM)."""
    found = _EMS.get((c, bold))
    if found is None:
        kind = ("space" if c.isspace() else "capital" if c.isupper() else "digit" if c.isdigit()
                else "letter" if c.isalpha() else "punct")
        found = _EMS[c, bold] = GLYPH_EM[bold][kind]
    return found


def _word_em(word: str, bold: bool) -> float:
    """A word's width in ems (plans repeat their words: each is summed once, up to a bound)."""
    found = _WORDS.get((word, bold))
    if found is None:
        found = sum(_em(c, bold) for c in word)
        if len(_WORDS) < 50_000:
            _WORDS[word, bold] = found
    return found


def _line_height(props: _Para, size: int) -> int:
    natural = size * 10 * LINE_EM  # half-points → twips
    if props.rule == "exact":
        return max(1, abs(props.line))
    if props.rule == "atLeast":
        return int(max(props.line, natural))
    return max(1, int(natural * props.line / 240))


# --- Placing ------------------------------------------------------------------------

class _Flow:
    """Boxes placed top to bottom; a box that does not fit starts the next page."""

    def __init__(self, section: _Section, sheet: _Sheet) -> None:
        self.section = section
        self.measure = _Measure(sheet)
        self.page, self.y = 1, 0
        self.overflow = False
        self.pages: dict = {}
        self.empty = True  # nothing placed on this page yet
        self.repeat = 0    # height of the running table's repeated header rows
        self._table = None

    def run(self, body, sections: list[_Section]) -> None:
        """Measure the body's paragraphs and rows in their sections' widths, then place them."""
        index = 0
        boxes: list[_Box] = []
        starts: dict[int, int] = {}  # position in boxes → the section that starts after that paragraph
        for el in _children(body):
            section = sections[min(index, len(sections) - 1)]
            if el.tag == W_P:
                boxes.append(self.measure.paragraph(el, section.width))
                ppr = el.find(W_PPR)
                if ppr is not None and ppr.find(w("sectPr")) is not None:
                    index += 1
                    starts[len(boxes) - 1] = min(index, len(sections) - 1)
            elif el.tag == W_TBL:
                boxes.extend(self.measure.table(el, section.width)[0])
        _contextual(boxes)
        for i, box in enumerate(boxes):
            self._place(box, boxes, i)
            if i in starts:
                self.section = sections[starts[i]]
                if self.section.starts_page:
                    self._new_page(forced=True)

    def _new_page(self, forced: bool) -> None:
        self.page += 1
        self.y, self.empty = 0, True
        self.overflow = self.overflow or not forced

    def _assign(self, box: _Box, page: int, ends: tuple = ()) -> None:
        """Give the box's elements `page`; a row's elements the page their first line falls on, when the row
        breaks across pages where `ends` (offsets from the row's top) say."""
        if box.row and box.table is not None:
            self.pages.setdefault(box.table, page)
        for k, el in enumerate(box.elements):
            off = box.offsets[k] if ends and k < len(box.offsets) else 0
            self.pages.setdefault(el, page + sum(1 for end in ends if off > end))

    def _place(self, box: _Box, boxes: list[_Box], i: int) -> None:
        height = self.section.height
        if box.row:
            self._place_row(box, height)
            return
        self._table, self.repeat = None, 0
        if box.break_before and not self.empty:
            self._new_page(forced=True)
        if box.segments[0] and not self.empty:
            need = box.before + box.line * (min(box.segments[0], 2) if box.widow else 1)
            if box.keep_lines and len(box.segments) == 1 and box.height <= height:
                need = box.height
            if box.keep_next:
                chain = self._chain(boxes, i)
                need = max(need, chain if chain <= height else 0)
            if self.y + need > height:
                self._new_page(forced=False)
        page = None
        for k, lines in enumerate(box.segments):
            if k:
                self._new_page(forced=True)  # an explicit break inside the paragraph
            if lines:
                self.y += box.before if page is None else 0
                first = self._lines(lines, box.line, box.widow, height)
                page = page or first  # where its text starts
        self.y += box.extra + box.after
        self.empty = False
        self._assign(box, page or self.page)

    def _lines(self, lines: int, line: int, widow: bool, height: int) -> int:
        """Place `lines` lines, breaking the page where they run out; the page of the first line."""
        first = None
        while True:
            fit = max(0, int((height - self.y) // line))
            if fit >= lines:
                self.y += lines * line
                return first or self.page
            if widow and lines - fit == 1:
                fit -= 1  # no widow: the last line does not go alone
            if widow and fit < 2 and not self.empty:
                fit = 0   # no orphan: neither does the first
            if fit <= 0 and self.empty:
                fit = 1   # a line taller than the page
            if fit > 0:
                first = first or self.page
                self.y += fit * line
                lines -= fit
            self._new_page(forced=False)

    def _chain(self, boxes: list[_Box], i: int) -> int:
        """Height a keep-with-next paragraph needs: itself, the keep-with-next paragraphs after it and the
        first line of what follows them."""
        need, j = 0, i
        while j < len(boxes) and not boxes[j].row and boxes[j].keep_next and len(boxes[j].segments) == 1:
            need += boxes[j].height
            j += 1
        if j < len(boxes):
            nxt = boxes[j]
            need += nxt.first_line if nxt.row else nxt.before + nxt.line * (min(nxt.segments[0], 2) if nxt.widow else 1)
        return need

    def _place_row(self, box: _Box, height: int) -> None:
        if box.table is not self._table:  # a new table: no header rows to repeat yet
            self._table, self.repeat = box.table, 0
        if box.header:
            self.repeat += box.line
        header_again = min(self.repeat, height // 2) if not box.header else 0
        if not self.empty and self.y + (box.line if box.cant_split else box.first_line) > height:
            self._new_page(forced=False)
            self.y = header_again
        start, rest, ends = self.page, box.line, []
        while self.y + rest > height:  # the row breaks across pages: its cells' lines go on on the next
            room = max(0, height - self.y)
            ends.append(box.line - rest + room)
            rest -= room
            self._new_page(forced=False)
            self.y = header_again
        self.y += rest
        self.empty = False
        self._assign(box, start, tuple(ends))


def _contextual(boxes: list[_Box]) -> None:
    """Drop the spacing `w:contextualSpacing` asks to drop: a paragraph's next to one of its own style."""
    for a, b in zip(boxes, boxes[1:]):
        if not a.row and not b.row and a.style == b.style:
            a.after = 0 if a.contextual else a.after
            b.before = 0 if b.contextual else b.before


# --- XML helpers ----------------------------------------------------------------------





def _int(value, default: int) -> int:
    try:
        return int(float(value)) if value is not None else default
    except (ValueError, OverflowError):
        return default


def _on_attr(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "on")




class CutStyles:
    """Styles the loader cut from the styles part unparsed (its table styles, most of a Word styles part),
    as XML text by style id: each is parsed, under the part's own root tag (which declares the namespaces),
    the first time a table asks for it."""

    def __init__(self, head: bytes, chunks: dict[str, bytes]) -> None:
        self.head, self.chunks = head, chunks
        self._parsed: dict[str, object] = {}

    def get(self, style_id: str):
        if style_id not in self._parsed:
            chunk = self.chunks.get(style_id)
            found = None
            if chunk is not None:
                try:
                    found = etree.fromstring(self.head + chunk + b"</w:styles>",
                                             etree.XMLParser(resolve_entities=False)).find(w("style"))
                except etree.XMLSyntaxError:
                    found = None
            self._parsed[style_id] = found
        return self._parsed[style_id]
