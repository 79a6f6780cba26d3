"""Catena-X CX-0158-1 "Car SBOM for ICTS Connected Vehicles" export: SPDX 3.0.1 JSON-LD with
the `compliance.icts.*` extension fields filled from cvrule's decisions, one SBOM per ECU.

Each ECU (a root item of a vehicle's BOMs, or an imported item) becomes one SpdxDocument with a
software_Sbom whose root package is the ECU, its law-relevant components as packages that the
root `contains`, and every party with a role as an agent. What cvrule writes, and from what:

on agents (Organization; `Agent` for a name no party matched)
    isCoveredEntity        linkage: linked -> true, not_linked -> false; indeterminate and
                           unresolved -> left out (the field is an optional boolean; leaving it
                           out is how the standard says "not known")
    isCompliant            the negation of isCoveredEntity, under the same rule
    countryOfOrigin, jurisdiction (organizations)   the party's country
    underForeignDirection  true when linked through ownership, control or a government
                           (majority, dominant_minority, control, government); false when not
                           linked; left out otherwise (a link by place of organization says
                           nothing about direction)
    comment                the status and the explanation lines of `cvrule why`, with 791.301

on packages and on the document
    reasoning              one of the standard's values: covered (a linked party, no exclusion
                           known), opensource (linked, but open source not modified for
                           proprietary purposes), not-covered (not linked, or linked firmware),
                           undefined (indeterminate or unresolved)
    containsCoveredArtifact, isCompliant   from the reasoning of the package (for the root
                           and the document: of any package of the SBOM); left out when unknown
    assessmentUri          (document) `urn:cvrule:run:<run_id>`, the assessment and record pack
    comment                the reasoning in words with the CFR paragraphs of the decisions
                           that turned on the component

The standard enumerates `reasoning` values, so the CFR cites go in `comment`. Signatures,
`signedOffBy`, `mail` and `legalAddress` are the supplier's to add; cvrule cannot know them.
The standard shows no serialization of the extension fields; they are written in an object of
the element's `extension` list (as SPDX 3 extensions are), typed by EXTENSION_TYPE. cvrule's
own reader (`cvrule.ingest.spdx3`, format `cx-0158-1`) reads them back.

Only the components that matter to the law are listed (the assessment keeps no others); the
complete BOM is the input file named in the document's comment, kept in the record pack. The
bytes are deterministic: the only date is the assessment's evaluation date.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from cvrule.fleet.result import Assessment, ComponentView, PartyView
from cvrule.law.prohibition import cfr_order
from cvrule.report.declaration import slug

__all__ = [
    "EXTENSION_TYPE",
    "ICTS_VERSION",
    "cx0158_documents",
    "package_reasoning",
    "party_fields",
    "write_cx0158",
]

SPDX_CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
EXTENSION_TYPE = "urn:cvrule:catenax:cx-0158-1:icts-extension"
"""The type IRI of the extension objects (the standard names none)."""
ICTS_VERSION = "2025-00592"
"""compliance.icts.version: the FR document number of the final rule (90 FR 5360), as the
repository's CX-0158-1 sample writes it; the standard gives the field no description."""
FOLDER = "cx-0158-1"

_DIRECTION_BASES = frozenset({"majority", "dominant_minority", "control", "government"})
_ROLE_ORIGIN = ("designed_by", "developed_by", "manufactured_by")


