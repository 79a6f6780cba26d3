"""The ownership and control graph the nexus reads: three tables with integer node ids.

- `g_parties`: what is known of each party. A node may have several rows (the same legal
  entity described by several files, joined by its LEI); each row is read on its own and the
  node is linked when any row links it (see docs/nexus.md, "Who is one party").
- `g_stakes`: interests, one row per stated interest. `holding` groups the rows that
  describe the same holding within one source (`src`): a holding's voting rows are used when it
  has any, else its equity rows (when `equity_stands_for_voting`), else its share is unknown.
  Shares are fractions; a missing minimum is 0, a missing maximum 1; both missing is unknown.
  `direct` is false for an interest a source states as indirect (a BODS `indirect` interest, a
  GLEIF ultimate parent): held through a chain the source does not give. Such a stake only ever
  makes a party possibly linked (see `nexus.sql.indirect_on_day`). A table without the column
  (written before it existed) holds direct stakes only.
- `g_controls`: control without (or beside) ownership, `kind` in the case-file vocabulary.

`graph_from_scenario` turns a case-file scenario into these tables, exactly as the reference
semantics (`law/s791_301/persons.py`) reads it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from cvrule.model import Scenario

__all__ = ["CONTROLS", "PARTIES", "STAKES", "Graph", "graph_from_scenario"]

PARTIES = pa.schema([
    ("node", pa.int64()), ("kind", pa.string()), ("country", pa.string()),
    ("headquarters", pa.string()), ("ppob", pa.string()), ("residence", pa.string()),
    ("us_pr", pa.bool_()), ("ownership_known", pa.bool_()),
])
STAKES = pa.schema([
    ("edge", pa.int64()), ("src", pa.int64()), ("holding", pa.int64()),
    ("owner", pa.int64()), ("owned", pa.int64()), ("interest", pa.string()),
    ("share_min", pa.float64()), ("share_max", pa.float64()),
    ("min_exclusive", pa.bool_()), ("max_exclusive", pa.bool_()),
    ("valid_from", pa.date32()), ("valid_to", pa.date32()), ("direct", pa.bool_()),
])
CONTROLS = pa.schema([
    ("edge", pa.int64()), ("by_node", pa.int64()), ("over_node", pa.int64()), ("kind", pa.string()),
    ("valid_from", pa.date32()), ("valid_to", pa.date32()),
])


class Graph:
    """The three tables, and the party id of each node when they came from a scenario."""

    def __init__(self, parties: pa.Table, stakes: pa.Table, controls: pa.Table, ids: list[str] | None = None):
        self.parties = parties
        self.stakes = stakes
        self.controls = controls
        self.ids = ids or []

    def tables(self) -> dict[str, pa.Table]:
        return {"g_parties": self.parties, "g_stakes": self.stakes, "g_controls": self.controls}


def graph_from_scenario(
    scenario: Scenario,
    ranges: Mapping[int, tuple[float | None, float | None, bool, bool]] | None = None,
) -> Graph:
    """The scenario's parties, ownership and control as graph tables, node = index of the sorted ids.

    `ranges` gives, by ownership index, a share range (minimum, maximum, minimum exclusive,
    maximum exclusive) to use instead of the edge's voting and equity: the form BODS states.
    """
    ranges = ranges or {}
    ids = sorted(scenario.parties)
    node = {pid: i for i, pid in enumerate(ids)}
    parties = [
        {"node": node[p.id], "kind": p.kind.value, "country": p.country, "headquarters": p.headquarters,
         "ppob": p.principal_place_of_business, "residence": p.residence,
         "us_pr": p.us_permanent_resident, "ownership_known": p.ownership_known}
        for p in (scenario.parties[pid] for pid in ids)
    ]
    stakes = []
    for i, edge in enumerate(scenario.ownership):
        common = {"src": 0, "holding": i, "owner": node[edge.owner], "owned": node[edge.owned],
                  "valid_from": edge.from_, "valid_to": edge.to, "direct": True}
        if i in ranges:
            low, high, low_open, high_open = ranges[i]
            stakes.append({**common, "edge": 2 * i, "interest": "voting", "share_min": low, "share_max": high,
                           "min_exclusive": low_open, "max_exclusive": high_open})
            continue
        if edge.voting is not None or edge.equity is None:
            stakes.append({**common, "edge": 2 * i, "interest": "voting", "share_min": edge.voting,
                           "share_max": edge.voting, "min_exclusive": False, "max_exclusive": False})
        if edge.equity is not None:
            stakes.append({**common, "edge": 2 * i + 1, "interest": "equity", "share_min": edge.equity,
                           "share_max": edge.equity, "min_exclusive": False, "max_exclusive": False})
    controls = [
        {"edge": i, "by_node": node[c.by], "over_node": node[c.over], "kind": c.kind.value,
         "valid_from": c.from_, "valid_to": c.to}
        for i, c in enumerate(scenario.control)
    ]
    return Graph(
        pa.Table.from_pylist(parties, schema=PARTIES),
        pa.Table.from_pylist(stakes, schema=STAKES),
        pa.Table.from_pylist(controls, schema=CONTROLS),
        ids,
    )
