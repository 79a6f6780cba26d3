"""Changes of ownership and control in a workspace's ownership data: for a general authorization
relied on from a day (`relied_from`, 791.306), every interest or control that began or ended
after that day, up to the transaction date, over the parties of the transaction or anyone above
them in the ownership and control chain. A supplier's new owner found in the ownership data
starts the reassessment clock, in a fleet as in a case file.

Parties are nexus nodes (`lei:<LEI>`, else `<file hash prefix>:<key>`), named as the nexus
engine names them (`cvrule.store.nexus_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["OwnershipChange", "ownership_changes"]

_LEI = "[0-9A-Z]{18}[0-9]{2}"

_NODE = """CASE WHEN r.node_key IS NOT NULL THEN r.node_key
                WHEN regexp_full_match(upper({key}), '{lei}') THEN 'lei:' || upper({key})
                ELSE substr(e.source_id, 1, 16) || ':' || {key} END"""


@dataclass(frozen=True)
class OwnershipChange:
    day: date
    began: bool
    """True: the interest or control began on `day`; False: it ended."""
    relation: str
    """"ownership" or the kind of control."""
    above: str
    below: str
    above_name: str
    below_name: str
    where: str
    """The fact's file (hash prefix) and location in it, e.g. `0a1b2c3d4e5f6789:/statements/4`."""

    @property
    def table(self) -> str:
        return "ownership" if self.relation == "ownership" else "control"


def ownership_changes(store, parties: set[str], since: date, until: date) -> list[OwnershipChange]:
    """Every change after `since` and on or before `until` of an interest in, or control over,
    one of `parties` or anyone above them; by day, then by the parties' nodes."""
    if not parties:
        return []
    con = store._con
    con.execute("""
        CREATE OR REPLACE TEMP TABLE cv_rec_nodes AS
        SELECT source_id, key, min(CASE WHEN lei IS NOT NULL THEN 'lei:' || lei
                                        ELSE substr(source_id, 1, 16) || ':' || key END) AS node_key,
               min(nullif(trim(name), '')) AS name
        FROM (SELECT source_id, key, name, upper(nullif(trim(json_extract_string(identifiers, '$.lei')), '')) AS lei
              FROM parties)
        GROUP BY source_id, key
    """)
    above = _NODE.format(key="e.a", lei=_LEI).replace("r.node_key", "ra.node_key")
    below = _NODE.format(key="e.b", lei=_LEI).replace("r.node_key", "rb.node_key")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cv_edges AS
        WITH e AS (
            SELECT 'ownership' AS relation, source_id, owner AS a, owned AS b, valid_from, valid_to, location
            FROM ownership
            UNION ALL
            SELECT coalesce(kind, 'control'), source_id, by_party, over_party, valid_from, valid_to, location
            FROM control
        )
        SELECT e.relation, {above} AS above, {below} AS below, coalesce(ra.name, e.a) AS above_name,
               coalesce(rb.name, e.b) AS below_name, e.valid_from, e.valid_to, e.source_id, e.location
        FROM e
        LEFT JOIN cv_rec_nodes ra ON ra.source_id = e.source_id AND ra.key = e.a
        LEFT JOIN cv_rec_nodes rb ON rb.source_id = e.source_id AND rb.key = e.b
    """)
    con.execute("CREATE OR REPLACE TEMP TABLE cv_seed (node VARCHAR)")
    con.executemany("INSERT INTO cv_seed VALUES (?)", [[p] for p in sorted(parties)])
    rows = con.execute("""
        WITH RECURSIVE watched(node) AS (
            SELECT node FROM cv_seed
            UNION
            SELECT e.above FROM cv_edges e JOIN watched w ON e.below = w.node
        )
        SELECT day, began, relation, above, below, above_name, below_name, source_id, location FROM (
            SELECT valid_from AS day, TRUE AS began, relation, above, below, above_name, below_name, source_id, location
            FROM cv_edges WHERE below IN (SELECT node FROM watched) AND valid_from > ? AND valid_from <= ?
            UNION ALL
            SELECT valid_to, FALSE, relation, above, below, above_name, below_name, source_id, location
            FROM cv_edges WHERE below IN (SELECT node FROM watched) AND valid_to > ? AND valid_to <= ?
        ) ORDER BY day, below, above, relation, began, source_id, location
    """, [since, until, since, until]).fetchall()
    for table in ("cv_seed", "cv_edges", "cv_rec_nodes"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return [OwnershipChange(day, began, relation, a, b, a_name, b_name, f"{source[:16]}:{location or ''}")
            for day, began, relation, a, b, a_name, b_name, source, location in rows]
