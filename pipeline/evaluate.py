"""End-to-end evaluation against expected records (`kehoach evaluate DIR [--json OUT]`).

GROBID-style field scores: for every document of DIR that has a
`<stem>.expected.json` beside it (`x.txt`, `x.md`, `x.docx`, `x.pdf` all use
`x.expected.json`), the document is extracted and its records are matched to
the expected ones by key, table by table:

| table | key |
| --- | --- |
| documents | the one row |
| legal_bases | seq |
| sections | section_id |
| attendance | (table_id, row) for table rows, (section_id, n-th) for counts in the text |
| budget_tables | table_id |
| budget_lines | (table_id, row) |
| flags | (check, table_id, row, section_id) |

(a key that repeats gets its occurrence number). Only the fields an expected
record lists are scored. For each field, a non-empty expected value is one to
find (recall's denominator), a non-empty extracted value of a scored field is
one found (precision's denominator), and a pair of equal values is correct.
Values are compared strictly after NFC and white-space folding, and softly
ignoring case, diacritics and punctuation. A record is exact when it is
matched and all its listed fields are strictly equal; whole-record accuracy is
exact / (expected + spurious records). Scores are grouped by input format.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from models.records import Extraction

Record = dict[str, Any]
TABLES = ["documents", "legal_bases", "sections", "attendance", "budget_tables", "budget_lines", "flags"]
INPUT_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
EXPECTED_SUFFIX = ".expected.json"


# --- records and keys -------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def records(ex: Extraction) -> dict[str, list[Record]]:
    """The extraction's rows as JSON-able dicts (dates as ISO strings), per table."""
    rows: dict[str, list[Any]] = {
        "documents": [ex.document], "legal_bases": ex.legal_bases, "sections": ex.sections,
        "attendance": ex.attendance, "budget_tables": ex.budget_tables, "budget_lines": ex.budget_lines,
        "flags": ex.flags,
    }
    return {t: [{k: _jsonable(v) for k, v in dataclasses.asdict(r).items()} for r in rs] for t, rs in rows.items()}


def base_key(table: str, r: Record) -> tuple:
    if table == "documents":
        return ()
    if table == "legal_bases":
        return (r.get("seq"),)
    if table == "sections":
        return (r.get("section_id"),)
    if table == "attendance":
        if r.get("source") == "table":
            return ("table", r.get("table_id"), r.get("row"))
        return ("text", r.get("section_id"))
    if table == "budget_tables":
        return (r.get("table_id"),)
    if table == "budget_lines":
        return (r.get("table_id"), r.get("row"))
    if table == "flags":
        return (r.get("check"), r.get("table_id") or "", r.get("row"), r.get("section_id") or "")
    raise ValueError(f"unknown table {table!r}")


def keyed(table: str, rows: Iterable[Record]) -> dict[tuple, Record]:
    """Records by key; the n-th record of a repeated key gets n in its key (first is 1)."""
    seen: Counter[tuple] = Counter()
    out: dict[tuple, Record] = {}
    for r in rows:
        k = base_key(table, r)
        seen[k] += 1
        out[k + (seen[k],)] = r
    return out


# --- value comparison ----------------------------------------------------------------

