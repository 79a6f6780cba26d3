"""The audit log: who changed the workspace, when, how, and a fingerprint of what they wrote.

Every writing operation appends one entry **in the same transaction as its writes**, so an entry
exists exactly when its writes do (a crash loses both or neither):

    action         subject        detail
    ingest         source id      path, format, fact count, digest of the facts written
    synth-graph    source id      name, fact count, digest
    resolve        run id         counts of the run
    review.*       candidate/ref  the judgement's sequence number and hash
    nexus          as-of date     engine, parameter hash, party counts
    baseline       source id      digest of facts that predate the audit log
    audit-start    schema         the judgement log's head when the audit log began
    migrate        schema         the schema version applied

Entries are only ever appended (nothing in cvrule updates or deletes them). Each carries
`hash = sha256(canonical JSON of {seq, logged_at, actor, action, subject, detail, prev_hash})`
and the previous entry's hash, so `verify` finds an entry changed, removed or inserted out of
place, and names the first one. It also checks the analysts' judgement log (its own chain, and
that each judgement is the one its audit entry recorded) and recomputes the digest of every
source's facts, so facts edited behind cvrule's back are caught too.

What a hash chain cannot show by itself is the newest entries cut off together (the rest is still
a valid chain) or the whole log rewritten: compare against a head recorded elsewhere
(`verify(expect_head=(seq, hash))`, `cvrule audit verify --head SEQ:HASH`).

Use from another module (the fleet assessment, say), inside the transaction of your writes:

    with store.transaction():
        ...your INSERTs...
        audit.append(store, actor, "assess", run_id, {"vehicles": 12, "decisions": 340})

`append` never begins or commits a transaction itself; outside one, its INSERT commits alone.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson

from cvrule.store.schema import FACT_TABLES

__all__ = [
    "GENESIS",
    "AuditEntry",
    "Problem",
    "Verification",
    "append",
    "current_actor",
    "entries",
    "fact_digests",
    "head",
    "verify",
]

GENESIS = "0" * 64
"""The prev_hash of the first entry."""

_BATCH = 10_000


def current_actor() -> str:
    """Who is acting: CVRULE_USER, or the operating-system user."""
    try:
        return os.environ.get("CVRULE_USER") or getpass.getuser()
    except Exception:  # no user name available (some containers)
        return "unknown"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    logged_at: datetime
    """UTC, naive."""
    actor: str
    action: str
    subject: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "logged_at": self.logged_at.isoformat(timespec="microseconds"), "actor": self.actor,
                "action": self.action, "subject": self.subject, "detail": self.detail, "prev_hash": self.prev_hash,
                "hash": self.hash}


def _con(con_or_store: Any) -> Any:
    """The DuckDB connection of a Store, or the connection itself."""
    return getattr(con_or_store, "_con", con_or_store)


def _canonical(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str).decode()


def _entry_hash(seq: int, logged_at: datetime, actor: str, action: str, subject: str | None, detail_json: str,
                prev_hash: str) -> str:
    body = _canonical({"seq": seq, "logged_at": logged_at.isoformat(timespec="microseconds"), "actor": actor,
                       "action": action, "subject": subject, "detail": detail_json, "prev_hash": prev_hash})
    return hashlib.sha256(body.encode()).hexdigest()


def append(con_or_store: Any, actor: str | None, action: str, subject: str | None, detail: dict[str, Any]) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the writes it records (see the module
    docstring); `actor` None means `current_actor()`. `detail` must be JSON-serializable (dates and
    other values are written as strings)."""
    con = _con(con_or_store)
    actor = actor or current_actor()
    last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    logged_at = datetime.now(timezone.utc).replace(tzinfo=None)
    detail_json = _canonical(detail)
    digest = _entry_hash(seq, logged_at, actor, action, subject, detail_json, prev_hash)
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [seq, logged_at, actor, action, subject, detail_json, prev_hash, digest])
    return AuditEntry(seq, logged_at, actor, action, subject, orjson.loads(detail_json), prev_hash, digest)


