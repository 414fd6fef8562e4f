"""OCR building blocks that need no Tesseract run: deskew, ruled grids, paragraphs from
word boxes, page joins, figure re-read decisions, and the missing-Tesseract error."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from models.document import Block
from pipeline.loaders import ocr
from pipeline.loaders.ocr import engine as tesseract, layout as ocr_layout, tables as ocr_tables
from pipeline.loaders.errors import ConverterMissingError
from pipeline.loaders.ocr import Word

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def text_page(lines: list[str], size=(1200, 900)) -> Image.Image:
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 28)
    for i, line in enumerate(lines):
        draw.text((60, 60 + 48 * i), line, font=font, fill=0)
    return img


@pytest.mark.parametrize("angle", [0.8, -0.6, 0.3])
def test_skew_angle_found_and_undone(angle):
    page = text_page(["Căn cứ Quyết định số 1234/QĐ-UBND ngày 15 tháng 01 năm 2024 của UBND"] * 14)
    turned = np.asarray(page.rotate(angle, resample=Image.BICUBIC, fillcolor=255))
    assert ocr.skew_angle(turned) == pytest.approx(angle, abs=0.1)
    upright, found = ocr.deskew(turned)
    assert found == pytest.approx(angle, abs=0.1)
    assert abs(ocr.skew_angle(upright)) <= 0.05


def test_blank_page_has_no_skew():
    assert ocr.skew_angle(np.full((400, 300), 255, np.uint8)) == 0.0


def ruled_table(spanned_last_row: bool = True) -> np.ndarray:
    """A 4-row, 3-column grid; the last row's first two cells merged (a 'Tổng cộng' row)."""
    img = np.full((1400, 1000), 255, np.uint8)
    xs, ys = [100, 200, 600, 900], [300, 360, 420, 480, 540]
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[-1], y), 0, 2)
    for x in xs:
        bottom = ys[-2] if (spanned_last_row and x == xs[1]) else ys[-1]
        cv2.line(img, (x, ys[0]), (x, bottom), 0, 2)
    cv2.putText(img, "12", (130, 345), cv2.FONT_HERSHEY_SIMPLEX, 1, 0, 2)
    return img


def test_grid_with_a_spanned_row():
    grids = ocr_tables.find_tables(ruled_table())
    assert len(grids) == 1
    g = grids[0]
    assert (g.nrows, g.ncols) == (4, 3)
    assert [(c.row, c.col) for c in g.cells if c.row == 3] == [(3, 0), (3, 2)]
    spanned = next(c for c in g.cells if c.row == 3 and c.col == 0)
    assert spanned.box[2] > 550  # reaches past the missing border to x=600
    assert ocr_tables._ink_box(ocr_tables.ink_mask(ruled_table()), g.cells[0].box) is not None  # "12"
    assert ocr_tables._ink_box(ocr_tables.ink_mask(ruled_table()), g.cells[1].box) is None  # empty


def test_underlines_and_boxes_are_not_tables():
    img = np.full((1400, 1000), 255, np.uint8)
    cv2.line(img, (300, 200), (700, 200), 0, 2)  # the rule under "Độc lập - Tự do - Hạnh phúc"
    cv2.rectangle(img, (100, 400), (900, 600), 0, 2)  # a framed note: one cell
    assert ocr_tables.find_tables(img) == []


def test_figure_cells_reread_only_when_doubtful():
    assert not ocr_tables.needs_reread("5.000.000", 95)
    # O/0 parses with ocr=True, but the cell should hold digits (the budget extractor reads figures as printed)
    assert ocr_tables.needs_reread("1.5OO.OOO", 95)
    assert ocr_tables.needs_reread("5.000.0O0I", 95)
    assert ocr_tables.needs_reread("NI", 54)
    assert ocr_tables.needs_reread("9.000.000", 40)  # parses, but read with low confidence
    assert not ocr_tables.needs_reread("", 0) and not ocr_tables.needs_reread("-", 10)


