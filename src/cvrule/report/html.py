"""The HTML report: one self-contained file (inline CSS, inline SVG charts, a few lines of inline
script for filtering) that a compliance analyst can open, search, drill into and print.

It references nothing outside itself: no script or style sheet, no font, no image, no link to
the network. The same HTML, with its print style sheet, is what `pdf.py` renders.
"""

from __future__ import annotations

import re
from datetime import date
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from cvrule.fleet.result import OUTCOME_ORDER, Assessment, ComponentView, DecisionView
from cvrule.model import Outcome, Reason
from cvrule.report import charts
from cvrule.report.views import (
    LINKAGE_LABELS,
    LINKAGE_MEANINGS,
    LINKAGE_ORDER,
    OUTCOME_MEANINGS,
    ReportData,
    anchor,
    build,
    key_step,
    outcome_label,
    report_date,
    value_text,
)

__all__ = ["render_html"]

KIND_WORDS = {
    "import_vcs_hardware": "Import of VCS hardware",
    "import_vehicle": "Import of a connected vehicle",
    "sell_vehicle": "Sale of a connected vehicle",
    "ads_commercial_service": "Commercial ADS service",
}

_HOLDS = {True: ("yes", "✓", "holds"), False: ("no", "✗", "does not hold"), None: ("unknown", "?", "cannot be told")}


PRINT_DEPTH = 3
"""In the print edition (the PDF), the reasons of a decision that is allowed, exempt or out of
scope are printed this many levels deep; the rest are in the HTML report and the JSON."""


def render_html(assessment: Assessment, print_edition: bool = False) -> bytes:
    """The report as UTF-8 HTML bytes; the same assessment gives the same bytes. The print
    edition (for the PDF) prints in full only the reasons of decisions that need a person:
    prohibited, indeterminate and authorized ones."""
    data = build(assessment)
    template = _environment().get_template("report.html.j2")
    html = template.render(
        a=assessment,
        data=data,
        css=Markup(_asset("report.css")),
        script=Markup(_asset("report.js")),
        stamp=report_date(assessment),
        outcomes=OUTCOME_ORDER,
        linkages=LINKAGE_ORDER,
        outcome_meanings=OUTCOME_MEANINGS,
        linkage_labels=LINKAGE_LABELS,
        linkage_meanings=LINKAGE_MEANINGS,
        colours=charts.OUTCOME_COLOURS,
        chart_outcomes=charts.outcome_bar(data),
        chart_linkage=charts.linkage_bars(data),
        chart_countries=charts.country_bars(data),
        chart_timeline=charts.timeline(data),
        attention=_attention(data),
        next_due=_next_due(assessment),
        step_count=_step_count,
        print_depth=PRINT_DEPTH if print_edition else None,
        key_step=key_step,
        party_roles=_party_roles,
        split_source=_split_source,
        why_line=_why_line,
        holds=lambda value: _HOLDS[value],
        kind_words=lambda kind: KIND_WORDS.get(kind, kind.replace("_", " ")),
        lead_days=lambda obligation: _lead_days(obligation, assessment),
    )
    return html.encode("utf-8")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cvrule.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["label"] = outcome_label
    env.filters["iso"] = _iso
    env.filters["value"] = value_text
    env.globals["anchor"] = anchor
    return env


def _asset(name: str) -> str:
    return resources.files("cvrule.report").joinpath("templates").joinpath(name).read_text(encoding="utf-8")


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "—"


def _step_count(reason: Reason) -> int:
    return sum(1 for _ in reason.walk()) - 1


def _attention(data: ReportData) -> list[DecisionView]:
    """Prohibited and indeterminate decisions, worst first: the first things to read."""
    gating = [Outcome.prohibited, Outcome.indeterminate]
    found = [v for g in data.groups for v in g.decisions if v.decision.outcome in gating]
    return sorted(found, key=lambda v: gating.index(v.decision.outcome))


def _party_roles(component: ComponentView) -> list[tuple[str, str, list[str]]]:
    """(party ref, its roles in words, how the BOM wrote its name) for each party of a component."""
    roles: dict[str, list[str]] = {}
    written: dict[str, list[str]] = {}
    for role in component.roles:
        roles.setdefault(role.party, [])
        word = role.role.removesuffix("_by")
        if word not in roles[role.party]:
            roles[role.party].append(word)
        names = written.setdefault(role.party, [])
        if role.written not in names:
            names.append(role.written)
    return [(ref, ", ".join(words) + " by", written[ref]) for ref, words in roles.items()]


_CITED = re.compile(r"\[([^\]]+)\]\s*(.*)")


def _why_line(line: str) -> tuple[int, str | None, str]:
    """A `cvrule why` line -> (depth from its indent, its CFR cite, its words)."""
    text = line.lstrip(" ")
    depth = (len(line) - len(text)) // 2
    found = _CITED.fullmatch(text)
    return (depth, found.group(1), found.group(2)) if found else (depth, None, text)


def _split_source(text: str) -> tuple[str, str]:
    """"oem (property cvrule:installation)" -> ("oem", "(property cvrule:installation)")."""
    if text.endswith(")") and " (" in text:
        value, _, source = text.partition(" (")
        return value, f"({source}"
    return text, ""


def _next_due(assessment: Assessment):
    return min(assessment.obligations, key=lambda o: (o.due, o.filer, o.model_year or 0), default=None)


def _lead_days(obligation, assessment: Assessment) -> int | None:
    starts = [v.decision.date for v in assessment.decisions if v.decision.transaction in obligation.transactions]
    return (min(starts) - obligation.due).days if starts else None
