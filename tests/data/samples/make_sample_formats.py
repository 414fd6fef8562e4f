"""The two real sample plans of data/raw/ re-created as the Word and PDF files their offices issued.

`data/raw/kientuong-ubnd-2024.md` is a Word→Markdown export and
`data/raw/kiengiang-stttt-2024.txt` a PDF text export; the content below is
theirs word for word, typos and all ("Bảng chữ", "7.00.000", "50.0000", the
two "3.2.", the blank day and month, the "Quyết định số 934/QĐ-BTTTT" basis
without "Căn cứ", the header lines the exports lost). Only the layout is
rebuilt, as a typist lays out a plan under Decree 30/2020/NĐ-CP: a borderless
two-column header, "KẾ HOẠCH" and the title centred in bold, justified body
paragraphs with a first-line indent and 6 pt between them, ruled tables, the
recipients and the signature side by side, page numbers at the top centre
from page 2, A4 with margins of 20 mm (top, bottom), 30 mm (left) and 15 mm (right).

Written next to this file (deterministic, so the copies here stay byte-stable):

  kientuong-ubnd-2024.docx          labels typed in the text ("I.", "1.", STT cells)
  kientuong-ubnd-2024-autonum.docx  the same labels from Word automatic numbering
  kientuong-ubnd-2024.pdf
  kiengiang-stttt-2024.docx
  kiengiang-stttt-2024.pdf

Run `python tests/data/samples/make_sample_formats.py [OUT_DIR] [--check]`; with --check it
also extracts every file with `pipeline.run.extract_file` and lists each field that differs
from the extraction of its original in data/raw.
"""
from __future__ import annotations

import io
import re
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SERIF = {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf", "I": "DejaVuSerif-Italic.ttf",
         "BI": "DejaVuSerif-BoldItalic.ttf"}
STAMP = datetime(2024, 9, 20, 8, 0, 0, tzinfo=timezone.utc)  # fixed: same bytes on every run


# =============================================================================== content
#
# Body lines are "STYLE|text". STYLE: p (justified paragraph, first-line indent),
# h2/h3/h4 (the Word heading style the Markdown export shows as ##/###/####),
# c (centred line; "\n" is a line break inside the paragraph), t (the table
# named by text), pb (the next line starts a page). A "#" after the style marks
# a label that Word's automatic numbering prints in the autonum variant ("#A":
# the appendix's own list). Inline: **bold**, *italic*, <url>.

@dataclass
class Table:
    widths: tuple[float, ...]          # relative column widths, scaled to the text width
    head: list[str]
    rows: list["Row"]
    align: str                         # one letter per column: L, C, R


@dataclass
class Row:
    cells: list                        # str, or (str, span) for a cell merged across `span` columns
    bold: bool = False


def R(*cells, bold: bool = False) -> Row:
    return Row(list(cells), bold)


@dataclass
class Plan:
    name: str
    author: str
    header: list[tuple[list[tuple[str, str]], list[tuple[str, str]]]]  # rows of (left, right) lines (text, style)
    title: list[str]                   # title lines as the typist broke them in Word
    pdf_title: list[str]               # and as re-broken for the PDF's wider DejaVu glyphs
    body: str
    tables: dict[str, Table]
    recipients: list[str]
    signer: list[str]                  # authority lines and title, above the signing space
    name_line: str
    appendix: str = ""
    title_break: bool = True           # a manual line break between the title lines in Word
    heading_styles: bool = False       # h2-h4 as Word heading styles (the Markdown export shows them)


# ----------------------------------------------------------------------------- Kiến Tường

