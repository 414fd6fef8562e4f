"""The intermediate document model where every input format meets.

Loaders (text, Markdown, DOCX, PDF, OCR) produce a `Document`; extractors read
only this, so they never know which format the text came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "table"]
Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points from the page's top left


def union(boxes: "list[Box | None]") -> Box | None:
    found = [b for b in boxes if b is not None]
    if not found:
        return None
    return (min(b[0] for b in found), min(b[1] for b in found), max(b[2] for b in found), max(b[3] for b in found))


def format_box(box: Box | None) -> str:
    """The one written form of a box: "x0,y0,x1,y1", points with one decimal."""
    return "" if box is None else ",".join(f"{v:.1f}" for v in box)


@dataclass
class Block:
    """One paragraph, heading or table, in reading order.

    Layout tables (the two-column header, the signature table) are not tables
    here: loaders flatten them into paragraphs, left column first, because
    extractors care about their lines, not their grid.
    """

    kind: BlockKind
    text: str = ""
    page: int | None = None
    level: int = 0  # heading level hint from the source (Markdown #, Word style); 0 if none
    rows: list[list[str]] = field(default_factory=list)  # table cells; a spanned cell is ""
    bold: bool = False
    confidence: float | None = None  # mean OCR word confidence (0-100) when OCR made it
    cell_confidence: list[list[float | None]] = field(default_factory=list)  # per cell of `rows`, OCR tables only
    # Provenance, so that every row can say where it was printed whatever the format. Lists run
    # parallel to `rows`; a list whose length is not len(rows) is not trusted (see `row_page`).
    bbox: Box | None = None  # PDFs and scans: the block's box on `page`
    row_pages: list[int | None] = field(default_factory=list)  # a table cut by a page break spans pages
    row_boxes: list[Box | None] = field(default_factory=list)
    cell_boxes: list[list[Box | None]] = field(default_factory=list)
    lines: tuple[int, int] | None = None  # text and Markdown: 1-based source lines
    row_lines: list[tuple[int, int] | None] = field(default_factory=list)
    index: int = 0  # 1-based position in Document.blocks, set once the document is complete

    @property
    def is_table(self) -> bool:
        return self.kind == "table"

    def _at(self, values: list, r: int):
        return values[r] if len(values) == len(self.rows) and 0 <= r < len(values) else None

    def row_page(self, r: int) -> int | None:
        return self._at(self.row_pages, r) or self.page

    def row_box(self, r: int) -> Box | None:
        return self._at(self.row_boxes, r)

    def cell_box(self, r: int, c: int | None) -> Box | None:
        cells = self._at(self.cell_boxes, r)
        return cells[c] if cells is not None and c is not None and 0 <= c < len(cells) else None

    def ref(self, r: int | None = None) -> str:
        """"block 12", "block 12 row 3" (1-based, header rows counted), plus " lines 40-41" in text files."""
        out = f"block {self.index}" if r is None else f"block {self.index} row {r + 1}"
        span = self.lines if r is None else self._at(self.row_lines, r)
        if span:
            out += f" lines {span[0]}-{span[1]}" if span[1] != span[0] else f" line {span[0]}"
        return out

    def drop_columns(self, cols: set[int]) -> None:
        """Remove columns (a reader's spurious one) from the cells and their per-cell provenance."""
        keep = lambda row: [c for k, c in enumerate(row) if k not in cols]  # noqa: E731
        self.rows = [keep(r) for r in self.rows]
        self.cell_boxes = [keep(r) if r is not None else r for r in self.cell_boxes]
        self.cell_confidence = [keep(r) for r in self.cell_confidence]

    def append_rows(self, other: "Block", skip: int = 0, confidence: bool = True) -> None:
        """Take `other`'s rows after its first `skip` (a repeated header), with their provenance."""
        own = len(self.rows)
        aligned = [len(v) == own for v in (self.row_pages, self.row_boxes, self.cell_boxes, self.row_lines)]
        self.row_pages = (self.row_pages if aligned[0] else [self.page] * own) + \
            (other.row_pages[skip:] if len(other.row_pages) == len(other.rows) else [other.page] * (len(other.rows) - skip))
        for name, ok in zip(("row_boxes", "cell_boxes", "row_lines"), aligned[1:]):
            mine, theirs = getattr(self, name), getattr(other, name)
            mine = mine if ok else [None] * own
            setattr(self, name, mine + (theirs[skip:] if len(theirs) == len(other.rows) else [None] * (len(other.rows) - skip)))
        if confidence and self.cell_confidence and other.cell_confidence:
            self.cell_confidence.extend(other.cell_confidence[skip:])
        self.rows.extend(other.rows[skip:])


@dataclass
class Document:
    source_path: str
    source_format: str  # txt, md, docx, pdf, image
    blocks: list[Block] = field(default_factory=list)
    pages: int | None = None
    ocr_used: bool = False
    warnings: list[str] = field(default_factory=list)  # loader-level problems (garbage pages, …)
    # DOCX: where `pages` and the blocks' pages come from: "rendered" (Word's own page breaks), "explicit"
    # (explicit breaks alone), "estimated" (pipeline/loaders/docx_pages.py's flow model); "" for the formats
    # whose pages need no basis (only the DOCX loader sets it).
    page_basis: str = ""

    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind != "table"]

    def tables(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "table"]
