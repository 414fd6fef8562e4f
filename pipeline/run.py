"""The stages, in order: load → zones → header → legal bases → sections →
attendance → budget → events → reconcile. Each stage is a plain function
over typed values; this module only wires them and keeps failures contained,
so one bad stage or file never loses the rest.
"""
from __future__ import annotations

import hashlib
import traceback
from pathlib import Path
from typing import Callable, TypeVar

from extractors.attendance import extract_attendance
from extractors.budget import BudgetResult, extract_budget
from extractors.events import extract_events
from extractors.header import extract_header, extract_signature
from extractors.legal_bases import extract_legal_bases
from extractors.sections import SectionTree, build_sections
from extractors.zones import split_zones
from models.document import Document
from models.records import DocumentRecord, ErrorRecord, Extraction
from pipeline.loaders import load
from pipeline.loaders.errors import LoadError, TooLargeError
from pipeline.provenance import locate_flags
from pipeline.reconcile import reconcile

MAX_BYTES = 200 * 1024 * 1024
T = TypeVar("T")


def doc_id_of(data: bytes) -> str:
    """'d' + 16 hex digits of the content's SHA-256: the letter keeps Excel and pandas from reading
    an id such as '20798713e3999771' as a number."""
    return "d" + hashlib.sha256(data).hexdigest()[:16]


def relative(path: Path, root: Path) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path.name)
    return rel.as_posix() if str(rel) != "." else path.name


def extract_document(doc: Document, record: DocumentRecord | None = None) -> Extraction:
    """All extractors and checks over one loaded document."""
    rec = record or DocumentRecord(source_path=doc.source_path, source_format=doc.source_format)
    ex = Extraction(document=rec)
    rec.pages, rec.ocr_used, rec.page_basis = doc.pages, doc.ocr_used, doc.page_basis

    def stage(name: str, fn: Callable[[], T], default: T) -> T:
        try:
            return fn()
        except Exception as e:  # an extractor bug must not lose the other stages' rows
            ex.errors.append(ErrorRecord(rec.source_path, name, "internal_error",
                                         f"{type(e).__name__}: {e} (at {traceback.extract_tb(e.__traceback__)[-1].name})"))
            return default

    for k, block in enumerate(doc.blocks, start=1):
        block.index = k  # provenance: "block 12" in source_ref
    zones = split_zones(doc)
    body_blocks = zones.body + zones.appendix
    body_text = " ".join(b.text for b in doc.blocks if not b.is_table)
    header = stage("header", lambda: extract_header(zones, body_text), None)
    if header is not None:
        for name in ("doc_type", "doc_number", "doc_symbol", "issuer", "parent_issuer", "issue_place", "issue_date",
                     "issue_year", "issue_month", "issue_day", "title", "doc_type_code", "issuer_inferred"):
            setattr(rec, name, getattr(header, name))
    sig = stage("signature", lambda: extract_signature(zones.closing), ("", "", "", ""))
    rec.signer_authority, rec.signer_title, rec.signer_name, rec.recipients = sig
    ex.legal_bases = stage("legal_bases", lambda: extract_legal_bases(zones.preamble), [])
    tree = stage("sections", lambda: build_sections(body_blocks), SectionTree([], [], {}))
    ex.sections = tree.sections
    table_ids = {id(b): f"T{i}" for i, b in enumerate(doc.tables(), start=1)}
    ex.attendance = stage("attendance", lambda: extract_attendance(body_blocks, tree.block_section, table_ids), [])
    titles = {s.section_id: s.title for s in tree.sections}
    budget = stage("budget", lambda: extract_budget(body_blocks, tree.block_section, table_ids, titles), BudgetResult())
    ex.budget_tables, ex.budget_lines = budget.tables, budget.lines
    grand = budget.grand_total
    if grand is not None:
        rec.stated_total_vnd = grand.amount
        rec.stated_total_words, rec.stated_total_words_amount = grand.words_text, grand.words_amount
        rec.funding_split = "; ".join(f"{label}: {amount}" for label, amount in grand.split)
    for total in budget.unread:
        ex.errors.append(ErrorRecord(rec.source_path, "budget", "warning",
                                     f"a budget table could not be read (its total row '{total}' stands outside any "
                                     "table); the plan's grand total was not checked"))
        rec.status = "partial"
    events = stage("events", lambda: extract_events(body_blocks, tree.block_section, tree.sections), [])
    ex.flags = stage("reconcile", lambda: reconcile(budget, ex.attendance, tree.sections, events, tree.flags), [])
    stage("provenance", lambda: locate_flags(ex, budget), None)
    if not doc.blocks or (zones.type_line is None and not ex.legal_bases and len(ex.sections) < 2):
        rec.status = "partial" if doc.blocks else "failed"
        ex.errors.append(ErrorRecord(rec.source_path, "classify", "not_a_plan",
                                     "no plan structure found (no 'KẾ HOẠCH' heading, legal bases or numbered sections)"))
    elif rec.doc_type and rec.doc_type != "Kế hoạch":
        rec.status = "partial"
        ex.errors.append(ErrorRecord(rec.source_path, "classify", "not_a_plan",
                                     f"the document is a {rec.doc_type}, not a Kế hoạch; fields were extracted as for a plan"))
    for w in doc.warnings:
        ex.errors.append(ErrorRecord(rec.source_path, "load", "warning", w))
        rec.status = "partial"
    if any(e.error_type == "internal_error" for e in ex.errors):
        rec.status = "partial"
    return ex


def extract_file(path: Path, root: Path) -> Extraction:
    """Load and extract one file; an expected failure becomes a failed row, never an exception."""
    source = relative(path, root)
    rec = DocumentRecord(source_path=source, source_format=path.suffix.lower().lstrip("."))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise TooLargeError(f"{path.name}: {size // (1024 * 1024)} MB is over the {MAX_BYTES // (1024 * 1024)} MB limit")
        data = path.read_bytes()
        rec.doc_id = doc_id_of(data)
        doc = load(path)
    except LoadError as e:
        rec.status = "failed"
        return Extraction(document=rec, errors=[ErrorRecord(source, "load", e.error_type, str(e))])
    except OSError as e:
        rec.status = "failed"
        return Extraction(document=rec, errors=[ErrorRecord(source, "load", "unreadable", f"{path.name}: {e.strerror or e}")])
    except Exception as e:  # a library choking on a malformed file is a bad file, not a crash
        rec.status = "failed"
        return Extraction(document=rec, errors=[ErrorRecord(source, "load", "corrupt", f"{path.name}: could not be parsed ({type(e).__name__}: {e})")])
    doc.source_path = source
    rec.source_format = doc.source_format
    ex = extract_document(doc, rec)
    for rows in (ex.legal_bases, ex.sections, ex.attendance, ex.budget_tables, ex.budget_lines, ex.flags):
        for r in rows:
            r.doc_id = rec.doc_id
    rec.n_flags = len(ex.flags)
    return ex
