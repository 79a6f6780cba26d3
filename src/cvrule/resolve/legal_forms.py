"""Legal forms across languages: recognized, named by a code, grouped into families.

A legal form says what kind of company a name belongs to, not which company: it is taken out
of the name before names are compared, and compared on its own as a weak qualifier (a German
GmbH and a US Inc. that share a brand are different companies). Forms are written three ways:
in their own script (有限公司, ООО, 株式会社), transliterated (youxian gongsi, OOO,
kabushiki kaisha) and abbreviated in Latin (Co., Ltd., GmbH, K.K., Pte. Ltd., sp. z o.o.).

`LATIN` holds token sequences as they appear after ASCII folding and tokenization (dots removed:
"Co., Ltd." is ("co", "ltd"), "K.K." is ("kk",), "sp. z o.o." is ("sp", "z", "oo")).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["CJK_SUFFIXES", "CJK_PREFIXES", "CYRILLIC", "FAMILIES", "LATIN", "TRANSLITERATED", "compatible"]

# code -> families. Codes that say little about the kind ("co", "company") belong to "any".
FAMILIES: dict[str, frozenset[str]] = {
    code: frozenset(families.split())
    for code, families in {
        "co": "any", "company": "any", "corp": "inc", "inc": "inc", "llc": "inc ltd ru",
        "ltd": "ltd cn", "co_ltd": "ltd cn jp", "company_limited": "ltd cn", "plc": "ltd",
        "pte_ltd": "ltd", "pty_ltd": "ltd", "sdn_bhd": "ltd", "pvt_ltd": "ltd",
        "cn_ltd": "cn ltd", "cn_joint_stock": "cn ltd", "cn_llc": "cn ltd", "cn_company": "cn ltd any",
        "gmbh": "gmbh", "gmbh_co_kg": "gmbh partnership", "ug": "gmbh", "ag": "ag", "se": "ag",
        "kg": "partnership", "ohg": "partnership", "lp": "partnership", "llp": "partnership ltd",
        "sa": "sa", "sas": "sa", "sarl": "sa", "sl": "sa", "spa": "sa", "srl": "sa", "sau": "sa",
        "ltda": "sa", "sa_de_cv": "sa", "sapi_de_cv": "sa", "s_de_rl": "sa", "sal": "sa",
        "bv": "nl", "nv": "nl", "ab": "nordic", "as": "nordic", "asa": "nordic", "oy": "nordic",
        "oyj": "nordic", "aps": "nordic", "sp_z_oo": "pl", "spolka_akcyjna": "pl",
        "kk": "jp", "yk": "jp", "gk": "jp",
        "ooo": "ru ltd inc", "ao": "ru ag ltd inc", "pao": "ru ag ltd inc", "zao": "ru ag ltd inc",
        "oao": "ru ag ltd inc", "nao": "ru ag ltd inc", "jsc": "ru ag ltd inc", "pjsc": "ru ag ltd inc",
        "ojsc": "ru ag ltd inc", "cjsc": "ru ag ltd inc", "fgup": "ru", "gup": "ru",
        "doo": "balkan", "ad": "balkan", "dd": "balkan", "as_cz": "cz", "sro": "cz",
        "bhd": "ltd", "tbk": "sa", "pt": "sa", "jsc_vn": "ru", "co_kg": "partnership",
        "fzc": "uae ltd", "fze": "uae ltd", "fzco": "uae ltd", "fz_llc": "uae ltd inc",
        "sia": "lv ltd", "ev": "association",
    }.items()
}

# Token sequences (after ASCII folding) -> code. Longer sequences win.
LATIN: dict[tuple[str, ...], str] = {
    tuple(text.split()): code
    for text, code in {
        "co": "co", "company": "co", "compania": "co", "compagnie": "co", "cie": "co",
        "corp": "corp", "corporation": "corp", "incorporated": "inc", "inc": "inc",
        "llc": "llc", "l l c": "llc", "limited liability company": "llc",
        "limited liability co": "llc",
        "ltd": "ltd", "limited": "ltd", "co ltd": "co_ltd", "co limited": "co_ltd",
        "company limited": "company_limited", "company ltd": "company_limited", "corp ltd": "co_ltd",
        "plc": "plc", "public limited company": "plc", "pte ltd": "pte_ltd", "pte limited": "pte_ltd",
        "private limited": "pvt_ltd", "pvt ltd": "pvt_ltd", "private ltd": "pvt_ltd",
        "pty ltd": "pty_ltd", "pty limited": "pty_ltd", "proprietary limited": "pty_ltd",
        "sdn bhd": "sdn_bhd", "bhd": "bhd", "berhad": "bhd",
        "gmbh": "gmbh", "gesellschaft mit beschrankter haftung": "gmbh", "mbh": "gmbh",
        "gmbh and co kg": "gmbh_co_kg", "gmbh co kg": "gmbh_co_kg", "and co kg": "co_kg",
        "co kg": "co_kg", "ug haftungsbeschrankt": "ug", "ag": "ag", "aktiengesellschaft": "ag",
        "se": "se", "kg": "kg", "kommanditgesellschaft": "kg", "ohg": "ohg", "lp": "lp", "llp": "llp",
        "sa": "sa", "s a": "sa", "sas": "sas", "sarl": "sarl", "sociedad anonima": "sa",
        "societe anonyme": "sa", "sl": "sl", "spa": "spa", "s p a": "spa", "srl": "srl",
        "sau": "sau", "ltda": "ltda", "limitada": "ltda", "lda": "ltda", "sa de cv": "sa_de_cv",
        "sapi de cv": "sapi_de_cv", "s de rl": "s_de_rl", "s de rl de cv": "s_de_rl", "sal": "sal",
        "bv": "bv", "besloten vennootschap": "bv", "nv": "nv", "naamloze vennootschap": "nv",
        "ab": "ab", "aktiebolag": "ab", "as": "as", "asa": "asa", "oy": "oy", "oyj": "oyj", "aps": "aps",
        "sp z oo": "sp_z_oo", "spolka z ograniczona odpowiedzialnoscia": "sp_z_oo",
        "spolka akcyjna": "spolka_akcyjna",
        "kk": "kk", "kabushiki kaisha": "kk", "kabushikigaisha": "kk", "yk": "yk", "yugen kaisha": "yk",
        "gk": "gk", "godo kaisha": "gk",
        "ooo": "ooo", "ao": "ao", "pao": "pao", "zao": "zao", "oao": "oao", "nao": "nao",
        "jsc": "jsc", "joint stock company": "jsc", "pjsc": "pjsc", "public joint stock company": "pjsc",
        "ojsc": "ojsc", "open joint stock company": "ojsc", "cjsc": "cjsc",
        "closed joint stock company": "cjsc", "fgup": "fgup", "gup": "gup",
        "obshchestvo s ogranichennoy otvetstvennostyu": "ooo",
        "aktsionernoe obshchestvo": "ao", "publichnoe aktsionernoe obshchestvo": "pao",
        "zakrytoe aktsionernoe obshchestvo": "zao", "otkrytoe aktsionernoe obshchestvo": "oao",
        "doo": "doo", "d o o": "doo", "ad": "ad", "dd": "dd", "sro": "sro", "s r o": "sro",
        "tbk": "tbk", "pt": "pt", "fzc": "fzc", "fze": "fze", "fzco": "fzco", "fz llc": "fz_llc",
        "free zone company": "fzc", "free zone establishment": "fze",
        "federal state unitary enterprise": "fgup", "state unitary enterprise": "gup",
        "federalnoe gosudarstvennoe unitarnoe predpriyatie": "fgup",
        "gosudarstvennoe unitarnoe predpriyatie": "gup",
        "tovarystvo z obmezhenoiu vidpovidalnistiu": "ooo",
        "public company limited": "plc", "public co ltd": "plc", "pcl": "plc",
        "limited liability partnership": "llp",
        "sabiedriba ar ierobezotu atbildibu": "sia", "ev": "ev",
        "youxian gongsi": "cn_ltd", "gufen youxian gongsi": "cn_joint_stock",
        "youxian zeren gongsi": "cn_llc", "gongsi": "cn_company",
    }.items()
}

# Forms that are also ordinary words or initials: taken as a legal form only at the very end
# (or, for the Russian and Indonesian ones, the very start) of a name.
AMBIGUOUS: frozenset[str] = frozenset({
    "co", "company", "as", "ab", "ag", "sa", "se", "sl", "lp", "ad", "dd", "kg", "pt", "ao", "nao",
    "kk", "yk", "gk", "sal", "bv", "nv", "oy", "inc", "corp", "corporation", "ev", "lda", "pcl",
})
PREFIX_FORMS: frozenset[str] = frozenset({
    "ooo", "ao", "pao", "zao", "oao", "nao", "jsc", "pjsc", "ojsc", "cjsc", "fgup", "gup", "pt", "llc",
    "kk", "limited liability company", "joint stock company", "public joint stock company",
    "open joint stock company", "closed joint stock company",
    "obshchestvo s ogranichennoy otvetstvennostyu", "aktsionernoe obshchestvo",
    "publichnoe aktsionernoe obshchestvo", "zakrytoe aktsionernoe obshchestvo",
    "otkrytoe aktsionernoe obshchestvo", "federal state unitary enterprise", "state unitary enterprise",
    "federalnoe gosudarstvennoe unitarnoe predpriyatie", "gosudarstvennoe unitarnoe predpriyatie",
    "tovarystvo z obmezhenoiu vidpovidalnistiu", "sabiedriba ar ierobezotu atbildibu",
})

TRANSLITERATED: frozenset[str] = frozenset({
    "obshchestvo s ogranichennoy otvetstvennostyu", "aktsionernoe obshchestvo",
    "publichnoe aktsionernoe obshchestvo", "zakrytoe aktsionernoe obshchestvo",
    "otkrytoe aktsionernoe obshchestvo", "federalnoe gosudarstvennoe unitarnoe predpriyatie",
    "gosudarstvennoe unitarnoe predpriyatie", "tovarystvo z obmezhenoiu vidpovidalnistiu",
})
"""Forms written out in a language of Cyrillic script: transliteration schemes spell them
differently (ogranichennoy, ogranichennoi, ogranichennoj; obshchestvo, obschestvo), so they are
also recognized by the phonetic skeletons of their words (names.py)."""

# Chinese (after traditional -> simplified) and Japanese forms at the end of a name, longest first.
CJK_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("股份有限公司", "cn_joint_stock"), ("有限责任公司", "cn_llc"), ("有限公司", "cn_ltd"),
    ("股份公司", "cn_joint_stock"), ("公司", "cn_company"),
    ("株式会社", "kk"), ("有限会社", "yk"), ("合同会社", "gk"),
    ("有限會社", "yk"),
)
CJK_PREFIXES: tuple[tuple[str, str], ...] = (("株式会社", "kk"), ("有限会社", "yk"), ("合同会社", "gk"))

# Russian forms in Cyrillic (lower case), written out or abbreviated.
CYRILLIC: dict[str, str] = {
    "общество с ограниченной ответственностью": "ooo",
    "публичное акционерное общество": "pao",
    "непубличное акционерное общество": "nao",
    "закрытое акционерное общество": "zao",
    "открытое акционерное общество": "oao",
    "акционерное общество": "ao",
    "федеральное государственное унитарное предприятие": "fgup",
    "государственное унитарное предприятие": "gup",
    "ооо": "ooo", "пао": "pao", "нао": "nao", "зао": "zao", "оао": "oao", "ао": "ao",
    "фгуп": "fgup", "гуп": "gup", "тов": "ooo", "пат": "pao", "прат": "zao",
}


@lru_cache(maxsize=4096)
def compatible(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Whether two sets of legal forms could belong to the same company (true when either is unknown)."""
    if not left or not right:
        return True
    families_left = frozenset().union(*(FAMILIES.get(code, frozenset({"any"})) for code in left))
    families_right = frozenset().union(*(FAMILIES.get(code, frozenset({"any"})) for code in right))
    if "any" in families_left or "any" in families_right:
        return True
    return bool(families_left & families_right)
