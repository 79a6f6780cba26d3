"""One writer at a time: a second writing command on a busy workspace is refused at once, with the
holder's pid and command; readers get a clear error rather than a traceback; concurrent ingests
leave a store that verifies and holds what the one that ran loaded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import crashing
from cvrule.cli import app
from cvrule.errors import WorkspaceBusyError
from cvrule.ingest.load import ingest_paths
from cvrule.workspace import Workspace

HOLD = """
import sys, time
from cvrule.workspace import Workspace
with Workspace(sys.argv[1]).lock("cvrule ingest /data/fleet"):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path):
    """Another process holding the workspace (as a long `cvrule ingest` would)."""
    space = Workspace(tmp_path / "ws")
    ingest_paths(space, [crashing.CASES / "791_302"])  # a workspace with something in it
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(space.root)], stdout=subprocess.PIPE)
    assert process.stdout.readline().strip() == b"locked"
    yield space, process
    process.kill()
    process.wait()


WRITING = {
    "ingest": lambda ws: ["ingest", str(crashing.CASES / "791_303"), "--workspace", ws],
    "resolve": lambda ws: ["resolve", "--workspace", ws],
    "review": lambda ws: ["review", "--workspace", ws, "--alias-of", "x", "--name", "y"],
    "nexus": lambda ws: ["nexus", "--workspace", ws, "--as-of", "2030-01-01"],
    "synth graph": lambda ws: ["synth", "graph", "--parties", "10", "--workspace", ws],
}


@pytest.mark.parametrize("command", sorted(WRITING))
def test_a_second_writer_is_refused_naming_the_first(holder, command):
    space, process = holder
    result = CliRunner().invoke(app, WRITING[command](str(space.root)))
    assert result.exit_code == 2, result.output
    assert f"pid {process.pid}: cvrule ingest /data/fleet, since " in result.output
    assert "wait for it to finish" in result.output and "Traceback" not in result.output


def test_the_lock_goes_with_its_holder_however_it_dies(holder):
    space, process = holder
    with pytest.raises(WorkspaceBusyError):
        with space.lock():
            pass
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with space.lock("cvrule resolve"):
        assert '"command": "cvrule resolve"' in space.lock_path.read_text()


def test_waiting_for_the_lock_gets_it_when_the_holder_ends(holder):
    space, process = holder
    started = time.monotonic()
    subprocess.Popen(["sh", "-c", f"sleep 0.5; kill -9 {process.pid}"])
    with space.lock(wait=10):
        assert time.monotonic() - started < 10


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    space = Workspace(tmp_path / "ws")
    with space.lock("outer"):
        with space.lock("inner"):  # ingest_paths inside `cvrule ingest`, say
            ingest_paths(space, [crashing.CASES / "791_302"])
        assert '"command": "outer"' in space.lock_path.read_text()


def test_a_reader_during_a_write_gets_a_clear_error(tmp_path):
    """DuckDB lets one process open the file; `cvrule audit verify` while an ingest writes says so."""
    space = Workspace(tmp_path / "ws")
    ingest_paths(space, [crashing.CASES / "791_302"])
    code = ("import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(60)")
    writer = subprocess.Popen([sys.executable, "-c", code, str(space.store_path)], stdout=subprocess.PIPE)
    try:
        assert writer.stdout.readline().strip() == b"open"
        result = CliRunner().invoke(app, ["audit", "verify", "--workspace", str(space.root)])
        assert result.exit_code == 2
        assert f"is open in another process (pid {writer.pid}" in result.output
        assert "Traceback" not in result.output
    finally:
        writer.kill()
        writer.wait()


def test_concurrent_ingests_do_not_corrupt_the_workspace(tmp_path):
    inputs = crashing.make_inputs(tmp_path / "inputs", 3000)
    other = tmp_path / "other"
    other.mkdir()
    for case in sorted((crashing.CASES / "791_303").glob("*.yaml")):
        (other / case.name).write_bytes(case.read_bytes())
    space = Workspace(tmp_path / "ws")
    first = crashing.start("ingest", space.root, inputs)
    second = crashing.start("ingest", space.root, other)
    first.go()
    time.sleep(0.3)
    second.go()
    results = [child.process.communicate(timeout=300) + (child.process.returncode,) for child in (first, second)]
    refused = [err.decode() for _, err, code in results if code == 2]
    assert len(refused) <= 1
    for message in refused:
        assert "is being written by another process (pid" in message
    assert crashing.check_store(space) == []
    ran_both = not refused
    from cvrule.store import Store

    with Store(space.store_path) as store:
        names = {Path(p).name for p, in store._con.execute("SELECT path FROM source_paths").fetchall()}
    assert "tcu.cdx.json" in names
    assert ({p.name for p in other.iterdir()} <= names) == ran_both
