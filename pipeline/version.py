"""What a stored result was made with, so a rerun knows when to redo it.

`PIPELINE_VERSION` is bumped by hand when the meaning of the output changes.
`pipeline_version()` adds a fingerprint of the code that makes the rows
(extractors, models, loaders, run/reconcile), so that a code change redoes
every document even when nobody remembered to bump the number: a stale row
is worse than a slower rerun.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PIPELINE_VERSION = "0.4.1"

_ROOT = Path(__file__).resolve().parents[1]
_SOURCES = ("extractors", "models", "pipeline/loaders", "pipeline/run.py", "pipeline/reconcile.py", "pipeline/provenance.py")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 over the row-making sources, in path order (12 hex digits)."""
    h = hashlib.sha256()
    for name in _SOURCES:
        target = _ROOT / name
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for f in files:
            if f.is_file():
                h.update(f.relative_to(_ROOT).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:12]


def pipeline_version() -> str:
    """The resume key's version part: `PIPELINE_VERSION+fingerprint`."""
    return f"{PIPELINE_VERSION}+{code_fingerprint()}"
