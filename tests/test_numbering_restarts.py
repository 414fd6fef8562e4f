"""`numbering` findings on long real documents: a table of contents, numbering restarted under each
Chương/Phần/Phụ lục/Biểu, a report outline in an appendix, and lettered labels misread by OCR.

A finding is for a label a reader would call a mistake (two "3.2." side by side, II then IV in one
list); a legitimate restart or an OCR look-alike of the expected label is not one.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.sections import build_sections, find_toc
from extractors.text_utils import LABEL_LOOKALIKES, LETTER_ORDER_VI
from models.document import Block
from pipeline.loaders.text import parse_text
from pipeline.run import extract_document

HEAD = """ỦY BAN NHÂN DÂN
TỈNH HẬU GIANG
Số: 45/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hậu Giang, ngày 12 tháng 3 năm 2025
KẾ HOẠCH
Triển khai công tác phòng, chống ma túy năm 2025
"""
BASIS = "Căn cứ Quyết định số 12/QĐ-UBND ngày 02/01/2025 của UBND tỉnh Hậu Giang về kế hoạch năm.\n"
TAIL = """Nơi nhận:
- Như trên;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Trần Văn Bình
"""


def run(text: str):
    return extract_document(parse_text(text, "x.txt", "txt"))


def numbering(ex) -> list[tuple[str, str, str]]:
    return [(f.section_id, f.expected, f.found) for f in ex.flags if f.check == "numbering"]


def para(text: str) -> Block:
    return Block("paragraph", text)


def tree(*lines: str):
    return build_sections([para(line) for line in lines])


BODY = """I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
Nâng cao nhận thức của cán bộ và Nhân dân.
2. Yêu cầu
Bảo đảm thiết thực, hiệu quả.
II. NỘI DUNG
1. Tuyên truyền
Tuyên truyền trên các phương tiện thông tin đại chúng.
2. Kiểm tra
Kiểm tra các cơ sở kinh doanh có điều kiện.
III. TỔ CHỨC THỰC HIỆN
Các cơ quan, đơn vị triển khai thực hiện.
"""
BODY_IDS = ["I", "I.1", "I.2", "II", "II.1", "II.2", "III"]


# --- table of contents ---------------------------------------------------------------------------

def test_toc_with_dot_leaders_and_page_numbers_is_not_sections():
    toc = """
MỤC LỤC
I. MỤC ĐÍCH, YÊU CẦU .................................... 1
1. Mục đích ................................................ 1
2. Yêu cầu ................................................. 1
II. NỘI DUNG ............................................... 2
1. Tuyên truyền ............................................ 2
2. Kiểm tra ................................................ 2
III. TỔ CHỨC THỰC HIỆN ..................................... 3

"""
    ex = run(HEAD + toc + BASIS + BODY + TAIL)
    assert [s.section_id for s in ex.sections] == BODY_IDS
    assert numbering(ex) == []
    assert ex.document.title == "Triển khai công tác phòng, chống ma túy năm 2025"
    assert [lb.ref_number for lb in ex.legal_bases] == ["12/QĐ-UBND"]
    assert (ex.document.signer_title, ex.document.signer_name) == ("CHỦ TỊCH", "Trần Văn Bình")
    assert {s.section_id: s.title for s in ex.sections}["I"] == "MỤC ĐÍCH, YÊU CẦU"


def test_toc_with_leaders_listing_appendices_does_not_cut_the_body():
    """'Phụ lục 1 ....... 4' in the contents is an entry, not the start of the appendix zone."""
    toc = """
MỤC LỤC
I. MỤC ĐÍCH, YÊU CẦU ........ 1
II. NỘI DUNG ........ 2
III. TỔ CHỨC THỰC HIỆN ........ 3
Phụ lục 1. Dự toán kinh phí ........ 4

