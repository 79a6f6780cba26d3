"""The legal test suite: every case file under tests/cases (and ../shared/cases when present)
decides as it expects. The same cases run under `cvrule case test`."""

from __future__ import annotations

import pytest

from conftest import CASES, REPO, case_files
from cvrule.cases import check_case


@pytest.mark.parametrize("path", case_files(), ids=lambda p: str(p.relative_to(REPO.parent)))
def test_case_decides_as_expected(path, law):
    result = check_case(path, law)
    assert result.error is None, result.error
    assert not result.mismatches, "\n".join(str(m) for m in result.mismatches)


def test_suite_has_at_least_eighty_cases_mirrored_by_cfr_section():
    files = sorted(CASES.rglob("*.yaml"))
    assert len(files) >= 80
    sections = {p.relative_to(CASES).parts[0] for p in files}
    assert sections >= {"791_301", "791_302", "791_303", "791_304", "791_305", "791_306", "791_307", "791_308", "791_312"}


def test_every_case_is_named_as_a_sentence_and_every_transaction_has_an_expectation():
    from cvrule.cases import load_case

    for path in sorted(CASES.rglob("*.yaml")):
        case = load_case(path)
        assert case.name[0].isupper() and len(case.name.split()) >= 5, path
        assert path.stem == path.stem.lower() and " " not in path.stem, path
        assert set(case.expect) == set(case.scenario.transactions), path