def write_cx0158(assessment: Assessment, out_dir: Path | str) -> list[Path]:
    """Write one CX-0158-1 SBOM per ECU under `out_dir/cx-0158-1/` and return their paths."""
    folder = Path(out_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in cx0158_documents(assessment).items():
        target = folder / name
        _write_atomic(target, orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
        written.append(target)
    return written


def cx0158_documents(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """File name -> JSON-LD document, one per ECU, in a fixed order."""
    parties = {p.ref: p for p in assessment.parties}
    groups: dict[str, list[ComponentView]] = {}
    for component in assessment.components:
        groups.setdefault(component.ecu or component.id, []).append(component)
    cites = _cites_by_component(assessment)
    inputs = {i.path: i.sha256 for i in assessment.inputs}
    created = f"{_stamp(assessment).isoformat()}T00:00:00Z"
    documents: dict[str, dict[str, Any]] = {}
    for root_id in sorted(groups):
        members = groups[root_id]
        root = next((c for c in members if c.id == root_id), None)
        title = root.name if root else root_id
        key = f"{slug(title, 40)}-{hashlib.sha256(root_id.encode()).hexdigest()[:8]}"
        documents[f"{key}.cx-0158-1.spdx3.json"] = _document(
            assessment, key, title, root, members, parties, cites, inputs, created)
    return documents


def package_reasoning(component: ComponentView) -> str:
    """The compliance.icts.reasoning value for a component (see the module docstring)."""
    if component.linkage in ("indeterminate", "unresolved"):
        return "undefined"
    if component.linkage == "not_linked":
        return "not-covered"
    facts = {k: v.split(" ", 1)[0].strip().lower() for k, v in component.classification.items()}
    if facts.get("open_source") == "true" and facts.get("modified_for_proprietary") != "true":
        return "opensource"
    if component.type == "software" and facts.get("software_kind") == "firmware":
        return "not-covered"
    return "covered"


def party_fields(party: PartyView) -> dict[str, Any]:
    """The compliance.icts.* fields of an agent, by short name, unknown ones left out."""
    fields: dict[str, Any] = {"version": ICTS_VERSION}
    if party.linkage in ("linked", "not_linked"):
        covered = party.linkage == "linked"
        fields["isCoveredEntity"] = covered
        fields["isCompliant"] = not covered
    if party.country:
        fields["countryOfOrigin"] = party.country
        if not _is_mention(party):
            fields["jurisdiction"] = party.country
    if party.linkage == "not_linked":
        fields["underForeignDirection"] = False
    elif party.linkage == "linked" and party.basis in _DIRECTION_BASES:
        fields["underForeignDirection"] = True
    return fields


# -- one document --------------------------------------------------------------------------------


def _document(assessment: Assessment, key: str, title: str, root: ComponentView | None,
              members: list[ComponentView], parties: dict[str, PartyView], cites: dict[str, list[str]],
              inputs: dict[str, str], created: str) -> dict[str, Any]:
    base = f"urn:cvrule:{assessment.run_id[:16]}:{key}:"
    ids = _Ids(base)
    ordered = ([root] if root else []) + sorted((c for c in members if c is not root), key=lambda c: c.id)
    reasonings = {c.id: package_reasoning(c) for c in ordered}
    overall = _overall(reasonings.values())

    agents = []
    refs = sorted({role.party for c in ordered for role in c.roles})
    written_names = {role.party: role.written for c in ordered for role in c.roles}
    for ref in refs:
        party = parties.get(ref) or PartyView(ref=ref, name=written_names.get(ref, ref), linkage="unresolved")
        agents.append(_agent(ids.agent(ref), party))

    packages = []
    for component in ordered:
        contains = overall if component is root else _covered_flag(reasonings[component.id])
        packages.append(_package(ids, component, reasonings[component.id], contains, cites.get(component.id, [])))

    relationships = []
    if root is not None and len(ordered) > 1:
        relationships.append({
            "type": "Relationship", "spdxId": base + "rel-contains", "creationInfo": "_:creationinfo",
            "relationshipType": "contains", "from": ids.package(root.id),
            "to": [ids.package(c.id) for c in ordered[1:]],
        })
    top = [ids.package(root.id)] if root else [ids.package(c.id) for c in ordered]
    creator = {"type": "SoftwareAgent", "spdxId": base + "agent-cvrule", "creationInfo": "_:creationinfo",
               "name": f"cvrule {assessment.cvrule_version}"}
    sbom = {
        "type": "software_Sbom", "spdxId": base + "sbom", "creationInfo": "_:creationinfo",
        "name": title, "software_sbomType": ["analyzed"], "rootElement": top,
        "element": [p["spdxId"] for p in packages] + [a["spdxId"] for a in agents] + [r["spdxId"] for r in relationships],
    }
    sources = sorted({c.source for c in ordered})
    source_words = "; ".join(f"{s} (sha256 {inputs[s]})" if s in inputs else s for s in sources)
    document_fields = {
        "version": ICTS_VERSION,
        "isCompliant": _compliant(overall),
        "assessmentUri": f"urn:cvrule:run:{assessment.run_id}",
        "containsCoveredArtifact": overall,
        "reasoning": "covered" if overall else ("undefined" if overall is None else "not-covered"),
    }
    document = {
        "type": "SpdxDocument", "spdxId": base + "document", "creationInfo": "_:creationinfo",
        "name": f"{title} - Car SBOM (ICTS), exported by cvrule",
        "profileConformance": ["core", "software"],
        "dataLicense": base + "license-cc0",
        "rootElement": [sbom["spdxId"]],
        "element": [sbom["spdxId"]] + sbom["element"] + [creator["spdxId"], base + "license-cc0"],
        "comment": (
            f"Exported by cvrule {assessment.cvrule_version} from assessment run {assessment.run_id} of fleet "
            f"'{assessment.fleet}'. Lists the components that matter to 15 CFR part 791 subpart D; the complete bill of "
            f"materials is the input {source_words}. compliance.icts fields are cvrule's decisions, not signed "
            "supplier attestations; fields cvrule cannot know are left out."
        ),
        "extension": [_extension(document_fields)],
    }
    licence = {"type": "simplelicensing_LicenseExpression", "spdxId": base + "license-cc0",
               "creationInfo": "_:creationinfo", "simplelicensing_licenseExpression": "CC0-1.0"}
    creation = {"type": "CreationInfo", "@id": "_:creationinfo", "specVersion": "3.0.1", "created": created,
                "createdBy": [creator["spdxId"]]}
    graph = [creation, document, sbom, creator, licence] + agents + packages + relationships
    return {"@context": SPDX_CONTEXT, "@graph": graph}


class _Ids:
    def __init__(self, base: str):
        self.base = base

    def package(self, component_id: str) -> str:
        return f"{self.base}pkg-{quote(component_id, safe='')}"

    def agent(self, ref: str) -> str:
        return f"{self.base}agent-{quote(ref, safe='')}"


def _agent(spdx_id: str, party: PartyView) -> dict[str, Any]:
    kind = "Agent" if _is_mention(party) else "Organization"
    element: dict[str, Any] = {"type": kind, "spdxId": spdx_id, "creationInfo": "_:creationinfo", "name": party.name}
    if party.ref.startswith("lei:"):
        element["externalIdentifier"] = [{"type": "ExternalIdentifier", "externalIdentifierType": "other",
                                          "identifier": party.ref.removeprefix("lei:"), "issuingAuthority": "GLEIF"}]
    words = {"linked": "LINKED to the PRC or Russia", "not_linked": "not linked to the PRC or Russia",
             "indeterminate": "INDETERMINATE: whether it is linked to the PRC or Russia cannot be told",
             "unresolved": "UNRESOLVED: the name matched no known party; its status is unknown"}[party.linkage]
    basis = f" ({party.basis})" if party.basis else ""
    element["comment"] = "\n".join([f"cvrule: {words}{basis} (15 CFR 791.301)"] + party.why)
    element["extension"] = [_extension(party_fields(party))]
    return element


def _package(ids: _Ids, component: ComponentView, reasoning: str, contains: bool | None, cites: list[str]) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "software_Package", "spdxId": ids.package(component.id), "creationInfo": "_:creationinfo",
        "name": component.name, "software_primaryPurpose": _purpose(component),
    }
    if component.version:
        element["software_packageVersion"] = component.version
    if component.purl:
        element["software_packageUrl"] = component.purl
        element["externalIdentifier"] = [{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl",
                                          "identifier": component.purl}]
    suppliers = sorted({r.party for r in component.roles if r.role == "supplied_by"})
    if suppliers:
        element["suppliedBy"] = ids.agent(suppliers[0])
    origins = sorted({r.party for r in component.roles if r.role in _ROLE_ORIGIN})
    if origins:
        element["originatedBy"] = [ids.agent(ref) for ref in origins]
    element["comment"] = _package_comment(component, reasoning, cites, suppliers[1:])
    fields: dict[str, Any] = {"isCompliant": _compliant(contains), "containsCoveredArtifact": contains, "reasoning": reasoning}
    element["extension"] = [_extension(fields)]
    return element


def _package_comment(component: ComponentView, reasoning: str, cites: list[str], more_suppliers: list[str]) -> str:
    because = {
        "covered": "a party with a role for it is linked to the PRC or Russia and no exclusion is known",
        "opensource": "a linked party has a role for it, but it is open source not modified for proprietary purposes",
        "not-covered": ("no party with a role for it is linked" if component.linkage == "not_linked"
                        else "a linked party has a role for it, but it is firmware (excluded from covered software)"),
        "undefined": "whether a party with a role for it is linked cannot be told",
    }[reasoning]
    paragraphs = ["791.301"] + [c for c in cites if c != "791.301"]
    lines = [f"cvrule: {reasoning}: {because} (15 CFR {', '.join(paragraphs)})."]
    if component.count > 1:
        lines.append(f"Stands for {component.count} components of {component.source} that the law treats alike.")
    lines.append(f"From {component.source} at {component.location}.")
    for name, value in sorted(component.classification.items()):
        lines.append(f"{name}: {value}")
    for role in component.roles:
        lines.append(f"{role.role}: {role.written}")
    if more_suppliers:
        lines.append("further suppliers (SPDX 3 allows one suppliedBy): " + ", ".join(more_suppliers))
    return "\n".join(lines)


def _purpose(component: ComponentView) -> str:
    if component.type == "hardware":
        return "device"
    kind = component.classification.get("software_kind", "").split(" ", 1)[0].strip().lower()
    return {"firmware": "firmware", "system": "operatingSystem", "application": "application",
            "middleware": "library"}.get(kind, "module")


def _extension(fields: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"type": EXTENSION_TYPE}
    for name, value in fields.items():
        if value is not None:
            body[f"compliance.icts.{name}"] = value
    return body


def _covered_flag(reasoning: str) -> bool | None:
    if reasoning == "covered":
        return True
    if reasoning == "undefined":
        return None
    return False


def _overall(reasonings: Iterable[str]) -> bool | None:
    flags = [_covered_flag(r) for r in reasonings]
    if any(f is True for f in flags):
        return True
    if any(f is None for f in flags):
        return None
    return False


def _compliant(contains_covered: bool | None) -> bool | None:
    return None if contains_covered is None else not contains_covered


def _cites_by_component(assessment: Assessment) -> dict[str, list[str]]:
    """Component id -> the CFR paragraphs of the decisions that turned on it."""
    found: dict[str, set[str]] = {}
    for view in assessment.decisions:
        for component in view.components:
            found.setdefault(component, set()).update(view.decision.cites)
    return {k: sorted(v, key=cfr_order) for k, v in found.items()}


def _is_mention(party: PartyView) -> bool:
    return party.ref.startswith("mention:")


def _stamp(assessment: Assessment) -> date:
    if assessment.as_of is not None:
        return assessment.as_of
    days = [view.decision.evaluated_on for view in assessment.decisions]
    return max(days) if days else date(2025, 3, 17)


def _write_atomic(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.incoming-")
    try:
        with os.fdopen(handle, "wb") as writer:
            writer.write(data)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
