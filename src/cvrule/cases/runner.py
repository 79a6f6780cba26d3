"""Running case files: decide every transaction and compare with what the case expects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cvrule.cases.casefile import CaseFile, Expectation, load_case
from cvrule.errors import CvruleError
from cvrule.law.decide import decide_all
from cvrule.law.parameters import Law
from cvrule.model import Decision

__all__ = ["CaseResult", "Mismatch", "check_case", "collect_case_files", "run_case"]


@dataclass(frozen=True)
class Mismatch:
    transaction: str
    field: str
    expected: object
    actual: object

    def __str__(self) -> str:
        return f"{self.transaction}: {self.field} expected {self.expected}, got {self.actual}"


@dataclass
class CaseResult:
    path: Path
    name: str | None = None
    decisions: list[Decision] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.mismatches


def collect_case_files(paths: list[Path | str]) -> list[Path]:
    """The case files at these paths: files as given, directories searched for *.yaml / *.yml."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            found.append(path)
    return found


def run_case(case: CaseFile, law: Law) -> list[Decision]:
    decisions = decide_all(case.scenario, law, case.as_of)
    for decision in decisions:
        for step in decision.because.walk():
            for ref in step.facts:
                ref.source = str(case.path)
                ref.line = case.line_of(ref.path)
    return decisions


def check_case(path: Path | str, law: Law) -> CaseResult:
    """Load, run and compare one case file; errors become a failed result, never an exception."""
    result = CaseResult(Path(path))
    try:
        case = load_case(path)
        result.name = case.name
        result.decisions = run_case(case, law)
    except CvruleError as error:
        result.error = str(error)
        return result
    by_id = {d.transaction: d for d in result.decisions}
    for txn_id, expected in case.expect.items():
        result.mismatches.extend(_compare(txn_id, expected, by_id[txn_id]))
    return result


def _cited(expected: str, cites: list[str]) -> bool:
    """A section or paragraph is cited when it or one of its subparagraphs is: "791.312" by "791.312(a)"."""
    return any(c == expected or c.startswith(expected + "(") for c in cites)


def _compare(txn_id: str, expected: Expectation, actual: Decision) -> list[Mismatch]:
    found = []
    if expected.outcome is not actual.outcome:
        found.append(Mismatch(txn_id, "outcome", expected.outcome.value, actual.outcome.value))
    if expected.declaration_required is not None and expected.declaration_required != actual.declaration_required:
        found.append(Mismatch(txn_id, "declaration_required", expected.declaration_required, actual.declaration_required))
    absent = [c for c in expected.cites if not _cited(c, actual.cites)]
    if absent:
        found.append(Mismatch(txn_id, "cites", f"to include {absent}", actual.cites))
    if expected.responsible is not None and expected.responsible != actual.responsible:
        found.append(Mismatch(txn_id, "responsible", expected.responsible, actual.responsible))
    facts = [m.fact for m in actual.missing_facts]
    gaps = [f for f in expected.missing_facts if f not in facts]
    if gaps:
        found.append(Mismatch(txn_id, "missing_facts", f"to include {gaps}", facts))
    for name in ("records_until", "declaration_due"):
        want = getattr(expected, name)
        if want is not None and want != getattr(actual, name):
            found.append(Mismatch(txn_id, name, want, getattr(actual, name)))
    return found