"""
    appendix = "Phụ lục 1\nDỰ TOÁN KINH PHÍ\nI. KINH PHÍ TỔ CHỨC\n1. Hội nghị\n2. Tuyên truyền\nII. KINH PHÍ KIỂM TRA\n1. Đoàn kiểm tra\n"
    ex = run(HEAD + BASIS + toc + BODY + TAIL + appendix)
    assert [s.section_id for s in ex.sections] == BODY_IDS + ["PL1", "PL1.I", "PL1.I.1", "PL1.I.2", "PL1.II", "PL1.II.1"]
    assert numbering(ex) == []
    assert ex.document.signer_name == "Trần Văn Bình"


def test_toc_without_page_numbers_headed_mục_lục():
    toc = "\nMỤC LỤC\nI. MỤC ĐÍCH, YÊU CẦU\nII. NỘI DUNG\nIII. TỔ CHỨC THỰC HIỆN\n\n"
    ex = run(HEAD + toc + BASIS + BODY + TAIL)
    assert [s.section_id for s in ex.sections] == BODY_IDS
    assert numbering(ex) == []


def test_list_of_headings_the_body_repeats_is_a_toc():
    """No 'MỤC LỤC', no page numbers: a run of headings with nothing between them that the body repeats."""
    toc = "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n2. Yêu cầu\nII. NỘI DUNG\nIII. TỔ CHỨC THỰC HIỆN\n"
    ex = run(HEAD + BASIS + toc + BODY + TAIL)
    assert [s.section_id for s in ex.sections] == BODY_IDS
    assert numbering(ex) == []


def test_headings_without_text_between_that_never_repeat_are_kept():
    t = tree("I. NỘI DUNG", "1. Thời gian: ngày 08/10/2025", "2. Địa điểm: Hội trường", "II. KINH PHÍ", "Ngân sách tỉnh.")
    assert [s.section_id for s in t.sections] == ["I", "I.1", "I.2", "II"] and t.flags == []


def test_an_outline_repeating_a_body_chain_is_not_a_toc():
    """The body's 'I. / 1.' chain repeated by a report outline in an appendix stays in both places."""
    lines = ["I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "Nâng cao nhận thức.", "II. NỘI DUNG", "Tuyên truyền.",
             "Phụ lục 2", "ĐỀ CƯƠNG BÁO CÁO", "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "Nêu mục đích."]
    blocks = [para(line) for line in lines]
    assert find_toc(blocks) == set()
    assert [s.section_id for s in build_sections(blocks).sections] == ["I", "I.1", "II", "PL2", "PL2.I", "PL2.I.1"]


def test_form_lines_with_dot_leaders_but_no_page_number_are_kept():
    t = tree("Phụ lục 1", "MẪU BÁO CÁO", "1. Tên đơn vị: ............................", "2. Số vụ việc phát hiện: ..........")
    assert [s.section_id for s in t.sections] == ["PL1", "PL1.1", "PL1.2"]


# --- restarts under containers -------------------------------------------------------------------

def test_restarts_under_each_chương_and_phần():
    t = tree("Chương I", "QUY ĐỊNH CHUNG", "I. PHẠM VI", "1. Đối tượng", "2. Nguyên tắc", "II. GIẢI THÍCH",
             "Chương II", "NHIỆM VỤ", "I. TUYÊN TRUYỀN", "1. Báo chí", "a) Báo in", "b) Báo điện tử", "2. Cơ sở",
             "Chương 3", "TỔ CHỨC", "I. PHÂN CÔNG", "1. Công an tỉnh")
    assert [s.section_id for s in t.sections] == [
        "ChI", "ChI.I", "ChI.I.1", "ChI.I.2", "ChI.II", "ChII", "ChII.I", "ChII.I.1", "ChII.I.1.a", "ChII.I.1.b",
        "ChII.I.2", "Ch3", "Ch3.I", "Ch3.I.1"]
    assert t.flags == []
    assert {s.section_id: s.title for s in t.sections}["ChII"] == "NHIỆM VỤ"


def test_restarts_under_phần_written_as_ordinal_words():
    t = tree("PHẦN THỨ NHẤT", "KẾT QUẢ NĂM 2024", "I. TUYÊN TRUYỀN", "II. KIỂM TRA",
             "PHẦN THỨ HAI", "NHIỆM VỤ NĂM 2025", "I. TUYÊN TRUYỀN", "1. Báo chí", "II. KIỂM TRA",
             "Phần thứ ba", "TỔ CHỨC THỰC HIỆN", "I. PHÂN CÔNG")
    assert [s.section_id for s in t.sections] == ["PI", "PI.I", "PI.II", "PII", "PII.I", "PII.I.1", "PII.II",
                                                  "PIII", "PIII.I"]
    assert [s.label for s in t.sections if s.level == 1] == ["PHẦN THỨ NHẤT", "PHẦN THỨ HAI", "Phần thứ ba"]
    assert t.flags == []


def test_roman_sections_of_an_appendix_sit_under_it():
    """'I.' under 'Phụ lục 1' is the appendix's own list, not a sibling of the body's 'V.'."""
    ex = run(HEAD + BASIS + BODY + TAIL + "Phụ lục 1\nBIỂU TỔNG HỢP\nI. SỐ LIỆU\n1. Số vụ\n2. Số đối tượng\n"
             "II. ĐÁNH GIÁ\nPhụ lục 2\nĐỀ CƯƠNG BÁO CÁO\nI. KẾT QUẢ\n1. Công tác tuyên truyền\n"
             "a) Kết quả\nb) Hạn chế\n2. Công tác kiểm tra\nII. PHƯƠNG HƯỚNG\n"
             "Biểu số 01\nI. SỐ LIỆU\n1. Số vụ\nBiểu số 02\nI. SỐ LIỆU\n1. Số vụ\n")
    assert [s.section_id for s in ex.sections] == BODY_IDS + [
        "PL1", "PL1.I", "PL1.I.1", "PL1.I.2", "PL1.II", "PL2", "PL2.I", "PL2.I.1", "PL2.I.1.a", "PL2.I.1.b",
        "PL2.I.2", "PL2.II", "PL01", "PL01.I", "PL01.I.1", "PL02", "PL02.I", "PL02.I.1"]
    assert numbering(ex) == []


def test_an_outline_without_a_container_restarts_its_own_list():
    """'ĐỀ CƯƠNG BÁO CÁO' with no 'Phụ lục' heading: its 'I.' after the body's 'III.' starts a new list."""
    t = tree(*BODY.splitlines(), "ĐỀ CƯƠNG BÁO CÁO", "I. KẾT QUẢ", "1. Tuyên truyền", "2. Kiểm tra", "II. PHƯƠNG HƯỚNG")
    assert [s.section_id for s in t.sections] == BODY_IDS + ["I~2", "I~2.1", "I~2.2", "II~2"]
    assert t.flags == []


def test_arabic_list_restarted_after_a_text_lead_in():
    t = tree("II. NHIỆM VỤ", "1. Tuyên truyền", "2. Kiểm tra", "3. Xử lý", "Nhiệm vụ cụ thể của các đơn vị:",
             "1. Công an tỉnh", "2. Sở Y tế", "III. KINH PHÍ")
    assert [s.section_id for s in t.sections] == ["II", "II.1", "II.2", "II.3", "II.1~2", "II.2~2", "III"]
    assert t.flags == []


# --- true findings stay ----------------------------------------------------------------------------

def test_repeated_and_skipped_labels_are_still_findings():
    t = tree("I. NỘI DUNG", "1. Tuyên truyền", "2. Kiểm tra", "2. Xử lý", "3. Tổng kết", "II. KINH PHÍ",
             "IV. TỔ CHỨC THỰC HIỆN")
    assert [(f.section_id, f.expected, f.found) for f in t.flags] == [("I.2~2", "3", "2"), ("IV", "III", "IV")]


def test_two_dotted_labels_side_by_side_and_a_first_label_repeated_adjacent():
    t = tree("II. NỘI DUNG", "3. Hoạt động", "3.1. Tuyên truyền", "3.2. Mít tinh", "3.2. Tập huấn", "3.3. Hội thảo",
             "III. TỔ CHỨC", "1. Công an", "1. Sở Y tế")
    assert [(f.section_id, f.expected, f.found) for f in t.flags] == [("II.3.3.2~2", "3.3", "3.2"),
                                                                      ("III.1~2", "2", "1")]


def test_a_repeat_inside_an_appendix_is_still_a_finding():
    t = tree("I. NỘI DUNG", "II. KINH PHÍ", "Phụ lục 1", "I. SỐ LIỆU", "1. Số vụ", "2. Số đối tượng",
             "2. Số người nghiện", "II. ĐÁNH GIÁ", "II. KIẾN NGHỊ")
    assert [(f.section_id, f.expected, f.found) for f in t.flags] == [("PL1.I.2~2", "3", "2"), ("PL1.II~2", "III", "II")]


def test_the_toc_does_not_hide_a_real_repeat_in_the_body():
    toc = "\nMỤC LỤC\nI. MỤC ĐÍCH, YÊU CẦU .... 1\nII. NỘI DUNG .... 2\nIII. TỔ CHỨC THỰC HIỆN .... 3\n\n"
    body = BODY.replace("2. Kiểm tra", "1. Kiểm tra")
    ex = run(HEAD + toc + BASIS + body + TAIL)
    assert numbering(ex) == [("II.1~2", "2", "1")]


# --- lettered labels misread by OCR ----------------------------------------------------------------

def test_đ_read_as_d_is_đ():
    t = tree("1. Hội thi", "a) Thời gian: tháng 5", "b) Địa điểm: Hội trường", "c) Nội dung: thi", "d) Giải thưởng: 3 giải",
             "d) Kinh phí: xã hội hóa", "e) Khác: không")
    assert [s.section_id for s in t.sections] == ["1", "1.a", "1.b", "1.c", "1.d", "1.đ", "1.e"]
    assert [s.label for s in t.sections][-2:] == ["d)", "e)"]
    assert t.flags == []


def test_b_read_as_h_is_b():
    t = tree("1. Hội thi", "a) Thời gian: tháng 5", "h) Địa điểm: Hội trường", "c) Nội dung: thi")
    assert [s.section_id for s in t.sections] == ["1", "1.a", "1.b", "1.c"]
    assert t.sections[0].location == "Hội trường" and t.flags == []


def test_l_read_as_1_and_i_read_as_l_are_letters():
    t = tree("1. Nhiệm vụ", *[f"{c}) Việc {c}" for c in "abcdđegh"], "l) Việc i", "k) Việc k", "1) Việc l", "m) Việc m")
    assert [s.section_id for s in t.sections][-4:] == ["1.i", "1.k", "1.l", "1.m"]
    assert t.flags == []


def test_a_skip_that_is_no_look_alike_is_still_a_finding():
    t = tree("1. Hội thi", "a) Thời gian: tháng 5", "b) Địa điểm: Hội trường", "c) Nội dung: thi", "e) Khác: không")
    assert [(f.section_id, f.expected, f.found) for f in t.flags] == [("1.e", "d", "e")]
    t = tree("1. Hội thi", "a) Một", "b) Hai", "b) Ba")
    assert [(f.section_id, f.expected, f.found) for f in t.flags] == [("1.b~2", "c", "b")]


def test_ocr_letters_through_the_pipeline():
    body = ("I. NỘI DUNG\n1. Hội thi\na) Thời gian: tháng 5/2025.\nh) Địa điểm: Hội trường tỉnh.\nc) Nội dung: thi viết.\n"
            "d) Giải thưởng: 03 giải.\nd) Kinh phí: xã hội hóa.\nII. TỔ CHỨC THỰC HIỆN\nCác đơn vị thực hiện.\n")
    ex = run(HEAD + BASIS + body + TAIL)
    assert [s.section_id for s in ex.sections] == ["I", "I.1", "I.1.a", "I.1.b", "I.1.c", "I.1.d", "I.1.đ", "II"]
    assert numbering(ex) == []


# --- properties ----------------------------------------------------------------------------------

ROMANS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
LETTERS = list(LETTER_ORDER_VI[:10])  # a … k
WORDS = ["Tuyên truyền", "Kiểm tra", "Tập huấn", "Hội nghị", "Báo cáo", "Phối hợp", "Tổng kết", "Giám sát"]

# A plan: containers, each a list of roman sections, each a list of arabic items, each a number of letters.
plans = st.lists(
    st.lists(st.lists(st.integers(min_value=0, max_value=4), min_size=0, max_size=4), min_size=1, max_size=4),
    min_size=1, max_size=4)


def render(plan: list[list[list[int]]], container: str) -> list[tuple[str, str, int, int]]:
    """(line, label or "", position among its siblings from 1, number of siblings) in reading order."""
    out: list[tuple[str, str, int, int]] = []
    n = 0

    def title() -> str:
        nonlocal n
        n += 1
        return f"{WORDS[n % len(WORDS)]} đợt {n} năm nay"  # unique titles: nothing looks like a table of contents

    for c, romans in enumerate(plan, start=1):
        head = {"phan": f"Phần {ROMANS[c - 1]}", "phuluc": f"Phụ lục {c}", "chuong": f"Chương {ROMANS[c - 1]}"}[container]
        out.append((head, head, c, len(plan)))
        out.append((title().upper(), "", 0, 0))
        for r, items in enumerate(romans, start=1):
            out.append((f"{ROMANS[r - 1]}. {title().upper()}", f"{ROMANS[r - 1]}.", r, len(romans)))
            for i, letters in enumerate(items, start=1):
                out.append((f"{i}. {title()}", f"{i}.", i, len(items)))
                out.append(("Nội dung thực hiện theo kế hoạch.", "", 0, 0))
                for k in range(1, letters + 1):
                    out.append((f"{LETTERS[k - 1]}) {title()}", f"{LETTERS[k - 1]})", k, letters))
    return out


CONTAINERS = st.sampled_from(["phan", "phuluc", "chuong"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans, container=CONTAINERS)
def test_correct_numbering_with_restarts_under_containers_gives_no_finding(plan, container):
    lines = render(plan, container)
    t = tree(*(line for line, *_ in lines))
    assert t.flags == []
    assert [s.label for s in t.sections] == [label for _, label, *_ in lines if label]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans, container=CONTAINERS, data=st.data())
def test_a_duplicated_adjacent_label_always_gives_a_finding(plan, container, data):
    lines = [line for line, *_ in render(plan, container)]
    labels = [(i, label) for i, (_, label, *_) in enumerate(render(plan, container)) if label and " " not in label]
    i, label = data.draw(st.sampled_from(labels))
    dup = lines[: i + 1] + [f"{label} Nội dung lặp lại số hiệu"] + lines[i + 1:]
    flags = tree(*dup).flags
    key = label.rstrip(".)")
    letter_after = LETTER_ORDER_VI[LETTER_ORDER_VI.find(key) + 1] if label.endswith(")") else ""
    if letter_after and key in LABEL_LOOKALIKES.get(letter_after, ""):
        assert flags == []  # "d) d)": the second is the OCR look-alike of the expected "đ)"
    else:
        assert [(f.check, f.found) for f in flags] == [("numbering", key)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans, container=CONTAINERS, data=st.data())
def test_a_dropped_label_in_the_middle_of_a_list_always_gives_a_finding(plan, container, data):
    """II then IV, 1 then 3, b then d: the label after the dropped one skips, whatever the containers."""
    rendered = render(plan, container)
    middle = [i for i, (_, label, pos, size) in enumerate(rendered) if label and " " not in label and 2 <= pos < size]
    if not middle:
        return
    i = data.draw(st.sampled_from(middle))
    lines = [line for line, *_ in rendered]
    flags = tree(*(lines[:i] + lines[i + 1:])).flags
    label, pos = rendered[i][1], rendered[i][2]
    key = label.rstrip(".)")
    if label.endswith(")"):
        expected, found = LETTERS[pos - 1], LETTERS[pos]
    elif key in ROMANS:
        expected, found = ROMANS[pos - 1], ROMANS[pos]
    else:
        expected, found = str(pos), str(pos + 1)
    # (the dropped label's children join the previous sibling's: "a)" after its lone "a)" is a repeat too)
    assert ("numbering", expected, found) in [(f.check, f.expected, f.found) for f in flags]


def test_a_sentence_starting_phụ_lục_is_no_container():
    """'Phụ lục kèm theo …' in the body is text: the next 'IV.' stays the body's, not the appendix's."""
    t = tree("III. KINH PHÍ", "Phụ lục kèm theo Kế hoạch này.", "IV. TỔ CHỨC THỰC HIỆN", "Phụ lục 1 kèm theo Kế hoạch",
             "I. SỐ LIỆU")
    assert [s.section_id for s in t.sections] == ["III", "IV", "PL1", "PL1.I"]
    assert t.sections[0].text == "Phụ lục kèm theo Kế hoạch này." and t.flags == []


def test_a_body_that_opens_with_chương_through_the_pipeline():
    body = ("Chương I\nQUY ĐỊNH CHUNG\nI. PHẠM VI\n1. Đối tượng\nÁp dụng với các đơn vị.\n"
            "Chương II\nTỔ CHỨC THỰC HIỆN\nI. PHÂN CÔNG\n1. Công an tỉnh\nChủ trì thực hiện.\n")
    ex = run(HEAD + BASIS + body + TAIL)
    assert [s.section_id for s in ex.sections] == ["ChI", "ChI.I", "ChI.I.1", "ChII", "ChII.I", "ChII.I.1"]
    assert [lb.ref_number for lb in ex.legal_bases] == ["12/QĐ-UBND"] and numbering(ex) == []
