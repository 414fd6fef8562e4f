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

def _line(*cells: tuple[int, str], top: int = 100, height: int = 21, key: int = 1, space: int = 14) -> ocr_layout.Line:
    """An OCR line of words at x positions: (x0, "text") pairs, each word 14 px a character, `space` px
    between words (OCR boxes leave up to half the size, 28 px here)."""
    words = []
    for x0, text in cells:
        x = x0
        for token in text.split():
            words.append(Word(token, x, top, x + 14 * len(token), top + height, 96.0, (1, 1, key)))
            x += 14 * len(token) + space
    return ocr_layout.Line(words)


def test_an_ocr_word_space_does_not_cut_a_cell_but_a_gap_between_figures_does():
    line = _line((250, "Xăng xe đi kiểm tra"), (700, "Lít"))
    assert [c[2] for c in unruled.cells_of(line)] == ["Xăng xe đi kiểm tra", "Lít"]
    size = line.size
    qty = Word("150", 847, 100, 893, 121, 96.0, (1, 1, 1))
    price = Word("40.000", int(893 + 0.55 * size), 100, int(893 + 0.55 * size) + 90, 121, 96.0, (1, 1, 1))
    assert [c[2] for c in unruled.cells_of(ocr_layout.Line([qty, price]))] == ["150", "40.000"]


def test_rows_set_close_are_not_run_together():
    """A group row, its member line and the next group row, touching as they do on a scan, their labels
    lost: three rows, because each puts an amount under the amount of the one before."""
    group = _line((265, "CHI TUYÊN TRUYỀN"), (1286, "650.000.000"), top=256, space=10)
    member = _line((265, "Thuê hội trường"), (782, "Buổi"), (1005, "100"), (1113, "6.500.000"),
                   (1304, "650.000.000"), top=290, space=10)
    nxt = _line((265, "CHI TỔ CHỨC"), (1305, "24.000.000"), top=324, space=10)
    assert [len(g) for g in unruled.row_groups([group, member, nxt])] == [1, 1, 1]
    wrapped = _line((265, "HỘI NGHỊ"), top=347, space=10)  # a wrapped label without figures continues its row
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

_cache: dict[tuple, object] = {}


def _read(seed: int, index: int, pages: tuple[int, ...]):
    """Page 1 and `pages` of generated plan `index` of `seed`, rendered as a scan (200 dpi, turned,
    noised), read by OCR and extracted as a document of their own (page 1 holds the header and first
    sections the extractors place a plan's parts by); and the plan's truth."""
    pages = tuple(sorted({1, *pages}))
    key = (seed, index, pages)
    if key not in _cache:
        import tempfile
        from pathlib import Path

        from models.document import Document
        from pipeline.loaders import ocr
        from pipeline.run import extract_document
        from tests.fixtures.corpus import plan_for, render
        from tests.fixtures.expected import expected_records

        plan, _ = plan_for(seed, index, "scan")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{plan.name}-scan.pdf"
            path.write_bytes(render(plan, "scan", seed * 100_000 + index))
            results = ocr.ocr_images(ocr.render_pages(path, list(pages)), workers=1)
        doc = Document(str(path), "pdf", ocr.blocks_of(results), pages=len(results), ocr_used=True)
        _cache[key] = (extract_document(doc), expected_records(plan))
    return _cache[key]


def _figures(lines) -> list[tuple]:
    get = (lambda l, k: l.get(k)) if lines and isinstance(lines[0], dict) else getattr  # noqa: E731
    return [(get(l, "quantity"), get(l, "unit_price"), get(l, "amount"), bool(get(l, "is_subtotal")),
             bool(get(l, "is_total"))) for l in lines]


def _same_lines(ex, truth, tables: set[str]) -> tuple[int, int]:
    """(lines of the truth's `tables` whose figures and group/total marks the extraction has, their count),
    matched as a multiset: the pages read alone number their tables from T1."""
    from collections import Counter

    want = Counter(_figures([l for l in truth["budget_lines"] if l["table_id"] in tables]))
    got = Counter(_figures(ex.budget_lines))
    return sum((want & got).values()), sum(want.values())


