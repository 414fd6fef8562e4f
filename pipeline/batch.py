"""A bulk run: discover → plan (skip what is unchanged) → extract in parallel → store → write tables.

Every finished document is committed to the output folder's state store
(pipeline.state) before the next one is taken, so an interrupted run loses
nothing already done; the contract's tables are then written from the store
in source_path order, at the end and also on Ctrl-C / SIGTERM. A rerun hashes
the inputs and skips each document whose content hash (sha256) and pipeline
version are what the store holds; changed documents are redone and removed
ones dropped, so the tables always mirror the inputs of the last run, with
no duplicated rows. The main process never imports the extractors: workers
(pipeline.parallel) or a Dask cluster (pipeline.cluster) do the extracting.

Inputs with identical bytes share a doc_id: the first by source_path is
extracted, each other one gets a documents row of its own with
`duplicate_of` naming the first, and no extracted rows, so a join on doc_id
counts each document once. A folder that cannot be read is an error row and
hides nothing: the results of earlier runs under it are kept, not dropped.

Interrupts: the first Ctrl-C (or SIGTERM) stops the extraction and the tables
are written; one more while they are written is noted and waited out; a
third stops at once and says truthfully that the tables were not written.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version as package_version
from pathlib import Path
from typing import Iterator

from pipeline.archive import ArchiveError, Member, MAX_MEMBER_BYTES, ZipReader
from pipeline.inputs import Item, discover, display_name
from pipeline.manifest import RunReport, write_manifest
from pipeline.progress import Progress
from pipeline.state import Known, State
from pipeline.version import pipeline_version
from pipeline.worker import Result, Task, duplicate_result, failed_result
from pipeline.write import materialise, output_names

MAX_BYTES = MAX_MEMBER_BYTES  # the same 200 MB as pipeline.run.MAX_BYTES: bigger files are not hashed here
SCRATCH_NAME = ".kehoach-tmp"  # workers' temporary files, inside OUT, removed when the run ends


class TablesNotWritten(KeyboardInterrupt):
    """Interrupted again while the tables were being written: they were not."""


@dataclass
class Options:
    workers: int = 0                 # 0 with no scheduler: all cores; see `resolve_workers`
    timeout: float | None = 120.0
    max_memory_mb: int | None = 2048
    format: str = "csv"
    scheduler: str | None = None
    retry_failed: bool = False
    quiet: bool = False
    progress_bar: bool | None = None  # None: a bar when stderr is a terminal
    in_process: bool = False          # --workers 0: no pool, no guards (debugging)


@dataclass
class Summary:
    """What `cmd_extract` prints and tests look at."""

    documents: int = 0
    status: Counter = field(default_factory=Counter)
    checks: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    report: RunReport | None = None


def resolve_workers(n: int) -> int:
    if n > 0:
        return n
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _hash_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _read(item: Item, reader: ZipReader) -> bytes:
    if item.member:
        return reader.read(item.path, Member(item.member, item.size, item.index))
    return Path(item.path).read_bytes()


def _too_large(item: Item) -> Result:
    mb = 1024 * 1024
    return failed_result(item.source_path, item.suffix.lstrip("."), "", "load", "too_large",
                         f"{Path(item.path).name}: {item.size // mb} MB is over the {MAX_BYTES // mb} MB limit")


def _redo(known: Known | None, digest: str, version: str, opts: Options) -> bool:
    """Whether a stored result must be made again (new content, new pipeline, or a failure worth retrying)."""
    if known is None or known.content_hash != digest or known.version != version:
        return True
    if known.status == "failed" and opts.retry_failed:
        return True
    lim = known.limits
    if known.worker_error == "timeout":  # a longer limit deserves another try; so does no limit
        return opts.timeout is None or opts.timeout > (lim.get("timeout") or float("inf"))
    if known.worker_error == "memory":
        return opts.max_memory_mb is None or opts.max_memory_mb > (lim.get("max_memory_mb") or float("inf"))
    return False


class _Run:
    def __init__(self, inputs: list[str], out_dir: Path, opts: Options):
        self.inputs, self.out_dir, self.opts = inputs, out_dir, opts
        self.version = pipeline_version()
        self.limits = {"timeout": opts.timeout, "max_memory_mb": opts.max_memory_mb}
        self.t: dict[str, float] = {}
        self.run_status: Counter = Counter()
        self.worker_errors: Counter = Counter()
        self.peak_rss: dict[int, int] = {}
        self.processed = self.skipped = self.dropped = self.duplicates = 0
        self.versions_seen: set[str] = set()
        self.copies: dict[str, list[Item]] = {}  # first source_path → its duplicates to (re)write

    def plan(self, state: State) -> tuple[list[Item], list[str]]:
        """Store what needs no worker, drop removed and stale results, and list the items to extract."""
        t0 = time.perf_counter()
        items, rejected, _ = discover(self.inputs)
        self.t["discover"] = time.perf_counter() - t0
        known = state.known()
        current = {i.source_path for i in items} | {r.source_path for r in rejected}
        hidden = tuple(r.hides for r in rejected if r.hides is not None)  # under a folder we could not read
        self.dropped = state.drop(sorted(p for p in set(known) - current if not (hidden and p.startswith(hidden))))
        for r in rejected:
            k = known.get(r.source_path)
            if k is None or k.version != self.version or k.content_hash:
                self._store(state, failed_result(r.source_path, r.source_format, "", r.stage, r.error_type, r.message))
            else:
                self.skipped += 1
        hashed: list[tuple[Item, str]] = []
        with ZipReader() as reader:  # each archive opened once for the whole pass
            for item in sorted(items, key=lambda i: i.source_path):
                k = known.get(item.source_path)
                try:
                    if item.size > MAX_BYTES and not item.member:
                        if _redo(k, "", self.version, self.opts):
                            self._store(state, _too_large(item))
                        else:
                            self.skipped += 1
                        continue
                    digest = hashlib.sha256(_read(item, reader)).hexdigest() if item.member else _hash_file(item.path)
                except ArchiveError as e:
                    if k is None or k.version != self.version or k.content_hash:
                        self._store(state, failed_result(item.source_path, item.suffix.lstrip("."), "", "archive",
                                                         e.error_type, str(e)))
                    else:  # the same member failed the same way last run: a rerun has nothing to redo
                        self.skipped += 1
                    continue
                except OSError:
                    digest = ""  # the worker meets the same problem and reports it as unreadable
                hashed.append((item, digest))
        first: dict[str, Item] = {}
        copies: list[tuple[Item, str, Item]] = []
        todo: list[Item] = []
        stale: list[str] = []
        hashes: list[str] = []
        for item, digest in hashed:  # in source_path order: the first of identical inputs is extracted
            if digest and digest in first:
                copies.append((item, digest, first[digest]))
                continue
            if digest:
                first[digest] = item
            k = known.get(item.source_path)
            was_copy = k is not None and bool(k.limits.get("duplicate_of"))  # its first is gone: extract it now
            if was_copy or _redo(k, digest, self.version, self.opts):
                todo.append(item)
                hashes.append(digest)
                if k is not None:
                    stale.append(item.source_path)
            else:
                self.skipped += 1
        self.duplicates = len(copies)
        redone = {i.source_path for i in todo}
        for item, digest, orig in copies:
            k = known.get(item.source_path)
            if (k is not None and orig.source_path not in redone and k.content_hash == digest
                    and k.version == self.version and k.limits.get("duplicate_of") == orig.source_path):
                self.skipped += 1
                continue
            if k is not None:
                stale.append(item.source_path)
            if orig.source_path not in redone:  # its row is made from the first's result: get that again
                redone.add(orig.source_path)
                todo.append(orig)
                hashes.append(digest)
                self.skipped -= 1
            self.copies.setdefault(orig.source_path, []).append(item)
        state.drop(stale)  # an interrupted rerun must not show the old rows of a changed document
        order = sorted(range(len(todo)), key=lambda i: -todo[i].size)  # biggest first: a shorter tail
        self.t["plan"] = time.perf_counter() - t0 - self.t["discover"]
        return [todo[i] for i in order], [hashes[i] for i in order]

    def tasks(self, todo: list[Item], hashes: list[str], ship_bytes: bool) -> Iterator[Task]:
        """Tasks made lazily, so at most the in-flight documents' bytes are held here."""
        with ZipReader() as reader:
            for item, digest in zip(todo, hashes):
                data = None
                if item.member or ship_bytes:
                    try:
                        data = _read(item, reader)
                    except (OSError, ArchiveError):
                        data = None  # a member: the worker reports it unreadable; a file: the worker tries itself
                yield Task(item.source_path, item.path, item.member, digest, data, item.note)

    def results(self, todo: list[Item], hashes: list[str]) -> Iterator[Result]:
        o = self.opts
        if o.scheduler:
            from pipeline.cluster import run_dask

            return run_dask(self.tasks(todo, hashes, ship_bytes=True), o.scheduler, o.timeout)
        if o.in_process:
            from pipeline.parallel import run_serial

            return run_serial(self.tasks(todo, hashes, ship_bytes=False))
        from pipeline.parallel import LocalPool

        pool = LocalPool(min(resolve_workers(o.workers), max(1, len(todo))), o.timeout, o.max_memory_mb,
                         scratch=self.out_dir / SCRATCH_NAME)
        return pool.run(self.tasks(todo, hashes, ship_bytes=False))

    def _store(self, state: State, res: Result, limits: dict | None = None) -> None:
        state.put(res, limits or self.limits)
        self.processed += 1
        self.run_status[res.status] += 1
        if res.worker_error:
            self.worker_errors[res.worker_error] += 1
        if res.pid:
            self.peak_rss[res.pid] = max(self.peak_rss.get(res.pid, 0), res.peak_rss_kb)
        if res.version:
            self.versions_seen.add(res.version)

    def execute(self, state: State, progress: Progress, todo: list[Item], hashes: list[str]) -> None:
        t0 = time.perf_counter()
        results = self.results(todo, hashes)
        try:
            for res in results:
                self._store(state, res)
                for copy in self.copies.pop(res.source_path, []):
                    self._store(state, duplicate_result(res, copy.source_path, copy.suffix.lstrip(".")),
                                {**self.limits, "duplicate_of": res.source_path})
                progress.update(res)
        finally:
            results.close()  # stops the workers at once, also on Ctrl-C
            self.t["extract"] = time.perf_counter() - t0
            progress.close()


