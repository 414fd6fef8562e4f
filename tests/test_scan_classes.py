"""Classes of scan failures (issue 9, "Scans"), each pinned by a generated plan rendered as a scan or
by the geometry that caused it.

The scans are generated plans of a fixed development seed (tests/fixtures/corpus.py: the plan's PDF
rasterised at 200 dpi, turned, noised); what is asserted is figures, structure and findings against
the plan's truth, never Tesseract's words, which differ from CPU to CPU. The geometric tests build
OCR words by hand and need no Tesseract.

Classes:
- words the page call drops in a table without rules (lone numbers, Roman group labels, a narrow
  column's two-line header "Số / TT"), or reads as one tall or glued word: read again from their ink
  (`ocr.page.recover_words`);
- header words garbled ("Số / lượng" read "hay", "xổ"; "TT" read "II:"): the table is found from the
  words read surely, and a header cell that names no column is read again on its own
  (`ocr.page.table_regions`, `reread_header`);
- rows set close on a scan run together (a group row's amount under its first line's):
  a cell filled twice is another row (`unruled._refills`);
- OCR word spaces wider than a text layer's split one cell in two; glued figures of two cells
  (`ocr.layout.Line.cell_gap`, `unruled.cells_of`);
- a lone label in a ruled cell that the stacked read makes nothing of ("II" of an attendance group):
  read again as a line (`ocr.tables.read_lone`);
- two Tesseract lines of one row that interleave (`ocr.layout.lines_of`);
- a group heading over its two sub-headings at OCR's pixel scale (`unruled.group_headings`).
"""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.loaders import unruled
from pipeline.loaders.ocr import layout as ocr_layout
from pipeline.loaders.ocr import page as ocr_page
from pipeline.loaders.ocr.engine import Word

SEED = 4711  # a development seed (never one to score on)


def _tesseract() -> bool:
    try:
        from pipeline.loaders import ocr
        ocr.require_tesseract()
        return True
    except Exception:
        return False


needs_ocr = pytest.mark.skipif(not _tesseract(), reason="Tesseract with Vietnamese data is not installed")


# --- geometry: no Tesseract -------------------------------------------------------------------

def _line(*cells: tuple[int, str], top: int = 100, height: int = 21, key: int = 1) -> ocr_layout.Line:
    """An OCR line of words at x positions: (x0, "text") pairs, each word 14 px a character."""
    words = []
    for x0, text in cells:
        x = x0
        for token in text.split():
            words.append(Word(token, x, top, x + 14 * len(token), top + height, 96.0, (1, 1, key)))
            x += 14 * len(token) + 12  # a word space as OCR boxes leave it: ~0.4 of the size
    return ocr_layout.Line(words)


def test_an_ocr_word_space_does_not_cut_a_cell_but_a_gap_between_figures_does():
    line = _line((250, "Xăng xe đi kiểm tra"), (700, "Lít"))
    assert [c[2] for c in unruled.cells_of(line)] == ["Xăng xe đi kiểm tra", "Lít"]
    size = line.size
    qty = Word("150", 847, 100, 893, 121, 96.0, (1, 1, 1))
    price = Word("40.000", int(893 + 0.55 * size), 100, int(893 + 0.55 * size) + 90, 121, 96.0, (1, 1, 1))
    assert [c[2] for c in unruled.cells_of(ocr_layout.Line([qty, price]))] == ["150", "40.000"]


def test_rows_set_close_are_not_run_together():
    """A group row, its member line and the next group row, touching as they do on a scan: three rows,
    because each puts an amount under the amount of the one before."""
    group = _line((190, "I"), (265, "CHI TUYÊN TRUYỀN"), (1286, "650.000.000"), top=256)
    member = _line((190, "1"), (265, "Thuê hội trường"), (782, "Buổi"), (1005, "100"), (1113, "6.500.000"),
                   (1304, "650.000.000"), top=290)
    nxt = _line((190, "II"), (265, "CHI TỔ CHỨC"), (1305, "24.000.000"), top=324)
    assert [len(g) for g in unruled.row_groups([group, member, nxt])] == [1, 1, 1]
    wrapped = _line((265, "HỘI NGHỊ"), top=347)  # a wrapped label without figures continues its row
    assert [len(g) for g in unruled.row_groups([group, member, nxt, wrapped])] == [1, 1, 2]


def test_interleaved_tesseract_lines_of_one_row_are_one_line():
    a = [Word("1", 188, 298, 199, 325, 96.0, (1, 1, 1)), Word("Cờ", 255, 298, 290, 327, 96.0, (1, 1, 1)),
         Word("10", 900, 300, 928, 322, 96.0, (1, 1, 1))]
    b = [Word("Lá", 699, 300, 725, 322, 96.0, (1, 2, 1)), Word("130đ", 1059, 300, 1124, 322, 96.0, (1, 2, 1))]
    lines = ocr_layout.lines_of(a + b)
    assert len(lines) == 1 and [w.text for w in lines[0].words] == ["1", "Cờ", "Lá", "10", "130đ"]


def test_a_group_heading_over_its_two_sub_headings_names_no_column():
    """'Kinh phí' centred over 'Đơn giá | Kinh phí', its edge a few pixels short of the first."""
    def words(top, *boxes):
        return ocr_layout.Line([Word(t, a, top, b, top + 25, 96.0, (1, 1, top)) for a, b, t in boxes])

    head = [words(770, (1043, 1105, "Kinh"), (1118, 1164, "phí")),  # measured on a scan (seed 4711, plan 9)
            words(817, (925, 983, "Đơn"), (994, 1040, "giá"), (1130, 1193, "Kinh"), (1205, 1251, "phí"))]
    assert {c[2] for c in unruled.group_headings(head)} == {"Kinh phí"}


