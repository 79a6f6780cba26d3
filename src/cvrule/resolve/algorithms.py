"""Scoring algorithms, versioned side by side under stable names (as nomenklatura does).

An algorithm compares one query with one target and returns a score in 0..1, the method that
decided it (identifier or name) and the features that make up the score, each saying which value
on each side matched and how. A changed algorithm is added under a new name; the old one stays,
so a stored result can always be recomputed with the algorithm that produced it.

`cvrule-logic-v1`:

- Strong identifiers (LEI, USCC, OGRN, INN, DUNS, BPNL): the same value on both sides scores 1.0;
  different values of the same scheme on both sides take 0.5 off (different legal entities).
- Domain (web site, e-mail, Maven/Go namespace): the same registrable domain is evidence 0.8,
  combined with the name by noisy-or (a domain is shared by a group's companies).
- Name: the best pair over the query's names and the target's names and aliases:
  1.0 when the names are the same after normalization (see names.py); otherwise the larger of
  an IDF-weighted token overlap: Dice over both sides' token weights, after joining adjacent
  tokens that make up a token of the other name ("aero caribbean" / "aerocaribbean", pinyin
  syllables / romanized words); a token counts fully when equal, and by its edit similarity when
  that is at least 0.75 (0.9 when both sound alike by their phonetic skeleton). When every word
  of one name is in the other, the score is at least 0.55 + 0.4 x the shorter name's share of the
  longer one's weight (a brand against its full legal name).
- Qualifiers: countries both known and different -0.15 (Taiwan is not China: TW != CN);
  legal forms both written in Latin and of incompatible families (GmbH vs Inc.) -0.10;
  numbers in the names that differ (digits or roman numerals, on one side or both) -0.20.

`cvrule-logic-v2` is v1 plus parts of names (quotes, brackets, "formerly" / "a.k.a.", segments)
compared at 0.10 less, and a floor of 0.75 for a name contained in the other when one of its words
is rare among the targets: see `LogicV2`.

`cvrule-logic-v3` (the default) is v2 plus abbreviations ("bros", "intl") and acronyms ("EN" for
"Eghtesad Novin") read as the words they stand for, containment that tolerates spelling variants,
and names sharing a very rare word (in the same country) raised to review; none of these ever
links on its own: see `LogicV3`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rapidfuzz.distance import Indel, Levenshtein

from cvrule.resolve.identifiers import STRONG_SCHEMES
from cvrule.resolve.legal_forms import compatible
from cvrule.resolve.model import Feature, Query, Target
from cvrule.resolve.names import NameForm, skeleton

__all__ = ["ALGORITHMS", "LogicV1", "LogicV2", "LogicV3"]

Weight = Callable[[str], float]


CONTAINED_BASE, CONTAINED_SPAN = 0.55, 0.4
"""A name whose every word is in the other scores at least BASE + SPAN x its share of the weight
(at most 0.95 of 1: below the default link threshold only for shares under 0.925)."""

FUZZY_TOKEN = 0.75
"""A token unequal to every token of the other name counts by its edit similarity from here."""

def _combine(*evidence: float) -> float:
    """Noisy-or: independent pieces of evidence."""
    remaining = 1.0
    for value in evidence:
        remaining *= 1.0 - max(0.0, min(1.0, value))
    return 1.0 - remaining


class LogicV1:
    name = "cvrule-logic-v1"
    domain_weight = 0.8
    country_penalty = 0.15
    legal_form_penalty = 0.10
    number_penalty = 0.20
    identifier_conflict_penalty = 0.5

    def score(
        self,
        query: Query,
        query_forms: Sequence[NameForm],
        target: Target,
        target_forms: Sequence[NameForm],
        weight: Weight,
        explain: bool = True,
        rare: float = float("inf"),
        very_rare: float = float("inf"),
    ) -> tuple[float, str, list[Feature]]:
        """(score, method, features); with explain=False the features are left out (faster).
        `rare`: the weight from which a name's words are rare among the targets (the index's
        `rare_weight`; v2 uses it); `very_rare`: the index's `very_rare_weight` (v3 uses it)."""
        features: list[Feature] | None = [] if explain else None
        strong_match = False
        conflict = False
        q_ids, t_ids = query.identifiers.values, target.identifiers.values
        for scheme in STRONG_SCHEMES:
            left, right = q_ids.get(scheme), t_ids.get(scheme)
            if not left or not right:
                continue
            shared = left & right
            if shared:
                value = min(shared)
                if features is not None:
                    features.append(Feature(f"{scheme}_match", 1.0, value, value,
                                            f"same {scheme.upper()} on both sides (checked)"))
                strong_match = True
            else:
                conflict = True
                if features is not None:
                    features.append(Feature(
                        f"{scheme}_conflict", -self.identifier_conflict_penalty, ", ".join(sorted(left)),
                        ", ".join(sorted(right)), f"different {scheme.upper()}: different legal entities",
                    ))
        domain_evidence = 0.0
        shared_domains = (q_ids.get("domain") or set()) & (t_ids.get("domain") or set())
        if shared_domains:
            value = min(shared_domains)
            domain_evidence = self.domain_weight
            if features is not None:
                features.append(Feature("domain_match", self.domain_weight, value, value,
                                        "same registrable web/e-mail domain (shared by a group's companies)"))

        name_score, pair, how = self.best_name(query_forms, target_forms, weight, explain, rare, very_rare)
        if pair and features is not None:
            q_form, t_form = pair
            steps = sorted(set(q_form.steps) | set(t_form.steps))
            detail = how + (f"; normalized: {'; '.join(steps)}" if steps else "")
            penalty = self.part_penalty if (q_form.part or t_form.part) else 0.0
            features.append(Feature("name", name_score + penalty, q_form.original, t_form.original, detail))
            if penalty:
                parts = "; ".join(f"{side}: {form.part}" for side, form in (("query", q_form), ("target", t_form))
                                  if form.part)
                features.append(Feature("name_part", -penalty, q_form.original, t_form.original,
                                        f"only part of a name matched ({parts})"))

        if strong_match and not conflict:
            score, method = 1.0, "identifier"
        else:
            score = _combine(name_score, domain_evidence)
            method = "identifier" if domain_evidence and domain_evidence >= name_score else "name"
            if conflict:
                score -= self.identifier_conflict_penalty

        if not strong_match:
            score -= self._qualifiers(query, target, pair, features)
        return max(0.0, min(1.0, score)), method, features if features is not None else []

    def _qualifiers(self, query: Query, target: Target, pair, features: list[Feature] | None) -> float:
        penalty = 0.0
        explain = features is not None
        if query.country and target.countries:
            if query.country in target.countries:
                if explain:
                    features.append(Feature("country_match", 0.0, query.country, ", ".join(target.countries), "same country"))
            else:
                penalty += self.country_penalty
                if explain:
                    features.append(Feature("country_mismatch", -self.country_penalty, query.country,
                                            ", ".join(target.countries), "countries differ"))
        if pair:
            q_form, t_form = pair
            if (q_form.script == "latin" and t_form.script == "latin"
                    and not compatible(q_form.legal_forms, t_form.legal_forms)):
                penalty += self.legal_form_penalty
                if explain:
                    features.append(Feature("legal_form_mismatch", -self.legal_form_penalty, ", ".join(q_form.legal_forms),
                                        ", ".join(t_form.legal_forms), "legal forms of different kinds"))
            q_numbers, t_numbers = q_form.numbers, t_form.numbers
            if q_numbers != t_numbers:
                penalty += self.number_penalty
                if explain:
                    features.append(Feature("number_mismatch", -self.number_penalty, " ".join(sorted(q_numbers)),
                                        " ".join(sorted(t_numbers)), "numbers in the names differ"))
        return penalty

    part_penalty = 0.0
    """Taken off a name score reached through part of a name (v2; v1 compares whole names only)."""

    def best_name(self, query_forms: Sequence[NameForm], target_forms: Sequence[NameForm], weight: Weight,
                  explain: bool = True, rare: float = float("inf"), very_rare: float = float("inf")):
        """(score, (query form, target form), how) of the best pair of names; a pair through a
        part of a name (`NameForm.part`) scores `part_penalty` less (v1 skips such pairs). A part
        is compared with whole names only, and only when it has a word rare among the targets
        (a place or a kind in brackets, "(HONG KONG)", "(PVT)", names nothing)."""
        best, best_pair, best_how = 0.0, None, ""
        with_parts = self.part_penalty > 0.0
        for q_form in query_forms:
            if not q_form.compact or (q_form.part and not (with_parts and _rare_word(q_form, weight, rare))):
                continue
            for t_form in target_forms:
                if not t_form.compact or (t_form.part and (q_form.part or not with_parts
                                                           or not _rare_word(t_form, weight, rare))):
                    continue
                value, how = self.name_similarity(q_form, t_form, weight, explain, rare, very_rare)
                if q_form.part or t_form.part:
                    value -= self.part_penalty
                if value > best or best_pair is None:
                    best, best_pair, best_how = value, (q_form, t_form), how
                    if value >= 1.0:
                        return best, best_pair, best_how
        return best, best_pair, best_how

    contained_rare_floor = 0.0
    """v2: the least score of a name whose every word is in the other, when one of those words is
    rare among the targets (weighs at least `rare`)."""

    def name_similarity(self, a: NameForm, b: NameForm, weight: Weight, explain: bool = True,
                        rare: float = float("inf"), very_rare: float = float("inf")) -> tuple[float, str]:
        if a.compact == b.compact:
            return 1.0, f"same name after normalization ({a.text!r})" if explain else ""
        a_tokens, b_tokens = _joined_words(a, b)
        notes: list[str] | None = [] if explain else None
        matched_a, total_a = _side(a_tokens, b_tokens, weight, notes)
        matched_b, total_b = _side(b_tokens, a_tokens, weight, None)
        total = total_a + total_b
        value = (matched_a + matched_b) / total if total else 0.0
        contained = ""
        if value < 1.0 and total_a and total_b and (matched_a == total_a or matched_b == total_b):
            # one name is the other with words added (a brand and its full legal name): the more
            # of the longer name's weight the shorter one carries, the likelier the same party
            share = min(total_a, total_b) / max(total_a, total_b)
            boosted = CONTAINED_BASE + CONTAINED_SPAN * share
            if boosted > value:
                value = boosted
                contained = f"; every word of one is in the other, carrying {share:.0%} of its weight"
            shorter = a_tokens if total_a <= total_b else b_tokens
            if self.contained_rare_floor > value and max(weight(t) for t in shorter) >= rare:
                value = self.contained_rare_floor
                contained = (f"; every word of one is in the other ({share:.0%} of its weight), and those words "
                             "include one rare among the names")
        if not explain:
            return value, ""
        how = f"weighted token overlap {value:.2f} of {' '.join(a_tokens)!r} and {' '.join(b_tokens)!r}"
        if notes:
            how += ": " + ", ".join(notes)
        return value, how + contained


