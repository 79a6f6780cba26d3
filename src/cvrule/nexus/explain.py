"""`cvrule why PARTY`: the path that proves a party's status, step by step down to the parties
linked (or of unknown status) on their own facts, each step with its CFR basis and the legal
parameter it applied. Reads through a `WhyReader` (the store implements it), so it stays free
of any database driver."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from cvrule.law.parameters import Edition, Param

__all__ = ["BASES", "WhyReader", "explain_party"]

CITE = "791.301"

BASES: dict[str, tuple[str, tuple[str, ...]]] = {
    # basis: (what it says, the parameters it applies)
    "government": ("{name} is the government of {country}, a covered jurisdiction", ("covered_jurisdictions",)),
    "organized": ("{name} is organized in {country}, a covered jurisdiction", ("covered_jurisdictions",)),
    "headquartered": ("{name} is headquartered in {headquarters}, a covered jurisdiction", ("covered_jurisdictions",)),
    "principal_place": ("{name} has its principal place of business in a covered jurisdiction", ("covered_jurisdictions",)),
    "citizen": ("{name} is a citizen of {country}, a covered jurisdiction, and not a US permanent resident",
                ("covered_jurisdictions", "us_permanent_residents_excepted")),
    "resident": ("{name} resides in {residence}, a covered jurisdiction, and is not a US permanent resident",
                 ("covered_jurisdictions", "residence_defaults_to_citizenship", "us_permanent_residents_excepted")),
    "country_unknown": ("the country of {name} is not known", ()),
    "residence_unknown": ("where {name} resides is not known", ("residence_defaults_to_citizenship",)),
    "headquarters_unknown": ("where {name} is headquartered is not known", ("headquarters_defaults_to_country",)),
    "ppob_unknown": ("where {name} has its principal place of business is not known", ("headquarters_defaults_to_country",)),
    "ownership_unknown": ("the owners of {name} are not known", ()),
    "majority": ("linked holders hold {block} of the voting interest in {name}, a majority (more than {majority_share})",
                 ("majority_share",)),
    "dominant_minority": ("linked holders hold {block} of the voting interest in {name}, at least {dominant_minority_share} "
                          "and more than any other holder: a dominant minority", ("dominant_minority_share",)),
    "control": ("a linked party has control over {name} of a kind that controls", ("controlling_indicators",)),
    "review_share": ("holders that are or may be linked may hold up to {block_high} of the voting interest in {name}, "
                     "at least the review share of {review_share}", ("review_share",)),
    "review_control": ("a party that is or may be linked has control over {name} that may amount to control",
                       ("controlling_indicators", "review_indicators")),
}

_VERDICT = {
    "linked": "LINKED to the PRC or Russia",
    "indeterminate": "INDETERMINATE: whether it is linked to the PRC or Russia cannot be told",
    "not_linked": "NOT LINKED: not owned by, controlled by or subject to the jurisdiction or direction of the PRC or Russia",
}


class WhyReader(Protocol):
    def status(self, node: str) -> dict | None: ...

    def evidence(self, node: str) -> list[dict]: ...

    def records(self, node: str) -> list[dict]: ...


def explain_party(node: str, as_of: date, reader: WhyReader, edition: Edition) -> list[str]:
    """The lines of the explanation of `node`'s status as of `as_of`."""
    lines: list[str] = []
    _explain(node, reader, edition, lines, depth=0, seen=set(), headline=True, as_of=as_of)
    return lines