def test_numeric_columns():
    texts = [["STT", "Nội dung", "Thành tiền"], ["1", "Thuê hội trường", "5.000.000"], ["NI", "In ấn", "3.OOO.OOO"],
             ["3", "Giải thưởng", "9.000.000"]]
    cells = [ocr_tables.Cell(r, c, (0, 0, 1, 1), t) for r, row in enumerate(texts) for c, t in enumerate(row)]
    assert ocr_tables.numeric_columns(ocr_tables.Grid((0, 0, 1, 1), 4, 3, cells)) == {0, 2}


# --- word boxes to paragraphs ------------------------------------------------------------------

def line_words(text: str, x: int, y: int, key: tuple, gap_at: int | None = None, gap: int = 0, conf=95.0,
               justify_to: int | None = None) -> list[Word]:
    """Words of one printed line: 20 px per character, 30 px tall, one space between words
    (spread out so that the line ends at `justify_to`, as a justified line does)."""
    words = text.split()
    extra = 0.0
    if justify_to and len(words) > 1:
        natural = 20 * (len(text.replace(" ", "")) + len(words) - 1)
        extra = (justify_to - x - natural) / (len(words) - 1)
    out = []
    for i, word in enumerate(words):
        if gap_at is not None and i == gap_at:
            x += gap
        out.append(Word(word, round(x), y, round(x) + 20 * len(word), y + 30, conf, key))
        x += 20 * (len(word) + 1) + extra
    return out


