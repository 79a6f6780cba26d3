"""Changing one legal parameter in its YAML file flips exactly the cases that depend on it,
with no code change; and every date and threshold is exercised from both sides."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import CASES
from cvrule.cases import load_case, run_case
from cvrule.law import Law
from cvrule.law.parameters import DEFAULT_PARAMETERS_DIR

CASE_FILES = sorted(CASES.rglob("*.yaml"))


def _decide_everything(law: Law) -> dict[tuple[str, str], object]:
    decided = {}
    for path in CASE_FILES:
        for decision in run_case(load_case(path), law):
            decided[(path.name, decision.transaction)] = decision
    return decided


@pytest.fixture(scope="module")
def baseline(law):
    return _decide_everything(law)


def _with_edit(tmp_path: Path, file: str, old: str, new: str) -> Law:
    target = tmp_path / "parameters"
    shutil.copytree(DEFAULT_PARAMETERS_DIR, target)
    text = (target / file).read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    (target / file).write_text(text.replace(old, new))
    return Law.load(target)


def _uses(decision, parameter: str) -> bool:
    return any(p.name == parameter for step in decision.because.walk() for p in step.parameters)


@pytest.mark.parametrize(
    ("parameter", "file", "old", "new", "flips"),
    [
        ("legacy_software_cutoff", "dates.yaml", "value: 2026-03-17", "value: 2026-03-18",
         {("software-created-2026-03-17-is-not-legacy.yaml", "import-trailhead"): "allowed"}),
        ("legacy_software_cutoff", "dates.yaml", "value: 2026-03-17", "value: 2025-03-17",
         {("software-created-2026-03-16-is-legacy.yaml", "import-trailhead"): "prohibited",
          ("legacy-software-updated-by-unlinked-party-stays-legacy.yaml", "import-trailhead"): "prohibited"}),
        ("gvwr_limit_lbs", "scope.yaml", "value: 10000", "value: 10001",
         {("gvwr-of-10001-lb-is-out-of-scope.yaml", "import-titan"): "prohibited"}),
        ("hardware_without_model_year_from", "dates.yaml", "value: 2029-01-01", "value: 2029-01-02",
         {("module-without-model-year-is-exempt-until-2028-12-31-and-prohibited-from-2029-01-01.yaml",
           "import-first-day-of-2029"): "exempt"}),
        ("condition_grace_days", "authorizations.yaml", "value: 0\n", "value: 1\n",
         {("condition-overdue-the-day-after-its-quarterly-audit-was-due-ends-the-authorization.yaml",
           "import-the-day-after-the-audit-was-due"): "authorized"}),
        ("overdue_condition_voids_authorization", "authorizations.yaml", 'value: true\n      cite: "791.307"',
         'value: false\n      cite: "791.307"',
         {("condition-overdue-the-day-after-its-quarterly-audit-was-due-ends-the-authorization.yaml",
           "import-the-day-after-the-audit-was-due"): "indeterminate"}),
    ],
    ids=["legacy-cutoff-one-day-later", "legacy-cutoff-a-year-earlier", "gvwr-limit-one-pound-up", "no-model-year-date-one-day-later",
         "condition-grace-one-day", "overdue-condition-only-in-doubt"],
)
def test_changing_one_parameter_flips_exactly_the_cases_that_depend_on_it(tmp_path, baseline, parameter, file, old, new, flips):
    changed = _decide_everything(_with_edit(tmp_path, file, old, new))
    flipped = {key: changed[key].outcome.value for key in baseline if changed[key].outcome != baseline[key].outcome}
    assert flipped == flips
    for key in flipped:
        assert _uses(baseline[key], parameter), f"{key} flipped but its reasons never cite {parameter}"


# Every date and threshold of the rule, with the cases on each side of it: a comparison against
# the parameter must be seen to hold in some case and to fail in another.
BOUNDARIES = [
    "rule_effective_date",
    "software_prohibition_first_model_year",
    "sales_ban_first_model_year",
    "hardware_prohibition_first_model_year",
    "hardware_without_model_year_from",
    "legacy_software_cutoff",
    "gvwr_limit_lbs",
    "vcs_rf_threshold_mhz",
    "ads_min_sae_level",
    "ga_reassessment_days",
    "condition_grace_days",
]


def test_every_effective_date_and_threshold_has_a_case_on_each_side(baseline):
    sides: dict[str, set] = defaultdict(set)
    for decision in baseline.values():
        for step in decision.because.walk():
            for param in step.parameters:
                sides[param.name].add(step.holds)
    missing = {name: sorted(map(str, sides[name])) for name in BOUNDARIES if not {True, False} <= sides[name]}
    assert not missing, f"boundaries seen from one side only: {missing}"
