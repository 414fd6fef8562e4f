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


# ----------------------------------------------------------------------------- main

def build_all(folder: Path) -> list[Path]:
    builders = [(build_docx_plan, "plan.docx"), (build_docx_variants, "variants.docx")]
    if "build_pdf_plan" in globals():
        builders += PDF_BUILDERS
    return [fn(folder / name) for fn, name in builders]


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for p in build_all(out):
        print(p)
