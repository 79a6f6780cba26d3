"""A fleet's authorizations (fleet manifest `authorizations:`) decide its transactions and are
monitored in the reports (conditions due, overdue, broken; expiries in the deadlines); the
data-flow register's risk findings are in every report, beside the outcomes and never changing
them."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from cvrule.errors import InputError
from cvrule.fleet.assess import assess
from cvrule.model import Outcome

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-fleet"
FAST = ("html", "json", "csv", "xlsx")

# Ridge EV MY2030 and MY2031 sales are prohibited (the Nimbus FOTA agent, EXPECTED.md). Two
# specific authorizations held by Cascadia Motors: one whose quarterly audit is current on the
# MY2030 introduction day (2029-07-01), one whose monthly log review is overdue on the MY2031
# introduction day (2030-07-01), and one for MY2029 that expired the day before its sale.
AUTHORIZATIONS = """
authorizations:
  - kind: specific
    id: SA-2029-0042
    holder: {name: "Cascadia Motors, Inc.", country: US, identifiers: {lei: CVRL00CASCADIAMTR150}}
    transactions: [ridge-my2030-sale]
    from: 2029-01-15
    to: 2031-01-15
    conditions:
      - id: audit
        text: third-party audit of the Nimbus FOTA service's access to US vehicle data
        cadence: quarterly
        evidence: [{date: 2029-04-10, what: "audit report AR-17"}]
  - kind: specific
    id: SA-2030-0007
    holder: {name: "Cascadia Motors, Inc.", country: US}
    transactions: [ridge-my2031-sale]
    from: 2030-01-10
    conditions:
      - id: logs
        text: monthly review of the FOTA console's access logs
        cadence: monthly
        evidence: [{date: 2030-05-15, what: "log review LR-05"}]
  - kind: specific
    id: SA-2028-0001
    holder: {name: "Cascadia Motors, Inc.", country: US}
    transactions: [ridge-my2029-sale]
    from: 2027-06-01
    to: 2028-06-30
"""


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fleet") / "demo"
    shutil.copytree(DEMO, folder)
    manifest = folder / "fleet.yaml"
    manifest.write_text(manifest.read_text() + AUTHORIZATIONS)
    return folder


@pytest.fixture(scope="module")
def run(fleet, tmp_path_factory):
    return assess(fleet, out=tmp_path_factory.mktemp("out"), formats=FAST)


def _decision(run, txn):
    return next(v.decision for v in run.assessment.decisions if v.decision.transaction == txn)


def test_a_specific_authorization_with_current_evidence_authorizes_the_prohibited_sale(run):
    decision = _decision(run, "ridge-my2030-sale")
    assert decision.outcome is Outcome.authorized
    assert "791.307" in decision.cites


def test_an_overdue_condition_leaves_the_sale_prohibited(run):
    decision = _decision(run, "ridge-my2031-sale")
    assert decision.outcome is Outcome.prohibited
    assert any("overdue" in step.says for step in decision.because.walk())


def test_an_authorization_that_expired_the_day_before_authorizes_nothing(run):
    decision = _decision(run, "ridge-my2029-sale")
    assert decision.outcome is Outcome.prohibited
    assert any("expired on 2028-06-30" in step.says for step in decision.because.walk())


def test_the_monitoring_view_says_where_each_condition_stands(run):
    views = {a.id: a for a in run.assessment.authorizations}
    assert list(views) == ["SA-2029-0042", "SA-2030-0007", "SA-2028-0001"]
    day = max(v.decision.date for v in run.assessment.decisions)
    assert {a.on for a in views.values()} == {day}
    logs = views["SA-2030-0007"].conditions[0]
    assert (logs.state, logs.last_evidence.isoformat(), logs.due.isoformat()) == ("overdue", "2030-05-15", "2030-06-15")
    assert views["SA-2030-0007"].standing == "conditions_overdue"
    assert views["SA-2028-0001"].standing == "expired"
    assert views["SA-2029-0042"].party == "lei:CVRL00CASCADIAMTR150"


def test_reports_show_the_authorizations_and_their_deadlines(run):
    html = (run.out / "report.html").read_text()
    assert "Authorizations held or relied on" in html
    assert "SA-2030-0007" in html and "conditions overdue" in html
    assert "evidence due" in html  # the timeline's mark for a condition's next evidence
    rows = list(csv.DictReader(io.StringIO((run.out / "authorizations.csv").read_text())))
    logs = next(r for r in rows if r["authorization"] == "SA-2030-0007")
    assert (logs["condition"], logs["condition_state"], logs["overdue_from"]) == ("logs", "overdue", "2030-06-16")
    with zipfile.ZipFile(run.out / "report.xlsx") as book:
        sheets = book.read("xl/workbook.xml").decode()
    assert 'name="Authorizations"' in sheets and 'name="Findings"' in sheets


def test_the_register_findings_are_reported_and_change_no_outcome(run):
    kinds = {(f.entry, f.kind) for f in run.assessment.findings}
    assert ("nimbus-fota", "operator_linked") in kinds
    assert ("nimbus-fota", "hosted_in_covered_jurisdiction") in kinds
    assert ("nimbus-ota-update", "remote_access_by_linked") in kinds
    html = (run.out / "report.html").read_text()
    assert "Data flows and remote access" in html and "separate from the legal outcome" in html
    rows = list(csv.DictReader(io.StringIO((run.out / "findings.csv").read_text())))
    assert len(rows) == len(run.assessment.findings)
    assert any(r["party"] == "Nimbus OTA Services Ltd" and r["severity"] == "high" for r in rows)
    register = [i for i in run.assessment.inputs if i.format == "cvrule-dataflows"]
    assert [i.path for i in register] == ["dataflows.yaml"]


def test_without_the_register_the_outcomes_are_the_same_and_there_are_no_findings(run, fleet, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(fleet, bare)
    (bare / "dataflows.yaml").unlink()
    again = assess(bare, out=tmp_path / "out", formats=("json",))
    assert again.assessment.findings == []
    assert again.assessment.run_id != run.assessment.run_id
    outcomes = {v.decision.transaction: v.decision.outcome for v in run.assessment.decisions}
    assert {v.decision.transaction: v.decision.outcome for v in again.assessment.decisions} == outcomes


def test_a_broken_register_is_refused_before_anything_is_written(fleet, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(fleet, broken)
    text = (broken / "dataflows.yaml").read_text()
    (broken / "dataflows.yaml").write_text(text.replace("operator: nimbus-ota", "operator: nobody", 1))
    out = tmp_path / "out"
    with pytest.raises(InputError) as error:
        assess(broken, out=out, formats=("json",))
    assert "dataflows.yaml" in str(error.value) and "nobody" in str(error.value)
    assert not (out / "assessment.json").exists()


def test_an_authorization_naming_an_unknown_transaction_is_refused_with_its_place(fleet, tmp_path):
    wrong = tmp_path / "wrong"
    shutil.copytree(fleet, wrong)
    manifest = wrong / "fleet.yaml"
    manifest.write_text(manifest.read_text().replace("[ridge-my2029-sale]", "[ridge-my2099-sale]"))
    with pytest.raises(InputError) as error:
        assess(wrong, out=tmp_path / "out", formats=("json",))
    assert "fleet.yaml" in str(error.value) and "ridge-my2099-sale" in str(error.value)


# GA-1 (testing) relied on from 2029-06-01 for two imports of Meridian MT-200 units for testing;
# a fund acquires an interest in Meridian's Irish manufacturer on 2029-08-01 (a supplier's new
# owner, in a supplier register beside the other ownership data): the reliance holds for the
# import within 30 days of the change and lapses for the one after.
GENERAL = """
  - id: mt200-test-units-aug
    kind: import_vcs_hardware
    actor: {name: "Cascadia Motors, Inc.", country: US, identifiers: {lei: CVRL00CASCADIAMTR150}}
    bom: boms/meridian-mt200-tcu.cdx.json
    date: 2029-08-31
    purpose: testing
  - id: mt200-test-units-sep
    kind: import_vcs_hardware
    actor: {name: "Cascadia Motors, Inc.", country: US, identifiers: {lei: CVRL00CASCADIAMTR150}}
    bom: boms/meridian-mt200-tcu.cdx.json
    date: 2029-09-01
    purpose: testing
