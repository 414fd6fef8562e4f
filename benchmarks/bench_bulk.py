"""Bulk runs: plans/s with 1 and 2 workers, peak memory per worker, rerun speed-up, nothing lost.

Usage: python benchmarks/bench_bulk.py [-n 1000] [--large] [--keep DIR] [--timeout 3]

Generates N distinct plans: text/Markdown from data/raw, tests/data/plans and
tests/fixtures/plans (the "Số:" number varied so every file has its own
doc_id), DOCX and PDF from the loader samples in tests/data/loaders when the
loaders and the samples are there (their bytes varied by a zip comment / a
trailing PDF comment: same content, distinct doc_id). 5% of the inputs are
bad: corrupt, empty, encrypted, and a few that hang (through the test-only
KEHOACH_TEST_FAULTS hook; each costs one --timeout). No OCR.

Then it runs `kehoach extract` (the real command, in a subprocess, from a
snapshot of the code so that edits to the working tree meanwhile do not
change the pipeline version between runs) with 1 and with 2 workers into
fresh folders, reruns the second unchanged, and checks
that every good document has a row that is not failed, every bad one exactly
one errors.csv row, and no source_path appears twice. With --large it also
runs 5× as many plans with 2 workers, to show that memory per worker is flat.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT_DIRS = [ROOT / "data" / "raw", ROOT / "tests" / "data" / "plans", ROOT / "tests" / "fixtures" / "plans"]
LOADERS = ROOT / "tests" / "data" / "loaders"
GOOD_DOCX = ["plan.docx", "variants.docx"]
GOOD_PDF = ["plan.pdf", "variants.pdf", "tight-header.pdf"]
HANG_SUFFIX = ".hang.txt"


def _vary_text(text: str, i: int) -> str:
    out, n = re.subn(r"Số:\s*\d*\s*/", f"Số: {i + 1}/", text, count=1)
    return out if n else text + "\n" + " " * (i % 997 + 1) + "\n"


def generate(folder: Path, n: int, bad_share: float = 0.05) -> tuple[list[str], list[str], list[str]]:
    """(good, bad, notes): source_paths of the plans written under `folder`."""
    notes: list[str] = []
    texts = [p for d in TEXT_DIRS if d.is_dir() for p in sorted(d.iterdir()) if p.suffix in (".txt", ".md")]
    docx = [LOADERS / f for f in GOOD_DOCX if (LOADERS / f).exists()] if (ROOT / "pipeline/loaders/docx.py").exists() else []
    pdf = [LOADERS / f for f in GOOD_PDF if (LOADERS / f).exists()] if (ROOT / "pipeline/loaders/pdf.py").exists() else []
    if not docx:
        notes.append("no DOCX: pipeline/loaders/docx.py or tests/data/loaders/*.docx missing")
    if not pdf:
        notes.append("no PDF: pipeline/loaders/pdf.py or tests/data/loaders/*.pdf missing")
    n_bad = max(4, round(n * bad_share)) if bad_share else 0
    n_hang = max(1, n_bad // 10) if n_bad else 0
    good, bad = [], []
    for i in range(n - n_bad):
        sub = folder / f"{i // 100:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        r = i % 20
        if r < 3 and docx:            # 15% DOCX
            src = docx[i % len(docx)]
            dst = sub / f"p{i:05d}.docx"
            shutil.copy(src, dst)
            with zipfile.ZipFile(dst, "a") as z:
                z.comment = f"bench {i}".encode()
        elif r < 5 and pdf:           # 10% PDF
            src = pdf[i % len(pdf)]
            dst = sub / f"p{i:05d}.pdf"
            dst.write_bytes(src.read_bytes() + f"\n%bench {i}\n".encode())
        else:                         # the rest text / Markdown
            src = texts[i % len(texts)]
            dst = sub / f"p{i:05d}{src.suffix}"
            dst.write_text(_vary_text(src.read_text(encoding="utf-8"), i), encoding="utf-8")
        good.append(dst.relative_to(folder).as_posix())
    bad_dir = folder / "bad"
    bad_dir.mkdir(exist_ok=True)
    enc = LOADERS / "encrypted.pdf"
    for j in range(n_bad):
        kind = "hang" if j < n_hang else ("corrupt", "empty", "encrypted")[j % 3]
        if kind == "hang":
            dst = bad_dir / f"b{j:04d}{HANG_SUFFIX}"
            dst.write_text(_vary_text(texts[0].read_text(encoding="utf-8"), 100_000 + j), encoding="utf-8")
        elif kind == "corrupt":
            dst = bad_dir / (f"b{j:04d}.pdf" if j % 2 else f"b{j:04d}.docx")
            dst.write_bytes((b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EO" if j % 2 else b"PK\x03\x04 broken")
                            + f"{j}".encode())
        elif kind == "empty":
            dst = bad_dir / f"b{j:04d}.txt"
            dst.write_bytes(b"")
        elif enc.exists():
            dst = bad_dir / f"b{j:04d}.pdf"
            dst.write_bytes(enc.read_bytes() + f"\n%bench {j}\n".encode())
        else:
            dst = bad_dir / f"b{j:04d}.txt"
            dst.write_bytes(bytes(range(256)) * 40 + bytes([j % 256]))  # binary junk
            notes.append("no encrypted.pdf sample: binary junk instead")
        bad.append(dst.relative_to(folder).as_posix())
    return good, bad, sorted(set(notes))


def snapshot(dest: Path) -> Path:
    """A copy of the code the runs use: the pipeline version stays put while others edit the tree."""
    shutil.rmtree(dest, ignore_errors=True)
    for pkg in ("pipeline", "extractors", "models"):
        shutil.copytree(ROOT / pkg, dest / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


CODE = ROOT


def run(inputs: Path, out: Path, workers: int, timeout: float) -> tuple[float, dict]:
    env = dict(os.environ, KEHOACH_TEST_FAULTS=f"hang={HANG_SUFFIX}", KEHOACH_TEST_HANG_S="3600",
               PYTHONPATH=str(CODE))
    cmd = [sys.executable, "-m", "pipeline.cli", "extract", str(inputs), "--out", str(out), "-q",
           "--workers", str(workers), "--timeout", str(timeout)]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=CODE, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(f"kehoach failed ({res.returncode}):\n{res.stderr[-3000:]}")
    return wall, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def verify(out: Path, good: list[str], bad: list[str]) -> list[str]:
    """Problems: a good document lost or failed, a bad one missing from errors.csv or there twice."""
    problems = []
    docs = read(out / "documents.csv")
    paths = [d["source_path"] for d in docs]
    if len(paths) != len(set(paths)):
        problems.append(f"{len(paths) - len(set(paths))} duplicated documents rows")
    status = {d["source_path"]: d["status"] for d in docs}
    lost = [g for g in good if g not in status]
    failed = [g for g in good if status.get(g) == "failed"]
    if lost:
        problems.append(f"{len(lost)} good documents missing, e.g. {lost[:3]}")
    if failed:
        problems.append(f"{len(failed)} good documents failed, e.g. {failed[:3]}")
    errors: dict[str, int] = {}
    for e in read(out / "errors.csv"):
        if e["stage"] in ("load", "worker", "archive"):
            errors[e["source_path"]] = errors.get(e["source_path"], 0) + 1
    not_once = [b for b in bad if errors.get(b) != 1 or status.get(b) != "failed"]
    if not_once:
        problems.append(f"{len(not_once)} bad documents not in errors.csv exactly once, e.g. {not_once[:3]}")
    wrong = [g for g in good if g in errors]
    if wrong:
        problems.append(f"{len(wrong)} good documents with a load/worker error, e.g. {wrong[:3]}")
    return problems


def _kinds(paths: list[str]) -> str:
    kinds: dict[str, int] = {}
    for g in paths:
        kinds[g.rsplit(".", 1)[-1]] = kinds.get(g.rsplit(".", 1)[-1], 0) + 1
    return ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))


def _line(label: str, n: int, wall: float, m: dict, problems: list[str] | None = None) -> str:
    w = m["workers"]
    text = (f"{label}: {wall:6.1f} s, {n / wall:6.1f} plans/s; peak RSS per worker {w['peak_rss_mb_max']} MB "
            f"(main process {w['main_peak_rss_mb']} MB); status {m['counts']['status']}")
    if m["counts"]["this_run"]["worker_errors"]:
        text += f"; worker errors {m['counts']['this_run']['worker_errors']}"
    if problems is not None:
        text += "; " + ("every good plan extracted, every bad one in errors.csv exactly once" if not problems
                        else "PROBLEMS: " + "; ".join(problems))
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=1000, help="plans to generate (default 1000)")
    ap.add_argument("--large", action="store_true", help="also run 5×n plans with 2 workers (memory flatness)")
    ap.add_argument("--timeout", type=float, default=3.0, help="--timeout for the runs (what each hang costs)")
    ap.add_argument("--keep", help="generate into this folder and keep it")
    args = ap.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kehoach-bench-"))
    global CODE
    CODE = snapshot(base / "code")
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start (other work on the machine skews the timings)")
    try:
        # 1. throughput: n good plans, 1 then 2 workers
        clean = base / "in-clean"
        shutil.rmtree(clean, ignore_errors=True)
        good, _, notes = generate(clean, args.n, bad_share=0)
        print(f"throughput set: {len(good)} plans ({_kinds(good)})")
        for note in notes:
            print("note:", note)
        walls = {}
        for w in (1, 2):
            out = base / f"out-clean-{w}"
            shutil.rmtree(out, ignore_errors=True)
            walls[w], m = run(clean, out, w, args.timeout)
            print(_line(f"  {w} worker(s)", len(good), walls[w], m, verify(out, good, [])))
        print(f"  speed-up 1 → 2 workers: {walls[1] / walls[2]:.2f}x (target ≥ 1.7x)")
        # 2. robustness: the same mix with 5% bad inputs, 2 workers; then a rerun with nothing changed
        inputs = base / "in"
        shutil.rmtree(inputs, ignore_errors=True)
        good, bad, _ = generate(inputs, args.n)
        print(f"mixed set: {len(good) + len(bad)} plans ({_kinds(good)}) of which {len(bad)} bad: "
              f"{sum(b.endswith(HANG_SUFFIX) for b in bad)} hanging (--timeout {args.timeout:g}), "
              "the rest corrupt, empty or encrypted")
        out = base / "out-mixed"
        shutil.rmtree(out, ignore_errors=True)
        first, m_first = run(inputs, out, 2, args.timeout)
        print(_line("  2 workers", len(good) + len(bad), first, m_first, verify(out, good, bad)))
        before = {p.name: p.read_bytes() for p in out.glob("*.csv")}
        again, m = run(inputs, out, 2, args.timeout)
        t = m["counts"]["this_run"]
        same = before == {p.name: p.read_bytes() for p in out.glob("*.csv")}
        print(f"  rerun, nothing changed: {again:.2f} s ({t['skipped_unchanged']} skipped, {t['processed']} redone): "
              f"{first / again:.0f}x faster (target ≥ 20x); tables byte-identical: {same}")
        if args.large:
            big = base / "in-large"
            shutil.rmtree(big, ignore_errors=True)
            good_l, bad_l, _ = generate(big, 5 * args.n)
            out = base / "out-large"
            shutil.rmtree(out, ignore_errors=True)
            wall, m_l = run(big, out, 2, args.timeout)
            print(_line(f"large set, {5 * args.n} plans, 2 workers", 5 * args.n, wall, m_l, verify(out, good_l, bad_l)))
            print(f"  peak RSS per worker {m_l['workers']['peak_rss_mb_max']} MB for {5 * args.n} plans vs "
                  f"{m_first['workers']['peak_rss_mb_max']} MB for {args.n}; main process "
                  f"{m_l['workers']['main_peak_rss_mb']} MB vs {m_first['workers']['main_peak_rss_mb']} MB")
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
