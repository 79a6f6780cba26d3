"""The nexus engine on embedded DuckDB: each materialized query is a table of an in-memory
database (spilling to a temporary directory when it outgrows the memory limit)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

__all__ = ["DuckDBEngine"]


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None, temp_directory: str | None = None):
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET preserve_insertion_order = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        memory_limit = memory_limit or os.environ.get("CVRULE_DUCKDB_MEMORY_LIMIT")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET temp_directory = '{temp_directory or tempfile.gettempdir()}'")
        self._tables: dict[str, str] = {}

    def register(self, name: str, table: pa.Table) -> None:
        # Copied into a table of the database (not a view of the Arrow object, which only this
        # connection would see), so a `fork` reads it too.
        self.drop(name)
        self.con.register("_arrow_in", table)
        try:
            self.con.execute(f"CREATE TABLE {name} AS SELECT * FROM _arrow_in")
        finally:
            self.con.unregister("_arrow_in")
        self._tables[name] = "TABLE"

    def read_parquet(self, name: str, path: str) -> None:
        self.drop(name)
        source = str(Path(path) / "*.parquet") if Path(path).is_dir() else str(path)
        self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{_quote(source)}')")
        self._tables[name] = "VIEW"

    def table(self, name: str, sql: str) -> int:
        self.drop(name)
        [(count,)] = self.con.execute(f"CREATE TABLE {name} AS {sql}").fetchall()
        self._tables[name] = "TABLE"
        return count

    def view(self, name: str, sql: str) -> None:
        self.drop(name)
        self.con.execute(f"CREATE VIEW {name} AS {sql}")
        self._tables[name] = "VIEW"

    def append(self, name: str, sql: str) -> None:
        self.con.execute(f"INSERT INTO {name} {sql}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def arrow(self, sql: str) -> pa.Table:
        # A relation, not a DB-API result: DuckDB 2 has no `fetch_arrow_table` on results, and
        # Arrow out of a DB-API result is an extra copy of the rows.
        return self.con.sql(sql).to_arrow_table()

    def write_parquet(self, sql: str, path: str) -> None:
        self.con.execute(f"COPY ({sql}) TO '{_quote(str(path))}' (FORMAT parquet)")

    def drop(self, name: str) -> None:
        kind = self._tables.pop(name, None)
        if kind:
            self.con.execute(f"DROP {kind} {name}")

    def fork(self) -> DuckDBEngine:
        """The same database through a second connection, for work run beside this engine's in
        another thread. It sees every table and view, and shares the bookkeeping of what to drop."""
        other = object.__new__(DuckDBEngine)
        other.con = self.con.cursor()
        other._tables = self._tables
        return other

    def range_sql(self, count: int) -> str:
        return f"SELECT CAST(range AS BIGINT) AS i FROM range({int(count)})"

    def close(self) -> None:
        self.con.close()


def _quote(text: str) -> str:
    return text.replace("'", "''")
