"""Run the pipeline over files and folders, streaming rows to the sink."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from models.records import Extraction
from pipeline.loaders import IMAGE_SUFFIXES, SUPPORTED
from pipeline.run import extract_file
from pipeline.write import CsvSink


@dataclass
class Summary:
    documents: int = 0
    status: Counter = field(default_factory=Counter)
    checks: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)


def discover(inputs: list[Path]) -> Iterator[tuple[Path, Path]]:
    """(file, root) pairs: a folder is searched recursively and is the root of its files."""
    for item in inputs:
        if item.is_dir():
            for p in sorted(item.rglob("*")):
                if p.is_file() and not p.name.startswith((".", "~$")) and (p.suffix.lower() in SUPPORTED | IMAGE_SUFFIXES or not p.suffix):
                    yield p, item
        else:
            yield item, item.parent


def run_batch(inputs: list[Path], out_dir: Path, progress=None) -> Summary:
    summary = Summary()
    with CsvSink(out_dir) as sink:
        for path, root in discover(inputs):
            ex: Extraction = extract_file(path, root)
            sink.add(ex)
            summary.documents += 1
            summary.status[ex.document.status] += 1
            summary.checks.update(f.check for f in ex.flags)
            summary.failures.extend((e.source_path, e.message) for e in ex.errors if ex.document.status == "failed")
            if progress:
                progress(summary, ex)
    return summary
