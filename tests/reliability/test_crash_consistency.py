"""Killing a writer (SIGKILL, no chance to clean up) at any moment leaves the workspace consistent,
and running the commands again gives exactly what an uninterrupted run gives: nothing is lost,
nothing is half-written. A handful of kills here; `python benchmarks/reliability/crash.py --kills
200` is the long run (RELIABILITY.md). The writers killed are crashing.WRITERS (ingest, resolve,
nexus and the fleet assessment)."""

from __future__ import annotations

import random

import pytest

import crashing
from cvrule.workspace import Workspace

KILLS = 8
COMPONENTS = 2000


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return crashing.make_inputs(tmp_path_factory.mktemp("inputs"), COMPONENTS)


def test_killed_writers_leave_a_consistent_store_and_a_rerun_loses_nothing(inputs, tmp_path):
    clean = Workspace(tmp_path / "clean")  # an uninterrupted run (which also times each writer)
    durations = {writer: crashing.run(writer, clean.root, inputs) for writer in crashing.ORDER}
    space = Workspace(tmp_path / "ws")
    result = crashing.campaign(space, inputs, KILLS, random.Random(9), durations, components=COMPONENTS)
    assert result.problems == []
    assert result.kills >= KILLS // 3, "writers must be killed while running, not only after (timing varies under load)"

    crashing.vary_inputs(inputs, 0, COMPONENTS)  # the inputs the clean run had
    for writer in crashing.ORDER:  # finish the job on the killed workspace
        crashing.run(writer, space.root, inputs)
    assert crashing.check_store(space) == []
    assert crashing.snapshot(space) == crashing.snapshot(clean)
    clean_runs = crashing.runs(clean)
    assert clean_runs and {run: crashing.runs(space).get(run) for run in clean_runs} == clean_runs


def test_a_killed_writers_half_done_files_are_cleared_by_the_next(tmp_path):
    space = Workspace(tmp_path / "ws").create()
    partial = space.evidence / "ab" / ".incoming-x1y2"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"half a copy")
    scratch = space.root / ".nexus-abc123"
    (scratch / "g_parties.parquet").parent.mkdir(parents=True)
    (scratch / "g_parties.parquet").write_bytes(b"half a graph")
    with space.lock("cvrule ingest"):
        assert not partial.exists() and not scratch.exists()
