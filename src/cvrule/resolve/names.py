"""Names as cvrule compares them: one `NameForm` per written name.

The steps, each recorded in `NameForm.steps` so an explanation can say what was done:

1. Unicode NFKC (full-width letters and digits become ASCII) and case folding.
2. Chinese: traditional characters become simplified (OpenCC `t2s`); a Chinese or Japanese legal
   form at the end (有限公司, 股份有限公司, 株式会社, ...) is recognized and taken out; Han
   characters become their Hanyu Pinyin syllables without tones (pypinyin), one token each:
   上海移远 is "shang hai yi yuan", which the comparison joins to meet "Shanghai Yiyuan". The
   two-syllable windows ("shanghai", "haiyi", "yiyuan") are kept as blocking keys.
3. Russian: a legal form written in Cyrillic (ООО, ПАО, общество с ограниченной
   ответственностью, ...) is recognized and taken out; the rest is transliterated.
4. Everything else is transliterated to ASCII (anyascii: Cyrillic, Greek, accents, kana, Hangul).
5. Dotted initials are joined ("K.K." -> "kk", "S.A." -> "sa"), "&" is "and"; the text is cut
   into alphanumeric tokens; Latin legal forms (Co., Ltd., GmbH, Pte. Ltd., sp. z o.o., OOO,
   ...) are recognized at the start and end and taken out; a few words that carry no identity
   (the, of, and, de, ...) are dropped.

What remains are the core tokens. `compact` joins them without spaces (spacing and hyphens do
not matter: "AERO-CARIBBEAN" is "AEROCARIBBEAN"). `keys` are the tokens' phonetic skeletons,
used to tolerate transliteration variants (Yandex / Iandeks, Rostec / Rostekh).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from anyascii import anyascii

from cvrule.resolve.legal_forms import AMBIGUOUS, CJK_PREFIXES, CJK_SUFFIXES, CYRILLIC, LATIN, PREFIX_FORMS, TRANSLITERATED

__all__ = ["NameForm", "analyze", "forms_of", "name_parts", "skeleton", "simple_fold"]

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_INITIALS = re.compile(r"(?<![a-z0-9])((?:[a-z0-9]\.){2,})")
_TOKEN = re.compile(r"[a-z0-9]+")
_APOSTROPHES = re.compile(r"(?<=[a-z])['’ʼ`´](?=[a-z])")
_CYRILLIC_FORMS = sorted(CYRILLIC, key=len, reverse=True)
_CYRILLIC_FORM_RE = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(form) for form in _CYRILLIC_FORMS) + r")(?![\w])"
)
_MAX_FORM = max(len(k) for k in LATIN)
_PLACEHOLDER = "qqhanrun"
_ROMAN = frozenset("ii iii iv vi vii viii ix xi xii xiii xiv xv".split())
STOPWORDS = frozenset({
    "the", "of", "and", "for", "de", "del", "la", "le", "les", "des", "du", "y", "e", "et", "und", "fur",
    "da", "do", "dos", "das", "di", "van", "der", "den", "von", "i", "a", "an", "in", "fi",
    "al", "el", "ul", "ar",  # the Arabic article, however it is transliterated
})


@dataclass(frozen=True, slots=True)
class NameForm:
    """One name, normalized for comparison."""

    original: str
    tokens: tuple[str, ...]
    """ASCII tokens of the name without its legal form, in order."""
    legal_forms: tuple[str, ...]
    """Codes of the legal forms recognized (see legal_forms.py)."""
    compact: str
    """The tokens joined without spaces."""
    script: str
    """latin | han | cyrillic | kana | hangul | mixed"""
    steps: tuple[str, ...]
    """What was done to the text, for explanations."""
    han_keys: tuple[str, ...] = ()
    """Two-syllable pinyin windows of Han text (blocking keys)."""
    numbers: frozenset[str] = frozenset()
    """Tokens that are numbers: with digits, or roman numerals (II, III, IV, ...)."""
    part: str = ""
    """Empty for a whole name; for a part of one (`name_parts`), which part of which name."""

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def simple_fold(text: str) -> str:
    """NFKC, case folding and single spaces: the form an analyst's decision is keyed on."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _script(text: str) -> str:
    found = []
    if _HAN_RUN.search(text):
        found.append("kana" if _KANA.search(text) else "han")
    elif _KANA.search(text):
        found.append("kana")
    if _CYRILLIC.search(text):
        found.append("cyrillic")
    if _HANGUL.search(text):
        found.append("hangul")
    if not found:
        return "latin"
    return found[0] if len(found) == 1 else "mixed"


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


