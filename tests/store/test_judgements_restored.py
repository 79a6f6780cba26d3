"""A judgement log kept in a record pack goes back into a fresh workspace row for row (who, when,
why, hashes), with its audit entries, and only whole and intact, and only into an empty log."""

from __future__ import annotations

import dataclasses

import pytest

from cvrule.store import Store, audit
from cvrule.store.resolution import ResolutionStore
from cvrule.workspace import Workspace


def _log(tmp_path) -> list[dict]:
    with Store(Workspace(tmp_path / "kept").create().store_path) as store:
        resolution = ResolutionStore(store)
        resolution.add_judgement(actor="ana", action="alias", target_ref="p1", alias="Quectel", reason="same company")
        resolution.add_judgement(actor="bo", action="reject", target_ref="p2", subject_key="s1", reason="other country")
        return [{k: v.isoformat() if k == "judged_at" else v for k, v in dataclasses.asdict(row).items()}
                for row in resolution.judgements()]


def test_a_log_is_restored_row_for_row_and_verifies_with_its_audit_entries(tmp_path):
    log = _log(tmp_path)
    with Store(Workspace(tmp_path / "fresh").create().store_path) as store:
        resolution = ResolutionStore(store)
        assert resolution.restore_judgements(log) == 2
        again = [{k: v.isoformat() if k == "judged_at" else v for k, v in dataclasses.asdict(row).items()}
                 for row in resolution.judgements()]
        assert again == log
        assert resolution.verify_judgements() == []
        assert audit.verify(store).ok


@pytest.mark.parametrize("spoil", ["changed", "removed", "reordered"])
def test_a_log_that_is_not_an_intact_chain_is_refused_and_nothing_is_written(tmp_path, spoil):
    log = _log(tmp_path)
    if spoil == "changed":
        log[1]["reason"] = "same company after all"
    elif spoil == "removed":
        del log[0]
    else:
        log.reverse()
    with Store(Workspace(tmp_path / "fresh").create().store_path) as store:
        resolution = ResolutionStore(store)
        with pytest.raises(ValueError, match="not an intact chain"):
            resolution.restore_judgements(log)
        assert resolution.judgements() == []


def test_a_log_is_not_restored_over_judgements_of_the_workspace(tmp_path):
    log = _log(tmp_path)
    with Store(Workspace(tmp_path / "fresh").create().store_path) as store:
        resolution = ResolutionStore(store)
        resolution.add_judgement(actor="cy", action="alias", target_ref="p9", alias="Other")
        with pytest.raises(ValueError, match="judgements of its own"):
            resolution.restore_judgements(log)
        assert len(resolution.judgements()) == 1
