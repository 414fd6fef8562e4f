"""Output tables per the contract: CSV (default), Parquet, or one .xlsx workbook.

CSV: UTF-8 with BOM, NFC, integers without separators. Rows stream into
hidden part files; they are moved into place with os.replace at the end, so a
crash or Ctrl-C never leaves a half-written table where a complete one is
expected. `materialise` writes the tables of a whole run from the encoded
per-document rows of the state store (pipeline.state), one document at a
time, so memory stays flat whatever the batch size. Parquet keeps the types
(integers, booleans, dates); the workbook has one sheet per table and suits
small batches (Excel stops at 1,048,576 rows a sheet).

No cell reaches a spreadsheet as a formula (docs/conventions.md, "Cells a
spreadsheet would evaluate"): a CSV text cell that starts with = + - @, a tab
or a CR gets a leading apostrophe (OWASP's advice), and so does one that
starts with an apostrophe, so that `plain` undoes it exactly; a plain number
is left alone. Workbook text cells are typed strings, never formulas.
Control characters other than tab and newline are removed from every cell.
"""
from __future__ import annotations

import csv
import os
import re
import unicodedata
import zlib
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, get_type_hints

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


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab and newline
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r", "'")   # OWASP's triggers, and the escape itself
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def clean_text(text: str) -> str:
    """NFC, without control characters (a BEL or ESC in a cell is never the plan's content)."""
    return CONTROL.sub("", unicodedata.normalize("NFC", text))


def neutralise(text: str) -> str:
    """A text a spreadsheet would read as a formula, with a leading apostrophe; plain numbers as they are."""
    if text.lstrip(" ").startswith(FORMULA_LEAD) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def plain(text: str) -> str:
    """A CSV text cell as the plan wrote it: the one apostrophe `neutralise` may have put in front removed."""
    return text[1:] if text.startswith("'") else text


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(clean_text(str(value)))


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

    def add_rows(self, tables: dict[str, list[list[object]]]) -> None:
        """One document's rows as decoded from the state store (values in column order)."""
        for name, rows in tables.items():
            w = self.writers[name]
            for row in rows:
                w.writerow([cell(v) for v in row])

    def close(self) -> None:
        for name, f in self.files.items():
            f.close()
            os.replace(self.out_dir / f".{name}.part", self.out_dir / name)

    def abort(self) -> None:
        """Leave the complete tables of the last run where they are; drop the part files."""
        for name, f in self.files.items():
            f.close()
            (self.out_dir / f".{name}.part").unlink(missing_ok=True)

    def __enter__(self) -> "CsvSink":
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


# --------------------------------------------------------------------------- whole-run outputs

FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
XLSX_MAX_CELL = 32_767


class OutputTooLarge(Exception):
    """The workbook would pass Excel's row limit: use csv or parquet."""


def output_names(fmt: str) -> list[str]:
    if fmt == "csv":
        return list(TABLES)
    if fmt == "parquet":
        return [n.replace(".csv", ".parquet") for n in TABLES]
    return ["tables.xlsx"]


def materialise(payloads: Iterable[bytes], out_dir: Path, fmt: str = "csv",
                row_counts: dict[str, int] | None = None) -> list[Path]:
    """Write the run's tables from the stored per-document rows, atomically (part file, then os.replace).

    On any failure (a full disk, Ctrl-C) the part files are removed, which frees their space, and the
    complete tables of the last run stay where they are."""
    for stale in out_dir.glob(".*.part"):
        stale.unlink()
    try:
        if fmt == "csv":
            with CsvSink(out_dir) as sink:
                for tables in _decoded(payloads):
                    sink.add_rows(tables)
        elif fmt == "parquet":
            _parquet(_decoded(payloads), out_dir)
        elif fmt == "xlsx":
            over = {k: v for k, v in (row_counts or {}).items() if v > XLSX_MAX_ROWS}
            if over:
                raise OutputTooLarge(", ".join(f"{k}: {v} rows" for k, v in over.items()) +
                                     f" (an Excel sheet holds {XLSX_MAX_ROWS}); use --format csv or parquet")
            _xlsx(_decoded(payloads), out_dir)
        else:
            raise ValueError(f"unknown format {fmt!r}")
    except BaseException:
        for part in out_dir.glob(".*.part"):
            part.unlink(missing_ok=True)
        raise
    return [out_dir / n for n in output_names(fmt)]


