"""The one place that talks to the database: an embedded DuckDB file per workspace.

Each ingested file is one transaction: its facts, its `sources` row, its path mapping and its
audit entry (cvrule.store.audit) are written together or not at all. Re-ingesting unchanged
content is a no-op; a path whose content changed has its old facts replaced (unless another
path still holds that same content) and nothing else touched.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TypeVar

import duckdb
import orjson
import pyarrow as pa

from cvrule.errors import InputError, WorkspaceBusyError
from cvrule.ingest import collector
from cvrule.ingest.facts import Fact, FactColumns, FactRows, FactStream, SourceInfo, field_names
from cvrule.store import audit
from cvrule.store.schema import AUDIT_MIGRATION, FACT_TABLES, MIGRATIONS, FactTable

__all__ = ["IngestOutcome", "Store"]

T = TypeVar("T")

_CHUNK = 50_000


@dataclass
class IngestOutcome:
    path: str
    source_id: str
    outcome: str
    """loaded | unchanged | same-content | failed"""
    format: str | None = None
    facts: int = 0
    message: str | None = None


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = _open(self.path)
        except duckdb.IOException as error:
            holder = re.search(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", str(error))
            if holder is None:
                raise
            raise WorkspaceBusyError(
                f"{self.path} is open in another process (pid {holder.group(2)}, {holder.group(1)}); "
                "wait for it to finish, then try again") from None
        self._depth = 0
        self._written: dict[str, list[pa.Table]] | None = None
        """While an ingest writes facts: the Arrow tables inserted, by fact table (for its digest)."""
        self._migrate()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction around the block: committed when it ends, rolled back on any exception
        (KeyboardInterrupt too). Nested blocks join the outermost one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._con.begin()
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._con.rollback()
            raise
        self._depth = 0
        self._con.commit()

    def retrying(self, work: Callable[[], T], attempts: int = 8) -> T:
        """Run `work()` in one transaction; when it collides with a concurrent transaction of this
        process on the same store (two appends to the audit log, say), roll back and run it again."""
        for attempt in range(attempts):
            try:
                with self.transaction():
                    return work()
            except duckdb.TransactionException:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------

    def _migrate(self) -> None:
        con = self._con
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = con.execute("SELECT max(version) FROM schema_version").fetchone()
        current = row[0] or 0
        for number, script in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            with self.transaction():
                for statement in filter(str.strip, script.split(";")):
                    con.execute(statement)
                con.execute("INSERT INTO schema_version VALUES (?)", [number])
                if number == AUDIT_MIGRATION:
                    self._audit_baseline(number)
                elif number > AUDIT_MIGRATION and current >= AUDIT_MIGRATION:
                    # a store that already kept an audit log records its upgrade; one whose log begins
                    # in this same opening starts from the schema it is created with
                    audit.append(con, None, "migrate", f"schema {number}", {"schema_version": number})

    def _audit_baseline(self, number: int) -> None:
        """The audit log begins: record the judgement log's head and a digest of every source
        already in the store, so what predates the log is covered from now on."""
        con = self._con
        last = con.execute("SELECT seq, hash FROM resolution_judgements ORDER BY seq DESC LIMIT 1").fetchone()
        audit.append(con, None, "audit-start", f"schema {number}",
                     {"schema_version": number, "judgements": {"seq": last[0], "hash": last[1]} if last else None})
        digests = audit.fact_digests(con)
        for source_id, fmt, facts in con.execute("SELECT source_id, format, fact_count FROM sources ORDER BY source_id").fetchall():
            audit.append(con, None, "baseline", source_id,
                         {"format": fmt, "facts": facts, "digest": digests.get(source_id, {})})

    # -- reading ---------------------------------------------------------------------------

    def source_of(self, path: str) -> str | None:
        row = self._con.execute("SELECT source_id FROM source_paths WHERE path = ?", [path]).fetchone()
        return row[0] if row else None

    def has_source(self, source_id: str) -> bool:
        return self._con.execute("SELECT 1 FROM sources WHERE source_id = ?", [source_id]).fetchone() is not None

    def counts(self) -> dict[str, int]:
        out = {"sources": self._con.execute("SELECT count(*) FROM source_paths").fetchone()[0]}
        for table in FACT_TABLES.values():
            out[table.name] = self._con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
        return out

    def rows(self, table: str, where: str = "", params: list | None = None) -> list[dict]:
        """Rows of a fact or bookkeeping table as dicts (tests and reports)."""
        if table not in {t.name for t in FACT_TABLES.values()} | {"sources", "source_paths", "ingest_log"}:
            raise ValueError(f"unknown table {table!r}")
        cursor = self._con.execute(f"SELECT * FROM {table} {where}", params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    # -- writing ---------------------------------------------------------------------------

    def map_path(self, path: str, source_id: str, actor: str | None = None) -> IngestOutcome:
        """Point `path` at content the store already holds (same bytes seen under another path)."""
        with self.transaction():
            previous = self.source_of(path)
            self._point(path, source_id)
            dropped = previous and previous != source_id and self._drop_if_orphan(previous)
            self._log(path, source_id, "same-content", None, None)
            audit.append(self._con, actor, "ingest", source_id,
                         {"path": path, "outcome": "same-content", "replaced": previous if dropped else None})
        return IngestOutcome(path, source_id, "same-content")

    def ingest(
        self,
        path: str,
        source_id: str,
        size: int,
        info_and_facts: Callable[[], tuple[SourceInfo, Iterable[Fact]]],
        progress: Callable[[int], None] | None = None,
        actor: str | None = None,
        max_string_bytes: int | None = None,
    ) -> IngestOutcome:
        """Write one file's facts in one transaction; any exception rolls everything back. A text
        value longer than `max_string_bytes` (UTF-8) is refused with an InputError at its fact."""
        con = self._con
        with self.transaction():
            info, facts = info_and_facts()
            for name in ("format_version", "document_name", "created"):
                value = getattr(info, name)
                if max_string_bytes is not None and value and len(value.encode("utf-8", "replace")) > max_string_bytes:
                    raise InputError(path, None, f"the document's {name} is longer than the limit "
                                                 f"max_string_bytes={max_string_bytes:,}")
            self._written = {}
            try:
                count = self._write_facts(source_id, facts, progress, path, max_string_bytes)
                digest = audit.written_digest(self._written)
            finally:
                self._written = None
            previous = self.source_of(path)
            con.execute(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [source_id, info.format, info.format_version, info.document_name, info.created, size, count, _now()],
            )
            self._point(path, source_id)
            dropped = previous and previous != source_id and self._drop_if_orphan(previous)
            self._log(path, source_id, "loaded", info.format, f"{count} facts")
            audit.append(con, actor, "ingest", source_id, {
                "path": path, "outcome": "loaded", "format": info.format, "format_version": info.format_version,
                "size": size, "facts": count, "digest": digest,
                "replaced": previous if dropped else None,
            })
        return IngestOutcome(path, source_id, "loaded", info.format, count)

    def record(self, outcome: IngestOutcome) -> None:
        """Log an outcome that wrote no facts (unchanged, failed)."""
        self._log(outcome.path, outcome.source_id, outcome.outcome, outcome.format, outcome.message)

    def _point(self, path: str, source_id: str) -> None:
        self._con.execute("DELETE FROM source_paths WHERE path = ?", [path])
        self._con.execute("INSERT INTO source_paths VALUES (?, ?, ?)", [path, source_id, _now()])

    def _drop_if_orphan(self, source_id: str) -> bool:
        still = self._con.execute("SELECT 1 FROM source_paths WHERE source_id = ?", [source_id]).fetchone()
        if still:
            return False
        for table in FACT_TABLES.values():
            self._con.execute(f"DELETE FROM {table.name} WHERE source_id = ?", [source_id])
        self._con.execute("DELETE FROM sources WHERE source_id = ?", [source_id])
        return True

    def _log(self, path, source_id, outcome, fmt, message) -> None:
        self._con.execute("INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?)", [_now(), path, source_id, outcome, fmt, message])

    def _write_facts(self, source_id: str, facts: Iterable[Fact], progress, path: str = "",
                     max_string_bytes: int | None = None) -> int:
        """Write the facts table by table, `_CHUNK` rows or more at a time; returns how many. The
        facts are built (when the parser streams) and written with the collector paused."""
        with collector.paused(), self._one_thread():
            count = self._write_rows(source_id, _fact_rows(facts), progress, path, max_string_bytes)
        if progress:
            progress(count)
        return count

    @contextmanager
    def _one_thread(self) -> Iterator[None]:
        """DuckDB on one thread for the block: an INSERT from Arrow columns takes about half the CPU
        time that way and no longer wall time (benchmarks/ingest/RESULTS.md, 2026-12-03)."""
        [(threads,)] = self._con.execute("SELECT current_setting('threads')").fetchall()
        self._con.execute("SET threads = 1")
        try:
            yield
        finally:
            self._con.execute(f"SET threads = {int(threads)}")

    def _write_rows(self, source_id: str, batches: Iterable[FactRows], progress, path: str,
                    max_string_bytes: int | None) -> int:
        pending: dict[type, list[tuple]] = {}
        count = 0
        for batch in batches:
            if isinstance(batch, FactColumns):  # already columns: written as they are
                count += len(batch)
                self._flush_columns(batch, source_id, path, max_string_bytes)
                continue
            rows = pending.setdefault(batch.record, [])
            rows.extend(batch.rows)
            count += len(batch.rows)
            if len(rows) >= _CHUNK:
                self._flush(batch.record, source_id, rows, path, max_string_bytes)
                pending[batch.record] = []
                if progress:
                    progress(count)
        for record, rows in pending.items():
            if rows:
                self._flush(record, source_id, rows, path, max_string_bytes)
        return count

    def _flush(self, record: type, source_id: str, rows: list[tuple], path: str = "",
               max_string_bytes: int | None = None) -> None:
        """Insert rows of one fact record (tuples in its field order) as one Arrow batch."""
        table = FACT_TABLES[record.__name__]
        position = {field: index for index, field in enumerate(field_names(record))}
        arrays = [pa.repeat(pa.scalar(source_id, pa.string()), len(rows))]
        for field, sql, kind in table.columns:
            column = list(map(itemgetter(position[field]), rows))
            if field in _JSON_FIELDS:
                column = [orjson.dumps(v, option=orjson.OPT_SORT_KEYS).decode() if v else None for v in column]
            arrays.append(pa.array(column, type=kind))
        batch = pa.Table.from_arrays(arrays, schema=table.arrow_schema)
        if max_string_bytes is not None:
            location = position["location"]
            _check_string_lengths(batch, table, lambda row: rows[row][location], path, max_string_bytes)
        self._insert(table, batch)

    def _flush_columns(self, facts: FactColumns, source_id: str, path: str = "",
                       max_string_bytes: int | None = None) -> None:
        """Insert facts that come as columns (named by the record's fields) as one Arrow batch."""
        table = FACT_TABLES[facts.record.__name__]
        columns = facts.table
        arrays = [pa.repeat(pa.scalar(source_id, pa.string()), columns.num_rows)]
        arrays += [_one_array(columns.column(field)).cast(kind) for field, _, kind in table.columns]
        batch = pa.Table.from_arrays(arrays, schema=table.arrow_schema)
        if max_string_bytes is not None:
            locations = columns.column("location")
            _check_string_lengths(batch, table, lambda row: locations[row].as_py(), path, max_string_bytes)
        self._insert(table, batch)

    def _insert(self, table: FactTable, batch: pa.Table) -> None:
        if self._written is not None:
            self._written.setdefault(table.name, []).append(batch)
        self._con.register("_batch", batch)
        try:
            names = ", ".join(f'"{name}"' for name in batch.column_names)
            self._con.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM _batch")
        finally:
            self._con.unregister("_batch")


_ROW_GROUP_SIZE = 65_536
"""Rows per row group in the store file (DuckDB's default is 122,880). The commit of an ingest
then compresses its facts in about half the CPU time (0.2 s less for a 100,000-component BOM),
for a store file about 6% larger (issue 3, 2026-12-03)."""


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to the store file at `path`, written in row groups of _ROW_GROUP_SIZE rows.

    The row group size is an option of ATTACH, so the file is attached to an in-memory database
    named after it and made the default one (`USE`). Naming that database makes every Store of
    one file in this process a connection to the same database, as `duckdb.connect(path)` does;
    it ends, detaching the file, when the last of them closes."""
    resolved = str(path.resolve())
    con = duckdb.connect(":memory:cvrule-store:" + resolved)
    try:
        quoted = resolved.replace("'", "''")
        con.execute(f"ATTACH IF NOT EXISTS '{quoted}' AS store (ROW_GROUP_SIZE {_ROW_GROUP_SIZE})")
        con.execute("USE store")
    except BaseException:
        con.close()
        raise
    return con


_JSON_FIELDS = frozenset({"identifiers", "properties"})
"""Fact fields (dicts) stored as JSON text with sorted keys; an empty one as NULL."""


def _fact_rows(facts: Iterable[Fact]) -> Iterable[FactRows]:
    """A parser's facts as FactRows: a FactStream's own batches, or records turned into rows."""
    if isinstance(facts, FactStream):
        return facts.batches()
    return _rows_of_records(facts)


def _rows_of_records(facts: Iterable[Fact]) -> Iterator[FactRows]:
    """Rows of `_CHUNK` facts of one record type; what is left over at the end, in the order the
    record types first appeared."""
    rows: dict[type, list[tuple]] = {}
    getters: dict[type, Callable[[Fact], tuple]] = {}
    for fact in facts:
        record = type(fact)
        getter = getters.get(record)
        if getter is None:
            getter = getters[record] = attrgetter(*field_names(record))
            rows[record] = []
        kept = rows[record]
        kept.append(getter(fact))
        if len(kept) >= _CHUNK:
            yield FactRows(record, kept)
            rows[record] = []
    for record, kept in rows.items():
        yield FactRows(record, kept)


def _one_array(column: pa.ChunkedArray) -> pa.Array:
    """A column as one array: its only chunk as it is (combining would copy it), or its chunks combined."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _check_string_lengths(batch: pa.Table, table: FactTable, location_of: Callable[[int], str | None], path: str,
                          limit: int) -> None:
    """Refuse a batch holding a text value over `limit` bytes, naming the first fact that does
    (vectorized: a fraction of a millisecond per 50,000 facts)."""
    import pyarrow.compute as pc

    for field, sql, kind in table.columns:
        column = batch.column(sql)
        if kind == pa.string():
            lengths, rows = pc.binary_length(column), None
        elif kind == pa.list_(pa.string()):
            lengths, rows = pc.binary_length(pc.list_flatten(column)), pc.list_parent_indices(column)
        else:
            continue
        longest = pc.max(lengths).as_py()
        if longest is None or longest <= limit:
            continue
        index = pc.index(pc.greater(lengths, limit), True).as_py()
        row = rows[index].as_py() if rows is not None else index
        raise InputError(path, location_of(row) or None,
                         f"{field} is {lengths[index].as_py():,} bytes long, over the limit max_string_bytes={limit:,}")
