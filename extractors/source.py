"""Stamp a row with where it was read: page, box and block reference (docs/conventions.md,
"Provenance"). Extractors call this and stay blind to the format: the boxes, pages and line
ranges are the loaders' (models.document.Block)."""
from __future__ import annotations

from typing import TypeVar

from models.document import Block, format_box

R = TypeVar("R")


def stamp(record: R, block: Block, row: int | None = None) -> R:
    """`row` is an index into `block.rows` (header rows counted), None for the whole block."""
    record.page = block.page if row is None else block.row_page(row)  # type: ignore[attr-defined]
    record.bbox = format_box(block.bbox if row is None else block.row_box(row))  # type: ignore[attr-defined]
    record.source_ref = block.ref(row)  # type: ignore[attr-defined]
    return record
