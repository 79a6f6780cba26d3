"""How the nexus reads stakes as the store holds them (15 CFR 791.301, "owned by, controlled by"):
stakes stated as indirect, accounting consolidation beside a stated share, and the name of a
party GLEIF knows only by its LEI."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.engine.pipeline import nexus_workspace
from cvrule.ingest.facts import ControlFact, OwnershipFact, PartyFact, SourceInfo
from cvrule.store import Store
from cvrule.workspace import Workspace

DAY = date(2029, 10, 1)
runner = CliRunner()


def _load(space: Workspace, name: str, facts: list) -> None:
    with Store(space.create().store_path) as store:
        store.ingest(name, name * 4, 1, lambda: (SourceInfo("test"), iter(facts)))


def _status(space: Workspace, law) -> dict[str, tuple[str, str | None]]:
    nexus_workspace(space, DAY, law)
    with Store(space.store_path) as store:
        return {name: (linkage, basis) for name, linkage, basis in store._con.execute(
            "SELECT name, linkage, basis FROM party_status WHERE as_of = ?", [DAY]).fetchall()}


def _evidence(space: Workspace, node_suffix: str) -> list[tuple]:
    with Store(space.store_path) as store:
        return store._con.execute(
            "SELECT fixpoint, kind, share_min, share_max, share_unknown, location FROM party_status_evidence"
            " WHERE as_of = ? AND relation = 'ownership' AND node LIKE ? ORDER BY fixpoint, location",
            [DAY, f"%{node_suffix}"]).fetchall()


def test_an_indirect_stake_is_not_added_to_the_direct_holdings(tmp_path, law):
    space = Workspace(tmp_path)
    _load(space, "a", [
        PartyFact("cn", "Shanghai Holding", "p/0", country="CN"),
        PartyFact("child", "Child GmbH", "p/1", country="DE"),
        # 30 % directly and 30 % through a chain the file does not give: not a majority of 60 %
        OwnershipFact("cn", "child", "o/0", interest="voting", share_min=0.3, share_max=0.3),
        OwnershipFact("cn", "child", "o/1", interest="voting", share_min=0.3, share_max=0.3, direct=False),
    ])
    status = _status(space, law)
    assert status["Child GmbH"] == ("linked", "dominant_minority")  # on the direct 30 % alone
    assert [row[:2] for row in _evidence(space, ":child")] == [("linked", None)]


def test_an_indirect_stake_without_a_direct_path_makes_the_party_indeterminate_not_linked(tmp_path, law):
    space = Workspace(tmp_path)
    _load(space, "a", [
        PartyFact("cn", "Shenzhen Ultimate Parent", "p/0", country="CN"),
        PartyFact("child", "Far Subsidiary Ltd", "p/1", country="GB"),
        OwnershipFact("cn", "child", "o/0", interest="shareholding", share_min=0.72, share_max=0.72, direct=False),
    ])
    status = _status(space, law)
    assert status["Far Subsidiary Ltd"] == ("indeterminate", "review_share")
    assert _evidence(space, ":child") == [("possible", "indirect", 0.72, 0.72, False, "o/0")]
    why = runner.invoke(app, ["why", "Far Subsidiary Ltd", "--workspace", str(tmp_path)])
    assert why.exit_code == 0, why.output
    assert "INDETERMINATE" in why.output and "indirectly, through a chain the source does not give" in why.output


def test_an_indirect_stake_beside_a_direct_chain_leaves_the_chain_to_prove_it(tmp_path, law):
    space = Workspace(tmp_path)
    _load(space, "a", [
        PartyFact("cn", "Shenzhen Ultimate Parent", "p/0", country="CN"),
        PartyFact("mid", "Mid Holding BV", "p/1", country="NL"),
        PartyFact("child", "Far Subsidiary Ltd", "p/2", country="GB"),
        OwnershipFact("cn", "mid", "o/0", interest="voting", share_min=1.0, share_max=1.0),
        OwnershipFact("mid", "child", "o/1", interest="voting", share_min=1.0, share_max=1.0),
        OwnershipFact("cn", "child", "o/2", interest="voting", share_min=1.0, share_max=1.0, direct=False),
    ])
    status = _status(space, law)
    assert status["Far Subsidiary Ltd"] == ("linked", "majority")
    assert [(row[0], row[-1]) for row in _evidence(space, ":child")] == [("linked", "o/1")]  # the direct step only


def test_an_unlinked_holders_indirect_stake_does_not_outweigh_a_linked_dominant_minority(tmp_path, law):
    space = Workspace(tmp_path)
    _load(space, "a", [
        PartyFact("cn", "Beijing Investor", "p/0", country="CN"),
        PartyFact("us", "Delaware Fund LP", "p/1", country="US"),
        PartyFact("child", "Target Inc", "p/2", country="US"),
        OwnershipFact("cn", "child", "o/0", interest="voting", share_min=0.3, share_max=0.3),
        OwnershipFact("us", "child", "o/1", interest="voting", share_min=0.2, share_max=0.2),
        OwnershipFact("us", "child", "o/2", interest="voting", share_min=0.4, share_max=0.4, direct=False),
    ])
    assert _status(space, law)["Target Inc"] == ("linked", "dominant_minority")


def _gleif_consolidation(parent: str, child: str, direct: bool) -> list:
    kind = "accounting consolidation (GLEIF Level 2)"
    return [OwnershipFact(parent, child, "rr/0", interest="consolidation", direct=direct, detail=kind),
            ControlFact(parent, child, "other", "rr/0", detail=kind)]


def test_an_accounting_consolidation_does_not_override_a_stated_share(tmp_path, law):
    lei_parent, lei_child = "5493000000000000PA01", "5493000000000000CH02"
    parties = [PartyFact(lei_parent, "Shenzhen Parent Co., Ltd.", "p/0", country="CN", identifiers={"lei": lei_parent}),
               PartyFact(lei_child, "Child Inc", "p/1", country="US", identifiers={"lei": lei_child})]
    space = Workspace(tmp_path / "direct")
    _load(space, "a", [*parties, *_gleif_consolidation(lei_parent, lei_child, direct=True)])
    _load(space, "b", [*parties, OwnershipFact(lei_parent, lei_child, "o/0", interest="voting", share_min=0.6, share_max=0.6)])
    assert _status(space, law)["Child Inc"] == ("linked", "majority")
    # the consolidation stays as evidence beside the stated share
    assert [(kind, unknown) for _, kind, _, _, unknown, _ in _evidence(space, lei_child)] == [
        (None, False), ("consolidation", True)]
    why = runner.invoke(app, ["why", lei_child, "--workspace", str(space.root)])
    assert "holds 60%" in why.output and "(accounting consolidation)" in why.output

    ultimate = Workspace(tmp_path / "ultimate")
    _load(ultimate, "a", [*parties, *_gleif_consolidation(lei_parent, lei_child, direct=False)])
    _load(ultimate, "b", [*parties, OwnershipFact(lei_parent, lei_child, "o/0", interest="voting", share_min=0.6, share_max=0.6)])
    assert _status(ultimate, law)["Child Inc"] == ("linked", "majority")


def test_a_consolidation_alone_leaves_the_share_unknown(tmp_path, law):
    lei_parent, lei_child = "5493000000000000PA01", "5493000000000000CH02"
    space = Workspace(tmp_path)
    _load(space, "a", [
        PartyFact(lei_parent, "Shenzhen Parent Co., Ltd.", "p/0", country="CN", identifiers={"lei": lei_parent}),
        PartyFact(lei_child, "Child Inc", "p/1", country="US", identifiers={"lei": lei_child}),
        *_gleif_consolidation(lei_parent, lei_child, direct=True),
    ])
    assert _status(space, law)["Child Inc"] == ("indeterminate", "review_share")


def test_a_party_gleif_knows_only_by_its_lei_takes_the_name_another_source_gives(tmp_path, law):
    lei = "5493000000000000SU03"
    space = Workspace(tmp_path)
    # file "a" (sorted first) names the LEI only, as a GLEIF relationship file does without Level 1
    _load(space, "a", [PartyFact(lei, f"(LEI {lei})", "rr/0", identifiers={"lei": lei}),
                       PartyFact("5493000000000000PA01", "(LEI 5493000000000000PA01)", "rr/0",
                                 identifiers={"lei": "5493000000000000PA01"}),
                       OwnershipFact("5493000000000000PA01", lei, "rr/0", interest="consolidation")])
    _load(space, "b", [PartyFact("sup-7", "Supplier Seven GmbH", "r/7", country="DE", identifiers={"lei": lei})])
    status = _status(space, law)
    assert "Supplier Seven GmbH" in status
    assert f"(LEI {lei})" not in status
    assert "(LEI 5493000000000000PA01)" in status  # no other source names it: the placeholder stays
    why = runner.invoke(app, ["why", "Supplier Seven GmbH", "--workspace", str(tmp_path)])
    assert why.exit_code == 0 and "Supplier Seven GmbH [lei:" in why.output
