"""The unit of work shipped to a worker (local process or Dask), and what comes back.

A worker returns a compact `Result`: the document's rows already encoded
(zlib-compressed JSON, one list of values per row in column order) plus the
few numbers the parent needs for progress, resume and the summary. Encoding
on the worker keeps the parent's share of the CPU small, so two workers on
two cores really run twice as fast, and the parent never holds more than one
document's rows.

Failure results (timeout, crash, memory, refused input) are built here too,
from `models.records` only, so the parent never imports the extractors; so is
the row of an input whose bytes are another input's (`duplicate_result`).

A file name that is not valid UTF-8 reaches messages as a str with lone
surrogates, which neither UTF-8 nor SQLite accept: every string is made
encodable (`text`) before it leaves the worker. Member bytes and links to
files whose suffix lies are written under the worker's temporary folder,
which the pool points into the output folder and removes when it stops the
worker; elsewhere (Dask, in-process) folders of dead workers are swept.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import resource
import signal
import tempfile
import time
import zlib
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

from models.records import TABLES, DocumentRecord, ErrorRecord, Extraction
from pipeline.inputs import READABLE, display_name, suffix_by_content
from pipeline.version import pipeline_version

MONEY_CHECKS = frozenset({"line_arithmetic", "table_sum", "grand_total", "amount_in_words", "funding_split"})
FAULTS_ENV = "KEHOACH_TEST_FAULTS"  # test-only: "hang=.hang.txt,crash=.crash.txt,memory=.bloat.txt"
HANG_ENV = "KEHOACH_TEST_HANG_S"    # how long the "hang" fault sleeps (default an hour)
_EXTRACTION_FIELD = {"documents.csv": "document", "legal_bases.csv": "legal_bases", "sections.csv": "sections",
                     "attendance.csv": "attendance", "budget_tables.csv": "budget_tables",
                     "budget_lines.csv": "budget_lines", "flags.csv": "flags", "errors.csv": "errors"}
_COLUMNS = {name: [f.name for f in fields(t)] for name, t in TABLES.items()}


@dataclass
class Task:
    source_path: str
    path: str                  # the file (the archive, for a member); its name is used for messages
    member: str = ""
    content_hash: str = ""     # sha256 of the bytes, from the parent's read: the resume key
    data: bytes | None = None  # the bytes, when the worker cannot or should not open `path` itself
    note: str = ""             # a warning row to add (a duplicate member name), status unchanged

    @property
    def source_format(self) -> str:
        return os.path.splitext(self.member or self.path)[1].lower().lstrip(".")


@dataclass
class Result:
    source_path: str
    doc_id: str
    status: str
    payload: bytes                      # zlib(JSON {table: [[values in column order], …]})
    counts: dict[str, int] = field(default_factory=dict)
    n_flags: int = 0
    checks: dict[str, int] = field(default_factory=dict)
    in_question: int = 0                # sum of |expected − found| over the money checks
    label: str = ""                     # doc_number and title, for the summary
    failure: str = ""                   # "stage/error_type: message" of a failed document
    worker_error: str = ""              # timeout, memory, crash: the worker did not return normally
    seconds: float = 0.0
    version: str = ""
    pid: int = 0
    peak_rss_kb: int = 0
    recycle: bool = False               # the worker should be replaced (after a MemoryError)
    content_hash: str = ""              # the task's, echoed back for the state store


# --------------------------------------------------------------------------- encoding

_SURROGATE = re.compile("[\ud800-\udfff]")


def text(s: str) -> str:
    """`s` encodable as UTF-8: an undecodable file-name byte (a lone surrogate) becomes `\\xNN`."""
    return display_name(s) if _SURROGATE.search(s) else s


def _value(v: object) -> object:
    if isinstance(v, str):
        return text(v)
    return v.isoformat() if isinstance(v, date) else v


def encode(ex: Extraction) -> tuple[bytes, dict[str, int]]:
    """The document's rows as compressed JSON, and the row count per table."""
    tables: dict[str, list[list[object]]] = {}
    for name, attr in _EXTRACTION_FIELD.items():
        rows = getattr(ex, attr)
        rows = [rows] if name == "documents.csv" else rows
        cols = _COLUMNS[name]
        tables[name] = [[_value(getattr(r, c)) for c in cols] for r in rows]
    raw = json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return zlib.compress(raw, 1), {k: len(v) for k, v in tables.items()}


