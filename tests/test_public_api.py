"""The public API is small and explicit: what each package exports is what it means to."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

EXPORTS = {
    "cvrule": {"CaseFileError", "CvruleError", "InputError", "ParameterError", "__version__"},
    "cvrule.law": {"DEFAULT_PARAMETERS_DIR", "Edition", "Law", "Param", "ParameterStatus", "decide", "decide_all", "explain", "summary_line"},
    "cvrule.cases": {"CaseFile", "CaseResult", "Expectation", "Mismatch", "check_case", "collect_case_files", "load_case", "run_case"},
}


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_each_package_exports_exactly_its_public_names(module):
    loaded = importlib.import_module(module)
    assert set(loaded.__all__) == EXPORTS[module]
    for name in loaded.__all__:
        assert hasattr(loaded, name), f"{module}.{name} is listed in __all__ but missing"


def test_every_model_name_listed_is_importable():
    model = importlib.import_module("cvrule.model")
    missing = [name for name in model.__all__ if not hasattr(model, name)]
    assert not missing


def test_decide_works_from_the_public_api_alone(tmp_path):
    from cvrule.cases import load_case
    from cvrule.law import Law, decide
    CASES = Path(__file__).resolve().parent / "cases"  # tests/web has a conftest of its own

    source = CASES / "791_302" / "russian-made-wifi-module-for-model-year-2031-is-prohibited.yaml"
    case = load_case(source)
    txn = next(iter(case.scenario.transactions))
    decision = decide(case.scenario, txn, Law.load())
    assert decision.outcome.value == "prohibited"
    assert "791.302(a)" in decision.cites
