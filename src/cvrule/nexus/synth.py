"""A deterministic synthetic ownership graph (`cvrule synth graph --parties N --seed S`), written
as portable SQL so any engine can generate it, at any size, in seconds.

Randomness is an integer hash of (party index, salt, seed) computed in SQL with exact BIGINT
arithmetic (two squarings modulo the prime 2^31-1), so the same N and seed give the same graph
on every machine and engine. The structure is meant to look like real registers:

- 8 governments (CN and RU among them) and group roots (0.5 %), state-owned when their country
  is covered; 15 % individuals (some covered citizens living abroad, some US permanent residents);
- power-law holdings: a party's parent is drawn toward the oldest (lowest-numbered) parties;
- long holding chains: one block of 20 parties in 25 is a chain, each majority-owned by the last;
- cross-holdings and cycles: 0.5 % of companies are held by a later party;
- Hong Kong and Macau subsidiaries of PRC parents; offshore holding companies (KY, VG, BM)
  headquartered in the PRC, Hong Kong or the US;
- minority stakes at and around the policy thresholds (9-11 %, 24-26 %, 49-51 %), BODS-style
  ranges with exclusive bounds, unknown shares, stakes that ended or have not started;
- board, veto and other control without equity, some of it by governments;
- about 1.2 ownership and control edges per party; 20 % of companies carry an LEI.

Country codes and shares here are test data, not law.
"""

from __future__ import annotations

from cvrule.nexus.engine import Engine

__all__ = ["GOVERNMENTS", "generate_graph", "table_sql"]

_P = 2147483647
GOVERNMENTS = ("CN", "RU", "US", "DE", "JP", "GB", "FR", "KR")
_CHAIN = 20

_ORG_COUNTRIES = [
    (0.20, "US"), (0.08, "DE"), (0.07, "JP"), (0.05, "GB"), (0.04, "FR"), (0.04, "KR"), (0.04, "IN"),
    (0.04, "SG"), (0.04, "NL"), (0.03, "IE"), (0.02, "CH"), (0.02, "TW"), (0.10, "CN"), (0.03, "HK"),
    (0.005, "MO"), (0.03, "RU"), (0.03, "KY"), (0.03, "VG"), (0.015, "BM"), (0.02, "BR"), (0.02, "MX"),
    (0.03, "CA"), (0.03, "IT"), (0.02, "SE"), (0.01, None),
]
_ROOT_COUNTRIES = [(0.15, "CN"), (0.03, "RU"), (0.02, "HK"), (0.30, "US"), (0.15, "DE"), (0.15, "JP"),
                   (0.07, "GB"), (0.07, "FR"), (0.06, "KR")]
_CITIZENSHIP = [(0.25, "US"), (0.15, "CN"), (0.04, "RU"), (0.02, "HK"), (0.08, "DE"), (0.06, "GB"),
                (0.10, "IN"), (0.06, "JP"), (0.04, "KR"), (0.04, "FR"), (0.04, "CA"), (0.11, "BR"), (0.01, None)]
_ABROAD = [(0.5, "US"), (0.2, "GB"), (0.1, "SG"), (0.1, "CN"), (0.1, "HK")]
_OFFSHORE_HQ = [(0.40, "CN"), (0.15, "HK"), (0.20, "US"), (0.25, None)]
_CONTROL_KINDS = [(0.25, "board_majority"), (0.30, "board_seat"), (0.20, "veto"), (0.05, "special_share"),
                  (0.05, "proxy"), (0.05, "contract"), (0.05, "direction"), (0.05, "agent")]
_ENDED = ["2019-06-30", "2021-03-31", "2023-12-31", "2026-06-30", "2030-01-01"]
_STARTED = ["2012-01-01", "2018-05-01", "2024-07-01", "2028-01-01", "2031-01-01"]
_NEAR_THRESHOLDS = [0.50, 0.49, 0.51, 0.25, 0.24, 0.26, 0.10, 0.09, 0.11]


def _hash(salt: int, seed: int) -> str:
    base = f"((i * 2654435761 + {salt * 40503 + seed * 69069 + 12345}) % {_P})"
    once = f"(({base} * {base} + 1013904223) % {_P})"
    return f"(({once} * {once} + 374761393) % {_P})"


def _uniform(salt: int, seed: int) -> str:
    return f"(CAST({_hash(salt, seed)} AS DOUBLE) / {_P})"


def _pick(u: str, table: list[tuple[float, str | float | None]]) -> str:
    """CASE over cumulative weights (the last value takes the rest)."""
    parts, total = [], 0.0
    for weight, value in table[:-1]:
        total += weight
        parts.append(f"WHEN {u} < {total:.6f} THEN {_lit(value)}")
    return f"CASE {' '.join(parts)} ELSE {_lit(table[-1][1])} END"


def _lit(value) -> str:
    if value is None:
        return "CAST(NULL AS STRING)"
    if isinstance(value, str):
        return f"'{value}'"
    return f"CAST({value!r} AS DOUBLE)"