class _Interrupts:
    """SIGINT and SIGTERM during a run: see the module doc. A second Ctrl-C 20 ms after the first must
    not cut the writing of the tables short while the message says they were written."""

    def __init__(self) -> None:
        self.writing = False
        self.deferred = 0

    def __call__(self, signum, frame) -> None:
        if not self.writing:
            self.writing = True  # from here on, the tables are being written: do not cut that short
            raise KeyboardInterrupt
        self.deferred += 1
        if self.deferred == 1:
            print("kehoach: stopping; writing the tables of the documents finished so far "
                  "(interrupt once more to stop without them)", file=sys.stderr, flush=True)
            return
        raise TablesNotWritten("interrupted while writing the tables: they were not written (tables of an earlier "
                               "run, if any, are unchanged); run the same command again: it resumes where it "
                               "stopped and writes them")


def run_batch(inputs: list[str | Path], out_dir: Path, opts: Options | None = None) -> Summary:
    """Run the batch; on KeyboardInterrupt (Ctrl-C or SIGTERM) write the tables, then re-raise."""
    opts = opts or Options()
    run = _Run([str(p) for p in inputs], out_dir, opts)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t_start = time.perf_counter()
    handler = _Interrupts()
    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)} if _main_thread() else {}
    interrupted = False
    scratch = out_dir / SCRATCH_NAME
    try:
        with State(out_dir) as state:
            shutil.rmtree(scratch, ignore_errors=True)  # left by a run that was killed
            try:
                todo, hashes = run.plan(state)
                progress = Progress(len(todo), skipped=run.skipped, quiet=opts.quiet, bar=opts.progress_bar)
                if todo:
                    run.execute(state, progress, todo, hashes)
                else:
                    progress.close()
            except TablesNotWritten:
                raise
            except KeyboardInterrupt:
                interrupted = True
            handler.writing = True
            report = _finish(run, state, started, t_start, interrupted)
            shutil.rmtree(scratch, ignore_errors=True)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    if interrupted or handler.deferred:
        raise KeyboardInterrupt
    return Summary(report.documents, Counter(report.status), Counter(report.checks), report.failures, report)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _finish(run: _Run, state: State, started: str, t_start: float, interrupted: bool) -> RunReport:
    """Write the tables (unless nothing changed since they were written) and the manifest."""
    opts, out = run.opts, run.out_dir
    t0 = time.perf_counter()
    gen = state.generation()
    key = f"written:{opts.format}"
    names = output_names(opts.format)
    rows = dict(state.row_counts())
    wrote = not (state.meta(key) == str(gen) and all((out / n).exists() for n in names))
    if wrote:
        materialise(state.payloads(), out, opts.format, rows)
        state.set_meta(key, str(gen))
    run.t["write"] = time.perf_counter() - t0
    run.t["total"] = time.perf_counter() - t_start
    status = state.status_counts()
    try:
        pkg = package_version("kehoach")
    except PackageNotFoundError:
        pkg = ""
    report = RunReport(
        out_dir=out, format=opts.format, options=_options_json(opts), inputs=[display_name(i) for i in run.inputs], version=run.version,
        package_version=pkg, started=started, finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        interrupted=interrupted, documents=sum(status.values()), processed=run.processed, skipped=run.skipped,
        dropped=run.dropped, status=status, run_status=dict(run.run_status), worker_errors=dict(run.worker_errors),
        checks=dict(state.check_counts()), rows=rows, duplicates=run.duplicates, top=state.top_in_question(10), failures=state.failures(),
        timings={k: round(v, 3) for k, v in run.t.items()},
        workers=_workers_json(run), outputs=names, wrote_tables=wrote)
    if run.processed and run.t.get("extract"):
        report.timings["docs_per_s"] = round(run.processed / run.t["extract"], 2)
    write_manifest(report)
    return report


def _options_json(opts: Options) -> dict:
    d = asdict(opts)
    d.pop("progress_bar", None)
    d["workers"] = 0 if opts.in_process else (None if opts.scheduler else resolve_workers(opts.workers))
    return d


def _workers_json(run: _Run) -> dict:
    peaks = sorted(run.peak_rss.values())
    import resource

    out: dict = {"processes": len(peaks), "peak_rss_mb_max": round(peaks[-1] / 1024, 1) if peaks else None,
                 "peak_rss_mb": [round(p / 1024, 1) for p in peaks],
                 "main_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                 "main_cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 2)}
    other = sorted(v for v in run.versions_seen if v != run.version)
    if other:
        out["other_pipeline_versions"] = other  # Dask workers running other code than this client
    return out
