"""Bulk runs on real files: parallel = serial, faults contained, resume after kill, rerun, formats, Dask."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.progress import Progress
from pipeline.state import STATE_NAME
from pipeline.worker import Result

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
LOADERS = ROOT / "tests" / "data" / "loaders"
CHECK_CONTRACT = ROOT.parent / "shared" / "tools" / "check_contract.py"
TABLES = ["documents.csv", "legal_bases.csv", "sections.csv", "attendance.csv", "budget_tables.csv",
          "budget_lines.csv", "flags.csv", "errors.csv"]
KEHOACH = [sys.executable, "-m", "pipeline.cli"]


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def make_plans(folder: Path, n: int) -> list[Path]:
    """n distinct text plans (the samples with their number varied) and the DOCX/PDF samples if present."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(RAW.iterdir()) + sorted((ROOT / "tests" / "data" / "plans").glob("*.*"))
    made = []
    for i in range(n):
        src = sources[i % len(sources)]
        text = re.sub(r"Số:\s*\d*\s*/", f"Số: {i + 1}/", src.read_text(encoding="utf-8"), count=1)
        p = folder / f"{'abc'[i % 3]}" / f"plan{i:03d}{src.suffix}"
        p.parent.mkdir(exist_ok=True)
        p.write_text(text, encoding="utf-8")
        made.append(p)
    for name in ("plan.docx", "plan.pdf", "encrypted.pdf", "truncated.pdf"):
        if (LOADERS / name).exists():
            shutil.copy(LOADERS / name, folder / name)
    (folder / "empty.txt").write_bytes(b"")
    return made


