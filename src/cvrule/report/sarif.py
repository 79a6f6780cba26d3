"""SARIF 2.1.0 for gating a continuous-integration pipeline on the rule.

One rule per outcome that should stop a pipeline: `prohibited` (level `error`) and
`indeterminate` (level `warning`). One result per transaction with such an outcome, located
at the transaction (a logical location) and at the components it turned on, and one result
per component that makes such a transaction prohibited or indeterminate, located in the input
file it came from (`physicalLocation`) and at its place in that file (`logicalLocations`, the
JSON pointer or key path). Messages say why, with the CFR paragraphs. Other outcomes give no
result, so a clean run has an empty `results` array.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from cvrule.fleet.result import Assessment, ComponentView, DecisionView
from cvrule.model import Outcome
from cvrule.report.views import PROHIBITION_SECTIONS, ReportData, build, decision_sort_key, key_step, outcome_rank

__all__ = ["RULES", "SARIF_SCHEMA", "render_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

RULES: dict[Outcome, dict] = {
    Outcome.prohibited: {
        "id": "prohibited",
        "name": "ProhibitedUnderConnectedVehiclesRule",
        "level": "error",
        "short": "A transaction is prohibited under 15 CFR 791.302-.304.",
        "full": (
            "The import of VCS hardware, the import or sale of a completed connected vehicle, or a commercial ADS "
            "service involves a person owned by, controlled by, or subject to the jurisdiction or direction of the "
            "PRC or Russia, and no 791.308 exemption or 791.306/791.307 authorization covers it."
        ),
        "help": (
            "Replace the linked supplier, or obtain a specific authorization from BIS (791.307) before the "
            "transaction. The result lists the components and parties that cause the prohibition."
        ),
    },
    Outcome.indeterminate: {
        "id": "indeterminate",
        "name": "IndeterminateUnderConnectedVehiclesRule",
        "level": "warning",
        "short": "Whether a transaction is prohibited cannot be told from the facts.",
        "full": (
            "A fact the rule needs is missing (an unknown supplier or country, a minority stake or board seat held "
            "by a PRC or Russian party...): a person must decide, or ask BIS for an advisory opinion (791.310)."
        ),
        "help": "Answer the questions listed in the result, then run the assessment again.",
    },
}

_KIND_WORDS = {
    "import_vcs_hardware": "import of VCS hardware",
    "import_vehicle": "import of a connected vehicle",
    "sell_vehicle": "sale of a connected vehicle",
    "ads_commercial_service": "commercial ADS service",
}


def render_sarif(assessment: Assessment) -> bytes:
    data = build(assessment)
    artifacts, index = _artifacts(assessment)
    gating = [
        view for view in sorted(assessment.decisions, key=decision_sort_key) if view.decision.outcome in RULES
    ]
    rule_order = list(RULES)
    results = [_decision_result(view, data, index, rule_order) for view in gating]
    results += _component_results(gating, data, index, rule_order)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cvrule",
                "version": assessment.cvrule_version,
                "semanticVersion": assessment.cvrule_version,
                "rules": [_rule(RULES[o]) for o in rule_order],
            }},
            "automationDetails": {"id": f"cvrule/{assessment.run_id}"},
            "artifacts": artifacts,
            "results": results,
            "properties": {
                "fleet": assessment.fleet,
                "runId": assessment.run_id,
                "asOf": assessment.as_of.isoformat() if assessment.as_of else None,
                "parametersSha256": assessment.parameters_sha256,
                "outcomes": {o.value: n for o, n in data.outcome_counts},
            },
        }],
    }
    return (json.dumps(log, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _rule(rule: dict) -> dict:
    return {
        "id": rule["id"],
        "name": rule["name"],
        "shortDescription": {"text": rule["short"]},
        "fullDescription": {"text": rule["full"]},
        "help": {"text": rule["help"]},
        "defaultConfiguration": {"level": rule["level"]},
        "properties": {"tags": ["15 CFR 791", "connected vehicles", "compliance"]},
    }


def _uri(path: str) -> str:
    return quote(path, safe="/-._~")


def _artifacts(assessment: Assessment) -> tuple[list[dict], dict[str, int]]:
    artifacts, index = [], {}
    for f in sorted(assessment.inputs, key=lambda f: f.path):
        index[f.path] = len(artifacts)
        artifacts.append({"location": {"uri": _uri(f.path)}, "length": f.size, "hashes": {"sha-256": f.sha256}})
    return artifacts, index


def _component_location(component: ComponentView, index: dict[str, int]) -> dict:
    artifact = {"uri": _uri(component.source)}
    if component.source in index:
        artifact["index"] = index[component.source]
    return {
        "physicalLocation": {"artifactLocation": artifact},
        "logicalLocations": [{"name": component.name, "fullyQualifiedName": component.location, "kind": "object"}],
    }


def _my(model_year: int | None) -> str | None:
    return f"MY{model_year}" if model_year else None


def _where(view: DecisionView) -> str:
    if view.line and view.model_year:
        return f" ({view.line}, model year {view.model_year})"
    if view.model_year:
        return f" (model year {view.model_year})"
    return ""


def _decision_result(view: DecisionView, data: ReportData, index: dict[str, int], rules: list[Outcome]) -> dict:
    d = view.decision
    rule = RULES[d.outcome]
    kind = _KIND_WORDS.get(d.kind, d.kind.replace("_", " "))
    text = f"{d.transaction}: {kind}{_where(view)} on {d.date.isoformat()} is {d.outcome.value}."
    if d.outcome is Outcome.indeterminate and d.missing_facts:
        text += " Missing: " + " ".join(m.question for m in d.missing_facts)
    else:
        step = key_step(d)
        text += f" {step.says[0].upper()}{step.says[1:]}" + (f" ({step.cite})." if step.cite else ".")
    names = [data.component(c).name for c in view.components if data.component(c)]
    if names:
        text += " Components: " + "; ".join(names) + "."
    text += " Cites " + ", ".join(d.cites) + "."
    logical = {
        "name": d.transaction,
        "fullyQualifiedName": "/".join(p for p in (view.line, _my(view.model_year), d.transaction) if p),
        "kind": "resource",
    }
    location: dict = {"logicalLocations": [logical]}
    related = [_component_location(data.component(c), index) for c in view.components if data.component(c)]
    for i, loc in enumerate(related):
        loc["id"] = i
    result = {
        "ruleId": rule["id"],
        "ruleIndex": rules.index(d.outcome),
        "level": rule["level"],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"cvruleTransaction/v1": d.transaction},
        "properties": {
            "outcome": d.outcome.value,
            "kind": d.kind,
            "line": view.line,
            "modelYear": view.model_year,
            "responsible": d.responsible_name,
            "responsibleRole": d.responsible_role,
            "declarationRequired": d.declaration_required,
            "declarationDue": d.declaration_due.isoformat() if d.declaration_due else None,
            "cites": list(d.cites),
            "missingFacts": [m.fact for m in d.missing_facts],
            "interpretations": [p.name for p in d.interpretations],
        },
    }
    if related:
        result["relatedLocations"] = related
    return result


def _component_results(gating: list[DecisionView], data: ReportData, index: dict[str, int], rules: list[Outcome]) -> list[dict]:
    blocked: dict[str, list[DecisionView]] = {}
    for view in gating:
        for cid in view.components:
            blocked.setdefault(cid, []).append(view)
    results = []
    for component in data.components:
        views = blocked.get(component.id)
        if not views:
            continue
        worst = min((v.decision.outcome for v in views), key=outcome_rank)
        rule = RULES[worst]
        parties = []
        for role in component.roles:
            party = data.party(role.party)
            if party is not None and party.linkage in ("linked", "indeterminate"):
                status = f"{party.country or 'country unknown'}, {party.linkage.replace('_', ' ')}"
                parties.append(f"{role.role.replace('_', ' ')} {party.name} ({status})")
        who = "; ".join(dict.fromkeys(parties)) or "a party whose status is not known"
        cites = sorted({c for v in views for c in v.decision.cites if c.startswith(PROHIBITION_SECTIONS)})
        txns = ", ".join(f"{v.decision.transaction} ({v.decision.outcome.value})" for v in views)
        text = (
            f"{component.name} is {component.linkage.replace('_', ' ')}: {who}. "
            f"It makes {len(views)} transaction{'s' if len(views) != 1 else ''} {worst.value}: {txns}."
        )
        if cites:
            text += " Cites " + ", ".join(cites) + "."
        results.append({
            "ruleId": rule["id"],
            "ruleIndex": rules.index(worst),
            "level": rule["level"],
            "message": {"text": text},
            "locations": [_component_location(component, index)],
            "partialFingerprints": {"cvruleComponent/v1": component.id},
            "properties": {
                "component": component.id,
                "linkage": component.linkage,
                "transactions": [v.decision.transaction for v in views],
                "parties": list(dict.fromkeys(r.party for r in component.roles)),
            },
        })
    return results