def _dates(u: str, days: list[str]) -> str:
    step, parts = 1.0 / len(days), []
    for k, day in enumerate(days[:-1]):
        parts.append(f"WHEN {u} < {step * (k + 1):.6f} THEN DATE '{day}'")
    return f"CASE {' '.join(parts)} ELSE DATE '{days[-1]}' END"


def generate_graph(engine: Engine, parties: int, seed: int) -> dict[str, int]:
    """Materialize g_parties, g_stakes and g_controls in the engine; return their row counts."""
    n, g = int(parties), len(GOVERNMENTS)
    roots = max(16, n // 200)
    first = g + roots
    u = {k: _uniform(k, seed) for k in range(1, 21)}
    engine.table("sy_u", f"SELECT i, {', '.join(f'{expr} AS u{k}' for k, expr in u.items())} FROM ({engine.range_sql(n)}) r")
    gov_country = "CASE " + " ".join(f"WHEN i = {k} THEN '{c}'" for k, c in enumerate(GOVERNMENTS)) + " END"
    chain = f"(CAST(FLOOR(i / {_CHAIN}) AS BIGINT) % 25 = 5 AND i % {_CHAIN} <> 0)"
    engine.table("sy_p", f"""
SELECT i, u1, u2, u3, u4, u5, u6, u7, u8, u9, u10, u11, u12, u13, u14, u15, u16, u17, u18, u19, u20,
  CASE WHEN i < {g} THEN 'government' WHEN i >= {first} AND NOT {chain} AND u1 < 0.15 THEN 'individual'
       ELSE 'organization' END AS kind,
  CASE WHEN i < {g} THEN {gov_country}
       WHEN i < {first} THEN {_pick('u2', _ROOT_COUNTRIES)}
       WHEN i >= {first} AND NOT {chain} AND u1 < 0.15 THEN {_pick('u2', _CITIZENSHIP)}
       ELSE {_pick('u2', _ORG_COUNTRIES)} END AS country0,
  CASE WHEN i < {first} THEN NULL
       WHEN {chain} THEN i - 1
       WHEN u1 >= 0.15 AND u3 < 0.92 THEN {g} + CAST(FLOOR((i - {g}) * u4 * u4 * u4) AS BIGINT)
       END AS parent
FROM sy_u
""")
    engine.table("g_parties", f"""
SELECT p.i AS node, p.kind,
  CASE WHEN p.kind = 'organization' AND q.country0 = 'CN' AND p.u5 < 0.30
       THEN CASE WHEN p.u6 < 0.8 THEN 'HK' ELSE 'MO' END ELSE p.country0 END AS country,
  CASE WHEN p.kind = 'organization' AND p.country0 IN ('KY', 'VG', 'BM') THEN {_pick('p.u7', _OFFSHORE_HQ)} END AS headquarters,
  CAST(NULL AS STRING) AS ppob,
  CASE WHEN p.kind = 'individual' AND p.u7 < 0.15 THEN {_pick('p.u8', _ABROAD)} END AS residence,
  CASE WHEN p.kind = 'individual' AND p.u7 < 0.15 AND p.u8 < 0.5 AND p.u9 < 0.6 THEN TRUE ELSE FALSE END AS us_pr,
  CASE WHEN p.kind = 'organization' AND p.i >= {first} AND p.u10 < 0.005 THEN FALSE ELSE TRUE END AS ownership_known,
  CASE WHEN p.kind = 'organization' AND p.u11 < 0.20 THEN '5493' || lpad(CAST(p.i AS STRING), 14, '0') || '00' END AS lei
FROM sy_p p LEFT JOIN sy_p q ON q.i = p.parent
""")
    near = _pick("u13", [(1.0 / len(_NEAR_THRESHOLDS), v) for v in _NEAR_THRESHOLDS])
    share_kind = "CASE WHEN u12 < 0.40 THEN 0 WHEN u12 < 0.62 THEN 1 WHEN u12 < 0.77 THEN 2 WHEN u12 < 0.87 THEN 3 " \
                 "WHEN u12 < 0.93 THEN 4 WHEN u12 < 0.96 THEN 5 ELSE 6 END"
    band = "CAST(FLOOR(u13 * 3) AS BIGINT)"
    in_chain_share = f"CASE WHEN {chain} AND u12 >= 0.9 THEN 7 WHEN {chain} THEN 1 ELSE {share_kind} END"
    stakes_common = f"""
  CASE WHEN u14 < 0.85 THEN 'voting' ELSE 'equity' END AS interest,
  CASE WHEN u15 < 0.06 THEN {_dates('u16', _ENDED)} END AS valid_to,
  CASE WHEN u15 >= 0.06 AND u15 < 0.40 THEN {_dates('u16', _STARTED)} END AS valid_from"""
    engine.table("sy_parent", f"""
SELECT i, parent AS owner, {in_chain_share} AS sk, u13, {stakes_common}
FROM sy_p WHERE parent IS NOT NULL
UNION ALL
SELECT i, CASE WHEN country0 = 'CN' THEN 0 ELSE 1 END AS owner, CASE WHEN u3 < 0.7 THEN 0 ELSE 1 END AS sk, u13,
  'voting' AS interest, CAST(NULL AS DATE) AS valid_to, CAST(NULL AS DATE) AS valid_from
FROM sy_p WHERE i >= {g} AND i < {first} AND country0 IN ('CN', 'RU')
""")
    engine.table("g_stakes", f"""
SELECT i * 8 AS edge, CAST(0 AS BIGINT) AS src, i * 8 AS holding, owner, i AS owned, interest,
  CAST(CASE sk WHEN 0 THEN 1.0 WHEN 1 THEN 0.51 + FLOOR(u13 * 49) / 100 WHEN 2 THEN {near}
          WHEN 3 THEN 0.01 + FLOOR(u13 * 48) / 100 WHEN 4 THEN 0.25 * ({band} + 1)
          WHEN 5 THEN CASE WHEN u13 < 0.5 THEN 0.25 ELSE 0.5 END WHEN 7 THEN 0.49 END AS DOUBLE) AS share_min,
  CAST(CASE sk WHEN 0 THEN 1.0 WHEN 1 THEN 0.51 + FLOOR(u13 * 49) / 100 WHEN 2 THEN {near}
          WHEN 3 THEN 0.01 + FLOOR(u13 * 48) / 100 WHEN 4 THEN 0.25 * ({band} + 2) WHEN 7 THEN 0.49 END AS DOUBLE) AS share_max,
  CASE WHEN sk = 4 OR (sk = 5 AND u13 >= 0.5) THEN TRUE ELSE FALSE END AS min_exclusive,
  FALSE AS max_exclusive, valid_from, valid_to, TRUE AS direct
FROM sy_parent
UNION ALL
SELECT i * 8 + 1, CAST(0 AS BIGINT), i * 8 + 1, {g} + CAST(FLOOR((i - {g}) * u17 * u17) AS BIGINT), i,
  'voting',
  CAST(CASE WHEN u18 < 0.5 THEN {near.replace('u13', 'u19')} ELSE 0.02 + FLOOR(u19 * 29) / 100 END AS DOUBLE),
  CAST(CASE WHEN u18 < 0.5 THEN {near.replace('u13', 'u19')} ELSE 0.02 + FLOOR(u19 * 29) / 100 END AS DOUBLE),
  FALSE, FALSE, CAST(NULL AS DATE), CAST(NULL AS DATE), TRUE
FROM sy_p WHERE kind = 'organization' AND i >= {first} AND u5 >= 0.30 AND u5 < 0.70
UNION ALL
SELECT i * 8 + 2, CAST(0 AS BIGINT), i * 8 + 2, CASE WHEN u18 < 0.8 THEN 0 ELSE 1 END, i,
  'voting', CAST(0.05 + FLOOR(u19 * 16) / 100 AS DOUBLE), CAST(0.05 + FLOOR(u19 * 16) / 100 AS DOUBLE), FALSE, FALSE, CAST(NULL AS DATE), CAST(NULL AS DATE), TRUE
FROM sy_p WHERE kind = 'organization' AND i >= {g} AND u10 >= 0.005 AND u10 < 0.035
UNION ALL
SELECT i * 8 + 3, CAST(0 AS BIGINT), i * 8 + 3, i + 1 + CAST(FLOOR(u18 * 200) AS BIGINT), i,
  'voting', CAST(0.05 + FLOOR(u19 * 56) / 100 AS DOUBLE), CAST(0.05 + FLOOR(u19 * 56) / 100 AS DOUBLE), FALSE, FALSE, CAST(NULL AS DATE), CAST(NULL AS DATE), TRUE
FROM sy_p WHERE kind = 'organization' AND i >= {first} AND u10 >= 0.035 AND u10 < 0.040 AND i + 201 < {n}
""")
    engine.table("g_controls", f"""
SELECT i * 8 + 4 AS edge,
  CASE WHEN u20 < 0.1 THEN CASE WHEN u17 < 0.7 THEN 0 ELSE 1 END
       ELSE {g} + CAST(FLOOR((i - {g}) * u18 * u18 * u18) AS BIGINT) END AS by_node,
  i AS over_node, {_pick('u19', _CONTROL_KINDS)} AS kind,
  CASE WHEN u15 >= 0.06 AND u15 < 0.40 THEN {_dates('u16', _STARTED)} END AS valid_from,
  CASE WHEN u15 < 0.06 THEN {_dates('u16', _ENDED)} END AS valid_to
FROM sy_p WHERE kind = 'organization' AND i >= {first} AND u9 < 0.06
""")
    counts = {name: engine.rows(f"SELECT count(*) FROM {name}")[0][0] for name in ("g_parties", "g_stakes", "g_controls")}
    for name in ("sy_u", "sy_p", "sy_parent"):
        engine.drop(name)
    return counts


def table_sql(table: str) -> str:
    """The query that reads a generated table in a fixed order (engines write rows in any order)."""
    key = "node" if table == "g_parties" else "edge"
    return f"SELECT * FROM {table} ORDER BY {key}"
