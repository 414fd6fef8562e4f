"""TCVN3 and VNI to Unicode on strings as legacy fonts store them."""
from __future__ import annotations

import pytest

from pipeline.loaders.legacy_fonts import (
    font_encoding,
    guess_encoding,
    syllable_validity,
    tcvn3_to_unicode,
    vni_to_unicode,
)

TCVN3 = [
    ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
    ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
    ("KÕ ho¹ch", "Kế hoạch"),
    ("Uû ban nh©n d©n tØnh Kiªn Giang", "Uỷ ban nhân dân tỉnh Kiên Giang"),
    ("Tr\u00adêng ng\u00adêi h\u00adíng dÉn", "Trường người hướng dẫn"),
    ("Kh¼ng ®Þnh b»ng ch÷ ch½n, mÆt tèt, kü thuËt", "Khẳng định bằng chữ chẵn, mặt tốt, kỹ thuật"),
    ("Tæng kinh phÝ: 46.670.000 ®ång", "Tổng kinh phí: 46.670.000 đồng"),
    ("Thùc hiÖn QuyÕt ®Þnh sè 2426/Q§-UBND", "Thực hiện Quyết định số 2426/QĐ-UBND"),
]

VNI = [
    ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
    ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("Keá hoaïch", "Kế hoạch"),
    ("tröôøng ngöôøi höôùng daãn", "trường người hướng dẫn"),
    ("khaúng ñònh baèng chöõ chaün, maët toát, kyõ thuaät", "khẳng định bằng chữ chẵn, mặt tốt, kỹ thuật"),
    ("Tænh Kieân Giang, thaønh phoá Raïch Giaù", "Tỉnh Kiên Giang, thành phố Rạch Giá"),
    ("kyø hoïp, tyû leä, Myõ, beänh vieän, kòp", "kỳ họp, tỷ lệ, Mỹ, bệnh viện, kịp"),
    ("quî", "quỵ"),
]


@pytest.mark.parametrize("legacy, unicode", TCVN3)
def test_tcvn3(legacy, unicode):
    assert tcvn3_to_unicode(legacy) == unicode


def test_tcvn3_upper_case_fonts():
    assert tcvn3_to_unicode("céng hßa x· héi chñ nghÜa viÖt nam", upper=True) == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def test_tcvn3_capitals_block():
    # 0x80-0x9F hold capitals with tones; PDFs decode them through cp1252
    assert tcvn3_to_unicode("\x83nh") == "Ánh"
    assert tcvn3_to_unicode("ƒnh") == "Ánh"
    assert tcvn3_to_unicode("\xa7\xa2") == "ĐÂ"


@pytest.mark.parametrize("legacy, unicode", VNI)
def test_vni(legacy, unicode):
    assert vni_to_unicode(legacy) == unicode


def test_ascii_is_unchanged():
    text = "UBND 2024/KH-STTTT (10/10) - a) b) c)"
    assert tcvn3_to_unicode(text) == text and vni_to_unicode(text) == text


@pytest.mark.parametrize("font, encoding", [
    ("ABCDEF+.VnTime", "tcvn3"),
    (".VnTimeH,Bold", "tcvn3-upper"),
    ("MPDFAA+.VnTimeHBold", "tcvn3-upper"),
    (".VnArial", "tcvn3"),
    ("VNI-Times", "vni"),
    ("ABCDEF+VNI-Helve-Bold", "vni"),
    ("TimesNewRomanPSMT", None),
    ("ABCDEF+Arial-BoldMT", None),
])
def test_font_names(font, encoding):
    assert font_encoding(font) == encoding


def test_guess_by_characters():
    assert guess_encoding(" ".join(l for l, _ in TCVN3)) == "tcvn3"
    assert guess_encoding(" ".join(l for l, _ in VNI)) == "vni"
    assert guess_encoding(" ".join(u for _, u in TCVN3)) is None
    assert guess_encoding("Café crème brûlée, naïve façade") is None


def test_syllable_validity_tells_real_vietnamese():
    assert syllable_validity("Ngày Chuyển đổi số quốc gia, người hưởng ứng khuya") == 1.0
    assert syllable_validity(tcvn3_to_unicode("Coäng hoøa xaõ hoäi chuû nghóa")) < 0.6
