"""Fault injection: the real `kehoach extract` on 60+ bad inputs and bad runs (issue 10), then five counts.

Usage: .venv/bin/python benchmarks/fault_injection.py [--keep DIR] [--big-zip N] [--no-dask] [-v]

Builds, in a fresh folder, one batch of hostile inputs — every class of issue
10 (odd and non-UTF-8 names, corrupt deflate, duplicate zip members, symlink
loops, TCVN3/VNI/cp1258/UTF-16 text, identical files, wrong suffixes,
formulas in names and plans, control characters) and those the README
promises to contain (empty, random bytes, truncated, encrypted, not a plan,
over 200 MB, hanging, crashing, running out of memory, zip slip, bombs,
nested and encrypted members) — and runs the command on it, then as xlsx,
then again (nothing to redo). Then runs of their own for what needs one: bad
options and addresses, --out a file / under a file / read-only / on a full
disk (tmpfs, when root), a garbage or damaged state database, an input named
like an option, a FIFO, a memory limit too low for a valid scan, kill -9 and
resume, Ctrl-C once and twice 20 ms apart, SIGTERM, a Dask scheduler killed
mid-run, and a zip of many members. Every run gets a private TMPDIR.

It ends by printing, each of which must be 0:
  batch crashes     runs that ended with another exit code than expected, or hung
  silent losses     inputs with no documents.csv row (or fewer rows than members)
  tracebacks        runs with a Python traceback on stdout/stderr; errors.csv messages that are one
  live formulas     xlsx cells of type formula; CSV cells that start with = + - @ tab or CR (not a number)
  files outside OUT what the runs left in their TMPDIR, and new /tmp/kehoach-* entries
Exits 1 when any is not 0. Other wrong outcomes (an error type other than the
one expected, a resume that redid work) are listed above the counts.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
LOADERS = ROOT / "tests" / "data" / "loaders"
OCR = ROOT / "tests" / "data" / "ocr"
PLAN_MD = RAW / "kientuong-ubnd-2024.md"
PLAN_TXT = RAW / "kiengiang-stttt-2024.txt"
KEHOACH = [sys.executable, "-m", "pipeline.cli"]
STATE = ".kehoach-state.sqlite"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
FAULTS = {"KEHOACH_TEST_FAULTS": "hang=.hang.txt,crash=.crash.txt,memory=.bloat.txt", "KEHOACH_TEST_HANG_S": "120"}
TABLES = ["documents.csv", "legal_bases.csv", "sections.csv", "attendance.csv", "budget_tables.csv",
          "budget_lines.csv", "flags.csv", "errors.csv"]


# --------------------------------------------------------------------------- bookkeeping

@dataclass
class Tally:
    crashes: list[str] = field(default_factory=list)
    losses: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    formulas: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    inputs: int = 0
    runs: int = 0
    notes: list[str] = field(default_factory=list)


T = Tally()
VERBOSE = False


@dataclass
class Run:
    name: str
    rc: int | None
    out: str
    err: str
    seconds: float


def run(name: str, args: list[str], work: Path, expect: int | tuple[int, ...] = 0, env: dict | None = None,
        timeout: float = 300, cwd: Path = ROOT) -> Run:
    """One `kehoach` command in a subprocess with a private TMPDIR; its exit code and output checked."""
    T.runs += 1
    full_env = dict(os.environ, TMPDIR=str(work / "tmp"), **(env or {}))
    t0 = time.monotonic()
    try:
        p = subprocess.run([*KEHOACH, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                           errors="replace", timeout=timeout)
        r = Run(name, p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
    except subprocess.TimeoutExpired as e:
        r = Run(name, None, _text(e.stdout), _text(e.stderr), time.monotonic() - t0)
    check_run(r, expect)
    return r


def _text(b: bytes | str | None) -> str:
    return b.decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")


def check_run(r: Run, expect: int | tuple[int, ...]) -> None:
    expected = expect if isinstance(expect, tuple) else (expect,)
    if r.rc is None:
        T.crashes.append(f"{r.name}: hung (killed after {r.seconds:.0f} s)")
    elif r.rc not in expected:
        T.crashes.append(f"{r.name}: exit {r.rc}, expected {'/'.join(map(str, expected))}: {last_line(r.err)}")
    if "Traceback (most recent call last)" in r.out + r.err or "Exception ignored in" in r.err:
        T.tracebacks.append(f"{r.name}: {first_traceback_line(r.out + r.err)}")
    if VERBOSE:
        print(f"  [{r.rc}] {r.name} ({r.seconds:.1f} s) {last_line(r.err)[:150]}")


def last_line(text: str) -> str:
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1][:300] if lines else ""


def first_traceback_line(text: str) -> str:
    lines = text.splitlines()
    for i, l in enumerate(lines):
        if l.startswith(("Traceback", "Exception ignored")):
            tail = [x for x in lines[i:i + 40] if x and not x.startswith(" ")]
            return (tail[-1] if tail else l)[:200]
    return ""


def read(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    except OSError:
        return []


def wrong(what: str) -> None:
    T.wrong.append(what)


# --------------------------------------------------------------------------- inputs

def plan(i: int, src: Path = PLAN_MD) -> str:
    return src.read_text(encoding="utf-8").replace("Số:", f"Số: {i}", 1)


def hostile_plan() -> str:
    return (plan(900) .replace("KẾ HOẠCH", "KẾ HOẠCH\n\n=HYPERLINK(\"http://evil.example\",\"bấm\")", 1)
            + "\n\n| STT | Nội dung | ĐVT | Số lượng | Đơn giá | Thành tiền |\n|---|---|---|---|---|---|\n"
              "| 1 | =1+1 | người | 2 | 10.000 | 20.000 |\n| 2 | @SUM(A1:A9) | cái | 1 | 5.000 | 5.000 |\n"
              "| 3 | +cmd\\|' /C calc'!A0 | cái | 1 | 1.000 | 1.000 |\n|  | Tổng cộng |  |  |  | 26.000 |\n")


def to_tcvn3(text: str) -> bytes | None:
    try:
        from pipeline.loaders.legacy_fonts import _TCVN3_HIGH
    except ImportError:
        return None
    inv = {u: bytes([0x80 + i]) for i, u in enumerate(_TCVN3_HIGH) if not unicodedata.combining(u) and u != "\u00a0"}
    try:
        return b"".join(ch.encode() if ord(ch) < 128 else inv[ch] for ch in unicodedata.normalize("NFC", text))
    except KeyError:
        return None


def to_vni(text: str) -> bytes | None:
    from pipeline.loaders.legacy_fonts import VNI_TO_UNICODE

    inv: dict[str, str] = {}
    for k, v in sorted(VNI_TO_UNICODE.items()):
        inv.setdefault(v, k)
    try:
        return "".join(ch if ord(ch) < 128 else inv[ch] for ch in text).encode("latin-1")
    except (KeyError, UnicodeEncodeError):
        return None


def to_cp1258(text: str) -> bytes:
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", "".join(c for c in d if c not in tones)).encode("cp1258", "replace")
            out += "".join(c for c in d if c in tones).encode("cp1258")
    return out


def set_flag(zip_path: Path, member: str, bit: int) -> None:
    """Set a general-purpose flag bit of one member, local and central headers (stdlib cannot encrypt)."""
    with zipfile.ZipFile(zip_path) as zf:
        info = zf.getinfo(member)
    data = bytearray(zip_path.read_bytes())
    data[info.header_offset + 6] |= bit
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        n = int.from_bytes(data[pos + 28:pos + 30], "little")
        if data[pos + 46:pos + 46 + n] == member.encode():
            data[pos + 8] |= bit
        pos += 4
    zip_path.write_bytes(bytes(data))


def corrupt_member(z: Path, name: str) -> None:
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo(name)
    data = bytearray(z.read_bytes())
    n = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + n + extra
    data[start + 10:start + 60] = b"\xff" * 50
    z.write_bytes(bytes(data))


@dataclass
class Expect:
    key: str           # source_path (or its prefix, for an archive)
    rows: int = 1      # rows it must have at least (an archive: its members)
    prefix: bool = False
    error: str = ""    # the error_type expected in errors.csv, if one is


def build_batch(inp: Path) -> list[Expect]:
    """The hostile folder of the main run, and what each input must give."""
    from pipeline.inputs import display_name

    rng = random.Random(10)
    ex: list[Expect] = []

    def put(name: str | bytes, data: bytes | str, **kw) -> None:
        path = os.path.join(os.fsencode(inp), name if isinstance(name, bytes) else os.fsencode(name))
        with open(path, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        ex.append(Expect(display_name(os.fsdecode(name if isinstance(name, bytes) else os.fsencode(name))), **kw))

    # what the README promises to contain
    put("empty.txt", b"", error="empty")
    put("blank.md", "   \n\n\t\n")
    put("random.txt", rng.randbytes(40_000))
    put("random.pdf", rng.randbytes(20_000))
    put("random.docx", rng.randbytes(20_000))
    put("nul.txt", b"\0" * 5000)
    put("bom-only.txt", b"\xef\xbb\xbf")
    for name in ("truncated.pdf", "encrypted.pdf", "garbage.pdf"):
        if (LOADERS / name).exists():
            put(name, (LOADERS / name).read_bytes())
    put("broken-header.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EO")
    put("fake.docx", "this is not a zip file")
    put("fake.doc", "not an OLE2 file either")
    buf = inp / "_tmp.zip"
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "no word/document.xml here")
    put("docx-without-body.docx", buf.read_bytes())
    if (LOADERS / "plan.docx").exists():
        with zipfile.ZipFile(LOADERS / "plan.docx") as src, zipfile.ZipFile(buf, "w") as dst:
            for item in src.infolist():
                dst.writestr(item, b"<w:document><unclosed" if item.filename == "word/document.xml" else src.read(item))
        put("docx-bad-xml.docx", buf.read_bytes())
    buf.unlink()
    put("menu.txt", "Thực đơn hôm nay: phở bò, bún chả, cà phê sữa đá.\nGiá 45.000 đồng.\n", error="not_a_plan")
    with open(inp / "huge.txt", "wb") as f:  # sparse: over the 200 MB limit without using the disk
        f.truncate(201 * 1024 * 1024)
    ex.append(Expect("huge.txt", error="too_large"))
    put("big.txt", (plan(901, PLAN_TXT) + "\n") * 60)
    put("slow.hang.txt", plan(902, PLAN_TXT), error="timeout")
    put("boom.crash.txt", plan(903, PLAN_TXT), error="crash")
    put("hog.bloat.txt", plan(904, PLAN_TXT), error="memory")
    put("image-junk.png", rng.randbytes(9000))
    put("truncated.png", (OCR / "plan-p1.png").read_bytes()[:3000])
    # formulas and control characters
    put("=1+1.md", hostile_plan())
    put("+cmd.txt", plan(905, PLAN_TXT))
    put("-dash.md", plan(906))
    put("@at.md", plan(907))
    put("\tTab.md", plan(908))
    put("control-chars.md", plan(909).replace("KẾ HOẠCH", "KẾ\x07 HOẠCH\x1b\x7f", 1))
    # names
    put(b"caf\xe9.md", plan(910))
    put("two\nlines.md", plan(911))
    put("x" * 200 + ".md", plan(912))
    put('a "quoted", name.md', plan(913))
    # legacy encodings in text files
    text = plan(914, PLAN_TXT)
    for name, data in (("tcvn3.txt", to_tcvn3(text)), ("vni.txt", to_vni(text)), ("cp1258.txt", to_cp1258(text)),
                       ("utf16.txt", text.encode("utf-16"))):
        if data is not None:
            put(name, data)
    # identical files under two names
    put("copy1.md", plan(915))
    put("copy2.md", plan(915))
    # formats by content, not by name
    put("scan-no-suffix", (OCR / "reread-small.jpg").read_bytes())
    if (LOADERS / "plan.pdf").exists():
        put("pdf-no-suffix", (LOADERS / "plan.pdf").read_bytes())
        put("pdf-as.txt", (LOADERS / "plan.pdf").read_bytes())
    if (LOADERS / "plan.docx").exists():
        put("docx-as.pdf", (LOADERS / "plan.docx").read_bytes())
    put("png-as.md", (OCR / "reread-small.jpg").read_bytes())
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice and (LOADERS / "plan.docx").exists():
        conv = inp.parent / "conv"
        subprocess.run([soffice, f"-env:UserInstallation={(inp.parent / 'lo').as_uri()}", "--headless",
                        "--convert-to", "doc", "--outdir", str(conv), str(LOADERS / "plan.docx")],
                       capture_output=True, timeout=120)
        if (conv / "plan.doc").exists():
            put("real.doc", (conv / "plan.doc").read_bytes())
            put("doc-no-suffix", (conv / "plan.doc").read_bytes())
    # not picked up from a folder (a suffix we do not read): no row expected
    (inp / "notes.xyz").write_text("x")
    # symbolic links: a loop, a dangling one
    (inp / "loop").mkdir()
    (inp / "loop" / "x.md").write_text(plan(916), encoding="utf-8")
    os.symlink(".", inp / "loop" / "a")
    ex.append(Expect("loop/x.md"))
    os.symlink("/nonexistent/plan.md", inp / "dangling.md")
    ex.append(Expect("dangling.md"))
    # a folder that cannot be read (as root it can: then it is one more plan)
    (inp / "locked").mkdir()
    (inp / "locked" / "y.md").write_text(plan(917), encoding="utf-8")
    os.chmod(inp / "locked", 0)
    ex.append(Expect("locked/y.md" if os.geteuid() == 0 else "locked/"))
    # archives
    z = inp / "slip.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../evil.md", plan(918))
        zf.writestr("/abs.md", plan(919))
        zf.writestr("ok.md", plan(920))
    ex.append(Expect("slip.zip", 3, prefix=True))
    with zipfile.ZipFile(inp / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.txt", b"\0" * (8 * 1024 * 1024))
    ex.append(Expect("bomb.zip", 1, prefix=True))
    with zipfile.ZipFile(inp / "_inner.zip", "w") as zf:
        zf.writestr("deep.md", plan(921))
    with zipfile.ZipFile(inp / "nested.zip", "w") as zf:
        zf.write(inp / "_inner.zip", "inner.zip")
    (inp / "_inner.zip").unlink()
    ex.append(Expect("nested.zip", 1, prefix=True))
    with zipfile.ZipFile(inp / "encrypted-member.zip", "w") as zf:
        zf.writestr("locked.md", plan(922))
    set_flag(inp / "encrypted-member.zip", "locked.md", 0x01)
    ex.append(Expect("encrypted-member.zip", 1, prefix=True))
    with zipfile.ZipFile(inp / "symlink-member.zip", "w") as zf:
        info = zipfile.ZipInfo("link.md")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
        zf.writestr("plain.md", plan(923))
    ex.append(Expect("symlink-member.zip", 2, prefix=True))
    z = inp / "corrupt-deflate.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("plan.txt", plan(924, PLAN_TXT))
        zf.writestr("good.md", plan(925))
    corrupt_member(z, "plan.txt")
    ex.append(Expect("corrupt-deflate.zip", 2, prefix=True))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": that is the point
        for name, first, second in (("dup-smaller.zip", plan(926), "KẾ HOẠCH\nngắn\n"),
                                    ("dup-larger.zip", "KẾ HOẠCH\nngắn\n", plan(927))):
            with zipfile.ZipFile(inp / name, "w") as zf:
                zf.writestr("a.md", first)
                zf.writestr("a.md", second)
            ex.append(Expect(name, 2, prefix=True))
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(5):
            zf.writestr(f"p{i}.md", plan(930 + i))
    data = buf.read_bytes()
    buf.unlink()
    put("truncated.zip", data[: len(data) // 2])
    put("fake.zip", "not a zip")
    with zipfile.ZipFile(inp / "empty.zip", "w"):
        pass
    ex.append(Expect("empty.zip", 0, prefix=True))
    with zipfile.ZipFile(inp / "killed-members.zip", "w") as zf:  # killed workers must leave no bytes in TMPDIR
        zf.writestr("m.hang.txt", plan(940, PLAN_TXT))
        zf.writestr("m.crash.txt", plan(941, PLAN_TXT))
        zf.write(OCR / "reread-small.jpg", "scan.jpg")
    ex.append(Expect("killed-members.zip", 3, prefix=True))
    with zipfile.ZipFile(inp / "copy-inside.zip", "w") as zf:
        zf.writestr("copy3.md", plan(915))
    ex.append(Expect("copy-inside.zip", 1, prefix=True))
    return ex


def account(out: Path, expects: list[Expect], run_name: str) -> None:
    """Every expected input has its rows; loops visited once; the expected error types."""
    docs = read(out / "documents.csv")
    errors = read(out / "errors.csv")
    paths = [d["source_path"] for d in docs]
    plain = [p[1:] if p.startswith("'") else p for p in paths]  # CSV cells neutralised against formulas
    err_types = {}
    for e in errors:
        sp = e["source_path"][1:] if e["source_path"].startswith("'") else e["source_path"]
        err_types.setdefault(sp, set()).add(e["error_type"])
        if "Traceback" in e["message"] or "NoneType: None" in e["message"]:
            T.tracebacks.append(f"{run_name}: errors.csv {sp}: {e['message'][:120]}")
    for x in expects:
        if x.prefix:
            n = sum(1 for p in plain if p == x.key or p.startswith(x.key + "/"))
        else:
            n = plain.count(x.key)
        if n < x.rows:
            T.losses.append(f"{run_name}: {x.key!r}: {n} documents row(s), expected {x.rows}")
        if x.error and x.error not in err_types.get(x.key, set()):
            wrong(f"{run_name}: {x.key!r}: error types {sorted(err_types.get(x.key, set()))}, expected {x.error}")
    loops = [p for p in plain if "a/a/" in p or p.startswith("loop/a/")]
    if loops:
        wrong(f"{run_name}: symlink loop visited again: {loops[:3]}")
    dup = {p for p in plain if plain.count(p) > 1}
    if dup:
        wrong(f"{run_name}: source_path repeated: {sorted(dup)[:5]}")


def count_formulas(out: Path, run_name: str) -> None:
    for name in TABLES:
        path = out / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8-sig", newline="") as f:
            for i, row in enumerate(csv.reader(f), start=1):
                for c in row:
                    if c.lstrip(" ").startswith(TRIGGERS) and not NUMBER.fullmatch(c):
                        T.formulas.append(f"{run_name}: {name}:{i}: {c[:60]!r}")
    book = out / "tables.xlsx"
    if book.exists():
        from openpyxl import load_workbook

        wb = load_workbook(book)
        for ws in wb:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        T.formulas.append(f"{run_name}: tables.xlsx {ws.title}!{c.coordinate}: {str(c.value)[:60]!r}")


def manifest(out: Path) -> dict:
    try:
        return json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def stored(out: Path) -> int:
    try:
        with sqlite3.connect(f"file:{out / STATE}?mode=ro", uri=True, timeout=2) as db:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


def plans_folder(folder: Path, n: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        (folder / f"p{i:03d}.md").write_text(plan(100 + i), encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- the runs

def main_batch(work: Path) -> None:
    inp = work / "batch"
    inp.mkdir()
    expects = build_batch(inp)
    explicit = work / "explicit.dat"  # a suffix we do not read, given by name: a row saying so
    explicit.write_text("KẾ HOẠCH\n", encoding="utf-8")
    expects.append(Expect("explicit.dat"))
    T.inputs += len(expects) + 1  # + notes.xyz
    out = work / "out-batch"
    args = ["extract", str(inp), str(explicit), "--out", str(out), "-q", "--no-report", "--workers", "2",
            "--timeout", "6", "--max-memory-mb", "700"]
    run("batch", args, work, 0, env=FAULTS, timeout=900)
    version = manifest(out).get("pipeline_version")
    account(out, expects, "batch")
    run("batch as xlsx", args + ["--format", "xlsx"], work, 0, env=FAULTS, timeout=300)
    count_formulas(out, "batch")
    r = run("batch rerun", args, work, 0, env=FAULTS, timeout=300)
    done = manifest(out).get("counts", {}).get("this_run", {})
    if manifest(out).get("pipeline_version") != version:
        T.notes.append("the pipeline version changed between the batch and its rerun (code edited meanwhile): "
                       "the rerun redid everything, as it should")
    elif r.rc == 0 and done.get("processed", 0) != 0:
        wrong(f"batch rerun redid {done.get('processed')} document(s) (expected 0: nothing changed)")
    os.chmod(inp / "locked", 0o755)


def usage_runs(work: Path) -> None:
    inp = plans_folder(work / "usage-in", 2)
    f = work / "a-file.txt"
    f.write_text("x")
    base = ["extract", str(inp), "-q", "--no-report"]
    cases = [("--out is a file", ["--out", str(f)]), ("--out under a file", ["--out", str(f / "sub")]),
             ("--timeout nan", ["--timeout", "nan"]), ("--timeout 0", ["--timeout", "0"]),
             ("--timeout inf", ["--timeout", "inf"]), ("--timeout abc", ["--timeout", "abc"]),
             ("--max-memory-mb -1", ["--max-memory-mb", "-1"]), ("--max-memory-mb x", ["--max-memory-mb", "x"]),
             ("--workers -1", ["--workers", "-1"]), ("--format docx", ["--format", "docx"]),
             ("--scheduler notanaddress", ["--scheduler", "notanaddress"]),
             ("--scheduler tcp://host:abc", ["--scheduler", "tcp://host:abc"])]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cases.append(("--scheduler nobody there", ["--scheduler", f"tcp://127.0.0.1:{port}"]))
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    cases.append(("--scheduler not a scheduler", ["--scheduler", f"tcp://127.0.0.1:{silent.getsockname()[1]}"]))
    try:
        for name, extra in cases:
            out = ["--out", str(work / "out-usage")] if "--out" not in extra else []
            r = run(name, base + out + extra, work, 2, timeout=90)
            if r.rc == 2 and not r.err.strip():
                wrong(f"{name}: exit 2 without a message")
            if "--scheduler" in extra and r.seconds > 20:
                wrong(f"{name}: took {r.seconds:.0f} s to fail")
    finally:
        silent.close()
    T.inputs += len(cases)
    run("missing input", ["extract", str(work / "nope"), "--out", str(work / "out-usage"), "-q"], work, 2)
    (work / "dash").mkdir()
    (work / "dash" / "-x.md").write_text(plan(50), encoding="utf-8")
    run("-x.md without --", ["extract", "-x.md", "--out", "o", "-q", "--no-report"], work, 2, cwd=work / "dash")
    run("-x.md after --", ["extract", "--out", "o", "-q", "--no-report", "--workers", "0", "--", "-x.md"], work, 0,
        cwd=work / "dash")
    account(work / "dash" / "o", [Expect("-x.md")], "-x.md after --")
    T.inputs += 2


def mount(where: Path, size_kb: int) -> bool:
    where.mkdir()
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


def disk_runs(work: Path) -> None:
    if os.geteuid() != 0:
        T.notes.append("read-only and full-disk runs skipped: mounting a tmpfs needs root")
        return
    inp = plans_folder(work / "disk-in", 4)
    ro = work / "mnt-ro"
    if not mount(ro, 4096):
        T.notes.append("read-only and full-disk runs skipped: tmpfs cannot be mounted here")
        return
    try:
        args = ["extract", str(inp), "--out", str(ro / "out"), "-q", "--no-report", "--workers", "1"]
        run("before read-only", args, work, 0)
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        plans_folder(inp, 1, start=4)
        r = run("--out read-only", args, work, 2)
        if "read-only" not in r.err:
            wrong(f"--out read-only: message does not say so: {last_line(r.err)}")
    finally:
        subprocess.run(["umount", "-l", str(ro)])
    full = work / "mnt-full"
    mount(full, 4096)
    try:
        args = ["extract", str(inp), "--out", str(full / "out"), "-q", "--no-report", "--workers", "1"]
        run("before full disk", args, work, 0)
        plans_folder(inp, 4, start=5)
        filler = full / "filler"
        try:
            with open(filler, "wb") as fh:
                while True:
                    fh.write(b"\0" * 4096)
                    fh.flush()
        except OSError:  # the disk is full: that is the point
            pass
        r = run("--out on a full disk", args, work, 2)
        if "run the same command again" not in r.err or "saved" not in r.err:
            wrong(f"full disk: message lacks what was saved / how to resume: {last_line(r.err)}")
        filler.unlink()
        run("after freeing space", args, work, 0)
        account(full / "out", [Expect(f"p{i:03d}.md") for i in range(9)], "after freeing space")
    finally:
        subprocess.run(["umount", "-l", str(full)])
    T.inputs += 2


def state_runs(work: Path) -> None:
    inp = plans_folder(work / "state-in", 3)
    out = work / "out-garbage-state"
    out.mkdir()
    (out / STATE).write_bytes(random.Random(1).randbytes(8192))
    args = ["extract", str(inp), "--out", str(out), "-q", "--no-report", "--workers", "1"]
    r = run("garbage state database", args, work, 0)
    if not list(out.glob(STATE + ".corrupt-*")) or "moved aside" not in r.err:
        wrong("garbage state database: not moved aside with a message")
    account(out, [Expect(f"p{i:03d}.md") for i in range(3)], "garbage state database")
    out = work / "out-damaged-state"
    args = ["extract", str(inp), "--out", str(out), "-q", "--no-report", "--workers", "1"]
    run("before damage", args, work, 0)
    raw = bytearray((out / STATE).read_bytes())
    if len(raw) > 3 * 4096:
        raw[4096:3 * 4096] = b"\xa5" * 8192
        (out / STATE).write_bytes(bytes(raw))
    (out / (STATE + "-wal")).unlink(missing_ok=True)
    r = run("damaged state pages", args, work, 0)
    if "damaged" not in r.err:
        wrong("damaged state pages: no message")
    account(out, [Expect(f"p{i:03d}.md") for i in range(3)], "damaged state pages")
    T.inputs += 2


def fifo_run(work: Path) -> None:
    inp = plans_folder(work / "fifo-in", 1)
    os.mkfifo(inp / "pipe.md")
    run("a FIFO among the inputs", ["extract", str(inp), "--out", str(work / "out-fifo"), "-q", "--no-report",
                                    "--workers", "1", "--timeout", "5"], work, 0, timeout=120)
    account(work / "out-fifo", [Expect("p000.md")], "a FIFO among the inputs")
    T.inputs += 1


def memory_run(work: Path) -> None:
    inp = work / "mem-in"
    inp.mkdir()
    shutil.copy(OCR / "plan-p1.png", inp / "scan.png")
    out = work / "out-mem"
    run("valid scan, memory limit too low", ["extract", str(inp), "--out", str(out), "-q", "--no-report",
                                             "--workers", "1", "--max-memory-mb", "250"], work, 0)
    types = {e["error_type"] for e in read(out / "errors.csv")}
    if types != {"memory"}:
        wrong(f"valid scan under a low memory limit: error types {sorted(types)}, expected ['memory']")
    run("same scan, default limit", ["extract", str(inp), "--out", str(out), "-q", "--no-report", "--workers", "1"],
        work, 0)
    status = [d["status"] for d in read(out / "documents.csv")]
    if status not in (["ok"], ["partial"]):
        wrong(f"the scan was not retried with the larger limit: status {status}")
    T.inputs += 1


def signal_runs(work: Path) -> None:
    inp = plans_folder(work / "sig-in", 40)
    ref = work / "out-sig-ref"
    run("reference for kill -9", ["extract", str(inp), "--out", str(ref), "-q", "--no-report", "--workers", "1"],
        work, 0)
    for name, signals in (("kill -9 then resume", [signal.SIGKILL]), ("Ctrl-C", [signal.SIGINT]),
                          ("Ctrl-C twice 20 ms apart", [signal.SIGINT, signal.SIGINT]), ("SIGTERM", [signal.SIGTERM])):
        out = work / ("out-sig-" + re.sub(r"\W+", "-", name))
        T.runs += 1
        p = subprocess.Popen([*KEHOACH, "extract", str(inp), "--out", str(out), "-q", "--no-report", "--workers", "1"],
                             cwd=ROOT, env=dict(os.environ, TMPDIR=str(work / "tmp")), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        t0 = time.monotonic()
        while stored(out) < 5 and p.poll() is None and time.monotonic() - t0 < 60:
            time.sleep(0.05)
        for i, sig in enumerate(signals):
            if i:
                time.sleep(0.02)
            p.send_signal(sig)
        try:
            o, e = p.communicate(timeout=60)
            r = Run(name, p.returncode, o, e, time.monotonic() - t0)
        except subprocess.TimeoutExpired:
            p.kill()
            o, e = p.communicate()
            r = Run(name, None, o, e, time.monotonic() - t0)
        check_run(r, -9 if signals[0] == signal.SIGKILL else 130)
        if signals[0] != signal.SIGKILL and r.rc == 130:
            if "are in the tables" in r.err and not (out / "documents.csv").exists():
                wrong(f"{name}: says the tables were written, but there is no documents.csv")
        run(f"{name}: resume", ["extract", str(inp), "--out", str(out), "-q", "--no-report", "--workers", "1"],
            work, 0)
        differ = [t for t in TABLES if (out / t).read_bytes() != (ref / t).read_bytes()] if (out / TABLES[0]).exists() \
            else TABLES
        if differ:
            wrong(f"{name}: resumed tables differ from an uninterrupted run: {differ}")
        T.inputs += 1


def dask_run(work: Path) -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        T.notes.append("Dask run skipped: dask.distributed not installed")
        return
    inp = plans_folder(work / "dask-in", 2)
    (inp / "slow.hang.txt").write_text(plan(60, PLAN_TXT), encoding="utf-8")
    dask = str(Path(sys.executable).parent / "dask")
    info = work / "scheduler.json"
    env = dict(os.environ, TMPDIR=str(work / "tmp"), KEHOACH_TEST_FAULTS="hang=.hang.txt", KEHOACH_TEST_HANG_S="600")
    (work / "dask-tmp").mkdir()
    cluster_env = dict(env, TMPDIR=str(work / "dask-tmp"))  # Dask's own scratch space is not kehoach's to clean
    procs = [subprocess.Popen([dask, "scheduler", "--scheduler-file", str(info), "--port", "0", "--no-dashboard",
                               "--host", "127.0.0.1"], cwd=ROOT, env=cluster_env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    out = work / "out-dask"
    try:
        for _ in range(150):
            if info.exists() and info.stat().st_size:
                break
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        procs.append(subprocess.Popen([dask, "worker", address, "--nworkers", "1", "--nthreads", "2",
                                       "--no-dashboard"], cwd=ROOT, env=cluster_env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        T.runs += 1
        p = subprocess.Popen([*KEHOACH, "extract", str(inp), "--out", str(out), "-q", "--no-report", "--scheduler",
                              address], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(p)
        t0 = time.monotonic()
        while stored(out) < 2 and time.monotonic() - t0 < 90 and p.poll() is None:
            time.sleep(0.3)
        procs[0].kill()
        t1 = time.monotonic()
        try:
            o, e = p.communicate(timeout=90)
            r = Run("Dask scheduler killed mid-run", p.returncode, o, e, time.monotonic() - t1)
        except subprocess.TimeoutExpired:
            p.kill()
            o, e = p.communicate()
            r = Run("Dask scheduler killed mid-run", None, o, e, time.monotonic() - t1)
        check_run(r, 2)
        if "NoneType" in r.err or r.seconds > 30:
            wrong(f"Dask scheduler killed: {r.seconds:.0f} s to end; {last_line(r.err)}")
    finally:
        for q in procs:
            if q.poll() is None:
                q.kill()
                q.wait(timeout=30)
    run("after the Dask loss, locally", ["extract", str(inp), "--out", str(out), "-q", "--no-report", "--workers", "1"],
        work, 0)
    account(out, [Expect("p000.md"), Expect("p001.md"), Expect("slow.hang.txt")], "after the Dask loss")
    T.inputs += 1


def big_zip_run(work: Path, n: int) -> None:
    if n <= 0:
        return
    z = work / "many.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for i in range(n):
            zf.writestr(f"m{i:05d}.txt", f"KẾ HOẠCH\nTổ chức hội nghị số {i}\n")
    out = work / "out-many"
    r = run(f"zip of {n} members", ["extract", str(z), "--out", str(out), "-q", "--no-report"], work, 0, timeout=1800)
    rows = len(read(out / "documents.csv"))
    if rows < n:
        T.losses.append(f"zip of {n} members: {rows} documents rows")
    t = manifest(out).get("timings_s", {})
    T.notes.append(f"zip of {n} members: {r.seconds:.0f} s in all, planning {t.get('plan', '?')} s")
    T.inputs += 1


# --------------------------------------------------------------------------- the end

def leftovers(work: Path, tmp_before: set[str]) -> None:
    for root, dirs, files in os.walk(work / "tmp"):
        for name in dirs + files:
            T.outside.append(os.path.join(root, name))
    for name in sorted(set(os.listdir("/tmp")) - tmp_before):
        if name.startswith("kehoach-"):
            T.outside.append(f"/tmp/{name} (new during the runs; another process may have made it)")


def report() -> int:
    print(f"\n{T.inputs} bad inputs and bad runs, {T.runs} runs of the command")
    for note in T.notes:
        print(f"note: {note}")
    if T.wrong:
        print("other wrong outcomes:")
        for w in T.wrong:
            print(f"  - {w}")
    counts = [("batch crashes", T.crashes), ("silent losses", T.losses), ("tracebacks", T.tracebacks),
              ("live formulas", T.formulas), ("files outside OUT", T.outside)]
    for name, items in counts:
        if items:
            print(f"{name}:")
            for item in items[:15]:
                print(f"  - {item}")
            if len(items) > 15:
                print(f"  … and {len(items) - 15} more")
    print()
    for name, items in counts:
        print(f"{name}: {len(items)}")
    return 1 if any(items for _, items in counts) else 0


def main() -> int:
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", metavar="DIR", help="build and run in DIR (kept) instead of a temporary folder")
    ap.add_argument("--big-zip", type=int, default=10_000, metavar="N", help="members of the many-member zip (0: skip)")
    ap.add_argument("--no-dask", action="store_true", help="skip the killed-scheduler run")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per run")
    a = ap.parse_args()
    VERBOSE = a.verbose
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="fault-injection-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "tmp").mkdir(exist_ok=True)
    tmp_before = set(os.listdir("/tmp"))
    sys.path.insert(0, str(ROOT))
    t0 = time.monotonic()
    try:
        for step in (main_batch, usage_runs, disk_runs, state_runs, fifo_run, memory_run, signal_runs):
            if VERBOSE:
                print(f"{step.__name__} …")
            step(work)
        if not a.no_dask:
            dask_run(work)
        big_zip_run(work, a.big_zip)
        leftovers(work, tmp_before)
    finally:
        if (work / "batch" / "locked").exists():
            os.chmod(work / "batch" / "locked", 0o755)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"({time.monotonic() - t0:.0f} s)")
    return report()


if __name__ == "__main__":
    sys.exit(main())