KT_BODY = """\
p|Thực hiện Kế hoạch số 2663/KH-UBND ngày 09/9/2024 của UBND tỉnh Long An về việc tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn tỉnh Long An năm 2024. Ủy ban nhân dân thị xã ban hành Kế hoạch tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn thị xã Kiến Tường năm 2024, cụ thể như sau:
h2#|I. MỤC ĐÍCH, YÊU CẦU
h3#|1. Mục đích
p|- Tuyên truyền về Ngày Chuyển đổi số quốc gia - **ngày 10 tháng 10** nhằm nâng cao nhận thức của toàn dân về ý nghĩa, vai trò, tầm quan trọng của chuyển đổi số trong sự phát triển kinh tế, văn hóa, xã hội. Đề cao ý nghĩa của chuyển đổi số như là một phương thức mới, mở ra những không gian mới cho sự phát triển của xã hội.
p|- Lan tỏa và thu hút sự hưởng ứng tích cực của cả hệ thống chính trị và toàn xã hội đối với công cuộc chuyển đổi số của thị xã; góp phần nâng cao chỉ số năng lực cạnh tranh, cải thiện môi trường đầu tư, kinh doanh, nâng cao hiệu lực, hiệu quả quản lý của chính quyền các cấp, hướng tới mục tiêu phục vụ tốt nhất cho người dân và doanh nghiệp.
p|- Thông qua các hoạt động, tăng cường mối quan hệ hợp tác về công nghệ thông tin và truyền thông giữa thị xã Kiến Tường với các cơ quan và các đối tác, doanh nghiệp trong thực hiện nhiệm vụ chuyển đổi số phục vụ phát triển kinh tế - xã hội.
h3#|2. Yêu cầu
p|- Nội dung tuyên truyền tập trung vào các chủ trương, chính sách lớn của Đảng và Nhà nước về chuyển đổi số, phát triển chính quyền số và bảo đảm an toàn thông tin mạng, phát triển đô thị thông minh, phát triển doanh nghiệp công nghệ số; giới thiệu cụ thể các nền tảng số, hệ thống ứng dụng, dịch vụ công trực tuyến phục vụ cho người dân và doanh nghiệp.
p|- Tổ chức các hoạt động phải đảm bảo theo hướng dẫn của Sở Thông tin và Truyền thông, gắn với điều kiện thực tế của thị xã. Thực hiện đồng bộ từ thị xã đến cơ sở; tuyên truyền rộng rãi, phong phú nhiều nội dung, bằng nhiều hình thức, phù hợp với từng đối tượng tuyên truyền, đồng thời đảm bảo thiết thực, tiết kiệm, hiệu quả, huy động đa dạng các nguồn lực xã hội tham gia.
h2#|II. CHỦ ĐỀ VÀ KHẨU HIỆU NĂM 2024
p#|1. Chủ đề: “**Phổ cập hạ tầng số và sáng tạo ứng dụng số để phát triển kinh tế số - Động lực mới cho tăng trưởng kinh tế và năng suất lao động**”.
p#|2. Khẩu hiệu: “**Nhiệt liệt chào mừng Ngày Chuyển đổi số quốc gia 10/10/2024**”.
h2#|III. NỘI DUNG CỤ THỂ
h3#|1. Tổ chức các hoạt động truyền thông
p|- Cơ quan chủ trì: Phòng Văn hóa và Thông tin; Trung Tâm Văn hóa, Thông tin và Truyền thanh, Ủy ban nhân dân các xã, phường.
p|- Cơ quan phối hợp: Các cơ quan, ban ngành, đoàn thể thị xã; Ủy ban nhân dân các xã, phường.
p|- Thời gian: Từ ngày 20/9/2024 đến ngày 20/10/2024.
p|- Nội dung:
p|- Tổ chức tuyên truyền chủ đề Ngày Chuyển đổi số năm 2024; tuyên truyền, lan tỏa thông điệp, đưa tin các hoạt động của Tổ công nghệ số cộng đồng hưởng ứng Ngày Chuyển đổi số quốc gia năm 2024 trên các phương tiện thông tin đại chúng, các nền tảng số và mạng xã hội (facebook, zalo, youtube...), các Trang thông tin điện tử của cơ quan nhà nước, hệ thống màn hình Led công cộng và chuyên trang Chuyển đổi số của thị xã.
p|- Xây dựng chuyên trang, chuyên mục, phóng sự ... đưa tin về các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn thị xã.
p|- Tổ chức treo băng rôn, khẩu hiệu chào mừng Ngày Chuyển đổi quốc gia tại các cơ quan nhà nước, các tuyến đường trọng điểm, các cửa hàng, siêu thị kinh doanh các sản phẩm công nghệ thông tin và dịch vụ số trên địa bàn thị xã.
p|- Banner tuyên truyền:
p|+ Kích thước: Banner (0,5m x 5.0m), số lượng: 16 tấm mỗi xã, phường 02 tấm.
p|+ Kích thước: Banner (0,7m x 1.8m), số lượng: 120 tấm treo trên trục đường Quốc Lộ 62 (Trung tâm Văn hóa, Thông tin và Truyền thanh hỗ trợ treo).
p|+ Thay pano tuyên truyền: Kích thước: Pano (3m x 4m), số lượng 03 tấm.
h3#|2. Phát động thi đua ngắn hạn chào mừng ngày chuyển đổi số quốc gia
p|- Cơ quan chủ trì: UBND thị xã.
p|- Cơ quan phối hợp: Ủy ban nhân dân các xã, phường.
p|- Thời gian: Từ ngày 9/9/2024 đến ngày 09/10/2024.
p|- Nội dung: Thực hiện theo Kế hoạch số 3111/KH-BCĐCĐS ngày 11/09/2024 của Ủy ban nhân dân thị xã Kiến Tường về phát động thi đua ngắn hạn chào mừng ngày chuyển đổi số quốc gia năm 2024 (ngày 10/10/2024).
h3#|3. Tổ chức ra quân đội hình IT xanh
p|- Cơ quan chủ trì: UBND thị xã.
p|- Thành phần tham dự lễ: Các cơ quan, ban ngành, đoàn thể thị xã, Ban Chỉ đạo chuyển đổi số thị xã, lãnh đạo UBND các xã, phường.
p|- Cơ quan phối hợp ra quân: Chi nhánh doanh nghiệp VNPT thị xã Kiến Tường (10 người), Thị đoàn Kiến Tường và đoàn viên thanh niên của Ủy ban nhân dân các xã, phường (05 người, tổng 40 người), Ngân hàng Agribank thị xã Kiến Tường (10 người), Ngân hàng BIDV thị xã Kiến Tường (10 người), Ban Quản lý chợ (4 người), 14 tổ Công nghệ số cộng đồng của 3 phường, mỗi tổ 5 người, 14 tổ (70 người.)
p|- Thời gian ra quân: 07h ngày 08/10/2024 (thực hiện trong 2 ngày).
p|- Địa điểm làm lễ ra quân: Sân khấu Nhà thiếu nhi củ.
p|- + Phường 1: Ngân hàng BIDV và 50% số người của các đơn vị khác trừ Ngân hàng Agribank.
p|- + Phường 2: Ngân hàng Agribank và 50% số người còn lại của các đơn vị khác trừ Ngân hàng BIDV.
p|- Nội dung: Tuyên truyền ngày chuyển đổi số quốc gia (10/10/2024), hướng dẫn, cài đặt, thanh toán trực tuyến, tra cứu tình trạng giải quyết hồ sơ qua Cổng dịch vụ công, Zalo, ứng dụng “Long An Số”, VNeID...
h3#|4. Tổ chức họp mặt đại diện Tổ Công nghệ số cộng đồng toàn thị xã
p|- Cơ quan chủ trì: Ủy ban nhân dân thị xã Kiến Tường.
p|- Cơ quan tham mưu: Phòng Văn hóa và Thông tin.
p|- Thời gian: Dự kiến giữa tháng 10 năm 2024.
p|- Địa điểm: Hội trường Ủy ban nhân dân thị xã Kiến Tường.
p|- Nội dung: Tổ chức họp mặt cá nhân tiêu biểu Tổ Công nghệ số cộng đồng nhằm động viên, trao đổi kinh nghiệm trong tổ chức các hoạt động chuyển đổi số tại xã, phường gắn với nội dung nhân rộng mô hình chuyển đổi số cấp xã (*theo Công văn số 855/UBND-VHXH ngày 09/02/2023 của UBND tỉnh*); xây dựng Mô hình chuyển đổi số trong xây dựng nông thôn mới (*tại <https://langso.dx.gov.vn>*)
p|- Biểu dương, khen thưởng các cá nhân, tập thể Tổ Công nghệ số cộng đồng có thành tích xuất sắc trong chuyển đổi số (theo Kế hoạch số 3111/KH-BCĐCĐS ngày 11/9/2024 của Ủy ban nhân dân thị xã Kiến Tường về phát động thi đua ngắn hạn chào mừng ngày chuyển đổi số quốc gia năm 2024 (ngày 10/10/2024).
p|- Thành phần tham dự: Khoảng 130 người, bao gồm: Đại diện lãnh đạo Sở Thông tin và Truyền thông tỉnh; lãnh đạo UBND thị xã; đại diện các cơ quan, ban ngành thị xã; đại diện Ủy ban Mặt trận Tổ quốc Việt Nam thị xã và các Tổ chức chính trị - xã hội thị xã; đại diện UBND các xã, phường; đại diện cá nhân tiêu biểu Tổ Công nghệ số cộng đồng các xã, phường; các doanh nghiệp viễn thông trên địa bàn thị xã Kiến Tường (*Chi tiết theo Phụ lục 1*).
h3#|5. Tổ chức đoàn tham gia họp mặt đại diện Tổ Công nghệ số cộng đồng và triển lãm, trưng bày, giới thiệu các giải pháp, sản phẩm công nghệ thông tin phục vụ chuyển đổi số tỉnh Long An
p|- Thời gian:
p|+ Tổ chức họp mặt Tổ Công nghệ số cộng đồng: Ngày 10/10/2024.
p|+ Tổ chức triển lãm: Ngày 09 -10/10/2024.
p|- Địa điểm: Trung tâm Văn hóa Nghệ thuật tỉnh hoặc Hội trường UBND tỉnh.
p|- Nội dung: Tổ chức giao lưu, họp mặt cá nhân tiêu biểu Tổ Công nghệ số cộng đồng nhằm động viên, trao đổi kinh nghiệm trong tổ chức các hoạt động chuyển đổi số tại xã, phường. Phổ biến các thông tin để đưa nền tảng số, công nghệ số, kỹ năng số đến người dân, đưa người dân tiếp cận nhanh môi trường số thông qua Tổ công nghệ số cộng đồng; kết hợp tổ chức triển lãm, trưng bày, giới thiệu các giải pháp, sản phẩm công nghệ thông tin phục vụ chuyển đổi số.
p|- Thành phần tham dự họp mặt cấp Tỉnh: Lãnh đạo UBND thị xã (01 người); Phòng Văn hóa và Thông tin (01 người); Trung tâm Văn hóa, Thông tin và Truyền thanh (01 người); đại diện cá nhân tiêu biểu Tổ Công nghệ số cộng đồng các xã, phường (08); đại diện tập thể Tổ công nghệ số cộng đồng được khen thưởng (01 người); đại diện cá nhân Tổ công nghệ số cộng đồng được khen thưởng (02 người).
p|- Thành phần tham dự triển lãm: Cán bộ, công chức, viên chức trong cơ quan nhà nước.
h3#|IV. KINH PHÍ THỰC HIỆN
p|Nguồn kinh phí thực hiện tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia năm 2024 trên địa bàn thị xã được bố trí từ nguồn ngân sách nhà nước và từ các nguồn kinh phí xã hội hóa, tài trợ, hỗ trợ của các tổ chức, doanh nghiệp.
h3#|V. TỔ CHỨC THỰC HIỆN
h4#|1. Phòng Văn hóa và Thông tin
p|- Chủ trì, phối hợp với các cơ quan, đơn vị liên quan triển khai thực hiện hoàn thành kế hoạch này. Theo dõi, tổng hợp tình hình, kịp thời báo cáo, tham mưu UBND thị xã chỉ đạo thực hiện.
p|- Phối hợp với các doanh nghiệp lĩnh vực thông tin và truyền thông trên địa bàn thị xã để triển khai các nhiệm vụ theo kế hoạch.
p|- Tổ chức thực hiện và đảm bảo thanh, quyết toán kinh phí được cấp theo quy định hiện hành.
h4#|2. Văn phòng HĐND và UBND thị xã
p|Phối hợp với Phòng Văn hóa và Thông tin tham mưu lãnh đạo UBND thị xã bố trí lịch tham dự các hoạt động.
h3#|3. Phòng Tài chính – Kế hoạch
p|Phối hợp với các cơ quan, đơn vị tham mưu UBND thị xã bố trí kinh phí thực hiện theo quy định (*Chi tiết tại phụ lục 2*).
h3#|4. Phòng Nội vụ (Hội đồng Thi đua - Khen thưởng thị xã)
p|Phối hợp Phòng Văn hóa và Thông tin đề xuất tặng Giấy khen của Chủ tịch UBND thị xã cho các tập thể, cá nhân Tổ Công nghệ số công đồng; in giấy khen và thực hiện nghi thức trao thưởng.
h3#|5. Trung tâm Văn hóa, Thông tin và Truyền thanh
p|- Xây dựng các chuyên trang, chuyên mục, phát tin, bài tuyên truyền chủ đề Ngày Chuyển đổi số quốc gia năm 2024.
p|- Tham gia, đưa tin, treo banner tuyên truyền các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia năm 2024 trên địa bàn.
h3#|6. Các cơ quan, ban ngành thị xã
p|- Căn cứ kế hoạch này và điều kiện thực tế của từng đơn vị, tổ chức thực hiện các hoạt động phù hợp hưởng ứng Ngày Chuyển đổi số quốc gia năm 2024 đạt hiệu quả.
p|- Treo băng rôn, khẩu hiệu chào mừng Ngày Chuyển đổi số quốc gia năm 2024 tại trụ sở đơn vị mình.
h3#|7. Ủy ban Mặt trận Tổ quốc Việt Nam thị xã và các tổ chức chính trị - xã hội thị xã
p|Trân trọng đề nghị phối hợp tuyên truyền, vận động đoàn viên, hội viên và các tầng lớp Nhân dân tích cực tham gia các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn thị xã do Phòng Văn hóa và Thông tin phối hợp với Thị đoàn, các doanh nghiệp bưu chính, viễn thông trên địa bàn thị xã tổ chức, như: Hướng dẫn người dân sử dụng dịch vụ công trực tuyến; cài đặt, sử dụng ứng dụng “Long An Số”; hướng dẫn người dân các kỹ năng sử dụng nền tảng, các kỹ năng liên quan đến thương mại điện tử, quảng bá sản phẩm trên môi trường số, thanh toán số...
h3#|8. Đề nghị Đoàn TNCS Hồ Chí Minh thị xã
p|Xây dựng kế hoạch và triển khai các hoạt động được phân công tại Kế hoạch này.
h3#|9. UBND các xã, phường
p|- Trên cơ sở nội dung kế hoạch này, xây dựng kế hoạch cụ thể và chỉ đạo tổ chức thực hiện các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia năm 2024 đạt hiệu quả, thiết thực phù hợp với yêu cầu thực tế của địa phương.
p|- Treo băng rôn, khẩu hiệu chào mừng Ngày Chuyển đổi số quốc gia năm 2024 tại trụ sở đơn vị (Kích thước: Banner (0,5m x 5.0m), số lượng: 02 tấm/1 đơn vị).
p#|**10. Đề nghị Chi nhánh doanh nghiệp VNPT, Ngân hàng Agribank, Ngân hàng BIDV thị xã Kiến Tường**
p|Phối hợp với Phòng Văn hóa và Thông tin và các cơ quan, đơn vị liên quan bố trí nhân lực tham gia các hoạt động theo Kế hoạch này và hỗ trợ kinh phí phối hợp tổ chức các hoạt động.
p|Trên đây là Kế hoạch tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia năm 2024, Thủ trưởng các cơ quan, ban ngành thị xã, UBND các xã, phường nghiêm túc triển khai thực hiện và gửi báo cáo UBND thị xã (thông qua Phòng Văn hóa và Thông tin) **trước ngày 25/10/2024./.**
"""

