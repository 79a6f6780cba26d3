"""A resolution run handles the mentions as a set in the database, and gives exactly what the
per-mention run it replaced gave: the same `resolution_mentions` rows, candidates, counts and
screening flags, in the same order. The per-mention run is kept here, as the oracle."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cvrule.ingest.facts import ItemFact, ListEntry, PartyFact, RoleMention, SourceInfo
from cvrule.ingest.load import ingest_paths
from cvrule.resolve import ResolveSettings, resolve_store
from cvrule.resolve.identifiers import purl_hints
from cvrule.resolve.matcher import Outcome, match_all
from cvrule.resolve.model import Query, Target
from cvrule.resolve.run import KEEP_CANDIDATES, _candidate_row, _load
from cvrule.resolve.subjects import mention_query, party_hints, party_query
from cvrule.store import Store
from cvrule.store.resolution import _NAMESPACE_SQL, MENTION_FIELDS, ResolutionStore
from cvrule.workspace import Workspace

from conftest import REPO

DEMO_FLEET = REPO / "examples" / "demo-fleet"


# -- the oracle: the per-mention run as it was ---------------------------------------------------

def purl_namespace(purl: str | None) -> str | None:
    if not purl or not purl.startswith("pkg:"):
        return purl
    body = purl[4:].split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return "pkg:" + body.rsplit("/", 1)[0] + "/_" if "/" in body else purl


_PER_MENTION = """
SELECT m.source_id, m.item, m.role, m.name, m.location, m.party, m.country, m.url, m.email, i.purl, p.key
FROM role_mentions m
LEFT JOIN (SELECT source_id, key, any_value(purl) AS purl FROM items GROUP BY source_id, key) i
       ON i.source_id = m.source_id AND i.key = m.item
