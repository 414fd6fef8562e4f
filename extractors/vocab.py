"""Vietnamese administrative vocabulary the extractors lean on."""
from __future__ import annotations

import unicodedata

# Issuer codes used after the type code in a symbol (KH-STTTT). Longest codes are tried first.
AGENCY_CODES = {
    "STTTT": "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    "SGDĐT": "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    "SGD&ĐT": "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    "SYT": "SỞ Y TẾ",
    "STC": "SỞ TÀI CHÍNH",
    "SKHĐT": "SỞ KẾ HOẠCH VÀ ĐẦU TƯ",
    "SVHTTDL": "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
    "SVHTT": "SỞ VĂN HÓA VÀ THỂ THAO",
    "SNNPTNT": "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
    "SNN&PTNT": "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
    "SNNMT": "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
    "STNMT": "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "SXD": "SỞ XÂY DỰNG",
    "SGTVT": "SỞ GIAO THÔNG VẬN TẢI",
    "SCT": "SỞ CÔNG THƯƠNG",
    "SLĐTBXH": "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
    "SNV": "SỞ NỘI VỤ",
    "STP": "SỞ TƯ PHÁP",
    "SKHCN": "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    "SDL": "SỞ DU LỊCH",
    "SNgV": "SỞ NGOẠI VỤ",
    "SDTTG": "SỞ DÂN TỘC VÀ TÔN GIÁO",
    "BDT": "BAN DÂN TỘC",
    "UBND": "ỦY BAN NHÂN DÂN",
    "HĐND": "HỘI ĐỒNG NHÂN DÂN",
    "BCĐ": "BAN CHỈ ĐẠO",
    "VP": "VĂN PHÒNG",
    "VPUBND": "VĂN PHÒNG ỦY BAN NHÂN DÂN",
    "TTr": "THANH TRA",
    "CAT": "CÔNG AN TỈNH",
    "PGDĐT": "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
    "PVHTT": "PHÒNG VĂN HÓA VÀ THÔNG TIN",
    "PVHXH": "PHÒNG VĂN HÓA - XÃ HỘI",
    "PTCKH": "PHÒNG TÀI CHÍNH - KẾ HOẠCH",
    "PNV": "PHÒNG NỘI VỤ",
    "PYT": "PHÒNG Y TẾ",
    "PTNMT": "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "PKT": "PHÒNG KINH TẾ",
    "PNNPTNT": "PHÒNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
    "PLĐTBXH": "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
    "PTP": "PHÒNG TƯ PHÁP",
    "TTVHTT": "TRUNG TÂM VĂN HÓA - THÔNG TIN",
    "ĐTN": "ĐOÀN THANH NIÊN",
    "TĐTN": "TỈNH ĐOÀN",
}

# Administrative levels that follow "Ủy ban nhân dân" in a unit's name.
ADMIN_LEVELS = ["thành phố", "thị xã", "thị trấn", "tỉnh", "huyện", "quận", "xã", "phường", "đặc khu"]

# Words that head the name of a body (for splitting lists of agencies).
AGENCY_HEADS = [
    "Phòng", "Sở", "Ban", "Ủy ban", "UBND", "Trung tâm", "Trung Tâm", "Văn phòng", "Công an", "Bộ", "Cục",
    "Chi cục", "Hội", "Đoàn", "Tỉnh đoàn", "Thị đoàn", "Huyện đoàn", "Liên đoàn", "Đài", "Báo", "Bệnh viện",
    "Trường", "Ngân hàng", "Chi nhánh", "Viettel", "VNPT", "Mobifone", "MobiFone", "Bưu điện", "Hội đồng",
    "HĐND", "Thanh tra", "Kho bạc", "Chi cục", "Đội", "Ban Chỉ đạo", "Ban Quản lý", "Mặt trận", "Các",
    "Cơ quan", "Đơn vị", "Tổ", "Công ty", "Quỹ", "Viện", "Tòa án", "Viện kiểm sát", "Lực lượng",
]

# Units that make a number a head count (their diacritic-free forms are added where matched, for OCR).
PERSON_UNITS = [
    "đại biểu", "người", "học viên", "học sinh", "sinh viên", "cán bộ", "thành viên", "vận động viên",
    "khách mời", "công chức", "viên chức", "đoàn viên", "hội viên", "giáo viên", "diễn giả", "báo cáo viên",
    "tình nguyện viên", "em", "cháu", "lượt người", "người dân", "tuyên truyền viên", "chiến sĩ",
]


# The common Vietnamese surnames, to repair one OCR misread in a signer's name (header.fix_surname).
SURNAMES = frozenset("""Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Đào Mai
Lương Tạ Hà Lâm Cao Chu Quách Trương Vương Tô Đoàn Doãn Đàm Kiều Khúc Lục Mạc Nông Thái Triệu Ninh Giáp La
Lại Lưu Hứa Kim Tăng Quan Thân Tống Từ Ông Khổng Âu Diệp Hàn Hầu Lò Lữ Mã Nghiêm Phùng Sầm Thạch
Tiêu Trà Vi Châu Đồng""".split())
SURNAMES_BY_FOLD: dict[str, list[str]] = {}
for _name in sorted(SURNAMES):
    SURNAMES_BY_FOLD.setdefault(unicodedata.normalize("NFD", _name.replace("Đ", "D")).encode("ascii", "ignore")
                                .decode().lower(), []).append(_name)
