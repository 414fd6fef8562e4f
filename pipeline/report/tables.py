"""An output folder's tables as pandas DataFrames of text, whatever format the run wrote.

The report works from what a run left behind, so it reads the contract's CSVs
when they are there, else the Parquet files, else the workbook, and turns every
value into the CSV's text ("" for empty, "true"/"false", ISO dates): one shape
for the pages to format. Missing tables are empty frames with the contract's
columns, so an old or partial output folder still gives a report.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from models.records import TABLES, columns
from pipeline.write import cell

from pipeline.write import plain  # CSV text a spreadsheet would evaluate carries a leading "'": undone here

NAMES = [n.removesuffix(".csv") for n in TABLES]


class NoTables(Exception):
    """The folder holds no tables of a run (no CSV, Parquet or workbook)."""


def _text(df: pd.DataFrame) -> pd.DataFrame:
    """Every value as the CSV writes it."""
    out = df.astype(object).where(df.notna(), None)
    for c in out.columns:
        out[c] = [cell(v.date() if isinstance(v, datetime) else v) for v in out[c]]
    return out


def _with_columns(df: pd.DataFrame, name: str) -> pd.DataFrame:
    want = columns(TABLES[f"{name}.csv"])
    for c in want:
        if c not in df.columns:
            df[c] = ""
    return df


def load_tables(out_dir: Path) -> dict[str, pd.DataFrame]:
    """{table name without .csv: DataFrame of str}."""
    out_dir = Path(out_dir)
    if (out_dir / "documents.csv").is_file():
        read = lambda n: pd.read_csv(out_dir / f"{n}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        found = {n: read(n).map(plain) for n in NAMES if (out_dir / f"{n}.csv").is_file()}
    elif (out_dir / "documents.parquet").is_file():
        found = {n: _text(pd.read_parquet(out_dir / f"{n}.parquet")) for n in NAMES
                 if (out_dir / f"{n}.parquet").is_file()}
    elif (out_dir / "tables.xlsx").is_file():
        sheets = pd.read_excel(out_dir / "tables.xlsx", sheet_name=None, dtype=object)
        found = {n: _text(sheets[n]) for n in NAMES if n in sheets}
    else:
        raise NoTables(f"{out_dir}: no tables found (documents.csv, documents.parquet or tables.xlsx)")
    tables = {}
    for n in NAMES:
        df = found.get(n)
        if df is None:
            df = pd.DataFrame({c: pd.Series(dtype=object) for c in columns(TABLES[f"{n}.csv"])})
        tables[n] = _with_columns(df, n)
    return tables