def _false(ex, truth, checks: tuple[str, ...] | None = None) -> list:
    """Findings the truth does not hold (compared by check and figures: table ids may differ)."""
    want = {(f["check"], f.get("expected"), f.get("found")) for f in truth["flags"]}
    return [f for f in ex.flags if (f.check, f.expected, f.found) not in want and (checks is None or f.check in checks)]


@needs_ocr
@pytest.mark.parametrize("seed,index,pages,tables", [(SEED, 41, (2,), {"T1"}), (SEED, 8, (2,), {"T1"})])
def test_unruled_tables_with_groups_keep_their_labels_and_rows(seed, index, pages, tables):
    """Tables without rules (41) or with horizontal rules only (8), group rows I, II … above their
    lines: the STT column and Roman labels the page call drops are read from their ink, the rows that
    touch are kept apart, and every figure and group row comes out as the plan has it."""
    ex, truth = _read(seed, index, pages)
    same, total = _same_lines(ex, truth, tables)
    assert total >= 8 and same >= total - 1, f"{same}/{total} budget lines right"
    assert any(l.get("is_subtotal") for l in truth["budget_lines"]), "the plan has group rows"
    assert _false(ex, truth) == []


@needs_ocr
@pytest.mark.parametrize("seed,index,pages,tables", [(SEED, 9, (2, 3), {"T1", "T2"}), (SEED, 50, (2,), {"T1", "T2"})])
def test_garbled_two_line_headers_still_name_their_columns(seed, index, pages, tables):
    """Two-row headers ("Kinh phí" over "Đơn giá | Kinh phí", "Số / lượng" in a narrow column) that
    the page call garbles (plan 9: no rules; plan 50: horizontal rules only, groups): every quantity is
    read (a column the header names does not read empty), and (plan 9) a table cut by the page break is
    one table."""
    ex, truth = _read(seed, index, pages)
    want = [l for l in truth["budget_lines"] if l["table_id"] in tables]
    assert sum(1 for l in want if l.get("quantity") is not None) >= 3
    assert sum(1 for l in ex.budget_lines if l.quantity is not None) >= sum(1 for l in want if l.get("quantity") is not None) - 1
    same, total = _same_lines(ex, truth, tables)
    assert same >= total - 1, f"{same}/{total} budget lines right"
    assert len(ex.budget_tables) == len(tables)
    assert _false(ex, truth) == []


@needs_ocr
@pytest.mark.parametrize("seed,index", [(SEED, 42), (2718, 9)])
def test_misread_labels_of_ruled_attendance_tables_are_read_again(seed, index):
    """Attendance tables (page 4) with groups: a lone "II" that a stacked read takes for nothing (4711/42),
    "+" and "M" read surely for "1" and "2" (2718/9: "M" made a row a group). Labels that break the
    column's count are read again as lines; the groups and counts come out right and no attendance_sum
    or numbering finding follows."""
    ex, truth = _read(seed, index, (4,))
    want = sorted((a["count"], bool(a.get("is_subtotal")), bool(a.get("is_total")))
                  for a in truth["attendance"] if a["source"] == "table")
    got = sorted((a.count, bool(a.is_subtotal), bool(a.is_total)) for a in ex.attendance if a.source == "table")
    assert any(s for _, s, _ in want)
    assert got == want
    assert _false(ex, truth, ("attendance_sum", "numbering")) == []


@needs_ocr
def test_a_real_error_in_an_unruled_scan_is_still_found_as_an_error():
    """Plan 54 prints a line whose quantity × price ≠ amount: re-reading the figures does not read it
    away, and the finding stays an error (the figures were read surely)."""
    ex, truth = _read(SEED, 54, (2,))
    want = [(f["expected"], f["found"]) for f in truth["flags"] if f["check"] == "line_arithmetic"]
    got = [f for f in ex.flags if f.check == "line_arithmetic"]
    assert want and [(f.expected, f.found) for f in got] == want
    assert all(f.severity == "error" for f in got)


