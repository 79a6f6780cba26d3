"""The nexus as portable SQL: every query the fixpoints run, written once for DuckDB and Spark.

Share bounds travel as integers (units of 10^-9, `policy.SHARE_UNITS`) with a flag saying
whether the bound is exclusive: `lo`/`los` is a lower bound and whether the share is strictly
above it, `hi`/`his` an upper bound and whether the share is strictly below it. A comparison
"the share is known to exceed T" is then `2*lo + los > 2*T`, and "the share may reach T" is
`2*hi - his >= 2*T`: doubling the units leaves room for "just above" and "just below".

Tables the queries expect: `g_parties`, `g_stakes`, `g_controls` (see `nexus.graph`), then the
ones the driver materializes: `base`, `d_rows`, `d_stk` (direct stakes), `d_ind` (stakes stated
as indirect), `d_ctl`, `lw` (linked set), `up` (possibly-linked set, carrying the linked set's
basis and round), their deltas, `ev_linked` (the linked set's evidence) and the look-through
tables (`lt`: one row per row of `base`).

Direct and indirect stakes (15 CFR 791.301, "owned by, controlled by"): the majority and
dominant-minority tests add up what linked holders hold directly; holdings through an entity
are counted when that entity is itself linked (the fixpoint adds it as a holder in a later
round). A stake a source states as indirect (BODS `indirect`, GLEIF ultimate parent) names no
chain, so whether the intermediate entities are controlled is not known: it is never added to
the direct holdings, and it counts only toward the possibly-linked set, like a stake whose
share is unknown. An indirect stake of a linked holder with no direct path therefore makes a
party at most indeterminate.
"""

from __future__ import annotations

from datetime import date

from cvrule.nexus.policy import SHARE_UNITS, NexusPolicy

__all__ = [
    "LOOKTHROUGH_UNITS",
    "UPPER_CARRIED",
    "base",
    "controls_on_day",
    "evidence",
    "evidence_linked",
    "indirect_on_day",
    "lookthrough_roots",
    "lookthrough_step",
    "lookthrough_total",
    "lookthrough_weights",
    "lower_entrants",
    "lower_start",
    "rows_on_day",
    "stakes_on_day",
    "status",
    "upper_entrants",
    "upper_start",
]

U = SHARE_UNITS
LOOKTHROUGH_UNITS = 1_000_000
"""Look-through exposure is kept in millionths; products of two stay below 2^53."""


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(column: str, values: tuple[str, ...]) -> str:
    """`column IN (...)`, or FALSE for an empty list (a parameter may list nothing)."""
    if not values:
        return "FALSE"
    return f"{column} IN ({', '.join(_text(v) for v in values)})"


