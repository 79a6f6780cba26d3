"""Names and identifiers: what the comparison sees of a written name, and which identifiers count."""

from __future__ import annotations

import pytest
from stdnum.cn import uscc

from cvrule.ingest.countries import normalize_country
from cvrule.resolve.identifiers import domain_of, identifiers_from, identifiers_in_text, purl_hints
from cvrule.resolve.legal_forms import compatible
from cvrule.resolve.names import analyze, forms_of, name_parts, skeleton


@pytest.mark.parametrize("name,tokens,forms", [
    ("Quectel Wireless Solutions Co., Ltd.", ("quectel", "wireless", "solutions"), ("co_ltd",)),
    ("QUECTEL WIRELESS SOLUTIONS COMPANY LIMITED", ("quectel", "wireless", "solutions"), ("company_limited",)),
    ("Robert Bosch GmbH", ("robert", "bosch"), ("gmbh",)),
    ("Bosch GmbH & Co. KG", ("bosch",), ("gmbh_co_kg",)),
    ("SHELL JAPAN K.K.", ("shell", "japan"), ("kk",)),
    ("Foo Pte. Ltd.", ("foo",), ("pte_ltd",)),
    ("G-Invest sp. z o.o.", ("g", "invest"), ("sp_z_oo",)),
    ("OOO Romashka", ("romashka",), ("ooo",)),
    ("Shell Energy México, S.A. de C.V.", ("shell", "energy", "mexico"), ("sa_de_cv",)),
])
def test_latin_legal_forms_are_recognized_and_taken_out(name, tokens, forms):
    form = analyze(name)
    assert form.tokens == tokens
    assert form.legal_forms == forms


def test_a_legal_form_word_inside_a_name_stays():
    assert analyze("AS Company").tokens == ("as",)
    assert analyze("Co-operative Bank").tokens == ("co", "operative", "bank")


@pytest.mark.parametrize("name,forms", [
    ("ООО «Ромашка»", ("ooo",)),
    ("Публичное акционерное общество «Газпром»", ("pao",)),
    ("АО «Лаборатория Касперского»", ("ao",)),
])
def test_cyrillic_legal_forms_are_recognized_then_the_name_transliterated(name, forms):
    form = analyze(name)
    assert form.legal_forms == forms
    assert form.script == "cyrillic"
    assert all(token.isascii() for token in form.tokens)
    assert "Cyrillic transliterated" in form.steps


def test_cyrillic_and_latin_spellings_meet():
    assert analyze("Публичное акционерное общество «Газпром»").compact == analyze("PJSC Gazprom").compact == "gazprom"
    assert skeleton("yandeks") == skeleton("yandex")
    assert skeleton("rostekh") == skeleton("rostec")


def test_traditional_and_simplified_chinese_are_the_same_name():
    traditional = analyze("上海移遠通信技術股份有限公司")
    simplified = analyze("上海移远通信技术股份有限公司")
    assert traditional.tokens == simplified.tokens
    assert traditional.legal_forms == simplified.legal_forms == ("cn_joint_stock",)
    assert "traditional Chinese to simplified" in traditional.steps


def test_chinese_becomes_pinyin_syllables_that_meet_a_romanized_name():
    han = analyze("上海移远通信技术股份有限公司")
    assert han.tokens == ("shang", "hai", "yi", "yuan", "tong", "xin", "ji", "shu")
    assert han.compact == analyze("Shanghai Yiyuan Tongxin Jishu Gufen Youxian Gongsi").compact
    assert "yiyuan" in han.han_keys


def test_pinyin_syllables_are_never_taken_for_stop_words_or_numbers():
    form = analyze("惠州市德赛西威汽车电子股份有限公司")
    assert "de" in form.tokens  # 德 is not the Romance "de"
    assert form.numbers == frozenset()


def test_roman_numerals_and_digits_are_numbers():
    assert analyze("Tindaya Properties II Corp.").numbers == {"ii"}
    assert analyze("Debbiye 143 SAL").numbers == {"143"}


def test_taiwan_is_never_china():
    assert normalize_country("Taiwan, Province of China") == "TW"
    assert normalize_country("TWN") == "TW"
    assert normalize_country("China") == "CN"


def test_legal_form_families():
    assert not compatible(("gmbh",), ("inc",))
    assert compatible(("co_ltd",), ("company_limited",))
    assert compatible(("ooo",), ("llc",))
    assert compatible((), ("gmbh",))