def test_header_columns_paragraphs_and_labels():
    w = []
    w += line_words("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 150, 100, (1, 1, 1), gap_at=4, gap=300)
    w += line_words("HUYỆN CHÂU THÀNH Độc lập - Tự do - Hạnh phúc", 150, 145, (1, 1, 2), gap_at=3, gap=420)
    w += line_words("Số: 215/KH-UBND Châu Thành, ngày 12 tháng 3 năm 2024", 170, 190, (1, 1, 3), gap_at=2, gap=330)
    w += line_words("KẾ HOẠCH", 780, 280, (2, 1, 1))
    w += line_words("Căn cứ Quyết định số 1234/QĐ-UBND ngày 15 tháng 01 năm 2024 của", 200, 360, (3, 1, 1),
                    justify_to=1500)
    w += line_words("Ủy ban nhân dân tỉnh về việc ban hành Kế hoạch chuyển đổi số;", 100, 405, (3, 1, 2))
    w += line_words("Tổ chức Hội thi", 650, 320, (2, 1, 2))  # a centred title line, then the body
    w += line_words("I. MỤC ĐÍCH, YÊU CẦU", 200, 465, (3, 1, 3))
    w += line_words("1. Mục đích", 200, 510, (3, 1, 4))
    w += line_words("Nâng cao nhận thức của cán bộ, công chức và người dân về vai trò của", 200, 555, (3, 1, 5),
                    justify_to=1500)
    w += line_words("chuyển đổi số.", 100, 600, (3, 1, 6))
    w += line_words("- Hội thi được tổ chức trang trọng.", 200, 645, (3, 1, 7))
    w += line_words("a) Thời gian: ngày 06/10/2025", 200, 690, (3, 1, 8))
    w += line_words("b) Địa điểm: Sân Ủy ban nhân dân", 200, 735, (3, 1, 9))
    w += line_words("_ Trên đây là Kế hoạch./.", 200, 780, (3, 1, 10))
    w += line_words(": `", 200, 825, (3, 1, 11))
    w += line_words("5", 800, 2260, (9, 1, 1))  # page number at the foot
    blocks = ocr_layout.page_blocks(w, [], 1, 1654, 2339)
    assert [b.text for b in blocks] == [
        "ỦY BAN NHÂN DÂN", "HUYỆN CHÂU THÀNH", "Số: 215/KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Châu Thành, ngày 12 tháng 3 năm 2024",
        "KẾ HOẠCH", "Tổ chức Hội thi",
        "Căn cứ Quyết định số 1234/QĐ-UBND ngày 15 tháng 01 năm 2024 của Ủy ban nhân dân tỉnh về việc ban hành "
        "Kế hoạch chuyển đổi số;",
        "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích",
        "Nâng cao nhận thức của cán bộ, công chức và người dân về vai trò của chuyển đổi số.",
        "- Hội thi được tổ chức trang trọng.",
        "a) Thời gian: ngày 06/10/2025", "b) Địa điểm: Sân Ủy ban nhân dân", "Trên đây là Kế hoạch./.",
    ]
    assert all(b.page == 1 and b.confidence == 95.0 for b in blocks)


def test_anchor_without_diacritics_still_opens_the_header():
    w = line_words("UY BAN NHAN DAN CONG HOA XA HOI CHU NGHIA VIET NAM", 150, 100, (1, 1, 1), gap_at=4, gap=300)
    w += line_words("So: 215/KH-UBND Chau Thanh, ngay 12 thang 3 nam 2024", 170, 145, (1, 1, 2), gap_at=2, gap=330)
    w += line_words("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015 của", 100, 300, (2, 1, 1))
    blocks = ocr_layout.page_blocks(w, [], 1, 1654, 2339)
    assert [b.text for b in blocks][:4] == ["UY BAN NHAN DAN", "So: 215/KH-UBND", "CONG HOA XA HOI CHU NGHIA VIET NAM",
                                             "Chau Thanh, ngay 12 thang 3 nam 2024"]


def test_table_blocks_keep_their_place_and_break_paragraphs():
    w = line_words("Dự toán kinh phí tổ chức Hội thi như sau và các khoản chi khác của", 200, 100, (1, 1, 1))
    w += line_words("Bằng chữ: Hai mươi mốt triệu đồng.", 200, 600, (2, 1, 1))
    table = Block("table", rows=[["STT", "Nội dung"], ["1", "Thuê hội trường"]], page=1)
    blocks = ocr_layout.page_blocks(w, [(200, table)], 1, 1654, 2339)
    assert [b.kind for b in blocks] == ["paragraph", "table", "paragraph"]


def test_pages_join_tables_and_sentences():
    head = ["STT", "Nội dung", "Thành tiền"]
    p1 = [Block("paragraph", text="Các đơn vị", page=1), Block("table", rows=[head, ["1", "A", "1.000"]], page=1)]
    p2 = [Block("table", rows=[["STT", "Nôi dung", "Thành tiền"], ["2", "B", "2.000"]], page=2),
          Block("paragraph", text="Bằng chữ: Ba nghìn đồng", page=2)]
    p3 = [Block("paragraph", text="chẵn.", page=3)]
    out = ocr_layout.join_pages([p1, p2, p3])
    assert out[1].rows == [head, ["1", "A", "1.000"], ["2", "B", "2.000"]]
    assert [b.text for b in out if not b.is_table] == ["Các đơn vị", "Bằng chữ: Ba nghìn đồng chẵn."]


def test_ascii_fold():
    assert ocr_layout.ascii_fold("Căn cứ Số: ĐỘC LẬP") == "Can cu So: DOC LAP"


# --- Tesseract missing ------------------------------------------------------------------------

ENGINES = ["library", "command"]


@pytest.fixture(params=ENGINES)
def no_tesseract(request, monkeypatch, tmp_path):
    """No Tesseract as each engine sees it: no `tesseract` command, no Vietnamese data."""
    import pytesseract

    monkeypatch.setenv("KEHOACH_OCR_ENGINE", request.param)
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "no-tessdata"))
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    tesseract._check.cache_clear()
    yield
    tesseract._check.cache_clear()


def test_missing_tesseract_is_named(no_tesseract, tmp_path):
    with pytest.raises(ConverterMissingError, match="tesseract-ocr tesseract-ocr-vie"):
        ocr.require_tesseract()
    from pipeline.loaders.image import load_image

    png = tmp_path / "scan.png"
    text_page(["Kế hoạch"]).save(png)
    with pytest.raises(ConverterMissingError):
        load_image(png)


def test_missing_tesseract_makes_a_failed_row(no_tesseract, tmp_path):
    from pipeline.run import extract_file

    png = tmp_path / "scan.png"
    text_page(["Kế hoạch"]).save(png)
    ex = extract_file(png, tmp_path)
    assert ex.document.status == "failed"
    assert [(e.error_type, "tesseract-ocr-vie" in e.message) for e in ex.errors] == [("converter_missing", True)]


@pytest.fixture
def fresh_check():
    tesseract._check.cache_clear()
    yield
    tesseract._check.cache_clear()


