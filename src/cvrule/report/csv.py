"""CSV reports: `decisions.csv` (one row per transaction), `components.csv` (one row per
component that matters to the law), `findings.csv` (one row per risk finding of the data-flow
register and the BOMs' services) and `authorizations.csv` (one row per authorization condition,
or per authorization without one, on the monitoring day). UTF-8 without a byte-order mark, a header row, and
RFC 4180 quoting with CRLF line ends. Lists inside a field are joined with ";", except the
missing facts' questions (which are sentences), joined with " | ".
"""

from __future__ import annotations

import csv
import io

from cvrule.fleet.result import Assessment
from cvrule.report.views import build, decision_sort_key

__all__ = [
    "AUTHORIZATION_COLUMNS", "COMPONENT_COLUMNS", "DECISION_COLUMNS", "FINDING_COLUMNS", "authorization_rows",
    "finding_rows", "render_csv",
]

DECISION_COLUMNS = (
    "transaction", "line", "model_year", "kind", "actor", "date", "evaluated_on", "outcome",
    "declaration_required", "due", "records_until", "responsible", "responsible_name", "responsible_role",
    "cites", "missing_facts", "questions", "interpretations", "components", "vehicle", "item",
)

COMPONENT_COLUMNS = (
    "id", "name", "type", "version", "purl", "ecu", "linkage", "count", "roles", "parties", "countries",
    "classification", "source", "location",
)

FINDING_COLUMNS = ("severity", "kind", "bom", "component", "entry", "party", "party_status", "countries", "says", "why")

AUTHORIZATION_COLUMNS = (
    "authorization", "kind", "party", "party_name", "status", "valid_from", "valid_to", "on", "standing", "says",
    "condition", "condition_text", "cadence", "condition_state", "last_evidence", "evidence_due", "overdue_from",
    "broken_on", "reassess_by", "transactions",
)


def render_csv(assessment: Assessment) -> dict[str, bytes]:
    """File name -> bytes, for `decisions.csv`, `components.csv`, `findings.csv` and `authorizations.csv`."""
    return {
        "decisions.csv": _decisions(assessment),
        "components.csv": _components(assessment),
        "findings.csv": _table(FINDING_COLUMNS, [[_iso(v) for v in row] for row in finding_rows(assessment)]),
        "authorizations.csv": _table(AUTHORIZATION_COLUMNS, [[_iso(v) for v in row] for row in authorization_rows(assessment)]),
    }


def finding_rows(assessment: Assessment) -> list[list[object]]:
    return [[f.severity, f.kind, f.bom, f.component, f.entry, f.party, f.party_status, ";".join(f.countries), f.says,
             " | ".join(f.why)] for f in assessment.findings]


def authorization_rows(assessment: Assessment) -> list[list[object]]:
    rows = []
    for a in assessment.authorizations:
        head = [a.id, a.kind, a.party, a.party_name, a.status, a.valid_from, a.valid_to, a.on, a.standing, a.says]
        tail = [a.reassess_by, ";".join(a.transactions)]
        if not a.conditions:
            rows.append(head + [None] * 8 + tail)
        for c in a.conditions:
            rows.append(head + [c.id, c.text, c.cadence, c.state, c.last_evidence, c.due, c.overdue_from, c.broken_on]
                        + tail)
    return rows


def _iso(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _table(header: tuple[str, ...], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _decisions(assessment: Assessment) -> bytes:
    rows = []
    for view in sorted(assessment.decisions, key=decision_sort_key):
        d = view.decision
        rows.append([
            d.transaction, view.line, view.model_year, d.kind, d.actor, d.date.isoformat(), d.evaluated_on.isoformat(),
            d.outcome.value, _bool(d.declaration_required),
            d.declaration_due.isoformat() if d.declaration_due else None,
            d.records_until.isoformat() if d.records_until else None,
            d.responsible, d.responsible_name, d.responsible_role,
            ";".join(d.cites),
            ";".join(m.fact for m in d.missing_facts),
            " | ".join(m.question for m in d.missing_facts),
            ";".join(p.name for p in d.interpretations),
            ";".join(view.components),
            view.vehicle, view.item,
        ])
    return _table(DECISION_COLUMNS, rows)


def _components(assessment: Assessment) -> bytes:
    data = build(assessment)
    rows = []
    for c in data.components:
        parties = [data.party(r.party) for r in c.roles]
        rows.append([
            c.id, c.name, c.type, c.version, c.purl, c.ecu, c.linkage, c.count,
            ";".join(f"{r.role}={p.name if p else r.written}" for r, p in zip(c.roles, parties)),
            ";".join(dict.fromkeys(r.party for r in c.roles)),
            ";".join(data.component_countries.get(c.id, [])),
            ";".join(f"{k}={v}" for k, v in sorted(c.classification.items())),
            c.source, c.location,
        ])
    return _table(COMPONENT_COLUMNS, rows)