KT_APPENDIX = """\
pb|
c|**Phụ lục 1**
c|**DANH SÁCH THÀNH PHẦN THAM DỰ HỢP MẶT**
c|*(Kèm theo Kế hoạch số    /KH-UBND ngày   /   /    của UBND thị xã)*
t|attendance
pb|
c|**Phụ lục 2**\\n**DỰ TRÙ KINH PHÍ THỰC HIỆN**
c|(Kèm theo Kế hoạch số    /KH-UBND ngày   /   /    của UBND thị xã)
p#A|**1. Tổ chức họp mặt đại diện Tổ Công nghệ số cộng đồng toàn thị xã**
t|hop-mat
p#A|**2. Tổ chức các hoạt động tuyên truyền trực quan**
t|truc-quan
p#A|**3. Khen thưởng phát động thi đua ngắn hạn chào mừng ngày chuyển đổi số quốc gia**
t|khen-thuong
h4#A|4. Tổ chức ra quân đội hình IT xanh
t|ra-quan
h4#A|5. Hợp mặt đại diện Tổ Công nghệ số cộng đồng
t|xe-16
h4#A|6. Tham dự triển lãm, trưng bày, giới thiệu các giải pháp, sản phẩm công nghệ thông tin phục vụ chuyển đổi số
t|xe-30
p|**Tổng kinh phí hoạt động cho Kế hoạch: 46.670.000 (Bằng chữ: Bốn mươi sáu triệu sáu trăm bảy mươi nghìn đồng). Trong đó vận động xã hội hóa: 23.400.000; chi từ ngân sách nhà nước: 23.270.000.**
"""

_MONEY_HEAD = ["STT", "Nội dung", "Số lượng", "Đơn giá", "Số tiền (đồng)", "Ghi chú"]
_MONEY_WIDTHS = (12, 51, 18, 25, 30, 24)
_MONEY_ALIGN = "CLCRRL"


def _money_table(rows: list[Row], total: str, words: str, head: list[str] | None = None) -> Table:
    return Table(_MONEY_WIDTHS, head or _MONEY_HEAD,
                 rows + [R(("TỔNG CỘNG", 4), total, "", bold=True), R((words, 6), bold=True)], _MONEY_ALIGN)


KT_TABLES = {
    "attendance": Table((14, 118, 28), ["TT", "Đơn vị", "Số lượng đại biểu"], [
        R("I", "ĐẠI BIỂU TỈNH", "01", bold=True),
        R("1", "Sở Thông tin và Truyền thông", "01"),
        R("II", "CÁC CƠ QUAN, ĐƠN VỊ THỊ XÃ", "120", bold=True),
        R("1", "Lãnh đạo UBND thị xã", "01"),
        R("2", "Ban Tuyên giáo Thị ủy", "01"),
        R("3", "Văn phòng HĐND&UBND thị xã", "03"),
        R("4", "Phòng Nội vụ (khen thưởng)", "02"),
        R("5", "Phòng Văn hóa và Thông tin", "04"),
        R("6", "Mặt trận Tổ quốc Việt Nam thị xã và các tổ chức chính trị - xã hội thị xã", "06"),
        R("7", "Các cơ quan, ban ngành thị xã (mỗi đơn vị 1 người)", "40"),
        R("8", "Lãnh đạo UBND các xã, phường (mỗi đơn vị 1 người)", "08"),
        R("9", "Công chức phụ trách công tác chuyển đổi số các xã, phường (mỗi đơn vị 1 người)", "08"),
        R("10", "Trung tâm Văn hóa, Thông tin và Truyền thanh (đưa tin)", "01"),
        R("11", "Đại diện Tổ Công nghệ số cộng đồng 37 ấp, khu phố các xã, phường", "37"),
        R("12", "Đại diện tập thể Tổ Công nghệ số cộng đồng được khen thưởng", "03"),
        R("13", "Đại diện cá nhân Tổ Công nghệ số cộng đồng được khen thưởng", "06"),
        R("IV", "CÁC DOANH NGHIỆP VIỄN THÔNG THỊ XÃ", "06", bold=True),
        R("1", "VNPT", "02"),
        R("2", "Viettel", "02"),
        R("3", "MobiFone", "02"),
        R("", "TỔNG CỘNG:", "127", bold=True),
    ], "CLC"),
    "hop-mat": Table(
        (12, 46, 21, 21, 27, 33),
        ["STT", "NỘI DUNG", "ĐƠN VỊ TÍNH", "SỐ LƯỢNG", "ĐƠN GIÁ (đồng)", "THÀNH TIỀN (đồng)"], [
            R("1", "Nước uống", "Người", "127", "20.000", "2.540.000"),
            R("2", "Hỗ trợ tiền ăn", "Người", "127", "30.000", "3.810.000"),
            R("3", "Bảng tên", "Cái", "08", "200.000", "200.000"),
            R("4", "Phong nền màn hình LED", "Cái", "01", "200.000", "200.000"),
            R("5", "Bồi dưỡng kỹ thuật, vệ sinh, trật tự", "Người", "01", "200.000", "200.000"),
            R(("Tổng cộng", 5), "6.950.000", bold=True),
            R(("Bảng chữ: Sáu triệu chín trăm năm mươi nghìn đồng.", 6), bold=True),
        ], "CLCCRR"),
    "truc-quan": _money_table([
        R("1", "Kích thước: Banner (0,5m x 5.0m), số lượng: 16 tấm mỗi xã, phường 02 tấm.", "16", "225.000",
          "1.920.000", "Kinh phí UBND các xã, phường tự chủ"),
        R("2", "Kích thước: Banner (0,7m x 1.8m), số lượng: 120 tấm treo trên trục đường Quốc Lộ 62.", "120",
          "120.000", "14.400.000", "Xã hội hóa"),
    ], "16.320.000", "Bảng chữ: Mười sáu triệu ba trăm hai mươi nghìn đồng."),
    "khen-thuong": _money_table([
        R("1", "Khen tập thể", "03", "1.400.000", "4.200.000", ""),
        R("2", "Khen cá nhân", "06", "7.00.000", "4.200.000", ""),
    ], "8.400.000", "Bằng chữ: Tám triệu bốn trăm nghìn đồng."),
    "ra-quan": _money_table([
        R("1", "Bảng chữ cầm tay", "50", "50.000", "2.500.000", "Xã hội hóa"),
        R("2", "Phong chữ sân khấu", "01", "2.500.000", "2.500.000", ""),
        R("3", "Bồi dưỡng phục vụ lễ ra quân", "05", "200.000", "1.000.000", ""),
        R("4", "Bồi dưỡng vệ sinh sân khấu", "4", "250.000", "1.000.000", ""),
        R("5", "Bồi dưỡng cho đoàn viên thanh niên", "40", "50.0000", "2.000.000", ""),
    ], "9.000.000", "Bằng chữ: Chín triệu đồng."),
    "xe-16": _money_table([R("1", "Tiền xe (xe 16 chỗ)", "14", "2.500.000", "2.500.000", "")],
                          "2.500.000", "Bằng chữ: Hai triệu năm trăm nghìn đồng.",
                          head=["STT", "Nội dung", "Số lượng đại biểu", "Đơn giá", "Số tiền (đồng)", "Ghi chú"]),
    "xe-30": _money_table([R("1", "Tiền xe (xe 30 chỗ)", "25", "3.500.000", "3.500.000", "")],
                          "3.500.000", "Bằng chữ: Ba triệu năm trăm nghìn đồng.",
                          head=["STT", "Nội dung", "Số lượng đại biểu", "Đơn giá", "Số tiền (đồng)", "Ghi chú"]),
}