def test_missing_vietnamese_data_command(monkeypatch, fresh_check):
    import pytesseract

    monkeypatch.setenv("KEHOACH_OCR_ENGINE", "command")
    monkeypatch.setattr(pytesseract, "get_languages", lambda *a, **k: ["eng", "osd"])
    with pytest.raises(ConverterMissingError, match="Vietnamese"):
        ocr.require_tesseract()


def test_missing_vietnamese_data_in_process(monkeypatch, tmp_path, fresh_check):
    """A tessdata folder with English only: the in-process engine names the Vietnamese package."""
    (tmp_path / "eng.traineddata").write_bytes(b"")
    monkeypatch.setenv("KEHOACH_OCR_ENGINE", "library")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    with pytest.raises(ConverterMissingError, match="tesseract-ocr-vie"):
        ocr.require_tesseract()


def test_both_engines_read_the_same_words(monkeypatch):
    """libtesseract in-process and the `tesseract` command give the same words, boxes and line numbers."""
    page = np.asarray(text_page(["Căn cứ Quyết định số 1234/QĐ-UBND ngày 05/3/2024;", "Tổng cộng: 46.670.000 đồng"]))
    seen = {}
    for name in ENGINES:
        monkeypatch.setenv("KEHOACH_OCR_ENGINE", name)
        assert tesseract.engine() == name
        seen[name] = [(w.text, w.x0, w.top, w.line) for w in ocr.read_words(page, dpi=200)]
    assert seen["library"] == seen["command"]
    assert [t for t, *_ in seen["library"]][:4] == ["Căn", "cứ", "Quyết", "định"]


def test_a_whitelist_does_not_stay_on_the_engine():
    """Engines are reused between calls: a figure re-read's digit whitelist must not leak into the next page."""
    page = np.asarray(text_page(["Kế hoạch tổ chức Hội thi 2024"]))
    digits = ocr.read_words(page, psm=6, whitelist=ocr_tables.DIGITS, dpi=200)
    assert all(set(w.text) <= set(ocr_tables.DIGITS) for w in digits)
    assert [w.text for w in ocr.read_words(page, psm=6, dpi=200)] == ["Kế", "hoạch", "tổ", "chức", "Hội", "thi", "2024"]


def test_images_dispatch_to_the_image_loader(monkeypatch, tmp_path):
    from pipeline import loaders
    from pipeline.loaders import image

    from models.document import Document

    seen = []
    monkeypatch.setattr(image, "load_image", lambda p: seen.append(Path(p).suffix) or Document(str(p), "image"))
    for suffix in (".png", ".JPG", ".jpeg", ".tif", ".tiff"):
        assert loaders.load(tmp_path / f"scan{suffix}").source_format == "image"
    assert seen == [".png", ".JPG", ".jpeg", ".tif", ".tiff"]


# --- despeckle, two-column zones, baselines ------------------------------------------------------

def test_despeckle_removes_dust_not_dots():
    page = np.asarray(text_page(["Căn cứ Quyết định số 1234/QĐ-UBND; chi tiết."])).copy()
    dust = [(700, 300), (820, 410), (95, 500)]
    for x, y in dust:
        page[y, x] = 60
    ink = ocr_tables.ink_mask(page)
    clean, clean_ink = ocr.despeckle(page, ink)
    assert all(clean[y, x] > 200 and not clean_ink[y, x] for x, y in dust)
    text = ink[40:110, :] > 0  # the line's glyphs, dots and accents included, are all kept
    assert np.array_equal(clean_ink[40:110, :] > 0, text)