def _rows(con: Any, where: str = "", params: list | None = None) -> Iterator[tuple]:
    cursor = con.execute(
        f"SELECT seq, logged_at, actor, action, subject, detail, prev_hash, hash FROM audit_log {where} ORDER BY seq",
        params or [],
    )
    while batch := cursor.fetchmany(_BATCH):
        yield from batch


def _entry(row: tuple) -> AuditEntry:
    seq, logged_at, actor, action, subject, detail, prev_hash, digest = row
    try:
        parsed = orjson.loads(detail) if detail else {}
    except orjson.JSONDecodeError:
        parsed = {"unreadable": detail}
    return AuditEntry(seq, logged_at, actor, action, subject, parsed if isinstance(parsed, dict) else {"value": parsed},
                      prev_hash, digest)


def entries(con_or_store: Any, action: str | None = None, subject: str | None = None, since: int | None = None,
            last: int | None = None) -> list[AuditEntry]:
    """Entries in order; `action` matches the action or its prefix before a dot ("review" matches
    "review.confirm"); `since` is the first sequence number; `last` keeps only the newest N."""
    clauses, params = [], []
    if action:
        clauses.append("(action = ? OR action LIKE ?)")
        params += [action, action + ".%"]
    if subject:
        clauses.append("subject = ?")
        params.append(subject)
    if since is not None:
        clauses.append("seq >= ?")
        params.append(since)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    found = [_entry(row) for row in _rows(_con(con_or_store), where, params)]
    return found[-last:] if last else found


def head(con_or_store: Any) -> tuple[int, str]:
    """(sequence number, hash) of the newest entry; (0, GENESIS) for an empty log."""
    row = _con(con_or_store).execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


# -- fingerprints of facts ------------------------------------------------------------------------

def _digest_sql(table, where: str) -> str:
    struct = ", ".join(f"'{sql}': \"{sql}\"" for _, sql, _ in table.columns)
    return (f"SELECT source_id, count(*), sum((h >> 64)::UBIGINT), sum((h & {2**64 - 1}::UHUGEINT)::UBIGINT) "
            f"FROM (SELECT source_id, md5_number(to_json({{{struct}}})) AS h FROM {table.name} {where}) "
            f"GROUP BY source_id")


def fact_digests(con_or_store: Any, source_id: str | None = None) -> dict[str, dict[str, str]]:
    """source id -> {fact table: "rows:sum of the rows' MD5 upper halves:sum of lower halves"} (each
    row as the JSON object of its columns) for the
    tables where the source has rows. Order-independent, so it is the same however the facts were
    written; any row added, removed or changed changes it."""
    con = _con(con_or_store)
    where, params = ("WHERE source_id = ?", [source_id]) if source_id else ("", [])
    out: dict[str, dict[str, str]] = {}
    for table in FACT_TABLES.values():
        for sid, rows, upper, lower in con.execute(_digest_sql(table, where), params).fetchall():
            out.setdefault(sid, {})[table.name] = f"{rows}:{int(upper):x}:{int(lower):x}"
    return out


def fact_count(digest: dict[str, str]) -> int:
    return sum(int(value.split(":", 1)[0]) for value in digest.values())


# -- verification -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Problem:
    log: str
    """audit | judgements | facts"""
    seq: int | None
    """The audit entry or judgement the problem is at (None for a source's facts)."""
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Verification:
    entries: int = 0
    judgements: int = 0
    sources: int = 0
    """Sources whose facts were checked against their recorded digest."""
    head: tuple[int, str] = (0, GENESIS)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_tampered(self) -> Problem | None:
        """The first problem of the audit chain (else of the judgement chain, else of the facts)."""
        for log in ("audit", "judgements", "facts"):
            for problem in self.problems:
                if problem.log == log:
                    return problem
        return None


_FACT_ACTIONS = ("ingest", "synth-graph", "baseline")


