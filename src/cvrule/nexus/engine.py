"""The thin interface the nexus runs its SQL through. Implementations live in `cvrule.engine`
(DuckDB, Spark); the nexus itself imports no database driver.

The SQL handed to an engine is written once, in the subset of SQL that DuckDB and Spark SQL
both accept: SELECT with CTEs, inner and left joins, UNION [ALL], GROUP BY, CASE, CAST,
FLOOR/CEIL, LEAST/GREATEST, COALESCE, DATE literals. No engine-specific function appears in it.

An engine may also offer `fork()`: the same tables through a second connection, used from
another thread to run independent work beside the main stream of queries (the look-through
beside the fixpoints). Without it, that work runs after, through the same SQL.
"""

from __future__ import annotations

from typing import Any, Protocol

import pyarrow as pa

__all__ = ["Engine"]


class Engine(Protocol):
    name: str

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as `name`."""

    def read_parquet(self, name: str, path: str) -> None:
        """Make a Parquet file (or a directory of them) queryable as `name`, without loading it whole."""

    def table(self, name: str, sql: str) -> int:
        """Materialize the query as `name` (replacing any table of that name); return its row count."""

    def view(self, name: str, sql: str) -> None:
        """Name the query without running it (it runs each time it is read)."""

    def append(self, name: str, sql: str) -> None:
        """Add the query's rows to the table `name`."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """The query's rows, for small results."""

    def arrow(self, sql: str) -> pa.Table:
        """The query's result as an Arrow table."""

    def write_parquet(self, sql: str, path: str) -> None:
        """Write the query's result to one Parquet file at `path`."""

    def drop(self, name: str) -> None:
        """Forget the table or view `name` if it exists."""

    def range_sql(self, count: int) -> str:
        """A query of one BIGINT column `i` holding 0 .. count-1 (the only dialect difference)."""

    def close(self) -> None:
        """Release the engine's resources."""
