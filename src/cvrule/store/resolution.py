"""Resolution's reads and writes: the facts it links, the results of each run, analyst judgements.

Results of a run are derived data: each run replaces them in one transaction, and
`resolution_runs` keeps one row per run. A run keeps the outcome of each way the mentions are
written (`resolution_forms`, with what the mentions were read with: `resolution_sources`,
`resolution_hints`, `resolution_item_domains`, `resolution_file_reasons`) and its candidates
(`resolution_candidates`); the view `resolution_mentions` gives each mention its form's outcome. Analyst
judgements (`resolution_judgements`) are the audit log of who decided what, when and why: rows
are only ever appended, each carrying the SHA-256 of the previous row and of itself, so
`verify_judgements` detects a row changed, removed or inserted out of place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

import orjson
import pyarrow as pa

from cvrule.store import audit
from cvrule.store.database import Store

__all__ = ["BomHints", "JudgementRow", "MentionForms", "MentionOutcome", "ResolutionStore", "WrittenMention",
           "verify_judgement_chain"]

_BATCH = 100_000
GENESIS = "0" * 64

BomHints = dict[tuple[str, str], tuple[str | None, tuple[tuple[str, str], ...]]]
"""(source_id, party key) -> (country, identifiers) of every party record of a bill of materials."""


@dataclass(slots=True)
class WrittenMention:
    """One way the role mentions write a party, and how many mentions write it so: what a
    mention's subject is computed from (`cvrule.resolve.subjects.mention_query`).

    The package URL of a mention's item counts only through the domain its namespace points at:
    mentions differing only in the rest of it are one form, written as its first mention (by
    source, item, role, name, location) writes it, package URL included."""

    name: str
    country: str | None
    """The mention's country, else the country of the BOM's own record of its party."""
    url: str | None
    email: str | None
    namespace: str | None
    """The package URL of the first mention's item cut to its type and namespace (`_NAMESPACE_SQL`),
    if that namespace counts (`ResolutionStore.mention_forms`)."""
    role: str | None
    identifiers: tuple[tuple[str, str], ...]
    """(scheme, value) pairs of the BOM's own record of the mention's party."""
    file_linked: int
    """Mentions written so that their file links to a party of the same file."""
    matched: int
    """Mentions written so that resolution links by matching."""

    def written(self) -> tuple:
        """The arguments of `mention_query`."""
        return (self.name, self.country, self.url, self.email, self.namespace, self.role, self.identifiers)


@dataclass
class MentionForms:
    """The role mentions of a workspace as the distinct forms they are written in, in the order of
    their first mention, and what the store needs to find each mention's form again."""

    forms: list[WrittenMention]
    bom_hints: BomHints
    namespace_domains: dict[str, str | None]
    written_as: list[tuple]
    """Per form, the values of `_FORM` it is written with, as the view `resolution_mentions`
    computes them for each mention (name, country, url, email, role, identifiers JSON, domain)."""


@dataclass(slots=True)
class MentionOutcome:
    """What a run decided for the mentions written one way and resolved by matching: a row of
    `resolution_forms`, the columns of `resolution_mentions` they share."""

    subject_key: str
    status: str
    method: str | None
    party_ref: str | None
    party_source_id: str | None
    party_name: str | None
    score: float | None
    candidate_id: str | None
    reason: str


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

_FORM = ["name", "country", "url", "email", "role", "identifiers", "domain"]
"""What a form is written with (`WrittenMention`): the columns it is grouped by, and the columns
of `resolution_forms` the view `resolution_mentions` finds a mention's form by."""

_RUN_TABLES = ("resolution_forms", "resolution_sources", "resolution_hints", "resolution_item_domains",
               "resolution_file_reasons", "resolution_candidates")
"""The tables holding the results of the latest run (see the store schema's migrations)."""

_PURL_BODY = "rtrim(split_part(split_part(regexp_replace(purl, '^pkg:', ''), '#', 1), '?', 1), '/')"
_NAMESPACE_SQL = f"""CASE
    WHEN purl IS NULL OR NOT starts_with(purl, 'pkg:') THEN purl
    WHEN strlen(purl) = length(purl) AND NOT (contains(purl, '#') OR contains(purl, '?') OR ends_with(purl, '/'))
        THEN CASE WHEN contains(purl, '/') THEN left(purl, length(purl) - strpos(reverse(purl), '/')) || '/_'
                  ELSE purl END
    WHEN contains({_PURL_BODY}, '/') THEN 'pkg:' || regexp_extract({_PURL_BODY}, '(?s)^(.*)/', 1) || '/_'
    ELSE purl END"""