def state_count(out: Path) -> int:
    try:
        with sqlite3.connect(out / STATE_NAME, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bulk") / "in"
    make_plans(folder, 18)
    return folder


@pytest.fixture(scope="module")
def reference(plans: Path, tmp_path_factory) -> Path:
    """An uninterrupted run with one worker."""
    out = tmp_path_factory.mktemp("ref")
    assert main(["extract", str(plans), "--out", str(out), "-q", "--workers", "1"]) == 0
    return out


def test_parallel_equals_serial_and_keeps_the_contract(plans: Path, reference: Path, tmp_path: Path):
    assert main(["extract", str(plans), "--out", str(tmp_path / "p2"), "-q", "--workers", "2"]) == 0
    assert main(["extract", str(plans), "--out", str(tmp_path / "p0"), "-q", "--workers", "0"]) == 0
    assert tables(tmp_path / "p2") == tables(reference) == tables(tmp_path / "p0")
    docs = read(reference / "documents.csv")
    paths = [d["source_path"] for d in docs]
    assert paths == sorted(paths) and len(set(paths)) == len(paths)  # the documented order: by source_path
    assert {d["status"] for d in docs if d["source_path"].startswith(("a/", "b/", "c/"))} == {"ok"}
    m = manifest(tmp_path / "p2")
    assert m["options"]["workers"] == 2 and m["counts"]["documents"] == len(docs)
    assert m["workers"]["processes"] == 2 and 0 < m["workers"]["peak_rss_mb_max"] < 400
    if CHECK_CONTRACT.exists():
        res = subprocess.run([sys.executable, str(CHECK_CONTRACT), str(reference)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout


def test_hang_crash_and_memory_become_worker_errors(tmp_path: Path, monkeypatch, capsys):
    inp = tmp_path / "in"
    make_plans(inp, 3)
    for kind in ("hang", "crash", "bloat"):  # distinct bytes: identical files would be extracted once
        text = (RAW / "kiengiang-stttt-2024.txt").read_text(encoding="utf-8")
        (inp / f"x.{kind}.txt").write_text(f"{text}\n{kind}\n", encoding="utf-8")
    monkeypatch.setenv("KEHOACH_TEST_FAULTS", "hang=.hang.txt,crash=.crash.txt,memory=.bloat.txt")
    out = tmp_path / "out"
    t0 = time.monotonic()
    assert main(["extract", str(inp), "--out", str(out), "--workers", "2", "--timeout", "1.5",
                 "--max-memory-mb", "400", "-q"]) == 0
    assert time.monotonic() - t0 < 20
    errors = {e["source_path"]: (e["stage"], e["error_type"]) for e in read(out / "errors.csv")}
    assert errors["x.hang.txt"] == ("worker", "timeout")
    assert errors["x.crash.txt"] == ("worker", "crash")
    assert errors["x.bloat.txt"] == ("worker", "memory")
    docs = {d["source_path"]: d for d in read(out / "documents.csv")}
    assert all(docs[f"x.{k}.txt"]["status"] == "failed" and docs[f"x.{k}.txt"]["doc_id"] for k in ("hang", "crash", "bloat"))
    assert sum(d["status"] == "ok" for d in docs.values()) >= 4  # the batch went on
    m = manifest(out)
    assert m["counts"]["this_run"]["worker_errors"] == {"crash": 1, "memory": 1, "timeout": 1}
    assert {f["source_path"] for f in m["failures"]} >= {"x.hang.txt", "x.crash.txt", "x.bloat.txt"}
    printed = capsys.readouterr().out
    assert "worker errors: crash 1, memory 1, timeout 1" in printed and "largest amounts in question" in printed
    # a rerun skips them (same content, same limits); a longer time limit retries the timed-out one
    monkeypatch.delenv("KEHOACH_TEST_FAULTS")
    main(["extract", str(inp), "--out", str(out), "-q", "--timeout", "1.5", "--max-memory-mb", "400"])
    assert manifest(out)["counts"]["this_run"]["processed"] == 0
    main(["extract", str(inp), "--out", str(out), "-q", "--timeout", "30", "--max-memory-mb", "400"])
    assert manifest(out)["counts"]["this_run"]["processed"] == 1
    assert {d["source_path"]: d["status"] for d in read(out / "documents.csv")}["x.hang.txt"] == "ok"


def test_rerun_skips_unchanged_redoes_changed_drops_removed(plans: Path, reference: Path, tmp_path: Path):
    inp = tmp_path / "in"
    shutil.copytree(plans, inp)
    out = tmp_path / "out"
    main(["extract", str(inp), "--out", str(out), "-q"])
    first = tables(out)
    assert first == tables(reference)
    mtime = (out / "documents.csv").stat().st_mtime_ns
    assert main(["extract", str(inp), "--out", str(out), "-q"]) == 0
    m = manifest(out)
    assert m["counts"]["this_run"]["processed"] == 0
    assert m["counts"]["this_run"]["skipped_unchanged"] == m["counts"]["documents"]
    assert tables(out) == first and (out / "documents.csv").stat().st_mtime_ns == mtime  # nothing rewritten
    changed = next(inp.glob("a/plan000.*"))
    changed.write_text(changed.read_text(encoding="utf-8").replace("Số: 1/", "Số: 999/"), encoding="utf-8")
    next(inp.glob("b/plan001.*")).unlink()
    shutil.copy(RAW / "kiengiang-stttt-2024.txt", inp / "c" / "new.txt")
    main(["extract", str(inp), "--out", str(out), "-q"])
    m = manifest(out)["counts"]["this_run"]
    assert (m["processed"], m["dropped_removed"]) == (2, 1)
    main(["extract", str(inp), "--out", str(tmp_path / "fresh"), "-q"])
    assert tables(out) == tables(tmp_path / "fresh")
    docs = read(out / "documents.csv")
    assert len({d["source_path"] for d in docs}) == len(docs)
    assert [d["doc_number"].split("/")[0] for d in docs if d["source_path"] == f"a/{changed.name}"] == ["999"]


def _start(plans: Path, out: Path, hang_s: str = "60") -> subprocess.Popen:
    hang = next(plans.glob("**/plan017.*")).name
    env = dict(os.environ, KEHOACH_TEST_FAULTS=f"hang={hang}", KEHOACH_TEST_HANG_S=hang_s)
    return subprocess.Popen(KEHOACH + ["extract", str(plans), "--out", str(out), "--workers", "2", "-q"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(out: Path, n: int, proc: subprocess.Popen, limit: float = 30) -> int:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit and proc.poll() is None:
        if (k := state_count(out)) >= n:
            return k
        time.sleep(0.02)
    raise AssertionError(f"the run did not get to {n} documents (rc {proc.poll()})")


def test_killed_run_resumes_to_the_same_tables(plans: Path, reference: Path, tmp_path: Path):
    import psutil

    out = tmp_path / "out"
    proc = _start(plans, out)  # one document hangs: the run cannot finish before we kill it
    done = _wait_for(out, 6, proc)
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.kill()
    proc.wait()
    assert 6 <= done < 23
    def alive(w: psutil.Process) -> bool:
        try:
            return w.is_running() and w.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    deadline = time.monotonic() + 5
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(alive, workers)), "workers outlived the run"
    assert main(["extract", str(plans), "--out", str(out), "-q"]) == 0
    m = manifest(out)["counts"]["this_run"]
    assert m["skipped_unchanged"] >= done and m["processed"] >= 1  # at least the hung one is redone
    assert tables(out) == tables(reference)


def test_sigterm_writes_the_tables_so_far(plans: Path, reference: Path, tmp_path: Path):
    out = tmp_path / "out"
    proc = _start(plans, out)
    _wait_for(out, 4, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err.decode()
    assert "Traceback" not in err.decode()
    m = manifest(out)
    assert m["interrupted"] is True
    docs = read(out / "documents.csv")
    assert len(docs) == state_count(out) >= 4 and not list(out.glob(".*.part"))
    ref = {d["source_path"]: d for d in read(reference / "documents.csv")}
    assert all(ref[d["source_path"]] == d for d in docs)
    assert main(["extract", str(plans), "--out", str(out), "-q"]) == 0
    assert tables(out) == tables(reference)


def test_parquet_and_xlsx_are_readable(plans: Path, reference: Path, tmp_path: Path):
    import pandas as pd

    out = tmp_path / "out"
    assert main(["extract", str(plans), "--out", str(out), "-q", "--format", "parquet"]) == 0
    assert main(["extract", str(plans), "--out", str(out), "-q", "--format", "xlsx"]) == 0
    assert manifest(out)["counts"]["this_run"]["processed"] == 0  # the format is not part of the resume key
    book = pd.read_excel(out / "tables.xlsx", sheet_name=None)
    for name in TABLES:
        csv_rows = read(reference / name)
        pq = pd.read_parquet(out / name.replace(".csv", ".parquet"))
        assert len(pq) == len(csv_rows) == len(book[name.removesuffix(".csv")])
        assert list(pq.columns) == list(read_header(reference / name))
    lines = pd.read_parquet(out / "budget_lines.parquet")
    assert str(lines["amount"].dtype) == "int64" and lines["is_total"].dtype == bool
    assert int(lines["amount"].sum()) == sum(int(r["amount"]) for r in read(reference / "budget_lines.csv") if r["amount"])
    docs = pd.read_parquet(out / "documents.parquet")
    assert sorted(docs["source_path"]) == sorted(d["source_path"] for d in read(reference / "documents.csv"))


def read_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


CLUSTER_SCRIPT = """
import sys
from distributed import LocalCluster
from pipeline.cli import main
with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as c:
    sys.exit(main(['extract', *sys.argv[2:], '--out', sys.argv[1], '-q', '--scheduler', c.scheduler_address]))
"""


def _on_cluster(out: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`kehoach extract … --scheduler` on a distributed.LocalCluster, in a subprocess so no Dask thread
    outlives it in the test process (later tests fork workers from it)."""
    return subprocess.run([sys.executable, "-c", CLUSTER_SCRIPT, str(out), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, **(env or {})))


def test_local_cluster_equals_local_run(plans: Path, reference: Path, tmp_path: Path):
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    res = _on_cluster(out, str(plans))
    assert res.returncode == 0, res.stderr
    assert tables(out) == tables(reference)
    assert manifest(out)["options"]["scheduler"].startswith("inproc://")


def test_local_cluster_time_limit(tmp_path: Path):
    pytest.importorskip("distributed")
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(RAW / "kiengiang-stttt-2024.txt", inp / "slow.hang.txt")
    shutil.copy(RAW / "kientuong-ubnd-2024.md", inp / "good.md")
    res = _on_cluster(tmp_path / "out", str(inp), "--timeout", "1.5",
                      env={"KEHOACH_TEST_FAULTS": "hang=.hang.txt", "KEHOACH_TEST_HANG_S": "3"})
    assert res.returncode == 0, res.stderr
    errors = {e["source_path"]: (e["stage"], e["error_type"]) for e in read(tmp_path / "out" / "errors.csv")}
    assert errors == {"slow.hang.txt": ("worker", "timeout")}
    assert {d["source_path"]: d["status"] for d in read(tmp_path / "out" / "documents.csv")} == {
        "good.md": "ok", "slow.hang.txt": "failed"}


def test_progress_bar_on_a_terminal_lines_otherwise():
    res = Result("a/x.txt", "d1", "ok", b"", n_flags=2)
    log = io.StringIO()
    p = Progress(2, stream=log, bar=False)
    p.update(res)
    p.update(Result("a/y.txt", "d2", "failed", b"", failure="load/empty: y.txt: the file is empty"))
    p.close()
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("[1/2] ok") and "2 finding(s)" in lines[0] and "ETA" in lines[0]
    assert lines[1].startswith("[2/2] failed") and "load/empty" in lines[1]
    tty = io.StringIO()
    p = Progress(2, stream=tty, bar=True)
    p.update(res)
    p.close()
    assert "flagged=1" in tty.getvalue() and "1/2" in tty.getvalue()
