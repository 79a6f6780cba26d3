"""The nexus engine on Apache Spark (PySpark): each materialized query is written as Parquet to a
scratch folder and read back as a temporary view, so the plan of a many-round fixpoint stays one
step long. With a cluster master, the scratch folder (CVRULE_SPARK_SCRATCH) must be on storage
every executor can read.

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
        scratch: str | None = None,
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
        self._paths: dict[str, list[Path]] = {}
        self._steps = 0
        scratch_root = scratch or os.environ.get("CVRULE_SPARK_SCRATCH")
        if scratch_root:
            Path(scratch_root).mkdir(parents=True, exist_ok=True)
        self._scratch = Path(tempfile.mkdtemp(prefix="cvrule-spark-", dir=scratch_root))

    def register(self, name: str, table: pa.Table) -> None:
        self._publish(name, self.spark.createDataFrame(table))

    def read_parquet(self, name: str, path: str) -> None:
        self._publish(name, self.spark.read.parquet(str(path)))

    def table(self, name: str, sql: str) -> int:
        # Each step is written to Parquet and read back: the next step's plan starts from files,
        # so a many-round fixpoint neither drags its whole history along (local checkpoints keep
        # their origin plan) nor holds the old steps in memory.
        self._steps += 1
        path = self._scratch / f"{name}-{self._steps}"
        self.spark.sql(sql).write.parquet(str(path))
        frame = self.spark.read.parquet(str(path))
        self._publish(name, frame)
        self._paths.setdefault(name, []).append(path)
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
        self._frames.pop(name, None)
        for path in self._paths.pop(name, []):
            shutil.rmtree(path, ignore_errors=True)

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
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame
        # files of earlier versions of `name` are no longer read by anything but the newest
        old = self._paths.get(name, [])
        while len(old) > 1:
            shutil.rmtree(old.pop(0), ignore_errors=True)