def test_two_words_read_as_one_are_told_by_the_paper_between():
    ink = np.zeros((40, 300), np.uint8)
    ink[10:30, 10:40] = 255    # "06"
    ink[10:30, 85:200] = 255   # "3.000.000", 45 px of paper away
    glued = Word("063.000.000", 10, 10, 200, 30, 84.0, (1, 1, 1))
    assert ocr_page._glued(ink, glued, 0.6 * 21)
    ink[10:30, 40:85] = 255
    assert not ocr_page._glued(ink, glued, 0.6 * 21)


def test_a_unit_note_above_a_table_is_no_header_line():
    for note in ("(ĐVT: đồng)", "đồng)", "Đơn vị tính: triệu đồng", "(1.000 đồng)"):
        assert ocr_page.UNIT_NOTE.match(ocr_layout.ascii_fold(note).lower()), note
    assert not ocr_page.UNIT_NOTE.match(ocr_layout.ascii_fold("Số tiền (đồng)").lower())


# --- scans of generated plans ------------------------------------------------------------------

_cache: dict[int, object] = {}


def _scan(index: int):
    if index not in _cache:
        from tests.fixtures.corpus import run_one
        _cache[index] = run_one((SEED, index, "scan", None))
    return _cache[index]


FIGURES = ("quantity", "unit_price", "amount", "is_subtotal", "is_total")


def _lines_matching(result) -> tuple[int, int]:
    """(budget lines whose figures and group/total marks all equal the truth's, lines in the truth)."""
    from pipeline.evaluate import records

    got = {(l["table_id"], l["row"]): l for l in records(result.extraction)["budget_lines"]}
    want = result.expected["budget_lines"]
    same = sum(1 for w in want if (k := (w["table_id"], w["row"])) in got
               and all(got[k].get(f) == w.get(f) for f in FIGURES if f in w))
    return same, len(want)


def _findings(result) -> tuple[set, set]:
    from pipeline.evaluate import records

    key = lambda f: (f["check"], f.get("table_id") or "", f.get("row"))  # noqa: E731
    return {key(f) for f in records(result.extraction)["flags"]}, {key(f) for f in result.expected["flags"]}


@needs_ocr
@pytest.mark.parametrize("index", [41, 8])
def test_unruled_tables_with_groups_keep_their_labels_and_rows(index):
    """Tables without rules (41) or with horizontal rules only (8), group rows I, II … above their
    lines: the STT column and Roman labels the page call drops are read from their ink, the rows that
    touch are kept apart, and every figure and group row comes out as the plan has it."""
    r = _scan(index)
    same, total = _lines_matching(r)
    assert total >= 8 and same >= 0.95 * total, f"{same}/{total} budget lines right"
    groups = [l for l in r.expected["budget_lines"] if l.get("is_subtotal")]
    assert groups, "the plan has group rows"
    got, want = _findings(r)
    assert got == want == set()  # a clean plan: no finding


@needs_ocr
@pytest.mark.parametrize("index", [9, 36])
def test_garbled_two_line_headers_still_name_their_columns(index):
    """Two-row headers ("Kinh phí" over "Đơn giá | Kinh phí", "Số / lượng" in a narrow column) that
    the page call garbles: every quantity is read (a column the header names does not read empty), and
    a table cut by the page break is one table."""
    r = _scan(index)
    from pipeline.evaluate import records

    lines = records(r.extraction)["budget_lines"]
    with_qty = [l for l in r.expected["budget_lines"] if l.get("quantity") is not None]
    assert with_qty and sum(1 for l in lines if l.get("quantity") is not None) >= 0.95 * len(with_qty)
    same, total = _lines_matching(r)
    assert same >= 0.95 * total, f"{same}/{total} budget lines right"
    assert len(records(r.extraction)["budget_tables"]) == len(r.expected["budget_tables"])
    got, want = _findings(r)
    assert got <= want  # no false finding


@needs_ocr
def test_a_lone_group_label_of_a_ruled_attendance_table_is_read():
    """Plan 42's attendance table: group "II" sits alone in its ruled cell, which a stacked read takes
    for nothing; read as a line, it keeps its group a subtotal, and no attendance_sum or numbering
    finding follows."""
    from pipeline.evaluate import records

    r = _scan(42)
    got_rows = {(a["table_id"], a["row"]): a for a in records(r.extraction)["attendance"] if a["source"] == "table"}
    want_rows = [a for a in r.expected["attendance"] if a["source"] == "table"]
    assert any(a["is_subtotal"] for a in want_rows)
    right = sum(1 for a in want_rows if (k := (a["table_id"], a["row"])) in got_rows
                and got_rows[k]["count"] == a["count"] and got_rows[k]["is_subtotal"] == a["is_subtotal"])
    assert right >= len(want_rows) - 1
    got, want = _findings(r)
    assert not {f for f in got - want if f[0] in ("attendance_sum", "numbering")}


@needs_ocr
def test_a_real_error_in_an_unruled_scan_is_still_found_as_an_error():
    """Plan 54 prints a line whose quantity × price ≠ amount: re-reading the figures does not read it
    away, and the finding stays an error (the figures were read surely)."""
    r = _scan(54)
    got, want = _findings(r)
    assert want and want <= got
    errors = [f for f in r.extraction.flags if f.check == "line_arithmetic"]
    assert errors and all(f.severity == "error" for f in errors)