def decode(payload: bytes) -> dict[str, list[list[object]]]:
    return json.loads(zlib.decompress(payload))


def _int(s: str) -> int | None:
    return int(s) if re.fullmatch(r"-?\d+", s or "") else None


def summarise(ex: Extraction, *, worker_error: str = "", seconds: float = 0.0) -> Result:
    d = ex.document
    payload, counts = encode(ex)
    checks: dict[str, int] = {}
    in_question = 0
    for f in ex.flags:
        checks[f.check] = checks.get(f.check, 0) + 1
        e, s = _int(f.expected), _int(f.found)
        if f.check in MONEY_CHECKS and e is not None and s is not None:
            in_question += abs(e - s)
    failure = ""
    if d.status == "failed" and ex.errors:
        e0 = ex.errors[0]
        failure = f"{e0.stage}/{e0.error_type}: {e0.message}"
    label = " ".join(x for x in (d.doc_number, d.title[:100]) if x)
    return Result(text(d.source_path), d.doc_id, d.status, payload, counts, len(ex.flags), checks, in_question,
                  text(label), text(failure), worker_error, seconds, pipeline_version(), os.getpid(), _peak_rss_kb())


def failed_result(source_path: str, source_format: str, doc_id: str, stage: str, error_type: str, message: str,
                  *, seconds: float = 0.0, note: str = "") -> Result:
    """A failed documents row and its errors row, for a document with no extraction."""
    rec = DocumentRecord(doc_id=doc_id, source_path=source_path, source_format=source_format, status="failed")
    ex = Extraction(document=rec, errors=[ErrorRecord(source_path, stage, error_type, message)])
    if note:
        ex.errors.append(ErrorRecord(source_path, "archive", "duplicate_name", note))
    res = summarise(ex, worker_error=error_type if stage == "worker" else "", seconds=seconds)
    res.pid, res.peak_rss_kb = 0, 0
    return res


_DOC_COLS = _COLUMNS["documents.csv"]


def duplicate_result(first: Result, source_path: str, source_format: str) -> Result:
    """The documents row of an input whose bytes are `first`'s: `first`'s row under its own source_path,
    with `duplicate_of` naming `first`; the extracted rows stay under `first` alone (one set per doc_id),
    its error rows are repeated under the copy's name (errors.csv is per input)."""
    tables = decode(first.payload)
    doc = list(tables["documents.csv"][0])
    doc[_DOC_COLS.index("source_path")] = source_path
    doc[_DOC_COLS.index("duplicate_of")] = first.source_path
    if source_format:
        doc[_DOC_COLS.index("source_format")] = doc[_DOC_COLS.index("source_format")] or source_format
    out = {name: [] for name in tables}
    out["documents.csv"] = [doc]
    out["errors.csv"] = [[source_path, *row[1:]] for row in tables.get("errors.csv", [])]
    raw = json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Result(source_path, first.doc_id, first.status, zlib.compress(raw, 1), {k: len(v) for k, v in out.items()},
                  label=first.label, failure=first.failure, version=first.version,
                  content_hash=first.content_hash)


def doc_id_for(task: Task) -> str:
    """The contract's doc_id of a document that never came back (imports the pipeline: failure paths only)."""
    try:
        from pipeline.run import doc_id_of

        return doc_id_of(task.data if task.data is not None else Path(task.path).read_bytes())
    except Exception:
        return ""


def failed_for(task: Task, stage: str, error_type: str, message: str, *, seconds: float = 0.0) -> Result:
    res = failed_result(task.source_path, task.source_format, doc_id_for(task), stage, error_type, message,
                        seconds=seconds, note=task.note)
    res.content_hash = task.content_hash
    return res


# --------------------------------------------------------------------------- in the worker

def _peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _test_fault(source_path: str) -> None:
    """Test-only hook (KEHOACH_TEST_FAULTS): make chosen documents hang, crash or run out of memory."""
    spec = os.environ.get(FAULTS_ENV)
    if not spec:
        return
    for part in spec.split(","):
        kind, _, suffix = part.partition("=")
        if suffix and source_path.endswith(suffix):
            if kind == "hang":
                time.sleep(float(os.environ.get(HANG_ENV, "3600")))
            elif kind == "crash":
                import faulthandler

                faulthandler.disable()  # a test's deliberate crash needs no traceback dump
                os.kill(os.getpid(), signal.SIGSEGV)
            elif kind == "memory":
                hog = []
                while True:
                    hog.append(b"\1" * (64 * 1024 * 1024))