def strict(value: Any) -> str:
    """NFC, white space folded; booleans as true/false; None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(value))).strip()


def soft(value: Any) -> str:
    """`strict`, then no case, no diacritics (đ → d), no punctuation."""
    text = unicodedata.normalize("NFD", strict(value).casefold().replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = re.sub(r"[^\w\s]|_", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# --- counting --------------------------------------------------------------------------

@dataclass
class Score:
    expected: int = 0  # non-empty expected values
    extracted: int = 0  # non-empty extracted values of scored fields
    correct: int = 0

    def add(self, other: "Score") -> None:
        self.expected += other.expected
        self.extracted += other.extracted
        self.correct += other.correct

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else (1.0 if not self.expected else 0.0)

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else (1.0 if not self.extracted else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"expected": self.expected, "extracted": self.extracted, "correct": self.correct,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class TableScore:
    expected_records: int = 0
    extracted_records: int = 0
    matched_records: int = 0  # same key
    exact_records: int = 0  # matched and every listed field strictly equal
    strict: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    soft: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))

    @property
    def record_score(self) -> Score:
        return Score(self.expected_records, self.extracted_records, self.exact_records)

    @property
    def accuracy(self) -> float:
        spurious = self.extracted_records - self.matched_records
        total = self.expected_records + spurious
        return self.exact_records / total if total else 1.0

    def micro(self, kind: str) -> Score:
        total = Score()
        for s in (self.strict if kind == "strict" else self.soft).values():
            total.add(s)
        return total

    def add(self, other: "TableScore") -> None:
        self.expected_records += other.expected_records
        self.extracted_records += other.extracted_records
        self.matched_records += other.matched_records
        self.exact_records += other.exact_records
        for mine, theirs in ((self.strict, other.strict), (self.soft, other.soft)):
            for name, s in theirs.items():
                mine[name].add(s)


def score_table(table: str, expected: list[Record], actual: list[Record], fields: list[str]) -> TableScore:
    """Scores of one table of one document; `fields` are the table's scored fields (for spurious rows)."""
    ts = TableScore(expected_records=len(expected), extracted_records=len(actual))
    exp, act = keyed(table, expected), keyed(table, actual)
    for k, e in exp.items():
        a = act.get(k)
        listed = [f for f in e if f in fields]
        if a is not None:
            ts.matched_records += 1
            if all(strict(e[f]) == strict(a.get(f)) for f in listed):
                ts.exact_records += 1
        for f in listed:
            got = a.get(f) if a is not None else None
            for kind, norm in (("strict", strict), ("soft", soft)):
                s = (ts.strict if kind == "strict" else ts.soft)[f]
                ev, av = norm(e[f]), norm(got)
                s.expected += bool(ev)
                s.extracted += bool(av)
                s.correct += bool(ev) and ev == av
    for k, a in act.items():
        if k in exp:
            continue
        for f in fields:
            for kind, norm in (("strict", strict), ("soft", soft)):
                (ts.strict if kind == "strict" else ts.soft)[f].extracted += bool(norm(a.get(f)))
    return ts


@dataclass
class Report:
    documents: Counter[str] = field(default_factory=Counter)  # format -> count
    tables: dict[str, dict[str, TableScore]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(TableScore)))

    def formats(self) -> list[str]:
        return sorted(self.documents) + (["all"] if len(self.documents) > 1 else [])

    def for_format(self, fmt: str) -> dict[str, TableScore]:
        if fmt != "all":
            return self.tables[fmt]
        total: dict[str, TableScore] = defaultdict(TableScore)
        for per in self.tables.values():
            for t, s in per.items():
                total[t].add(s)
        return total

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for fmt in self.formats():
            tables = self.for_format(fmt)
            out[fmt] = {
                "documents": sum(self.documents.values()) if fmt == "all" else self.documents[fmt],
                "tables": {t: {
                    "records": {**tables[t].record_score.as_dict(), "matched": tables[t].matched_records,
                                "accuracy": round(tables[t].accuracy, 4)},
                    "strict": tables[t].micro("strict").as_dict(), "soft": tables[t].micro("soft").as_dict(),
                    "fields": {f: {"strict": tables[t].strict[f].as_dict(), "soft": tables[t].soft[f].as_dict()}
                               for f in sorted(tables[t].strict)},
                } for t in TABLES if t in tables},
            }
        return out


