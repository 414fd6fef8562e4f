"""The spaCy rule component on its own: labels and spans."""
from extractors.nlp import entities, get_nlp


def test_entities_of_a_plan_sentence():
    doc = get_nlp()("Căn cứ Quyết định số 505/QĐ-TTg ngày 22/4/2022 của Thủ tướng Chính phủ; Sở Thông tin và Truyền thông "
                    "tổ chức hội nghị khoảng 300 đại biểu, kinh phí 46.670.000 đồng.")
    got = [(e.label_, e.text) for e in doc.ents]
    assert got == [("LEGAL_REF", "Quyết định số 505/QĐ-TTg"), ("DATE", "22/4/2022"),
                   ("AGENCY", "Sở Thông tin và Truyền thông"), ("HEADCOUNT", "300 đại biểu"),
                   ("MONEY", "46.670.000 đồng")]


def test_not_head_counts():
    assert entities("500 doanh nghiệp và 14 điểm cầu trực tuyến, 50% số người", "HEADCOUNT") == []


def test_blank_date_is_not_a_date():
    assert [e.text for e in entities("Kiến Tường, ngày  tháng 9 năm 2024; ngày 26 tháng 8 năm 2024", "DATE")] == ["ngày 26 tháng 8 năm 2024"]


def test_component_plugs_into_a_users_pipeline():
    import spacy
    import extractors.nlp  # noqa: F401  registers the factory

    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.add_pipe("kehoach_rules")
    assert [e.label_ for e in nlp("Thực hiện Kế hoạch số 277/KH-UBND").ents] == ["LEGAL_REF"]
