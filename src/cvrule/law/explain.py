"""Decisions in plain words: the reasons tree as indented text, each step with its citation,
the facts it rests on (with their file and line) and the parameters it used."""

from __future__ import annotations

from cvrule.model import Decision, Reason

__all__ = ["explain", "summary_line"]

_MARK = {True: "yes", False: "no ", None: "?  "}


def summary_line(decision: Decision) -> str:
    outcome = decision.outcome.value.upper().replace("_", " ")
    doc = "declaration required" if decision.declaration_required else "no declaration"
    return f"{decision.transaction}: {outcome} ({doc}; cites {', '.join(decision.cites) or 'none'})"


def explain(decision: Decision, facts: bool = True) -> str:
    lines = [decision.because.says]
    outcome = decision.outcome.value.upper().replace("_", " ")
    lines.append(f"  outcome: {outcome}")
    if decision.responsible:
        lines.append(f"  obligation on: {decision.responsible_name} [{decision.responsible}] as {decision.responsible_role}")
    doc = "yes" if decision.declaration_required else "no"
    if decision.declaration_due:
        doc += f", due {decision.declaration_due.isoformat()}"
    lines.append(f"  Declaration of Conformity required: {doc}")
    if decision.records_until:
        lines.append(f"  keep records until: {decision.records_until.isoformat()}")
    lines.append(f"  cites: {', '.join(decision.cites) or 'none'}")
    if decision.missing_facts:
        lines.append("  missing facts (a person must answer these):")
        lines.extend(f"    - {m.fact}: {m.question}" for m in decision.missing_facts)
    if decision.interpretations:
        lines.append("  interpretations relied on (not verified law; see the parameter files):")
        lines.extend(f"    - {p.name} = {_value(p.value)} ({p.cite}): {p.source}" for p in decision.interpretations)
    lines.append("  why:")
    for child in decision.because.because:
        _render(child, 2, lines, facts)
    return "\n".join(lines)


def _render(step: Reason, depth: int, lines: list[str], facts: bool) -> None:
    cite = f"[{step.cite}] " if step.cite else ""
    lines.append(f"{'  ' * depth}{_MARK[step.holds]} {cite}{step.says}")
    pad = "  " * (depth + 2)
    if facts and step.facts:
        refs = []
        for ref in step.facts:
            where = f" line {ref.line}" if ref.line else ""
            refs.append(f"{ref.path}{where}")
        lines.append(f"{pad}facts: {'; '.join(refs)}")
    for param in step.parameters:
        lines.append(f"{pad}parameter: {param.name} = {_value(param.value)} ({param.status}, {param.cite})")
    for child in step.because:
        _render(child, depth + 1, lines, facts)


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(str(k) for k in value) + "}"
    return str(value)
