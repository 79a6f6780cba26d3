"""Fixtures for the ingest tests: the shared corpus (skipped cleanly when absent) and small samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvrule.ingest.limits import Limits

DATA = Path(__file__).parents[1] / "data"
CORPUS = Path(__file__).parents[3] / "shared" / "corpus"


@pytest.fixture
def limits() -> Limits:
    return Limits()


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


def corpus_files(pattern: str) -> list[Path]:
    """Corpus files matching a glob, for parametrization; empty when the corpus is absent."""
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob(pattern))
