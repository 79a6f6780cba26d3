"""Resolution's reads and writes: the facts it links, the results of each run, analyst judgements.

Results of a run (`resolution_mentions`, `resolution_candidates`) are derived data: each run
replaces them in one transaction, and `resolution_runs` keeps one row per run. Analyst
judgements (`resolution_judgements`) are the audit log of who decided what, when and why: rows
are only ever appended, each carrying the SHA-256 of the previous row and of itself, so
`verify_judgements` detects a row changed, removed or inserted out of place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

import orjson
import pyarrow as pa

from cvrule.store import audit
from cvrule.store.database import Store

__all__ = ["JudgementRow", "MentionRow", "ResolutionStore", "verify_judgement_chain"]

_BATCH = 100_000
GENESIS = "0" * 64


@dataclass(slots=True)
class MentionRow:
    source_id: str
    item: str
    role: str
    name: str
    location: str
    party: str | None
    country: str | None
    url: str | None
    email: str | None
    purl: str | None
    item_name: str | None
    party_in_file: str | None
    """The mention's party key when that party is in the same file."""


@dataclass(slots=True)
class JudgementRow:
    seq: int
    judged_at: datetime
    actor: str
    action: str
    """confirm | reject | alias"""
    candidate_id: str | None
    subject_key: str | None
    target_ref: str
    target_source_id: str | None
    alias: str | None
    reason: str | None
    prev_hash: str
    hash: str


