"""The intermediate document model where every input format meets.

Loaders (text, Markdown, DOCX, PDF, OCR) produce a `Document`; extractors read
only this, so they never know which format the text came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "table"]


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

    @property
    def is_table(self) -> bool:
        return self.kind == "table"


@dataclass
class Document:
    source_path: str
    source_format: str  # txt, md, docx, pdf, image
    blocks: list[Block] = field(default_factory=list)
    pages: int | None = None
    ocr_used: bool = False
    warnings: list[str] = field(default_factory=list)  # loader-level problems (garbage pages, …)

    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind != "table"]

    def tables(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "table"]
