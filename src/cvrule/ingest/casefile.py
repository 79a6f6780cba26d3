"""Case files (DESIGN.md, "Case files") loaded into a workspace as facts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cvrule.cases.casefile import load_case
from cvrule.ingest.base import Format, Parsed, is_fleet_manifest
from cvrule.ingest.facts import ControlFact, Fact, ItemFact, ItemLink, OwnershipFact, PartyFact, RoleMention, SourceInfo
from cvrule.ingest.limits import Limits
from cvrule.model import ROLES, Scenario

__all__ = ["FORMATS"]


def _sniff(head: bytes, path: Path) -> bool:
    text = head.decode("utf-8", "ignore")
    return (path.suffix in (".yaml", ".yml") and "\ntransactions:" in "\n" + text and "\nname:" in "\n" + text
            and not is_fleet_manifest(head))


def _parse(path: Path, limits: Limits) -> Parsed:
    case = load_case(path)
    return Parsed(SourceInfo("cvrule-case", "1", case.name), _facts(case.scenario))


def _facts(scenario: Scenario) -> Iterator[Fact]:
    for pid, party in scenario.parties.items():
        yield PartyFact(pid, party.name, f"parties.{pid}", kind=party.kind.value, country=party.country,
                        headquarters=party.headquarters, residence=party.residence,
                        identifiers=dict(party.identifiers))
    for i, edge in enumerate(scenario.ownership):
        share = edge.voting if edge.voting is not None else edge.equity
        yield OwnershipFact(edge.owner, edge.owned, f"ownership.{i}", interest="voting" if edge.voting is not None else "shareholding",
                            share_min=share, share_max=share, start=edge.from_, end=edge.to)
    for i, edge in enumerate(scenario.control):
        yield ControlFact(edge.by, edge.over, edge.kind.value, f"control.{i}", start=edge.from_, end=edge.to)
    for iid, item in scenario.items.items():
        yield ItemFact(iid, item.name, f"items.{iid}", item.type.value,
                       model_year=item.model_year,
                       properties={"rf": ",".join(f.value for f in item.rf or ()),
                                   "max_rf_mhz": "" if item.max_rf_mhz is None else f"{item.max_rf_mhz:g}"})
        for role in ROLES:
            for j, pid in enumerate(item.role_parties(role)):
                yield RoleMention(iid, role, scenario.parties[pid].name, f"items.{iid}.{role}.{j}", party=pid,
                                  country=scenario.parties[pid].country)
        for j, part in enumerate(item.contains):
            yield ItemLink(iid, part, "contains", f"items.{iid}.contains.{j}")
        if item.runs_on:
            yield ItemLink(iid, item.runs_on, "runs_on", f"items.{iid}.runs_on")


FORMATS = [Format("cvrule-case", _sniff, _parse, "cvrule case file (YAML)")]
