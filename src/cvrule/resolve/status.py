"""What the fleet assessment asks of resolution, and the work left to do.

`resolutions_by_item` gives, per item key, each role's party or "unresolved" with the reason, and
the screening flags raised on it. A mention waiting for review is unresolved for the
assessment: only a link (by identifier, name above the link threshold, the file itself or an
analyst) counts as resolved, so an unresolved supplier of a VCS or ADS item leaves the decision
`indeterminate` rather than guessed.

`work_to_do` lists what a person must do: ask a supplier for the legal name, country and an
identifier of a supplier nobody could link, or decide a candidate or screening flag.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from cvrule.store import Store
from cvrule.store.resolution import ResolutionStore

__all__ = ["RoleResolution", "WorkItem", "resolutions_by_item", "work_to_do"]


@dataclass
class RoleResolution:
    item: str
    source_id: str
    role: str
    name: str
    status: str
    """resolved | unresolved"""
    reason: str
    party_ref: str | None = None
    """The party's own key (LEI, FtM id, BODS record id, case-file id)."""
    party_source_id: str | None = None
    party_name: str | None = None
    method: str | None = None
    """file | identifier | name | analyst"""
    score: float | None = None
    candidate_id: str | None = None
    pending_review: bool = False
    flags: list[dict] = field(default_factory=list)
    """Open or confirmed screening hits on the mention or its party: list, entry, score, decision, id."""


@dataclass
class WorkItem:
    kind: str
    """ask_supplier | review_link | review_screening"""
    whom: str
    what: str
    source_id: str | None = None
    item: str | None = None
    role: str | None = None
    candidate_id: str | None = None


def _flags(resolution: ResolutionStore) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = defaultdict(list)
    for row in resolution.candidates("WHERE purpose = 'screening' AND status <> 'rejected'"):
        found[row["subject_key"]].append({
            "candidate_id": row["candidate_id"], "list": row["list_name"], "entry": row["target_name"],
            "entry_ref": row["target_ref"], "score": row["score"], "decision": row["decision"],
            "status": row["status"], "programs": row["programs"],
        })
    return found


def resolutions_by_item(store: Store, source_id: str | None = None) -> dict[str, list[RoleResolution]]:
    """Item key -> one RoleResolution per role mention of that item (from the last `cvrule resolve`)."""
    resolution = ResolutionStore(store)
    flags = _flags(resolution)
    where, params = ("WHERE source_id = ?", [source_id]) if source_id else ("", [])
    out: dict[str, list[RoleResolution]] = defaultdict(list)
    for row in resolution.mention_results(where, params):
        resolved = row["status"] == "linked"
        raised = list(flags.get(row["subject_key"], []))
        if resolved and row["party_ref"]:
            raised += flags.get(f"party:{row['party_ref']}", [])
        out[row["item"]].append(RoleResolution(
            item=row["item"], source_id=row["source_id"], role=row["role"], name=row["name"],
            status="resolved" if resolved else "unresolved",
            reason=row["reason"] or "",
            party_ref=row["party_ref"] if resolved else None,
            party_source_id=row["party_source_id"] if resolved else None,
            party_name=row["party_name"] if resolved else None,
            method=row["method"], score=row["score"], candidate_id=row["candidate_id"],
            pending_review=row["status"] == "review", flags=raised,
        ))
    return dict(out)


def work_to_do(store: Store) -> list[WorkItem]:
    resolution = ResolutionStore(store)
    suppliers = resolution.supplier_of_items()
    sources = resolution.source_names()
    work: list[WorkItem] = []
    seen_review: set[str] = set()
    for row in resolution.mention_results("WHERE status <> 'linked'"):
        if row["status"] == "review" and row["candidate_id"]:
            if row["candidate_id"] in seen_review:
                continue
            seen_review.add(row["candidate_id"])
            work.append(WorkItem(
                "review_link", "an analyst",
                f"decide whether {row['name']!r} is {row['party_name']!r} (score {row['score']:.2f}; {row['reason']}): "
                f"cvrule review --confirm {row['candidate_id']} or --reject {row['candidate_id']} --reason ...",
                row["source_id"], row["item"], row["role"], row["candidate_id"],
            ))
            continue
        supplier = suppliers.get((row["source_id"], row["item"]))
        if row["role"] != "supplied_by" and supplier:
            whom = f"the supplier {supplier!r}"
        else:
            whom = f"whoever provided {sources.get(row['source_id'], row['source_id'])}"
        named = f"{row['name']!r}" if row["name"] else "the unnamed party"
        work.append(WorkItem(
            "ask_supplier", whom,
            f"the legal name, country and an identifier (LEI, USCC, OGRN/INN, DUNS or BPNL) of {named}, "
            f"{row['role'].replace('_', ' ')} item {row['item']!r} ({row['reason']})",
            row["source_id"], row["item"], row["role"],
        ))
    for row in resolution.candidates("WHERE purpose = 'screening' AND status = 'open'"):
        work.append(WorkItem(
            "review_screening", "a compliance officer",
            f"decide whether {row['subject_name']!r} is {row['target_name']!r} on {row['list_name']} "
            f"(score {row['score']:.2f}, {row['decision']}): cvrule review --confirm {row['candidate_id']} "
            f"or --reject {row['candidate_id']} --reason ...",
            candidate_id=row["candidate_id"],
        ))
    return work
