"""DOCX pages through the real loader (pipeline/loaders/docx.py, docx_pages.py): estimated by the flow model
when the file records no page breaks of its own, Word's rendered breaks kept exactly when it does, explicit
breaks counted either way (docs/conventions.md, "Provenance")."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from itertools import groupby
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml import etree

from pipeline.loaders.docx import load_docx
from pipeline.run import extract_file

PLANS = Path(__file__).resolve().parent / "fixtures" / "plans"
FIXTURES = sorted(PLANS.glob("*.docx"))
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

# Pages LibreOffice 7.4 gives these fixtures (soffice --convert-to pdf, each block's text looked up in the
# PDF's pages), as runs of (page, blocks): benchmarks/bench_docx_pages.py --show reports none of their
# blocks on another page. Thọ Xuân: its page 2 is blank, because the paragraph holding the page break
# before the appendices does not fit at the foot of page 1 under the signature table.
LIBREOFFICE_PAGES = {
    "thoxuan-ubnd-huyen-bieu-duong-nguoi-co-uy-tin-2025": (4, [(1, 36), (3, 4), (4, 4)]),
    "tayninh-sldtbxh-tham-tang-qua-2024": (2, [(1, 21), (2, 12)]),
    "hagiang-ubnd-tinh-le-hoi-2025": (3, [(1, 30), (2, 12), (3, 12)]),
}


def runs(doc) -> list[tuple[int, int]]:
    return [(page, len(list(group))) for page, group in groupby(b.page for b in doc.blocks)]


def row_pages(block) -> list[int]:
    return [block.row_page(r) for r in range(len(block.rows))]


def has_rendered_breaks(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        return b"lastRenderedPageBreak" in z.read("word/document.xml")


@pytest.fixture(scope="module")
def libreoffice_counts(tmp_path_factory) -> dict[str, int]:
    """Page counts of the fixtures as LibreOffice lays them out (one conversion for all); {} without it."""
    if not SOFFICE:
        return {}
    out = tmp_path_factory.mktemp("lo")
    subprocess.run([SOFFICE, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), *map(str, FIXTURES)],
                   capture_output=True, timeout=300, check=False)
    counts = {}
    for pdf_path in out.glob("*.pdf"):
        pdf = pdfium.PdfDocument(str(pdf_path))
        counts[pdf_path.stem] = len(pdf)
        pdf.close()
    return counts


# (a) Files without rendered breaks: the flow model --------------------------------------------------

@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_pages_are_estimated_in_order(path: Path, libreoffice_counts) -> None:
    assert not has_rendered_breaks(path)
    doc = load_docx(path)
    assert doc.page_basis == "estimated"
    pages = [b.page for b in doc.blocks]
    pages += [p for b in doc.tables() for p in row_pages(b)]
    assert all(isinstance(p, int) and p >= 1 for p in pages)
    assert doc.pages == max(pages)
    # Pages never go back through the document. The signature table is the exception: it is flattened
    # left column first, and when its row breaks across pages each column runs from one page to the next.
    signature = next(k for k, b in enumerate(doc.blocks) if b.text.startswith("Nơi nhận"))
    flow = [p for b in doc.blocks[:signature] for p in (row_pages(b) if b.is_table else [b.page])]
    assert flow == sorted(flow) and flow[-1] <= min(b.page for b in doc.blocks[signature:])
    ex = extract_file(path, path.parent)
    rows = ex.legal_bases + ex.sections + ex.attendance + ex.budget_lines
    rows.sort(key=lambda r: tuple(int(n) for n in r.source_ref.replace("block", "").split(" row ")))
    assert [r.page for r in rows] == sorted(r.page for r in rows)
    if libreoffice_counts:
        assert doc.pages <= libreoffice_counts[path.stem] + 1


@pytest.mark.parametrize("stem", sorted(LIBREOFFICE_PAGES))
def test_fixture_pages_are_libreoffices(stem: str) -> None:
    doc = load_docx(PLANS / f"{stem}.docx")
    count, expected = LIBREOFFICE_PAGES[stem]
    assert (doc.pages, runs(doc)) == (count, expected)


def test_thoxuan_appendices_start_their_pages_and_rows_carry_them() -> None:
    """The explicit breaks before the appendices restart the count after the page the flow added."""
    ex = extract_file(PLANS / "thoxuan-ubnd-huyen-bieu-duong-nguoi-co-uy-tin-2025.docx", PLANS)
    assert (ex.document.pages, ex.document.page_basis) == (4, "estimated")
    assert {line.page for line in ex.budget_lines} == {4}
    assert {row.page for row in ex.attendance if " row " in row.source_ref} == {3}  # the appendix table's
    assert [(s.section_id, s.page) for s in ex.sections if s.section_id.startswith("PL")] == [("PL1", 3), ("PL2", 4)]
    assert {s.page for s in ex.sections if not s.section_id.startswith("PL")} == {1}
    assert {lb.page for lb in ex.legal_bases} == {1}


def test_a_long_table_gives_each_row_its_page(tmp_path: Path) -> None:
    """A table of 100 one-line rows under a repeated header: rows 45 and 91 start pages 2 and 3, as in
    LibreOffice, which repeats the header there."""
    d = _document()
    d.add_paragraph("III. KINH PHÍ")
    table = d.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["STT", "Nội dung", "Số lượng", "Thành tiền"]):
        cell.text = text
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)
    for n in range(1, 101):
        for cell, text in zip(table.add_row().cells, [str(n), f"Mục {n}", "1", "1.000.000"]):
            cell.text = text
    doc = load_docx(_save(d, tmp_path / "long-table.docx"))
    pages = row_pages(doc.tables()[0])
    assert (pages.index(2), pages.index(3), pages[-1], doc.pages) == (45, 91, 3, 3)
    assert pages == sorted(pages)


def test_budget_lines_of_a_table_across_pages_take_their_rows_pages(tmp_path: Path) -> None:
    """A generated plan whose first budget table breaks between 'Giải thưởng' and 'CHI TUYÊN TRUYỀN'
    (LibreOffice puts them on pages 1 and 2): each line has its row's page."""
    from tests.fixtures.corpus import plan_for, render

    plan, _ = plan_for(1234, 12, "docx")
    path = tmp_path / "plan.docx"
    path.write_bytes(render(plan, "docx", 1234))
    ex = extract_file(path, tmp_path)
    first = [(line.item, line.page) for line in ex.budget_lines if line.table_id == "T1"]
    assert [p for _, p in first] == [1, 1, 1] + [2] * 8
    assert first[2:4] == [("Giải thưởng", 1), ("Băng rôn, khẩu hiệu", 2)]
    assert (ex.document.pages, ex.document.page_basis) == (3, "estimated")