def two_columns(right_pitch: int) -> np.ndarray:
    """Recipients on the left (pitch 40 px), a signature on the right (its own pitch), under a body line."""
    img = Image.new("L", (1654, 1200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 26)
    draw.text((160, 100), "Trên đây là Kế hoạch tổ chức Hội thi của Ủy ban nhân dân huyện năm 2024 ./.", font=font, fill=0)
    for i, t in enumerate(["Nơi nhận:", "- UBND tỉnh (b/c);", "- Đảng ủy xã (b/c);", "- Lưu: VT."]):
        draw.text((160, 200 + 40 * i), t, font=font, fill=0)
    for i, t in enumerate(["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]):
        draw.text((950, 200 + right_pitch * i), t, font=font, fill=0)
    return np.asarray(img)


def test_the_right_column_of_a_two_column_zone_is_found_and_moved():
    page = two_columns(52)
    ink = ocr_tables.ink_mask(page)
    zones = ocr_layout.column_zones(ink, [])
    assert len(zones) == 1
    x0, y0, x1, y1 = zones[0]
    assert 800 < x0 <= 950 and y0 <= 205 and 1200 < x1 and 300 < y1 < 400  # the signature, not the body line
    canvas, moved = ocr_layout.unfold_columns(page, ink, [])
    assert canvas.shape[0] > page.shape[0] and canvas[y0:y1, x0:x1].min() > 200  # moved away…
    top = moved[0].top
    assert np.array_equal(canvas[top:top + y1 - y0, x0:x1], page[y0:y1, x0:x1])  # …below the page
    word = Word("PHÓ", 950, top + 104 + 200 - y0, 1010, top + 130 + 200 - y0, 90, (9, 1, 1))
    assert ocr_layout.put_back([word], moved, page.shape[0])[0].top == 304  # and put back


def test_a_body_page_has_no_zone():
    page = np.asarray(text_page(["Căn cứ Quyết định số 1234/QĐ-UBND ngày 15 tháng 01 năm 2024 của UBND"] * 12))
    assert ocr_layout.column_zones(ocr_tables.ink_mask(page), []) == []


def test_a_line_of_descending_words_still_runs_on():
    """'triệu đồng).' has no word without a descender (a dot below, a 'g', a bracket): its baseline is not its
    bottom, and the paragraph is not cut before it."""
    w = line_words("4. Kinh phí thực hiện: 150.000.000 đồng (bằng chữ: Một trăm năm mươi", 100, 100, (1, 1, 1),
                   justify_to=1500)
    w += line_words("triệu đồng).", 100, 152, (1, 1, 2))
    for word in w[-2:]:
        word.bottom += 8  # the dot below and the descenders reach lower than a plain word
    w += line_words("Nguồn kinh phí sự nghiệp y tế năm 2025 của Trung tâm.", 200, 220, (1, 1, 3))
    w += line_words("Thực hiện Kế hoạch số 95/KH-SYT ngày 20/5/2025 của Sở Y tế về", 200, 265, (1, 1, 4),
                    justify_to=1500)
    w += line_words("chiến dịch tiêm vắc xin sởi năm 2025.", 100, 307, (1, 1, 5))
    texts = [b.text for b in ocr_layout.page_blocks(w, [], 2, 1654, 2339)]
    assert texts[0] == "4. Kinh phí thực hiện: 150.000.000 đồng (bằng chữ: Một trăm năm mươi triệu đồng)."


# --- cell confidences and the figure re-read ---------------------------------------------------------

def grid_of_texts(texts: list[list[str]], confs: float = 95.0) -> ocr_tables.Grid:
    cells = [ocr_tables.Cell(r, c, (100 * c, 40 * r, 100 * c + 90, 40 * r + 30), t, confs if t else None, 1 if t else 0)
             for r, row in enumerate(texts) for c, t in enumerate(row)]
    return ocr_tables.Grid((0, 0, 100 * len(texts[0]), 40 * len(texts)), len(texts), len(texts[0]), cells)


BUDGET = [["STT", "Nội dung", "Số lượng", "Đơn giá", "Thành tiền"],
          ["1", "Thuê hội trường", "1", "5.000.000", "5.000.000"],
          ["2", "In ấn", "150", "20.000", "3.000.000"],
          ["3", "Giải thưởng", "6", "1.500.000", "3.000.000"],
          ["Tổng cộng", "", "", "", "11.000.000"]]


def run_check(monkeypatch, grid, readings: dict[tuple[int, int], list[tuple[str, float]]]) -> list[float]:
    """check_figures with Tesseract replaced by `readings` (what each re-read, in turn, gives a cell)."""
    calls = []

    def reread(gray, ink, cells, factor, dpi, reads, line=None):
        calls.append(factor)
        for cell in cells:
            got = readings.get((cell.row, cell.col), [])
            if len(got) >= len(calls):
                text, conf = got[len(calls) - 1]
                reads.setdefault(id(cell), []).append(ocr_tables.Reading(text, conf))

    monkeypatch.setattr(ocr_tables, "_reread", reread)
    monkeypatch.setattr(ocr_tables, "_ink_box", lambda ink, box: box)
    ocr_tables.check_figures(None, None, grid, 200)
    return calls


def test_a_reread_that_makes_the_line_agree_is_kept(monkeypatch):
    grid = grid_of_texts(BUDGET)
    amount = next(c for c in grid.cells if (c.row, c.col) == (3, 4))
    amount.conf = 88.0
    calls = run_check(monkeypatch, grid, {(3, 4): [("3.000.000", 90.0), ("9.000.000", 93.0)], (3, 2): [("6", 96.0)] * 2,
                                          (3, 3): [("1.500.000", 96.0)] * 2})
    assert calls == [2.0, 3.0]  # the 2× reading settled nothing: 3× was tried
    assert (amount.text, amount.conf) == ("9.000.000", 93.0)
    block = ocr_tables._block(grid, 1)
    assert block.rows[3][4] == "9.000.000" and block.cell_confidence[3][4] == 93.0
    assert block.cell_confidence[3][2] == 96.0  # the quantity read twice the same: the higher confidence
    assert block.cell_confidence[4][1:4] == [None, None, None]  # empty cells


def test_a_real_error_is_kept_and_the_readings_vouch_for_it(monkeypatch):
    grid = grid_of_texts(BUDGET, confs=80.0)
    same = {(3, 2): [("6", 95.0)] * 2, (3, 3): [("1.500.000", 94.0)] * 2, (3, 4): [("3.000.000", 92.0)] * 2}
    run_check(monkeypatch, grid, same)
    row = {c.col: c for c in grid.cells if c.row == 3}
    assert [row[c].text for c in (2, 3, 4)] == ["6", "1.500.000", "3.000.000"]
    assert [row[c].conf for c in (2, 3, 4)] == [95.0, 94.0, 92.0]


def test_a_disagreeing_reread_lowers_the_confidence(monkeypatch):
    grid = grid_of_texts(BUDGET, confs=90.0)
    run_check(monkeypatch, grid, {(3, 4): [("8.000.000", 70.0), ("8.000.000", 72.0)]})
    amount = next(c for c in grid.cells if (c.row, c.col) == (3, 4))
    assert (amount.text, amount.conf) == ("3.000.000", 70.0)  # first kept, its confidence the lower


def test_a_consistent_line_is_not_read_again(monkeypatch):
    grid = grid_of_texts([r[:] for r in BUDGET[:3]], confs=60.0)  # low confidence, but 1 × 5.000.000 = 5.000.000
    assert run_check(monkeypatch, grid, {}) == []


def test_joined_pages_keep_cell_confidences():
    head = ["STT", "Nội dung", "Thành tiền"]
    p1 = [Block("table", rows=[head, ["1", "A", "1.000"]], page=1, confidence=90.0,
                cell_confidence=[[90.0, 90.0, 90.0], [90.0, 90.0, 90.0]])]
    p2 = [Block("table", rows=[head, ["2", "B", "2.000"]], page=2, confidence=60.0,
                cell_confidence=[[60.0, 60.0, 60.0], [60.0, 60.0, 50.0]])]
    out = ocr_layout.join_pages([p1, p2])
    assert out[0].rows == [head, ["1", "A", "1.000"], ["2", "B", "2.000"]]
    assert out[0].cell_confidence == [[90.0] * 3, [90.0] * 3, [60.0, 60.0, 50.0]]
    assert out[0].confidence == 80.0


def test_a_spaced_dash_after_a_roman_label():
    def word(text: str) -> np.ndarray:  # the word's box, as Tesseract gives it
        img = Image.new("L", (300, 80), 255)
        ImageDraw.Draw(img).text((20, 20), text, font=ImageFont.truetype(FONT, 28), fill=0)
        a = np.asarray(img)
        ys, xs = np.nonzero(a < 128)
        return a[ys.min():ys.max() + 1, xs.min():xs.max() + 1]

    assert ocr_layout._spaced_dash(word("I -")) and not ocr_layout._spaced_dash(word("I-"))


def test_the_library_engine_keeps_quiet(capfd):
    """In-process, Tesseract's notes ("Estimating resolution as …", "Detected N diacritics") would reach
    the user's terminal: they go to the null device."""
    page = np.asarray(text_page(["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;"]))
    assert tesseract.engine() == "library"
    words = ocr.read_words(page, dpi=None)  # no resolution given: Tesseract estimates it and says so
    assert [w.text for w in words][:3] == ["Căn", "cứ", "Luật"]
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_without_the_library_the_command_reads(monkeypatch):
    monkeypatch.delenv("KEHOACH_OCR_ENGINE", raising=False)
    monkeypatch.setattr(tesseract, "_library", lambda: None)
    assert tesseract.engine() == "command"
    page = np.asarray(text_page(["Kế hoạch số 12/KH-UBND"]))
    assert [w.text for w in ocr.read_words(page, psm=6, dpi=200)] == ["Kế", "hoạch", "số", "12/KH-UBND"]


def test_accents_read_as_words_are_dropped_from_a_cell():
    """Tesseract reads the marks over a line as 'words' ("F" at 85 % for the hat of "truyền"): pieces
    under 40 % of a word they overlap go, whatever their confidence; a real short word beside them stays."""
    line = (5, 1, 8)
    words = [Word("x", 317, 1577, 325, 1581, 73, line), Word("R", 386, 1576, 394, 1581, 57, line),
             Word("F", 566, 1575, 575, 1581, 85, line), Word("In", 266, 1578, 286, 1598, 96, line),
             Word("băng", 298, 1577, 361, 1603, 93, line), Word("rôn", 373, 1582, 413, 1598, 92, line),
             Word("truyền", 508, 1578, 592, 1603, 97, line), Word("-", 600, 1588, 608, 1591, 90, line)]
    assert [w.text for w in ocr_tables._without_fragments(words)] == ["In", "băng", "rôn", "truyền", "-"]
    hat = Word("N", 303, 326, 326, 333, 76, (2, 1, 1))  # over "Nội": 7 px against 30
    assert ocr_tables._without_fragments([hat, Word("Nội", 275, 328, 326, 358, 97, (2, 2, 1))])[0].text == "Nội"


def test_a_mark_read_at_a_line_end_is_dropped():
    lines = ocr_layout.lines_of(line_words("Ban Thi đua - Khen thưởng `", 100, 400, (3, 1, 1)))
    assert ocr_layout.paragraph(lines, 1).text == "Ban Thi đua - Khen thưởng"


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(25, 1), (1, 19), (15, 1), (1, 15)]),
       st.sampled_from([cv2.MORPH_DILATE, cv2.MORPH_ERODE]))