KIENTUONG = Plan(
    name="kientuong-ubnd-2024",
    author="UBND thị xã Kiến Tường",
    # The export kept no issuer and no national motto: only the number and the place/date line.
    header=[([("Số:        /KH-UBND", "")], [("Kiến Tường, ngày      tháng 9 năm 2024", "I")])],
    title=["Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia trên địa bàn thị xã Kiến Tường năm 2024"],
    pdf_title=["Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số",
               "quốc gia trên địa bàn thị xã Kiến Tường năm 2024"],
    title_break=False,
    body=KT_BODY,
    tables=KT_TABLES,
    recipients=["- UBND tỉnh (b/c);", "- Sở Thông tin và Truyền thông (b/c);", "- TT.Thị ủy, TT.HĐND TX (b/c);",
                "- CT, các PCT.UBND TX;", "- Ủy ban MTTQVN TX;", "- Ban Tuyên giáo Thị ủy;", "- Văn phòng Thị ủy;",
                "- Các cơ quan, ban ngành thị xã;", "- UBND các xã, phường;", "- Lưu: VT, PVHTT."],
    signer=["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
    name_line="Nguyễn Thị Lụa",
    appendix=KT_APPENDIX,
    heading_styles=True,
)

# ----------------------------------------------------------------------------- Kiên Giang

KG_BODY = """\
p|Căn cứ Quyết định số 505/QĐ-TTg ngày 22/4/2022 của Thủ tướng Chính phủ về Ngày Chuyển đổi số quốc gia.
p|Quyết định số 934/QĐ-BTTTT ngày 07/6/2024 của Bộ Thông tin và Truyền thông phê duyệt Kế hoạch triển khai Quyết định số 505/QĐ-TTg ngày 22/4/2022 của Thủ tướng Chính phủ về Ngày Chuyển đổi số quốc gia năm 2024.
p|Căn cứ Quyết định số 2426/QĐ-UBND ngày 30/9/2022 của UBND tỉnh về Ngày Chuyển đổi số tỉnh Kiên Giang.
p|Căn cứ Quyết định số 841/QĐ-UBND ngày 10/4/2024 của Ủy ban nhân tỉnh về việc phân bổ kinh phí thực hiện chuyển đổi số trên địa bàn tỉnh Kiên Giang năm 2024.
p|Thực hiện Kế hoạch số 277/KH-UBND ngày 11/9/2024 của UBND tỉnh về tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia và Ngày Chuyển đổi số tỉnh Kiên Giang năm 2024.
p|Sở Thông tin và Truyền thông tỉnh Kiên Giang xây dựng Kế hoạch triển khai tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia và Ngày Chuyển đổi số tỉnh Kiên Giang năm 2024, cụ thể như sau:
p|**I. MỤC ĐÍCH, YÊU CẦU**
p|**1. Mục đích**
p|Tổ chức thực hiện tốt các nhiệm vụ được giao chủ trì và phối hợp triển khai thực hiện đảm bảo mục tiêu, yêu cầu tại Kế hoạch số 277/KH-UBND ngày 11/9/2024 của Ủy ban nhân dân tỉnh Kiên Giang.
p|**2. Yêu cầu**
p|Các hoạt động hưởng ứng, các hình thức thông tin, truyền thông cần linh hoạt, kịp thời, hiệu quả, tận dụng ưu thế của mạng xã hội và phương tiện truyền thông đại chúng để các nội dung tuyên truyền được lan tỏa rộng rãi trong cộng đồng.
p|Ngày Chuyển đổi số năm 2024 được tổ chức với các hoạt động phong phú, đa dạng, thiết thực và tiết kiệm phù hợp với mục đích, ý nghĩa của chủ đề Ngày Chuyển đổi số năm 2024.
p|**II. NỘI DUNG TỔ CHỨC**
p|**1. Chủ đề của Ngày Chuyển đổi số tỉnh năm 2024**
p|Chủ đề của Ngày Chuyển đổi số quốc gia năm 2024 - là “**Phổ cập hạ tầng số và sáng tạo ứng dụng số để phát triển kinh tế số - Động lực mới cho tăng trưởng kinh tế và năng suất lao động**”.
p|**2. Thời gian thực hiện**
p|Các hoạt động truyền thông, hưởng ứng Ngày Chuyển đổi số năm 2024 trên địa bàn tỉnh diễn ra trong thời gian từ ngày 15/9/2024 - 31/10/2024.
p|**3. Các hoạt động Ngày Chuyển đổi số**
p|**3.1. Công tác tuyên truyền:**
p|Chủ trì, theo dõi, hướng dẫn, đôn đốc các cơ quan, đơn vị, địa phương tổ chức triển khai thực hiện Kế hoạch triển khai tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia và Ngày Chuyển đổi số tỉnh Kiên Giang năm 2024 của tỉnh.
p|Phối hợp với Ban Tuyên giáo Tỉnh ủy hướng dẫn công tác thông tin, tuyên truyền về Ngày Chuyển đổi số năm 2024 trên địa bàn tỉnh.
p|Triển khai Thông điệp Ngày Chuyển đổi số quốc gia năm 2024 theo hướng dẫn của Bộ Thông tin và Truyền thông.
p|Tuyên truyền trên Cổng thông tin điện tử của tỉnh, cổng thông tin chuyển đổi số tỉnh, cổng thông tin hỗ trợ doanh nghiệp tỉnh, …
p|Hướng dẫn các cơ quan báo chí, phát thanh, truyền hình trên địa bàn tỉnh; các Sở, Ban, ngành có Bản tin chuyên ngành, Trang/Cổng thông tin điện tử đẩy mạnh tuyên truyền rộng rãi trên các phương tiện thông tin đại chúng về Ngày Chuyển đổi số quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang đảm bảo thường xuyên, liên tục và đạt hiệu quả cao.
p|Chỉ đạo, tổ chức treo băng rôn, pano, phướn tuyên truyền, hưởng ứng Ngày Chuyển đổi số quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang tại các tuyến đường chính trên địa bàn tỉnh và địa phương trên địa bàn huyện, thành phố.
p|**3.2. Tổ chức Lễ mít tinh hưởng ứng Ngày Chuyển đổi quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang (10/10)**
p|a) Thời gian tổ chức: Dự kiến ngày 08/10/2024.
p|b) Địa điểm: tại thành phố Rạch Giá
p|c) Thành phần tham dự: Dự kiến khoảng 300 đại biểu.
p|- Lãnh đạo Tỉnh ủy, HĐND, UBND, Ủy ban MTTQ Việt Nam, Đoàn thể, hiệp hội tỉnh; Ban Chỉ đạo Chuyển đổi số tỉnh và tổ giúp việc; các sở ban, ngành, ủy ban nhân dân các huyện, Hiệp hội các doanh nghiệp trên địa bàn tỉnh, các doanh nghiệp…
p|- Các tập thể, cá nhân đạt giải Hội thi tập huấn, đào tạo cho cán bộ Đoàn và đoàn viên thanh niên trên địa bàn tỉnh Kiên Giang trên nền tảng đào tạo chuyển đổi số mobiEdu
p|- Các tập thể, cá nhân của tổ công nghệ số công đồng có thành tích xuất sắc tiêu biểu trong công tác triển khai chuyển đổi số trên địa bàn tỉnh.
p|d) Nội dung:
p|Trình bày các giải pháp liên quan đến “Phổ cập hạ tầng số và sáng tạo ứng dụng số để phát triển kinh tế số - Động lực mới cho tăng trưởng kinh tế và năng suất lao động”
p|Tổng kết, phát thưởng Hội thi tập huấn, đào tạo cho cán bộ Đoàn và đoàn viên thanh niên trên địa bàn tỉnh Kiên Giang trên nền tảng đào tạo chuyển đổi số mobiEdu.
p|Khen thưởng các tập thể và cá nhân Tổ công nghệ số công đồng có thành tích xuất sắc tiêu biểu trong công tác triển khai chuyển đổi số trên địa bàn trên cơ sở thực hiện Kế hoạch 151/KH-UBND ngày 28/6/2022 của Ủy ban nhân dân tỉnh về việc thành lập Tổ công nghệ số cộng đồng trên địa bàn tỉnh Kiên Giang nhằm nhân rộng cách làm hay, điển hình, tạo hiệu quả nhanh, thiết thực.
p|**3.2. Phối hợp với Cục Chuyển đổi số quốc gia triển khai tập huấn, đào tạo và phát động chiến dịch ra quân “đi từng ngõ, gõ từng nhà, hướng dẫn từng người dân sử dụng dịch vụ, ứng dụng số để phát triển kinh tế số” của Tổ công nghệ số cộng đồng**
p|a) Thời gian tổ chức: Dự kiến ngày 27/9/2024.
p|b) Địa điểm: Trực tiếp tại thành phố Rạch Giá và 14 điểm cầu trực tuyến tại 14 huyện/thành phố trên địa bàn tỉnh Kiên Giang.
p|c) Thành phần tham dự: Dự kiến khoảng 1.000 đại biểu
p|- Lãnh đạo Văn phòng, Phòng Văn hóa và Thông tin  Ủy ban nhân dân thành phố Rạch Giá và các tổ công nghệ số cộng đồng trên địa bàn thành phố Rạch Giá.
p|- Lãnh đạo Phòng Văn phòng, Phòng Văn hóa và Thông tin  Ủy ban nhân dân 14 huyện/thành phố và các tổ công nghệ số cộng đồng trên địa bàn.
p|- Báo Kiên Giang, Đài Phát thanh và Truyền hình Kiên Giang, các cơ quan thông tấn báo chí trên địa bàn tỉnh.
p|d) Nội dung:
p|Tổ chức bồi dưỡng, tập huấn, phổ biến nhằm cập nhật kiến thức, kỹ năng số và an toàn thông tin mạng cho thành viên các Tổ công nghệ số cộng đồng.
p|Đánh giá hiệu quả các mô hình, cách làm hay nhằm nâng cao và nhân rộng các mô hình điển hình, sáng tạo trong hoạt động của Tổ công nghệ số cộng đồng từ đó khen thưởng đối với các tập thể, cá nhân có thành tích, có mô hình, sáng kiến, cách làm hay trong chuyển đổi số và hoạt động của Tổ CNSCĐ để tôn vinh, khen thưởng trong Lễ mít tinh hưởng ứng Ngày Chuyển đổi quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang vào ngày 04/10/2024.
p|Phát động và triển khai chiến dịch ra quân “đi từng ngõ, gõ từng nhà, hướng dẫn từng người dân sử dụng dịch vụ, ứng dụng số để phát triển kinh tế số” của Tổ công nghệ số cộng đồng trong 10 ngày (05/10/2024 - 15/10/2024).
p|**3.3. Phối hợp với Tỉnh Đoàn Kiên Giang và Mobifone chi nhánh Kiên Giang tổ chức tập huấn nâng cao kỹ năng và tổ chức hội thi về chuyển đổi số cho đoàn viên thanh niên tỉnh Kiên Giang hưởng ứng Ngày Chuyển đổi số quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang 10/10 năm 2024**
p|a) Thời gian tổ chức: Tháng 9/2024.
p|b) Thời gian tổng kết, phát thưởng: Dự kiến ngày 08/10/2024 tại Lễ mít tinh hưởng ứng Ngày Chuyển đổi quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang.
p|c) Địa điểm: tại thành phố Rạch Giá
p|d) Đối tượng tham gia: Cán bộ Đoàn là thành viên Tổ công nghệ số cộng đồng và đoàn viên thanh niên trên địa bàn tỉnh Kiên Giang.
p|e) Nội dung: Tổ chức tập huấn, đào tạo triển khai hội thi thông qua nền tảng đánh giá trực tuyến trên nền tảng đào tạo chuyển đổi số mobiEdu (với các chuyên đề về chương trình Chuyển đổi số quốc gia; phổ cập kỹ năng số cộng đồng; khung kỹ năng số cơ bản; kỹ năng an toàn số).
p|**3.4. Hội thảo hội thảo cho các doanh nghiệp vừa và nhỏ về các nền tảng số ứng dụng trong doanh nghiệp vừa và nhỏ gắn với an toàn thông tin trong chuyển đổi số**
p|a) Thời gian tổ chức: Dự kiến 02 ngày (07-08/10/2024)
p|b) Địa điểm: tại thành phố Rạch Giá.
p|c) Thành phần tham dự: Dự kiến khoảng 550 đại biểu (gồm: Các Sở (Sở Thông tin và Truyền thông, Sở Công thương, Sở Khoa học Công nghệ, Sở Kế hoạch và Đầu tư), Ban Quản lý khu kinh tế tỉnh, Hiệp hội doanh nghiệp tỉnh, các doanh nghiệp về chuyển đổi số trong và ngoài tỉnh cùng 500 các doanh nghiệp vừa và nhỏ, hộ kinh doanh, hợp tác xã trên địa bàn tỉnh Kiên Giang).
p|d) Nội dung:
p|Tổ chức triển lãm trưng bày các sản phẩm, giải pháp về chuyển đổi số, các nền tảng số gắn với an toàn thông tin cho cho cơ quan nhà nước và diễn tập thực chiến năm 2024.
p|Tổ chức triển lãm trưng bày các sản phẩm, giải pháp về chuyển đổi số, các nền tảng số gắn với an toàn thông tin cho các doanh nghiệp vừa và nhỏ (quy mô 15 gian hàng).
p|Tổ chức Hội nghị các sản phẩm, giải pháp về chuyển đổi số, các nền tảng số gắn với nhu cầu sản xuất kinh doanh, nhu cầu chuyển đổi số cho các doanh nghiệp vừa và nhỏ trên địa bàn tỉnh Kiên Giang.
p|**4. Kinh phí thực hiện:** 200.000.000 đồng (bằng chữ: Hai trăm triệu đồng).
p|Kinh phí thực hiện sử dụng từ nguồn Ngân sách được cấp cho hoạt động hưởng ứng Ngày chuyển đổi số tỉnh Kiên Giang tại Quyết định số 841/QĐ-UBND ngày 10/4/2024 của Ủy ban nhân tỉnh; vận động nguồn xã hội hóa và các nguồn hợp pháp khác, (từng nội dung công việc thực hiện có dự toán kinh phí kèm theo).
p|**5. Tổ chức thực hiện**
p|**5.1. Phòng Chuyển đổi số:**
p|Tham mưu theo dõi, hướng dẫn, đôn đốc các cơ quan, đơn vị, địa phương tổ chức triển khai thực hiện Kế hoạch triển khai tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia và Ngày Chuyển đổi số tỉnh Kiên Giang năm 2024 của tỉnh.
p|Chủ trì phối hợp Văn phòng Sở xây dựng Kế hoạch tổ chức hoạt động hưởng ứng Ngày chuyển đổi số tỉnh Kiên Giang (Lễ mít tinh hưởng ứng Ngày Chuyển đổi quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang), dự kiến ngày 08/10/2024.
p|Phối hợp với Cục Chuyển đổi số quốc gia và Ủy ban nhân dân thành phố Rạch Giá triển khai tập huấn, đào tạo cho tổ công nghệ số cộng đồng trên địa bàn thành phố Rạch Giá, dự kiến ngày 27/9/2024.
p|Chủ trì phối hợp với Tỉnh Đoàn Kiên Giang xây dựng Kế hoạch tổ chức tập huấn nâng cao kỹ năng chuyển đổi số cho đoàn viên thanh niên tỉnh Kiên Giang hưởng ứng Ngày Chuyển đổi số quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang 10/10 năm 2024, dự kiến thực hiện trong tháng 9/2024.
p|Chủ trì phối hợp Văn phòng Sở xây dựng Kế hoạch tổ chức về đảm bảo an toàn thông tin mạng và diễn tập thực chiến năm 2024 kết hợp hội thảo cho các doanh nghiệp vừa và nhỏ về các nền tảng số ứng dụng trong doanh nghiệp vừa và nhỏ gắn với an toàn thông tin trong chuyển đổi số, dự kiến thực hiện 02 ngày (từ ngày 07-08/10/2024).
p|**5.2. Phòng Thông tin, báo chí và xuất bản:**
p|Chủ trì phối hợp với Ban Tuyên giáo Tỉnh ủy hướng dẫn công tác thông tin, tuyên truyền về Ngày Chuyển đổi số năm 2024 trên địa bàn tỉnh.
p|Thực hiện tuyên truyền trên Cổng thông tin điện tử của tỉnh, cổng thông tin chuyển đổi số tỉnh, cổng thông tin hỗ trợ doanh nghiệp tỉnh,…
p|Hướng dẫn các cơ quan báo chí, phát thanh, truyền hình trên địa bàn tỉnh; các Sở, Ban, ngành có Bản tin chuyên ngành, Trang/Cổng thông tin điện tử đẩy mạnh tuyên truyền rộng rãi trên các phương tiện thông tin đại chúng về Ngày Chuyển đổi số quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang đảm bảo thường xuyên, liên tục và đạt hiệu quả cao.
p|Chỉ đạo, tổ chức treo băng rôn, pano, phướn tuyên truyền, hưởng ứng Ngày Chuyển đổi số quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang tại các tuyến đường chính trên địa bàn tỉnh và địa phương trên địa bàn huyện, thành phố.
p|**5.3. Văn phòng**
p|Thực hiện treo băng rol tại Sở với thông điệp chủ đề của Ngày Chuyển đổi số quốc gia năm 2024 - là “Phổ cập hạ tầng số và sáng tạo ứng dụng số để phát triển kinh tế số - Động lực mới cho tăng trưởng kinh tế và năng suất lao động”, từ ngày 15/9 đến hết tháng 10/2024.
p|Chủ trì hướng dẫn thủ tục khen thưởng các tập thể và cá nhân Tổ công nghệ số công đồng có thành tích xuất sắc tiêu biểu trong công tác triển khai chuyển đổi số trên địa bàn tỉnh đến ủy ban nhân dân các huyện/thành phố đúng quy định.
p|Phối hợp với Phòng Chuyển đổi số xây dựng Kế hoạch tổ chức hoạt động hưởng ứng Ngày chuyển đổi số tỉnh Kiên Giang (Lễ mít tinh hưởng ứng Ngày Chuyển đổi quốc gia, Ngày Chuyển đổi số tỉnh Kiên Giang), dự kiến ngày 08/10/2024.
p|Phối hợp với Phòng Chuyển đổi số xây dựng Kế hoạch tổ chức về đảm bảo an toàn thông tin mạng và diễn tập thực chiến năm 2024 kết hợp hội thảo cho các doanh nghiệp vừa và nhỏ về các nền tảng số ứng dụng trong doanh nghiệp vừa và nhỏ gắn với an toàn thông tin trong chuyển đổi số, dự kiến thực hiện 02 ngày (từ ngày 07-08/10/2024).
p|Chủ trì, phối hợp với Phòng Chuyển đổi số trong công tác tổ chức các hội nghị, hội thảo (phát hành giấy mời, đón tiếp đại biểu, in ấn tài liệu, hậu cần, khánh tiết).
p|Phối hợp với Phòng Chuyển đổi số thực hiện thanh quyết toán theo quy định, hướng dẫn thực hiện các khoản chi đúng theo quy định của pháp luật.
p|Trên đây là Kế hoạch tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia và Ngày Chuyển đổi số tỉnh Kiên Giang năm 2024 của Sở Thông tin và Truyền thông đề nghị các phòng, trung tâm thuộc Sở phối hợp thực hiện đảm bảo hiệu quả, thiết thực./.
"""

KIENGIANG = Plan(
    name="kiengiang-stttt-2024",
    author="Sở Thông tin và Truyền thông tỉnh Kiên Giang",
    # The export kept "UBND TỈNH KIÊN GIANG" but not the Sở's own line, and the motto but not the national name.
    header=[([("UBND TỈNH KIÊN GIANG", "")], []),
            ([], [("Độc lập – Tự do – Hạnh phúc", "B")]),
            ([("Số:         /KH-STTTT", "")], [("Kiên Giang, ngày    tháng    năm 2024", "I")])],
    title=["Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia",
           "và Ngày chuyển đổi số tỉnh Kiên Giang năm 2024"],
    pdf_title=["Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số",
               "quốc gia và Ngày chuyển đổi số tỉnh Kiên Giang năm 2024"],
    body=KG_BODY,
    tables={},
    recipients=["- Ban Giám đốc Sở;", "- Các phòng, Trung tâm thuộc Sở;", "- Lưu: VT, CĐS (ptthong)."],
    signer=["GIÁM ĐỐC"],
    name_line="Võ Minh Trung",
)

PLANS = [KIENTUONG, KIENGIANG]


# =============================================================================== shared parsing

@dataclass
class Item:
    kind: str                 # p, h2, h3, h4, c, t, pb
    text: str = ""
    auto: str = ""            # "", "#" (main list) or "#A" (appendix list)


def items_of(source: str) -> list[Item]:
    out = []
    for line in source.splitlines():
        if not line.strip():
            continue
        style, _, text = line.partition("|")
        m = re.fullmatch(r"(p|h2|h3|h4|c|t|pb)(#A?)?", style)
        if not m:
            raise ValueError(f"bad content line: {line[:60]}")
        out.append(Item(m.group(1), text.replace("\\n", "\n"), m.group(2) or ""))
    return out


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    link: str = ""


def runs_of(text: str, bold: bool = False) -> list[Run]:
    """'**b** *i* <url>' to runs; the markers toggle, as in the Markdown export."""
    runs: list[Run] = []
    b, i = bold, False
    for token in re.split(r"(\*\*|\*|<https?://[^>]+>)", text):
        if token == "**":
            b = not b
        elif token == "*":
            i = not i
        elif token.startswith("<http"):
            runs.append(Run(token[1:-1], b, i, token[1:-1]))
        elif token:
            runs.append(Run(token, b, i))
    return runs


def plain(text: str) -> str:
    return "".join(r.text for r in runs_of(text))


AUTO_LABEL = re.compile(r"^(\*\*)?([IVX]+|\d+)\.\s+")


def split_auto_label(text: str) -> tuple[int, str]:
    """(numbering level, text without its typed label): 'I.' is level 0, '1.' level 1."""
    m = AUTO_LABEL.match(text)
    if not m:
        raise ValueError(f"no label to number: {text[:40]}")
    level = 1 if m.group(2).isdigit() else 0
    return level, (m.group(1) or "") + text[m.end():]


# =============================================================================== DOCX

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f'xmlns:w="{W_NS}"'
FONT = "Times New Roman"
TEXT_WIDTH_MM = 165  # A4 210 mm less 30 + 15 mm margins

# Sections: "I." then "1." (a suffix space, as VN plans print them); the STT column: "1".
NUMBERING_XML = [
    f"""<w:abstractNum {W} w:abstractNumId="80">
  <w:nsid w:val="5A3C1E80"/><w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:suff w:val="space"/>
    <w:lvlText w:val="%1."/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="0" w:firstLine="720"/></w:pPr></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:suff w:val="space"/>
    <w:lvlText w:val="%2."/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="0" w:firstLine="720"/></w:pPr></w:lvl>
</w:abstractNum>""",
    f"""<w:abstractNum {W} w:abstractNumId="81">
  <w:nsid w:val="5A3C1E81"/><w:multiLevelType w:val="singleLevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:suff w:val="nothing"/>
    <w:lvlText w:val="%1"/><w:lvlJc w:val="center"/><w:pPr><w:ind w:left="0" w:firstLine="0"/></w:pPr></w:lvl>
</w:abstractNum>""",
]
BODY_NUM, APPENDIX_NUM, FIRST_TABLE_NUM = 80, 81, 82


class _DocxNumbering:
    """The numbering part: the sections' list, the appendix's restarted list, one restarted STT list per run of rows."""

    def __init__(self, document) -> None:
        from docx.oxml import parse_xml

        self.root = document.part.numbering_part.element
        first_num = self.root.find(f"{{{W_NS}}}num")
        for xml in NUMBERING_XML:
            el = parse_xml(xml)
            if first_num is not None:
                first_num.addprevious(el)  # every abstractNum before the first num
            else:
                self.root.append(el)
        self.root.append(parse_xml(f'<w:num {W} w:numId="{BODY_NUM}"><w:abstractNumId w:val="80"/></w:num>'))
        self._restart(APPENDIX_NUM, 80, 1)
        self.next_id = FIRST_TABLE_NUM

    def _restart(self, num_id: int, abstract: int, ilvl: int) -> None:
        from docx.oxml import parse_xml

        self.root.append(parse_xml(
            f'<w:num {W} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
            f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))

    def new_stt_list(self) -> int:
        """What Word writes for 'Restart numbering at 1' in a table's STT column."""
        num_id = self.next_id
        self.next_id += 1
        self._restart(num_id, 81, 0)
        return num_id


def _set_num(paragraph, num_id: int, ilvl: int) -> None:
    from docx.oxml import parse_xml

    ppr = paragraph._p.get_or_add_pPr()
    numpr = parse_xml(f'<w:numPr {W}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
    style = ppr.find(f"{{{W_NS}}}pStyle")
    if style is not None:
        style.addnext(numpr)  # schema order: pStyle, keepNext…, numPr
    else:
        ppr.insert(0, numpr)


def _fonts(rpr_parent) -> None:
    """Times New Roman for every script (Vietnamese needs cs/eastAsia too), themes removed."""
    from docx.oxml.ns import qn

    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):
            del fonts.attrib[attr]
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)


