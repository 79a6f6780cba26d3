"""Precision and recall on the labeled evaluation set (tests/data/resolve/README.md) at the
default thresholds: at least 0.95 each. The hand-made Chinese and Russian part always runs; the
part built from ../shared/corpus runs when the corpus is there."""

from __future__ import annotations

import pytest
from resolve_evalset import CORPUS, VARIANT_STRATA, corpus_set, handmade_set

from cvrule.resolve import ResolveSettings
from cvrule.resolve.evaluation import combined, evaluate

TARGET = 0.95


def test_handmade_chinese_and_russian_variants():
    targets, queries = handmade_set()
    assert len(queries) >= 70 and sum(q.expect is None for q in queries) >= 10
    results = evaluate(targets, queries, ResolveSettings())
    overall = results["all"]
    assert overall.precision >= TARGET, overall.errors
    assert overall.recall >= TARGET, overall.errors
    assert overall.false_links == 0, overall.errors


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_real_alias_data_from_the_corpus():
    targets, queries, description = corpus_set()
    assert description["registry"] > 50_000 and len(queries) > 5_000
    results = evaluate(targets, queries, ResolveSettings())
    overall = results["all"]
    assert overall.precision >= TARGET, overall.errors[:20]
    variants = combined(results, VARIANT_STRATA)
    assert variants.positives > 500
    assert variants.recall >= TARGET
    assert results["same-words"].recall >= 0.99
