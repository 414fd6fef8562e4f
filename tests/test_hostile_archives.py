"""Bulk runs under hostile inputs (issue 10, part A): nothing crashes the batch, nothing is lost or doubled.

Every test runs the real command on real files in tmp_path and reads the CSVs back.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
import warnings
import zipfile
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.loaders.legacy_fonts import _TCVN3_HIGH, VNI_TO_UNICODE
from pipeline.state import STATE_NAME

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
LOADERS = ROOT / "tests" / "data" / "loaders"
SCAN = ROOT / "tests" / "data" / "ocr" / "plan-p1.png"
PLAN_TXT = RAW / "kiengiang-stttt-2024.txt"
PLAN_MD = RAW / "kientuong-ubnd-2024.md"
KEHOACH = [sys.executable, "-m", "pipeline.cli"]


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def docs_of(out: Path) -> dict[str, dict[str, str]]:
    return {d["source_path"]: d for d in read(out / "documents.csv")}


def errors_of(out: Path) -> set[tuple[str, str, str]]:
    return {(e["source_path"], e["stage"], e["error_type"]) for e in read(out / "errors.csv")}


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def doc_id(data: bytes) -> str:
    return "d" + hashlib.sha256(data).hexdigest()[:16]


def extract(*args: str | Path, workers: str = "1") -> int:
    return main(["extract", *map(str, args), "-q", "--workers", workers])


# --------------------------------------------------------------------------- 1. names that are not UTF-8

def test_file_names_that_are_not_utf8_are_processed(tmp_path: Path, monkeypatch):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / os.fsdecode(b"caf\xe9.txt")).write_bytes(PLAN_TXT.read_bytes())
    (inp / os.fsdecode(b"r\xe9\\sum\xe9-empty.txt")).write_bytes(b"")
    (inp / os.fsdecode(b"x\xff.crash.txt")).write_bytes(PLAN_TXT.read_bytes() + b"\ncrash\n")
    monkeypatch.setenv("KEHOACH_TEST_FAULTS", "crash=.crash.txt")
    out = tmp_path / "out"
    assert extract(inp, "--out", out, "--max-memory-mb", "none") == 0  # no cap: a crash stays a crash
    docs = docs_of(out)
    assert {k: d["status"] for k, d in docs.items()} == {
        "caf\\xe9.txt": "ok", "r\\xe9\\\\sum\\xe9-empty.txt": "failed", "x\\xff.crash.txt": "failed"}
    assert errors_of(out) == {("r\\xe9\\\\sum\\xe9-empty.txt", "load", "empty"),
                              ("x\\xff.crash.txt", "worker", "crash")}
    assert docs["caf\\xe9.txt"]["doc_id"] == doc_id(PLAN_TXT.read_bytes())
    # the escaped form is lossless: the bytes come back
    escaped = "r\\xe9\\\\sum\\xe9-empty.txt"
    assert escaped.encode("latin-1").decode("unicode_escape").encode("latin-1") == b"r\xe9\\sum\xe9-empty.txt"
    # and a file given on its own
    assert extract(inp / os.fsdecode(b"caf\xe9.txt"), "--out", tmp_path / "one") == 0
    assert list(docs_of(tmp_path / "one")) == ["caf\\xe9.txt"]


# --------------------------------------------------------------------------- 2. corrupt deflate data

def corrupt_member(z: Path, name: str) -> None:
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo(name)
    data = bytearray(z.read_bytes())
    n, extra = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + n + extra
    data[start + 10:start + 60] = b"\xff" * 50  # inside the deflate stream
    z.write_bytes(bytes(data))


def test_a_member_with_corrupt_deflate_data_is_one_error_row(tmp_path: Path):
    z = tmp_path / "z.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(PLAN_TXT, "bad.txt")
        zf.write(PLAN_MD, "good.md")
    corrupt_member(z, "bad.txt")
    out = tmp_path / "out"
    assert extract(z, "--out", out) == 0
    assert {k: d["status"] for k, d in docs_of(out).items()} == {"z.zip/bad.txt": "failed", "z.zip/good.md": "ok"}
    assert errors_of(out) == {("z.zip/bad.txt", "archive", "corrupt")}
    assert extract(z, "--out", out) == 0  # a rerun: the damaged member is not stored again
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    run = manifest["counts"]["this_run"]
    assert (run["processed"], run["skipped_unchanged"]) == (0, 2)
    assert errors_of(out) == {("z.zip/bad.txt", "archive", "corrupt")}


# --------------------------------------------------------------------------- 3. two members of one name

@pytest.mark.parametrize("second_larger", [False, True])
def test_two_members_of_one_name_are_each_read_as_themselves(tmp_path: Path, second_larger: bool):
    a = PLAN_TXT.read_bytes()
    b = a + b"\n" + b"Ghi ch\xc3\xba. " * 400 if second_larger else a[: len(a) * 2 // 3]
    z = tmp_path / "z.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # "Duplicate name": what we are testing
        zf.writestr("2024/x.txt", a)
        zf.writestr("2024/x.txt", b)
    out = tmp_path / "out"
    assert extract(z, "--out", out) == 0
    docs = docs_of(out)
    assert {k: d["doc_id"] for k, d in docs.items()} == {"z.zip/2024/x.txt": doc_id(a), "z.zip/2024/x.txt~2": doc_id(b)}
    assert docs["z.zip/2024/x.txt"]["status"] == "ok"
    assert {e for e in errors_of(out) if e[1] == "archive"} == {("z.zip/2024/x.txt~2", "archive", "duplicate_name")}
    row = next(e for e in read(out / "errors.csv") if e["error_type"] == "duplicate_name")
    assert row["message"] == "z.zip: member 2 is the second named '2024/x.txt'; it is read as itself, as 2024/x.txt~2"


# --------------------------------------------------------------------------- 4. symlink loops

def test_symlink_loops_visit_each_file_once(tmp_path: Path):
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    shutil.copy(PLAN_TXT, inp / "x.txt")
    shutil.copy(PLAN_MD, inp / "sub" / "y.md")
    (inp / "a").symlink_to(".")
    (inp / "b").symlink_to(".")
    (inp / "sub" / "up").symlink_to("..")
    out = tmp_path / "out"
    assert extract(str(inp / "**" / "*.txt"), "--out", out, workers="0") == 0
    assert list(docs_of(out)) == ["x.txt"]
    assert extract(inp, "--out", tmp_path / "folder", workers="0") == 0
    assert list(docs_of(tmp_path / "folder")) == ["sub/y.md", "x.txt"]


# --------------------------------------------------------------------------- 5. unreadable folders

def test_an_unreadable_folder_is_an_error_row_never_a_removal(tmp_path: Path, monkeypatch):
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    shutil.copy(PLAN_TXT, inp / "x.txt")
    shutil.copy(PLAN_MD, inp / "sub" / "y.md")
    out = tmp_path / "out"
    assert extract(inp, "--out", out, workers="0") == 0
    before = docs_of(out)["sub/y.md"]
    real_scandir = os.scandir

    def scandir(path="."):  # tests run as root, who can read a chmod 000 folder
        if os.fspath(path).endswith(f"{os.sep}sub"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert extract(inp, "--out", out, workers="0") == 0
    docs = docs_of(out)
    assert {k: d["status"] for k, d in docs.items()} == {"sub/": "failed", "sub/y.md": "ok", "x.txt": "ok"}
    assert docs["sub/y.md"] == before  # kept as it was, not dropped
    assert errors_of(out) == {("sub/", "discover", "unreadable")}
    assert manifest(out)["counts"]["this_run"]["dropped_removed"] == 0
    assert extract(inp, "--out", tmp_path / "fresh", workers="0") == 0
    assert {k: d["status"] for k, d in docs_of(tmp_path / "fresh").items()} == {"sub/": "failed", "x.txt": "ok"}


# --------------------------------------------------------------------------- 6. legacy encodings in .txt

TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_tcvn3(text: str) -> bytes:
    inv = {u: bytes([0x80 + i]) for i, u in enumerate(_TCVN3_HIGH) if not unicodedata.combining(u) and u != "\u00a0"}
    return b"".join(ch.encode() if ord(ch) < 128 else inv[ch] for ch in text)


def to_vni(text: str) -> bytes:
    inv: dict[str, str] = {}
    for k, v in sorted(VNI_TO_UNICODE.items()):
        inv.setdefault(v, k)
    return "".join(ch if ord(ch) < 128 else inv[ch] for ch in text).encode("latin-1")


def to_cp1258(text: str) -> bytes:
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:  # a toned letter: its base letter and a combining tone mark
            d = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES)).encode("cp1258")
            out += "".join(c for c in d if c in TONES).encode("cp1258")
    return out


def test_tcvn3_vni_cp1258_and_utf16_text_files_read_as_the_utf8_original(tmp_path: Path):
    text = unicodedata.normalize("NFC", PLAN_TXT.read_text(encoding="utf-8"))
    for typographic, plain in (("–", "-"), ("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("…", "...")):
        text = text.replace(typographic, plain)
    tcvn3 = set(_TCVN3_HIGH)  # TCVN3 has few toned capitals (typists used the ".VnTimeH" capital fonts)
    text = "".join(ch if ord(ch) < 128 or ch in tcvn3 else ch.lower() for ch in text)
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "utf8.txt").write_text(text, encoding="utf-8")
    for name, encode in (("tcvn3", to_tcvn3), ("vni", to_vni), ("cp1258", to_cp1258),
                         ("utf16", lambda t: t.encode("utf-16"))):
        (inp / f"{name}.txt").write_bytes(encode(text))
    (inp / "short.txt").write_bytes(to_tcvn3("KẾ HOẠCH\nTổ chức hội nghị\n"))
    out = tmp_path / "out"
    assert extract(inp, "--out", out) == 0
    docs = docs_of(out)
    fields = ("status", "issuer", "title", "doc_number", "signer_name", "stated_total_vnd", "n_flags")
    ref = {f: docs["utf8.txt"][f] for f in fields}
    assert ref["issuer"].startswith("ỦY BAN NHÂN DÂN") or ref["issuer"].isupper()
    for name in ("tcvn3", "vni", "cp1258", "utf16"):
        assert {f: docs[f"{name}.txt"][f] for f in fields} == ref, name
    sections = read(out / "sections.csv")
    by_doc = {d: [(r["section_id"], r["title"]) for r in sections if r["doc_id"] == docs[f"{d}.txt"]["doc_id"]]
              for d in ("utf8", "tcvn3", "vni")}
    assert by_doc["tcvn3"] == by_doc["vni"] == by_doc["utf8"] != []
    warned = [e for e in read(out / "errors.csv") if e["source_path"] == "short.txt" and e["error_type"] == "warning"]
    assert [e["message"] for e in warned] == [
        "short.txt: not UTF-8, and too little accented text to tell its encoding; read as TCVN3 (.VnTime fonts)"]
    assert not [e for e in read(out / "errors.csv") if e["source_path"] in
                ("utf8.txt", "tcvn3.txt", "vni.txt", "cp1258.txt", "utf16.txt")]


# --------------------------------------------------------------------------- 7. identical files

def test_identical_files_one_row_each_extracted_rows_once(tmp_path: Path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(PLAN_MD, inp / "a.md")
    shutil.copy(PLAN_MD, inp / "b.md")
    shutil.copy(PLAN_TXT, inp / "c.txt")
    single = tmp_path / "single"
    single.mkdir()
    shutil.copy(PLAN_MD, single / "a.md")
    assert extract(single, "--out", tmp_path / "ref") == 0
    n_lines = len(read(tmp_path / "ref" / "budget_lines.csv"))
    n_flags = len(read(tmp_path / "ref" / "flags.csv"))
    capsys.readouterr()
    out = tmp_path / "out"
    assert extract(inp, "--out", out) == 0
    assert "duplicates: 1 input(s) with the same bytes as another" in capsys.readouterr().out
    docs = docs_of(out)
    assert {k: (d["status"], d["duplicate_of"]) for k, d in docs.items()} == {
        "a.md": ("ok", ""), "b.md": ("ok", "a.md"), "c.txt": ("ok", "")}
    assert docs["a.md"]["doc_id"] == docs["b.md"]["doc_id"] == doc_id(PLAN_MD.read_bytes())
    assert {k: v for k, v in docs["b.md"].items() if k not in ("source_path", "duplicate_of")} == \
        {k: v for k, v in docs["a.md"].items() if k not in ("source_path", "duplicate_of")}
    lines = [l for l in read(out / "budget_lines.csv") if l["doc_id"] == docs["a.md"]["doc_id"]]
    flags = [f for f in read(out / "flags.csv") if f["doc_id"] == docs["a.md"]["doc_id"]]
    assert (len(lines), len(flags)) == (n_lines, n_flags) and n_lines > 0
    assert manifest(out)["counts"]["duplicates"] == 1
    assert sum(manifest(out)["findings"].values()) == len(read(out / "flags.csv"))  # counted once
    assert extract(inp, "--out", out) == 0
    assert manifest(out)["counts"]["this_run"]["processed"] == 0
    (inp / "a.md").unlink()  # the copy becomes the first: its rows appear under it
    assert extract(inp, "--out", out) == 0
    assert extract(inp, "--out", tmp_path / "fresh") == 0
    for name in ("documents.csv", "budget_lines.csv", "flags.csv", "sections.csv", "errors.csv"):
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
    assert docs_of(out)["b.md"]["duplicate_of"] == ""


# --------------------------------------------------------------------------- 8. two Ctrl-C

def state_count(out: Path) -> int:
    try:
        with sqlite3.connect(out / STATE_NAME, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_two_interrupts_20_ms_apart_still_write_the_tables(tmp_path: Path):
    inp = tmp_path / "in"
    inp.mkdir()
    text = PLAN_TXT.read_text(encoding="utf-8")
    for i in range(150):  # enough rows that writing the tables takes longer than 20 ms
        (inp / f"p{i:03d}.txt").write_text(text.replace("Số:", f"Số: {i + 1}", 1), encoding="utf-8")
    (inp / "z.hang.txt").write_text("KẾ HOẠCH\nhang\n", encoding="utf-8")  # the smallest: given out last
    out = tmp_path / "out"
    env = dict(os.environ, KEHOACH_TEST_FAULTS="hang=.hang.txt", KEHOACH_TEST_HANG_S="60")
    proc = subprocess.Popen(KEHOACH + ["extract", str(inp), "--out", str(out), "--workers", "1", "-q"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t0 = time.monotonic()
    while state_count(out) < 150 and time.monotonic() - t0 < 40 and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    err = err.decode()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert sorted(docs_of(out)) == [f"p{i:03d}.txt" for i in range(150)] and state_count(out) == 150
    assert err.rstrip().endswith("the documents finished so far are in the tables, and a rerun resumes")


def test_interrupted_while_writing_says_the_tables_were_not_written(tmp_path: Path, monkeypatch, capsys):
    import pipeline.batch as batch

    def write_interrupted(*a, **k):
        os.kill(os.getpid(), signal.SIGINT)  # the first: the write goes on (noted)
        os.kill(os.getpid(), signal.SIGINT)  # the second: stop, without the tables
        raise AssertionError("not reached")

    monkeypatch.setattr(batch, "materialise", write_interrupted)
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(PLAN_TXT, inp / "a.txt")
    try:
        assert extract(inp, "--out", tmp_path / "out", workers="0") == 130
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the command ignores Ctrl-C once it is exiting
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    err = capsys.readouterr().err
    assert "kehoach: stopping; writing the tables of the documents finished so far" in err
    assert err.rstrip().endswith("they were not written (tables of an earlier run, if any, are unchanged); run the "
                                 "same command again: it resumes where it stopped and writes them")
    assert not (tmp_path / "out" / "documents.csv").exists()


# --------------------------------------------------------------------------- 9. memory limit vs crash

def test_a_library_crash_under_a_low_memory_limit_is_memory_and_retried_with_more(tmp_path: Path):
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(SCAN, inp / "scan.png")
    out = tmp_path / "out"
    assert extract(inp, "--out", out, "--max-memory-mb", "250") == 0
    assert errors_of(out) == {("scan.png", "worker", "memory")}
    assert extract(inp, "--out", out) == 0  # the default limit is larger: tried again
    assert manifest(out)["counts"]["this_run"]["processed"] == 1
    assert docs_of(out)["scan.png"]["status"] in ("ok", "partial")
    assert not [e for e in errors_of(out) if e[1] == "worker"]


# --------------------------------------------------------------------------- 10. no bytes left in /tmp

def test_a_killed_worker_leaves_no_files_outside_out(tmp_path: Path):
    z = tmp_path / "scans.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(SCAN.with_name("plan.tif"), "scan.tif")
        zf.write(PLAN_TXT, "plan.txt")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out"
    # the scan hangs once its bytes are in the scratch folder (OCR alone is under 1 s on a fast CPU)
    env = dict(os.environ, TMPDIR=str(tmp), KEHOACH_TEST_FAULTS="hang=scan.tif", KEHOACH_TEST_HANG_S="30")
    res = subprocess.run(KEHOACH + ["extract", str(z), "--out", str(out), "--workers", "1", "--timeout", "1", "-q"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert ("scans.zip/scan.tif", "worker", "timeout") in errors_of(out), res.stdout
    assert list(tmp.iterdir()) == []
    assert not (out / ".kehoach-tmp").exists()


def test_leftovers_of_dead_workers_elsewhere_are_swept(tmp_path: Path):
    """A Dask worker killed mid-document leaves its folder in its machine's temp dir; the next worker
    process there removes the folders of processes that are gone, and no other."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp / f"kehoach-{dead.pid}-abcd1234"
    left.mkdir()
    (left / "member.pdf").write_bytes(b"%PDF-1.7 left behind")
    alive = tmp / f"kehoach-{os.getpid()}-efgh5678"  # a live process's folder is not touched
    alive.mkdir()
    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(PLAN_TXT, "plan.txt")
    res = subprocess.run(KEHOACH + ["extract", str(z), "--out", str(tmp_path / "out"), "--workers", "0", "-q"],
                         cwd=ROOT, env=dict(os.environ, TMPDIR=str(tmp)), capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in tmp.iterdir()) == [alive.name]


