"""The evidence shown beside a row with a finding: a crop of the page, or the source lines.

PDFs and scans get a PNG crop of the row's box (pipeline.report.crops);
text and Markdown files get the lines named by `source_ref` ("lines 40-45");
other sources (DOCX) their block and row. The input file is looked for only
when a document has something to show, and read once. When it is gone or has
changed, or a row has no box, the page says so in place of the picture.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from pipeline.report.crops import Pages, Target, parse_box, render
from pipeline.report.page import esc
from pipeline.report.sources import Found, find_source

CROP_FORMATS = {"pdf", "image"}
TEXT_FORMATS = {"txt", "md"}
MAX_LINES = 40


def _lines(source_ref: str) -> tuple[int, int] | None:
    m = re.search(r"\blines?\s+(\d+)(?:\s*[-–]\s*(\d+))?", source_ref or "")
    if not m:
        return None
    a = int(m.group(1))
    return a, int(m.group(2) or a)


class Evidence:
    def __init__(self, doc: dict, roots: list[Path], crops_dir: Path, crops: bool, warn):
        self.doc, self.roots, self.crops_dir, self.crops, self.warn = doc, roots, crops_dir, crops, warn
        self.format = doc.get("source_format", "")
        self._found: Found | None = None
        self._pages: Pages | None = None
        self._text: list[str] | None = None
        self._done: dict[tuple, str] = {}

    def source(self) -> Found:
        if self._found is None:
            self._found = find_source(self.roots, self.doc.get("source_path", ""), self.doc.get("doc_id", ""))
        return self._found

    def _missing(self) -> str:
        f = self.source()
        return f'<p class="missing">Source file {esc(f.where)} {esc(f.problem)}: nothing to show.</p>'

    def html(self, where: dict, marks: list[str]) -> str:
        """Evidence for one row (or finding): `where` has page, bbox, source_ref."""
        if self.format in CROP_FORMATS:
            return self._crop(where, marks)
        if self.format in TEXT_FORMATS:
            return self._source_lines(where.get("source_ref", ""))
        ref = where.get("source_ref", "")
        return f'<p class="ref">Read from {esc(ref)}.</p>' if ref else ""

    def _crop(self, where: dict, marks: list[str]) -> str:
        box = parse_box(where.get("bbox", ""))
        page = int(where["page"]) if re.fullmatch(r"\d+", where.get("page") or "") else None
        if box is None or page is None:
            return '<p class="missing">No page box was recorded for this row: no crop.</p>'
        if not self.crops:
            return ""
        mark_boxes = [b for b in map(parse_box, marks) if b]
        key = (page, box, tuple(mark_boxes))
        if key in self._done:
            return self._done[key]
        if self.source().data is None:
            out = self._missing()
        else:
            digest = hashlib.sha1(repr(key).encode()).hexdigest()[:10]
            name = f"{self.doc['doc_id']}-p{page}-{digest}.png"
            try:
                if self._pages is None:
                    self._pages = Pages(self.source().data, self.format)
                render(self._pages, Target(name, page, box, mark_boxes), self.crops_dir)
                out = (f'<figure class="crop"><img src="../crops/{esc(name)}" alt="page {page} around the row, '
                       f'as printed" loading="lazy"><figcaption>page {page}, as printed</figcaption></figure>')
            except Exception as e:  # a damaged page must not cost the rest of the report
                self.warn(f"{self.doc.get('source_path')}: crop of page {page} failed: {type(e).__name__}: {e}")
                out = f'<p class="missing">The crop of page {page} could not be made ({esc(type(e).__name__)}).</p>'
        self._done[key] = out
        return out

    def _source_lines(self, source_ref: str) -> str:
        span = _lines(source_ref)
        if span is None:
            return f'<p class="ref">Read from {esc(source_ref)}.</p>' if source_ref else ""
        if self.source().data is None:
            return self._missing()
        if self._text is None:
            text = self.source().data.decode("utf-8-sig", errors="replace")
            self._text = unicodedata.normalize("NFC", text).split("\n")  # NFC: one glyph per letter in monospace
        a, b = span
        b = min(b, a + MAX_LINES - 1, len(self._text))
        rows = "".join(f'<span class="ln">{n}</span>{esc(self._text[n - 1].rstrip())}\n' for n in range(a, b + 1))
        return f'<figure class="lines"><pre>{rows}</pre><figcaption>{f"lines {a}–{b}" if b > a else f"line {a}"} of the source</figcaption></figure>'

    def close(self) -> None:
        if self._pages is not None:
            self._pages.close()