def _decoded(payloads: Iterable[bytes]) -> Iterator[dict[str, list[list[object]]]]:
    """The stored rows, decoded; a payload that does not decode is a damaged state store, not a crash."""
    from pipeline.state import Damaged
    from pipeline.worker import decode

    for payload in payloads:
        try:
            yield decode(payload)
        except (zlib.error, ValueError, TypeError) as e:
            raise Damaged(f"a stored document's rows cannot be read ({e})") from e


def _kind(tp: object) -> str:
    """bool, int, float, date or str, from a record field's annotation (`int | None` is int)."""
    args = set(getattr(tp, "__args__", ())) or {tp}
    for t, kind in ((bool, "bool"), (int, "int"), (float, "float"), (date, "date")):
        if t in args:
            return kind
    return "str"


def _kinds(record_type: type) -> list[str]:
    hints = get_type_hints(record_type)
    return [_kind(hints[c]) for c in columns(record_type)]


def _typed(value: object, kind: str) -> object:
    if value is None or value == "" and kind != "str":
        return None
    if kind == "date":
        return date.fromisoformat(value) if isinstance(value, str) else value
    if kind == "int" and isinstance(value, float):
        return int(value) if value.is_integer() else None
    if kind == "str":
        return clean_text(str(value))
    return value


def _parquet(docs: Iterable[dict[str, list[list[object]]]], out_dir: Path, batch_rows: int = 50_000) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(), "str": pa.string()}
    kinds = {name: _kinds(t) for name, t in TABLES.items()}
    schemas = {name: pa.schema([(c, arrow[k]) for c, k in zip(columns(t), kinds[name])]) for name, t in TABLES.items()}
    parts = {name: out_dir / f".{name.replace('.csv', '.parquet')}.part" for name in TABLES}
    writers = {name: pq.ParquetWriter(parts[name], schemas[name]) for name in TABLES}
    buffers: dict[str, list[list[object]]] = {name: [] for name in TABLES}

    def flush(name: str) -> None:
        rows = buffers[name]
        cols = list(zip(*rows)) if rows else [[] for _ in kinds[name]]
        arrays = [pa.array([_typed(v, k) for v in col], type=arrow[k]) for col, k in zip(cols, kinds[name])]
        writers[name].write_table(pa.Table.from_arrays(arrays, schema=schemas[name]))
        buffers[name] = []

    try:
        for tables in docs:
            for name, rows in tables.items():
                buffers[name].extend(rows)
                if len(buffers[name]) >= batch_rows:
                    flush(name)
        for name in TABLES:
            flush(name)
    finally:
        for w in writers.values():
            w.close()
    for name, part in parts.items():
        os.replace(part, out_dir / name.replace(".csv", ".parquet"))


def _xlsx(docs: Iterable[dict[str, list[list[object]]]], out_dir: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    kinds = {name: _kinds(t) for name, t in TABLES.items()}
    sheets = {}
    for name, t in TABLES.items():
        ws = wb.create_sheet(name.removesuffix(".csv"))
        ws.append(columns(t))
        sheets[name] = ws

    def value(v: object, kind: str, ws) -> object:
        v = _typed(v, kind)
        if isinstance(v, str):
            v = ILLEGAL_CHARACTERS_RE.sub("", v)[:XLSX_MAX_CELL]
            if v.startswith("="):  # openpyxl would store it as a formula: pin it to a string cell
                c = WriteOnlyCell(ws, value=v)
                c.data_type = "s"
                return c
        return v

    for tables in docs:
        for name, rows in tables.items():
            ks = kinds[name]
            for row in rows:
                ws = sheets[name]
                ws.append([value(v, k, ws) for v, k in zip(row, ks)])
    part = out_dir / ".tables.xlsx.part"
    wb.save(part)
    from pipeline.report.xlsx_review import try_review

    try_review(part)  # findings' cells filled, a findings sheet, frozen headers, filters
    os.replace(part, out_dir / "tables.xlsx")