"""The package URL in column `purl` with its name and version cut off (`pkg:type/namespace/_`):
only its type and namespace say who stands behind it (`purl_hints`). `_PURL_BODY` is the purl
without `pkg:`, subpath, qualifiers and trailing slashes; the second branch is the same cut,
faster, for a plain ASCII purl (no subpath, qualifiers or trailing slash)."""

_LINKS = """
WITH party_keys AS (
    SELECT DISTINCT source_id, key FROM parties
), links AS (
    SELECT m.source_id, m.item, m.role, m.name AS name_as_stored, coalesce(m.name, '') AS name,
           m.location, m.party, coalesce(p.key, '') <> '' AND h.key IS NULL AS file_linked,
           CASE WHEN coalesce(m.country, '') = '' THEN h.country ELSE m.country END AS country,
           m.url, m.email, coalesce(h.identifiers, '[]') AS identifiers
    FROM role_mentions m
    LEFT JOIN party_keys p ON p.source_id = m.source_id AND p.key = m.party
    LEFT JOIN _resolve_bom_hints h ON h.source_id = m.source_id AND h.key = coalesce(m.party, '')
)"""
"""Every role mention, and whether its file links it to a party of the same file: a party that
is no BOM's own record (`BomHints`); such a record lends the mention its country and
identifiers instead."""

_ITEM_NAMESPACES = f"""
CREATE OR REPLACE TEMP TABLE _resolve_item_namespaces AS
SELECT source_id, key, any_value(namespace) AS namespace
FROM (SELECT source_id, key, {_NAMESPACE_SQL} AS namespace FROM items)
WHERE namespace IN (SELECT namespace FROM _resolve_namespace_domains)
GROUP BY source_id, key"""
"""The items whose package URL has a namespace that counts (`mention_forms`), with it."""

_MENTIONS = _LINKS + """, mentions AS (
    SELECT m.*, i.namespace, d.domain
    FROM links m
    LEFT JOIN _resolve_item_namespaces i ON i.source_id = m.source_id AND i.key = m.item
    LEFT JOIN _resolve_namespace_domains d ON d.namespace = i.namespace
)"""
"""Every role mention with what its form is written with (`_FORM`)."""

_FIRST_MENTION = ("struct_pack(s := source_id, i0 := item IS NULL, i := coalesce(item, ''), "
                  "r0 := role IS NULL, r := coalesce(role, ''), n0 := name_as_stored IS NULL, n := name, "
                  "l0 := location IS NULL, l := coalesce(location, ''), namespace := namespace)")
