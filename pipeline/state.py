"""The durable per-document results of an output folder (`.kehoach-state.sqlite`).

Every document's rows are committed here the moment it finishes, one
transaction per document, in WAL mode: a Ctrl-C, SIGTERM or kill -9 loses at
most the documents still in flight. The contract's tables are materialised
from here (pipeline.write), sorted by source_path, so an interrupted and
resumed run, a parallel run and a serial run all give the same files. A
rerun reads `known()` to skip documents whose content hash and pipeline
version are unchanged. A lock file keeps two runs out of one folder.

A store that is not a database or whose pages are damaged (a disk fault, a
copy cut short, someone's editor) is moved aside as
`.kehoach-state.sqlite.corrupt-<time>`, with a message, and a new one is
started: the run then rebuilds every document from the inputs. An I/O error
or a full disk is not damage: it is raised, and the store is left as it is.
"""
from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.worker import Result

STATE_NAME = ".kehoach-state.sqlite"
SCHEMA_VERSION = 1  # bump when the tables below change: an old store is then started afresh
LOCK_NAME = ".kehoach.lock"

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    source_path  TEXT PRIMARY KEY,
    doc_id       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    version      TEXT NOT NULL,
    status       TEXT NOT NULL,
    n_flags      INTEGER NOT NULL,
    checks       TEXT NOT NULL,
    counts       TEXT NOT NULL,
    in_question  INTEGER NOT NULL,
    label        TEXT NOT NULL,
    failure      TEXT NOT NULL,
    worker_error TEXT NOT NULL,
    limits       TEXT NOT NULL,
    seconds      REAL NOT NULL,
    updated      REAL NOT NULL,
    payload      BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Busy(Exception):
    """Another kehoach run holds this output folder."""


class Damaged(Exception):
    """The state store's content cannot be read although the database opened (found while writing tables)."""


DAMAGE_WORDS = ("not a database", "malformed", "corrupt")


def _is_damage(e: sqlite3.DatabaseError) -> bool:
    return any(w in str(e).lower() for w in DAMAGE_WORDS)


@dataclass(frozen=True)
class Known:
    content_hash: str
    version: str
    status: str
    worker_error: str
    limits: dict


class State:
    def __init__(self, out_dir: Path):
        out_dir.mkdir(parents=True, exist_ok=True)
        self._lock = open(out_dir / LOCK_NAME, "a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            self._lock.close()
            raise Busy(f"{out_dir}: another kehoach run is writing to this folder") from e
        self.moved_aside: Path | None = None
        try:
            try:
                self.db = self._open(out_dir / STATE_NAME)
            except sqlite3.DatabaseError as e:
                if not _is_damage(e):
                    raise
                self.moved_aside = move_aside(out_dir / STATE_NAME, str(e))
                self.db = self._open(out_dir / STATE_NAME)
        except BaseException:
            self._unlock()
            raise

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # durable against a killed process; fsync at checkpoints
            problems = [r[0] for r in db.execute("PRAGMA quick_check(5)")]  # b-trees and pages, not a full scan
            if problems != ["ok"]:
                raise sqlite3.DatabaseError("database disk image is malformed: " + "; ".join(problems)[:200])
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                db.executescript("DROP TABLE IF EXISTS results; DROP TABLE IF EXISTS meta;")
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.executescript(SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    # -- meta
    def meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def generation(self) -> int:
        return int(self.meta("generation", "0"))

    def _bump(self) -> None:
        self.set_meta("generation", str(self.generation() + 1))

    # -- results
    def known(self) -> dict[str, Known]:
        rows = self.db.execute("SELECT source_path, content_hash, version, status, worker_error, limits FROM results")
        return {sp: Known(d, v, s, w, json.loads(lim)) for sp, d, v, s, w, lim in rows}

    def put(self, res: Result, limits: dict) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (res.source_path, res.doc_id, res.content_hash, res.version, res.status, res.n_flags, json.dumps(res.checks),
                 json.dumps(res.counts), res.in_question, res.label, res.failure, res.worker_error,
                 json.dumps(limits), res.seconds, time.time(), res.payload))
            self._bump()

    def drop(self, source_paths: Iterable[str]) -> int:
        paths = list(source_paths)
        if not paths:
            return 0
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("DELETE FROM results WHERE source_path=?", [(p,) for p in paths])
            self._bump()
        return len(paths)

    def payloads(self) -> Iterator[bytes]:
        """Every document's rows, in source_path order (the tables' deterministic order)."""
        for (payload,) in self.db.execute("SELECT payload FROM results ORDER BY source_path"):
            yield payload

    # -- aggregates for the summary and the manifest
    def status_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, COUNT(*) FROM results GROUP BY status ORDER BY status"))

    def check_counts(self) -> Counter:
        c: Counter = Counter()
        for (checks,) in self.db.execute("SELECT checks FROM results WHERE checks != '{}'"):
            c.update(json.loads(checks))
        return c

    def row_counts(self) -> Counter:
        c: Counter = Counter()
        for (counts,) in self.db.execute("SELECT counts FROM results"):
            c.update(json.loads(counts))
        return c

    def top_in_question(self, n: int = 10) -> list[tuple[str, str, int]]:
        return list(self.db.execute("SELECT source_path, label, in_question FROM results WHERE in_question > 0 "
                                    "ORDER BY in_question DESC, source_path LIMIT ?", (n,)))

    def failures(self, limit: int = 1000) -> list[tuple[str, str]]:
        return list(self.db.execute("SELECT source_path, failure FROM results WHERE status='failed' "
                                    "ORDER BY source_path LIMIT ?", (limit,)))

    def close(self) -> None:
        self.db.close()
        self._unlock()

    def _unlock(self) -> None:
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()

    def __enter__(self) -> "State":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def move_aside(path: Path, why: str) -> Path:
    """Rename a damaged store (and its WAL and shared-memory files, which belong to it) out of the way."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):  # kept beside it under names sqlite pairs with the moved file
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
    print(f"kehoach: the state database {path} is damaged ({why}); moved aside to {aside.name}, "
          f"rebuilding it from the inputs", file=sys.stderr)
    return aside


def stored_documents(out_dir: Path) -> int:
    """How many documents the store of `out_dir` holds (0 if none can be read), for messages after a failure."""
    path = out_dir / STATE_NAME
    if not path.is_file():
        return 0
    for options in ("mode=ro", "immutable=1"):  # read-only WAL access needs a -shm file; immutable does not
        try:
            with sqlite3.connect(f"{path.as_uri()}?{options}", uri=True, timeout=5) as db:
                return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        except sqlite3.Error:
            continue
    return 0
