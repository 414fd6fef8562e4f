"""Build the small DOCX and PDF plans the loader tests read.

Run `python tests/data/loaders/make_samples.py` to refresh the copies kept
next to this file (the benchmark reads them); the tests call the same
builders into a temporary directory, so they always test what is here.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
DEJAVU_SERIF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
HERE = Path(__file__).resolve().parent

# ----------------------------------------------------------------------------- DOCX

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
V_NS = 'xmlns:v="urn:schemas-microsoft-com:vml"'

NUMBERING = f"""
<w:abstractNum {W_NS} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%3."/></w:lvl>
  <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%4)"/></w:lvl>
</w:abstractNum>|
<w:abstractNum {W_NS} w:abstractNumId="91">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>
</w:abstractNum>|
<w:abstractNum {W_NS} w:abstractNumId="92">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl>
</w:abstractNum>|
<w:num {W_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>|
<w:num {W_NS} w:numId="91"><w:abstractNumId w:val="91"/></w:num>|
<w:num {W_NS} w:numId="92"><w:abstractNumId w:val="92"/></w:num>|
<w:num {W_NS} w:numId="93"><w:abstractNumId w:val="92"/>
  <w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
"""


def _add_numbering(document) -> None:
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    for chunk in NUMBERING.split("|"):
        el = parse_xml(chunk.strip())
        if el.tag.endswith("abstractNum") and first_num is not None:
            first_num.addprevious(el)  # the schema wants every abstractNum before the nums
        else:
            numbering.append(el)


def _number(paragraph, num_id: int, ilvl: int) -> None:
    from docx.oxml import parse_xml

    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {W_NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _cell_lines(cell, lines: list[str], bold: bool = False) -> None:
    cell.paragraphs[0].text = ""
    for i, line in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.add_run(line).bold = bold


def _sdt_wrap(element, tag: str = "plan") -> None:
    """Move `element` into a content control (w:sdt/w:sdtContent) at its place."""
    from docx.oxml import parse_xml

    sdt = parse_xml(f'<w:sdt {W_NS}><w:sdtPr><w:tag w:val="{tag}"/></w:sdtPr><w:sdtContent/></w:sdt>')
    element.addprevious(sdt)
    sdt[1].append(element)


def build_docx_plan(path: Path) -> Path:
    """A People's Committee plan: header table, numbered sections, merged budget table, signature."""
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    _add_numbering(d)

    header = d.add_table(rows=2, cols=2)
    _cell_lines(header.cell(0, 0), ["ỦY BAN NHÂN DÂN", "THỊ XÃ KIẾN TƯỜNG"], bold=True)
    _cell_lines(header.cell(0, 1), ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"], bold=True)
    _cell_lines(header.cell(1, 0), ["Số:   123/KH-UBND"])
    _cell_lines(header.cell(1, 1), ["Kiến Tường, ngày 05 tháng 9 năm 2024"])

    d.add_paragraph().add_run("KẾ HOẠCH").bold = True
    title = d.add_paragraph()
    run = title.add_run("Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia")
    run.bold = True
    run.add_break()
    title.add_run("trên địa bàn thị xã năm 2024").bold = True

    basis = d.add_paragraph("Căn cứ Quyết định số 505/QĐ-TTg ngày 22/4/2022 của Thủ tướng Chính phủ")
    basis._p.append(parse_xml(f'<w:r {W_NS}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                              f'<w:footnoteReference w:id="1"/></w:r>'))
    basis.add_run(" về   Ngày Chuyển đổi số quốc gia.")
    d.add_comment(basis.runs[0], text="Kiểm tra lại số quyết định", author="Reviewer")

    body = [
        (90, 0, "MỤC ĐÍCH, YÊU CẦU", "Heading 1"),
        (90, 1, "Mục đích", "Heading 2"),
        (91, 0, "Tuyên truyền về Ngày Chuyển đổi số quốc gia.", None),
        (91, 1, "Nâng cao nhận thức của người dân.", None),
        (90, 1, "Yêu cầu", "Heading 2"),
        (90, 0, "NỘI DUNG", "Heading 1"),
        (90, 1, "Tổ chức các hoạt động truyền thông", None),
        (90, 2, "Tổ chức Lễ mít tinh", None),
        (90, 3, "Thời gian: Dự kiến ngày 08/10/2024.", None),
        (90, 3, "Địa điểm: Hội trường Ủy ban nhân dân thị xã.", None),
        (90, 2, "Tổ chức hội thảo", None),
        (90, 1, "Khen thưởng", None),
    ]
    for num_id, ilvl, text, style in body:
        p = d.add_paragraph(text, style=style)
        _number(p, num_id, ilvl)

    hidden = d.add_paragraph("Thành phần: khoảng 300 đại biểu.")
    hidden_run = hidden.add_run(" (bản nháp)")
    hidden_run.font.hidden = True
    hidden._p.append(parse_xml(f'<w:del {W_NS} w:id="7" w:author="A" w:date="2024-09-01T00:00:00Z">'
                               f'<w:r><w:delText> xóa</w:delText></w:r></w:del>'))
    hidden._p.append(parse_xml(f'<w:ins {W_NS} w:id="8" w:author="A" w:date="2024-09-01T00:00:00Z">'
                               f'<w:r><w:t xml:space="preserve"> Có mời báo chí.</w:t></w:r></w:ins>'))

    controlled = d.add_paragraph("Nội dung trong điều khiển nội dung.")
    _sdt_wrap(controlled._p)

    shape = d.add_paragraph()
    shape._p.append(parse_xml(
        f'<w:r {W_NS} {V_NS}><w:pict><v:shape><v:textbox><w:txbxContent>'
        f'<w:p><w:r><w:t>Ghi chú trong khung.</w:t></w:r></w:p>'
        f'</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'))

    d.add_paragraph("Dự trù kinh phí:")
    budget = d.add_table(rows=5, cols=4)
    budget.style = "Table Grid"
    for c, text in enumerate(["STT", "Nội dung", "Số lượng", "Thành tiền"]):
        budget.cell(0, c).text = text
    rows = [("Nước uống", "127", "2.540.000"), ("Hỗ trợ tiền ăn", "127", "3.810.000"), ("Bảng tên", "8", "200.000")]
    for r, (item, qty, amount) in enumerate(rows, start=1):
        _number(budget.cell(r, 0).paragraphs[0], 93, 0)
        budget.cell(r, 1).text = item
        budget.cell(r, 2).text = qty
        budget.cell(r, 3).text = amount
    merged = budget.cell(4, 0).merge(budget.cell(4, 2))
    merged.text = "Tổng cộng"
    budget.cell(4, 3).text = "6.550.000"
    tall = budget.cell(2, 2).merge(budget.cell(3, 2))  # one quantity spans two rows
    tall.text = "127"
    _sdt_wrap(budget.rows[1]._tr.tc_lst[1])  # a cell inside a content control
    _sdt_wrap(budget.cell(3, 1).paragraphs[0]._p, tag="cell")

    outer = d.add_table(rows=2, cols=2)
    outer.style = "Table Grid"
    outer.cell(0, 0).text = "Hoạt động"
    outer.cell(0, 1).text = "Chi tiết"
    outer.cell(1, 0).text = "Ra quân"
    cell = outer.cell(1, 1)
    cell.text = "Phân công:"
    inner = cell.add_table(rows=2, cols=2)
    inner.cell(0, 0).text = "Đơn vị"
    inner.cell(0, 1).text = "Số người"
    inner.cell(1, 0).text = "VNPT"
    inner.cell(1, 1).text = "10"
    cell.add_paragraph("Xem bảng trên.")

    for line in ["Nơi nhận:\t\t\tTM. ỦY BAN NHÂN DÂN", "- UBND tỉnh (b/c);\t\t\tKT. CHỦ TỊCH",
                 "- Lưu: VT.\t\t\tPHÓ CHỦ TỊCH", "\t\t\t", "\t\t\tNguyễn Thị Lụa"]:
        d.add_paragraph(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    return path


def build_docx_variants(path: Path) -> Path:
    """Header as tab-separated paragraphs, a header split over two tables, page breaks, style numbering."""
    import docx

    d = docx.Document()
    for line in ["ỦY BAN NHÂN DÂN\t\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "HUYỆN TÂN THẠNH\t\tĐộc lập - Tự do - Hạnh phúc",
                 "Số: 45/KH-UBND\t\tTân Thạnh, ngày 10 tháng 10 năm 2024"]:
        d.add_paragraph(line)
    d.add_paragraph("KẾ HOẠCH", style="Title")
    d.add_paragraph("1.\tMục đích tuyên truyền")  # a typed label followed by a tab is not two columns
    d.add_paragraph("Nội dung thứ nhất", style="List Number")
    d.add_paragraph("Nội dung thứ hai", style="List Number")
    d.add_page_break()
    first = d.add_table(rows=1, cols=2)
    _cell_lines(first.cell(0, 0), ["SỞ Y TẾ"])
    _cell_lines(first.cell(0, 1), ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"])
    second = d.add_table(rows=1, cols=2)
    _cell_lines(second.cell(0, 0), ["Số: 7/KH-SYT"])
    _cell_lines(second.cell(0, 1), ["Long An, ngày 01 tháng 10 năm 2024"])
    p = d.add_paragraph("Đoạn văn")
    p.add_run("\tcó tab ở giữa")
    d.add_page_break()
    signature = d.add_paragraph()
    signature.paragraph_format.left_indent = 3_000_000
    run = signature.add_run("KT. GIÁM ĐỐC")
    run.add_break()
    signature.add_run("PHÓ GIÁM ĐỐC")
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    return path


def build_docx_signature(path: Path) -> Path:
    """Signature by tabs with an untabbed line inside, a name pushed right by indent, rendered page breaks."""
    import docx
    from docx.oxml import parse_xml
    from docx.shared import Twips

    d = docx.Document()
    d.add_paragraph("Trên đây là Kế hoạch của Ủy ban nhân dân huyện./.")
    for line in ["Nơi nhận:\t\tTM. ỦY BAN NHÂN DÂN", "- UBND tỉnh;\t\tKT. CHỦ TỊCH", "- Như trên;", "",
                 "- Lưu: VT.\t\tPHÓ CHỦ TỊCH"]:
        d.add_paragraph(line)
    name = d.add_paragraph("Trần Văn Bình")
    name.paragraph_format.left_indent = Twips(5000)
    appendix = d.add_paragraph()
    appendix._p.append(parse_xml(f'<w:r {W_NS}><w:lastRenderedPageBreak/><w:t>Phụ lục 1</w:t></w:r>'))
    d.add_paragraph("DANH SÁCH ĐẠI BIỂU")
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    return path


# ----------------------------------------------------------------------------- PDF

RUNNING_FOOTER = "Kế hoạch Ngày Chuyển đổi số 2024 - UBND thị xã Kiến Tường"

PDF_PARAGRAPHS = [
    ("Căn cứ Quyết định số 505/QĐ-TTg ngày 22/4/2022 của Thủ tướng Chính phủ về Ngày Chuyển đổi số "
     "quốc gia; Quyết định số 934/QĐ-BTTTT ngày 07/6/2024 của Bộ Thông tin và Truyền thông.", False),
    ("Ủy ban nhân dân thị xã ban hành Kế hoạch tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc "
     "gia trên địa bàn thị xã năm 2024, cụ thể như sau:", False),
    ("I. MỤC ĐÍCH, YÊU CẦU", True),
    ("1. Mục đích", True),
    ("- Tuyên truyền về Ngày Chuyển đổi số quốc gia nhằm nâng cao nhận thức của toàn dân về ý nghĩa, vai "
     "trò, tầm quan trọng của chuyển đổi số trong sự phát triển kinh tế - xã hội của thị xã.", False),
    ("- Lan tỏa và thu hút sự hưởng ứng tích cực của cả hệ thống chính trị và toàn xã hội đối với công "
     "cuộc chuyển đổi số; góp phần nâng cao chỉ số năng lực cạnh tranh của địa phương.", False),
    ("2. Yêu cầu", True),
] + [
    (f"Nội dung yêu cầu thứ {i}: các hoạt động hưởng ứng phải được tổ chức thiết thực, hiệu quả, tiết kiệm, "
     f"phù hợp với điều kiện thực tế của từng cơ quan, đơn vị và địa phương trên địa bàn thị xã; huy động "
     f"đa dạng các nguồn lực xã hội tham gia và bảo đảm an toàn trong suốt thời gian tổ chức.", False)
    for i in range(1, 8)
] + [
    ("II. NỘI DUNG", True),
    ("1. Tổ chức Lễ mít tinh", True),
    ("a) Thời gian: Dự kiến ngày 08/10/2024.", False),
    ("b) Địa điểm: Hội trường Ủy ban nhân dân thị xã.", False),
    ("c) Thành phần tham dự: Dự kiến khoảng 300 đại biểu.", False),
    ("III. KINH PHÍ", True),
    ("Dự trù kinh phí thực hiện như sau:", False),
]
PDF_BUDGET = [
    ["STT", "Nội dung", "Số lượng", "Đơn giá", "Thành tiền"],
    ["1", "Nước uống", "127", "20.000", "2.540.000"],
    ["2", "Hỗ trợ tiền ăn", "127", "30.000", "3.810.000"],
    ["3", "Bảng tên", "8", "25.000", "200.000"],
]
PDF_ATTENDANCE = [["TT", "Đơn vị", "Số lượng đại biểu"]] + [
    [str(i), f"Cơ quan, đơn vị số {i} của thị xã", str(1 + i % 3)] for i in range(1, 41)
]
PDF_CLOSING = ("Trên đây là Kế hoạch tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên "
               "địa bàn thị xã năm 2024; đề nghị các cơ quan, đơn vị triển khai thực hiện./.")


def _pdf(cls=None):
    from fpdf import FPDF

    pdf = (cls or FPDF)(format="A4")
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.add_font("DejaVu", "B", str(DEJAVU_BOLD))
    pdf.set_margins(30, 20, 15)
    pdf.set_auto_page_break(True, margin=22)
    return pdf


def _two_columns(pdf, y: float, left: list[tuple[str, bool]], right: list[tuple[str, bool]], size: float = 11):
    """Lines centred in a left (30-95 mm) and a right (95-195 mm) column, as plans print them."""
    for col_x, col_w, lines in ((20, 75, left), (95, 105, right)):
        yy = y
        for text, bold in lines:
            if text:
                pdf.set_font("DejaVu", "B" if bold else "", size)
                pdf.set_xy(col_x, yy)
                pdf.cell(col_w, 6, text, align="C")
            yy += 6 if text else 14


def _flow(pdf, paragraphs: list[tuple[str, bool]]) -> None:
    with pdf.text_columns(text_align="J", line_height=1.25) as cols:
        for text, bold in paragraphs:
            pdf.set_font("DejaVu", "B" if bold else "", 12)
            with cols.paragraph(first_line_indent=10, bottom_margin=1.5) as par:
                par.write(text)


def _table(pdf, rows: list[list[str]], widths, total: str | None = None) -> None:
    pdf.set_font("DejaVu", "", 11)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=6, first_row_as_headings=True,
                   repeat_headings=1) as table:
        for cells in rows:
            row = table.row()
            for c in cells:
                row.cell(c)
        if total:
            row = table.row()
            row.cell("Tổng cộng", colspan=len(widths) - 1)
            row.cell(total)


def build_pdf_plan(path: Path) -> Path:
    """A three-page plan: two-column header, wrapped paragraphs, page numbers, tables, signature."""
    from fpdf import FPDF

    class Plan(FPDF):
        def header(self):
            if self.page_no() > 1:
                self.set_font("DejaVu", "", 11)
                self.set_xy(30, 10)
                self.cell(165, 5, str(self.page_no()), align="C")
                self.set_xy(30, 20)

        def footer(self):
            self.set_font("DejaVu", "", 8)
            self.set_xy(30, -15)
            self.cell(165, 4, RUNNING_FOOTER, align="L")

    pdf = _pdf(Plan)
    pdf.add_page()
    _two_columns(pdf, 15, [("ỦY BAN NHÂN DÂN", True), ("THỊ XÃ KIẾN TƯỜNG", True), ("Số: 123/KH-UBND", False)],
                 [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True),
                  ("Kiến Tường, ngày 05 tháng 9 năm 2024", False)])
    pdf.set_xy(30, 42)
    for text, size in (("KẾ HOẠCH", 13), ("Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia", 12),
                       ("trên địa bàn thị xã năm 2024", 12)):
        pdf.set_font("DejaVu", "B", size)
        pdf.cell(165, 6.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _flow(pdf, PDF_PARAGRAPHS)
    _table(pdf, PDF_BUDGET[1:] and PDF_BUDGET, (12, 70, 25, 28, 30), total="6.550.000")
    pdf.ln(3)
    _flow(pdf, [("Danh sách đại biểu tham dự:", False)])
    _table(pdf, PDF_ATTENDANCE, (15, 110, 40))
    pdf.ln(3)
    _flow(pdf, [(PDF_CLOSING, False)])
    if pdf.get_y() > 200:
        pdf.add_page()
    _two_columns(pdf, pdf.get_y() + 4,
                 [("Nơi nhận:", True), ("- UBND tỉnh (b/c);", False), ("- Lưu: VT.", False)],
                 [("TM. ỦY BAN NHÂN DÂN", True), ("KT. CHỦ TỊCH", True), ("PHÓ CHỦ TỊCH", True), ("", False),
                  ("Nguyễn Thị Lụa", True)])
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def build_pdf_variants(path: Path) -> Path:
    """A ruled header grid, and a signature whose right column starts above 'Nơi nhận:'."""
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    with pdf.table(col_widths=(60, 100), text_align="CENTER", first_row_as_headings=False) as table:
        row = table.row()
        row.cell("SỞ Y TẾ TỈNH LONG AN")
        row.cell("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
        row = table.row()
        row.cell("Số: 9/KH-SYT")
        row.cell("Long An, ngày 01 tháng 10 năm 2024")
    pdf.ln(5)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, "KẾ HOẠCH", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.set_xy(30, 120)
    pdf.multi_cell(150, 6, "Trên đây là kế hoạch của Sở Y tế tỉnh Long An đề nghị các đơn vị nghiêm túc "
                           "triển khai thực hiện./.")
    for x, y, text, bold in ((110, 140, "KT. GIÁM ĐỐC", True), (110, 146, "PHÓ GIÁM ĐỐC", True),
                             (30, 150, "Nơi nhận:", True), (30, 156, "- Như trên;", False),
                             (30, 162, "- Lưu: VT, NVY.", False), (110, 180, "Lê Văn Cường", True)):
        pdf.set_font("DejaVu", "B" if bold else "", 11)
        pdf.set_xy(x, y)
        pdf.cell(85 if x > 100 else 60, 6, text, align="C" if x > 100 else "L")
    pdf.output(str(path))
    return path


def build_pdf_tight_header(path: Path) -> Path:
    """Header columns that nearly touch (one word space apart) and blanks left for the number and date."""
    pdf = _pdf()
    pdf.add_page()
    for y, left, right, bold in ((15, "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
                                 (21, "TỈNH KIÊN GIANG", "Độc lập - Tự do - Hạnh phúc", True),
                                 (30, "Số:        /KH-STTTT", "Kiên Giang, ngày     tháng     năm 2024", False)):
        pdf.set_font("DejaVu", "B" if bold else "", 12)
        pdf.set_xy(15, y)
        pdf.cell(75, 6, left, align="C")
        pdf.set_xy(90, y)
        pdf.cell(110, 6, right, align="C")
    pdf.set_font("DejaVu", "B", 13)
    pdf.set_xy(30, 45)
    pdf.cell(165, 7, "KẾ HOẠCH", align="C")
    pdf.output(str(path))
    return path


def build_pdf_encrypted(path: Path) -> Path:
    pdf = _pdf()
    pdf.set_encryption(owner_password="chu-so-huu", user_password="mat-khau")
    pdf.add_page()
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(0, 8, "Kế hoạch mật")
    pdf.output(str(path))
    return path


def build_pdf_truncated(path: Path) -> Path:
    source = build_pdf_plan(path.with_name(path.stem + "-full.pdf"))
    data = source.read_bytes()
    source.unlink()
    path.write_bytes(data[: len(data) // 3])
    return path


def build_empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def build_text_as_docx(path: Path) -> Path:
    path.write_text("Đây là một tệp văn bản, không phải Word.\n", encoding="utf-8")
    return path


def _renamed_font(source: Path, family: str, target: Path) -> Path:
    """A copy of a DejaVu font whose PDF name is `family` (".VnTime", "VNI-Times")."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6, 16):
            record.string = family
    font.save(str(target))
    return target


# Text as typists produced it in legacy fonts (what their PDFs' text layers hold).
TCVN3_LINES = [
    ("KÕ ho¹ch tæ chøc c¸c ho¹t ®éng h\u00adëng øng Ngµy ChuyÓn ®æi sè quèc gia.",
     "Kế hoạch tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia."),
    ("C¨n cø QuyÕt ®Þnh sè 505/Q§-TTg ngµy 22/4/2022 cña Thñ t\u00adíng ChÝnh phñ.",
     "Căn cứ Quyết định số 505/QĐ-TTg ngày 22/4/2022 của Thủ tướng Chính phủ."),
]
TCVN3_UPPER = ("céng hßa x· héi chñ nghÜa viÖt nam", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
VNI_LINES = [
    ("Keá hoaïch höôûng öùng Ngaøy Chuyeån ñoåi soá quoác gia naêm 2024.",
     "Kế hoạch hưởng ứng Ngày Chuyển đổi số quốc gia năm 2024."),
    ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
]


def build_pdf_legacy(path: Path) -> Path:
    """Page 1 in .VnTime/.VnTimeH (TCVN3), page 2 in VNI-Times, page 3 TCVN3 in a font with a plain name."""
    import tempfile

    pdf = _pdf()
    with tempfile.TemporaryDirectory() as tmp:
        for family, source in ((".VnTime", DEJAVU), (".VnTimeH", DEJAVU_BOLD), ("VNI-Times", DEJAVU),
                               ("TimesPlain", DEJAVU_SERIF)):
            font = _renamed_font(source, family, Path(tmp) / f"{family.strip('.')}.ttf")
            pdf.add_font(family.strip(".").replace("-", ""), "", str(font))
        pages = [[("VnTimeH", TCVN3_UPPER[0])] + [("VnTime", t) for t, _ in TCVN3_LINES],
                 [("VNITimes", t) for t, _ in VNI_LINES],
                 [("TimesPlain", t) for t, _ in reversed(TCVN3_LINES)]]
        for lines in pages:  # cell(), not text_columns(): that would drop TCVN3's U+00AD "ư"
            pdf.add_page()
            for family, text in lines:
                pdf.set_font(family, "", 10)
                pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.output(str(path))
    return path


def build_pdf_garbage(path: Path) -> Path:
    """Page 1 readable; page 2 set in a font without a ToUnicode map (cid glyphs); page 3 a scan."""
    import io

    from PIL import Image

    pdf = _pdf()
    pdf.add_font("Serif", "", str(DEJAVU_SERIF))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 12)
    pdf.multi_cell(0, 7, "Trang này có lớp chữ đọc được: Kế hoạch tổ chức Ngày Chuyển đổi số.")
    pdf.add_page()
    pdf.set_font("Serif", "", 12)
    pdf.multi_cell(0, 7, "Trang này mất bảng mã: các chữ chỉ còn là mã glyph không đọc được.")
    pdf.add_page()
    img = Image.new("RGB", (400, 200), "white")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    pdf.image(buf, x=30, y=30, w=120)
    pdf.output(str(path))
    data = path.read_bytes()
    # Blank out the serif font's ToUnicode entry (same length, so the xref stays valid).
    serif = re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSerif[^>]*?/ToUnicode", data)
    if serif is None:
        raise RuntimeError("could not find the serif font's ToUnicode entry")
    cut = serif.end() - len(b"/ToUnicode")
    data = data[:cut] + b"/XoUnicode" + data[serif.end():]
    path.write_bytes(data)
    return path


PDF_BUILDERS = [
    (build_pdf_plan, "plan.pdf"),
    (build_pdf_variants, "variants.pdf"),
    (build_pdf_tight_header, "tight-header.pdf"),
    (build_pdf_encrypted, "encrypted.pdf"),
    (build_pdf_truncated, "truncated.pdf"),
    (build_pdf_garbage, "garbage.pdf"),
    (build_pdf_legacy, "legacy.pdf"),
]


# ----------------------------------------------------------------------------- main

def build_all(folder: Path) -> list[Path]:
    builders = [(build_docx_plan, "plan.docx"), (build_docx_variants, "variants.docx"),
                (build_docx_signature, "signature.docx")]
    if "build_pdf_plan" in globals():
        builders += PDF_BUILDERS
    return [fn(folder / name) for fn, name in builders]


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for p in build_all(out):
        print(p)
