"""The fleet assessment gives the same decisions whichever engine computes the nexus."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvrule.fleet.assess import assess

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-fleet"


def test_spark_and_duckdb_assess_the_demo_fleet_alike(tmp_path):
    pytest.importorskip("pyspark")
    from cvrule.engine.spark_engine import find_java_home

    if find_java_home() is None:
        pytest.skip("Spark needs Java 17 or later (none found on PATH, JAVA_HOME or /usr/lib/jvm)")
    duck = assess(DEMO, out=tmp_path / "duckdb", formats=("json",)).assessment
    spark = assess(DEMO, out=tmp_path / "spark", engine="spark", formats=("json",), spark_master="local[2]",
                   engine_options={"shuffle_partitions": 2, "driver_memory": "1g"}).assessment
    assert spark.engine == "spark" and duck.engine == "duckdb"
    assert spark.run_id == duck.run_id
    assert spark.model_copy(update={"engine": "duckdb"}).to_json() == duck.to_json()
