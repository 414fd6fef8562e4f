"""CSV output per the contract: UTF-8 with BOM, NFC, integers without separators.

Rows stream into hidden part files as documents finish; `close()` moves them
into place with os.replace, so a crash or Ctrl-C never leaves a half-written
table where a complete one is expected.
"""
from __future__ import annotations

import csv
import os
import unicodedata
from dataclasses import asdict
from datetime import date
from pathlib import Path

from models.records import TABLES, Extraction, columns

TABLE_FIELDS = {
    "documents.csv": lambda ex: [ex.document],
    "legal_bases.csv": lambda ex: ex.legal_bases,
    "sections.csv": lambda ex: ex.sections,
    "attendance.csv": lambda ex: ex.attendance,
    "budget_tables.csv": lambda ex: ex.budget_tables,
    "budget_lines.csv": lambda ex: ex.budget_lines,
    "flags.csv": lambda ex: ex.flags,
    "errors.csv": lambda ex: ex.errors,
}


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return unicodedata.normalize("NFC", str(value))


class CsvSink:
    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self.files = {}
        self.writers = {}
        for name, record_type in TABLES.items():
            part = out_dir / f".{name}.part"
            f = open(part, "w", encoding="utf-8-sig", newline="")
            w = csv.writer(f)
            w.writerow(columns(record_type))
            self.files[name], self.writers[name] = f, w

    def add(self, ex: Extraction) -> None:
        for name, rows_of in TABLE_FIELDS.items():
            for row in rows_of(ex):
                self.writers[name].writerow([cell(v) for v in asdict(row).values()])
            self.files[name].flush()

    def close(self) -> None:
        for name, f in self.files.items():
            f.close()
            os.replace(self.out_dir / f".{name}.part", self.out_dir / name)

    def __enter__(self) -> "CsvSink":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