_swept = False


def _sweep_dead() -> None:
    """Remove the temporary folders of workers that died (killed mid-document), once per process."""
    global _swept
    if _swept:
        return
    _swept = True
    root = tempfile.gettempdir()
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        m = re.fullmatch(r"kehoach-(\d+)-[\w]+", name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _head(task: Task) -> bytes:
    if task.data is not None:
        return task.data[:65536]
    try:
        with open(task.path, "rb") as f:
            return f.read(65536)
    except OSError:
        return b""  # extract_file reports it


def _zip_names(task: Task) -> list[str]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(task.data) if task.data is not None else task.path) as zf:
        return zf.namelist()


def _extract(task: Task) -> tuple[Extraction, str]:
    """The extraction, and a note when the content's format is not the one its suffix names."""
    from pipeline.run import extract_file

    base = os.path.basename(task.member or task.path)
    suffix = os.path.splitext(base)[1].lower()
    want = suffix_by_content(suffix, _head(task), lambda: _zip_names(task))
    note = ""
    if want != suffix and suffix in READABLE:
        note = f"{text(base)}: the content is {want.lstrip('.').upper()}, not what the suffix {suffix} says; read as {want}"
    if task.data is None and want == suffix:
        path = Path(task.path)
        _test_fault(task.source_path)
        return extract_file(path, path.parent), note
    stem = base[: len(base) - len(suffix)] if suffix in READABLE else base
    name = (re.sub(r"[^\w.\-]+", "_", stem) or "document") + want
    _sweep_dead()
    with tempfile.TemporaryDirectory(prefix=f"kehoach-{os.getpid()}-") as tmp:
        path = Path(tmp) / name
        if task.data is not None:
            path.write_bytes(task.data)
        else:
            os.symlink(task.path, path)  # the loader reads it under the suffix of its content
        _test_fault(task.source_path)  # after the bytes are in the scratch folder: a kill must remove them
        return extract_file(path, path.parent), note


_OUT_OF_MEMORY = ("MemoryError", "failed to map segment", "Cannot allocate memory", "std::bad_alloc")


def process(task: Task) -> Result:
    """Extract one document; anything that goes wrong comes back as a failed Result."""
    t0 = time.perf_counter()
    if task.member and task.data is None:
        return failed_for(task, "archive", "corrupt",
                          f"{task.member}: could not be read from {os.path.basename(task.path)}")
    try:
        ex, format_note = _extract(task)
    except MemoryError:
        res = failed_for(task, "worker", "memory", "ran out of memory (over the --max-memory-mb limit)",
                         seconds=time.perf_counter() - t0)
        res.recycle = True
        return res
    except Exception as e:  # extract_file should not raise; if it does, it is this document's crash
        return failed_for(task, "worker", "crash", f"{type(e).__name__}: {e}", seconds=time.perf_counter() - t0)
    ex.document.source_path = task.source_path
    ex.errors += [ErrorRecord(task.source_path, stage, kind, msg) for stage, kind, msg in
                  (("archive", "duplicate_name", task.note), ("load", "format_mismatch", format_note)) if msg]
    for e in ex.errors:
        e.source_path = task.source_path
    if any(m in e.message for e in ex.errors for m in _OUT_OF_MEMORY):  # a stage or a library import ran out
        res = failed_for(task, "worker", "memory", "ran out of memory (over the --max-memory-mb limit)",
                         seconds=time.perf_counter() - t0)
        res.recycle = True
        return res
    res = summarise(ex, seconds=time.perf_counter() - t0)
    res.content_hash = task.content_hash
    return res


def warm() -> None:
    """Import the extractors and loaders and build the spaCy pipeline once, before forking workers."""
    import pipeline.run  # noqa: F401
    for mod in ("pipeline.loaders.text", "pipeline.loaders.docx", "pipeline.loaders.pdf"):
        try:
            __import__(mod)
        except Exception:  # a missing optional library only matters for that format
            pass
    with tempfile.TemporaryDirectory(prefix="kehoach-warm-") as tmp:
        p = Path(tmp) / "warm.txt"
        p.write_text("UBND TỈNH A\nKẾ HOẠCH\nTổ chức hội nghị\nI. MỤC ĐÍCH\n1. Có 20 đại biểu tham dự.\n", encoding="utf-8")
        try:
            pipeline.run.extract_file(p, p.parent)
        except Exception:
            pass
