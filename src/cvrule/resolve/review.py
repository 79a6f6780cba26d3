"""Analyst decisions: confirm a candidate, reject it, or add an alias to a party or list entry.

Each decision is appended to the judgement log with who, when and why, applied to the stored
results at once, and applied again by every later run: a confirmed pair is linked whatever it
scores, a rejected pair is never proposed again, an alias is matched like any other name.
"""

from __future__ import annotations

from cvrule.errors import CvruleError
from cvrule.store import Store
from cvrule.store.resolution import JudgementRow, ResolutionStore

__all__ = ["ReviewError", "add_alias", "confirm", "pending", "reject"]


class ReviewError(CvruleError):
    """An analyst decision that cannot be recorded (unknown candidate, missing reason)."""


def pending(store: Store, purpose: str | None = None) -> list[dict]:
    """Candidates waiting for an analyst: mentions in review and open screening flags."""
    resolution = ResolutionStore(store)
    review_ids = {row["candidate_id"] for row in resolution.mention_results("WHERE status = 'review'")}
    out = []
    for row in resolution.candidates("WHERE status = 'open'"):
        if purpose and row["purpose"] != purpose:
            continue
        if row["purpose"] == "link" and row["candidate_id"] in review_ids:
            out.append(row)
        elif row["purpose"] == "screening":
            out.append(row)
    return out


def _candidate(resolution: ResolutionStore, candidate_id: str) -> dict:
    found = resolution.candidate(candidate_id)
    if found is None:
        raise ReviewError(f"no candidate {candidate_id!r} in the last run; `cvrule review` lists them")
    return found


def confirm(store: Store, candidate_id: str, actor: str, reason: str | None = None) -> JudgementRow:
    resolution = ResolutionStore(store)
    found = _candidate(resolution, candidate_id)
    with store.transaction():  # the judgement, its audit entry and its effect on the results: all or nothing
        row = resolution.add_judgement(actor=actor, action="confirm", candidate_id=candidate_id,
                                       subject_key=found["subject_key"], target_ref=found["target_ref"],
                                       target_source_id=found["target_source_id"], reason=reason)
        resolution.set_candidate_status(candidate_id, "confirmed")
        if found["purpose"] == "link":
            found["score"] = 1.0
            resolution.relink_subject(found["subject_key"], found, "linked", "analyst",
                                      f"confirmed by {actor}: {reason or 'no reason given'}")
    return row


def reject(store: Store, candidate_id: str, actor: str, reason: str) -> JudgementRow:
    if not reason or not reason.strip():
        raise ReviewError("a rejection needs a reason (--reason)")
    resolution = ResolutionStore(store)
    found = _candidate(resolution, candidate_id)
    with store.transaction():
        row = resolution.add_judgement(actor=actor, action="reject", candidate_id=candidate_id,
                                       subject_key=found["subject_key"], target_ref=found["target_ref"],
                                       target_source_id=found["target_source_id"], reason=reason)
        resolution.set_candidate_status(candidate_id, "rejected")
        if found["purpose"] == "link":
            current = resolution.mention_results("WHERE subject_key = ? AND candidate_id = ?",
                                                 [found["subject_key"], candidate_id])
            if current:
                resolution.relink_subject(found["subject_key"], None, "unresolved", None,
                                          f"candidate {found['target_name']!r} rejected by {actor}: {reason}; "
                                          "run `cvrule resolve` to look for others")
    return row


def add_alias(store: Store, target_ref: str, alias: str, actor: str, reason: str | None = None) -> JudgementRow:
    """Record another name of a party (by its key) or list entry ("<list name>:<key>")."""
    if not alias or not alias.strip():
        raise ReviewError("an alias needs a name")
    resolution = ResolutionStore(store)
    source_id = resolution.target_source(target_ref)
    if source_id is None:
        raise ReviewError(f"no party or list entry {target_ref!r} in the workspace")
    return resolution.add_judgement(actor=actor, action="alias", target_ref=target_ref, target_source_id=source_id,
                                    alias=alias.strip(), reason=reason)
