"""Make the scanned plan pages the OCR tests read.

A two-page plan is written as a text PDF with fpdf2 (DejaVu Sans), then
printed and "scanned": rasterised at 200 dpi grayscale, turned by less than
1°, given mild noise, and saved the ways archives hold scans (PNG, JPG,
multi-page TIFF, image-only PDF). The text PDF is kept as "the text version"
the scans must agree with. Run `python tests/data/ocr/make_scans.py` to
rebuild the files next to this script; the output is deterministic.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FONTS = Path("/usr/share/fonts/truetype/dejavu")
DPI = 200

HEADER_LEFT = [("ỦY BAN NHÂN DÂN", True), ("HUYỆN CHÂU THÀNH", True), ("Số: 215/KH-UBND", False)]
HEADER_RIGHT = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True),
                ("Châu Thành, ngày 12 tháng 3 năm 2024", False)]
TITLE = ["KẾ HOẠCH", "Tổ chức Hội thi tuyên truyền về chuyển đổi số năm 2024"]

# (text, bold) paragraphs of page 1 and of page 2 above and below the table.
PAGE1 = [
    ("Căn cứ Quyết định số 1234/QĐ-UBND ngày 15 tháng 01 năm 2024 của Ủy ban nhân dân tỉnh về việc ban "
     "hành Kế hoạch chuyển đổi số tỉnh năm 2024;", False),
    ("Căn cứ Nghị quyết số 05/NQ-HĐND ngày 20 tháng 12 năm 2023 của Hội đồng nhân dân huyện về dự toán "
     "ngân sách năm 2024;", False),
    ("Ủy ban nhân dân huyện xây dựng Kế hoạch tổ chức Hội thi như sau:", False),
    ("I. MỤC ĐÍCH, YÊU CẦU", True),
    ("1. Mục đích", True),
    ("Nâng cao nhận thức của cán bộ, công chức và người dân về vai trò của chuyển đổi số trong phát "
     "triển kinh tế - xã hội của địa phương.", False),
    ("2. Yêu cầu", True),
    ("- Hội thi được tổ chức trang trọng, tiết kiệm, đúng quy định.", False),
    ("- Các đơn vị cử đội thi tham gia đầy đủ, đúng thành phần.", False),
    ("II. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN", True),
    ("1. Thời gian: 01 buổi, ngày 25 tháng 4 năm 2024.", False),
    ("2. Địa điểm: Hội trường Ủy ban nhân dân huyện.", False),
    ("3. Thành phần: 120 đại biểu, gồm lãnh đạo các phòng, ban và 06 đội thi của các xã, thị trấn.", False),
]
PAGE2_BEFORE = [
    ("III. KINH PHÍ", True),
    ("Dự toán kinh phí tổ chức Hội thi như sau:", False),
]
TABLE = [
    ["STT", "Nội dung", "Số lượng", "Đơn giá (đồng)", "Thành tiền (đồng)"],
    ["1", "Thuê hội trường, âm thanh, ánh sáng, màn hình LED", "1", "5.000.000", "5.000.000"],
    ["2", "In ấn tài liệu tuyên truyền", "150", "20.000", "3.000.000"],
    ["3", "Giải thưởng cho các đội thi", "6", "1.500.000", "9.000.000"],
    ["4", "Nước uống đại biểu", "120", "15.000", "1.800.000"],
    ["5", "Trang trí, khánh tiết", "1", "2.370.000", "2.370.000"],
    ["Tổng cộng", "", "", "", "21.170.000"],
]
PAGE2_AFTER = [
    ("Bằng chữ: Hai mươi mốt triệu một trăm bảy mươi nghìn đồng.", False),
    ("Nguồn kinh phí: ngân sách huyện năm 2024.", False),
    ("IV. TỔ CHỨC THỰC HIỆN", True),
    ("1. Phòng Văn hóa và Thông tin chủ trì, phối hợp với các đơn vị liên quan tổ chức Hội thi theo "
     "đúng Kế hoạch.", False),
    ("2. Ủy ban nhân dân các xã, thị trấn cử đội thi tham gia Hội thi.", False),
    ("Trên đây là Kế hoạch tổ chức Hội thi tuyên truyền về chuyển đổi số năm 2024 của Ủy ban nhân "
     "dân huyện./.", False),
]
SIGN_LEFT = [("Nơi nhận:", True), ("- UBND tỉnh (b/c);", False), ("- Lưu: VT.", False)]
SIGN_RIGHT = [("TM. ỦY BAN NHÂN DÂN", True), ("KT. CHỦ TỊCH", True), ("PHÓ CHỦ TỊCH", True), ("", False),
              ("Trần Văn Bình", True)]

# How each page is "scanned": rotation in degrees (counter-clockwise) and noise seed.
SCANS = {1: (0.7, 1), 2: (-0.6, 2)}

# One-page budgets for the figure re-read (`ocr.tables.check_figures`), scanned as page 2 is.
# reread-small.jpg: the amount of row 3 (6 × 1.500.000 = 9.000.000) printed in a 4.3 pt font, so small
# that the page read takes its 9 for a 3; read again, enlarged to the table's own figures, it is right.
SMALL_CELL = (3, 4, 4.3)  # (row, column, font size in pt)
# reread-error.png: row 4 really is wrong in the plan (120 × 15.000 = 1.800.000, printed 1.900.000, the
# total adding up the printed amounts): every reading repeats it, so the finding must stand.
ERROR_TABLE = [row[:] for row in TABLE]
ERROR_TABLE[4][4] = "1.900.000"
ERROR_TABLE[6][4] = "21.270.000"
REREAD_SCANS = {"reread-small.jpg": (0.4, 3), "reread-error.jpg": (0.4, 5)}


def expected_paragraphs() -> list[str]:
    """The paragraphs, in reading order, that a loader owes for this plan (the table aside)."""
    return [t for t, _ in HEADER_LEFT + HEADER_RIGHT] + TITLE + [t for t, _ in PAGE1 + PAGE2_BEFORE + PAGE2_AFTER] + [
        t for t, _ in SIGN_LEFT + SIGN_RIGHT if t]


def expected_text() -> str:
    return " ".join(expected_paragraphs())


def build_text_pdf(path: Path) -> Path:
    """The plan as a text-layer PDF: header columns, title, flowing paragraphs, a ruled table, signature."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(25, 20, 18)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _columns(pdf, 18, HEADER_LEFT, HEADER_RIGHT)
    pdf.set_xy(25, 45)
    for text in TITLE:
        pdf.set_font("DejaVu", "B", 13 if text == TITLE[0] else 12)
        pdf.cell(0, 7, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _flow(pdf, PAGE1)
    pdf.add_page()
    _flow(pdf, PAGE2_BEFORE)
    pdf.ln(2)
    _table(pdf, TABLE)
    pdf.ln(3)
    _flow(pdf, PAGE2_AFTER)
    _columns(pdf, pdf.get_y() + 6, SIGN_LEFT, SIGN_RIGHT, size=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def _table(pdf, rows: list[list[str]], small: tuple[int, int, float] | None = None) -> None:
    """The ruled budget table of page 2; `small` prints one cell in a tiny font."""
    from fpdf.fonts import FontFace

    pdf.set_font("DejaVu", "", 11)
    with pdf.table(col_widths=(12, 70, 20, 30, 35), text_align=("CENTER", "LEFT", "CENTER", "RIGHT", "RIGHT"),
                   line_height=6, first_row_as_headings=False) as table:
        for n, cells in enumerate(rows):
            pdf.set_font("DejaVu", "B" if n in (0, len(rows) - 1) else "", 11)
            row = table.row()
            if cells[0] == "Tổng cộng":
                row.cell(cells[0], colspan=4, align="CENTER")
                row.cell(cells[4])
            else:
                for c, text in enumerate(cells):
                    if small and (n, c) == small[:2]:
                        row.cell(text, style=FontFace(size_pt=small[2]))
                    else:
                        row.cell(text)


def build_budget_pdf(path: Path, rows: list[list[str]], small: tuple[int, int, float] | None = None,
                     after: list[tuple[str, bool]] = PAGE2_AFTER[1:2]) -> Path:
    """A one-page plan excerpt: the heading and sentence of page 2, a budget table, `after` (the funding line)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(25, 20, 18)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _flow(pdf, PAGE2_BEFORE)
    pdf.ln(2)
    _table(pdf, rows, small)
    pdf.ln(3)
    _flow(pdf, after)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def reread_scans(folder: Path) -> dict[str, object]:
    """The two re-read pages, scanned (their text PDFs go to `folder`, which may be a scratch folder)."""
    pdfs = {"reread-small.jpg": build_budget_pdf(folder / "reread-small.pdf", TABLE, SMALL_CELL, PAGE2_AFTER[:2]),
            "reread-error.jpg": build_budget_pdf(folder / "reread-error.pdf", ERROR_TABLE)}
    return {name: degrade(rasterise(pdf)[0], *REREAD_SCANS[name]) for name, pdf in pdfs.items()}


def _columns(pdf, y: float, left, right, size: float = 11.5) -> None:
    """Lines centred in a left and a right column, as plan headers and signatures print them."""
    for x, w, lines in ((18, 72, left), (90, 110, right)):
        yy = y
        for text, bold in lines:
            if text:
                pdf.set_font("DejaVu", "B" if bold else "", size)
                pdf.set_xy(x, yy)
                pdf.cell(w, 6, text, align="C")
            yy += 6 if text else 14


def _flow(pdf, paragraphs) -> None:
    with pdf.text_columns(text_align="J", line_height=1.35) as cols:
        for text, bold in paragraphs:
            pdf.set_font("DejaVu", "B" if bold else "", 12)
            with cols.paragraph(first_line_indent=10, bottom_margin=2) as par:
                par.write(text)


def rasterise(pdf_path: Path, dpi: int = DPI) -> list:
    """Grayscale page images, as a scanner at `dpi` would give them."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        return [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
    finally:
        doc.close()


def degrade(img, angle: float, seed: int):
    """Turn the page by `angle` degrees, soften it and add mild sensor noise and dust."""
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    a = np.asarray(img, dtype=np.float32)
    a = a * 0.86 + 18 + rng.normal(0, 4, a.shape)  # paper not quite white, ink not quite black
    dust = rng.random(a.shape) < 0.0004
    a[dust] = rng.uniform(40, 160, int(dust.sum()))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def _posterise(img):
    """16 gray levels, so that a noisy PNG stays small (a 4-bit scan)."""
    from PIL import Image

    a = np.round(np.asarray(img, dtype=np.float32) / 17) * 17
    return Image.fromarray(a.astype(np.uint8), "L").quantize(16)


def scans(text_pdf: Path) -> list:
    pages = rasterise(text_pdf)
    return [degrade(img, *SCANS[n]) for n, img in enumerate(pages, start=1)]


def save_all(folder: Path) -> list[Path]:
    """plan.pdf (text), plan-p1.png, plan-p2.jpg, plan.tif (both pages), plan-scan.pdf (image-only),
    reread-small.jpg and reread-error.jpg (one-page budgets for the figure re-read)."""
    from fpdf import FPDF

    folder.mkdir(parents=True, exist_ok=True)
    text_pdf = build_text_pdf(folder / "plan.pdf")
    p1, p2 = scans(text_pdf)
    out = [text_pdf]
    _posterise(p1).save(folder / "plan-p1.png", optimize=True, dpi=(DPI, DPI))
    p2.save(folder / "plan-p2.jpg", quality=60, dpi=(DPI, DPI))
    buf = io.BytesIO()
    p1.save(buf, format="TIFF", save_all=True, append_images=[p2.copy()], compression="jpeg", quality=60)
    (folder / "plan.tif").write_bytes(buf.getvalue())
    out += [folder / "plan-p1.png", folder / "plan-p2.jpg", folder / "plan.tif"]
    pdf = FPDF(format="A4")
    for img in (p1, p2):
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=60)
        pdf.add_page()
        pdf.image(buf, x=0, y=0, w=210, h=297)
    pdf.output(str(folder / "plan-scan.pdf"))
    out.append(folder / "plan-scan.pdf")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, img in reread_scans(Path(tmp)).items():
            img.save(folder / name, quality=60, dpi=(DPI, DPI))
            out.append(folder / name)
    return out


if __name__ == "__main__":
    for p in save_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p, p.stat().st_size)
