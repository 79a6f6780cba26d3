"""The Declarations and the record pack copy the same inputs out of the evidence store on two
threads; each input is checked against its hash once, and every reader gets the check's outcome."""

from __future__ import annotations

import hashlib
import threading

import pytest

from cvrule.errors import InputError
from cvrule.report import evidence as evidence_module
from cvrule.report.evidence import EvidenceStore

CONTENT = b'{"bomFormat": "CycloneDX"}\n' * 100_000  # over one read chunk


@pytest.fixture
def store(tmp_path) -> tuple[EvidenceStore, str]:
    sha = hashlib.sha256(CONTENT).hexdigest()
    (tmp_path / "evidence" / sha[:2]).mkdir(parents=True)
    (tmp_path / "evidence" / sha[:2] / sha).write_bytes(CONTENT)
    return EvidenceStore(tmp_path / "evidence"), sha


@pytest.fixture
def hashes(monkeypatch) -> list[int]:
    """How many SHA-256 digests the evidence store starts."""
    made: list[int] = []
    real = hashlib.sha256

    def counted(*args):
        made.append(1)
        return real(*args)

    monkeypatch.setattr(evidence_module.hashlib, "sha256", counted)
    return made


def _stream(store: EvidenceStore, sha: str) -> bytes:
    parts: list[bytes] = []
    assert store.stream(sha, parts.append, missing="missing", altered="altered") == len(CONTENT)
    return b"".join(parts)


def test_each_input_is_hashed_once_however_many_copies_are_made(store, hashes, tmp_path):
    evidence, sha = store
    evidence.copy_to(sha, tmp_path / "a.json", missing="missing", altered="altered")
    evidence.copy_to(sha, tmp_path / "b.json", missing="missing", altered="altered")
    assert _stream(evidence, sha) == CONTENT
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes() == CONTENT
    assert len(hashes) == 1


def test_an_altered_input_fails_every_reader_not_only_the_first(store, hashes, tmp_path):
    evidence, sha = store
    (evidence.folder / sha[:2] / sha).write_bytes(CONTENT + b" ")
    for target in ("a.json", "b.json"):
        with pytest.raises(InputError, match="the evidence store was altered"):
            evidence.copy_to(sha, tmp_path / target, missing="missing",
                             altered="does not hash to its name: the evidence store was altered")
    with pytest.raises(InputError, match="altered"):
        _stream(evidence, sha)
    assert len(hashes) == 1


def test_an_input_missing_from_the_store_is_named(store, tmp_path):
    evidence, _ = store
    with pytest.raises(InputError, match="input x.json is not in the evidence store"):
        evidence.copy_to("ab" * 32, tmp_path / "a.json", missing="input x.json is not in the evidence store",
                         altered="altered")


def test_a_reader_that_comes_while_the_check_runs_waits_for_its_outcome(store, hashes, tmp_path):
    evidence, sha = store
    started, release = threading.Event(), threading.Event()
    parts: list[bytes] = []

    def slow(chunk: bytes) -> None:
        started.set()
        release.wait()
        parts.append(chunk)

    first = threading.Thread(target=evidence.stream, args=(sha, slow, "missing", "altered"))
    first.start()
    started.wait()
    second = threading.Thread(target=evidence.copy_to, args=(sha, tmp_path / "a.json", "missing", "altered"))
    second.start()
    second.join(0.2)
    assert second.is_alive()  # the check under way has not ended: no copy yet
    release.set()
    first.join()
    second.join()
    assert b"".join(parts) == (tmp_path / "a.json").read_bytes() == CONTENT
    assert len(hashes) == 1


def test_a_reader_that_fails_leaves_the_check_to_the_next(store, hashes):
    evidence, sha = store

    def full(chunk: bytes) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        evidence.stream(sha, full, missing="missing", altered="altered")
    assert _stream(evidence, sha) == CONTENT
    assert len(hashes) == 2