@needs_ocr
def test_two_ruled_tables_sharing_a_border_are_two_tables():
    """Page 3 of 2718/4: a table's last rows and its words line, and right under them (their borders
    touching) the next table, with other columns: two grids, each with its own columns."""
    ex, truth = _read(2718, 4, (3,))
    assert len(ex.budget_tables) == 2  # not one of ten columns
    same, total = _same_lines(ex, truth, {"T2"})
    assert same >= total - 1, f"{same}/{total} lines of the second table right"


@needs_ocr
def test_a_section_label_whose_digit_was_misread_is_read_again():
    """Page 1 of 2718/0: "2." and "3." read "M ." and "ụ ." by the page call (two sections lost, a false
    numbering finding); read again as lines, the labels are labels."""
    ex, truth = _read(2718, 0, (1,))
    ids = {s.section_id for s in ex.sections}
    assert {"II.1", "II.2", "II.3"} <= ids
    assert _false(ex, truth, ("numbering",)) == []


def test_labels_that_break_a_count():
    from pipeline.loaders.ocr.tables import breaks_count

    assert breaks_count(["I", "+", "M", "3", "4", "H", "1", "2", "III", "1", ""]) == \
        [False, True, True, False, False, False, False, False, False, False, False]
    assert not any(breaks_count(["A", "1", "2", "B", "1", "C", "1", "2", ""]))
    assert breaks_count(["1", "2", "l", "4"]) == [False, False, True, False]


def test_strokes_and_ones_of_a_roman_label():
    from pipeline.loaders.ocr.layout import MIXED_ROMAN

    assert [t for t in ("I1.", "1I.", "l1)", "11.", "1.", "II.") if MIXED_ROMAN.fullmatch(t)] == ["I1.", "1I.", "l1)"]


def test_two_ruled_tables_one_under_the_other_are_cut_apart():
    """A line drawing of two tables sharing a border: 3 columns above, 4 below (other x positions)."""
    from pipeline.loaders.ocr.tables import _stacked

    lines = np.zeros((400, 600), np.uint8)
    for y in (0, 50, 100, 150, 200, 250, 300, 399):
        lines[y:y + 2] = 255
    for x in (0, 200, 400, 598):
        lines[0:200, x:x + 2] = 255
    for x in (0, 100, 300, 450, 598):
        lines[200:400, x:x + 2] = 255
    grids = _stacked(lines, 10, 20)
    assert [(g.nrows, g.ncols) for g in grids] == [(4, 3), (3, 4)]
    assert grids[1].box[1] >= 20 + 195


def test_a_table_on_the_next_page_carries_on_only_an_open_table():
    """A table at the top of a page joins the one the page before ended with only when that one has no
    total row or words line yet and the new one repeats its header or starts with body rows."""
    from models.document import Block
    from pipeline.loaders.ocr.layout import join_pages

    head = ["STT", "Nội dung", "SL", "Đơn giá", "Thành tiền"]

    def table(rows, page):
        return Block("table", rows=[list(r) for r in rows], page=page, row_pages=[page] * len(rows),
                     row_boxes=[None] * len(rows), cell_boxes=[[None] * 5 for _ in rows])

    open_one = table([head, ["1", "In tài liệu", "10", "10.000", "100.000"]], 1)
    closed = table([head, ["1", "In tài liệu", "10", "10.000", "100.000"], ["", "Tổng cộng", "", "", "100.000"]], 1)
    rest = table([["2", "Tiền ăn", "5", "50.000", "250.000"]], 2)
    other = table([["TT", "Diễn giải", "Khối lượng", "Định mức", "Kinh phí"], ["1", "Giải thưởng", "2", "1.000", "2.000"]], 2)
    assert len(join_pages([[open_one], [rest]])) == 1
    assert len(join_pages([[closed], [table(rest.rows, 2)]])) == 2
    assert len(join_pages([[table(open_one.rows, 1)], [other]])) == 2  # another table's own header


