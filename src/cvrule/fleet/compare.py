"""What changed between two assessments, and why: decisions whose outcome (or open questions)
changed, each with the changes that can explain it: input files added, removed or changed, a
different parameter set, parties whose status changed, components added, removed or re-linked."""

from __future__ import annotations

from dataclasses import dataclass, field

from cvrule.fleet.result import Assessment, DecisionView

__all__ = ["Change", "Comparison", "compare"]


@dataclass
class Change:
    transaction: str
    before: str | None
    after: str | None
    questions_added: list[str] = field(default_factory=list)
    questions_removed: list[str] = field(default_factory=list)
    because: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    before: str
    after: str
    inputs: list[str] = field(default_factory=list)
    parameters: str | None = None
    parties: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    decisions: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def as_json(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def compare(a: Assessment, b: Assessment) -> Comparison:
    result = Comparison(a.run_id, b.run_id)
    old_in, new_in = {i.path: i.sha256 for i in a.inputs}, {i.path: i.sha256 for i in b.inputs}
    for path in sorted(old_in.keys() | new_in.keys()):
        if path not in new_in:
            result.inputs.append(f"removed {path}")
        elif path not in old_in:
            result.inputs.append(f"added {path}")
        elif old_in[path] != new_in[path]:
            result.inputs.append(f"changed {path} ({old_in[path][:12]} -> {new_in[path][:12]})")
    if a.parameters_sha256 != b.parameters_sha256:
        result.parameters = f"legal parameters changed ({a.parameters_sha256[:12]} -> {b.parameters_sha256[:12]})"
    old_p, new_p = {p.ref: p for p in a.parties}, {p.ref: p for p in b.parties}
    party_changes: dict[str, str] = {}
    for ref in sorted(old_p.keys() | new_p.keys()):
        before, after = old_p.get(ref), new_p.get(ref)
        if before is None:
            party_changes[ref] = f"{after.name}: newly identified, {after.linkage}" + (f" ({after.basis})" if after.basis else "")
        elif after is None:
            party_changes[ref] = f"{before.name}: no longer named (was {before.linkage})"
        elif before.linkage != after.linkage:
            party_changes[ref] = f"{after.name}: {before.linkage} -> {after.linkage}" + (f" ({after.basis})" if after.basis else "")
        elif before and after and before.why != after.why and after.linkage != "not_linked":
            party_changes[ref] = f"{after.name}: still {after.linkage}, on a different path"
    result.parties = list(party_changes.values())
    old_c, new_c = {c.id: c for c in a.components}, {c.id: c for c in b.components}
    comp_changes: dict[str, str] = {}
    for cid in sorted(old_c.keys() | new_c.keys()):
        before, after = old_c.get(cid), new_c.get(cid)
        if after is None:
            comp_changes[cid] = f"{before.name} ({before.source}) is gone"
        elif before is None:
            comp_changes[cid] = f"{after.name} ({after.source}) is new, {after.linkage}"
        elif before.linkage != after.linkage or before.classification != after.classification or \
                [(r.role, r.party) for r in before.roles] != [(r.role, r.party) for r in after.roles]:
            what = []
            if before.linkage != after.linkage:
                what.append(f"{before.linkage} -> {after.linkage}")
            if before.classification != after.classification:
                keys = sorted(k for k in before.classification.keys() | after.classification.keys()
                              if before.classification.get(k) != after.classification.get(k))
                what.append("classification " + ", ".join(keys))
            if [(r.role, r.party) for r in before.roles] != [(r.role, r.party) for r in after.roles]:
                gone = {r.party for r in before.roles} - {r.party for r in after.roles}
                came = [r for r in after.roles if r.party not in {x.party for x in before.roles}]
                words = [f"{r.role.replace('_', ' ')} {new_p[r.party].name if r.party in new_p else r.written} "
                         f"({new_p[r.party].linkage if r.party in new_p else 'unknown'})" for r in came]
                words += [f"no longer {old_p[p].name if p in old_p else p}" for p in sorted(gone)]
                what.append("its parties: " + ", ".join(dict.fromkeys(words)))
            comp_changes[cid] = f"{after.name}: " + "; ".join(what)
    result.components = list(comp_changes.values())
    held_by: dict[str, set[str]] = {}
    for component in list(a.components) + list(b.components):
        held_by.setdefault(component.id, set()).update(r.party for r in component.roles)
    old_d = {v.decision.transaction: v for v in a.decisions}
    new_d = {v.decision.transaction: v for v in b.decisions}
    for txn in sorted(old_d.keys() | new_d.keys()):
        before, after = old_d.get(txn), new_d.get(txn)
        change = _change(txn, before, after, party_changes, comp_changes, held_by, result)
        if change is None:
            result.unchanged += 1
        else:
            result.decisions.append(change)
    return result


def _change(txn: str, before: DecisionView | None, after: DecisionView | None, parties: dict[str, str],
            components: dict[str, str], held_by: dict[str, set[str]], result: Comparison) -> Change | None:
    old = before.decision.outcome.value if before else None
    new = after.decision.outcome.value if after else None
    old_q = {m.question for m in before.decision.missing_facts} if before else set()
    new_q = {m.question for m in after.decision.missing_facts} if after else set()
    if old == new and old_q == new_q:
        return None
    change = Change(txn, old, new, sorted(new_q - old_q), sorted(old_q - new_q))
    touched = set(before.components if before else ()) | set(after.components if after else ())
    change.because += [components[c] for c in sorted(touched) if c in components]
    refs = {r for c in touched for r in held_by.get(c, ())}
    refs |= {view.decision.actor for view in (before, after) if view is not None}
    change.because += [parties[r] for r in sorted(refs) if r in parties]
    if not change.because:
        change.because = result.inputs + ([result.parameters] if result.parameters else []) or \
            ["no input, parameter or party change explains it: the cvrule version or the evaluation date changed"]
    return change