def _explain(node, reader, edition, lines, depth, seen, headline=False, as_of=None) -> None:
    pad = "  " * depth
    status = reader.status(node)
    if status is None:
        lines.append(f"{pad}{node}: not in the status table")
        return
    name = status["name"] or node
    when = f" as of {as_of.isoformat()}" if headline and as_of else ""
    lines.append(f"{pad}{name} [{node}]{when}: {_VERDICT[status['linkage']]} (15 CFR {CITE})")
    if node in seen:
        lines.append(f"{pad}  (explained above)")
        return
    seen.add(node)
    if headline and (status["lookthrough_max"] or status["lookthrough_min"]):
        lines.append(f"{pad}  look-through exposure to covered jurisdictions: "
                     f"{_range(status['lookthrough_min'], status['lookthrough_max'])} (economic, for reports; not a test)")
    basis = status["basis"]
    if status["linkage"] == "not_linked" or basis is None:
        lines.append(f"{pad}  because no fact places it in a covered jurisdiction, and no party that is or may be "
                     "linked holds the review share of its voting interest or control over it")
        _params(pad + "    ", edition, ("covered_jurisdictions", "review_share", "review_indicators"), lines)
        return
    evidence = reader.evidence(node)
    fixpoint = "linked" if status["linkage"] == "linked" else "possible"
    steps = [e for e in evidence if e["fixpoint"] == fixpoint]
    words, params = BASES[basis]
    values = _facts(node, reader.records(node), name)
    values.update(_blocks(steps))
    values.update({p: _share_text(edition.param(p).value) for p in params if p.endswith("_share")})
    lines.append(f"{pad}  because {_format(words, values)}")
    _params(pad + "    ", edition, params, lines)
    for step in steps:
        lines.append(f"{pad}  - {_step(step, reader)}")
        _explain(step["via"], reader, edition, lines, depth + 2, seen)


def _facts(node: str, records: list[dict], name: str) -> dict[str, str]:
    values = {"name": name, "country": "?", "headquarters": "?", "residence": "?"}
    for record in records:
        for key in ("country", "headquarters", "residence"):
            if record.get(key) and values[key] == "?":
                values[key] = record[key]
    if values["residence"] == "?":
        values["residence"] = values["country"]
    return values


def _blocks(steps: list[dict]) -> dict[str, str]:
    stakes = [s for s in steps if s["relation"] == "ownership"]
    low = sum(s["share_min"] or 0.0 for s in stakes)
    high = sum(s["share_max"] if s["share_max"] is not None else 1.0 for s in stakes)
    above = any(s["min_exclusive"] for s in stakes)
    return {"block": ("more than " if above else "") + _share_text(min(low, 1.0)) if stakes else "?",
            "block_high": _share_text(high)}


def _step(step: dict, reader: WhyReader) -> str:
    holder = reader.status(step["via"])
    who = (holder or {}).get("name") or step["via"]
    where = f"(source {str(step['source_id'])[:12]}, {step['location']})" if step["source_id"] else ""
    if step["relation"] == "control":
        return f"control: {who} has {str(step['kind']).replace('_', ' ')} control {where}".rstrip()
    if step["share_unknown"]:
        held = "an unstated share (0-100%)"
    else:
        held = _range(step["share_min"], step["share_max"], step["min_exclusive"], step["max_exclusive"])
    kinds = str(step.get("kind") or "").split(", ")
    if "indirect" in kinds:
        held += " indirectly, through a chain the source does not give"
    if "consolidation" in kinds:
        held += " (accounting consolidation)"
    return f"ownership: {who} holds {held} {where}".rstrip()


def _params(pad: str, edition: Edition, names: tuple[str, ...], lines: list[str]) -> None:
    for name in names:
        param: Param = edition.param(name)
        value = param.value
        shown = ", ".join(value) if isinstance(value, tuple) else (_share_text(value) if name.endswith("_share") else str(value))
        lines.append(f"{pad}[{name} = {shown}; {param.cite}; {param.status.value}; since {param.effective.isoformat()}]")


def _share_text(value: float) -> str:
    return f"{value * 100:.4g}%"


def _range(low, high, low_open=False, high_open=False) -> str:
    low = low or 0.0
    high = 1.0 if high is None else high
    if low == high and not (low_open or high_open):
        return _share_text(low)
    left = "more than " if low_open else ""
    right = "under " if high_open else ""
    return f"{left}{_share_text(low)} to {right}{_share_text(high)}"


def _format(words: str, values: dict[str, str]) -> str:
    return words.format_map(_Default(values))


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "?"

