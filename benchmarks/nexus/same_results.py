"""Whether two runs wrote the same results, row for row:

    python benchmarks/nexus/same_results.py OUT_A OUT_B

For status.parquet and evidence.parquet in each folder: the row counts, whether the schemas are
equal, and the rows of each not in the other (`EXCEPT ALL` both ways, so duplicates count).
Exits non-zero when anything differs."""

from __future__ import annotations

import sys

import duckdb


def differences(a: str, b: str) -> list[str]:
    con = duckdb.connect()
    found = []
    for name in ("status", "evidence"):
        left, right = (f"read_parquet('{folder}/{name}.parquet')" for folder in (a, b))
        counts = [con.execute(f"SELECT count(*) FROM {side}").fetchone()[0] for side in (left, right)]
        same_schema = con.execute(f"DESCRIBE SELECT * FROM {left}").fetchall() == con.execute(f"DESCRIBE SELECT * FROM {right}").fetchall()
        only_left = con.execute(f"SELECT count(*) FROM (SELECT * FROM {left} EXCEPT ALL SELECT * FROM {right})").fetchone()[0]
        only_right = con.execute(f"SELECT count(*) FROM (SELECT * FROM {right} EXCEPT ALL SELECT * FROM {left})").fetchone()[0]
        print(f"{name}: rows {counts[0]:,} and {counts[1]:,}, same schema {same_schema}, "
              f"only in the first {only_left}, only in the second {only_right}")
        if not same_schema or only_left or only_right or counts[0] != counts[1]:
            found.append(name)
    return found


if __name__ == "__main__":
    sys.exit(1 if differences(sys.argv[1], sys.argv[2]) else 0)
