"""Whether two versions of cvrule's ingest store the same facts for one file.

    python benchmarks/ingest/same_facts.py OLD_SRC FILE

OLD_SRC is a `src` folder holding the other version (as for side_by_side.py); the new version is
the installed one. Each version ingests FILE into a fresh workspace in a process of its own; then
every fact table's rows (all columns, in a canonical order), the `sources` row (but its time),
the digest each audit entry recorded, and `audit verify` of both stores are compared. Exits 1 on
any difference.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

INGEST = """
import sys
from cvrule.ingest.load import ingest_paths
from cvrule.workspace import Workspace
[outcome] = ingest_paths(Workspace(sys.argv[2]), [sys.argv[1]])
assert outcome.outcome == "loaded", outcome.message
"""


def snapshot(store_path: str) -> dict:
    import duckdb

    from cvrule.store import audit
    from cvrule.store.schema import FACT_TABLES

    con = duckdb.connect(store_path, read_only=True)
    out = {}
    for table in FACT_TABLES.values():
        names = ["source_id"] + [sql for _, sql, _ in table.columns]
        order = ", ".join(f'"{name}"' for name in names)
        out[table.name] = con.execute(f"SELECT {order} FROM {table.name} ORDER BY {order}").fetchall()
    out["sources"] = con.execute("SELECT * EXCLUDE (first_ingested_at) FROM sources ORDER BY source_id").fetchall()
    out["digests"] = [entry.detail.get("digest") for entry in audit.entries(con, action="ingest")]
    report = audit.verify(con)
    out["verify"] = (report.ok, report.sources, [str(problem) for problem in report.problems])
    con.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old_src")
    parser.add_argument("file")
    args = parser.parse_args()
    found = {}
    with tempfile.TemporaryDirectory() as work:
        for name in ("old", "new"):
            env = dict(os.environ)
            if name == "old":
                env["PYTHONPATH"] = os.path.abspath(args.old_src)
            workspace = os.path.join(work, name)
            subprocess.run([sys.executable, "-c", INGEST, args.file, workspace], check=True, env=env)
            found[name] = snapshot(os.path.join(workspace, "cvrule.duckdb"))
    old, new = found["old"], found["new"]
    differ = [key for key in old if old[key] != new[key]]
    for key, value in new.items():
        shown = f"{len(value)} rows" if key not in ("digests", "verify") else value
        print(f"{key}: {'DIFFERENT' if key in differ else 'same'} ({shown})")
    sys.exit(1 if differ or not new["verify"][0] else 0)


if __name__ == "__main__":
    main()
