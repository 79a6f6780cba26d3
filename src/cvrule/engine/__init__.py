"""The batch pipeline's engines: embedded DuckDB (default) and Apache Spark (PySpark).

Both run the same SQL (`cvrule.nexus.sql`) through the interface `cvrule.nexus.engine.Engine`;
`open_engine` picks one by name. Spark is imported only when asked for.
"""

from __future__ import annotations

from cvrule.nexus.engine import Engine

__all__ = ["ENGINES", "open_engine"]

ENGINES = ("duckdb", "spark")


def open_engine(name: str = "duckdb", *, spark_master: str | None = None, **options) -> Engine:
    """An engine by name; `options` go to its constructor (threads, memory limit, Spark settings)."""
    if name == "duckdb":
        from cvrule.engine.duckdb_engine import DuckDBEngine

        return DuckDBEngine(**options)
    if name == "spark":
        from cvrule.engine.spark_engine import SparkEngine

        return SparkEngine(master=spark_master or "local[*]", **options)
    raise ValueError(f"unknown engine {name!r} (known: {', '.join(ENGINES)})")