def _rare_word(form: NameForm, weight: Weight, rare: float) -> bool:
    """Whether a name has a word rare among the targets (weighing at least `rare`)."""
    return any(weight(token) >= rare for token in form.tokens)


def _join_runs(tokens: tuple[str, ...], other: set[str]) -> tuple[str, ...]:
    """Adjacent tokens whose concatenation is a token of the other name are joined
    ("aero caribbean" meets "aerocaribbean"; pinyin "shang hai" meets "shanghai")."""
    if len(tokens) < 2 or all(t in other for t in tokens):
        return tokens
    return _replace_runs(tokens, lambda i, j: joined if (joined := "".join(tokens[i:j])) in other else None)


def _replace_runs(tokens: tuple[str, ...], replacement: Callable[[int, int], str | None]) -> tuple[str, ...]:
    """Runs of two to eight adjacent tokens, the longest first, replaced by the word
    `replacement(i, j)` gives for `tokens[i:j]` (None: left as they are)."""
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        for j in range(min(n, i + 8), i + 1, -1):
            word = replacement(i, j)
            if word is not None:
                out.append(word)
                i = j
                break
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


def _side(tokens: tuple[str, ...], others: tuple[str, ...], weight: Weight, notes: list[str] | None) -> tuple[float, float]:
    """(matched weight, total weight) of one name's tokens against the other's."""
    other_set = set(others)
    matched = total = 0.0
    for token in tokens:
        w = weight(token)
        total += w
        if token in other_set:
            matched += w
            continue
        if len(token) < 3 or token.isdigit():
            continue
        best, best_token = 0.0, ""
        sk = skeleton(token)
        for other in others:
            if len(other) < 3:
                continue
            similarity = Indel.normalized_similarity(token, other)
            if (len(sk) >= 2 and len(token) >= 4 and skeleton(other) == sk
                    and Levenshtein.normalized_similarity(token, other) >= 0.65):
                similarity = max(similarity, 0.9)
            if similarity > best:
                best, best_token = similarity, other
        if best >= FUZZY_TOKEN and (len(token) >= 4 or best >= 0.85):
            matched += best * w
            if notes is not None:
                notes.append(f"{token}~{best_token} ({best:.2f})")
    return matched, total


