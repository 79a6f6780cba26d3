"""Shared test fixtures: the bundled law, the case suites, and the shared corpus when present."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from cvrule.law import Law

# Property tests are deterministic: the same examples on every run and every machine.
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.load_profile("deterministic")

TESTS = Path(__file__).parent
REPO = TESTS.parent
CASES = TESTS / "cases"
SHARED_CASES = REPO.parent / "shared" / "cases"
DATA = TESTS / "data"
CORPUS = REPO.parent / "shared" / "corpus"


def case_files() -> list[Path]:
    files = sorted(CASES.rglob("*.yaml"))
    if SHARED_CASES.is_dir():
        files += sorted(SHARED_CASES.glob("*.yaml"))
    return files


@pytest.fixture(scope="session")
def law() -> Law:
    return Law.load()


def corpus_files(pattern: str) -> list[Path]:
    """Corpus files matching a glob, for parametrization; empty when the corpus is absent."""
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob(pattern))


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture
def limits():
    from cvrule.ingest.limits import Limits

    return Limits()