"""A mention's place in `ORDER BY source_id, item, role, name, location` (nulls last), and its
namespace: `min` of it per form is the form's first mention and the namespace it writes."""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _insert_judgement(con, row: dict, prev_hash: str, digest: str) -> None:
    """One row of the judgement log (its columns in `row`'s order) and its audit entry."""
    con.execute("INSERT INTO resolution_judgements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*row.values(), prev_hash, digest])
    audit.append(con, row["actor"], f"review.{row['action']}", row["candidate_id"] or row["target_ref"],
                 {"judgement": row["seq"], "judgement_hash": digest, "subject_key": row["subject_key"],
                  "target_ref": row["target_ref"], "alias": row["alias"], "reason": row["reason"]})


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

    def purl_namespaces(self) -> list[str]:
        """Every package URL of an item cut to its type and namespace (`_NAMESPACE_SQL`)."""
        rows = self._con.execute(
            f"SELECT DISTINCT namespace FROM (SELECT {_NAMESPACE_SQL} AS namespace FROM items) "
            "WHERE namespace IS NOT NULL"
        ).fetchall()
        return [namespace for (namespace,) in rows]

    def mention_forms(self, bom_hints: BomHints, namespace_domains: dict[str, str | None]) -> MentionForms:
        """Every distinct way the role mentions write a party (`WrittenMention`), in the order of
        their first mention, with how many mentions write it so.

        `namespace_domains` holds the package URL namespaces (`purl_namespaces`) that count, each
        with the domain it points at; an item whose namespace is not among them counts as one
        without a package URL. The items that have one are kept (`_ITEM_NAMESPACES`) until
        `write_run`."""
        columns = ", ".join(_FORM)
        with self._mention_tables(bom_hints, namespace_domains):
            self._con.execute(_ITEM_NAMESPACES)
            rows = self._con.execute(
                f"{_MENTIONS} SELECT {columns}, first.namespace, file_linked, matched FROM ("
                f"SELECT {columns}, min({_FIRST_MENTION}) AS first, "
                "count(*) FILTER (WHERE file_linked) AS file_linked, "
                f"count(*) FILTER (WHERE NOT file_linked) AS matched FROM mentions GROUP BY {columns}) "
                f"ORDER BY first, {columns}"
            ).fetchall()
        forms = [WrittenMention(name, country, url, email, namespace, role,
                                tuple(tuple(pair) for pair in orjson.loads(identifiers)), file_linked, matched)
                 for name, country, url, email, role, identifiers, _domain, namespace, file_linked, matched
                 in rows]
        return MentionForms(forms, bom_hints, namespace_domains, [tuple(row[:7]) for row in rows])

    def file_linked_parties(self, bom_hints: BomHints) -> set[tuple[str, str]]:
        """(source_id, party key) of every party a mention's file links it to."""
        with self._registered("_resolve_bom_hints", _hints_table(bom_hints)):
            rows = self._con.execute(
                f"{_LINKS} SELECT DISTINCT source_id, party FROM links WHERE file_linked"
            ).fetchall()
        return set(rows)

    @contextmanager
    def _mention_tables(self, bom_hints: BomHints, namespace_domains: dict[str, str | None]) -> Iterator[None]:
        domains = pa.table({"namespace": list(namespace_domains), "domain": list(namespace_domains.values())},
                           schema=pa.schema([("namespace", pa.string()), ("domain", pa.string())]))
        with self._registered("_resolve_bom_hints", _hints_table(bom_hints)), \
                self._registered("_resolve_namespace_domains", domains):
            yield

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

    def write_run(self, run: dict, forms: MentionForms, outcomes: list[MentionOutcome], file_reasons: dict[str, str],
                  candidates: list[dict]) -> None:
        """Replace the results with this run's, and record the run, in one transaction.

        A mention's row of `resolution_mentions` is the outcome of its form (`outcomes[n]` for
        `forms.forms[n]`), or, where its file links it to a party of the same file, that party with
        the reason `file_reasons` gives for the party's key. What the view needs to find each
        mention's form again is kept beside the forms: the files read, the BOMs' own party
        records and the domains of the items' package URLs (`mention_forms`)."""
        con = self._con
        run_id = run["run_id"]
        reasons = pa.table({"party": list(file_reasons), "reason": list(file_reasons.values())},
                           schema=pa.schema([("party", pa.string()), ("reason", pa.string())]))
        with self.store.transaction(), self._mention_tables(forms.bom_hints, forms.namespace_domains), \
                self._registered("_resolve_forms", _forms_table(forms, outcomes)), \
                self._registered("_resolve_file_reasons", reasons):
            for table in _RUN_TABLES:
                con.execute(f"DELETE FROM {table}")
            con.execute("INSERT INTO resolution_forms SELECT ?, * FROM _resolve_forms", [run_id])
            con.execute("INSERT INTO resolution_sources SELECT DISTINCT ?, source_id FROM role_mentions", [run_id])
            con.execute("INSERT INTO resolution_hints SELECT ?, source_id, key, country, identifiers "
                        "FROM _resolve_bom_hints", [run_id])
            con.execute("INSERT INTO resolution_item_domains SELECT ?, i.source_id, i.key, d.domain "
                        "FROM _resolve_item_namespaces i JOIN _resolve_namespace_domains d USING (namespace) "
                        "WHERE d.domain IS NOT NULL", [run_id])
            con.execute("INSERT INTO resolution_file_reasons SELECT ?, party, reason FROM _resolve_file_reasons",
                        [run_id])
            con.execute("DROP TABLE IF EXISTS _resolve_item_namespaces")
            self._insert("resolution_candidates", _CANDIDATE_COLUMNS, candidates)
            con.execute(
                "INSERT INTO resolution_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run["run_id"], run["started_at"], run["finished_at"], run["actor"], run["algorithm"],
                 orjson.dumps(run["settings"], option=orjson.OPT_SORT_KEYS).decode(),
                 orjson.dumps(run["counts"], option=orjson.OPT_SORT_KEYS).decode()],
            )
            audit.append(con, run["actor"], "resolve", run["run_id"],
                         {"algorithm": run["algorithm"], "counts": run["counts"]})

    @contextmanager
    def _registered(self, name: str, table: pa.Table) -> Iterator[None]:
        self._con.register(name, table)
        try:
            yield
        finally:
            self._con.unregister(name)

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
            "UPDATE resolution_forms SET status = ?, method = ?, party_ref = ?, party_source_id = ?, party_name = ?, "
            "score = ?, candidate_id = ?, reason = ? WHERE subject_key = ?",
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
            _insert_judgement(con, row, prev_hash, digest)
        return JudgementRow(**row, prev_hash=prev_hash, hash=digest)

    def judgements(self) -> list[JudgementRow]:
        rows = self._con.execute(
            "SELECT seq, judged_at, actor, action, candidate_id, subject_key, target_ref, target_source_id, alias, "
            "reason, prev_hash, hash FROM resolution_judgements ORDER BY seq"
        ).fetchall()
        return [JudgementRow(*row) for row in rows]

    def restore_judgements(self, rows: list[dict]) -> int:
        """Put a judgement log kept elsewhere (a record pack's `judgements.json`) into this store's
        empty log, row for row with its original who, when, why and hashes, each with its audit
        entry, in one transaction. Refuses a log that is not a whole, intact chain from the start,
        and a store that has judgements of its own. Returns the number of judgements restored."""
        con = self._con
        restored = []
        prev_hash = GENESIS
        for n, data in enumerate(rows, 1):
            try:
                row = {"seq": int(data["seq"]), "judged_at": datetime.fromisoformat(str(data["judged_at"])),
                       **{k: data.get(k) for k in ("actor", "action", "candidate_id", "subject_key", "target_ref",
                                                   "target_source_id", "alias", "reason")}}
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"judgement {n}: not a judgement row ({error})") from None
            if row["seq"] != n or data.get("prev_hash") != prev_hash or _row_hash(prev_hash, row) != data.get("hash"):
                raise ValueError(f"judgement {n}: the log is not an intact chain (changed, removed or reordered)")
            restored.append((row, prev_hash, data["hash"]))
            prev_hash = data["hash"]
        with self.store.transaction():
            if con.execute("SELECT count(*) FROM resolution_judgements").fetchone()[0]:
                raise ValueError("the workspace has judgements of its own; a log is restored only into an empty one")
            for row, before, digest in restored:
                _insert_judgement(con, row, before, digest)
        return len(restored)

    def verify_judgements(self) -> list[str]:
        """Problems found in the judgement log's hash chain (empty when intact)."""
        return [message for _, message in verify_judgement_chain(self._con)[0]]


def _hints_table(bom_hints: BomHints) -> pa.Table:
    """The BOMs' own party records: (source_id, key, country, identifiers as a JSON list of pairs)."""
    rows = [(source_id, key, country, orjson.dumps(identifiers).decode())
            for (source_id, key), (country, identifiers) in bom_hints.items()]
    names = ["source_id", "key", "country", "identifiers"]
    return pa.table({name: [row[n] for row in rows] for n, name in enumerate(names)},
                    schema=pa.schema([(name, pa.string()) for name in names]))


def _forms_table(forms: MentionForms, outcomes: list[MentionOutcome]) -> pa.Table:
    """Each form as it is written (`_FORM`) with its outcome: the rows of `resolution_forms`."""
    names = ["subject_key", "status", "method", "party_ref", "party_source_id", "party_name", "score",
             "candidate_id", "reason"]
    data = {column: [written[n] for written in forms.written_as] for n, column in enumerate(_FORM)}
    data.update({name: [getattr(outcome, name) for outcome in outcomes] for name in names})
    schema = pa.schema([(name, pa.float64() if name == "score" else pa.string()) for name in data])
    return pa.table(data, schema=schema)


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
