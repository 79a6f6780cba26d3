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
source's facts (in the version it was recorded with), so facts edited behind cvrule's back are
caught too.

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

import numpy as np
import orjson
import pyarrow as pa

from cvrule.store.schema import FACT_TABLES

__all__ = [
    "DIGEST_VERSION",
    "GENESIS",
    "AuditEntry",
    "Problem",
    "Verification",
    "append",
    "current_actor",
    "digest_version",
    "entries",
    "fact_count",
    "fact_digests",
    "head",
    "verify",
    "written_digest",
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
#
# A source's digest maps each fact table where it has rows to a text that begins with the version
# of the digest (none for version 1), so a recorded digest is always checked the way it was made:
#
#   1  "rows:upper:lower": the sums of every row's MD5 (of the JSON object of its columns), upper
#      and lower 64 bits, in hex; computed by DuckDB row by row (about 1.1 µs of CPU a row).
#   2  "v2:rows:sha256": one SHA-256 over the table's rows in a canonical order, column by column
#      (`_canonical_digest`), computed from Arrow columns in bulk: at ingest from the columns
#      inserted (about 0.4 µs a row), by `verify` from the store (about twice that, reading included).
#
# Both are order-independent (the same however the facts were written) and change when any row is
# added, removed or changed, or values move between rows.

DIGEST_VERSION = 2
"""The version `fact_digests` makes unless told otherwise; `verify` checks every version."""

_V2 = "v2:"
_ROWS_AT_ONCE = 2_000_000
"""Version 2 reads at most about this many rows of one table at once (more only for one source)."""


def _digest_sql(table, where: str) -> str:
    struct = ", ".join(f"'{sql}': \"{sql}\"" for _, sql, _ in table.columns)
    return (f"SELECT source_id, count(*), sum((h >> 64)::UBIGINT), sum((h & {2**64 - 1}::UHUGEINT)::UBIGINT) "
            f"FROM (SELECT source_id, md5_number(to_json({{{struct}}})) AS h FROM {table.name} {where}) "
            f"GROUP BY source_id")


def fact_digests(con_or_store: Any, source_id: str | None = None,
                 version: int = DIGEST_VERSION) -> dict[str, dict[str, str]]:
    """source id -> {fact table: digest of the source's rows in it} for the tables where the source
    has rows, as `version` makes it (see above)."""
    con = _con(con_or_store)
    out: dict[str, dict[str, str]] = {}
    if version == 1:
        where, params = ("WHERE source_id = ?", [source_id]) if source_id else ("", [])
        for table in FACT_TABLES.values():
            for sid, rows, upper, lower in con.execute(_digest_sql(table, where), params).fetchall():
                out.setdefault(sid, {})[table.name] = f"{rows}:{int(upper):x}:{int(lower):x}"
        return out
    if version != 2:
        raise ValueError(f"unknown fact digest version {version}")
    for table in FACT_TABLES.values():
        for sid, digest in _table_digests_v2(con, table, source_id):
            out.setdefault(sid, {})[table.name] = digest
    return out


def written_digest(written: dict[str, list[pa.Table]]) -> dict[str, str]:
    """The digest (version 2) of one source's facts from the Arrow tables that were inserted for
    it, by fact table name: what `fact_digests` makes of those rows in the store, without reading
    them back (tests/store/test_audit.py pins that the two agree)."""
    tables = {table.name: table for table in FACT_TABLES.values()}
    out = {}
    for name, batches in written.items():
        rows = pa.concat_tables(batches) if len(batches) > 1 else batches[0]
        if rows.num_rows:
            out[name] = _canonical_digest(tables[name], rows)
    return out


def digest_version(digest: dict[str, str]) -> int:
    """The version a recorded digest was made with (an empty one, of no rows, is the same in both)."""
    return 1 if any(not value.startswith(_V2) for value in digest.values()) else 2


def fact_count(digest: dict[str, str]) -> int:
    return sum(int(value.removeprefix(_V2).split(":", 1)[0]) for value in digest.values())


def _table_digests_v2(con: Any, table, source_id: str | None) -> Iterator[tuple[str, str]]:
    import pyarrow.compute as pc  # only when digests are made (about 40 ms to import)

    names = ", ".join(f'"{sql}"' for _, sql, _ in table.columns)
    if source_id is not None:
        groups = [[source_id]]
    else:
        counts = con.execute(f"SELECT source_id, count(*) FROM {table.name} GROUP BY source_id ORDER BY source_id").fetchall()
        groups = _groups(counts, _ROWS_AT_ONCE)
    for group in groups:
        marks = ", ".join("?" * len(group))
        rows = con.sql(f"SELECT source_id, {names} FROM {table.name} WHERE source_id IN ({marks})",
                       params=group).to_arrow_table()
        if not rows.num_rows:
            continue
        if len(group) > 1:
            rows = rows.take(pc.sort_indices(rows.column("source_id")))
        start = 0
        for sid, count in _runs(rows.column("source_id")):
            yield sid, _canonical_digest(table, rows.slice(start, count))
            start += count


def _groups(counts: list[tuple[str, int]], limit: int) -> list[list[str]]:
    """Source ids in groups of at most `limit` rows (a source with more is a group of its own)."""
    groups: list[list[str]] = []
    size = limit
    for sid, rows in counts:
        if size + rows > limit:
            groups.append([])
            size = 0
        groups[-1].append(sid)
        size += rows
    return groups


def _runs(values) -> Iterator[tuple[str, int]]:
    """(value, length) of each run of equal values, in order."""
    import pyarrow.compute as pc

    encoded = pc.run_end_encode(_whole(values))
    ends = encoded.run_ends.to_pylist()
    for value, end, previous in zip(encoded.values.to_pylist(), ends, [0] + ends[:-1], strict=True):
        yield value, end - previous


def _canonical_digest(table, rows) -> str:
    """Version 2 of one source's rows of `table` (an Arrow table holding the table's columns).

    The rows are put in a canonical order: sorted by `location`, and when two rows share one, by
    every column in turn (text bytewise, integers and dates by value, a float by its bit pattern
    read as a signed integer, a list by its length-prefixed elements, nulls last), so rows that still tie are identical. Then SHA-256
    over, column by column in the schema's order: the column name and a NUL byte, then
      text:           each value's UTF-8 length as int64 LE (-1 for null), then all the bytes;
      list of text:   each list's length as int64 LE (-1 for null), then its elements as text;
      float/int/date/bool: one byte per row (1 present, 0 null), then the values as float64 LE,
                      int32 LE, int32 LE days since 1970-01-01, one byte 0/1 (null as 0).
    The digest is "v2:<rows>:<hex>"."""
    import pyarrow.compute as pc

    columns = {sql: _as_kind(_whole(rows.column(sql)), kind) for _, sql, kind in table.columns}
    rows_count = rows.num_rows
    order = _canonical_order(table, columns, rows_count)
    digest = hashlib.sha256()
    for _, sql, kind in table.columns:
        column = columns[sql] if order is None else columns[sql].take(order)
        digest.update(sql.encode() + b"\0")
        if pa.types.is_list(kind):
            digest.update(np.asarray(pc.fill_null(pc.list_value_length(column), -1), dtype="<i8").tobytes())
            _update_text(digest, _whole(pc.list_flatten(column)))
        elif kind == pa.string():
            _update_text(digest, column)
        else:
            dtype, fill = _FIXED[kind]
            values = column.view(pa.int32()) if kind == pa.date32() else column
            digest.update(np.asarray(pc.is_valid(column), dtype=np.uint8).tobytes())
            digest.update(np.asarray(pc.fill_null(values, fill), dtype=dtype).tobytes())
    return f"{_V2}{rows_count}:{digest.hexdigest()}"


_FIXED = {pa.float64(): ("<f8", 0.0), pa.int32(): ("<i4", 0), pa.date32(): ("<i4", 0), pa.bool_(): ("u1", False)}
"""numpy layout of the fixed-width columns of version 2, and what stands in for a null."""


def _whole(column):
    """One Arrow array: a chunked column's only chunk as it is (combining would copy it), or its
    chunks combined."""
    if not isinstance(column, pa.ChunkedArray):
        return column
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _as_kind(column, kind):
    """The column in the physical layout of its table's Arrow type (the store may hand over text as
    large strings or string views, a list under another field name)."""
    if pa.types.is_list(kind):
        return column if pa.types.is_list(column.type) and column.type.value_type == pa.string() else column.cast(kind)
    return column if column.type == kind or (kind == pa.string() and column.type == pa.large_string()) else column.cast(kind)


def _update_text(digest, values) -> None:
    """Text values into the digest: their lengths (-1 for null), then their bytes (read from the
    Arrow buffers as they are, unless a null holds bytes, which Arrow allows)."""
    offsets = _offsets(values)
    lengths = np.diff(offsets).astype("<i8")
    if values.null_count:
        null = ~np.asarray(values.is_valid(), dtype=bool)
        if lengths[null].any():
            import pyarrow.compute as pc

            values = pc.fill_null(values, "")
            offsets = _offsets(values)
        lengths[null] = -1
    digest.update(lengths.tobytes())
    if len(values):
        digest.update(memoryview(values.buffers()[2])[int(offsets[0]):int(offsets[-1])])


def _offsets(values) -> np.ndarray:
    """The offsets of a string array's values (len + 1 of them)."""
    if not len(values):
        return np.zeros(1, dtype=np.int64)
    width = "<i8" if values.type == pa.large_string() else "<i4"
    return np.frombuffer(values.buffers()[1], dtype=width)[values.offset:values.offset + len(values) + 1]


def _canonical_order(table, columns: dict, count: int):
    """Indices that put the rows in the canonical order; None when they already are in it (one row)."""
    import pyarrow.compute as pc

    if count < 2:
        return None
    location = columns.get("location")
    if location is not None:
        order = pc.array_sort_indices(location, null_placement="at_end")
        ordered = location.take(order)
        if ordered.null_count == 0 and not pc.any(pc.equal(ordered[1:], ordered[:-1])).as_py():
            return order  # every location differs: the order is total already
    keys = [_sort_key(columns[sql], kind) for _, sql, kind in sorted(table.columns, key=lambda c: c[1] != "location")]
    names = [f"k{index}" for index in range(len(keys))]
    return pc.sort_indices(pa.table(keys, names=names),
                           sort_keys=[(name, "ascending", "at_end") for name in names])


def _sort_key(column, kind):
    """A column as a key Arrow can sort by, in which rows tie only where the column's values are equal."""
    import pyarrow.compute as pc

    if pa.types.is_list(kind):
        offsets = column.offsets
        first, last = offsets[0].as_py(), offsets[-1].as_py()
        flat = column.values.slice(first, last - first)
        elements = pc.fill_null(pc.binary_join_element_wise(pc.cast(pc.binary_length(flat), pa.string()), flat, ":"), "n")
        lists = pa.ListArray.from_arrays(pc.subtract(offsets, first), elements, mask=column.is_null())
        return pc.binary_join(lists, ";")
    if kind == pa.float64():
        return pa.array(np.asarray(pc.fill_null(column, 0.0), dtype="<f8").view("<i8"), mask=np.asarray(column.is_null()))
    return column


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

    versions = {digest_version(digest) for _, digest in digests.values()} or {DIGEST_VERSION}
    made = {version: fact_digests(con, version=version) for version in sorted(versions)}
    current = made[max(made)]  # any version names the same sources with the same row counts
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
        now = made[digest_version(digest)].get(source_id, {})
        if digest != now:
            tables = sorted(t for t in set(digest) | set(now) if digest.get(t) != now.get(t))
            problems.append(Problem("facts", None, f"facts: source {source_id[:16]}: {', '.join(tables)} changed since "
                                                   f"audit entry {seq} recorded them"))
    return report
