"""The review report of a 300-plan run: how long index.html takes to open in headless Chromium.

Usage: python benchmarks/bench_report.py [-n 300] [--pdf-share 0.2] [--workers 2] [--repeat 5]
                                         [--replicate K] [--keep DIR]

Generates N plans with the compositional generator (tests/fixtures/compose.py,
rendered by tests/fixtures/corpus.py as text or PDF — no scans, to keep it
quick; ~60 % of plans carry injected errors), runs the real batch
(pipeline.batch) with the report at its end, then opens index.html from
file:// in Debian's chromium through /usr/bin/chromedriver, `--repeat` times
in fresh sessions, and prints the load time: navigation start to the later of
loadEventEnd and the findings table's first render (report.js records
`window.KEHOACH_RENDERED`). Target: under 3 s. It also checks that every
finding of flags.csv is in the report's table and that its link lands on an
element of its document page.

--replicate K copies the run's tables K times under new doc_ids (no crops:
the copies have no files) and times writing and opening that report too:
K=34 on 300 plans gives the 10,000 plans the report must handle.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = 20261205
TABLES = ["documents", "legal_bases", "sections", "attendance", "budget_tables", "budget_lines", "flags", "errors"]


def generate(folder: Path, n: int, pdf_share: float) -> dict[str, int]:
    from tests.fixtures.corpus import plan_for, render

    folder.mkdir(parents=True, exist_ok=True)
    every = max(1, round(1 / pdf_share)) if pdf_share > 0 else 0
    counts = {"txt": 0, "pdf": 0}
    for i in range(n):
        fmt = "pdf" if every and i % every == 0 else "txt"
        plan, _ = plan_for(SEED, i, fmt)
        (folder / f"plan-{i:04d}.{fmt}").write_bytes(render(plan, fmt, seed=SEED + i))
        counts[fmt] += 1
    return counts


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1300,1000"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def load_times(index: Path, repeat: int) -> tuple[list[float], list[dict], int]:
    """Seconds from navigation start to loaded and table drawn, per fresh session; console errors; rows drawn."""
    times, errors, rows = [], [], 0
    for _ in range(repeat):
        d = browser()
        try:
            d.get(index.as_uri())
            t = d.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "return [n.loadEventEnd, window.KEHOACH_RENDERED || null];")
            if t[1] is None:
                raise SystemExit("the findings table was never drawn (window.KEHOACH_RENDERED unset)")
            times.append(max(t) / 1000)
            errors += [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
            rows = len(d.find_elements("css selector", "#findings-table tbody tr"))
        finally:
            d.quit()
    return times, errors, rows


def check_links(out: Path) -> tuple[int, int, list[str]]:
    """(findings in flags.csv, findings in the report, problems): every finding listed, every link landing."""
    with open(out / "flags.csv", encoding="utf-8-sig", newline="") as f:
        flags = list(csv.DictReader(f))
    text = (out / "report" / "report-data.js").read_text(encoding="utf-8")
    data = json.loads(text.removeprefix("window.KEHOACH_DATA = ").rstrip().removesuffix(";"))
    docs, rows = data["docs"]["rows"], data["findings"]["rows"]
    problems = []
    ids: dict[str, set[str]] = {}
    for r in rows:
        doc_id, anchor = docs[r[0]][0], r[7]
        if doc_id not in ids:
            page = out / "report" / "docs" / f"{doc_id}.html"
            ids[doc_id] = set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8"))) if page.is_file() else set()
        if anchor not in ids[doc_id]:
            problems.append(f"{doc_id}#{anchor}")
    per_doc = {}
    for f in flags:
        per_doc[f["doc_id"]] = per_doc.get(f["doc_id"], 0) + 1
    listed = {}
    for r in rows:
        listed[docs[r[0]][0]] = listed.get(docs[r[0]][0], 0) + 1
    if per_doc != listed:
        problems.append("findings per document differ between flags.csv and the report")
    return len(flags), len(rows), problems


def replicate(src: Path, dst: Path, k: int) -> int:
    """The run's tables K times, each copy under its own doc_ids and source_paths."""
    import pandas as pd

    dst.mkdir(parents=True, exist_ok=True)
    frames = {t: pd.read_csv(src / f"{t}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig") for t in TABLES}
    out = {t: [] for t in TABLES}
    for c in range(k):
        for t, df in frames.items():
            df = df.copy()
            if "doc_id" in df.columns:
                df["doc_id"] = [f"d{c:04x}{d[5:]}" if d else d for d in df["doc_id"]]
            if "source_path" in df.columns:
                df["source_path"] = [f"copy{c:03d}/{s}" for s in df["source_path"]]
            out[t].append(df)
    for t in TABLES:
        pd.concat(out[t]).to_csv(dst / f"{t}.csv", index=False, encoding="utf-8-sig")
    return len(frames["documents"]) * k


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--pdf-share", type=float, default=0.2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--replicate", type=int, default=0)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()

    from pipeline.batch import Options, run_batch
    from pipeline.report import write_report

    work = args.keep or Path(tempfile.mkdtemp(prefix="kehoach-bench-report-"))
    inp, out = work / "in", work / "out"
    t0 = time.perf_counter()
    counts = generate(inp, args.n, args.pdf_share)
    print(f"generated {args.n} plans ({counts['txt']} txt, {counts['pdf']} pdf) in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    run_batch([str(inp)], out, Options(workers=args.workers, quiet=True))
    print(f"extracted in {time.perf_counter() - t0:.1f} s ({args.workers} workers)")
    t0 = time.perf_counter()
    index = write_report(out)
    crops = len(list((out / "report" / "crops").glob("*.png")))
    print(f"report written in {time.perf_counter() - t0:.1f} s: {len(list((out / 'report' / 'docs').iterdir()))} "
          f"document pages, {crops} crops, report-data.js {(out / 'report' / 'report-data.js').stat().st_size / 1e6:.2f} MB")
    n_flags, n_rows, problems = check_links(out)
    print(f"findings: {n_flags} in flags.csv, {n_rows} in the report; links that miss their target: {len(problems)}"
          + (f" (first: {problems[:3]})" if problems else ""))
    times, errors, drawn = load_times(index, args.repeat)
    print(f"index.html load + first table render, {args.repeat} fresh sessions: median {statistics.median(times):.3f} s, "
          f"max {max(times):.3f} s (target < 3 s); rows drawn {drawn}; console errors {len(errors)}")
    ok = not problems and not errors and max(times) < 3 and n_flags == n_rows
    if args.replicate:
        big = work / "big"
        n = replicate(out, big, args.replicate)
        t0 = time.perf_counter()
        index = write_report(big, crops=False)
        print(f"{n} plans (the tables ×{args.replicate}): report written in {time.perf_counter() - t0:.1f} s, "
              f"report-data.js {(big / 'report' / 'report-data.js').stat().st_size / 1e6:.1f} MB")
        times, errors, drawn = load_times(index, max(1, args.repeat // 2))
        print(f"  index.html load + first table render: median {statistics.median(times):.3f} s, max {max(times):.3f} s; "
              f"rows drawn {drawn}; console errors {len(errors)}")
        ok = ok and not errors
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
