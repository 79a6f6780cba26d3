"""What the fleet assessment asks of resolution, and the work left to do.

`resolutions_by_item` gives, per item key, each role's party or "unresolved" with the reason, and
the screening flags raised on it. A mention waiting for review is unresolved for the
assessment: only a link (by identifier, name above the link threshold, the file itself or an
analyst) counts as resolved, so an unresolved supplier of a VCS or ADS item leaves the decision
`indeterminate` rather than guessed.

`work_to_do` lists what a person must do: ask a supplier for the legal name, country and an
identifier of a supplier nobody could link (one item per subject, name and country, however
many mentions name it), or decide a candidate or a screening hit (one item per list entry and
name, however many subjects raised it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from cvrule.resolve.names import simple_fold
from cvrule.resolve.subjects import subject_of
from cvrule.store import Store
from cvrule.store.resolution import ResolutionStore

__all__ = ["RoleResolution", "WorkItem", "group_screening_hits", "resolutions_by_item", "work_to_do"]

_SHOWN_ITEMS = 5
"""Items named in one ask; the rest are counted."""


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
    mentions: int = 1
    """How many mentions (ask_supplier) or screening candidates (review_screening) it stands for."""
    candidate_ids: list[str] = field(default_factory=list)
    """review_screening: every candidate of the same hit (the same entry, the same name)."""


def group_screening_hits(rows: list[dict]) -> list[list[dict]]:
    """Screening candidates grouped by hit: the same list entry for the same name (a BOM's
    mention, the same mention with a web domain, the party it was linked to), in first-seen order."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        name = simple_fold(str(row.get("subject_name") or "").split(" / ")[0])
        groups.setdefault((row["target_ref"], name), []).append(row)
    return list(groups.values())


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
    asks: dict[tuple, list[dict]] = {}
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
        subject = subject_of(row["subject_key"])
        if not row["name"]:  # unnamed parties are as many as the items that leave them unnamed
            subject = (*subject, row["source_id"], row["item"])
        asks.setdefault(subject, []).append(row)
    for (_, country, *_), rows in asks.items():
        work.append(_ask(rows, country, suppliers, sources))
    screening = resolution.candidates("WHERE purpose = 'screening' AND status = 'open'")
    for hit in group_screening_hits(screening):
        work.append(_screening_item(hit))
    return work


def _ask(rows: list[dict], country: str | None, suppliers: dict, sources: dict) -> WorkItem:
    """One ask about a subject nobody could link, for all the mentions that name it."""
    whoms = []
    for row in rows:
        supplier = suppliers.get((row["source_id"], row["item"]))
        if row["role"] != "supplied_by" and supplier:
            whoms.append(f"the supplier {supplier!r}")
        else:
            whoms.append(f"whoever provided {sources.get(row['source_id'], row['source_id'])}")
    first = rows[0]
    named = f"{first['name']!r}" if first["name"] else "the unnamed party"
    if country:
        named += f" ({country})"
    roles = ", ".join(dict.fromkeys(row["role"].replace("_", " ") for row in rows))
    items = list(dict.fromkeys(row["item"] for row in rows))
    shown = ", ".join(repr(item) for item in items[:_SHOWN_ITEMS])
    if len(items) > _SHOWN_ITEMS:
        shown += f" and {len(items) - _SHOWN_ITEMS} more"
    where = (f"{roles} item {shown}" if len(rows) == 1
             else f"{len(rows)} mentions: {roles} item{'s' if len(items) > 1 else ''} {shown}")
    return WorkItem(
        "ask_supplier", " or ".join(dict.fromkeys(whoms)),
        f"the legal name, country and an identifier (LEI, USCC, OGRN/INN, DUNS or BPNL) of {named}, "
        f"{where} ({first['reason']})",
        first["source_id"], first["item"], first["role"], mentions=len(rows),
    )


def _screening_item(hit: list[dict]) -> WorkItem:
    """One decision about a screening hit, for every candidate that raised it."""
    first = max(hit, key=lambda row: row["score"])
    ids = [row["candidate_id"] for row in hit]
    if len(ids) == 1:
        how = f"cvrule review --confirm {ids[0]} or --reject {ids[0]} --reason ..."
    else:
        how = (f"{len(ids)} candidates for this hit ({', '.join(ids)}): cvrule review --confirm ID or "
               "--reject ID --reason ... for each")
    return WorkItem(
        "review_screening", "a compliance officer",
        f"decide whether {first['subject_name']!r} is {first['target_name']!r} on {first['list_name']} "
        f"(score {first['score']:.2f}, {first['decision']}): {how}",
        candidate_id=ids[0], mentions=len(ids), candidate_ids=ids,
    )