def test_morphology_near_the_ink_equals_the_whole_page(seed, size, op):
    """`_near_ink` works on the box around the ink only: it must give the whole-image result exactly."""
    rng = np.random.default_rng(seed)
    img = np.zeros((120, 160), np.uint8)
    for _ in range(rng.integers(0, 6)):  # a few strokes anywhere, borders included
        y, x = rng.integers(0, 120), rng.integers(0, 160)
        img[y:y + rng.integers(1, 30), x:x + rng.integers(1, 60)] = 255
    whole = cv2.morphologyEx(img, op, cv2.getStructuringElement(cv2.MORPH_RECT, size))
    assert np.array_equal(ocr_tables._near_ink(img, size, op), whole)


def test_a_list_dash_read_as_a_tilde_stays_a_dash():
    """"- Lưu: VT, TĐKT." read as "~ Lưu: …": a flat mark before the first word is the list's dash; a real
    word "~" or a tall mark is not touched."""
    key = (10, 4, 1)
    rest = line_words("Lưu: VT, TĐKT.", 197, 1324, key)
    flat = Word("~", 179, 1334, 186, 1337, 78, key)
    assert ocr_layout.paragraph(ocr_layout.lines_of([flat] + rest), 1).text == "- Lưu: VT, TĐKT."
    tall = Word("~", 179, 1324, 186, 1350, 78, key)
    assert ocr_layout.paragraph(ocr_layout.lines_of([tall] + rest), 1).text == "Lưu: VT, TĐKT."  # junk, dropped