class LogicV2(LogicV1):
    """`cvrule-logic-v1`, and:

    - parts of names are compared too (names.name_parts: the part in quotes, the part in
      brackets and the name without it, the names around "formerly" / "a.k.a.", segments between
      " - " or ":"), at `part_penalty` (0.10) less than whole names: a part alone never reaches the
      default link threshold, however well it matches; a part is compared with whole names only
      (never with another part), and only when it has a word rare among the targets;
    - a name whose every word is in the other scores at least `contained_rare_floor` (0.75, for
      review at the default thresholds) when one of those words is rare among the targets (its
      IDF weight reaches the index's `rare_weight`): "AMNAFZAR" for "AMNAFZAR GOSTAR-E SHARIF".
    """

    name = "cvrule-logic-v2"
    part_penalty = 0.10
    contained_rare_floor = 0.75


ABBREVIATIONS: dict[str, str] = {
    "bros": "brothers", "bro": "brothers", "intl": "international", "int": "international",
    "inds": "industries", "ind": "industries", "indus": "industries", "mfg": "manufacturing",
    "mfrs": "manufacturers", "natl": "national", "assn": "association", "assoc": "association",
    "dept": "department", "univ": "university", "hldgs": "holdings", "hldg": "holding",
    "mgmt": "management", "mgt": "management", "dev": "development", "devt": "development",
    "est": "establishment", "estab": "establishment", "trdg": "trading", "svcs": "services",
    "svc": "services", "serv": "services", "sys": "systems", "ctr": "center", "cntr": "center",
    "inst": "institute", "ent": "enterprise", "ents": "enterprises", "engg": "engineering",
    "eng": "engineering", "tech": "technology", "techn": "technology", "elec": "electronics",
    "electr": "electronics", "sci": "scientific", "res": "research", "prod": "production",
    "petrol": "petroleum", "pharm": "pharmaceutical", "chem": "chemical", "gen": "general",
    "mach": "machinery", "equip": "equipment", "fdn": "foundation", "grp": "group",
    "exch": "exchange", "transp": "transport", "lizing": "leasing", "tv": "television",
}
"""v3: words commonly abbreviated in company names (and a few transliterated loan words, "lizing"),
each with the word it stands for; an abbreviation counts as that word when the other name has it."""