def test_a_group_heading_centred_over_two_money_columns_names_none():
    """'Kinh phí' centred over 'Đơn giá' and 'Dự toán', its box a little short of the first and over the
    second (measured on a scan: seed 2718, plan 55)."""
    def words(top, *boxes):
        return ocr_layout.Line([Word(t, a, top, b, top + 30, 96.0, (1, 1, top)) for a, b, t in boxes])

    head = [words(966, (895, 957, "Khối"), (1183, 1245, "Kinh"), (1257, 1305, "phí")),
            words(994, (196, 250, "STT"), (417, 696, "Nội dung công việc")),
            words(1015, (886, 966, "lượng"), (1059, 1110, "Đơn"), (1122, 1172, "giá"), (1294, 1345, "Dự"),
                  (1357, 1408, "toán"))]
    assert {c[2] for c in unruled.group_headings(head)} == {"Kinh phí"}


def test_a_group_name_in_capitals_under_a_line_starts_a_row():
    """A group row whose name wraps ("CHI HOẠT ĐỘNG CHUYÊN" / "MÔN"), its label and amount level with the
    second line, touching the line above on a scan: it does not continue that line's item."""
    member = _line((190, "1"), (266, "Nước uống đại biểu"), (706, "Người"), (902, "50"), (1086, "1"),
                   (1252, "50"), top=1245, space=10)
    name = _line((265, "CHI HOẠT ĐỘNG CHUYÊN"), top=1298, height=30, space=10)
    label = _line((187, "III"), (1239, "136"), top=1321, space=10)
    rest = _line((266, "MÔN"), top=1340, space=10)
    assert [len(g) for g in unruled.row_groups([member, name, label, rest])] == [1, 3]


def test_a_header_repeated_with_its_unit_in_brackets_is_the_same_header():
    from pipeline.loaders.ocr.layout import _same_rows

    a = [["STT", "Diễn giải", "Khối lượng", "Mức chỉ (1.000 đồng)", "Dự toán (1.000 đồng"]]
    b = [["STT", "Diễn giải", "Khối lượng", "Mức chi (1.000 đồng)", "Dự toán (1.000 đồng)"]]
    assert _same_rows(a, b)
    assert not _same_rows([["1", "In tài liệu", "10", "10.000", "100.000"]], [["2", "In tài liệu", "10", "10.000", "100.000"]])


@needs_ocr
def test_rows_joined_to_a_table_by_the_words_read_are_read_too():
    """Page 3 of 2718/47: the first reading of the table stops at a wrapped group name; the rows that
    reading joins to it (down to "Tổng số", whose amount the page call dropped) have their words read
    again in a second pass, so the total is there."""
    ex, truth = _read(2718, 47, (3,))
    totals = [l.amount for l in ex.budget_lines if l.is_total]
    want = [l["amount"] for l in truth["budget_lines"] if l.get("is_total") and l["table_id"] in ("T2", "T3")]
    assert want and set(want) <= set(totals)


def test_a_glyph_a_box_left_out_is_no_word_of_its_own():
    """The "I" of "HỘI" outside Tesseract's box, read "1" from its ink, sits against the word: dropped;
    a label a cell's gap away is a word."""
    hoi = Word("HỘI", 430, 320, 495, 350, 96.0, (1, 1, 1))
    assert ocr_page._sliver(Word("1", 496, 322, 506, 350, 90.0, (9, 1, 1)), [hoi], 25.0)
    assert not ocr_page._sliver(Word("1", 187, 322, 200, 350, 90.0, (9, 1, 1)), [hoi], 25.0)
    assert not ocr_page._sliver(Word("Thành", 330, 320, 420, 350, 90.0, (9, 1, 1)), [hoi], 25.0)