def _new_document(plan: Plan):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Mm, Pt, RGBColor

    d = docx.Document()
    section = d.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    normal = d.styles["Normal"]
    normal.font.size = Pt(13)
    _fonts(normal.element)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    for level in (2, 3, 4):  # the export's ##/###/####: Word headings, restyled as the plan's bold body text
        style = d.styles[f"Heading {level}"]
        style.font.size = Pt(13)
        style.font.bold, style.font.italic = True, False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element)
        pf = style.paragraph_format
        pf.space_before, pf.space_after = Pt(6), Pt(0)
        pf.first_line_indent = Mm(12.7)
        pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # Page numbers: top centre, not on the first page (a PAGE field in the header).
    section.different_first_page_header_footer = True
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head._p.append(parse_xml(f'<w:fldSimple {W} w:instr=" PAGE "><w:r><w:t>2</w:t></w:r></w:fldSimple>'))
    props = d.core_properties
    props.author = props.last_modified_by = plan.author
    props.title = "Kế hoạch " + " ".join(plan.title)
    props.created = props.modified = STAMP.replace(tzinfo=None)
    props.revision = 1
    return d


def _add_runs(paragraph, text: str, size: float | None = None, bold: bool = False) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.shared import Pt

    for run in runs_of(text, bold):
        if run.link:
            r_id = paragraph.part.relate_to(run.link, RT.HYPERLINK, is_external=True)
            rpr = "<w:rPr><w:rStyle w:val=\"Hyperlink\"/>" + ("<w:i/>" if run.italic else "") + "</w:rPr>"
            paragraph._p.append(parse_xml(
                f'<w:hyperlink {W} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                f'r:id="{r_id}"><w:r>{rpr}<w:t>{run.text}</w:t></w:r></w:hyperlink>'))
            continue
        r = paragraph.add_run(run.text)
        r.bold = run.bold or None
        r.italic = run.italic or None
        if size:
            r.font.size = Pt(size)


def _body_paragraph(d, item: Item, plan: Plan, numbering: _DocxNumbering | None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Mm, Pt

    text = item.text
    level = None
    if numbering is not None and item.auto:
        level, text = split_auto_label(text)
    style = f"Heading {item.kind[1]}" if item.kind.startswith("h") and plan.heading_styles else None
    p = d.add_paragraph(style=style)
    pf = p.paragraph_format
    if item.kind == "c":
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf.space_before = Pt(0)
        for k, line in enumerate(text.split("\n")):
            if k:
                p.runs[-1].add_break()
            _add_runs(p, line)
    else:
        if style is None:
            pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            pf.first_line_indent = Mm(12.7)
            pf.space_before = Pt(6)
        _add_runs(p, text, bold=item.kind.startswith("h") and not plan.heading_styles)
    if level is not None:
        _set_num(p, APPENDIX_NUM if item.auto == "#A" else BODY_NUM, level)
        if all(r.bold for r in runs_of(text) if r.text.strip()):
            p._p.get_or_add_pPr().append(parse_xml(f"<w:rPr {W}><w:b/></w:rPr>"))  # the number prints bold too
    return p


def _cell_text(cell, text: str, align: str, bold: bool, size: float = 12) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = cell.paragraphs[0]
    p.alignment = {"L": WD_ALIGN_PARAGRAPH.LEFT, "C": WD_ALIGN_PARAGRAPH.CENTER,
                   "R": WD_ALIGN_PARAGRAPH.RIGHT, "J": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    if text:
        _add_runs(p, text, size=size, bold=bold)


def _docx_table(d, table: Table, numbering: _DocxNumbering | None) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Mm

    ncols = len(table.head)
    scale = TEXT_WIDTH_MM / sum(table.widths)
    t = d.add_table(rows=0, cols=ncols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Mm(w * scale) for w in table.widths]
    for col, width in zip(t.columns, widths):
        col.width = width
    head = t.add_row()
    head._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {W}/>"))  # repeated on every page
    for c, text in enumerate(table.head):
        _cell_text(head.cells[c], text, "C", True)
    stt_list = None
    for row in table.rows:
        cells = t.add_row().cells
        for c, width in enumerate(widths):
            cells[c].width = width
        col = 0
        for k, spec in enumerate(row.cells):
            text, span = spec if isinstance(spec, tuple) else (spec, 1)
            cell = cells[col].merge(cells[col + span - 1]) if span > 1 else cells[col]
            align = "L" if span == ncols else ("C" if span > 1 else table.align[col])
            if k == 0 and numbering is not None and text.isdigit():
                if stt_list is None or text == "1":
                    stt_list = numbering.new_stt_list()
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                _set_num(cell.paragraphs[0], stt_list, 0)  # Word prints the number: the cell has no text
            else:
                _cell_text(cell, text, align, row.bold)
            col += span


def _borderless(table) -> None:
    from docx.oxml import parse_xml

    borders = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    element = parse_xml(f"<w:tblBorders {W}>{borders}</w:tblBorders>")
    tblpr = table._tbl.tblPr
    later = [el for el in tblpr if el.tag.split("}")[1] in ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption")]
    if later:
        later[0].addprevious(element)  # schema order: tblBorders before shd, tblLayout, tblCellMar, tblLook
    else:
        tblpr.append(element)


def _layout_table(d, rows: list[tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]],
                  widths: tuple[float, float], aligns: tuple[str, str]):
    """A borderless grid for the header and the signature: rows of (left lines, right lines)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    t = d.add_table(rows=len(rows), cols=2)
    _borderless(t)
    t.autofit = False
    for col, width in zip(t.columns, widths):
        col.width = Mm(width)
    for r, (left, right) in enumerate(rows):
        for c, lines in enumerate((left, right)):
            cell = t.cell(r, c)
            cell.width = Mm(widths[c])
            for k, (text, style, size) in enumerate(lines):
                p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER if aligns[c] == "C" else WD_ALIGN_PARAGRAPH.LEFT
                if text:
                    run = p.add_run(text)
                    run.bold = "B" in style or None
                    run.italic = "I" in style or None
                    run.font.size = Pt(size)
    return t


def build_docx(plan: Plan, path: Path, autonum: bool = False) -> Path:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    d = _new_document(plan)
    numbering = _DocxNumbering(d) if autonum else None
    header_rows = [([(t, s, 13) for t, s in left], [(t, s, 13 if "B" not in s else 14) for t, s in right])
                   for left, right in plan.header]
    _layout_table(d, header_rows, (63, 102), ("C", "C"))

    kind = d.add_paragraph()
    kind.alignment = WD_ALIGN_PARAGRAPH.CENTER
    kind.paragraph_format.space_before = Pt(18)
    run = kind.add_run("KẾ HOẠCH")
    run.bold, run.font.size = True, Pt(14)
    title = d.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for k, line in enumerate(plan.title):
        run = title.add_run(line if plan.title_break or k == 0 else " " + line)
        run.bold, run.font.size = True, Pt(14)
        if plan.title_break and k < len(plan.title) - 1:
            run.add_break()
    title.paragraph_format.space_after = Pt(12)

    def flow(items: list[Item]) -> None:
        page_break = False
        for item in items:
            if item.kind == "pb":
                page_break = True
                continue
            if item.kind == "t":
                _docx_table(d, plan.tables[item.text], numbering)
                continue
            p = _body_paragraph(d, item, plan, numbering)
            if page_break:
                p.paragraph_format.page_break_before = True
                page_break = False

    flow(items_of(plan.body))
    d.add_paragraph().paragraph_format.space_before = Pt(0)  # the blank line above the signature
    left = [("Nơi nhận:", "BI", 12)] + [(r, "", 11) for r in plan.recipients]
    right = [(s, "B", 13) for s in plan.signer] + [("", "", 13)] * 4 + [(plan.name_line, "B", 13)]
    _layout_table(d, [(left, right)], (80, 85), ("L", "C"))
    flow(items_of(plan.appendix))

    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(_stable_zip(buf.getvalue()))
    return path


def _stable_zip(data: bytes) -> bytes:
    """The same package with fixed member timestamps, so a rebuild gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 9, 20, 8, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# =============================================================================== PDF

BODY_PT = 13
TABLE_PT = 12
LEFT, RIGHT, TOP, BOTTOM = 30, 15, 20, 20   # mm
INDENT = 12.7                               # mm, first line
PARA_GAP = 6 * 25.4 / 72                    # 6 pt between paragraphs, in mm
LINE = 1.12                                 # line height, in font sizes (about Word's "single")


def _pdf_class():
    from fpdf import FPDF

    class PlanPDF(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:  # Decree 30: the page number at the top centre, from page 2
                self.set_font("Serif", "", BODY_PT)
                self.set_xy(LEFT, 10)
                self.cell(210 - LEFT - RIGHT, 5, str(self.page_no()), align="C")
                self.set_xy(LEFT, TOP)

    return PlanPDF


def _new_pdf(plan: Plan):
    pdf = _pdf_class()(format="A4", unit="mm")
    for style, name in SERIF.items():
        pdf.add_font("Serif", style, str(FONT_DIR / name))
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.set_creation_date(STAMP)
    pdf.set_title("Kế hoạch " + " ".join(plan.title))
    pdf.set_author(plan.author)
    pdf.set_creator("tests/data/samples/make_sample_formats.py")
    return pdf


def _pdf_header(pdf, plan: Plan) -> None:
    """The header grid: issuer and number centred on the left, motto and place/date on the right."""
    columns = ((20, 72), (92, 106))  # (x, width) in mm; the header reaches into the left margin, as typed
    y = TOP - 5
    for left, right in plan.header:
        for (x, width), lines in zip(columns, (left, right)):
            yy = y
            for text, style in lines:
                size = 14 if "B" in style and x > 50 else BODY_PT
                pdf.set_font("Serif", style, size)
                pdf.set_xy(x, yy)
                pdf.cell(width, 6.5, text, align="C")
                if "B" in style and x > 50:  # the motto is underlined by a short rule
                    w = pdf.get_string_width(text)
                    pdf.line(x + (width - w) / 2, yy + 6.6, x + (width + w) / 2, yy + 6.6)
                yy += 6.5
        y += 6.5 * max(len(left), len(right), 1)
    pdf.set_xy(LEFT, y + 8)
    pdf.set_font("Serif", "B", 14)
    pdf.cell(0, 7, "KẾ HOẠCH", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "B", BODY_PT)
    for line in plan.pdf_title:
        pdf.cell(0, 6.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    mid = LEFT + (210 - LEFT - RIGHT) / 2
    pdf.line(mid - 20, pdf.get_y() + 1.5, mid + 20, pdf.get_y() + 1.5)
    pdf.set_y(pdf.get_y() + 6)


def _pdf_paragraphs(pdf, items: list[Item]) -> None:
    with pdf.text_columns(text_align="J", line_height=LINE) as cols:
        for item in items:
            bold = item.kind.startswith("h")
            with cols.paragraph(first_line_indent=INDENT, top_margin=PARA_GAP) as par:
                for run in runs_of(item.text, bold):
                    pdf.set_font("Serif", ("B" if run.bold else "") + ("I" if run.italic else ""), BODY_PT)
                    par.write(run.text, link=run.link or None)


def _pdf_centred(pdf, item: Item) -> None:
    for line in item.text.split("\n"):
        runs = runs_of(line)
        style = ("B" if runs[0].bold else "") + ("I" if runs[0].italic else "")
        pdf.set_font("Serif", style, BODY_PT)
        pdf.multi_cell(0, 6.5, plain(line), align="C", new_x="LMARGIN", new_y="NEXT")


def _pdf_table(pdf, table: Table) -> None:
    from fpdf.fonts import FontFace

    bold = FontFace(emphasis="BOLD")
    pdf.set_font("Serif", "", TABLE_PT)
    pdf.ln(2)
    with pdf.table(col_widths=table.widths, width=TEXT_WIDTH_MM, line_height=5.6, padding=(1, 1.2),
                   text_align=tuple({"L": "LEFT", "C": "CENTER", "R": "RIGHT"}[a] for a in table.align),
                   v_align="MIDDLE", first_row_as_headings=True, headings_style=bold, repeat_headings=1) as grid:
        head = grid.row()
        for text in table.head:
            head.cell(text, align="CENTER")
        ncols = len(table.head)
        for row in table.rows:
            cells = grid.row()
            for spec in row.cells:
                text, span = spec if isinstance(spec, tuple) else (spec, 1)
                align = "LEFT" if span == ncols else ("CENTER" if span > 1 else None)
                cells.cell(text, colspan=span, align=align, style=bold if row.bold else None)
    pdf.ln(2)


def _is_heading(item: Item) -> bool:
    return item.kind.startswith("h") or (
        item.kind == "p" and len(item.text) < 300 and all(r.bold for r in runs_of(item.text) if r.text.strip()))


def _rows_height(pdf, table: Table, n: int) -> float:
    """Height of a table's first n rows (heading included) as fpdf2 will draw them."""
    total = 0.0
    for k, row in enumerate([Row(table.head, True)] + table.rows[: n - 1]):
        pdf.set_font("Serif", "B" if row.bold else "", TABLE_PT)
        col, tallest = 0, 1
        for spec in row.cells:
            text, span = spec if isinstance(spec, tuple) else (spec, 1)
            width = TEXT_WIDTH_MM * sum(table.widths[col:col + span]) / sum(table.widths) - 2.4
            tallest = max(tallest, len(pdf.multi_cell(width, 5.6, text or " ", dry_run=True, output="LINES")))
            col += span
        total += tallest * 5.6 + 2
    return total


def _pdf_flow(pdf, plan: Plan, items: list[Item]) -> None:
    """Paragraph runs, centred lines, tables; a heading is kept with what follows it, as Word's
    'keep with next' does for heading styles."""
    run: list[Item] = []
    line_mm = BODY_PT * LINE * 25.4 / 72

    def flush() -> None:
        if run:
            _pdf_paragraphs(pdf, run)
            run.clear()

    for k, item in enumerate(items):
        if item.kind in ("p", "h2", "h3", "h4"):
            nxt = items[k + 1] if k + 1 < len(items) else None
            if _is_heading(item) and nxt is not None and nxt.kind in ("p", "t"):
                flush()
                pdf.set_font("Serif", "B", BODY_PT)
                lines = len(pdf.multi_cell(TEXT_WIDTH_MM - INDENT, line_mm, plain(item.text), dry_run=True,
                                           output="LINES"))
                follow = _rows_height(pdf, plan.tables[nxt.text], 2) + 4 if nxt.kind == "t" else 2 * line_mm
                need = PARA_GAP + lines * line_mm + follow
                if pdf.get_y() + need > pdf.h - BOTTOM:
                    pdf.add_page()
            run.append(item)
            continue
        flush()
        if item.kind == "pb":
            pdf.add_page()
        elif item.kind == "c":
            _pdf_centred(pdf, item)
        elif item.kind == "t":
            _pdf_table(pdf, plan.tables[item.text])
    flush()


def _signature_height(plan: Plan) -> float:
    return max(5 * (len(plan.recipients) + 1), 6.5 * len(plan.signer) + 32.5) + 6


def _pdf_signature(pdf, plan: Plan) -> None:
    """'Nơi nhận' and its list on the left, the signature block on the right, side by side."""
    left = [("Nơi nhận:", "BI", 12)] + [(r, "", 11) for r in plan.recipients]
    right_top = [(s, "B", BODY_PT) for s in plan.signer]
    height = _signature_height(plan)
    if pdf.get_y() + height > pdf.h - BOTTOM:
        pdf.add_page()
    y = pdf.get_y() + 6
    for k, (text, style, size) in enumerate(left):
        pdf.set_font("Serif", style, size)
        pdf.set_xy(LEFT, y + 5 * k + (0.8 if k else 0))
        pdf.cell(80, 5, text)
    for k, (text, style, size) in enumerate(right_top):
        pdf.set_font("Serif", style, size)
        pdf.set_xy(110, y + 6.5 * k)
        pdf.cell(85, 6.5, text, align="C")
    pdf.set_font("Serif", "B", BODY_PT)
    pdf.set_xy(110, y + 6.5 * len(right_top) + 26)
    pdf.cell(85, 6.5, plan.name_line, align="C")
    pdf.set_xy(LEFT, y + height)


def build_pdf(plan: Plan, path: Path) -> Path:
    pdf = _new_pdf(plan)
    pdf.add_page()
    _pdf_header(pdf, plan)
    body = items_of(plan.body)
    _pdf_flow(pdf, plan, body[:-1])
    # The closing paragraph ("Trên đây là …") goes over with the signature rather than leave it alone.
    pdf.set_font("Serif", "", BODY_PT)
    line_mm = BODY_PT * LINE * 25.4 / 72
    lines = len(pdf.multi_cell(TEXT_WIDTH_MM, line_mm, plain(body[-1].text), dry_run=True, output="LINES"))
    if pdf.get_y() + PARA_GAP + lines * line_mm + _signature_height(plan) > pdf.h - BOTTOM:
        pdf.add_page()
    _pdf_flow(pdf, plan, body[-1:])
    _pdf_signature(pdf, plan)
    _pdf_flow(pdf, plan, items_of(plan.appendix))
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


# =============================================================================== main

OUTPUTS = {  # original in data/raw → the files re-created from it
    "kientuong-ubnd-2024.md": ["kientuong-ubnd-2024.docx", "kientuong-ubnd-2024-autonum.docx", "kientuong-ubnd-2024.pdf"],
    "kiengiang-stttt-2024.txt": ["kiengiang-stttt-2024.docx", "kiengiang-stttt-2024.pdf"],
}


def build_all(folder: Path = HERE) -> list[Path]:
    out = []
    for plan in PLANS:
        out.append(build_docx(plan, folder / f"{plan.name}.docx"))
        if plan is KIENTUONG:
            out.append(build_docx(plan, folder / f"{plan.name}-autonum.docx", autonum=True))
        out.append(build_pdf(plan, folder / f"{plan.name}.pdf"))
    return out


def differences(folder: Path = HERE) -> dict[str, list[str]]:
    """Every field in which a re-created file's extraction differs from its original's (doc_id and paths aside)."""
    import dataclasses

    sys.path.insert(0, str(HERE.parents[2]))
    from pipeline.run import extract_file

    raw = HERE.parents[2] / "data" / "raw"
    keys = {"legal_bases": ("seq",), "sections": ("section_id",), "budget_tables": ("table_id",),
            "budget_lines": ("table_id", "row"), "attendance": ("section_id", "source", "table_id", "row", "count"),
            "flags": ("check", "table_id", "row", "section_id", "expected", "found"),
            "errors": ("stage", "error_type", "message")}

    def records(ex) -> dict[str, dict]:
        skip = {"doc_id", "source_path", "source_format"}
        out = {"document": {(): {k: v for k, v in dataclasses.asdict(ex.document).items() if k not in skip}}}
        for name, key in keys.items():
            rows = [{k: v for k, v in dataclasses.asdict(r).items() if k not in skip} for r in getattr(ex, name)]
            out[name] = {tuple(r[k] for k in key): r for r in rows}
        return out

    report: dict[str, list[str]] = {}
    for original, made in OUTPUTS.items():
        want = records(extract_file(raw / original, raw))
        for name in made:
            got, lines = records(extract_file(folder / name, folder)), []
            for table, rows in want.items():
                for key in sorted(rows.keys() - got[table].keys(), key=str):
                    lines.append(f"{table} {key}: missing")
                for key in sorted(got[table].keys() - rows.keys(), key=str):
                    lines.append(f"{table} {key}: extra")
                for key in [k for k in rows if k in got[table]]:
                    for name_, value in rows[key].items():
                        if got[table][key][name_] != value:
                            lines.append(f"{table} {key} {name_}: {value!r} → {got[table][key][name_]!r}")
            report[name] = lines
    return report


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--check"]
    target = Path(args[0]) if args else HERE
    for p in build_all(target):
        print(p)
    if "--check" in sys.argv:
        for name, lines in differences(target).items():
            print(f"\n{name}: {len(lines)} difference(s) from the original's extraction")
            for line in lines:
                print("  " + line)
