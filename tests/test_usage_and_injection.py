"""Issue 10, part B: no formula reaches a spreadsheet, and bad usage or bad state is a clear message.

Every case runs the real command on real files: formulas in plans and file
names (CSV, xlsx, checked through LibreOffice), refused option values, an
input named like an option, an output folder that is a file, read-only or on
a full disk (real tmpfs mounts when we are root), a damaged state database,
and a Dask scheduler that is unreachable, malformed or killed mid-run.
"""
from __future__ import annotations

import csv
import errno
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.state import STATE_NAME

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
KEHOACH = [sys.executable, "-m", "pipeline.cli"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOOLEANS = ("=TRUE()", "=FALSE()")  # how LibreOffice saves a boolean cell of a workbook it re-saves

HOSTILE_PLAN = """UBND TỈNH KIÊN GIANG

Số: 12/KH-UBND

Kiên Giang, ngày 5 tháng 3 năm 2024

KẾ HOẠCH

=HYPERLINK("http://evil.example","bấm")

I. MỤC ĐÍCH

1. @SUM(1+1) tổ chức hội nghị

- Có 20 đại biểu tham dự.

II. KINH PHÍ

| STT | Nội dung | ĐVT | Số lượng | Đơn giá | Thành tiền |
|---|---|---|---|---|---|
| 1 | =1+1 | người | 21 | 100.000 | 2.000.000 |
| 2 | +1+2 | cái | 2 | 50.000 | 100.000 |
| 3 | -1+3 ghi chú | cái | 1 | 10.000 | 10.000 |
| 4 | - In\x07 tài\x1b liệu\x7f | bộ | 1 | 5.000 | 5.000 |
|  | Tổng cộng |  |  |  | 2.115.000 |
"""


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [c for row in csv.reader(f) for c in row]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "in"
    folder.mkdir()
    (folder / "=1+1.md").write_text(HOSTILE_PLAN, encoding="utf-8")
    (folder / "@x.md").write_text(HOSTILE_PLAN.replace("Số: 12", "Số: 13"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hostile_out(hostile: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile-out")
    assert main(["extract", str(hostile), "--out", str(out), "-q", "--workers", "0", "--no-report"]) == 0
    assert main(["extract", str(hostile), "--out", str(out), "-q", "--workers", "0", "--no-report",
                 "--format", "xlsx"]) == 0
    return out


# --------------------------------------------------------------------------- formulas and control characters

def test_csv_cells_a_spreadsheet_would_evaluate_are_neutralised(hostile_out: Path):
    lines = read(hostile_out / "budget_lines.csv")
    by_doc = {}
    for r in lines:
        by_doc.setdefault(r["doc_id"], []).append(r)
    first = next(iter(by_doc.values()))
    assert [r["item"] for r in first] == ["'=1+1", "'+1+2", "'-1+3 ghi chú", "'- In tài liệu", "Tổng cộng"]
    assert [r["amount"] for r in first] == ["2000000", "100000", "10000", "5000", "2115000"]  # numbers stay numbers
    docs = read(hostile_out / "documents.csv")
    assert sorted(d["source_path"] for d in docs) == ["'=1+1.md", "'@x.md"]
    assert {d["title"] for d in docs} == {"'=HYPERLINK(\"http://evil.example\",\"bấm\")"}
    sections = read(hostile_out / "sections.csv")
    assert "'@SUM(1+1) tổ chức hội nghị" in {s["title"] for s in sections}
    assert "'- Có 20 đại biểu tham dự." in {s["text"] for s in sections}
    for name in ("documents.csv", "budget_lines.csv", "sections.csv", "errors.csv", "flags.csv"):
        for c in cells(hostile_out / name):
            assert not c.startswith(TRIGGERS) or c.lstrip("+-").isdigit(), (name, c)
            assert not any(ord(ch) < 32 and ch not in "\t\n" or 0x7F <= ord(ch) <= 0x9F for ch in c), (name, c)


def test_cell_rule_keeps_numbers_and_is_reversible():
    from pipeline.write import cell, plain

    assert [cell(v) for v in (-5, 2_000_000, -5.0, True, None)] == ["-5", "2000000", "-5", "true", ""]
    assert [cell(v) for v in ("-5", "+12", "-1.5")] == ["-5", "+12", "-1.5"]  # a plain number is not a formula
    texts = ["=1+1", "+1+1", "-2.000.000", "@A1", "\t=1", "\r=1", " =1", "'quoted", "a=b", "Đ-1"]
    assert [cell(t) for t in texts] == ["'=1+1", "'+1+1", "'-2.000.000", "'@A1", "'\t=1", "'=1", "' =1", "''quoted",
                                        "a=b", "Đ-1"]
    assert [plain(cell(t)) for t in texts] == [t.replace("\r", "") for t in texts]
    assert cell("a\x00b\x07c\x1bd\x7fe\x85f\tg\nh") == "abcdef\tg\nh"


def test_xlsx_text_cells_are_strings_never_formulas(hostile_out: Path):
    import zipfile

    from openpyxl import load_workbook

    book = zipfile.ZipFile(hostile_out / "tables.xlsx")
    for name in book.namelist():
        if name.startswith("xl/worksheets/"):
            assert b"<f>" not in book.read(name) and b"<f " not in book.read(name), name
    wb = load_workbook(hostile_out / "tables.xlsx")
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    items = [r[0] for r in wb["budget_lines"].iter_rows(min_row=2, min_col=5, max_col=5, values_only=True)]
    assert items[:5] == ["=1+1", "+1+2", "-1+3 ghi chú", "- In tài liệu", "Tổng cộng"]  # as written: it is text
    amounts = [r[0] for r in wb["budget_lines"].iter_rows(min_row=2, min_col=9, max_col=9, values_only=True)]
    assert amounts[:5] == [2000000, 100000, 10000, 5000, 2115000]


def _soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found and os.geteuid() != 0:
        pytest.skip("LibreOffice not installed and not root (`make test` installs it when root)")
    assert found, "LibreOffice is missing: `make test` installs libreoffice-calc-nogui when root"
    return found


def test_libreoffice_reads_no_formula_in_any_output(hostile_out: Path, tmp_path: Path):
    from openpyxl import load_workbook

    soffice = _soffice()
    names = ["documents.csv", "budget_lines.csv", "sections.csv"]
    profile = (tmp_path / "profile").as_uri()
    for src, options in ((names, ["--infilter=CSV:44,34,76,1"]), (["tables.xlsx"], [])):
        conv = tmp_path / ("from-csv" if src is names else "from-xlsx")
        res = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", *options,
                              "--convert-to", "xlsx", "--outdir", str(conv), *(str(hostile_out / n) for n in src)],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        for n in src:
            wb = load_workbook(conv / n.replace(".csv", ".xlsx"))
            formulas = [(ws.title, c.coordinate, c.value) for ws in wb for row in ws.iter_rows() for c in row
                        if c.data_type == "f" and c.value not in BOOLEANS]
            assert formulas == [], (n, formulas)
    lines = load_workbook(tmp_path / "from-csv" / "budget_lines.xlsx").active
    header = [c.value for c in lines[1]]
    amount = [r[header.index("amount")] for r in lines.iter_rows(min_row=2, max_row=6, values_only=True)]
    assert amount == [2000000, 100000, 10000, 5000, 2115000]  # LibreOffice still reads the money as numbers


# --------------------------------------------------------------------------- option values

@pytest.mark.parametrize("option,value", [("--timeout", "nan"), ("--timeout", "0"), ("--timeout", "-1"),
                                          ("--timeout", "inf"), ("--timeout", "abc"), ("--max-memory-mb", "-1"),
                                          ("--max-memory-mb", "0"), ("--max-memory-mb", "1.5"),
                                          ("--max-memory-mb", "lots"), ("--workers", "-1"), ("--workers", "two")])
def test_bad_option_values_are_refused(option: str, value: str, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["extract", str(RAW), "--out", str(tmp_path / "o"), option, value])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}" in err and value in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_no_limit_is_spelt_none(tmp_path: Path):
    from pipeline import cli

    assert cli.seconds("none") is None and cli.seconds("2.5") == 2.5
    assert cli.megabytes("none") is None and cli.megabytes("512") == 512


def test_an_input_named_like_an_option_goes_after_double_dash(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(RAW / "kientuong-ubnd-2024.md", tmp_path / "-plan.md")
    assert main(["extract", "--out", "o", "-q", "--workers", "0", "--no-report", "--", "-plan.md"]) == 0
    assert [d["source_path"] for d in read(tmp_path / "o" / "documents.csv")] == ["'-plan.md"]  # see plain()
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        main(["extract", "-plan.md", "--out", "o2"])
    assert e.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == ("kehoach extract: '-plan.md' is a file: give inputs whose name "
                                                        "starts with '-' after '--': kehoach extract --out OUT -- -plan.md")
    with pytest.raises(SystemExit):
        main(["extract", "-h"])
    usage = " ".join(capsys.readouterr().out.split())
    assert "kehoach extract --out OUT -- -plan.md" in usage


# --------------------------------------------------------------------------- the output folder

def test_out_is_a_file_or_under_a_file(tmp_path: Path, capsys):
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert main(["extract", str(RAW), "--out", str(f), "-q"]) == 2
    assert capsys.readouterr().err.strip() == f"kehoach: --out {f} is a file, not a folder"
    assert main(["extract", str(RAW), "--out", str(f / "sub"), "-q"]) == 2
    assert capsys.readouterr().err.strip() == f"kehoach: --out {f / 'sub'} is under {f}, which is a file"
    assert f.read_text() == "x"


class Tmpfs:
    """A real small file system, so that read-only and full disks are the kernel's, not a mock's."""

    def __init__(self, where: Path, size_kb: int):
        self.where = where
        where.mkdir()
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
                             capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({res.stderr.strip()}); see the monkeypatched tests")

    def remount(self, options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(self.where)], check=True)

    def close(self) -> None:
        subprocess.run(["umount", "-l", str(self.where)], check=False)


@pytest.fixture()
def tmpfs(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; see the monkeypatched tests")
    fs = Tmpfs(tmp_path / "mnt", 4096)
    yield fs
    fs.close()


def small_input(folder: Path, n: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = (RAW / "kientuong-ubnd-2024.md").read_text(encoding="utf-8").replace("Số:", f"Số: {i + 1}", 1)
        (folder / f"p{i}.md").write_text(text, encoding="utf-8")
    return folder


def test_read_only_out_is_a_clear_error(tmpfs: Tmpfs, tmp_path: Path):
    inp = small_input(tmp_path / "in")
    out = tmpfs.where / "out"
    assert subprocess.run([*KEHOACH, "extract", str(inp), "--out", str(out), "-q", "--no-report"], cwd=ROOT,
                          capture_output=True).returncode == 0
    tmpfs.remount("ro")
    (inp / "p0.md").write_text((inp / "p0.md").read_text(encoding="utf-8") + "\nThêm.\n", encoding="utf-8")
    for target in (out, tmpfs.where / "new"):
        res = subprocess.run([*KEHOACH, "extract", str(inp), "--out", str(target), "-q", "--no-report"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 2, res.stderr
        assert res.stderr.strip() == f"kehoach: cannot write to --out {target}: read-only file system", res.stderr


def test_read_only_out_simulated(tmp_path: Path, monkeypatch, capsys):
    """The same message where no file system can be mounted: mkdir fails as on a read-only one."""
    real = Path.mkdir

    def mkdir(self, *a, **k):
        if self.name == "o":
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    assert main(["extract", str(RAW), "--out", str(tmp_path / "o"), "-q"]) == 2
    assert capsys.readouterr().err.strip() == f"kehoach: cannot write to --out {tmp_path / 'o'}: read-only file system"


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    for size in (4096, 512, 1):
        try:
            with open(filler, "ab") as f:
                while True:
                    f.write(b"\0" * size)
                    f.flush()
        except OSError:
            pass
    return filler


def test_full_disk_says_what_was_saved_and_a_rerun_resumes(tmpfs: Tmpfs, tmp_path: Path):
    inp = small_input(tmp_path / "in", 4)
    out = tmpfs.where / "out"
    run = [*KEHOACH, "extract", str(inp), "--out", str(out), "-q", "--no-report", "--workers", "1"]
    assert subprocess.run(run, cwd=ROOT, capture_output=True).returncode == 0
    for i in range(4, 8):
        small_input(tmp_path / "more", 8)
        shutil.copy(tmp_path / "more" / f"p{i}.md", inp / f"p{i}.md")
    filler = _fill(tmpfs.where)
    res = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    err = res.stderr.strip()
    assert "Traceback" not in err and err.startswith(f"kehoach: the disk holding --out {out} is full"), err
    assert "document(s) are saved in" in err and "run the same command again: it resumes" in err, err
    saved = int(err.split("document(s) are saved")[0].split()[-1])
    assert 4 <= saved <= 8
    filler.unlink()
    res = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    done = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]
    assert done["documents"] == 8 and done["this_run"]["processed"] == 8 - saved
    assert sorted(d["source_path"] for d in read(out / "documents.csv")) == [f"p{i}.md" for i in range(8)]
    assert not list(out.glob(".*.part"))


def test_full_disk_simulated(tmp_path: Path, monkeypatch, capsys):
    """Where no tmpfs can be mounted: the table writer meets ENOSPC as on a full disk."""
    import pipeline.write as write

    def full(self, tables):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.out_dir / ".documents.csv.part"))

    monkeypatch.setattr(write.CsvSink, "add_rows", full)
    out = tmp_path / "o"
    assert main(["extract", str(small_input(tmp_path / "in", 2)), "--out", str(out), "-q", "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kehoach: the disk holding --out {out} is full") and "2 document(s) are saved in" in err
    assert not list(out.glob(".*.part"))


# --------------------------------------------------------------------------- a damaged state database

def test_garbage_state_is_moved_aside_and_rebuilt(tmp_path: Path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    junk = os.urandom(8192)
    (out / STATE_NAME).write_bytes(junk)
    assert main(["extract", str(small_input(tmp_path / "in", 2)), "--out", str(out), "-q", "--workers", "0",
                 "--no-report"]) == 0
    aside = list(out.glob(STATE_NAME + ".corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == junk
    err = capsys.readouterr().err
    assert f"moved aside to {aside[0].name}" in err and "rebuilding it from the inputs" in err
    assert len(read(out / "documents.csv")) == 2


def test_damaged_pages_are_found_and_the_state_rebuilt(tmp_path: Path, capsys):
    out = tmp_path / "o"
    inp = small_input(tmp_path / "in", 3)
    args = ["extract", str(inp), "--out", str(out), "-q", "--workers", "0", "--no-report"]
    assert main(args) == 0
    with sqlite3.connect(out / STATE_NAME) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = db.execute("PRAGMA page_size").fetchone()[0]
    raw = bytearray((out / STATE_NAME).read_bytes())
    assert len(raw) >= 3 * page
    raw[page:3 * page] = b"\xa5" * (2 * page)  # the first table pages after the header: b-trees broken
    (out / STATE_NAME).write_bytes(bytes(raw))
    capsys.readouterr()
    assert main(args) == 0
    assert "damaged" in capsys.readouterr().err
    aside = [p.name for p in out.glob(STATE_NAME + ".corrupt-*")]
    assert len(aside) == 1 or sorted(a[-4:] for a in aside if a.endswith(("-wal", "-shm"))) == ["-shm", "-wal"]
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]
    assert m["this_run"]["processed"] == 3 and len(read(out / "documents.csv")) == 3


# --------------------------------------------------------------------------- Dask

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bad_scheduler_addresses_fail_in_seconds(tmp_path: Path):
    pytest.importorskip("distributed")
    inp = small_input(tmp_path / "in", 1)
    silent = socket.socket()  # accepts connections and never speaks: not a Dask scheduler
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    cases = {f"tcp://127.0.0.1:{_free_port()}": "nothing answers at",
             "notanaddress": "not a Dask scheduler address",
             "tcp://host:abc": "not a Dask scheduler address",
             "http://[::1": "not a Dask scheduler address",
             "tcp://no-such-host.invalid:8786": "nothing answers at",
             f"tcp://127.0.0.1:{silent.getsockname()[1]}": "no Dask scheduler answered at"}
    try:
        for address, said in cases.items():
            t0 = time.monotonic()
            res = subprocess.run([*KEHOACH, "extract", str(inp), "--out", str(tmp_path / "o"), "-q", "--no-report",
                                  "--scheduler", address], cwd=ROOT, capture_output=True, text=True, timeout=60)
            took = time.monotonic() - t0
            assert res.returncode == 2, (address, res.stderr)
            assert res.stderr.startswith(f"kehoach: ") and said in res.stderr, (address, res.stderr)
            assert "Traceback" not in res.stderr and "__del__" not in res.stderr, (address, res.stderr)
            assert took < 15, (address, took)
    finally:
        silent.close()


def test_scheduler_killed_mid_run_ends_the_run_and_a_rerun_finishes(tmp_path: Path):
    pytest.importorskip("distributed")
    inp = small_input(tmp_path / "in", 2)
    shutil.copy(RAW / "kiengiang-stttt-2024.txt", inp / "slow.hang.txt")
    dask = str(Path(sys.executable).parent / "dask")
    info = tmp_path / "scheduler.json"
    env = dict(os.environ, KEHOACH_TEST_FAULTS="hang=.hang.txt", KEHOACH_TEST_HANG_S="600")
    scheduler = subprocess.Popen([dask, "scheduler", "--scheduler-file", str(info), "--port", "0", "--no-dashboard",
                                  "--host", "127.0.0.1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = run = None
    try:
        for _ in range(100):
            if info.exists() and info.stat().st_size:
                break
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        worker = subprocess.Popen([dask, "worker", address, "--nworkers", "1", "--nthreads", "2", "--no-dashboard"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = tmp_path / "out"
        run = subprocess.Popen([*KEHOACH, "extract", str(inp), "--out", str(out), "-q", "--no-report",
                                "--scheduler", address], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _stored(out) < 2:
            time.sleep(0.3)
        assert _stored(out) == 2, "the two plain documents should be done while the third hangs"
        scheduler.kill()
        t0 = time.monotonic()
        stdout, stderr = run.communicate(timeout=60)
        took = time.monotonic() - t0
        assert run.returncode == 2, stderr
        assert stderr.strip().startswith(f"kehoach: lost the Dask scheduler at {address} mid-run"), stderr
        assert "1 document(s) in flight" in stderr and "2 document(s) are saved" in stderr, stderr
        assert "Traceback" not in stderr + stdout and "NoneType" not in stderr, stderr
        assert took < 30, took
        with sqlite3.connect(out / STATE_NAME) as db:
            assert [r[0] for r in db.execute("SELECT source_path FROM results ORDER BY 1")] == ["p0.md", "p1.md"]
    finally:
        for p in (run, worker, scheduler):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait(timeout=30)
    res = subprocess.run([*KEHOACH, "extract", str(inp), "--out", str(out), "-q", "--no-report", "--workers", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert {d["source_path"]: d["status"] for d in read(out / "documents.csv")} == {
        "p0.md": "ok", "p1.md": "ok", "slow.hang.txt": "ok"}
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]["this_run"]["processed"] == 1


def _stored(out: Path) -> int:
    try:
        with sqlite3.connect(f"file:{out / STATE_NAME}?mode=ro", uri=True, timeout=2) as db:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


# --------------------------------------------------------------------------- Tesseract's SIMD path

PIN_SCRIPT = """
import ctypes, sys
from pipeline.cli import main
rc = main(['extract', sys.argv[1], '--out', sys.argv[2], '-q', '--workers', '0', '--no-report', *sys.argv[3:]])
from pipeline.loaders.ocr import engine
lib = engine._library()
matrix = ctypes.c_void_p.in_dll(lib, '_ZN9tesseract13IntSimdMatrix13intSimdMatrixE').value
print(rc, 'generic' if matrix is None else 'simd')
"""


def test_ocr_simd_generic_pins_tesseracts_generic_code(tmp_path: Path):
    from pipeline.loaders.ocr import engine

    if engine.engine() != "library" or not shutil.which("tesseract"):
        pytest.skip("libtesseract not loadable here")
    page = ROOT / "tests" / "data" / "ocr" / "reread-error.jpg"
    seen = {}
    for mode in ("auto", "generic"):
        out = tmp_path / mode
        res = subprocess.run([sys.executable, "-c", PIN_SCRIPT, str(page), str(out), "--ocr-simd", mode], cwd=ROOT,
                             capture_output=True, text=True, timeout=180)
        assert res.returncode == 0, res.stderr
        seen[mode] = res.stdout.split()[-2:]
        seen[mode + "-lines"] = (out / "budget_lines.csv").read_bytes()
    assert seen["auto"] == ["0", "simd"] and seen["generic"] == ["0", "generic"]
    assert seen["auto-lines"] == seen["generic-lines"]  # the same figures on this CPU, pinned or not