_MENTION_COLUMNS = [
    ("run_id", pa.string()), ("source_id", pa.string()), ("item", pa.string()), ("role", pa.string()),
    ("name", pa.string()), ("location", pa.string()), ("subject_key", pa.string()), ("status", pa.string()),
    ("method", pa.string()), ("party_ref", pa.string()), ("party_source_id", pa.string()),
    ("party_name", pa.string()), ("score", pa.float64()), ("candidate_id", pa.string()), ("reason", pa.string()),
]
_CANDIDATE_COLUMNS = [
    ("run_id", pa.string()), ("candidate_id", pa.string()), ("purpose", pa.string()), ("subject_key", pa.string()),
    ("subject_name", pa.string()), ("subject_country", pa.string()), ("target_ref", pa.string()),
    ("target_kind", pa.string()), ("target_source_id", pa.string()), ("target_name", pa.string()),
    ("target_countries", pa.list_(pa.string())), ("list_name", pa.string()), ("programs", pa.list_(pa.string())),
    ("rank", pa.int32()), ("score", pa.float64()), ("decision", pa.string()), ("method", pa.string()),
    ("status", pa.string()), ("features", pa.string()),
]
MENTION_FIELDS = [name for name, _ in _MENTION_COLUMNS]
CANDIDATE_FIELDS = [name for name, _ in _CANDIDATE_COLUMNS]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _row_hash(prev_hash: str, row: dict) -> str:
    body = orjson.dumps({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()},
                        option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()


class ResolutionStore:
    """Resolution's view of a Store."""

    def __init__(self, store: Store):
        self.store = store
        self._con = store._con  # the store package's own connection

    # -- facts -------------------------------------------------------------------------------

    def parties(self) -> Iterator[tuple]:
        """(source_id, key, name, kind, country, headquarters, identifiers JSON, aliases) of every party."""
        yield from self._batches(
            "SELECT source_id, key, name, kind, country, headquarters, identifiers, aliases FROM parties "
            "ORDER BY key, source_id"
        )

    def list_entries(self) -> Iterator[tuple]:
        """(source_id, key, list_name, name, entity_type, aliases, countries, programs, identifiers JSON)."""
        yield from self._batches(
            "SELECT source_id, key, list_name, name, entity_type, aliases, countries, programs, identifiers "
            "FROM list_entries ORDER BY list_name, key, source_id"
        )

    def mentions(self) -> list[MentionRow]:
        cursor = self._con.execute(
            """
            SELECT m.source_id, m.item, m.role, m.name, m.location, m.party, m.country, m.url, m.email,
                   i.purl, i.name, p.key
            FROM role_mentions m
            LEFT JOIN (SELECT source_id, key, any_value(purl) AS purl, any_value(name) AS name
                       FROM items GROUP BY source_id, key) i
                   ON i.source_id = m.source_id AND i.key = m.item
            LEFT JOIN (SELECT DISTINCT source_id, key FROM parties) p
                   ON p.source_id = m.source_id AND p.key = m.party
            ORDER BY m.source_id, m.item, m.role, m.name, m.location
            """
        )
        out = []
        while batch := cursor.fetchmany(_BATCH):
            for (source_id, item, role, name, location, party, country, url, email, purl, item_name, found) in batch:
                out.append(MentionRow(source_id, item, role, name or "", location, party, country, url, email,
                                      purl, item_name, found))
        return out

    def supplier_of_items(self) -> dict[tuple[str, str], str]:
        """(source_id, item) -> the name of the item's supplier, where a file names one."""
        rows = self._con.execute(
            "SELECT source_id, item, min(name) FROM role_mentions WHERE role = 'supplied_by' AND name IS NOT NULL "
            "GROUP BY source_id, item"
        ).fetchall()
        return {(s, i): n for s, i, n in rows}

    def source_names(self) -> dict[str, str]:
        """source_id -> the file's path (the newest one pointing at it) or its document name."""
        rows = self._con.execute(
            "SELECT s.source_id, coalesce(max(p.path), s.document_name, s.source_id) FROM sources s "
            "LEFT JOIN source_paths p ON p.source_id = s.source_id GROUP BY s.source_id, s.document_name"
        ).fetchall()
        return dict(rows)

    def target_source(self, target_ref: str) -> str | None:
        """The source of a party (by key) or list entry ("<list name>:<key>"), if the workspace has it."""
        row = self._con.execute(
            "SELECT source_id FROM parties WHERE key = ? UNION ALL "
            "SELECT source_id FROM list_entries WHERE list_name || ':' || key = ? LIMIT 1",
            [target_ref, target_ref],
        ).fetchone()
        return row[0] if row else None

    def _batches(self, sql: str) -> Iterator[tuple]:
        reader = self._con.sql(sql).to_arrow_reader(_BATCH)
        for batch in reader:
            columns = [column.to_pylist() for column in batch.columns]
            yield from zip(*columns)

    # -- results -----------------------------------------------------------------------------

    def write_run(self, run: dict, mentions: list[dict], candidates: list[dict]) -> None:
        """Replace the results with this run's, and record the run, in one transaction."""
        con = self._con
        with self.store.transaction():
            con.execute("DELETE FROM resolution_mentions")
            con.execute("DELETE FROM resolution_candidates")
            self._insert("resolution_mentions", _MENTION_COLUMNS, mentions)
            self._insert("resolution_candidates", _CANDIDATE_COLUMNS, candidates)
            con.execute(
                "INSERT INTO resolution_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run["run_id"], run["started_at"], run["finished_at"], run["actor"], run["algorithm"],
                 orjson.dumps(run["settings"], option=orjson.OPT_SORT_KEYS).decode(),
                 orjson.dumps(run["counts"], option=orjson.OPT_SORT_KEYS).decode()],
            )
            audit.append(con, run["actor"], "resolve", run["run_id"],
                         {"algorithm": run["algorithm"], "counts": run["counts"]})

    def _insert(self, table: str, columns: list, rows: list[dict]) -> None:
        if not rows:
            return
        schema = pa.schema(columns)
        for start in range(0, len(rows), _BATCH):
            chunk = rows[start:start + _BATCH]
            data = {name: [r.get(name) for r in chunk] for name, _ in columns}
            batch = pa.Table.from_pydict(data, schema=schema)
            self._con.register("_resolution_batch", batch)
            try:
                names = ", ".join(f'"{name}"' for name, _ in columns)
                self._con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _resolution_batch")
            finally:
                self._con.unregister("_resolution_batch")

    def last_run(self) -> dict | None:
        row = self._con.execute(
            "SELECT run_id, started_at, finished_at, actor, algorithm, settings, counts FROM resolution_runs "
            "ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
        if not row:
            return None
        return {"run_id": row[0], "started_at": row[1], "finished_at": row[2], "actor": row[3], "algorithm": row[4],
                "settings": orjson.loads(row[5]), "counts": orjson.loads(row[6])}

    def mention_results(self, where: str = "", params: list | None = None) -> list[dict]:
        return self._dicts(f"SELECT * FROM resolution_mentions {where} ORDER BY source_id, item, role, name, location",
                           params)

    def candidates(self, where: str = "", params: list | None = None) -> list[dict]:
        rows = self._dicts(f"SELECT * FROM resolution_candidates {where} ORDER BY purpose, subject_key, rank", params)
        for row in rows:
            row["features"] = orjson.loads(row["features"]) if row["features"] else []
        return rows

    def candidate(self, candidate_id: str) -> dict | None:
        found = self.candidates("WHERE candidate_id = ?", [candidate_id])
        return found[0] if found else None

    def set_candidate_status(self, candidate_id: str, status: str) -> None:
        self._con.execute("UPDATE resolution_candidates SET status = ? WHERE candidate_id = ?", [status, candidate_id])

    def relink_subject(self, subject_key: str, candidate: dict | None, status: str, method: str | None, reason: str) -> None:
        """Apply a judgement to the stored results at once (the next run recomputes them the same way)."""
        self._con.execute(
            "UPDATE resolution_mentions SET status = ?, method = ?, party_ref = ?, party_source_id = ?, party_name = ?, "
            "score = ?, candidate_id = ?, reason = ? WHERE subject_key = ? AND coalesce(method, '') <> 'file'",
            [status, method,
             candidate["target_ref"] if candidate else None, candidate["target_source_id"] if candidate else None,
             candidate["target_name"] if candidate else None, candidate["score"] if candidate else None,
             candidate["candidate_id"] if candidate else None, reason, subject_key],
        )

    def _dicts(self, sql: str, params: list | None = None) -> list[dict]:
        cursor = self._con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    # -- judgements (append-only, hash-chained) ---------------------------------------------

    def add_judgement(self, *, actor: str, action: str, target_ref: str, candidate_id: str | None = None,
                      subject_key: str | None = None, target_source_id: str | None = None,
                      alias: str | None = None, reason: str | None = None) -> JudgementRow:
        """Append a judgement, and its audit entry, in one transaction (the caller's, when it has one)."""
        con = self._con
        with self.store.transaction():
            last = con.execute("SELECT seq, hash FROM resolution_judgements ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
            row = {"seq": seq, "judged_at": _now(), "actor": actor, "action": action, "candidate_id": candidate_id,
                   "subject_key": subject_key, "target_ref": target_ref, "target_source_id": target_source_id,
                   "alias": alias, "reason": reason}
            digest = _row_hash(prev_hash, row)
            con.execute("INSERT INTO resolution_judgements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [*row.values(), prev_hash, digest])
            audit.append(con, actor, f"review.{action}", candidate_id or target_ref,
                         {"judgement": seq, "judgement_hash": digest, "subject_key": subject_key,
                          "target_ref": target_ref, "alias": alias, "reason": reason})
        return JudgementRow(**row, prev_hash=prev_hash, hash=digest)

    def judgements(self) -> list[JudgementRow]:
        rows = self._con.execute(
            "SELECT seq, judged_at, actor, action, candidate_id, subject_key, target_ref, target_source_id, alias, "
            "reason, prev_hash, hash FROM resolution_judgements ORDER BY seq"
        ).fetchall()
        return [JudgementRow(*row) for row in rows]

    def verify_judgements(self) -> list[str]:
        """Problems found in the judgement log's hash chain (empty when intact)."""
        return [message for _, message in verify_judgement_chain(self._con)[0]]


def verify_judgement_chain(con) -> tuple[list[tuple[int, str]], dict[int, str]]:
    """(problems as (seq, message), seq -> stored hash) of the judgement log on a connection."""
    problems: list[tuple[int, str]] = []
    hashes: dict[int, str] = {}
    prev_hash = GENESIS
    expected_seq = 1
    cursor = con.execute(
        "SELECT seq, judged_at, actor, action, candidate_id, subject_key, target_ref, target_source_id, alias, "
        "reason, prev_hash, hash FROM resolution_judgements ORDER BY seq"
    )
    for row in map(lambda r: JudgementRow(*r), cursor.fetchall()):
        hashes[row.seq] = row.hash
        if row.seq != expected_seq:
            problems.append((row.seq, f"judgement {row.seq}: expected sequence number {expected_seq}"))
        elif row.prev_hash != prev_hash:
            problems.append((row.seq, f"judgement {row.seq}: does not follow the previous judgement"))
        body = {"seq": row.seq, "judged_at": row.judged_at, "actor": row.actor, "action": row.action,
                "candidate_id": row.candidate_id, "subject_key": row.subject_key, "target_ref": row.target_ref,
                "target_source_id": row.target_source_id, "alias": row.alias, "reason": row.reason}
        if _row_hash(row.prev_hash, body) != row.hash:
            problems.append((row.seq, f"judgement {row.seq}: content does not match its hash"))
        prev_hash = row.hash
        expected_seq = row.seq + 1
    return problems, hashes