def table_fields(expected_docs: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Per table, the fields any expected record lists (in first-seen order)."""
    out: dict[str, dict[str, None]] = defaultdict(dict)
    for doc in expected_docs:
        for t in TABLES:
            for r in doc.get(t, []):
                out[t].update(dict.fromkeys(r))
    return {t: list(fs) for t, fs in out.items()}


def evaluate(pairs: Iterable[tuple[Extraction, dict[str, Any]]]) -> Report:
    """Score extractions against their expected records (the `<stem>.expected.json` contents)."""
    pairs = list(pairs)
    fields = table_fields(e for _, e in pairs)
    report = Report()
    for ex, expected in pairs:
        fmt = ex.document.source_format or "?"
        report.documents[fmt] += 1
        actual = records(ex)
        for t in TABLES:
            if t not in expected and t not in fields:
                continue
            report.tables[fmt][t].add(score_table(t, expected.get(t, []), actual[t], fields.get(t, [])))
    return report


def differences(ex: Extraction, expected: dict[str, Any]) -> list[str]:
    """One line per expected field the extraction gets wrong, per missing record and per extra one:
    what to look at when a score is below 100."""
    actual, out = records(ex), []
    name = ex.document.source_path
    for t in TABLES:
        if t not in expected:
            continue
        want, got = keyed(t, expected[t]), keyed(t, actual[t])
        for k, w in want.items():
            if k not in got:
                out.append(f"{name}: {t} {k}: missing")
                continue
            out += [f"{name}: {t} {k} {f}: expected {v!r}, got {got[k].get(f)!r}"
                    for f, v in w.items() if strict(v) != strict(got[k].get(f))]
        out += [f"{name}: {t} {k}: not expected" for k in got if k not in want]
    return out


# --- files and the command line -----------------------------------------------------------

def find_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """(document, expected json) for every document with an expected file of the same stem."""
    out = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in INPUT_SUFFIXES:
            expected = path.with_name(path.stem + EXPECTED_SUFFIX)
            if expected.is_file():
                out.append((path, expected))
    return out


def load_pairs(folder: Path) -> list[tuple[Extraction, dict[str, Any]]]:
    from pipeline.run import extract_file

    return [(extract_file(doc, folder), json.loads(exp.read_text(encoding="utf-8"))) for doc, exp in find_pairs(folder)]


def pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def render(report: Report) -> str:
    lines: list[str] = []
    head = f"{'':26}{'exp':>6}{'got':>6}  {'strict P':>8}{'R':>6}{'F1':>6}  {'soft P':>7}{'R':>6}{'F1':>6}"
    for fmt in report.formats():
        tables = report.for_format(fmt)
        n = sum(report.documents.values()) if fmt == "all" else report.documents[fmt]
        lines += ["", f"== {fmt}: {n} document(s) ==", head]
        for t in TABLES:
            if t not in tables:
                continue
            ts = tables[t]
            st, so = ts.micro("strict"), ts.micro("soft")
            rec = ts.record_score
            lines.append(f"{t:26}{st.expected:6}{st.extracted:6}  {pct(st.precision):>8}{pct(st.recall):>6}{pct(st.f1):>6}"
                         f"  {pct(so.precision):>7}{pct(so.recall):>6}{pct(so.f1):>6}"
                         f"   records {rec.correct}/{rec.expected} exact, {ts.extracted_records} extracted,"
                         f" accuracy {pct(ts.accuracy).strip()}%")
            for f in sorted(ts.strict):
                s, o = ts.strict[f], ts.soft[f]
                if s.f1 < 1 or o.f1 < 1:
                    lines.append(f"  {f:24}{s.expected:6}{s.extracted:6}  {pct(s.precision):>8}{pct(s.recall):>6}{pct(s.f1):>6}"
                                 f"  {pct(o.precision):>7}{pct(o.recall):>6}{pct(o.f1):>6}")
    lines.append("\n(fields listed under a table are those below 100 % F1)")
    return "\n".join(lines).lstrip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kehoach evaluate", description="score documents against <name>.expected.json files")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--json", type=Path, help="write the scores as JSON here")
    parser.add_argument("--diff", action="store_true", help="also list every field that differs from the expected")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"kehoach: no such folder: {args.folder}", file=sys.stderr)
        return 2
    pairs = load_pairs(args.folder)
    if not pairs:
        print(f"kehoach: no document with a <name>{EXPECTED_SUFFIX} beside it in {args.folder}", file=sys.stderr)
        return 2
    report = evaluate(pairs)
    print(render(report))
    if args.diff:
        diffs = [d for ex, exp in pairs for d in differences(ex, exp)]
        print("\ndifferences:\n" + ("\n".join(diffs) or "  none"))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
