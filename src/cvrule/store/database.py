"""The one place that talks to the database: an embedded DuckDB file per workspace.

Each ingested file is one transaction: its facts, its `sources` row and its path mapping are
written together or not at all. Re-ingesting unchanged content is a no-op; a path whose content
changed has its old facts replaced (unless another path still holds that same content) and
nothing else touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from cvrule.ingest.facts import Fact, SourceInfo
from cvrule.store.schema import FACT_TABLES, MIGRATIONS, FactTable

__all__ = ["IngestOutcome", "Store"]

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
        self._con = duckdb.connect(str(self.path))
        self._migrate()

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
            con.begin()
            try:
                for statement in filter(str.strip, script.split(";")):
                    con.execute(statement)
                con.execute("INSERT INTO schema_version VALUES (?)", [number])
                con.commit()
            except Exception:
                con.rollback()
                raise

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

    def map_path(self, path: str, source_id: str) -> IngestOutcome:
        """Point `path` at content the store already holds (same bytes seen under another path)."""
        self._con.begin()
        try:
            previous = self.source_of(path)
            self._point(path, source_id)
            if previous and previous != source_id:
                self._drop_if_orphan(previous)
            self._log(path, source_id, "same-content", None, None)
            self._con.commit()
        except Exception:
            self._con.rollback()
            raise
        return IngestOutcome(path, source_id, "same-content")

    def ingest(
        self,
        path: str,
        source_id: str,
        size: int,
        info_and_facts: Callable[[], tuple[SourceInfo, Iterable[Fact]]],
        progress: Callable[[int], None] | None = None,
    ) -> IngestOutcome:
        """Write one file's facts in one transaction; any exception rolls everything back."""
        con = self._con
        con.begin()
        try:
            info, facts = info_and_facts()
            count = self._write_facts(source_id, facts, progress)
            previous = self.source_of(path)
            con.execute(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [source_id, info.format, info.format_version, info.document_name, info.created, size, count, _now()],
            )
            self._point(path, source_id)
            if previous and previous != source_id:
                self._drop_if_orphan(previous)
            self._log(path, source_id, "loaded", info.format, f"{count} facts")
            con.commit()
        except BaseException:
            con.rollback()
            raise
        return IngestOutcome(path, source_id, "loaded", info.format, count)

    def record(self, outcome: IngestOutcome) -> None:
        """Log an outcome that wrote no facts (unchanged, failed)."""
        self._log(outcome.path, outcome.source_id, outcome.outcome, outcome.format, outcome.message)

    def _point(self, path: str, source_id: str) -> None:
        self._con.execute("DELETE FROM source_paths WHERE path = ?", [path])
        self._con.execute("INSERT INTO source_paths VALUES (?, ?, ?)", [path, source_id, _now()])

    def _drop_if_orphan(self, source_id: str) -> None:
        still = self._con.execute("SELECT 1 FROM source_paths WHERE source_id = ?", [source_id]).fetchone()
        if still:
            return
        for table in FACT_TABLES.values():
            self._con.execute(f"DELETE FROM {table.name} WHERE source_id = ?", [source_id])
        self._con.execute("DELETE FROM sources WHERE source_id = ?", [source_id])

    def _log(self, path, source_id, outcome, fmt, message) -> None:
        self._con.execute("INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?)", [_now(), path, source_id, outcome, fmt, message])

    def _write_facts(self, source_id: str, facts: Iterable[Fact], progress) -> int:
        buffers: dict[str, list] = {}
        count = 0
        for fact in facts:
            kind = type(fact).__name__
            buffer = buffers.setdefault(kind, [])
            buffer.append(fact)
            count += 1
            if len(buffer) >= _CHUNK:
                self._flush(FACT_TABLES[kind], source_id, buffer)
                buffer.clear()
                if progress:
                    progress(count)
        for kind, buffer in buffers.items():
            if buffer:
                self._flush(FACT_TABLES[kind], source_id, buffer)
        if progress:
            progress(count)
        return count

    def _flush(self, table: FactTable, source_id: str, facts: list) -> None:
        columns: dict[str, list] = {"source_id": [source_id] * len(facts)}
        for field, sql, kind in table.columns:
            values = [getattr(f, field) for f in facts]
            if field in ("identifiers", "properties"):
                values = [orjson.dumps(v, option=orjson.OPT_SORT_KEYS).decode() if v else None for v in values]
            columns[sql] = values
        batch = pa.Table.from_pydict(columns, schema=table.arrow_schema)
        self._con.register("_batch", batch)
        try:
            names = ", ".join(f'"{name}"' for name in batch.column_names)
            self._con.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM _batch")
        finally:
            self._con.unregister("_batch")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