SHORTENED_CAP = 0.85
"""v3: a name matched through an abbreviation or an acronym (a word that is the initials of words
of the other name), or contained in the other only with words spelled differently, scores at most
this: for review at the default thresholds, never an automatic link."""

SHARED_RARE_BASE, SHARED_RARE_SPAN = 0.70, 0.05
"""v3: names sharing a word very rare among the targets score at least BASE + SPAN x their overlap:
review at the default thresholds, never an automatic link, and below the containment floor of
v2 (0.75) for an overlap under 1, so that a name contained in the other keeps the first place."""

SHARED_RARE_VARIANT = 0.88
"""v3: a spelling variant this similar (`_side`) of a rare word counts as sharing it."""

SHARED_RARE_SHARE = 0.25
"""v3: the shared rare words must carry at least this share of the weight of each name (tuned on
the dev half of the evaluation set: 0.20 finds more and proposes more wrong parties, 0.30 fewer
of both; see benchmarks/resolve/EVALUATION.md)."""


def _expand_abbreviations(tokens: tuple[str, ...], other: set[str], notes: list[str]) -> tuple[str, ...]:
    """Abbreviations ("bros", "intl") replaced by the word they stand for when the other name has it."""
    out = []
    for token in tokens:
        full = ABBREVIATIONS.get(token)
        if full is not None and token not in other and full in other:
            notes.append(f"{token}={full} (abbreviation)")
            out.append(full)
        else:
            out.append(token)
    return tuple(out)


