"""The review report: files, links and escaping, then the real pages in headless Chromium.

One run over the two samples, a text-layer PDF, a scan (JPG) and a plan whose
text holds HTML is shared by the tests. The browser is Debian's chromium
driven by Selenium through /usr/bin/chromedriver (never a downloaded driver).
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.report import write_report
from pipeline.report.prices import item_key, outliers, unit_key
from pipeline.report.xlsx_review import review_workbook

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
PDF = "kientuong-ubnd-2024.pdf"
SCAN = "reread-error.jpg"
HOSTILE = "tanphu-hostile.md"


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def hostile_plan() -> str:
    """A real plan whose title and a budget item hold HTML, and whose line 2 does not add up."""
    text = (ROOT / "tests" / "data" / "plans" / "xa-tanphu-2025.md").read_text(encoding="utf-8")
    text = text.replace('## Tổ chức Lễ phát động', '## <img src=x onerror="window.PWNED=1"> Tổ chức Lễ phát động')
    text = text.replace("| 1 | Cây giống | Cây | 100 |", "| 1 | =1+2 Cây giống | Cây | 100 |")
    return text.replace("| 2 | Phông, khẩu hiệu | Bộ | 1 | 2.000.000 | 2.000.000 |",
                        "| 2 | <script>window.PWNED=1</script> Phông | Bộ | 1 | 2.000.000 | 2.500.000 |")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("report")
    inp = base / "in"
    inp.mkdir()
    for src in (ROOT / "data" / "raw" / "kiengiang-stttt-2024.txt", ROOT / "data" / "raw" / "kientuong-ubnd-2024.md",
                ROOT / "tests" / "data" / "samples" / PDF, ROOT / "tests" / "data" / "ocr" / SCAN):
        shutil.copy(src, inp / src.name)
    (inp / HOSTILE).write_text(hostile_plan(), encoding="utf-8")
    out = base / "out"
    assert main(["extract", str(inp), "--out", str(out), "-q", "--workers", "2"]) == 0
    return out


def docs_by_source(out: Path) -> dict[str, dict]:
    return {d["source_path"]: d for d in read(out / "documents.csv")}


def report_data(out: Path) -> dict:
    text = (out / "report" / "report-data.js").read_text(encoding="utf-8")
    return json.loads(text.removeprefix("window.KEHOACH_DATA = ").rstrip().removesuffix(";"))


# ---------------------------------------------------------------------------------------------- files


def test_a_run_writes_the_report(run: Path):
    rep = run / "report"
    docs = read(run / "documents.csv")
    assert (rep / "index.html").is_file() and (rep / "report.js").is_file() and (rep / "report.css").is_file()
    assert sorted(p.stem for p in (rep / "docs").glob("*.html")) == sorted(d["doc_id"] for d in docs)
    assert not list(run.glob(".report*"))


def test_offline_and_escaped(run: Path):
    rep = run / "report"
    pages = [rep / "index.html", *sorted((rep / "docs").glob("*.html"))]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), page.name  # nothing fetched
        assert "@import" not in html and "@font-face" not in html
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all(re.fullmatch(r'<script src="(\.\./)?(report|report-data)\.js">', s) for s in scripts), scripts
    hostile = (rep / "docs" / f"{docs_by_source(run)[HOSTILE]['doc_id']}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.PWNED=1&lt;/script&gt;" in hostile
    assert "&lt;img src=x onerror=&quot;window.PWNED=1&quot;&gt;" in hostile
    assert "<img src=x" not in hostile
    assert "<td class=\"\">=1+2 Cây giống</td>" in hostile  # as printed: the CSV's formula guard undone
    data = (rep / "report-data.js").read_text(encoding="utf-8")
    assert "<" not in data  # a text can never close the script element


def test_every_finding_is_listed_and_linked_to_its_row(run: Path):
    flags = read(run / "flags.csv")
    data = report_data(run)
    docs = data["docs"]["rows"]
    rows = data["findings"]["rows"]
    assert len(rows) == len(flags) == 21
    pages = {}
    for r in rows:
        doc_id, anchor = docs[r[0]][0], r[7]
        page = pages.setdefault(doc_id, (run / "report" / "docs" / f"{doc_id}.html").read_text(encoding="utf-8"))
        assert f'id="{anchor}"' in page, (doc_id, anchor)
    pdf = docs_by_source(run)[PDF]["doc_id"]
    anchors = {(docs[r[0]][0], r[1], r[3]): r[7] for r in rows}
    assert anchors[(pdf, "line_arithmetic", "T2 row 3 §PL2.1")] == "T2-r3"
    assert anchors[(pdf, "numbering", "T1 row 17 §PL1")] == "T1-r17"  # a group label in the attendance table


def test_money_in_question_per_plan(run: Path):
    data = report_data(run)
    by_source = {d[1]: d[7] for d in data["docs"]["rows"]}
    assert by_source["kientuong-ubnd-2024.md"] == 119_580_000  # as the run summary: |expected − found| summed
    assert by_source[PDF] == 119_580_000
    assert by_source[SCAN] == 100_000
    assert by_source["kiengiang-stttt-2024.txt"] == 0
    html = (run / "report" / "index.html").read_text(encoding="utf-8")
    assert "119.580.000" in html


def test_cells_behind_a_finding_show_expected_and_found(run: Path):
    page = (run / "report" / "docs" / f"{docs_by_source(run)[PDF]['doc_id']}.html").read_text(encoding="utf-8")
    row = re.search(r'<tr id="T2-r3".*?</tr>', page, re.S).group(0)
    assert row.count('class="hit sev-error num"') == 3  # quantity, unit price, amount
    assert "expected <b>1.600.000</b> · found <b>200.000</b>" in row


def test_crops_for_pdf_and_scan_rows_with_findings(run: Path):
    from PIL import Image

    docs = docs_by_source(run)
    crops = run / "report" / "crops"
    for source, n_rows in ((PDF, 7), (SCAN, 1)):
        did = docs[source]["doc_id"]
        pngs = sorted(crops.glob(f"{did}-*.png"))
        assert len(pngs) == n_rows, (source, pngs)  # one per row with a finding, no more
        for p in pngs:
            with Image.open(p) as im:
                assert im.width > 300 and 20 < im.height < 400
    assert not list(crops.glob(f"{docs['kientuong-ubnd-2024.md']['doc_id']}-*"))  # text: source lines instead
    md = (run / "report" / "docs" / f"{docs['kientuong-ubnd-2024.md']['doc_id']}.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="ln">\d+</span>3\tBảng tên\tCái\t08\t200\.000\t200\.000', md)


def test_report_command_says_when_a_source_is_gone(run: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    shutil.copytree(run, out, ignore=shutil.ignore_patterns("report", ".kehoach*"))
    moved = tmp_path / "elsewhere"
    shutil.copytree(Path(json.loads((run / "manifest.json").read_text())["inputs"][0]), moved)
    (moved / SCAN).unlink()
    assert main(["report", str(out), "--inputs", str(moved)]) == 0
    assert "review report:" in capsys.readouterr().out
    docs = docs_by_source(out)
    scan = (out / "report" / "docs" / f"{docs[SCAN]['doc_id']}.html").read_text(encoding="utf-8")
    assert f"Source file {moved / SCAN} is no longer there: nothing to show." in scan
    assert len(list((out / "report" / "crops").glob(f"{docs[PDF]['doc_id']}-*.png"))) == 7  # found under --inputs
    (moved / PDF).write_bytes(b"%PDF-1.4 another file")
    write_report(out, inputs_root=moved)
    pdf = (out / "report" / "docs" / f"{docs[PDF]['doc_id']}.html").read_text(encoding="utf-8")
    assert "has changed since the run" in pdf and not list((out / "report" / "crops").glob("*.png"))


def test_no_report_and_crops_off(tmp_path: Path):
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "ocr" / SCAN, inp)
    assert main(["extract", str(inp), "--out", str(tmp_path / "a"), "-q", "--workers", "0", "--no-report"]) == 0
    assert (tmp_path / "a" / "flags.csv").is_file() and not (tmp_path / "a" / "report").exists()
    assert main(["extract", str(inp), "--out", str(tmp_path / "b"), "-q", "--workers", "0", "--report-crops", "off"]) == 0
    assert not list((tmp_path / "b" / "report" / "crops").iterdir())
    assert "Crops were not made" in (tmp_path / "b" / "report" / "index.html").read_text(encoding="utf-8")


def test_a_failing_report_is_a_warning_and_the_tables_stay(tmp_path: Path, monkeypatch, capsys):
    import pipeline.report as report

    def broken(out_dir: Path):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(report, "load_tables", broken)
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(ROOT / "data" / "raw" / "kientuong-ubnd-2024.md", inp)
    assert main(["extract", str(inp), "--out", str(tmp_path / "o"), "-q", "--workers", "0"]) == 0
    err = capsys.readouterr().err
    assert "warning: the review report was not written (RuntimeError: disk on fire); the tables are complete" in err
    assert "Traceback" not in err
    assert len(read(tmp_path / "o" / "flags.csv")) == 7 and not (tmp_path / "o" / "report").exists()


def test_a_folder_that_is_not_a_report_is_left_alone(run: Path, tmp_path: Path):
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        write_report(run, dest=keep)
    assert (keep / "notes.txt").read_text() == "mine"


def test_unit_price_groups_and_outlier_rule():
    assert item_key("Nước uống đại biểu") == ("Nước uống", True)
    assert item_key("Nuoc suoi (chai 500ml)") == ("Nước uống", True)
    assert item_key("Hỗ trợ tiền ăn") == ("Tiền ăn", True)
    assert item_key("Thuê hội trường, âm thanh") == ("Thuê hội trường", True)
    assert item_key("Cây giống 2 năm tuổi") == ("cay giong nam tuoi", False)
    assert unit_key("Người/ngày") == "nguoingay"
    assert outliers([20_000, 25_000]) == [False, False]  # too few to judge
    assert outliers([20_000, 25_000, 90_000]) == [False, False, True]  # over 3 × the median
    assert outliers([20_000, 25_000, 5_000]) == [False, False, True]  # under a third of it
    # five prices: 1.5 IQR beyond the quartiles (Q1 20.000, Q3 30.000: fence 45.000) though under 3 × median
    assert outliers([20_000, 20_000, 25_000, 30_000, 60_000]) == [False, False, False, False, True]


def test_price_chart_marks_outliers_and_links_them(tmp_path: Path):
    out = tmp_path / "o"
    out.mkdir()
    header = "doc_id,source_path,status,title\n"
    (out / "documents.csv").write_text(header + "".join(f"d{i:016x},p{i}.txt,ok,Plan {i}\n" for i in range(5)),
                                       encoding="utf-8-sig")
    lines = "doc_id,table_id,row,is_total,item,unit,unit_price\n" + "".join(
        f"d{i:016x},T1,2,false,Nước uống,Người,{p}\n" for i, p in enumerate((20000, 22000, 25000, 21000, 95000)))
    (out / "budget_lines.csv").write_text(lines, encoding="utf-8-sig")
    html = write_report(out).read_text(encoding="utf-8")
    chart = re.search(r'<svg class="chart prices".*?</svg>', html, re.S).group(0)
    assert chart.count('class="outlier"') == 1 and chart.count('class="pt"') == 4
    assert 'href="docs/d0000000000000004.html#T1-r2"' in chart
    assert "5 prices, 5 plans, 1 outliers" in chart and "median 22.000 đ" in chart


# ---------------------------------------------------------------------------------------------- xlsx


def test_xlsx_review_formatting(tmp_path: Path):
    from openpyxl import load_workbook

    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(ROOT / "data" / "raw" / "kientuong-ubnd-2024.md", inp)
    (inp / HOSTILE).write_text(hostile_plan(), encoding="utf-8")
    out = tmp_path / "o"
    assert main(["extract", str(inp), "--out", str(out), "-q", "--workers", "0", "--format", "xlsx", "--no-report"]) == 0
    wb = load_workbook(out / "tables.xlsx")
    assert wb.sheetnames[-1] == "findings"
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == ws.dimensions, ws.title
    lines = wb["budget_lines"]
    head = [c.value for c in lines[1]]
    col = {h: i + 1 for i, h in enumerate(head)}
    row_of = {(r[col["item"] - 1].value, r[col["table_id"] - 1].value, r[col["row"] - 1].value): r[0].row
              for r in lines.iter_rows(min_row=2)}
    r = row_of[("Bảng tên", "T2", 3)]  # 08 × 200.000 ≠ 200.000
    filled = {h for h in head if lines.cell(r, col[h]).fill.fill_type == "solid"}
    assert filled == {"quantity", "unit_price", "amount"}
    assert lines.cell(r, col["amount"]).fill.start_color.rgb == "00FFC7CE"
    r = row_of[("Khen cá nhân", "T4", 2)]  # unit price printed "7.00.000": a warning on the cell and its raw text
    assert {h for h in head if lines.cell(r, col[h]).fill.fill_type == "solid"} == {"unit_price", "raw_unit_price"}
    assert lines.cell(r, col["unit_price"]).fill.start_color.rgb == "00FFEB9C"
    n_filled = sum(c.fill.fill_type == "solid" for row in lines.iter_rows() for c in row)
    assert n_filled == 3 * 4 + 2 * 2 + 3 + 1 + 1  # 4 line_arithmetic, 2 malformed; hostile line, group and table sums
    att = wb["attendance"]
    ahead = [c.value for c in att[1]]
    arow = next(r[0].row for r in att.iter_rows(min_row=2) if r[ahead.index("table_id")].value == "T1"
                and r[ahead.index("row")].value == 17)
    assert [h for h in ahead if att.cell(arow, ahead.index(h) + 1).fill.fill_type == "solid"] == ["label"]
    findings = wb["findings"]
    fhead = [c.value for c in findings[1]]
    assert findings.max_row - 1 == len(read_sheet(wb["flags"]))
    links = {(row[fhead.index("check")].value, row[fhead.index("table_id")].value, row[fhead.index("row")].value):
             row[-1].hyperlink.location for row in findings.iter_rows(min_row=2) if row[-1].hyperlink}
    assert links[("line_arithmetic", "T2", 3)] == f"budget_lines!A{row_of[('Bảng tên', 'T2', 3)]}"
    assert links[("numbering", "T1", 17)].startswith("attendance!A")
    # a text that looks like a formula stays text through the formatting pass (pipeline.write stores it as text)
    wb["documents"]["B2"].value = "=1+2"
    wb["documents"]["B2"].data_type = "s"
    wb.save(out / "again.xlsx")
    review_workbook(out / "again.xlsx")
    again = load_workbook(out / "again.xlsx")
    assert again["documents"]["B2"].value == "=1+2" and again["documents"]["B2"].data_type == "s"
    assert again.sheetnames.count("findings") == 1 and again["findings"].max_row == findings.max_row


def read_sheet(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=2, values_only=True))


# ---------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.geteuid() != 0:
            pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
        pytest.fail("chromium or chromedriver missing: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1300,1000"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)  # never a downloaded driver
    yield driver
    driver.quit()


def severe(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def visible_rows(driver, kind: str) -> int:
    return len(driver.find_elements("css selector", f"#{kind}-table tbody tr"))


def test_pages_load_without_script_errors(run: Path, browser):
    rep = run / "report"
    for page in [rep / "index.html", *sorted((rep / "docs").glob("*.html"))]:
        browser.get(page.as_uri())
        assert severe(browser) == [], page.name
        assert browser.execute_script("return window.PWNED") is None
    browser.get((rep / "index.html").as_uri())
    assert browser.execute_script("return document.body.dataset.rendered") == "1"
    assert visible_rows(browser, "findings") == 21 and visible_rows(browser, "plans") == 5


def test_findings_table_filters_and_sorts(run: Path, browser):
    from selenium.webdriver.support.ui import Select

    browser.get((run / "report" / "index.html").as_uri())
    count = lambda: browser.find_element("id", "findings-count").text
    check = Select(browser.find_element("id", "findings-check"))
    check.select_by_value("line_arithmetic")
    assert visible_rows(browser, "findings") == 10 and count() == "10 of 21 findings"
    Select(browser.find_element("id", "findings-severity")).select_by_value("error")
    assert visible_rows(browser, "findings") == 6
    Select(browser.find_element("id", "findings-issuer")).select_by_value("ỦY BAN NHÂN DÂN THỊ XÃ KIẾN TƯỜNG")
    assert visible_rows(browser, "findings") == 4  # the PDF's two and the Markdown's two
    Select(browser.find_element("id", "findings-severity")).select_by_value("")
    check.select_by_value("")
    Select(browser.find_element("id", "findings-issuer")).select_by_value("")
    Select(browser.find_element("id", "findings-year")).select_by_value("2025")
    assert visible_rows(browser, "findings") == 4  # the hostile plan: a line, its group's and table's sums, a date
    Select(browser.find_element("id", "findings-year")).select_by_value("")
    box = browser.find_element("id", "findings-text")
    box.send_keys("Nước uống đại biểu")
    assert visible_rows(browser, "findings") == 1 and count() == "1 of 21 findings"
    box.clear()
    box.send_keys(" ")  # an input event: the cleared box shows everything again
    assert visible_rows(browser, "findings") == 21
    expected_col = browser.find_elements("css selector", "#findings-table thead th")[6]
    expected_col.click()
    expected_col.click()  # descending
    first = browser.find_element("css selector", "#findings-table tbody tr td:nth-child(7)").text
    assert first == max_expected(run)
    link = browser.find_element("css selector", "#findings-table tbody tr td:nth-child(1) a")
    assert re.search(r"docs/d[0-9a-f]{16}\.html#", link.get_attribute("href"))
    assert severe(browser) == []


def max_expected(run: Path) -> str:
    best = max(int(f["expected"]) for f in read(run / "flags.csv") if re.fullmatch(r"\d+", f["expected"]))
    return f"{best:,}".replace(",", ".")


def test_crop_images_are_shown_for_a_pdf_and_a_scan(run: Path, browser):
    docs = docs_by_source(run)
    for source, row in ((PDF, "T2-r3"), (SCAN, "T1-r4")):
        browser.get((run / "report" / "docs" / f"{docs[source]['doc_id']}.html").as_uri() + f"#{row}")
        img = browser.find_element("xpath", f'//tr[@id="{row}"]/following-sibling::tr[1][@class="evidence"]//img')
        browser.execute_script("arguments[0].scrollIntoView()", img)
        ok = browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img)
        assert ok and ok > 300, source
        assert severe(browser) == []


def test_screenshots(run: Path, browser):
    docs_dir = ROOT / "docs"
    browser.set_window_size(1300, 1000)
    browser.get((run / "report" / "index.html").as_uri())
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1300, min(height + 40, 4200))
    browser.save_screenshot(str(docs_dir / "report-summary.png"))
    browser.set_window_size(1300, 1000)
    browser.get((run / "report" / "docs" / f"{docs_by_source(run)[PDF]['doc_id']}.html").as_uri())
    browser.execute_script("document.getElementById('budget').scrollIntoView()")
    browser.save_screenshot(str(docs_dir / "report-document.png"))
    for name in ("report-summary.png", "report-document.png"):
        assert (docs_dir / name).stat().st_size > 20_000