# (b) Files with Word's rendered breaks: exactly as they were -------------------------------------------

def test_rendered_breaks_give_the_pages_word_recorded(tmp_path: Path) -> None:
    """Word's own `w:lastRenderedPageBreak` marks, put in a copy of a fixture: before II, inside the budget
    table (a row's cell) and before the closing paragraph. Each paragraph after one is on the next page; a
    table keeps the page it starts on for all its rows, as the loader always did; the count is Word's."""
    source = PLANS / "tayninh-sldtbxh-tham-tang-qua-2024.docx"
    path = _with_rendered_breaks(source, tmp_path / "rendered.docx",
                                 ["II. NỘI DUNG", "Thân nhân liệt sĩ", "Trên đây là Kế hoạch"])
    doc = load_docx(path)
    assert doc.page_basis == "rendered" and doc.pages == 4
    pages = {b.text: b.page for b in doc.blocks if not b.is_table}
    assert pages["Thể hiện đạo lý uống nước nhớ nguồn; việc thăm, tặng quà bảo đảm đúng đối tượng, kịp thời, "
                 "trang trọng."] == 1
    assert pages["II. NỘI DUNG"] == 2 and pages["III. KINH PHÍ"] == 2
    table = doc.tables()[0]
    assert table.page == 2 and table.row_pages == [] and set(row_pages(table)) == {2}
    assert pages["IV. TỔ CHỨC THỰC HIỆN"] == 3
    assert pages["Trên đây là Kế hoạch của Sở Lao động - Thương binh và Xã hội./."] == 4
    assert pages["Trần Văn Chiến"] == 4
    assert [(p, n) for p, n in runs(doc)] == [(1, 14), (2, 7), (3, 2), (4, 10)]
    assert extract_file(path, tmp_path).document.page_basis == "rendered"