def _join_acronyms(tokens: tuple[str, ...], other: tuple[str, ...], notes: list[str]) -> tuple[str, ...]:
    """Runs of words (two or more) whose initials spell a word of the other name replaced by that
    word ("eghtesad novin" meets "en"): the word is taken for an acronym of them. Words the other
    name has are never part of such a run."""
    if len(tokens) < 2:
        return tokens
    firsts = "".join(t[0] for t in tokens)
    wanted = {t for t in other if 2 <= len(t) <= 8 and t in firsts and t.isalpha() and t not in tokens}
    if not wanted:  # the initials of a run of words are a substring of all the initials
        return tokens
    others = set(other)

    def acronym(i: int, j: int) -> str | None:
        initials = firsts[i:j]
        if initials in wanted and not any(t in others for t in tokens[i:j]):
            notes.append(f"{initials!r} is the initials of {' '.join(tokens[i:j])!r} (acronym)")
            return initials
        return None

    return _replace_runs(tokens, acronym)


class LogicV3(LogicV2):
    """`cvrule-logic-v2`, and, on the words of two names:

    - a word spelled a little differently (a spelling variant counted by `_side`) still counts as
      "in the other name" for the containment rule, which then scores by the matched weight, at
      most `SHORTENED_CAP` (0.85: review);
    - common abbreviations (`ABBREVIATIONS`: "bros", "intl", "inds", ...) count as the word they
      stand for when the other name has that word;
    - a word that is the initials of two or more consecutive words of the other name counts as
      them (an acronym: "EN BANK" / "EGHTESAD NOVIN BANK"); a pair matched through an
      abbreviation or an acronym scores at most `SHORTENED_CAP` (0.85): review, never a link;
    - names that share a word very rare among the targets (its IDF weight reaches the index's
      `very_rare_weight`: held by at most about 2 of 63,000 names), or a spelling variant of it,
      carrying at least `SHARED_RARE_SHARE` (25%) of each name's weight, score at least
      0.70 + 0.05 x their overlap when the query's country is one of the target's: review, never
      an automatic link ("PAMCHEL ASIA" / "PAMCHEL TRADING BEIJING", both in China)."""

    name = "cvrule-logic-v3"

    def score(self, query: Query, query_forms: Sequence[NameForm], target: Target, target_forms: Sequence[NameForm],
              weight: Weight, explain: bool = True, rare: float = float("inf"),
              very_rare: float = float("inf")) -> tuple[float, str, list[Feature]]:
        """As v2; a very rare shared word raises a pair only when the query's country is one of the
        target's (without it, on the dev half of the evaluation, four raised pairs in five were wrong)."""
        same_country = bool(query.country) and query.country in target.countries
        return super().score(query, query_forms, target, target_forms, weight, explain, rare,
                             very_rare if same_country else float("inf"))

    def name_similarity(self, a: NameForm, b: NameForm, weight: Weight, explain: bool = True,
                        rare: float = float("inf"), very_rare: float = float("inf")) -> tuple[float, str]:
        if a.compact == b.compact:
            return 1.0, f"same name after normalization ({a.text!r})" if explain else ""
        a_tokens, b_tokens = _joined_words(a, b)
        rewrites: list[str] = []
        a_tokens = _expand_abbreviations(a_tokens, set(b_tokens), rewrites)
        b_tokens = _expand_abbreviations(b_tokens, set(a_tokens), rewrites)
        acronyms: list[str] = []
        a_tokens = _join_acronyms(a_tokens, b_tokens, acronyms)
        b_tokens = _join_acronyms(b_tokens, a_tokens, acronyms)
        notes: list[str] | None = [] if explain else None
        matched_a, total_a, missing_a = _side_and_missing(a_tokens, b_tokens, weight, notes)
        matched_b, total_b, missing_b = _side_and_missing(b_tokens, a_tokens, weight, None)
        total = total_a + total_b
        value = (matched_a + matched_b) / total if total else 0.0
        extra = ""
        if value < 1.0 and total_a and total_b and (not missing_a or not missing_b):
            # every word of one name is in the other, some perhaps spelled a little differently
            shorter_matched, shorter_total = (matched_a, total_a) if total_a <= total_b else (matched_b, total_b)
            share = shorter_matched / max(total_a, total_b)
            boosted = CONTAINED_BASE + CONTAINED_SPAN * share
            respelled = shorter_matched < shorter_total
            if respelled:
                boosted = min(boosted, SHORTENED_CAP)
            if boosted > value:
                value = boosted
                extra = (f"; every word of one is in the other{' (some spelled differently)' if respelled else ''}, "
                         f"carrying {share:.0%} of its weight")
            shorter = a_tokens if total_a <= total_b else b_tokens
            if self.contained_rare_floor > value and max(weight(t) for t in shorter) >= rare:
                value = self.contained_rare_floor
                extra = (f"; every word of one is in the other ({share:.0%} of its weight), and those words "
                         "include one rare among the names")
        lifted = SHARED_RARE_BASE + SHARED_RARE_SPAN * value
        shared_rare: list[str] = []
        if lifted > value and very_rare != float("inf") and total_a and total_b:
            # the target's words (b), weighed as the index knows them; a variant of one counts
            shared_rare = [t for t in dict.fromkeys(b_tokens) if len(t) >= 3 and not t.isdigit()
                           and weight(t) >= very_rare
                           and (t in a_tokens or _side((t,), a_tokens, weight, None)[0] >= SHARED_RARE_VARIANT * weight(t))]
        if shared_rare:
            carried = sum(weight(t) for t in shared_rare)
            if carried >= SHARED_RARE_SHARE * total_a and carried >= SHARED_RARE_SHARE * total_b:
                extra += (f"; the names share {', '.join(shared_rare)!r}, very rare among the names, and the "
                          f"country is the same: raised to {SHARED_RARE_BASE:.2f} + {SHARED_RARE_SPAN:.2f} x {value:.2f} (review)")
                value = lifted
        if (acronyms or rewrites) and value > SHORTENED_CAP:
            value = SHORTENED_CAP
            extra += f"; matched through an abbreviation or acronym: at most {SHORTENED_CAP:.2f} (review)"
        if not explain:
            return value, ""
        how = f"weighted token overlap {value:.2f} of {' '.join(a_tokens)!r} and {' '.join(b_tokens)!r}"
        described = rewrites + acronyms + (notes or [])
        if described:
            how += ": " + ", ".join(described)
        return value, how + extra


