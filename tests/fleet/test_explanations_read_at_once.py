"""The persons analysis reads what `cvrule why` needs for a fleet's parties in three queries, not
three per party: the rows it reads at once are the rows the per-party reads give, and so are the
explanations built from them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.fleet.persons import StoreWhyReader
from cvrule.nexus.explain import explain_party
from cvrule.store import Store, nexus_tables
from cvrule.workspace import Workspace

OWNERSHIP = Path(__file__).parents[2] / "examples" / "demo-fleet" / "ownership"
DAY = date(2029, 10, 1)
runner = CliRunner()


def _workspace(tmp_path: Path) -> Workspace:
    space = ["--workspace", str(tmp_path)]
    assert runner.invoke(app, ["ingest", str(OWNERSHIP), *space]).exit_code == 0
    result = runner.invoke(app, ["nexus", "--as-of", DAY.isoformat(), *space])
    assert result.exit_code == 0, result.output
    return Workspace(tmp_path)


def test_the_rows_read_at_once_are_the_rows_read_party_by_party(tmp_path):
    space = _workspace(tmp_path)
    with Store(space.store_path) as store:
        nodes = [row[0] for row in store._con.execute(
            "SELECT node FROM party_status WHERE as_of = ? ORDER BY node", [DAY]).fetchall()]
        assert any(n.startswith("lei:") for n in nodes) and any(not n.startswith("lei:") for n in nodes)
        statuses, evidence, records = nexus_tables.explanation_rows(store, DAY, nodes + ["nobody:here"])
        assert statuses["nobody:here"] is None and evidence["nobody:here"] == [] and records["nobody:here"] == []
        assert sum(len(rows) for rows in evidence.values()) > 0
        for node in nodes:
            assert statuses[node] == nexus_tables.status_of(store, DAY, node)
            assert evidence[node] == nexus_tables.evidence_of(store, DAY, node)
            assert records[node] == nexus_tables.party_records(store, node)


def test_a_prefetched_reader_explains_every_party_as_the_reader_that_reads_one_by_one(law, tmp_path):
    space = _workspace(tmp_path)
    edition = law.edition(DAY)
    with Store(space.store_path) as store:
        linked = [row[0] for row in store._con.execute(
            "SELECT node FROM party_status WHERE as_of = ? AND linkage <> 'not_linked' ORDER BY node", [DAY]).fetchall()]
        assert linked
        at_once = StoreWhyReader(store, DAY)
        at_once.prefetch(linked[:1])  # the rest of the closure is read on demand, as before
        at_once.prefetch(linked)
        one_by_one = StoreWhyReader(store, DAY)
        for node in linked:
            assert explain_party(node, DAY, at_once, edition) == explain_party(node, DAY, one_by_one, edition)
