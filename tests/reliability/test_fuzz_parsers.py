"""Every parser and the case-file loader, fuzzed from real samples: whatever the mutation, a file
is read into facts the store can write or refused with an InputError naming it; nothing else
escapes. A few dozen examples per format here (derandomized: the same ones on every run); the
long run is `python benchmarks/reliability/fuzz.py --executions 100000` (RELIABILITY.md)."""

from __future__ import annotations

import traceback
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing

SEEDS = fuzzing.load_seeds(corpus=False)  # tests/data and the case suites: the same seeds everywhere
BY_FORMAT: dict[str, list[fuzzing.Seed]] = defaultdict(list)
for _seed in SEEDS:
    BY_FORMAT[_seed.format].append(_seed)
OTHERS = [seed.data for seed in SEEDS]

EXAMPLES = 50
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _explain(outcome: fuzzing.Outcome, seed: fuzzing.Seed) -> str:
    trace = "".join(traceback.format_exception(outcome.error))
    return f"{fuzzing.crash_key(outcome.error)} from a mutation of {seed.name}:\n{trace}"


def test_the_seeds_cover_every_format_cvrule_reads():
    from cvrule.ingest.detect import all_formats

    missing = {f.name for f in all_formats()} - set(BY_FORMAT)
    assert not missing, f"formats without a fuzz seed: {sorted(missing)}"


@pytest.mark.parametrize("fmt", sorted(set(BY_FORMAT) - {"cvrule-case"}))
@FUZZ
@given(data=st.data())
def test_a_mutated_file_is_read_or_refused_with_a_clear_error(fmt, data, tmp_path):
    seed = data.draw(st.sampled_from(BY_FORMAT[fmt]), label="seed")
    rng = data.draw(st.randoms(use_true_random=False), label="mutations")
    mutated = fuzzing.mutate(seed, rng, OTHERS)
    outcome = fuzzing.execute(seed, mutated, tmp_path)
    assert outcome.kind != "crash", _explain(outcome, seed)


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_a_mutated_case_file_is_refused_clearly_or_decided(law, data, tmp_path):
    seed = data.draw(st.sampled_from(BY_FORMAT["cvrule-case"]), label="seed")
    rng = data.draw(st.randoms(use_true_random=False), label="mutations")
    mutated = fuzzing.mutate(seed, rng, OTHERS)
    outcome = fuzzing.execute(seed, mutated, tmp_path, law=law)
    assert outcome.kind != "crash", _explain(outcome, seed)


def test_the_harness_catches_what_it_is_for(tmp_path, monkeypatch):
    """A parser that lets a KeyError out, or refuses without naming the file, is a crash."""
    from dataclasses import replace

    from cvrule.errors import InputError
    from cvrule.ingest.detect import detect as real_detect

    seed = BY_FORMAT["ftm"][0]

    def broken(path, limits):
        raise KeyError("properties")

    monkeypatch.setattr(fuzzing, "detect", lambda path: replace(real_detect(path), parse=broken))
    assert fuzzing.execute(seed, seed.data, tmp_path).kind == "crash"

    def vague(path, limits):
        raise InputError("somewhere-else.json", None, "bad")

    monkeypatch.setattr(fuzzing, "detect", lambda path: replace(real_detect(path), parse=vague))
    assert fuzzing.execute(seed, seed.data, tmp_path).kind == "crash"
