"""The nexus engine on Apache Spark (PySpark): each materialized query is a temporary view over
a locally checkpointed DataFrame, so the lineage of a many-round fixpoint stays one step long.

Master defaults to `local[*]`; give `spark://host:7077` (or any master URL) to run on a
cluster. Spark needs Java 17 or later: when neither JAVA_HOME nor `java` on the PATH is set up,
the engine looks for a JDK under /usr/lib/jvm.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa

__all__ = ["SparkEngine", "find_java_home"]


def find_java_home() -> str | None:
    """JAVA_HOME if set, else the JDK the `java` on the PATH belongs to, else one under /usr/lib/jvm."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    if java:
        return str(Path(os.path.realpath(java)).parent.parent)
    for pattern in ("/usr/lib/jvm/java-17*", "/usr/lib/jvm/java-2*", "/usr/lib/jvm/*"):
        for home in sorted(glob.glob(pattern)):
            if os.path.exists(os.path.join(home, "bin", "java")):
                return home
    return None


class SparkEngine:
    name = "spark"

    def __init__(
        self,
        master: str = "local[*]",
        shuffle_partitions: int | None = None,
        driver_memory: str | None = None,
        conf: dict[str, str] | None = None,
    ):
        home = find_java_home()
        if home and not os.environ.get("JAVA_HOME"):
            os.environ["JAVA_HOME"] = home
        from pyspark.sql import SparkSession

        local = master.startswith("local")
        partitions = shuffle_partitions or (max(4, 2 * (os.cpu_count() or 2)) if local else 200)
        builder = (
            SparkSession.builder.master(master)
            .appName("cvrule-nexus")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.sql.adaptive.enabled", "true")
            .config("spark.driver.memory", driver_memory or os.environ.get("CVRULE_SPARK_DRIVER_MEMORY", "2g"))
            .config("spark.cleaner.periodicGC.interval", "1min")
        )
        for key, value in (conf or {}).items():
            builder = builder.config(key, value)
        self.spark = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        self._frames: dict[str, Any] = {}
        self._steps = 0
        self._scratch = Path(tempfile.mkdtemp(prefix="cvrule-spark-"))

    def register(self, name: str, table: pa.Table) -> None:
        self._publish(name, self.spark.createDataFrame(table))

    def read_parquet(self, name: str, path: str) -> None:
        self._publish(name, self.spark.read.parquet(str(path)))

    def table(self, name: str, sql: str) -> int:
        frame = self.spark.sql(sql).localCheckpoint(eager=True)
        self._publish(name, frame)
        self._steps += 1
        if self._steps % 16 == 0:
            # a fixpoint makes many short-lived checkpoints and broadcasts; the JVM frees them
            # (ContextCleaner) only once they are garbage-collected
            self.spark.sparkContext._jvm.System.gc()
        return frame.count()

    def view(self, name: str, sql: str) -> None:
        self._publish(name, self.spark.sql(sql))

    def append(self, name: str, sql: str) -> None:
        self.table(name, f"SELECT * FROM {name} UNION ALL {sql}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.spark.sql(sql).collect()]

    def arrow(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def write_parquet(self, sql: str, path: str) -> None:
        out = self._scratch / f"out-{len(os.listdir(self._scratch))}"
        self.spark.sql(sql).coalesce(1).write.mode("overwrite").parquet(str(out))
        [part] = sorted(out.glob("part-*.parquet"))
        shutil.move(str(part), str(path))
        shutil.rmtree(out, ignore_errors=True)

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)
        _release(self._frames.pop(name, None))

    def range_sql(self, count: int) -> str:
        return f"SELECT CAST(id AS BIGINT) AS i FROM range({int(count)})"

    def close(self) -> None:
        for name in list(self._frames):
            self.drop(name)
        shutil.rmtree(self._scratch, ignore_errors=True)

    def stop(self) -> None:
        """Close and stop the Spark session itself (a later engine starts a new one)."""
        self.close()
        self.spark.stop()

    def _publish(self, name: str, frame) -> None:
        old = self._frames.pop(name, None)
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame
        _release(old)


def _release(frame) -> None:
    """Free the blocks of a checkpointed DataFrame that a newer one has replaced."""
    if frame is None:
        return
    try:
        frame._jdf.queryExecution().analyzed().rdd().unpersist(False)
    except Exception:  # not a checkpointed frame (a Parquet or Arrow source): nothing held
        pass