# --------------------------------------------------------------------------- 11. big archives

def test_planning_opens_each_archive_once_per_pass(tmp_path: Path, monkeypatch):
    z = tmp_path / "many.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(300):
            zf.writestr(f"notes/n{i:03d}.txt", f"Ghi chú số {i}\n")
    opened: list[str] = []
    real_init = zipfile.ZipFile.__init__

    def counting_init(self, file, *a, **k):
        if isinstance(file, (str, os.PathLike)) and os.path.realpath(file) == os.path.realpath(z):
            opened.append(os.fspath(file))
        real_init(self, file, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting_init)
    out = tmp_path / "out"
    assert extract(z, "--out", out, workers="0") == 0
    assert len(docs_of(out)) == 300
    assert len(opened) == 3  # discover, hash, ship


# --------------------------------------------------------------------------- 12. formats by content

def test_formats_are_identified_by_content_not_by_name(tmp_path: Path):
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(LOADERS / "plan.pdf", inp / "plan")                 # no suffix
    shutil.copy(LOADERS / "plan.docx", inp / "plan-docx.txt")       # a wrong suffix
    shutil.copy(PLAN_TXT, inp / "notes")                            # text without a suffix
    (inp / "legacy").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)  # OLE2: a .doc
    (inp / "mystery").write_bytes(b"\x01\x02\x03\x04" * 100)       # nothing known
    out = tmp_path / "out"
    assert extract(inp, "--out", out, workers="0") == 0
    docs = docs_of(out)
    assert {k: (d["source_format"], d["status"]) for k, d in docs.items() if k != "legacy"} == {
        "plan": ("pdf", "ok"), "plan-docx.txt": ("docx", "ok"), "notes": ("txt", "ok"), "mystery": ("", "failed")}
    assert docs["legacy"]["source_format"] == "doc"
    errors = errors_of(out)
    assert ("plan-docx.txt", "load", "format_mismatch") in errors
    assert ("mystery", "load", "unsupported_format") in errors
    assert not [e for e in errors if e[0] == "legacy" and e[2] == "unsupported_format"]
    assert extract(str(inp / "plan-docx.txt"), "--out", tmp_path / "one", workers="0") == 0
    assert docs_of(tmp_path / "one")["plan-docx.txt"]["doc_id"] == docs["plan-docx.txt"]["doc_id"]