def _with_rendered_breaks(source: Path, target: Path, starts: list[str]) -> Path:
    """A copy of `source` with a run holding `<w:lastRenderedPageBreak/>` first in each paragraph whose text
    starts with one of `starts`."""
    with zipfile.ZipFile(source) as z:
        members = {name: z.read(name) for name in z.namelist()}
    root = etree.fromstring(members["word/document.xml"])
    marked = 0
    for p in root.iter(f"{{{W}}}p"):
        text = "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
        if any(text.startswith(s) for s in starts):
            run = etree.Element(f"{{{W}}}r")
            etree.SubElement(run, f"{{{W}}}lastRenderedPageBreak")
            ppr = p.find(f"{{{W}}}pPr")
            p.insert(0 if ppr is None else p.index(ppr) + 1, run)
            marked += 1
    assert marked == len(starts)
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return target


# (c) Explicit breaks -------------------------------------------------------------------------------------

def test_explicit_breaks_alone_number_the_pages(tmp_path: Path) -> None:
    """Short pages cut by a page break and a page-break-before paragraph: the breaks give every page."""
    d = _document()
    for text in ("KẾ HOẠCH", "Tổ chức hội nghị tổng kết năm 2024", "I. MỤC ĐÍCH, YÊU CẦU"):
        d.add_paragraph(text)
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    d.add_paragraph("Phụ lục 1")
    d.add_paragraph("DANH SÁCH ĐẠI BIỂU")
    appendix = d.add_paragraph("Phụ lục 2")
    appendix.paragraph_format.page_break_before = True
    path = _save(d, tmp_path / "explicit.docx")
    doc = load_docx(path)
    assert [(b.text, b.page) for b in doc.blocks] == [
        ("KẾ HOẠCH", 1), ("Tổ chức hội nghị tổng kết năm 2024", 1), ("I. MỤC ĐÍCH, YÊU CẦU", 1),
        ("Phụ lục 1", 2), ("DANH SÁCH ĐẠI BIỂU", 2), ("Phụ lục 2", 3)]
    assert (doc.pages, doc.page_basis) == (3, "explicit")
    assert extract_file(path, tmp_path).document.page_basis == "explicit"


def test_explicit_breaks_restart_the_estimated_count(tmp_path: Path) -> None:
    """A body longer than a page, then a break: the flow adds pages, the break still starts a new one."""
    d = _document()
    for n in range(1, 91):
        d.add_paragraph(f"{n}. Nội dung công việc thứ {n} của kế hoạch, giao các cơ quan, đơn vị thực hiện.")
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    d.add_paragraph("Phụ lục")
    doc = load_docx(_save(d, tmp_path / "long.docx"))
    pages = [b.page for b in doc.blocks]
    assert pages == sorted(pages) and pages[0] == 1
    body_end = pages[-2]
    assert body_end >= 2  # 90 paragraphs of 13 pt do not fit on one A4 page
    assert pages[-1] == body_end + 1 == doc.pages
    assert doc.page_basis == "estimated"


def _document():
    d = docx.Document()
    sec = d.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(2), Cm(2), Cm(3), Cm(2)
    normal = d.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(13)
    return d


def _save(d, path: Path) -> Path:
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(buf.getvalue())
    return path