def verify(con_or_store: Any, expect_head: tuple[int, str] | None = None) -> Verification:
    """Check the audit chain, the judgement chain, and every source's facts against their digest."""
    from cvrule.store.resolution import verify_judgement_chain

    con = _con(con_or_store)
    report = Verification()
    problems = report.problems
    prev_hash, expected = GENESIS, 1
    digests: dict[str, tuple[int, dict[str, str]]] = {}
    judged: dict[int, tuple[int, str]] = {}
    judgement_baseline = 0
    hashes: dict[int, str] = {}
    for row in _rows(con):
        entry = _entry(row)
        seq, logged_at, actor, action, subject, detail_json, stored_prev, stored_hash = row
        report.entries += 1
        if seq != expected:
            missing = f"entries {expected}-{seq - 1} are" if seq - 1 > expected else f"entry {expected} is"
            problems.append(Problem("audit", seq, f"audit log: {missing} missing before entry {seq}"))
        elif stored_prev != prev_hash:
            problems.append(Problem("audit", seq, f"audit log: entry {seq} does not follow entry {seq - 1} "
                                                  "(an entry was replaced or inserted)"))
        if _entry_hash(seq, logged_at, actor, action, subject, detail_json, stored_prev) != stored_hash:
            problems.append(Problem("audit", seq, f"audit log: entry {seq} ({action} {subject or ''}) was changed "
                                                  "after it was written (its content does not match its hash)"))
        prev_hash, expected = stored_hash, seq + 1
        hashes[seq] = stored_hash
        if action.split(".")[0] in _FACT_ACTIONS and subject and isinstance(entry.detail.get("digest"), dict):
            digests[subject] = (seq, entry.detail["digest"])
        if action.startswith("review.") and isinstance(entry.detail.get("judgement"), int):
            judged[entry.detail["judgement"]] = (seq, str(entry.detail.get("judgement_hash")))
        if action == "audit-start":
            judgement_baseline = int((entry.detail.get("judgements") or {}).get("seq") or 0)
    report.head = (expected - 1, prev_hash) if report.entries else (0, GENESIS)
    if expect_head is not None:
        seq, digest = expect_head
        if seq > report.head[0]:
            problems.append(Problem("audit", seq, f"audit log: entry {seq} of the recorded head is missing; "
                                                  f"the log ends at entry {report.head[0]} (entries were cut off)"))
        elif hashes.get(seq) != digest:
            problems.append(Problem("audit", seq, f"audit log: entry {seq} is not the one recorded as the head "
                                                  "(the log was rewritten)"))

    judgement_problems, judgement_hashes = verify_judgement_chain(con)
    report.judgements = len(judgement_hashes)
    problems += [Problem("judgements", seq, f"judgement log: {message}") for seq, message in judgement_problems]
    for number, (seq, digest) in sorted(judged.items()):
        if judgement_hashes.get(number) != digest:
            problems.append(Problem("judgements", number, f"judgement log: judgement {number} is not the one audit "
                                                          f"entry {seq} recorded"))
    for number in sorted(judgement_hashes):
        if number > judgement_baseline and number not in judged:
            problems.append(Problem("judgements", number, f"judgement log: judgement {number} has no audit entry "
                                                          "(added behind cvrule's back)"))

    current = fact_digests(con)
    sources = dict(con.execute("SELECT source_id, fact_count FROM sources").fetchall())
    for source_id in sorted(set(sources) | set(current)):
        recorded = digests.get(source_id)
        now = current.get(source_id, {})
        if source_id not in sources:
            problems.append(Problem("facts", None, f"facts: {fact_count(now)} facts of source {source_id[:16]} belong "
                                                   "to no source the store knows"))
            continue
        if recorded is None:
            problems.append(Problem("facts", None, f"facts: source {source_id[:16]} has no audit entry "
                                                   "(added behind cvrule's back)"))
            continue
        report.sources += 1
        seq, digest = recorded
        if digest != now:
            tables = sorted(t for t in set(digest) | set(now) if digest.get(t) != now.get(t))
            problems.append(Problem("facts", None, f"facts: source {source_id[:16]}: {', '.join(tables)} changed since "
                                                   f"audit entry {seq} recorded them"))
    return report