LEFT JOIN (SELECT DISTINCT source_id, key FROM parties) p ON p.source_id = m.source_id AND p.key = m.party
ORDER BY m.source_id, m.item, m.role, m.name, m.location
"""


def per_mention_run(store: Store, settings: ResolveSettings) -> tuple[dict, list[dict], list[dict], list[dict]]:
    """(counts, mention rows, candidate rows, flags) as the per-mention run computed them."""
    party_matcher, list_matcher, _, bom_parties = _load(store, settings)
    mentions = [list(row) for row in store._con.execute(_PER_MENTION).fetchall()]
    for mention in mentions:
        mention[3] = mention[3] or ""
        if mention[10] and (mention[0], mention[10]) in bom_parties:
            mention[10] = None
    subjects: dict[str, Query] = {}
    mention_subject: list[str] = []
    seen: dict[tuple, str] = {}
    for source_id, _item, role, name, _location, party, country, url, email, purl, _in_file in mentions:
        hint_country, identifiers = party_hints(bom_parties.get((source_id, party or "")))
        written = (name, country or hint_country, url, email, purl_namespace(purl), role, identifiers)
        key = seen.get(written)
        if key is None:
            key, query = mention_query(*written)
            seen[written] = key
            subjects.setdefault(key, query)
        mention_subject.append(key)
    outcomes: dict[str, Outcome] = {}
    candidate_rows: list[dict] = []
    items = list(subjects.items())
    for (key, query), outcome in zip(items, match_all(party_matcher, items, KEEP_CANDIDATES)):
        outcomes[key] = outcome
        for rank, candidate in enumerate(outcome.candidates, start=1):
            status = "confirmed" if candidate.method == "analyst" else "open"
            candidate_rows.append(_candidate_row("", "link", key, query, rank, candidate, status))
    counts = {"mentions": len(mentions), "subjects": len(subjects), "parties": len(party_matcher.index),
              "list_entries": len(list_matcher.index), "linked_file": 0, "linked_identifier": 0,
              "linked_name": 0, "linked_analyst": 0, "review": 0, "unresolved": 0}
    rows: list[dict] = []
    linked_targets: dict[str, Target] = {}
    for (source_id, item, role, name, location, party, *_, in_file), key in zip(mentions, mention_subject):
        row = {"source_id": source_id, "item": item, "role": role, "name": name, "location": location,
               "subject_key": key}
        if in_file:
            row.update(status="linked", method="file", party_ref=party, party_source_id=source_id, party_name=None,
                       score=1.0, candidate_id=None, reason=f"the file links this mention to its party {party!r}")
            counts["linked_file"] += 1
        else:
            outcome = outcomes[key]
            chosen = outcome.chosen
            if outcome.status == "linked":
                method = chosen.method if chosen.method in ("identifier", "analyst") else "name"
                counts[f"linked_{method}"] += 1
                linked_targets.setdefault(chosen.target.ref, chosen.target)
            else:
                method = None
                counts[outcome.status] += 1
            row.update(status=outcome.status, method=method, party_ref=chosen.target.ref if chosen else None,
                       party_source_id=chosen.target.source_id if chosen else None,
                       party_name=chosen.target.name if chosen else None,
                       score=round(chosen.score, 6) if chosen else None,
                       candidate_id=chosen.candidate_id if chosen else None, reason=outcome.reason)
        rows.append(row)
    flags: list[dict] = []
    if len(list_matcher.index):
        screen: dict[str, Query] = dict(subjects)
        file_parties = {(m[0], m[5]) for m in mentions if m[10]}
        for target in party_matcher.index.targets:
            if target.ref in linked_targets or (target.source_id, target.key) in file_parties:
                key, query = party_query(target)
                screen.setdefault(key, query)
        items = [(key, query) for key, query in screen.items() if query.names or query.identifiers.values]
        screened = match_all(list_matcher, items, keep=1_000_000, floor=settings.screening_threshold)
        for (key, query), outcome in zip(items, screened):
            for rank, hit in enumerate(outcome.candidates, start=1):
                status = "confirmed" if hit.method == "analyst" else "open"
                row = _candidate_row("", "screening", key, query, rank, hit, status)
                candidate_rows.append(row)
                flags.append(row)
    counts["screening_flags"] = len(flags)
    return counts, rows, candidate_rows, flags


# -- the comparison ------------------------------------------------------------------------------

def _without_run(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "run_id"}


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: [(value is None, str(value)) for value in row.values()])


def assert_same_as_per_mention(space: Workspace) -> dict:
    settings = ResolveSettings(workers=1)
    with Store(space.store_path) as store:
        counts, rows, candidates, flags = per_mention_run(store, settings)
        report = resolve_store(store, settings, actor="tester")
        resolution = ResolutionStore(store)
        stored = [_without_run(r) for r in resolution.mention_results()]
        cursor = store._con.execute("SELECT * FROM resolution_candidates ORDER BY rowid")
        names = [d[0] for d in cursor.description]
        stored_candidates = [_without_run(dict(zip(names, row))) for row in cursor.fetchall()]
    assert report.counts == counts
    assert list(report.counts) == list(counts)  # the same order, for the command's output
    assert all(list(row) == MENTION_FIELDS[1:] for row in stored)
    assert len(stored) == len(rows) == counts["mentions"]
    assert _sorted(stored) == _sorted(rows)
    assert stored_candidates == [_without_run(r) for r in candidates]  # same rows, same order
    assert [_without_run(f) for f in report.flags] == [_without_run(f) for f in flags]
    return counts


@pytest.fixture(scope="module")
def demo_space(tmp_path_factory) -> Workspace:
    space = Workspace(tmp_path_factory.mktemp("demo") / "ws")
    ingest_paths(space, [DEMO_FLEET])
    return space


def test_the_demo_fleet_resolves_as_the_per_mention_run_resolved_it(demo_space):
    counts = assert_same_as_per_mention(demo_space)
    assert counts["mentions"] > 3000 and counts["subjects"] < counts["mentions"]
    assert counts["linked_file"] > 0 and counts["screening_flags"] > 0


def test_a_second_run_replaces_the_first_with_the_same_rows(demo_space):
    assert_same_as_per_mention(demo_space)
    with Store(demo_space.store_path) as store:
        runs = store._con.execute("SELECT count(DISTINCT run_id) FROM resolution_mentions").fetchone()[0]
    assert runs == 1


def _load_facts(store: Store, path: str, digest: str, source_format: str, facts) -> None:
    store.ingest(path, digest * 64, 1, lambda: (SourceInfo(source_format), list(facts)))


EDGE_BOM = [
    ItemFact("fw", "Firmware", "/c/0", "software", purl="pkg:maven/com.quectel.fw/modem@1.0#sub/dir?x=1"),
    ItemFact("fw2", "Firmware 2", "/c/1", "software", purl="pkg:maven/com.quectel.fw/other@2.0/"),
    ItemFact("lib", "Library", "/c/2", "software", purl="pkg:generic/zlib@1.3"),
    ItemFact("odd", "Odd", "/c/3", "software", purl="not-a-purl/x"),
    ItemFact("a-plain", "Modem tools", "/c/7", "software"),
    ItemFact("gh-a", "Modem tools", "/c/4", "software", purl="pkg:github/quectel/tools@1"),
    ItemFact("gh-b", "Modem tools", "/c/5", "software", purl="pkg:github/fibocom/tools@1"),
    ItemFact("gh-c", "Modem tools", "/c/6", "software", purl="pkg:github/fibocom/more@1"),
    PartyFact("sup-1", "Quectel Wireless Solutions", "/p/0", country="CN", identifiers={"lei": "5493001KJTIIGC8Y1R12"}),
    PartyFact("", "A party keyed by nothing", "/p/1", country="DE", identifiers={"duns": "123456789"}),
    RoleMention("fw", "supplied_by", "QUECTEL", "/c/0/supplier", party="sup-1"),
    RoleMention("fw2", "supplied_by", "Quectel", "/c/1/supplier", party="sup-1", country=""),
    RoleMention("fw", "developed_by", "Quectel", "/c/0/author"),
    RoleMention("lib", "supplied_by", "zlib", "/c/2/supplier", url="https://zlib.net", email="x@zlib.net"),
    RoleMention("lib", "supplied_by", "zlib", "/c/2/supplier2", url="https://zlib.net"),
    RoleMention("odd", "manufactured_by", "Robert Bosch GmbH", "/c/3/m", country="Germany"),
    RoleMention("odd", "supplied_by", "Acme", "/c/3/s"),
    RoleMention("gh-b", "supplied_by", "Wireless Modules Ltd", "/c/5/s"),
    RoleMention("a-plain", "supplied_by", "Wireless Modules Ltd", "/c/7/s"),
    RoleMention("gh-a", "supplied_by", "Wireless Modules Ltd", "/c/4/s"),
    RoleMention("gh-c", "supplied_by", "WIRELESS MODULES LTD", "/c/6/s"),
    RoleMention("nowhere", "supplied_by", "Gazprom", "/c/9/s", party="missing", country="RU"),
]
EDGE_REGISTER = [
    PartyFact("reg-bosch", "Robert Bosch GmbH", "/r/0", country="DE"),
    PartyFact("o'neil", "O'Neil \"Parts\" Ltd", "/r/1", country="IE"),
    PartyFact("", "A register party keyed by nothing", "/r/3"),
    ItemFact("part", "Part", "/r/2", "hardware"),
    RoleMention("part", "manufactured_by", "Robert Bosch", "/r/2/m", party="reg-bosch"),
    RoleMention("part", "supplied_by", "O'Neil Parts", "/r/2/s", party="o'neil"),
    RoleMention("part", "designed_by", "Robert Bosch GmbH", "/r/2/d", party=""),
]
EDGE_OWNERSHIP = [
    PartyFact("ftm-quectel-modules", "Quectel Wireless Modules Ltd", "/o/3", country="CN"),
    PartyFact("ftm-fibocom-modules", "Fibocom Wireless Modules Ltd", "/o/4", country="CN"),
    PartyFact("5493001KJTIIGC8Y1R12", "Quectel Wireless Solutions Co., Ltd.", "/o/0", country="CN"),
    PartyFact("ftm-bosch", "Robert Bosch GmbH", "/o/1", country="DE"),
    PartyFact("ftm-gazprom", "Gazprom PJSC", "/o/2", country="RU"),
]
EDGE_LIST = [ListEntry("el-1", "Entity List", "Gazprom", "/l/0", countries=["RU"]),
             ListEntry("el-2", "Entity List", "Quectel", "/l/1", countries=["CN"])]


def test_bom_records_file_links_and_package_urls_resolve_as_before(tmp_path):
    space = Workspace(tmp_path / "ws").create()
    with Store(space.store_path) as store:
        _load_facts(store, "bom.json", "b", "cyclonedx-json", EDGE_BOM)
        _load_facts(store, "register.csv", "c", "supplier-register-csv", EDGE_REGISTER)
        _load_facts(store, "owners.json", "d", "ftm", EDGE_OWNERSHIP)
        _load_facts(store, "list.json", "e", "csl-json", EDGE_LIST)
    counts = assert_same_as_per_mention(space)
    assert counts["linked_file"] == 2 and counts["mentions"] == len([f for f in EDGE_BOM + EDGE_REGISTER
                                                                     if isinstance(f, RoleMention)])


def test_a_workspace_without_mentions_writes_no_mention_rows(tmp_path):
    space = Workspace(tmp_path / "ws").create()
    with Store(space.store_path) as store:
        _load_facts(store, "owners.json", "d", "ftm", EDGE_OWNERSHIP)
    counts = assert_same_as_per_mention(space)
    assert counts["mentions"] == 0 and counts["subjects"] == 0


# -- the package URL's namespace, in SQL ------------------------------------------------------

_PURL_TEXT = st.text(alphabet=st.sampled_from(list("/#?:@%ab.é\n ") + ["\u0301", "😀"]), max_size=14)


_CON = duckdb.connect()


@hypothesis_settings(deadline=None)
@given(st.lists(st.one_of(st.none(), _PURL_TEXT, _PURL_TEXT.map(lambda s: "pkg:" + s)), min_size=1, max_size=30))
def test_the_namespace_in_sql_is_the_package_url_cut_as_before(purls):
    con = _CON
    con.register("t", pa.table({"n": list(range(len(purls))), "purl": purls},
                               schema=pa.schema([("n", pa.int64()), ("purl", pa.string())])))
    got = con.execute(f"SELECT {_NAMESPACE_SQL} FROM t ORDER BY n").fetchall()
    con.unregister("t")
    assert [g for (g,) in got] == [purl_namespace(p) for p in purls]


# -- what a form may leave out -------------------------------------------------------------------

_NAMESPACES = st.sampled_from([
    None, "", "pkg:generic/_", "pkg:maven/com.quectel.sdk/_", "pkg:maven/com.quectel.fw/_", "pkg:maven/cn.fibocom/_",
    "pkg:maven/org/_", "pkg:github/quectel/_", "pkg:github/fibocom/_", "pkg:npm/%40quectel/_",
    "pkg:golang/gitee.com/quectel/_", "pkg:golang/quectel.com/sdk/_", "pkg:golang/www.quectel.com/x/_",
])


@hypothesis_settings(deadline=None)
@given(st.sampled_from(["Quectel", "quectel.com", "Fibocom Wireless Inc.", "", "LEI 5493001KJTIIGC8Y1R12"]),
       st.sampled_from([None, "CN", "Germany"]), st.sampled_from([None, "https://www.quectel.com"]),
       _NAMESPACES, _NAMESPACES, st.sampled_from([None, "supplied_by", "manufactured_by", "authored_by"]))
def test_a_package_url_counts_for_a_subject_only_through_what_purl_hints_finds(name, country, url, one, other, role):
    """A form groups mentions whose namespaces point at the same domain (`mention_forms`): they
    must have the same subject key, and the same query where the whole of `purl_hints` agrees."""
    first_key, first_query = mention_query(name, country, url, None, one, role)
    other_key, other_query = mention_query(name, country, url, None, other, role)
    if purl_hints(one)[0] == purl_hints(other)[0]:
        assert first_key == other_key
    if purl_hints(one) == purl_hints(other):
        assert first_query == other_query
