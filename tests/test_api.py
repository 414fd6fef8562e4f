"""The notebook API: `kehoach.extract` runs the real batch and hands back typed DataFrames."""
from __future__ import annotations

import csv
import datetime as dt
import gc
from pathlib import Path

import pandas as pd
import pytest

import kehoach
from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def result():
    return kehoach.extract([str(RAW)], workers=2)


def test_one_typed_frame_per_contract_table(result):
    assert set(kehoach.TABLES) == {"documents", "legal_bases", "sections", "attendance", "budget_tables",
                                   "budget_lines", "flags", "errors"}
    for name in kehoach.TABLES:
        assert isinstance(getattr(result, name), pd.DataFrame), name
    lines = result.budget_lines
    assert str(lines["amount"].dtype) == "Int64" and str(lines["row"].dtype) == "Int64"
    assert str(lines["is_total"].dtype) == "boolean"
    assert str(lines["item"].dtype).startswith("string")
    assert str(result.flags["row"].dtype) == "Int64"  # empty for findings that name no row: <NA>, not NaN
    assert result.flags["row"].isna().sum() == 2
    dates = result.legal_bases["ref_date"].dropna()
    assert len(dates) and all(isinstance(d, dt.date) for d in dates)
    docs = result.documents.set_index("source_path")
    assert docs.loc["kientuong-ubnd-2024.md", "stated_total_vnd"] == 46_670_000
    assert str(result.documents["ocr_used"].dtype) == "boolean" and not docs["ocr_used"].any()
    assert len(result.flags) == 9 and sorted(result.flags["check"].value_counts().items()) == [
        ("date_conflict", 1), ("line_arithmetic", 4), ("malformed_number", 2), ("numbering", 2)]


def test_same_rows_as_the_command(result, tmp_path: Path):
    out = tmp_path / "csv"
    assert main(["extract", str(RAW), "--out", str(out), "-q", "--workers", "0", "--no-report"]) == 0
    for name in kehoach.TABLES:
        rows = read(out / f"{name}.csv")
        frame = getattr(result, name)
        assert len(frame) == len(rows), name
        assert list(frame.columns) == list(rows[0].keys() if rows else frame.columns), name
    amounts = [int(r["amount"]) if r["amount"] else None for r in read(out / "budget_lines.csv")]
    assert [None if pd.isna(a) else int(a) for a in result.budget_lines["amount"]] == amounts


def test_report_from_the_result(result, tmp_path: Path):
    index = result.report(tmp_path / "out" / "report")
    assert index == tmp_path / "out" / "report" / "index.html" and index.is_file()
    assert len(list((tmp_path / "out" / "report" / "docs").glob("*.html"))) == 2


def test_given_out_folder_is_kept_and_temporary_one_removed(tmp_path: Path):
    r = kehoach.extract(RAW / "kientuong-ubnd-2024.md", workers=0, out=tmp_path / "kept")
    assert (tmp_path / "kept" / "flags.parquet").is_file() and len(r.flags) == 7
    r = kehoach.extract([RAW / "kientuong-ubnd-2024.md"], workers=0)
    folder = r.out_dir
    assert folder.is_dir()
    del r
    gc.collect()
    assert not folder.exists()
    assert (tmp_path / "kept" / "flags.parquet").is_file()


def test_missing_input_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no such file or folder: .*nope"):
        kehoach.extract([tmp_path / "nope"])
