"""Typed rows of the output tables (see ../shared/output-contract.md).

Field order is the contract's column order; fields after the contract's are
extra columns. `doc_id` is filled in by the pipeline, not by extractors.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date


@dataclass
class DocumentRecord:
    doc_id: str = ""
    source_path: str = ""
    source_format: str = ""
    ocr_used: bool = False
    pages: int | None = None
    status: str = "ok"
    doc_type: str = ""
    doc_number: str = ""
    doc_symbol: str = ""
    issuer: str = ""
    parent_issuer: str = ""
    issue_place: str = ""
    issue_date: date | None = None
    issue_year: int | None = None
    issue_month: int | None = None
    issue_day: int | None = None
    title: str = ""
    signer_name: str = ""
    signer_title: str = ""
    signer_authority: str = ""
    stated_total_vnd: int | None = None
    n_flags: int = 0
    # extra columns
    doc_type_code: str = ""
    issuer_inferred: bool = False
    recipients: str = ""  # Nơi nhận, one per line joined with "; "
    stated_total_words: str = ""
    stated_total_words_amount: int | None = None
    funding_split: str = ""  # "label: amount; …" parts of the grand total ("Trong đó …")
    duplicate_of: str = ""  # source_path of the first input with identical bytes; its rows are written once, there
    page_basis: str = ""  # DOCX: "rendered", "explicit" or "estimated" (docs/conventions.md, "Provenance")


@dataclass
class LegalBasis:
    doc_id: str = ""
    seq: int = 0
    relation: str = "other"  # can_cu, thuc_hien, theo, other
    ref_type: str = ""
    ref_number: str = ""
    ref_date: date | None = None
    ref_issuer: str = ""
    ref_summary: str = ""
    text: str = ""
    ref_symbol: str = ""
    # provenance (docs/conventions.md, "Provenance"): where the row was read
    page: int | None = None  # 1-based page; None where the source has no pages (text, Markdown without page marks); DOCX without Word's breaks: estimated (documents.page_basis)
    bbox: str = ""  # "x0,y0,x1,y1" in PDF points from the page's top left; PDFs and scans only
    source_ref: str = ""  # "block 12", "block 12 row 3", "lines 40-45": the block (and row) in the document model


@dataclass
class Section:
    doc_id: str = ""
    section_id: str = ""
    parent_id: str = ""
    level: int = 0
    label: str = ""
    title: str = ""
    time_text: str = ""
    location: str = ""
    participants_text: str = ""
    lead_agency: str = ""
    coordinating_agencies: str = ""  # "; "-joined list
    text: str = ""
    content_text: str = ""
    # provenance (docs/conventions.md, "Provenance"): where the row was read
    page: int | None = None  # 1-based page; None where the source has no pages (text, Markdown without page marks); DOCX without Word's breaks: estimated (documents.page_basis)
    bbox: str = ""  # "x0,y0,x1,y1" in PDF points from the page's top left; PDFs and scans only
    source_ref: str = ""  # "block 12", "block 12 row 3", "lines 40-45": the block (and row) in the document model


@dataclass
class Attendance:
    doc_id: str = ""
    section_id: str = ""
    source: str = "text"  # text, table
    group: str = ""
    count: int = 0
    approx: bool = False
    unit: str = ""
    text: str = ""
    table_id: str = ""
    row: int | None = None
    is_total: bool = False
    is_subtotal: bool = False
    label: str = ""  # the row's STT as printed (I, II, 1, …)
    # provenance (docs/conventions.md, "Provenance"): where the row was read
    page: int | None = None  # 1-based page; None where the source has no pages (text, Markdown without page marks); DOCX without Word's breaks: estimated (documents.page_basis)
    bbox: str = ""  # "x0,y0,x1,y1" in PDF points from the page's top left; PDFs and scans only
    source_ref: str = ""  # "block 12", "block 12 row 3", "lines 40-45": the block (and row) in the document model


@dataclass
class BudgetTable:
    doc_id: str = ""
    table_id: str = ""
    section_id: str = ""
    title: str = ""
    stated_total: int | None = None
    computed_total: int | None = None
    words_text: str = ""
    words_amount: int | None = None
    raw_stated_total: str = ""
    ocr_confidence: float | None = None  # mean OCR confidence of the table, when read from a scan
    scale: int = 1  # đồng per printed unit: 1000 for "ĐVT: 1.000 đồng"
    scale_source: str = ""  # header, unit_line, caption (read); words, grand_total (inferred); "" (none printed)
    # provenance (docs/conventions.md, "Provenance"): where the row was read
    page: int | None = None  # 1-based page; None where the source has no pages (text, Markdown without page marks); DOCX without Word's breaks: estimated (documents.page_basis)
    bbox: str = ""  # "x0,y0,x1,y1" in PDF points from the page's top left; PDFs and scans only
    source_ref: str = ""  # "block 12", "block 12 row 3", "lines 40-45": the block (and row) in the document model


@dataclass
class BudgetLine:
    doc_id: str = ""
    table_id: str = ""
    row: int = 0
    is_total: bool = False
    item: str = ""
    unit: str = ""
    quantity: int | None = None
    unit_price: int | None = None
    amount: int | None = None
    note: str = ""
    raw_quantity: str = ""
    raw_unit_price: str = ""
    raw_amount: str = ""
    is_subtotal: bool = False  # group row (I, II, …) whose amount sums the lines under it
    quantity_kind: str = ""  # "persons" when the quantity column counts people (Số lượng đại biểu)
    quantity_value: float | None = None  # non-integer quantities ("1,5")
    malformed_fields: str = ""  # columns whose figure was malformed ("unit_price")
    ocr_confidence: float | None = None  # lowest OCR confidence of the line's figures, when read from a scan
    # provenance (docs/conventions.md, "Provenance"): where the row was read
    page: int | None = None  # 1-based page; None where the source has no pages (text, Markdown without page marks); DOCX without Word's breaks: estimated (documents.page_basis)
    bbox: str = ""  # "x0,y0,x1,y1" in PDF points from the page's top left; PDFs and scans only
    source_ref: str = ""  # "block 12", "block 12 row 3", "lines 40-45": the block (and row) in the document model
    quantity_bbox: str = ""  # box of each figure cell, same convention as bbox
    unit_price_bbox: str = ""
    amount_bbox: str = ""


@dataclass
class Flag:
    doc_id: str = ""
    check: str = ""
    severity: str = "error"  # error, warning, info
    table_id: str = ""
    row: int | None = None
    section_id: str = ""
    expected: str = ""
    found: str = ""
    message: str = ""
    # provenance (docs/conventions.md, "Provenance"): where the row was read
    page: int | None = None  # 1-based page; None where the source has no pages (text, Markdown without page marks); DOCX without Word's breaks: estimated (documents.page_basis)
    bbox: str = ""  # "x0,y0,x1,y1" in PDF points from the page's top left; PDFs and scans only
    source_ref: str = ""  # "block 12", "block 12 row 3", "lines 40-45": the block (and row) in the document model


@dataclass
class ErrorRecord:
    source_path: str = ""
    stage: str = ""
    error_type: str = ""
    message: str = ""


@dataclass
class Extraction:
    """Everything one document yields; the unit the writer and the checks consume."""

    document: DocumentRecord
    legal_bases: list[LegalBasis] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)
    budget_tables: list[BudgetTable] = field(default_factory=list)
    budget_lines: list[BudgetLine] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)


# Output file name -> record type, in the contract's order.
TABLES: dict[str, type] = {
    "documents.csv": DocumentRecord,
    "legal_bases.csv": LegalBasis,
    "sections.csv": Section,
    "attendance.csv": Attendance,
    "budget_tables.csv": BudgetTable,
    "budget_lines.csv": BudgetLine,
    "flags.csv": Flag,
    "errors.csv": ErrorRecord,
}


def columns(record_type: type) -> list[str]:
    return [f.name for f in fields(record_type)]
