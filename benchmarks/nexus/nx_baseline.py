"""A straightforward networkx implementation of the same rules, for the side-by-side benchmark.

It reads the same Parquet graph, builds a DiGraph of stakes (aggregated per holder exactly as
the SQL does: voting over equity within a holding, sums within a source capped at 100 %, lowest
minimum and highest maximum across sources, exclusive bounds) and a DiGraph of control, then
runs the two fixpoints with a worklist (only the parties a newcomer holds or controls are looked
at again) and the look-through, in plain Python over networkx adjacency.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import networkx as nx
import pyarrow.parquet as pq

from cvrule.nexus.policy import SHARE_UNITS as U
from cvrule.nexus.policy import NexusPolicy

M = 1_000_000


def _holds(row: dict, day: date) -> bool:
    return (row["valid_from"] is None or row["valid_from"] <= day) and (row["valid_to"] is None or day < row["valid_to"])


def _units(x: float) -> int:
    return max(0, min(U, int(round(x * U))))


def build(folder, policy: NexusPolicy):
    day = policy.day
    parties = pq.read_table(folder / "g_parties.parquet", columns=[
        "node", "kind", "country", "headquarters", "ppob", "residence", "us_pr", "ownership_known"]).to_pylist()
    stakes = [r for r in pq.read_table(folder / "g_stakes.parquet").to_pylist() if _holds(r, day)]
    controls = [r for r in pq.read_table(folder / "g_controls.parquet").to_pylist() if _holds(r, day)]
    voting_holdings = {(r["src"], r["holding"]) for r in stakes if r["interest"] == "voting"}
    per_source: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for r in stakes:
        if r["interest"] != "voting" and (r["src"], r["holding"]) in voting_holdings:
            continue
        lo_raw, hi_raw = r["share_min"], r["share_max"]
        usable = ((r["interest"] == "voting" or policy.equity_stands_for_voting)
                  and (lo_raw is not None or hi_raw is not None)
                  and (lo_raw if lo_raw is not None else 0.0) <= (hi_raw if hi_raw is not None else 1.0))
        lo = _units(lo_raw) if usable and lo_raw is not None else 0
        hi = _units(hi_raw) if usable and hi_raw is not None else U
        acc = per_source[(r["src"], r["owner"], r["owned"])]
        acc[0] += lo
        acc[1] = max(acc[1], int(bool(usable and r["min_exclusive"] and lo < U)))
        acc[2] += hi
        acc[3] = max(acc[3], int(bool(usable and r["max_exclusive"] and hi > 0)))
        acc[4] = max(acc[4], int(not usable))
    pairs: dict[tuple, list[int]] = {}
    for (_, owner, owned), (slo, slos, shi, shis, gap) in per_source.items():
        lo2 = 2 * min(U, slo) + (slos if slo < U else 0)
        hi2 = 2 * min(U, shi) - (shis if shi <= U else 0)
        old = pairs.get((owner, owned))
        pairs[(owner, owned)] = [lo2, hi2] if old is None else [min(old[0], lo2), max(old[1], hi2)]
    g = nx.DiGraph()
    g.add_nodes_from(p["node"] for p in parties)
    for (owner, owned), (lo2, hi2) in pairs.items():
        lo = lo2 // 2
        hi = -(-hi2 // 2)
        g.add_edge(owner, owned, lo=lo, los=lo2 - 2 * lo, hi=hi, his=2 * hi - hi2)
    c = nx.DiGraph()
    for r in controls:
        level = 2 if r["kind"] in policy.controlling else 1 if r["kind"] in policy.reviewing else 0
        if level and level > c.get_edge_data(r["by_node"], r["over_node"], {}).get("level", 0):
            c.add_edge(r["by_node"], r["over_node"], level=level)
    return parties, g, c


def base(parties: list[dict], policy: NexusPolicy) -> tuple[set, set]:
    cov = set(policy.covered)
    linked_rows: set = set()
    has_country: set = set()
    other_unknown: set = set()
    for p in parties:
        node, country = p["node"], p["country"]
        if country is None:
            continue
        has_country.add(node)
        linked = unknown = False
        if p["kind"] == "government":
            linked = country in cov
        elif p["kind"] == "individual":
            res = p["residence"] if p["residence"] is not None else (country if policy.residence_defaults_to_citizenship else None)
            excepted = bool(p["us_pr"]) and policy.us_permanent_residents_excepted
            linked = not excepted and (country in cov or res in cov)
            unknown = res is None and country not in cov
        else:
            linked = country in cov or p["headquarters"] in cov or p["ppob"] in cov
            unknown = not policy.headquarters_defaults_to_country and (p["headquarters"] is None or p["ppob"] is None)
        if linked:
            linked_rows.add(node)
        elif p["ownership_known"] is False or unknown:
            other_unknown.add(node)
    nodes = {p["node"] for p in parties}
    unknown = {n for n in nodes if n not in linked_rows and (n not in has_country or n in other_unknown)}
    return linked_rows, unknown


def fixpoints(parties, g: nx.DiGraph, c: nx.DiGraph, policy: NexusPolicy, bases: tuple[set, set] | None = None) -> tuple[set, set]:
    base_linked, base_unknown = bases if bases is not None else base(parties, policy)
    linked = set(base_linked)
    frontier = list(linked)
    while frontier:
        candidates = set()
        for n in frontier:
            candidates.update(g.successors(n))
            if n in c:
                candidates.update(o for o in c.successors(n) if c[n][o]["level"] >= 2)
        new = []
        for x in candidates - linked:
            block2 = n_in = 0
            los = other2 = 0
            for h, e in g.pred[x].items():
                if h in linked:
                    n_in += 1
                    block2 += 2 * e["lo"]
                    los = max(los, e["los"])
                else:
                    other2 = max(other2, 2 * e["hi"] - e["his"])
            block2 += los
            if n_in and (block2 > 2 * policy.majority or (block2 >= 2 * policy.dominant and block2 > other2)):
                new.append(x)
            elif x in c and any(h in linked and e["level"] >= 2 for h, e in c.pred[x].items()):
                new.append(x)
        linked.update(new)
        frontier = new
    possible = linked | base_unknown
    frontier = list(possible)
    while frontier:
        candidates = set()
        for n in frontier:
            candidates.update(g.successors(n))
            if n in c:
                candidates.update(c.successors(n))
        new = []
        for x in candidates - possible:
            inside = [e for h, e in g.pred[x].items() if h in possible]
            if inside and 2 * sum(e["hi"] for e in inside) - max(e["his"] for e in inside) >= 2 * policy.review:
                new.append(x)
            elif x in c and any(h in possible for h in c.pred[x]):
                new.append(x)
        possible.update(new)
        frontier = new
    return linked, possible


def lookthrough(g: nx.DiGraph, roots: set, limit: int = 32) -> dict:
    total: dict = defaultdict(lambda: [0, 0])
    frontier = {r: (M, M) for r in roots}
    for _ in range(limit):
        step: dict = defaultdict(lambda: [0, 0])
        for n, (vlo, vhi) in frontier.items():
            for x, e in g.succ[n].items():
                if x in roots or e["hi"] == 0:
                    continue
                acc = step[x]
                acc[0] += (e["lo"] // 1000) * vlo // M
                acc[1] += (e["hi"] // 1000) * vhi // M
        frontier = {x: (min(M, a), min(M, b)) for x, (a, b) in step.items() if min(M, b) > 0}
        if not frontier:
            break
        for x, (a, b) in frontier.items():
            total[x][0] += a
            total[x][1] += b
    return total


def run(folder, policy: NexusPolicy) -> dict[int, str]:
    parties, g, c = build(folder, policy)
    bases = base(parties, policy)  # once, for the fixpoints and the look-through
    linked, possible = fixpoints(parties, g, c, policy, bases)
    lookthrough(g, bases[0])
    return {p["node"]: "linked" if p["node"] in linked else "indeterminate" if p["node"] in possible else "not_linked"
            for p in parties}
