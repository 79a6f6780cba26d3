"""The parameter loader: dated values, amendments beside the old ones, and clear errors for
malformed files."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from cvrule.errors import CvruleError
from cvrule.law.parameters import DEFAULT_PARAMETERS_DIR, Law


@pytest.fixture
def params(tmp_path) -> Path:
    target = tmp_path / "parameters"
    shutil.copytree(DEFAULT_PARAMETERS_DIR, target)
    return target


def _edit(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))


def test_values_are_taken_as_of_their_effective_date(law):
    before = law.edition(date(2025, 6, 10))["general_authorizations"]
    after = law.edition(date(2025, 6, 11))["general_authorizations"]
    assert before == {} and set(after) == {"GA-1", "GA-2"}


def test_an_amendment_added_beside_the_old_value_governs_only_from_its_date(params):
    _edit(params, "scope.yaml", "gvwr_limit_lbs:\n", "gvwr_limit_lbs:\n")
    text = (params / "scope.yaml").read_text()
    amendment = (
        "    - effective: 2031-01-01\n"
        "      value: 14000\n"
        "      cite: \"791.301\"\n"
        "      source: A hypothetical amendment for this test.\n"
        "      status: interpretation\n"
    )
    anchor = "      status: interpretation\nads_min_sae_level:"
    (params / "scope.yaml").write_text(text.replace(anchor, "      status: interpretation\n" + amendment + "ads_min_sae_level:", 1))
    law = Law.load(params)
    assert law.edition(date(2030, 12, 31))["gvwr_limit_lbs"] == 10000
    assert law.edition(date(2031, 1, 1))["gvwr_limit_lbs"] == 14000
    assert [v.effective for v in law.history("gvwr_limit_lbs")] == [date(2025, 3, 17), date(2031, 1, 1)]


def test_reading_a_parameter_before_it_takes_effect_is_a_clear_error(law):
    with pytest.raises(CvruleError, match="gvwr_limit_lbs is not in force on 2024-01-01"):
        law.edition(date(2024, 1, 1))["gvwr_limit_lbs"]


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("scope.yaml", "      status: interpretation\naftermarket", "      status: interpretation\n      reviewer: me\naftermarket",
         r"scope.yaml: vcs_excluded_functions.values.0.reviewer: unknown key"),
        ("dates.yaml", "    - effective: 2025-03-17\n      value: 2029-01-01", "    - effective: 2025-02-30\n      value: 2029-01-01",
         r"dates.yaml: hardware_without_model_year_from.values.0.effective: Input should be a valid date"),
        ("dates.yaml", "      value: 2029-01-01", "      value: first of January",
         r"dates.yaml: hardware_without_model_year_from.values\[0\].value: Input should be a valid date"),
        ("scope.yaml", "gvwr_limit_lbs:", "gvwr_limit_pounds:", r"scope.yaml: gvwr_limit_pounds: unknown parameter"),
        ("declarations.yaml", "      status: verified\n", "      status: settled\n",
         r"declarations.yaml: .*status: Input should be 'verified' or 'interpretation'"),
        ("declarations.yaml", "      source: 15 CFR 791.312(a)", "      sauce: 15 CFR 791.312(a)",
         r"declarations.yaml: record_retention_years.values.0.source: Field required"),
        ("jurisdictions.yaml", "value: [CN, HK, MO, RU]", "value: [CN, HK, MO, RU\n",
         r"jurisdictions.yaml: .*not valid YAML"),
    ],
    ids=["unknown-key", "impossible-date", "malformed-date-value", "unknown-parameter", "bad-status", "missing-source", "broken-yaml"],
)
def test_a_malformed_parameter_file_is_rejected_with_file_and_key(params, file, old, new, message):
    _edit(params, file, old, new)
    with pytest.raises(CvruleError, match=message):
        Law.load(params)


def test_a_missing_parameter_is_reported(params):
    (params / "diligence.yaml").unlink()
    with pytest.raises(CvruleError, match="parameters missing: roles_required_to_clear"):
        Law.load(params)


def test_the_parameter_digest_changes_with_any_value(params):
    before = Law.load(params).digest
    _edit(params, "declarations.yaml", "value: 60", "value: 90")
    assert Law.load(params).digest != before