def test_identifiers_are_checked_before_use():
    valid_uscc = "91310000677833266F"
    assert uscc.is_valid(valid_uscc)
    found = identifiers_from({"lei": "5493001KJTIIGC8Y1R12", "uscc": valid_uscc, "inn": "7736050003",
                              "ogrn": "1027700070518", "duns": "15-048-3782", "bpnl": "bpnl00000003ayrf",
                              "url": "https://www.quectel.com/product"})
    assert found.values == {"lei": {"5493001KJTIIGC8Y1R12"}, "uscc": {valid_uscc}, "inn": {"7736050003"},
                            "ogrn": {"1027700070518"}, "duns": {"150483782"}, "bpnl": {"BPNL00000003AYRF"},
                            "domain": {"quectel.com"}}
    broken = identifiers_from({"lei": "5493001KJTIIGC8Y1R13", "uscc": "91310000677833266G", "inn": "7736050004"})
    assert broken.values == {}
    assert {scheme for scheme, _, _ in broken.ignored} == {"lei", "uscc", "inn"}


def test_identifiers_written_in_a_supplier_name():
    assert identifiers_in_text("Quectel (LEI 5493001KJTIIGC8Y1R12)").values == {"lei": {"5493001KJTIIGC8Y1R12"}}
    assert identifiers_in_text("quectel.com").values == {"domain": {"quectel.com"}}
    assert identifiers_in_text("Quectel Wireless Solutions").values == {}


def test_domains_and_package_namespaces():
    assert domain_of("sales@quectel.com.cn") == "quectel.com.cn"
    assert domain_of("https://www.quectel.com/x") == "quectel.com"
    assert domain_of("10.0.0.1") is None
    assert identifiers_from({"email": "someone@gmail.com"}).values == {}
    assert purl_hints("pkg:maven/com.quectel.sdk/qlib@1.0") == ("quectel.com", None)
    assert purl_hints("pkg:github/quectel/qfirehose@1.2") == (None, "quectel")
    assert purl_hints("pkg:npm/%40quectel/x@2") == (None, "quectel")
    assert purl_hints("pkg:pypi/requests@2") == (None, None)


@pytest.mark.parametrize("name,tokens,forms", [
    ("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU 'YARGEO'", ("yargeo",), ("ooo",)),
    ("OBSCHESTVO S OGRANICHENNOY OTVETSTVENNOSTIU MOKRAN", ("mokran",), ("ooo",)),
    ("AKTSIONERNOYE OBSHCHESTVO TEKHNODINAMIKA", ("tekhnodinamika",), ("ao",)),
    ("FEDERAL STATE UNITARY ENTERPRISE 'CRIMEAN RAILWAY'", ("crimean", "railway"), ("fgup",)),
    ("MYANMA ECONOMIC HOLDINGS PUBLIC COMPANY LIMITED", ("myanma", "economic", "holdings"), ("plc",)),
])
def test_legal_forms_written_out_are_recognized_however_transliterated(name, tokens, forms):
    form = analyze(name)
    assert form.tokens == tokens
    assert form.legal_forms == forms


@pytest.mark.parametrize("name,parts", [
    ("LIKVIDATSIONNAYA KOMISSIYA ZAO 'LESPROMPROTSESSING'", ["LESPROMPROTSESSING"]),
    ("Scientific Research Institute of Instrument Design (NIIP)",
     ["NIIP", "Scientific Research Institute of Instrument Design"]),
    ("Acme Ltd (formerly Foo Trading Ltd)", ["formerly Foo Trading Ltd", "Foo Trading Ltd", "Acme Ltd"]),
    ("BETA GMBH A.K.A. GAMMA", ["BETA GMBH", "GAMMA"]),
    ("PALESTINE LIBERATION FRONT - ABU ABBAS FACTION", ["PALESTINE LIBERATION FRONT", "ABU ABBAS FACTION"]),
    ("ООО «Ромашка»", ["Ромашка"]),
    ("ASA'IB AHL AL-HAQ", []),
    ("Quectel Wireless Solutions Co., Ltd.", []),
])
def test_the_parts_of_a_name_that_may_be_a_name_on_their_own(name, parts):
    assert [text for text, _ in name_parts(name)] == parts


def test_the_forms_of_a_name_are_the_whole_name_then_its_parts_each_saying_which_part():
    whole, *parts = forms_of("Scientific Research Institute of Instrument Design (NIIP)")
    assert whole.part == "" and "niip" in whole.tokens
    assert [p.tokens for p in parts] == [("niip",), ("scientific", "research", "institute", "instrument", "design")]
    assert parts[0].part.startswith("the part in brackets of ")
    assert forms_of("Quectel Wireless Solutions Co., Ltd.") == (analyze("Quectel Wireless Solutions Co., Ltd."),)
