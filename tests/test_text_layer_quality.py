"""Text layers that are not Vietnamese (glyph ids read as letters, as after a Ghostscript rewrite)
are told from Vietnamese ones by their words, and such PDF pages go to OCR."""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.loaders.text_quality import TextScore, is_syllable, score_text, word_kind

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_FILES = sorted({p.name: p for folder in (ROOT / "data" / "raw", ROOT.parent / "shared" / "samples")
                       for p in [*folder.glob("*.md"), *folder.glob("*.txt")]}.values())
SANS, SERIF = (Path("/usr/share/fonts/truetype/dejavu") / f"DejaVu{n}.ttf" for n in ("Sans", "Serif"))

# --- A made-up Ghostscript-like garbling --------------------------------------------------
# Ghostscript without ToUnicode maps writes glyph ids as code points: in the real file
# 'S' (glyph 0x36) reads '6', 'h' reads 'K', 'ư' reads 'ѭ'. Here ASCII consonants shift the
# same way, and every Vietnamese vowel letter becomes a Cyrillic or Armenian letter, the six
# seen in the real file pinned: every garbled word then holds a letter no syllable has.
PINNED = {"ở": "ӣ", "ư": "ѭ", "ơ": "ѫ", "ạ": "ҥ", "ế": "Ӄ", "Đ": "Ĉ"}
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
VOWELS = sorted({unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY" for t in TONES})
_free = [chr(c) for c in [*range(0x0460, 0x0500), *range(0x0531, 0x0587)]
         if chr(c).isalpha() and chr(c) not in PINNED.values()]
GARBLE = {**{v: _free.pop(0) for v in VOWELS if v not in PINNED}, **PINNED, "đ": "ĉ"}
GARBLE.update({c: chr(ord(c) - 29) for c in "BCDFGHJKLMNPQRSTVWXZbcdfghjklmnpqrstvwxz"})


def garble(text: str) -> str:
    return "".join(GARBLE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def sample_tokens() -> list[str]:
    return [t for p in SAMPLE_FILES for t in p.read_text(encoding="utf-8").split()]


PARAGRAPH = ("Thực hiện Kế hoạch số 2663/KH-UBND ngày 09/9/2024 của UBND tỉnh Long An về việc tổ chức "
             "các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn tỉnh Long An năm 2024. "
             "Ủy ban nhân dân thị xã ban hành Kế hoạch tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi "
             "số quốc gia trên địa bàn thị xã Kiến Tường năm 2024, cụ thể như sau:")


def test_the_paragraph_is_taken_from_a_sample():
    text = re.sub(r"\s+", " ", (ROOT / "data" / "raw" / "kientuong-ubnd-2024.md").read_text(encoding="utf-8"))
    assert PARAGRAPH in text


def test_the_made_up_garbling_gives_what_ghostscript_gave():
    assert (garble("Sở"), garble("Thương"), garble("NĐCP")) == ("6ӣ", "7KѭѫQJ", "1Ĉ&3")
    assert len(set(GARBLE.values())) == len(GARBLE)  # consistent: one letter for one letter


# --- Words --------------------------------------------------------------------------------

@pytest.mark.parametrize("word", [
    "Sở", "Công", "Thương", "KẾ", "HOẠCH", "nghiêng", "khuya", "quyển", "giữ", "gì", "thuở", "người",
    "hưởng", "ứng", "Ủy", "xoong", "oái", "Đắk", "Lắk", "Krông",
])
def test_syllables(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["chửực", "ӣ", "Kѭѫ", "hoạạch", "bcd", "Müller", "ĉông", "aeo"])
def test_not_syllables(word):
    assert not is_syllable(word)


@pytest.mark.parametrize("token, kind", [
    ("Thương", "valid"), ("“Ngày", "valid"), ("sau:", "valid"), ("(1)", "valid"), ("a)", "valid"),
    ("UBND", "valid"), ("KH-UBND", "valid"), ("QĐ-TTg", "valid"), ("13/2023/NĐ-CP", "valid"),
    ("GD&ĐT", "valid"), ("TP.HCM", "valid"), ("VNeID", "valid"), ("COVID-19", "valid"),
    ("46.670.000", "valid"), ("09/9/2024", "valid"), ("10%", "valid"), ("7h30", "valid"),
    ("m²", "valid"), ("ﬁnal", "valid"), ("ngày05/9", "valid"), ("strength", "valid"),
    ("6ӣ", "mixed"), ("7KѭѫQJ", "mixed"), ("1Ĉ&3", "mixed"), ("KRҥFK", "mixed"),
    ("Ӄ", "invalid"), ("Müller", "invalid"), ("Ĉông", "invalid"), ("чтобы", "invalid"),
    ("-", None), ("|---|---|", None), ("…", None), ("**", None),
])
def test_word_kinds(token, kind):
    assert word_kind(token) == kind


# --- Pages --------------------------------------------------------------------------------

def test_the_ghostscript_examples():
    assert score_text("6ӣ Công 7KѭѫQJ") == TextScore(words=3, valid=1, mixed=2)
    assert score_text("6ӣ Công 7KѭѫQJ").garbled
    assert score_text("1Ĉ&3") == TextScore(words=1, valid=0, mixed=1)
    assert not score_text("1Ĉ&3").garbled  # one odd word alone never condemns a page
    assert score_text("Sở Công Thương, Nghị định số 13/2023/NĐ-CP") == TextScore(words=7, valid=7, mixed=0)


def test_a_garbled_paragraph():
    got = score_text(garble(PARAGRAPH))
    assert garble(PARAGRAPH).startswith("7KӯF KѨӅQ .Ӄ KѩҥFK Vӏ 2663/.+-Ѥ%1' QJѾѬ 09/9/2024 FӥѦ Ѥ%1'")
    assert got == TextScore(words=72, valid=3, mixed=62)  # the valid ones: figures and dates
    assert got.garbled and got.reason == "4% valid syllables, 62 mixed-script words"


def test_a_partly_garbled_paragraph():
    """Every third word garbled, as when one of a page's fonts lost its map."""
    words = PARAGRAPH.split()
    text = " ".join(garble(w) if i % 3 == 0 else w for i, w in enumerate(words))
    got = score_text(text)
    assert got == TextScore(words=72, valid=48, mixed=21)
    assert got.garbled and got.reason == "66% valid syllables, 21 mixed-script words"


@pytest.mark.parametrize("text", [
    PARAGRAPH,
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK "
    "Số: 123/KH-UBND Buôn Ma Thuột, ngày 05 tháng 9 năm 2024",
    "Căn cứ Quyết định số 411/QĐ-TTg ngày 31/3/2022 của Thủ tướng Chính phủ phê duyệt Chiến lược "
    "quốc gia phát triển kinh tế số và xã hội số đến năm 2025, định hướng đến năm 2030;",
    "The Department of Information and Communications will organise the National Digital "
    "Transformation Day on 10 October 2024, with a budget of VND 200,000,000 (see Annex 1).",
])
def test_clean_text_is_not_flagged(text):
    got = score_text(text)
    assert got.valid == got.words and got.mixed == 0 and not got.garbled


def test_a_table_of_figures_is_not_flagged():
    table = "\n".join([
        "STT | Nội dung | ĐVT | Số lượng | Đơn giá | Thành tiền",
        "1 | Thuê hội trường | ngày | 1 | 5.000.000 | 5.000.000",
        "2 | In băng rôn, pa-nô (3m x 1,2m) | cái | 12 | 450.000 | 5.400.000",
        "3 | Nước uống đại biểu | người | 150 | 20.000 | 3.000.000",
        "I | Tổng cộng | | | | 13.400.000",
        "1.1 2.3.4 10% 25,5 7h30 - 11h00 (1) (2) (3)=(1)x(2)",
    ])
    got = score_text(table)
    assert got == TextScore(words=got.words, valid=got.words, mixed=0) and not got.garbled


def test_text_in_another_alphabet_is_not_vietnamese():
    got = score_text("Министерство информации и связи утвердило план мероприятий на 2024 год")
    assert (got.valid, got.mixed, got.garbled) == (1, 0, True)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_no_chunk_of_the_samples_is_flagged(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    chunks = ["\n".join(lines[k:k + 40]) for k in range(0, len(lines), 40)]
    scores = [score_text(c) for c in chunks + ["\n".join(lines)]]
    assert not any(s.garbled for s in scores)
    assert all(s.mixed == 0 and s.valid_share > 0.98 for s in scores if s.words)


SAMPLE_TOKENS = sample_tokens()
SAMPLE_WORDS = sorted({t for t in SAMPLE_TOKENS if any(v in unicodedata.normalize("NFC", t) for v in VOWELS)})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SAMPLE_TOKENS), min_size=1, max_size=400))
def test_any_paragraph_of_sample_words_is_not_flagged(tokens):
    assert not score_text(" ".join(tokens)).garbled


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_paragraph_with_30_percent_garbled_words_is_flagged(data):
    """Every garbled word holds a Cyrillic or Armenian letter, so it is never valid: 30 % of them
    leave at most 70 % valid words, under VALID_MIN (75 %), even when none of them mixes scripts."""
    words = data.draw(st.lists(st.sampled_from(SAMPLE_WORDS), min_size=10, max_size=300))
    n = -(-3 * len(words) // 10)  # at least 30 %
    picked = data.draw(st.sets(st.integers(0, len(words) - 1), min_size=n, max_size=len(words)))
    got = score_text(" ".join(garble(w) if i in picked else w for i, w in enumerate(words)))
    assert got.garbled


# --- The PDF loader -------------------------------------------------------------------------

def garbled_pdf(path: Path) -> Path:
    """Page 1 clean; page 2 drawn right but in a font whose ToUnicode map is rewritten through
    GARBLE, as a Ghostscript rewrite leaves it (same byte lengths, so the xref stays valid)."""
    fpdf = pytest.importorskip("fpdf")
    if not (SANS.is_file() and SERIF.is_file()):
        pytest.skip(f"DejaVu fonts not found in {SANS.parent}")
    pdf = fpdf.FPDF(format="A4")
    pdf.set_compression(False)
    pdf.add_font("DejaVu", "", str(SANS))
    pdf.add_font("Serif", "", str(SERIF))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 12)
    pdf.multi_cell(0, 7, "Trang này có lớp chữ đọc được: Kế hoạch tổ chức Ngày Chuyển đổi số.")
    pdf.add_page()
    pdf.set_font("Serif", "", 14)
    pdf.multi_cell(0, 9, "SỞ CÔNG THƯƠNG\n" + PARAGRAPH)
    pdf.output(str(path))
    data = path.read_bytes()
    ref = re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSerif[^>]*?/ToUnicode (\d+) 0 R", data)
    obj = re.search(rb"\n" + ref.group(1) + rb" 0 obj.*?endstream", data, re.S)

    def swap(m: re.Match) -> bytes:
        ch = chr(int(m.group(2), 16))
        return m.group(1) + b"<%04X>" % ord(GARBLE.get(ch, ch))

    cmap = re.sub(rb"(<[0-9A-F]{4}> )<([0-9A-F]{4})>", swap, obj.group(0))
    assert len(cmap) == len(obj.group(0)) and cmap != obj.group(0)
    path.write_bytes(data[:obj.start()] + cmap + data[obj.end():])
    return path


@pytest.fixture(scope="module")
def garbled(tmp_path_factory):
    return garbled_pdf(tmp_path_factory.mktemp("garbled") / "garbled.pdf")


WARNING = re.compile(r"^page 2: text layer not Vietnamese: (\d+)% valid syllables, (\d+) mixed-script words$")


def test_the_loader_names_the_page_and_keeps_it_from_the_text(garbled):
    from pipeline.loaders.pdf import load_pdf, unusable_pages

    doc = load_pdf(garbled)
    assert [(b.page, b.text) for b in doc.blocks] == [
        (1, "Trang này có lớp chữ đọc được: Kế hoạch tổ chức Ngày Chuyển đổi số.")]
    assert len(doc.warnings) == 1 and WARNING.match(doc.warnings[0]), doc.warnings
    share, mixed = map(int, WARNING.match(doc.warnings[0]).groups())
    assert share < 20 and mixed > 40
    assert unusable_pages(doc) == [2]


def test_the_flagged_page_goes_to_ocr(garbled, monkeypatch):
    """The OCR stage is asked for page 2 only, and its blocks take the page's place."""
    from models.document import Block
    from pipeline.loaders import load, ocr

    asked = []

    def fake_ocr(path, pages, workers=None):
        asked.append(pages)
        return [Block("paragraph", text="SỞ CÔNG THƯƠNG", page=2)]

    monkeypatch.setattr(ocr, "ocr_pdf_pages", fake_ocr)
    doc = load(garbled)
    assert asked == [[2]]
    assert doc.ocr_used and [(b.page, b.text) for b in doc.blocks][-1] == (2, "SỞ CÔNG THƯƠNG")
    assert len(doc.warnings) == 1 and doc.warnings[0].endswith("; page read by OCR")
    assert WARNING.match(doc.warnings[0].removesuffix("; page read by OCR"))


def _tesseract_has_vie() -> bool:
    if not shutil.which("tesseract"):
        return False
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "vie" in (out.stdout + out.stderr).split()


@pytest.mark.skipif(not _tesseract_has_vie(), reason="Tesseract with Vietnamese data is not installed")
def test_with_tesseract_the_page_text_comes_from_ocr(garbled):
    from pipeline.loaders import load

    doc = load(garbled)
    assert doc.ocr_used
    page2 = " ".join(b.text or "" for b in doc.blocks if b.page == 2)
    assert "SỞ CÔNG THƯƠNG" in page2 and "Chuyển đổi số" in page2
    assert not score_text(page2).garbled
    assert len(doc.warnings) == 1 and doc.warnings[0].endswith("; page read by OCR")