def _bool(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _day(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def _holds_on(day: date, alias: str) -> str:
    """from inclusive, to exclusive (the day the interest ended)."""
    d = _day(day)
    return f"({alias}.valid_from IS NULL OR {alias}.valid_from <= {d}) AND ({alias}.valid_to IS NULL OR {d} < {alias}.valid_to)"


# -- what each party is on its own: jurisdiction, individuals, unknowns -------------------------


def base(policy: NexusPolicy) -> str:
    """One row per node: `lbasis` when the party is linked on its own facts, `ubasis` when its
    status is unknown on them (the reference's base_linked and base_unknown)."""
    cov = policy.covered
    residence = (
        "coalesce(residence, country)" if policy.residence_defaults_to_citizenship else "residence"
    )
    excepted = _bool(policy.us_permanent_residents_excepted)
    hq_default = _bool(policy.headquarters_defaults_to_country)
    own, other = _codes(_OWN_BASES), _codes(_OTHER_UNKNOWN)
    return f"""
WITH r AS (
  SELECT node, kind, country, headquarters, ppob, ownership_known,
         {residence} AS res, coalesce(us_pr, FALSE) AS us_pr
  FROM g_parties
), c AS (
  SELECT node, country, ownership_known,
    CASE
      WHEN country IS NULL THEN NULL
      WHEN kind = 'government' THEN CASE WHEN {_in('country', cov)} THEN {own['government']} END
      WHEN kind = 'individual' THEN
        CASE WHEN us_pr AND {excepted} THEN NULL
             WHEN {_in('country', cov)} THEN {own['citizen']}
             WHEN {_in('res', cov)} THEN {own['resident']} END
      ELSE CASE WHEN {_in('country', cov)} THEN {own['organized']}
                WHEN {_in('headquarters', cov)} THEN {own['headquartered']}
                WHEN {_in('ppob', cov)} THEN {own['principal_place']} END
    END AS lcode,
    CASE
      WHEN country IS NULL OR kind = 'government' THEN NULL
      WHEN kind = 'individual' THEN
        CASE WHEN res IS NULL AND NOT ({_in('country', cov)}) THEN {other['residence_unknown']} END
      ELSE CASE WHEN {hq_default} THEN NULL
                WHEN headquarters IS NULL THEN {other['headquarters_unknown']}
                WHEN ppob IS NULL THEN {other['ppob_unknown']} END
    END AS ucode
  FROM r
), n AS (
  SELECT node, min(lcode) AS lcode, max(CASE WHEN country IS NULL THEN 0 ELSE 1 END) AS has_country,
    min(CASE WHEN lcode IS NOT NULL THEN NULL
             WHEN country IS NOT NULL AND ownership_known = FALSE THEN {other['ownership_unknown']}
             ELSE ucode END) AS ucode
  FROM c GROUP BY node
)
SELECT node, {_name('lcode', _OWN_BASES)} AS lbasis,
  CASE WHEN lcode IS NOT NULL THEN NULL
       WHEN has_country = 0 THEN 'country_unknown'
       ELSE {_name('ucode', _OTHER_UNKNOWN)} END AS ubasis
FROM n
"""


# A node with several records takes the first basis in alphabetical order (`min`). Each row's
# basis is worked out as a small integer numbered in that order (cheaper to compute and group by
# than text) and named once per node, after grouping.
_OWN_BASES = ("citizen", "government", "headquartered", "organized", "principal_place", "resident")
_OTHER_UNKNOWN = ("headquarters_unknown", "ownership_unknown", "ppob_unknown", "residence_unknown")


def _codes(names: tuple[str, ...]) -> dict[str, int]:
    """Each name's position in `names` (sorted, so `min` of the codes is the first name)."""
    assert list(names) == sorted(names)
    return {name: i for i, name in enumerate(names)}


def _name(column: str, names: tuple[str, ...]) -> str:
    return "CASE " + " ".join(f"WHEN {column} = {i} THEN {_text(n)}" for i, n in enumerate(names)) + " END"


# -- facts on the evaluation day -----------------------------------------------------------------


def rows_on_day(policy: NexusPolicy, has_direct: bool = True) -> str:
    """Each stated interest in force on the day, as a share range in units (`d_rows`), with
    `direct` = 0 for an interest stated as indirect.

    Within a holding, voting rows win over equity rows (direct and indirect rows are separate
    holdings); equity stands for voting only when the policy says so; a row with neither bound,
    a row whose bounds are reversed, and an equity row the policy does not let stand for voting
    are 0 .. 100 % (`gap` = 1). Without `has_direct` (a `g_stakes` without the column), every
    row is direct; a row whose `direct` is null is direct too.
    """
    equity = _bool(policy.equity_stands_for_voting)
    direct = "CASE WHEN s.direct = FALSE THEN 0 ELSE 1 END" if has_direct else "1"
    on_day = _holds_on(policy.day, "s")
    # `mixed`: the holdings with both voting and other rows, the only ones where a row is left
    # out. Found from the few non-voting holdings (not by listing every voting holding), and
    # from narrow reads of g_stakes, so the wide rows `e` are read once.
    return f"""
WITH e AS (
  SELECT s.edge, s.src, s.holding, s.owner, s.owned, s.interest, s.share_min, s.share_max,
         s.min_exclusive, s.max_exclusive, {direct} AS direct
  FROM g_stakes s WHERE {on_day}
), h AS (
  SELECT s.src, s.holding, {direct} AS direct, CASE WHEN s.interest = 'voting' THEN 1 ELSE 0 END AS voting
  FROM g_stakes s WHERE {on_day}
), mixed AS (
  SELECT DISTINCT v.src, v.holding, v.direct
  FROM h v JOIN (SELECT DISTINCT src, holding, direct FROM h WHERE voting = 0) o
    ON o.src = v.src AND o.holding = v.holding AND o.direct = v.direct
  WHERE v.voting = 1
), k AS (
  SELECT e.edge, e.src, e.owner, e.owned, e.direct, e.share_min, e.share_max, e.min_exclusive, e.max_exclusive,
    CASE WHEN (e.interest = 'voting' OR {equity})
              AND (e.share_min IS NOT NULL OR e.share_max IS NOT NULL)
              AND coalesce(e.share_min, 0.0) <= coalesce(e.share_max, 1.0)
         THEN 1 ELSE 0 END AS usable
  FROM e LEFT JOIN mixed m ON m.src = e.src AND m.holding = e.holding AND m.direct = e.direct
  WHERE e.interest = 'voting' OR m.holding IS NULL
), b AS (
  SELECT edge, src, owner, owned, direct, usable, min_exclusive, max_exclusive,
    CASE WHEN usable = 1 AND share_min IS NOT NULL
         THEN least({U}, greatest(0, CAST(round(share_min * {U}) AS BIGINT))) ELSE CAST(0 AS BIGINT) END AS lo,
    CASE WHEN usable = 1 AND share_max IS NOT NULL
         THEN least({U}, greatest(0, CAST(round(share_max * {U}) AS BIGINT))) ELSE CAST({U} AS BIGINT) END AS hi
  FROM k
)
SELECT edge, src, owner, owned, direct, lo, hi,
  CASE WHEN usable = 1 AND min_exclusive AND lo < {U} THEN 1 ELSE 0 END AS los,
  CASE WHEN usable = 1 AND max_exclusive AND hi > 0 THEN 1 ELSE 0 END AS his,
  1 - usable AS gap
FROM b
"""


def stakes_on_day(single_source: bool = False) -> str:
    """What each holder holds directly in each party on the day (`d_stk`): the rows of one
    source add up (capped at 100 %); when sources differ, the lowest minimum and the highest
    maximum stand. A source that states the holding without any share (a GLEIF accounting
    consolidation, a BODS relationship without interests) does not contradict one that states
    a share: when some source states a share, the sources that state none are left out of the
    range (their rows stay evidence). With `single_source` (every row from one source) the two
    steps are one. Stakes stated as indirect are not here (`indirect_on_day`)."""
    if single_source:
        first = f"""
SELECT owner, owned, max(gap) AS gap,
  2 * least({U}, sum(lo)) + CASE WHEN sum(lo) < {U} THEN max(los) ELSE 0 END AS lo2,
  2 * least({U}, sum(hi)) - CASE WHEN sum(hi) <= {U} THEN max(his) ELSE 0 END AS hi2
FROM d_rows WHERE direct = 1 GROUP BY owner, owned"""
    else:
        first = f"""
WITH s AS (
  SELECT src, owner, owned, sum(lo) AS slo, max(los) AS slos, sum(hi) AS shi, max(his) AS shis, max(gap) AS gap,
         min(gap) AS unstated
  FROM d_rows WHERE direct = 1 GROUP BY src, owner, owned
), q AS (
  SELECT owner, owned, min(unstated) AS unstated FROM s GROUP BY owner, owned
), e AS (
  SELECT s.owner, s.owned, s.gap,
    2 * least({U}, s.slo) + CASE WHEN s.slo < {U} THEN s.slos ELSE 0 END AS lo2,
    2 * least({U}, s.shi) - CASE WHEN s.shi <= {U} THEN s.shis ELSE 0 END AS hi2
  FROM s JOIN q ON q.owner = s.owner AND q.owned = s.owned
  WHERE s.unstated = 0 OR q.unstated = 1
)
SELECT owner, owned, min(lo2) AS lo2, max(hi2) AS hi2, max(gap) AS gap FROM e GROUP BY owner, owned"""
    return f"""
WITH m AS ({first}
), d AS (
  SELECT owner, owned, lo2, hi2, gap,
    CAST(FLOOR(lo2 / 2) AS BIGINT) AS lo, CAST(CEIL(hi2 / 2) AS BIGINT) AS hi
  FROM m
)
SELECT owner, owned, lo, CAST(lo2 - 2 * lo AS INT) AS los, hi, CAST(2 * hi - hi2 AS INT) AS his,
       CAST(gap AS INT) AS gap
FROM d
"""


def indirect_on_day() -> str:
    """Stakes stated as indirect on the day (`d_ind`), per holder and party: the highest
    maximum any source states (0 .. 100 % when none is stated). Read only by the possibly-linked
    set: an indirect stake says neither through whom it is held nor whether those entities are
    controlled, so it can raise a doubt about "owned by, controlled by" (791.301) but never
    prove ownership on its own."""
    return f"""
WITH r AS (
  SELECT owner, owned, 2 * hi - his AS hi2 FROM d_rows WHERE direct = 0
), m AS (
  SELECT owner, owned, max(hi2) AS hi2 FROM r GROUP BY owner, owned
), d AS (
  SELECT owner, owned, hi2, CAST(CEIL(hi2 / 2) AS BIGINT) AS hi FROM m
)
SELECT owner, owned, hi, CAST(2 * hi - hi2 AS INT) AS his FROM d
"""


def controls_on_day(policy: NexusPolicy) -> str:
    """Control in force on the day (`d_ctl`): level 2 controls, level 1 calls for review."""
    return f"""
SELECT edge, by_node, over_node, kind, lvl FROM (
  SELECT edge, by_node, over_node, kind,
    CASE WHEN {_in('kind', policy.controlling)} THEN 2 WHEN {_in('kind', policy.reviewing)} THEN 1 ELSE 0 END AS lvl
  FROM g_controls c WHERE {_holds_on(policy.day, 'c')}
) x WHERE lvl > 0
"""


# -- the two fixpoints, one round at a time --------------------------------------------------------


def _candidates(delta: str, inside: str, level: int, indirect: bool = False) -> str:
    """`cand`: parties outside `inside` that a party of `delta` holds a stake in (with
    `indirect`, also a stake stated as indirect) or has control over (of `level` or more).
    `edges`: every stake (`stake` = 1) and control of that level (`stake` = 0) held in a
    candidate, one list, so each round joins the set `inside` once and groups once."""
    through = f"""
    SELECT s.owned AS node FROM d_ind s JOIN {delta} d ON s.owner = d.node
    UNION""" if indirect else ""
    through_edges = """
  UNION ALL
  SELECT s.owned AS node, s.owner AS by_node, 1 AS stake, CAST(0 AS BIGINT) AS lo, 0 AS los, s.hi, s.his
  FROM cand c JOIN d_ind s ON s.owned = c.node""" if indirect else ""
    return f"""
cand AS (
  SELECT x.node FROM (
    SELECT s.owned AS node FROM d_stk s JOIN {delta} d ON s.owner = d.node
    UNION{through}
    SELECT c.over_node AS node FROM d_ctl c JOIN {delta} d ON c.by_node = d.node WHERE c.lvl >= {level}
  ) x LEFT JOIN {inside} i ON i.node = x.node
  WHERE i.node IS NULL
), edges AS (
  SELECT s.owned AS node, s.owner AS by_node, 1 AS stake, s.lo, s.los, s.hi, s.his
  FROM cand c JOIN d_stk s ON s.owned = c.node{through_edges}
  UNION ALL
  SELECT k.over_node AS node, k.by_node, 0 AS stake, CAST(0 AS BIGINT) AS lo, 0 AS los, CAST(0 AS BIGINT) AS hi, 0 AS his
  FROM cand c JOIN d_ctl k ON k.over_node = c.node
  WHERE k.lvl >= {level}
)"""


def lower_entrants(policy: NexusPolicy, delta: str, round_no: int) -> str:
    """Parties that become linked in this round, among those a newcomer of the last round
    (`delta`) holds or controls: linked holders (the minimum of each stake) hold a majority, or
    a dominant minority (more than any other holder's maximum), or a linked party has
    controlling control."""
    majority2, dominant2 = 2 * policy.majority, 2 * policy.dominant
    return f"""
WITH {_candidates(delta, "lw", 2)}, held AS (
  SELECT e.node,
    sum(CASE WHEN e.stake = 1 AND i.node IS NOT NULL THEN 1 ELSE 0 END) AS n_in,
    2 * sum(CASE WHEN e.stake = 1 AND i.node IS NOT NULL THEN e.lo ELSE 0 END)
      + max(CASE WHEN e.stake = 1 AND i.node IS NOT NULL THEN e.los ELSE 0 END) AS block2,
    max(CASE WHEN e.stake = 1 AND i.node IS NULL THEN 2 * e.hi - e.his ELSE 0 END) AS other2,
    max(CASE WHEN e.stake = 0 AND i.node IS NOT NULL THEN 1 ELSE 0 END) AS by_control
  FROM edges e LEFT JOIN lw i ON i.node = e.by_node
  GROUP BY e.node
), decided AS (
  SELECT node,
    CASE WHEN n_in > 0 AND block2 > {majority2} THEN 'majority'
         WHEN n_in > 0 AND block2 >= {dominant2} AND block2 > other2 THEN 'dominant_minority'
         WHEN by_control = 1 THEN 'control' END AS basis
  FROM held
)
SELECT node, {round_no} AS rnd, basis FROM decided WHERE basis IS NOT NULL
"""


def upper_entrants(policy: NexusPolicy, delta: str, round_no: int) -> str:
    """Parties that may be linked, among those a newcomer of the last round holds or controls:
    holders that are or may be linked may hold (the maximum of each stake, direct and stated as
    indirect together) at least the review share, or such a party has controlling or review
    control."""
    review2 = 2 * policy.review
    return f"""
WITH {_candidates(delta, "up", 1, indirect=True)}, held AS (
  SELECT e.node,
    sum(e.stake) AS n_in,
    2 * sum(e.hi) - max(e.his) AS block2,
    max(1 - e.stake) AS by_control
  FROM edges e JOIN up i ON i.node = e.by_node
  GROUP BY e.node
), decided AS (
  SELECT node,
    CASE WHEN n_in > 0 AND block2 >= {review2} THEN 'review_share'
         WHEN by_control = 1 THEN 'review_control' END AS basis
  FROM held
)
SELECT node, {round_no} AS rnd, basis FROM decided WHERE basis IS NOT NULL
"""


def lower_start() -> str:
    """The linked set starts from the parties linked on their own facts."""
    return "SELECT node, 0 AS rnd, lbasis AS basis FROM base WHERE lbasis IS NOT NULL"


UPPER_CARRIED = "CAST(NULL AS STRING) AS lbasis, CAST(NULL AS INT) AS lrnd"
"""The columns `up` carries for the linked set (its basis and round), null for every other row."""


def upper_start() -> str:
    """The possibly-linked set starts from the linked set (basis `linked`, with the linked set's
    own basis and round carried as `lbasis` and `lrnd`, so the status needs no join with `lw`)
    and the parties of unknown status."""
    return f"""
SELECT node, 0 AS rnd, 'linked' AS basis, basis AS lbasis, rnd AS lrnd FROM lw
UNION ALL
SELECT b.node, 0 AS rnd, b.ubasis AS basis, {UPPER_CARRIED}
FROM base b LEFT JOIN lw l ON l.node = b.node
WHERE b.ubasis IS NOT NULL AND l.node IS NULL
"""


# -- evidence and the status table ---------------------------------------------------------------


def evidence_linked() -> str:
    """The evidence of the linked set (`ev_linked`): ready once the lower fixpoint is."""
    return """
SELECT n.node, 'linked' AS fixpoint, r.owner AS via, 'ownership' AS relation, r.edge,
       r.lo, r.los, r.hi, r.his, r.gap, CAST(NULL AS STRING) AS kind
FROM lw n JOIN d_rows r ON r.owned = n.node JOIN lw h ON h.node = r.owner AND h.rnd < n.rnd
WHERE n.basis IN ('majority', 'dominant_minority') AND r.direct = 1
UNION ALL
SELECT n.node, 'linked' AS fixpoint, k.by_node AS via, 'control' AS relation, k.edge,
       CAST(NULL AS BIGINT) AS lo, 0 AS los, CAST(NULL AS BIGINT) AS hi, 0 AS his, 0 AS gap, k.kind
FROM lw n JOIN d_ctl k ON k.over_node = n.node JOIN lw h ON h.node = k.by_node AND h.rnd < n.rnd
WHERE n.basis IN ('majority', 'dominant_minority', 'control') AND k.lvl >= 2
"""


def evidence() -> str:
    """For every party that entered a set through others, the edges and holders it rests on:
    only holders that were in the set in an earlier round, so every path ends at a party linked
    (or of unknown status) on its own facts. Control of the set's level by such a holder is
    evidence whatever the basis (a linked majority holder that also appoints the board, a 20 %
    holder whose nominee holds a board seat); holdings are evidence of a basis by holdings."""
    return """
SELECT node, fixpoint, via, relation, edge, lo, los, hi, his, gap, kind FROM ev_linked
UNION ALL
SELECT n.node, 'possible' AS fixpoint, r.owner AS via, 'ownership' AS relation, r.edge,
       r.lo, r.los, r.hi, r.his, r.gap, CASE WHEN r.direct = 0 THEN 'indirect' END AS kind
FROM up n JOIN d_rows r ON r.owned = n.node JOIN up h ON h.node = r.owner AND h.rnd < n.rnd
WHERE n.basis = 'review_share'
UNION ALL
SELECT n.node, 'possible' AS fixpoint, k.by_node AS via, 'control' AS relation, k.edge,
       CAST(NULL AS BIGINT) AS lo, 0 AS los, CAST(NULL AS BIGINT) AS hi, 0 AS his, 0 AS gap, k.kind
FROM up n JOIN d_ctl k ON k.over_node = n.node JOIN up h ON h.node = k.by_node AND h.rnd < n.rnd
WHERE n.basis IN ('review_share', 'review_control') AND k.lvl >= 1
"""


def status() -> str:
    """One row per party (a row of `lt`, which has one per row of `base`): linked (lower
    fixpoint), indeterminate (upper less lower) or not. The linked set is the part of `up` whose
    basis is `linked`, carrying its own basis and round."""
    return f"""
SELECT t.node,
  CASE WHEN p.basis = 'linked' THEN 'linked' WHEN p.node IS NOT NULL THEN 'indeterminate' ELSE 'not_linked' END AS linkage,
  CASE WHEN p.basis = 'linked' THEN p.lbasis ELSE p.basis END AS basis,
  CASE WHEN p.basis = 'linked' THEN p.lrnd ELSE p.rnd END AS rnd,
  CAST(t.vlo AS DOUBLE) / {LOOKTHROUGH_UNITS} AS lookthrough_min,
  CAST(t.vhi AS DOUBLE) / {LOOKTHROUGH_UNITS} AS lookthrough_max
FROM lt t
LEFT JOIN up p ON p.node = t.node
"""


# -- look-through: economic exposure to covered jurisdictions, multiplied along chains -----------------


def lookthrough_roots() -> str:
    return f"SELECT node, CAST({LOOKTHROUGH_UNITS} AS BIGINT) AS vlo, CAST({LOOKTHROUGH_UNITS} AS BIGINT) AS vhi FROM base WHERE lbasis IS NOT NULL"


def lookthrough_weights() -> str:
    """Stakes in parties that are not themselves roots, in millionths (minimum and maximum)."""
    scale = U // LOOKTHROUGH_UNITS
    return f"""
SELECT s.owner, s.owned,
  CAST(FLOOR(s.lo / {scale}) AS BIGINT) AS wlo, CAST(FLOOR(s.hi / {scale}) AS BIGINT) AS whi
FROM d_stk s LEFT JOIN lt_roots r ON r.node = s.owned
WHERE r.node IS NULL AND s.hi > 0
"""


def lookthrough_step(frontier: str) -> str:
    """Exposure passed one more level down: each path's product, floored to a millionth, so the
    two engines agree exactly; paths whose product rounds to nothing stop."""
    m = LOOKTHROUGH_UNITS
    return f"""
SELECT node, vlo, vhi FROM (
  SELECT w.owned AS node,
    CAST(least({m}, sum(CAST(FLOOR(w.wlo * f.vlo / {m}) AS BIGINT))) AS BIGINT) AS vlo,
    CAST(least({m}, sum(CAST(FLOOR(w.whi * f.vhi / {m}) AS BIGINT))) AS BIGINT) AS vhi
  FROM {frontier} f JOIN lt_w w ON w.owner = f.node
  GROUP BY w.owned
) x WHERE vhi > 0
"""


def lookthrough_total() -> str:
    """Each party's look-through (`lt`), one row per row of `base`: a root's 1, the capped sum of
    the levels that reached a party, or 0. Joined with `base` here, where it can run beside the
    fixpoints, so that the status needs only one join after them. A root is a row of `base`
    with `lbasis` (`lookthrough_roots`) and no level reaches it (`lookthrough_weights`), so it
    is told by its row of `base`, not joined from `lt_roots`."""
    m = LOOKTHROUGH_UNITS
    return f"""
WITH t AS (
  SELECT node, CAST(least({m}, sum(vlo)) AS BIGINT) AS vlo, CAST(least({m}, sum(vhi)) AS BIGINT) AS vhi
  FROM lt_acc GROUP BY node
)
SELECT b.node,
  CASE WHEN b.lbasis IS NOT NULL THEN CAST({m} AS BIGINT) ELSE coalesce(t.vlo, CAST(0 AS BIGINT)) END AS vlo,
  CASE WHEN b.lbasis IS NOT NULL THEN CAST({m} AS BIGINT) ELSE coalesce(t.vhi, CAST(0 AS BIGINT)) END AS vhi
FROM base b LEFT JOIN t ON t.node = b.node
"""