def _pinyin(run: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return [s for s in lazy_pinyin(run, style=Style.NORMAL, errors="ignore") if s.isascii() and s.isalnum()]


def _strip_cjk_forms(text: str, forms: list[str], steps: list[str]) -> str:
    stripped = text.strip()
    changed = True
    while changed:
        changed = False
        for suffix, code in CJK_SUFFIXES:
            if stripped.endswith(suffix) and len(stripped) > len(suffix):
                stripped = stripped[: -len(suffix)].rstrip()
                forms.append(code)
                changed = True
                break
        for prefix, code in CJK_PREFIXES:
            if stripped.startswith(prefix) and len(stripped) > len(prefix):
                stripped = stripped[len(prefix):].lstrip()
                forms.append(code)
                changed = True
                break
    if forms:
        steps.append("legal form recognized in Chinese/Japanese: " + ", ".join(forms))
    return stripped


def _han_to_pinyin(text: str, steps: list[str]) -> tuple[str, list[str], list[list[str]]]:
    """Han runs replaced by placeholders; their syllables are put back after tokenizing, so that
    no syllable is taken for a stop word or a legal form."""
    keys: list[str] = []
    runs: list[list[str]] = []

    def replace(match: re.Match) -> str:
        syllables = _pinyin(match.group(0))
        keys.extend(a + b for a, b in zip(syllables, syllables[1:]))
        if len(syllables) == 1:
            keys.extend(syllables)
        runs.append(syllables)
        return f" {_PLACEHOLDER}{len(runs) - 1}x "

    converted = _HAN_RUN.sub(replace, text)
    if runs:
        steps.append("Han characters to pinyin")
    return converted, keys, runs


def _strip_cyrillic_forms(text: str, forms: list[str], steps: list[str]) -> str:
    def replace(match: re.Match) -> str:
        forms.append(CYRILLIC[match.group(1)])
        return " "

    stripped = _CYRILLIC_FORM_RE.sub(replace, text)
    if forms:
        steps.append("legal form recognized in Cyrillic: " + ", ".join(forms))
    return stripped


_LAST_WORDS = frozenset(key[-1] for key in LATIN)
_SOUNDING_CODES = frozenset(LATIN[tuple(text.split())] for text in TRANSLITERATED)
_FIRST_WORDS = frozenset(key[0] for key in LATIN)


@lru_cache(maxsize=1)
def _sounding_forms() -> dict[tuple[str, ...], str]:
    """The transliterated forms (legal_forms.TRANSLITERATED) by the skeletons of their words."""
    return {tuple(skeleton(word) for word in text.split()): LATIN[tuple(text.split())] for text in TRANSLITERATED}


@lru_cache(maxsize=1)
def _sounding_edges() -> tuple[frozenset[str], frozenset[str]]:
    """The skeletons of the first and of the last words of the transliterated forms."""
    keys = _sounding_forms()
    return frozenset(key[0] for key in keys), frozenset(key[-1] for key in keys)


def _form_at(words: tuple[str, ...]) -> str | None:
    """The legal form these words spell: as written, or as a transliteration variant of a form
    written out in a Cyrillic-script language ("ogranichennoi" for "ogranichennoy")."""
    code = LATIN.get(words)
    if code is None and len(words) >= 2:
        code = _sounding_forms().get(tuple(skeleton(word) for word in words))
    return code


def _strip_latin_forms(tokens: list[str], forms: list[str]) -> list[str]:
    """Take legal forms off the end (repeatedly) and the start of the token list."""
    starts, ends = _sounding_edges()
    changed = bool(tokens) and (tokens[-1] in _LAST_WORDS or skeleton(tokens[-1]) in ends)
    while changed and tokens:
        changed = False
        for size in range(min(_MAX_FORM, len(tokens) - 1), 0, -1):
            tail = tuple(tokens[-size:])
            code = _form_at(tail)
            if code:
                forms.append(code)
                del tokens[-size:]
                changed = True
                break
    changed = len(tokens) > 1 and (tokens[0] in _FIRST_WORDS or skeleton(tokens[0]) in starts)
    while changed and len(tokens) > 1:
        changed = False
        for size in range(min(_MAX_FORM, len(tokens) - 1), 0, -1):
            head = tuple(tokens[:size])
            code = _form_at(head)
            if code and (" ".join(head) in PREFIX_FORMS or code in _SOUNDING_CODES
                         or (size == 1 and head[0] not in AMBIGUOUS)):
                forms.append(code)
                del tokens[:size]
                changed = True
                break
    return tokens


@lru_cache(maxsize=200_000)
def analyze(name: str) -> NameForm:
    """Normalize one written name (cached: the same text always gives the same form)."""
    steps: list[str] = []
    forms: list[str] = []
    text = unicodedata.normalize("NFKC", name).casefold()
    han_keys: list[str] = []
    han_runs: list[list[str]] = []
    script = "latin"
    if not text.isascii():
        script = _script(text)
        if _HAN_RUN.search(text):
            simplified = _opencc().convert(text)
            if simplified != text:
                steps.append("traditional Chinese to simplified")
            text = _strip_cjk_forms(simplified, forms, steps)
            text, han_keys, han_runs = _han_to_pinyin(text, steps)
        if _CYRILLIC.search(text):
            text = _strip_cyrillic_forms(text, forms, steps)
            steps.append("Cyrillic transliterated")
        folded = anyascii(text).lower()
        if folded != text and "Cyrillic transliterated" not in steps:
            steps.append("transliterated to ASCII")
        text = folded
    if "'" in text or "`" in text or "´" in text:
        text = _APOSTROPHES.sub("", text)
    if "." in text:
        text = _INITIALS.sub(lambda m: " " + m.group(1).replace(".", "") + " ", text)
    tokens = _TOKEN.findall(text)
    before = len(forms)
    tokens = _strip_latin_forms(tokens, forms)
    if len(forms) > before:
        steps.append("legal form recognized: " + ", ".join(forms[before:]))
    core = [t for t in tokens if t not in STOPWORDS] or tokens
    numbers = frozenset(t for t in core if (t in _ROMAN or not t.isalpha()) and not t.startswith(_PLACEHOLDER))
    if han_runs:
        expanded: list[str] = []
        for token in core:
            if token.startswith(_PLACEHOLDER):
                expanded.extend(han_runs[int(token[len(_PLACEHOLDER):-1])])
            else:
                expanded.append(token)
        core = expanded
    return NameForm(
        original=name,
        tokens=tuple(core),
        legal_forms=tuple(forms),
        compact="".join(core),
        script=script,
        steps=tuple(steps),
        han_keys=tuple(dict.fromkeys(han_keys)),
        numbers=numbers,
    )


_QUOTED = re.compile(r"""(?:^|(?<=[\s(,:;/-]))[«„“”‘'"](.+)[»“”’'"](?=$|[\s),.;:/-])""")
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_MARKERS = re.compile(
    r"(?<![\w/])(?:formerly(?: known as)?|also known as|now known as|previously|trading as|doing business as|"
    r"f/k/a|a/k/a|n/k/a|d/b/a|t/a|f\.k\.a\.?|a\.k\.a\.?|n\.k\.a\.?|d\.b\.a\.?|fka|aka|nka|dba)(?![\w/])",
    re.IGNORECASE,
)
_SEGMENTS = re.compile(r"\s+[-–—]\s+|\s*[:;|]\s*")
_MAY_HAVE_PARTS = re.compile(r"[«„“”‘'\"()\[\]:;|]|\s[-–—]\s|/|\b(?:formerly|known|previously|trading|doing|aka|fka|nka|dba|"
                             r"a\.k|f\.k|n\.k|d\.b)", re.IGNORECASE)
"""A quick test that lets most names (no quote, bracket, separator or marker) skip the rest."""


def name_parts(name: str) -> list[tuple[str, str]]:
    """The parts of a written name that may be a name on their own, each with what it is:

    - the part in quotes ("OOO 'YARGEO'", "ФГУП «Крымская железная дорога»": the proper name);
    - the part in brackets and the name without it ("... INSTRUMENT DESIGN (NIIP)": an acronym,
      a former or translated name, a place);
    - what comes before and after "formerly", "a.k.a.", "f/k/a", "trading as", "d/b/a";
    - the segments between " - ", ":" or ";" ("PALESTINE LIBERATION FRONT - ABU ABBAS FACTION").

    Parts of parts are found too (two levels). The whole name is not among them.
    """
    found: dict[str, str] = {}
    if not _MAY_HAVE_PARTS.search(name):
        return []

    def add(text: str, what: str, depth: int) -> None:
        text = text.strip(" ,.;:-–—'\"«»„“”‘’")
        if len(text) < 2 or not any(ch.isalnum() for ch in text) or text == name.strip() or text in found:
            return
        found[text] = what
        if depth < 2:
            collect(text, depth + 1)

    def collect(text: str, depth: int) -> None:
        quoted = _QUOTED.search(text)
        if quoted:
            add(quoted.group(1), "the part in quotes", depth)
        if "(" in text or "[" in text:
            for match in _BRACKETED.finditer(text):
                add(match.group(1) or match.group(2) or "", "the part in brackets", depth)
            add(_BRACKETED.sub(" ", text), "the name without its part in brackets", depth)
        if _MARKERS.search(text):
            for piece in _MARKERS.split(text.replace("(", " ").replace(")", " ")):
                add(piece, "one of the names around 'formerly' / 'a.k.a.'", depth)
        pieces = _SEGMENTS.split(text)
        if len(pieces) > 1:
            for piece in pieces:
                add(piece, "a segment of the name", depth)

    collect(name, 0)
    return list(found.items())


@lru_cache(maxsize=200_000)
def forms_of(name: str) -> tuple[NameForm, ...]:
    """The forms a written name is compared by: the whole name first, then its parts
    (`name_parts`) that have a core word, each saying which part of which name it is."""
    whole = analyze(name)
    out = [whole]
    seen = {whole.compact}
    for text, what in name_parts(name):
        form = analyze(text)
        if not form.compact or form.compact in seen:
            continue
        seen.add(form.compact)
        out.append(replace(form, part=f"{what} of {name!r}"))
    return tuple(out)


_DIGRAPHS = (("shch", "s"), ("sch", "s"), ("sh", "s"), ("ch", "c"), ("kh", "k"), ("zh", "z"),
             ("tz", "c"), ("ts", "c"), ("ph", "f"), ("ck", "k"), ("qu", "k"), ("x", "ks"),
             ("w", "v"), ("dzh", "j"), ("dj", "j"))
_VOWELS = str.maketrans("", "", "aeiouyh")


@lru_cache(maxsize=500_000)
def skeleton(token: str) -> str:
    """A phonetic skeleton of an ASCII token: transliteration variants and vowel slips share it."""
    if token.isdigit() or len(token) < 3:
        return token
    text = token
    for digraph, replacement in _DIGRAPHS:
        if digraph in text:
            text = text.replace(digraph, replacement)
    text = text.replace("c", "k").replace("q", "k")
    first = "i" if text[0] in "iyj" else ("a" if text[0] in "aeiou" else text[0])
    rest = text[1:].translate(_VOWELS)
    out = [first]
    for ch in rest:
        if ch != out[-1]:
            out.append(ch)
    return "".join(out)
