"""The nexus over a workspace: parties joined across files by LEI, share ranges from the store,
the status table written through the store, and `cvrule why` printing the path with its basis."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.engine.pipeline import nexus_workspace
from cvrule.ingest.facts import ControlFact, OwnershipFact, PartyFact, SourceInfo
from cvrule.store import Store
from cvrule.workspace import Workspace

CASES = Path(__file__).parents[1] / "cases"
CHAIN = CASES / "791_301" / "persons" / "three-level-holding-chain-from-prc-state-links-irish-developer.yaml"
DAY = date(2029, 10, 1)
runner = CliRunner()


def _load(space: Workspace, name: str, facts: list) -> None:
    with Store(space.create().store_path) as store:
        store.ingest(name, name * 4, 1, lambda: (SourceInfo("test"), iter(facts)))


def test_why_prints_the_path_down_to_the_root_with_the_cfr_basis_and_parameters(tmp_path):
    space = ["--workspace", str(tmp_path)]
    assert runner.invoke(app, ["ingest", str(CHAIN), *space]).exit_code == 0
    result = runner.invoke(app, ["nexus", "--as-of", DAY.isoformat(), *space])
    assert result.exit_code == 0, result.output
    assert "linked         4" in result.output
    why = runner.invoke(app, ["why", "liffey", *space])
    assert why.exit_code == 0, why.output
    text = why.output
    assert "Liffey Connected Software Limited" in text and "LINKED to the PRC or Russia" in text
    assert "15 CFR 791.301" in text
    assert "majority_share = 50%" in text and "covered_jurisdictions = CN, HK, MO, RU" in text
    # the path goes down holder by holder to the party linked on its own facts
    order = [text.index(name) for name in ("Liffey", "Straits Mobility", "Kowloon Bay Mobility", "organized in HK")]
    assert order == sorted(order)
    clear = runner.invoke(app, ["why", "Cascade Motor Company", *space])
    assert clear.exit_code == 0 and "NOT LINKED" in clear.output
    missing = runner.invoke(app, ["why", "nobody", *space])
    assert missing.exit_code == 1 and "no party 'nobody'" in missing.output


def test_why_without_a_run_for_the_date_says_what_to_do(tmp_path):
    space = ["--workspace", str(tmp_path)]
    runner.invoke(app, ["ingest", str(CHAIN), *space])
    runner.invoke(app, ["nexus", "--as-of", "2029-10-01", *space])
    result = runner.invoke(app, ["why", "liffey", "--as-of", "2030-01-01", *space])
    assert result.exit_code == 2 and "cvrule nexus --as-of 2030-01-01" in result.output


def test_parties_sharing_an_lei_across_files_are_one_party(tmp_path):
    space = Workspace(tmp_path)
    lei = "5493001KJTIIGC8Y1R12"
    _load(space, "a", [
        PartyFact("cn", "Beijing Parent", "p/0", country="CN"),
        PartyFact("sub", "Subsidiary (file A)", "p/1", country="US", identifiers={"lei": lei}),
        OwnershipFact("cn", "sub", "o/0", interest="voting", share_min=0.6, share_max=0.6),
    ])
    _load(space, "b", [
        PartyFact("x", "Subsidiary (file B)", "p/0", country="US", identifiers={"lei": lei.lower()}),
        PartyFact("down", "Downstream GmbH", "p/1", country="DE"),
        OwnershipFact("x", "down", "o/0", interest="voting", share_min=1.0, share_max=1.0),
        PartyFact("other", "Other Co", "p/2", country="US"),
        OwnershipFact("cn", "other", "o/1", interest="voting", share_min=0.9, share_max=0.9),
    ])
    nexus_workspace(space, DAY, _law())
    with Store(space.store_path) as store:
        rows = {r[0]: r[1] for r in store._con.execute(
            "SELECT node, linkage FROM party_status WHERE as_of = ?", [DAY]).fetchall()}
    assert rows[f"lei:{lei}"] == "linked"
    downstream = [node for node in rows if node.endswith(":down")]
    assert rows[downstream[0]] == "linked"  # through the LEI, across the two files
    # `cn` in file b names no party of file b: a party of its own, nothing known about it
    other = [node for node in rows if node.endswith(":other")]
    assert rows[other[0]] == "indeterminate"


def test_sources_that_disagree_on_a_share_make_the_party_indeterminate(tmp_path):
    space = Workspace(tmp_path)
    lei_parent, lei_child = "5493000000000000PA01", "5493000000000000CH02"
    parties = [PartyFact("parent", "Shenzhen Parent", "p/0", country="CN", identifiers={"lei": lei_parent}),
               PartyFact("child", "Child Inc", "p/1", country="US", identifiers={"lei": lei_child})]
    _load(space, "a", [*parties, OwnershipFact("parent", "child", "o/0", interest="voting", share_min=0.6, share_max=0.6)])
    _load(space, "b", [*parties, OwnershipFact("parent", "child", "o/0", interest="voting", share_min=0.2, share_max=0.2)])
    nexus_workspace(space, DAY, _law())
    with Store(space.store_path) as store:
        status = dict(store._con.execute("SELECT node, linkage FROM party_status WHERE as_of = ?", [DAY]).fetchall())
    assert status[f"lei:{lei_child}"] == "indeterminate"


def test_bods_bands_with_exclusive_bounds_and_voting_rows_win_over_shareholding(tmp_path):
    space = Workspace(tmp_path)
    _load(space, "a", [
        PartyFact("ru", "Moscow Holding", "p/0", country="RU"),
        PartyFact("a", "Band Co", "p/1", country="US"),
        PartyFact("b", "Double Co", "p/2", country="US"),
        PartyFact("c", "Control Co", "p/3", country="US"),
        # "more than 50 % up to 75 %" (UK PSC band): a majority
        OwnershipFact("ru", "a", "o/0", interest="shareholding", share_min=0.5, share_max=0.75, min_exclusive=True),
        # the same holding stated as 20 % of shares and 20 % of votes: 20 %, not 40 %
        OwnershipFact("ru", "b", "o/1", interest="shareholding", share_min=0.2, share_max=0.2),
        OwnershipFact("ru", "b", "o/2", interest="voting", share_min=0.2, share_max=0.2),
        ControlFact("ru", "c", "veto", "c/0", start=date(2030, 1, 1)),
    ])
    nexus_workspace(space, DAY, _law())
    with Store(space.store_path) as store:
        status = {name: (linkage, basis) for name, linkage, basis in store._con.execute(
            "SELECT name, linkage, basis FROM party_status WHERE as_of = ?", [DAY]).fetchall()}
        evidence = store._con.execute(
            "SELECT share_min, min_exclusive, location FROM party_status_evidence WHERE as_of = ? AND relation = 'ownership'"
            " AND node LIKE '%:a'", [DAY]).fetchall()
    assert status["Band Co"] == ("linked", "majority")
    assert status["Double Co"] == ("indeterminate", "review_share")
    assert status["Control Co"] == ("not_linked", None)  # the veto starts in 2030
    assert evidence == [(0.5, True, "o/0")]


def test_synth_graph_is_deterministic_and_loads_into_the_workspace(tmp_path):
    import pyarrow.parquet as pq

    for folder in ("one", "two"):
        result = runner.invoke(app, ["synth", "graph", "--parties", "3000", "--seed", "5", "--out", str(tmp_path / folder)])
        assert result.exit_code == 0, result.output
    for table in ("g_parties", "g_stakes", "g_controls"):
        assert pq.read_table(tmp_path / "one" / f"{table}.parquet").equals(pq.read_table(tmp_path / "two" / f"{table}.parquet"))
    other = runner.invoke(app, ["synth", "graph", "--parties", "3000", "--seed", "6", "--out", str(tmp_path / "three")])
    assert other.exit_code == 0
    assert not pq.read_table(tmp_path / "one" / "g_stakes.parquet").equals(pq.read_table(tmp_path / "three" / "g_stakes.parquet"))
    space = ["--workspace", str(tmp_path / "ws")]
    assert runner.invoke(app, ["synth", "graph", "--parties", "3000", "--seed", "5", *space]).exit_code == 0
    result = runner.invoke(app, ["nexus", "--as-of", "2029-10-01", *space])
    assert result.exit_code == 0, result.output
    assert "3000 parties" in result.output
    parties = pq.read_table(tmp_path / "one" / "g_parties.parquet").to_pylist()
    assert {"CN", "HK", "MO", "RU", "KY"} <= {p["country"] for p in parties}
    linked = next(p for p in parties if p["kind"] == "organization" and p["country"] == "CN" and p["lei"] is None)
    why = runner.invoke(app, ["why", f"P{linked['node']}", *space])
    assert why.exit_code == 0 and "LINKED" in why.output, why.output


def _law():
    from cvrule.law import Law

    return Law.load()


def test_nexus_refuses_an_unknown_engine_a_bad_date_and_an_empty_workspace(tmp_path):
    space = ["--workspace", str(tmp_path / "empty")]
    result = runner.invoke(app, ["nexus", *space])
    assert result.exit_code == 2 and "no workspace store" in result.output
    runner.invoke(app, ["ingest", str(CHAIN), "--workspace", str(tmp_path / "ws")])
    bad_engine = runner.invoke(app, ["nexus", "--engine", "oracle", "--workspace", str(tmp_path / "ws")])
    assert bad_engine.exit_code == 2 and "duckdb, spark" in bad_engine.output
    bad_date = runner.invoke(app, ["nexus", "--as-of", "next week", "--workspace", str(tmp_path / "ws")])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output


def test_a_second_run_for_the_same_date_replaces_the_first(tmp_path):
    space = ["--workspace", str(tmp_path)]
    runner.invoke(app, ["ingest", str(CHAIN), *space])
    for _ in range(2):
        assert runner.invoke(app, ["nexus", "--as-of", "2029-10-01", *space]).exit_code == 0
    assert runner.invoke(app, ["nexus", "--as-of", "2015-01-01", *space]).exit_code == 2  # before the rule
    with Store(Workspace(tmp_path).store_path) as store:
        counts = store._con.execute("SELECT as_of, count(*) FROM party_status GROUP BY as_of").fetchall()
    assert counts == [(DAY, 6)]