authorizations:
  - kind: general
    id: GA-1
    holder: {name: "Cascadia Motors, Inc.", country: US, identifiers: {lei: CVRL00CASCADIAMTR150}}
    transactions: [mt200-test-units-aug, mt200-test-units-sep]
    relied_from: 2029-06-01
"""

NEW_OWNER = """record,id,name,kind,country,headquarters,lei,owner,owned,voting_pct,equity_pct,from,to
party,meridian-ie,Meridian Telematics Manufacturing (Ireland) Limited,organization,IE,IE,CVRL00MERIDIANIRL294,,,,,,
party,liffey-fund,Liffey Growth Partners ICAV,organization,IE,IE,,,,,,,
ownership,,,,,,,liffey-fund,meridian-ie,,5,2029-08-01,
"""


@pytest.fixture(scope="module")
def relied(tmp_path_factory):
    folder = tmp_path_factory.mktemp("relied") / "demo"
    shutil.copytree(DEMO, folder)
    manifest = folder / "fleet.yaml"
    manifest.write_text(manifest.read_text().replace("\ntransactions:\n", "\ntransactions:\n" + GENERAL.split("authorizations:")[0].lstrip("\n"), 1)
                        + "authorizations:" + GENERAL.split("authorizations:")[1])
    (folder / "ownership" / "registers" / "liffey-stake.csv").write_text(NEW_OWNER)
    return assess(folder, out=tmp_path_factory.mktemp("out"), formats=("json", "csv"))


def test_a_new_owner_in_the_ownership_data_starts_the_general_authorization_reassessment_clock(relied):
    within = _decision(relied, "mt200-test-units-aug")
    after = _decision(relied, "mt200-test-units-sep")
    assert within.outcome is Outcome.authorized
    assert after.outcome is Outcome.prohibited
    says = [step.says for step in after.because.walk()]
    assert any("Liffey Growth Partners ICAV acquired an interest in Meridian Telematics Manufacturing" in s
               and "2029-08-01" in s and "2029-08-31" in s for s in says), says


def test_services_a_fleet_bom_declares_are_findings_of_the_assessment(tmp_path):
    import orjson

    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    (folder / "dataflows.yaml").unlink()
    bom_path = folder / "boms" / "lakeshore-lt5-tcu.cdx.json"
    bom = orjson.loads(bom_path.read_bytes())
    bom["services"] = [{
        "name": "lt5-voice-assistant",
        "provider": {"name": "Shenzhen Nimbus Cloud Technology Co., Ltd."},
        "endpoints": ["https://voice.nimbus-cloud.example/v2"],
        "data": [{"flow": "outbound", "classification": "cabin audio"}],
    }]
    bom_path.write_bytes(orjson.dumps(bom, option=orjson.OPT_INDENT_2))
    run = assess(folder, out=tmp_path / "out", formats=("json",))
    found = {(f.bom, f.kind) for f in run.assessment.findings}
    assert ("boms/lakeshore-lt5-tcu.cdx.json", "operator_linked") in found
    assert ("boms/lakeshore-lt5-tcu.cdx.json", "hosting_unknown") in found
