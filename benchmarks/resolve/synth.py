"""Deterministic synthetic registry and BOM supplier mentions for the resolution benchmark.

The registry looks like a global ownership registry: company names built from a city, one or
two coined brand words, an industry word and the legal form of the country, in Latin script
for most countries, in Chinese characters (simplified or traditional) for 6% and in Cyrillic for
4%. Brand words are drawn from a few thousand syllable combinations, so names share words the
way real registries do (many "Shenzhen ... Technology Co., Ltd.").

Mentions are what BOMs write: 70% name a registry company, written another way (upper case,
legal form dropped or spelled differently, punctuation, one typo in a word, Chinese names in
traditional characters or in pinyin, Cyrillic names transliterated); 30% name companies that are
not in the registry. Suppliers repeat across BOMs with a Zipf-like frequency.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from opencc import OpenCC
from pypinyin import lazy_pinyin

SYLLABLES = ("ka lo ri ven tor mi sa zen qu ec tel fi bo com neo way lan dar vex ion ta ku na "
             "mer sol tri gen vo lux ar is om ex hal bri cor den fa gor hy ja kel mon nor pa rel sim tu").split()
CITIES = {
    "CN": "Shanghai Shenzhen Beijing Suzhou Hangzhou Dongguan Wuhan Chongqing Tianjin Ningbo Xiamen Hefei".split(),
    "TW": "Taipei Hsinchu Taichung Kaohsiung Taoyuan".split(),
    "RU": "Moscow Kazan Samara Tolyatti Novosibirsk Perm".split(),
    "DE": "Stuttgart Munich Hannover Wolfsburg Ingolstadt Dresden".split(),
    "US": "Detroit Austin Dayton Troy Auburn".split(),
    "JP": "Osaka Nagoya Kariya Yokohama Hamamatsu".split(),
    "KR": "Seoul Ulsan Suwon Incheon".split(),
    "FR": "Lyon Rennes Toulouse".split(),
    "IN": "Pune Chennai Gurgaon".split(),
}
INDUSTRY = ("Wireless Communication Electronics Technology Automotive Semiconductor Precision Industrial "
            "Telematics Systems Software Components Optics Energy Motors Trading Logistics Holdings "
            "Manufacturing Devices Connectivity Mobility Sensors Microelectronics Networks").split()
FORMS = {
    "CN": ["Co., Ltd.", "Co., Ltd", "Technology Co., Ltd.", "Limited"], "TW": ["Co., Ltd.", "Corporation", "Inc."],
    "RU": ["OOO", "JSC", "LLC", "PJSC"], "DE": ["GmbH", "AG", "GmbH & Co. KG"], "US": ["Inc.", "LLC", "Corp."],
    "JP": ["K.K.", "Co., Ltd.", "Corporation"], "KR": ["Co., Ltd.", "Corp."], "FR": ["SA", "SAS", "SARL"],
    "IN": ["Private Limited", "Pvt. Ltd.", "Limited"],
}
COUNTRY_WEIGHTS = {"CN": 30, "TW": 6, "RU": 6, "DE": 14, "US": 16, "JP": 10, "KR": 6, "FR": 6, "IN": 6}
HANZI = "华中新达通信电科技智联创恒盛德远移和广安宏泰鑫源星光微芯汽车欣瑞凯嘉航宇捷讯锐丰"
HAN_CITIES = "上海 深圳 北京 苏州 杭州 东莞 武汉 重庆 天津 宁波".split()
HAN_INDUSTRY = "科技 电子 通信 汽车电子 技术 半导体 精密 软件".split()
HAN_FORMS = ("有限公司", "股份有限公司", "有限责任公司")
CYRILLIC = "ка ло ри вен тор ми са зен тех пром газ нефть строй авто мир рос лан дар вол гор сиб".split()
CYR_FORMS = ("ООО", "АО", "ПАО")


@dataclass
class Party:
    key: str
    name: str
    country: str


def _brand(rnd: random.Random) -> str:
    return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.choice((2, 2, 3)))).capitalize()


def _latin_name(rnd: random.Random, country: str) -> str:
    parts = []
    if rnd.random() < 0.5:
        parts.append(rnd.choice(CITIES[country]))
    parts.append(_brand(rnd))
    if rnd.random() < 0.3:
        parts.append(_brand(rnd))
    parts.append(rnd.choice(INDUSTRY))
    if rnd.random() < 0.3:
        parts.append(rnd.choice(INDUSTRY))
    return " ".join(parts) + " " + rnd.choice(FORMS[country])


def _han_name(rnd: random.Random) -> str:
    core = "".join(rnd.choice(HANZI) for _ in range(rnd.choice((2, 2, 3))))
    return rnd.choice(HAN_CITIES) + core + rnd.choice(HAN_INDUSTRY) + rnd.choice(HAN_FORMS)


def _cyrillic_name(rnd: random.Random) -> str:
    core = "".join(rnd.choice(CYRILLIC) for _ in range(rnd.choice((2, 3)))).capitalize()
    return f"{rnd.choice(CYR_FORMS)} «{core}»"


def registry(size: int, seed: int = 11) -> list[Party]:
    rnd = random.Random(seed)
    countries = list(COUNTRY_WEIGHTS)
    weights = list(COUNTRY_WEIGHTS.values())
    out = []
    for number in range(size):
        country = rnd.choices(countries, weights)[0]
        draw = rnd.random()
        if country == "CN" and draw < 0.2:
            name = _han_name(rnd)
        elif country == "RU" and draw < 0.6:
            name = _cyrillic_name(rnd)
        else:
            name = _latin_name(rnd, country)
        out.append(Party(f"P{number:07d}", name, country))
    return out


_T2S = None


def _variant(rnd: random.Random, party: Party) -> str:
    global _T2S
    name = party.name
    if any("\u4e00" <= ch <= "\u9fff" for ch in name):
        if rnd.random() < 0.5:
            _T2S = _T2S or OpenCC("s2t")
            return _T2S.convert(name)
        core = name
        for form in sorted(HAN_FORMS, key=len, reverse=True):
            if core.endswith(form):
                core = core[: -len(form)]
                break
        return " ".join(s.capitalize() for s in _pinyin_words(core)) + " Co., Ltd."
    if any("\u0400" <= ch <= "\u04ff" for ch in name):
        from anyascii import anyascii

        latin = anyascii(name).replace("<<", "").replace(">>", "")
        return latin.upper() if rnd.random() < 0.5 else latin.replace("OOO ", "") + " LLC"
    words = name.split()
    roll = rnd.random()
    if roll < 0.2:
        return name.upper()
    if roll < 0.4:
        for form in sorted(FORMS[party.country], key=len, reverse=True):
            if name.endswith(" " + form):
                return name[: -len(form) - 1]
        return name
    if roll < 0.55:
        return name.replace("Co., Ltd.", "Company Limited").replace("Inc.", "Incorporated").replace("GmbH", "G.m.b.H.")
    if roll < 0.7:
        return name.replace(",", "").replace(".", "")
    if roll < 0.85:
        index = rnd.randrange(len(words))
        word = words[index]
        if len(word) >= 6:
            at = rnd.randrange(1, len(word) - 1)
            words[index] = word[:at] + word[at + 1:]
        return " ".join(words)
    return name.lower()


def _pinyin_words(han: str) -> list[str]:
    syllables = lazy_pinyin(han)
    return ["".join(syllables[i:i + 2]) for i in range(0, len(syllables), 2)]


def mentions(parties: list[Party], count: int, distinct: int, seed: int = 12) -> list[tuple[str, str | None, str | None]]:
    """(name as written, country or None, expected party key or None), `count` of them over
    `distinct` suppliers with a Zipf-like repetition."""
    rnd = random.Random(seed)
    suppliers: list[tuple[str, str | None, str | None]] = []
    for _ in range(distinct):
        if rnd.random() < 0.7:
            party = parties[rnd.randrange(len(parties))]
            country = party.country if rnd.random() < 0.6 else None
            suppliers.append((_variant(rnd, party), country, party.key))
        else:
            country = rnd.choice(list(COUNTRY_WEIGHTS))
            suppliers.append((_latin_name(rnd, country), country if rnd.random() < 0.6 else None, None))
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(distinct)]
    picks = rnd.choices(range(distinct), weights, k=count - distinct)
    order = list(range(distinct)) + picks
    rnd.shuffle(order)
    return [suppliers[i] for i in order]
