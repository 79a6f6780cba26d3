"""The roles the law reads for each component: a BOM's role words mapped to the rule's roles
(an author of hardware designed it, of software developed it), a supplier register's roles added
to the BOM item it describes, and one role per party however many ways the files write its name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.fleet.components import read_components
from cvrule.store import Store

DATA = Path(__file__).parents[1] / "data"
DAY = date(2029, 10, 1)
runner = CliRunner()


def _components(tmp_path: Path):
    space = ["--workspace", str(tmp_path)]
    files = [str(DATA / "fleet-roles" / "bom.json"), str(DATA / "supplier-register" / "example.csv")]
    for command in (["ingest", *files], ["resolve"], ["nexus", "--as-of", DAY.isoformat()]):
        result = runner.invoke(app, [*command, *space])
        assert result.exit_code == 0, result.output
    store = Store(tmp_path / "cvrule.duckdb")
    (bom,) = [row[0] for row in store._con.execute("SELECT source_id FROM sources WHERE format = 'cyclonedx-json'").fetchall()]
    mentions = store._con.execute("SELECT item, role, name FROM resolution_mentions ORDER BY ALL").fetchall()
    components = read_components(store, [bom], [], [DAY])[bom]
    store.close()
    return {row.key: row for row in components.rows}, mentions


def test_an_author_of_hardware_designed_it_and_an_author_of_software_developed_it(tmp_path):
    rows, mentions = _components(tmp_path)
    assert ("modem", "authored_by", "Example Motors Inc.") in mentions
    assert [(r.role, r.written) for r in rows["modem"].roles] == [("designed_by", "Example Motors Inc.")]
    assert ("developed_by", "Example Motors Inc.") in [(r.role, r.written) for r in rows["fw"].roles]
    assert "authored_by" not in {r.role for row in rows.values() for r in row.roles}


def test_a_party_written_two_ways_for_one_role_of_an_item_fills_it_once_under_the_least_name(tmp_path):
    rows, mentions = _components(tmp_path)
    # the BOM and the register (matched by package URL) name the firmware's supplier differently
    written = {name for item, role, name in mentions if item in ("fw", "tcu-fw") and role == "supplied_by"}
    assert written == {"SHENZHEN EXAMPLE TELEMATICS CO., LTD.", "Shenzhen Example Telematics Co., Ltd."}
    supplied = [r for r in rows["fw"].roles if r.role == "supplied_by"]
    assert len(supplied) == 1 and supplied[0].written == min(written)
    # the register's other roles for the item are the BOM item's too, each (role, party) once
    assert [(r.role, r.written) for r in rows["fw"].roles] == [
        ("designed_by", "Shenzhen Example Telematics Co., Ltd."),
        ("developed_by", "Example Motors Inc."),
        ("developed_by", "Shenzhen Example Telematics Co., Ltd."),
        ("maintained_by", "Shenzhen Example Telematics Co., Ltd."),
        ("supplied_by", "SHENZHEN EXAMPLE TELEMATICS CO., LTD."),
    ]


def test_an_item_mentioned_once_gets_the_roles_the_grouped_lists_would_give_it(tmp_path):
    from cvrule.fleet import components

    _components(tmp_path)
    with Store(tmp_path / "cvrule.duckdb") as store:
        con = store._con
        (bom,) = [r[0] for r in con.execute("SELECT source_id FROM sources WHERE format = 'cyclonedx-json'").fetchall()]
        read_components(store, [bom], [], [DAY])  # leaves its temporary tables on the connection
        sql = components._roles_sql()
        assert "HAVING count(*) > 1" in sql
        normal = "SELECT source_id, key, coalesce(roles, ''), coalesce(clean_pairs, ''), coalesce(clean_roles, ''), clean_foreign FROM fa_roles ORDER BY ALL"
        split = con.execute(normal).fetchall()
        singles = con.execute("SELECT count(*) FROM (SELECT item FROM fa_mentions GROUP BY ALL HAVING count(*) = 1)").fetchone()[0]
        con.execute(sql.replace("HAVING count(*) > 1", "HAVING count(*) >= 1"))  # every item through the lists
        grouped = con.execute(normal).fetchall()
    assert singles > 0 and len(split) > singles
    assert split == grouped
