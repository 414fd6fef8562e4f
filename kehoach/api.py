"""`kehoach.extract`: the real bulk run (pipeline.batch) into a folder, read back as typed DataFrames.

The run writes Parquet, and the frames are read from it with pandas' nullable
types, so they are typed as the Parquet output is (pipeline.write): Int64
for integers with gaps, boolean, string, datetime.date for dates. Without
`out` the run goes to a temporary folder that lives as long as the result;
with `out` it is an ordinary output folder, resumable like the command's.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path

import pandas as pd

TABLES = ("documents", "legal_bases", "sections", "attendance", "budget_tables", "budget_lines", "flags", "errors")


class Extraction:
    """One DataFrame per contract table (`documents`, `budget_lines`, `flags`, …) and the run's summary."""

    def __init__(self, out_dir: Path, summary, temporary: bool = False):
        self.out_dir = Path(out_dir)
        self.summary = summary
        for name in TABLES:
            setattr(self, name, pd.read_parquet(self.out_dir / f"{name}.parquet", dtype_backend="numpy_nullable"))
        if temporary:
            self._cleanup = weakref.finalize(self, shutil.rmtree, str(self.out_dir), True)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

    def report(self, path: str | Path | None = None, crops: bool = True) -> Path:
        """Write the HTML review report into `path` (default OUT/report); return its index.html."""
        from pipeline.report import write_report

        return write_report(self.out_dir, crops=crops, dest=Path(path) if path is not None else None)

    def __repr__(self) -> str:
        counts = ", ".join(f"{name} {len(getattr(self, name))}" for name in TABLES)
        return f"<kehoach.Extraction {self.out_dir}: {counts}>"


def extract(inputs: str | Path | list[str | Path], workers: int | None = None, out: str | Path | None = None,
            timeout: float | None = 120.0, max_memory_mb: int | None = 2048, progress: bool = False) -> Extraction:
    """Extract files, folders, glob patterns or .zip archives, as `kehoach extract` does.

    workers: processes (None: one per core; 0: in this process, without limits).
    out: the output folder (kept); None: a temporary one, removed with the result.
    """
    from pipeline.batch import Options, run_batch

    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    given = [str(p) for p in inputs]
    missing = [p for p in given if not Path(p).exists() and not _matches(p)]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(missing)}")
    # absolute, so the report finds the files again from any working folder (source_paths do not change)
    absolute = [os.path.abspath(p) for p in given]
    temporary = out is None
    out_dir = Path(tempfile.mkdtemp(prefix="kehoach-")) if temporary else Path(out)
    opts = Options(workers=workers or 0, timeout=timeout, max_memory_mb=max_memory_mb, format="parquet",
                   quiet=not progress, in_process=workers == 0)
    try:
        summary = run_batch(absolute, out_dir, opts)
    except BaseException:
        if temporary:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    return Extraction(out_dir, summary, temporary)


def _matches(pattern: str) -> bool:
    import glob

    return glob.has_magic(pattern) and bool(glob.glob(pattern, recursive=True))