def _joined_words(a: NameForm, b: NameForm) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of two names with runs of one joined where they spell a word of the other
    ("rosoboron export" meets "rosoboronexport")."""
    b_tokens = _join_runs(b.tokens, set(a.tokens))
    a_tokens = _join_runs(a.tokens, set(b_tokens))
    if a_tokens != a.tokens or b_tokens != b.tokens:
        b_tokens = _join_runs(b_tokens, set(a_tokens))
    return a_tokens, b_tokens


def _side_and_missing(tokens: tuple[str, ...], others: tuple[str, ...], weight: Weight,
                      notes: list[str] | None) -> tuple[float, float, tuple[str, ...]]:
    """`_side`, and the tokens with no counterpart at all in the other name (neither equal nor a
    spelling variant)."""
    other_set = set(others)
    matched = total = 0.0
    missing: list[str] = []
    for token in tokens:
        if token in other_set:
            w = weight(token)
            matched += w
            total += w
            continue
        found, weighed = _side((token,), others, weight, notes)
        matched += found
        total += weighed
        if not found:
            missing.append(token)
    return matched, total, tuple(missing)


ALGORITHMS: dict[str, LogicV1] = {LogicV1.name: LogicV1(), LogicV2.name: LogicV2(), LogicV3.name: LogicV3()}
"""Every algorithm by its stable name; the default is in ResolveSettings.algorithm."""
