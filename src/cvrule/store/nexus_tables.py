"""The store's side of the nexus: the ownership graph out of the fact tables, the party status
back in, and the reads `cvrule why` needs.

Who is one party: a party record with an LEI is the node `lei:<LEI>`, whichever file it came
from; any other record is the node `<first 16 hex of its file's hash>:<key>`, scoped to its
file. An edge's end is the record with that key in the edge's own file; when the file has no
such record, a key that is itself an LEI is the node `lei:<key>` (GLEIF relationship files name
parties only by LEI), and any other key is a node of its own with nothing known about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from cvrule.store import audit
from cvrule.store.database import Store

__all__ = [
    "GraphExport",
    "evidence_of",
    "export_graph",
    "find_nodes",
    "last_run",
    "load_graph",
    "party_records",
    "run_summary",
    "status_of",
    "write_status",
]

_LEI = "[A-Z0-9]{18}[0-9]{2}"


@dataclass
class GraphExport:
    folder: Path
    nodes: int
    stakes: int
    controls: int

    def path(self, table: str) -> str:
        return str(self.folder / f"{table}.parquet")


def _q(path: str | Path) -> str:
    return str(path).replace("'", "''")


def export_graph(store: Store, folder: Path) -> GraphExport:
    """Write g_parties, g_stakes and g_controls (integer nodes) as Parquet into `folder`; keep the
    node map in the connection (temporary tables) for `write_status`."""
    con = store._con
    folder.mkdir(parents=True, exist_ok=True)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE nx_keys AS
        WITH recs AS (
            SELECT source_id, key, name, kind, country, headquarters, residence,
                   upper(nullif(trim(json_extract_string(identifiers, '$.lei')), '')) AS lei
            FROM parties
        ), rec_keys AS (
            SELECT source_id, key,
                   min(CASE WHEN lei IS NOT NULL THEN 'lei:' || lei ELSE substr(source_id, 1, 16) || ':' || key END) AS node_key
            FROM recs GROUP BY source_id, key
        ), ends AS (
            SELECT source_id, owner AS key FROM ownership UNION SELECT source_id, owned FROM ownership
            UNION SELECT source_id, by_party FROM control UNION SELECT source_id, over_party FROM control
        ), dangling AS (
            SELECT e.source_id, e.key FROM ends e ANTI JOIN rec_keys r ON r.source_id = e.source_id AND r.key = e.key
        )
        SELECT source_id, key, node_key, TRUE AS has_record FROM rec_keys
        UNION ALL
        SELECT source_id, key,
               CASE WHEN regexp_full_match(upper(key), '{_LEI}') THEN 'lei:' || upper(key)
                    ELSE substr(source_id, 1, 16) || ':' || key END, FALSE
        FROM dangling
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE nx_nodes AS
        SELECT node_key, CAST(row_number() OVER (ORDER BY node_key) - 1 AS BIGINT) AS node
        FROM (SELECT DISTINCT node_key FROM nx_keys)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE nx_map AS
        SELECT k.source_id, k.key, k.has_record, n.node FROM nx_keys k JOIN nx_nodes n USING (node_key)
    """)
    # The record that names a node: one with a real name before a placeholder (the "(LEI ...)"
    # stub GLEIF relationship files give an LEI without a Level 1 record), so a party known to
    # GLEIF only by its LEI takes the name any other source gives for that LEI; then the first
    # by source and key.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE nx_rep AS
        WITH named AS (
            SELECT m.node, p.name, p.source_id, p.key,
                   CASE WHEN nullif(trim(p.name), '') IS NULL OR p.name LIKE '(% ' || p.key || ')' THEN '1' ELSE '0' END
                   || chr(0) || p.source_id || chr(0) || p.key AS pick
            FROM parties p JOIN nx_map m ON m.source_id = p.source_id AND m.key = p.key
        )
        SELECT node, arg_min(name, pick) AS name, arg_min(source_id, pick) AS source_id, arg_min(key, pick) AS key
        FROM named GROUP BY node
    """)
    con.execute(f"""
        COPY (
            SELECT m.node, p.kind, p.country, p.headquarters, CAST(NULL AS VARCHAR) AS ppob, p.residence,
                   FALSE AS us_pr, TRUE AS ownership_known
            FROM parties p JOIN nx_map m ON m.source_id = p.source_id AND m.key = p.key
            UNION ALL
            SELECT DISTINCT m.node, 'unknown', NULL, NULL, NULL, NULL, FALSE, TRUE
            FROM nx_map m WHERE NOT m.has_record
              AND m.node NOT IN (SELECT node FROM nx_map WHERE has_record)
        ) TO '{_q(folder / "g_parties.parquet")}' (FORMAT parquet)
    """)
    # A stake stated as indirect (`direct` false: a BODS `indirect` interest, a GLEIF ultimate
    # parent) goes out with direct = FALSE. 791.301 asks whether a party is "owned by,
    # controlled by" a linked person: the nexus adds up direct holdings and, through the
    # fixpoint, holdings through entities that are themselves linked. An indirect stake names no
    # chain, so it is never added to the direct holdings; it only makes the party possibly
    # linked (nexus.sql). A missing `direct` (the source does not say) is taken as direct.
    con.execute(f"""
        COPY (
            WITH src AS (
                SELECT source_id, CAST(row_number() OVER (ORDER BY source_id) AS BIGINT) AS src
                FROM (SELECT DISTINCT source_id FROM ownership)
            )
            SELECT CAST(o.rowid AS BIGINT) AS edge, s.src, a.node * 4294967296 + b.node AS holding,
                   a.node AS owner, b.node AS owned,
                   CASE WHEN o.interest = 'voting' THEN 'voting' ELSE 'equity' END AS interest,
                   o.share_min, o.share_max, coalesce(o.min_exclusive, FALSE) AS min_exclusive,
                   coalesce(o.max_exclusive, FALSE) AS max_exclusive, o.valid_from, o.valid_to,
                   coalesce(o.direct, TRUE) AS direct
            FROM ownership o JOIN src s USING (source_id)
            JOIN nx_map a ON a.source_id = o.source_id AND a.key = o.owner
            JOIN nx_map b ON b.source_id = o.source_id AND b.key = o.owned
        ) TO '{_q(folder / "g_stakes.parquet")}' (FORMAT parquet)
    """)
    con.execute(f"""
        COPY (
            SELECT CAST(c.rowid AS BIGINT) AS edge, a.node AS by_node, b.node AS over_node, c.kind,
                   c.valid_from, c.valid_to
            FROM control c
            JOIN nx_map a ON a.source_id = c.source_id AND a.key = c.by_party
            JOIN nx_map b ON b.source_id = c.source_id AND b.key = c.over_party
        ) TO '{_q(folder / "g_controls.parquet")}' (FORMAT parquet)
    """)
    nodes, stakes, controls = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("nx_nodes", "ownership", "control"))
    return GraphExport(folder, nodes, stakes, controls)


def write_status(
    store: Store,
    as_of: date,
    status_path: str,
    evidence_path: str,
    run: dict,
    actor: str | None = None,
) -> None:
    """Replace the status and evidence of `as_of` with an engine's output, in one transaction.
    `run` holds the nexus_runs columns other than as_of and finished_at."""
    con = store._con
    with store.transaction():
        for table in ("party_status", "party_status_evidence", "nexus_runs"):
            con.execute(f"DELETE FROM {table} WHERE as_of = ?", [as_of])
        con.execute(f"""
            INSERT INTO party_status
            SELECT ?, n.node_key, r.name, r.source_id, r.key, s.linkage, s.basis, s.rnd,
                   s.lookthrough_min, s.lookthrough_max
            FROM read_parquet('{_q(status_path)}') s
            JOIN nx_nodes n ON n.node = s.node
            LEFT JOIN nx_rep r ON r.node = s.node
        """, [as_of])
        con.execute(f"""
            INSERT INTO party_status_evidence
            SELECT ?, n.node_key, e.fixpoint, v.node_key, e.relation,
                   coalesce(o.source_id, c.source_id), coalesce(o.location, c.location),
                   CASE WHEN e.relation = 'ownership'
                        THEN nullif(concat_ws(', ', e.kind, CASE WHEN o.interest = 'consolidation' THEN 'consolidation' END), '')
                        ELSE e.kind END,
                   e.lo / 1e9, e.hi / 1e9, e.los = 1, e.his = 1, e.gap = 1
            FROM read_parquet('{_q(evidence_path)}') e
            JOIN nx_nodes n ON n.node = e.node
            JOIN nx_nodes v ON v.node = e.via
            LEFT JOIN ownership o ON e.relation = 'ownership' AND o.rowid = e.edge
            LEFT JOIN control c ON e.relation = 'control' AND c.rowid = e.edge
        """, [as_of])
        columns = ["as_of", "finished_at", *run]
        values = [as_of, datetime.now(timezone.utc).replace(tzinfo=None), *run.values()]
        con.execute(
            f"INSERT INTO nexus_runs ({', '.join(columns)}) VALUES ({', '.join('?' for _ in values)})", values
        )
        audit.append(con, actor, "nexus", as_of.isoformat(),
                     {k: run[k] for k in ("engine", "parameters_sha256", "parties", "linked", "indeterminate") if k in run})


def load_graph(store: Store, folder: Path, source_id: str, name: str, actor: str | None = None) -> int:
    """Write a generated graph (`cvrule synth graph`) into the fact tables as one source, in one
    transaction: party `P<node>`, its LEI when it has one. The fact tables have no column for US
    permanent residence or unknown owners, so those two traits of the generated graph stay out.
    Returns the number of facts written."""
    con = store._con
    parties, stakes, controls = (_q(folder / f"{t}.parquet") for t in ("g_parties", "g_stakes", "g_controls"))
    with store.transaction():
        for table in ("parties", "ownership", "control", "sources", "source_paths"):
            con.execute(f"DELETE FROM {table} WHERE source_id = ?", [source_id])
        con.execute(f"""
            INSERT INTO parties (source_id, key, name, kind, country, headquarters, residence, identifiers, location)
            SELECT ?, 'P' || node,
                   CASE kind WHEN 'individual' THEN 'Person ' WHEN 'government' THEN 'Government ' ELSE 'Company ' END || node,
                   kind, country, headquarters, residence,
                   CASE WHEN lei IS NOT NULL THEN '{{"lei": "' || lei || '"}}' END, 'g_parties/' || node
            FROM read_parquet('{parties}')
        """, [source_id])
        con.execute(f"""
            INSERT INTO ownership (source_id, owner, owned, interest, share_min, share_max, min_exclusive,
                                   max_exclusive, direct, valid_from, valid_to, location)
            SELECT ?, 'P' || owner, 'P' || owned, CASE WHEN interest = 'voting' THEN 'voting' ELSE 'shareholding' END,
                   share_min, share_max, min_exclusive, max_exclusive, direct, valid_from, valid_to, 'g_stakes/' || edge
            FROM read_parquet('{stakes}')
        """, [source_id])
        con.execute(f"""
            INSERT INTO control (source_id, by_party, over_party, kind, valid_from, valid_to, location)
            SELECT ?, 'P' || by_node, 'P' || over_node, kind, valid_from, valid_to, 'g_controls/' || edge
            FROM read_parquet('{controls}')
        """, [source_id])
        facts = con.execute(
            "SELECT (SELECT count(*) FROM parties WHERE source_id = $1) + (SELECT count(*) FROM ownership WHERE source_id = $1)"
            " + (SELECT count(*) FROM control WHERE source_id = $1)", [source_id]
        ).fetchone()[0]
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        con.execute("INSERT INTO sources VALUES (?, 'cvrule-synth-graph', '1', ?, NULL, 0, ?, ?)", [source_id, name, facts, now])
        con.execute("INSERT INTO source_paths VALUES (?, ?, ?)", [f"synth:{name}", source_id, now])
        audit.append(con, actor, "synth-graph", source_id, {
            "name": name, "facts": facts, "digest": audit.fact_digests(con, source_id).get(source_id, {})})
    return facts


# -- reading --------------------------------------------------------------------------------------


def last_run(store: Store) -> date | None:
    row = store._con.execute("SELECT max(as_of) FROM nexus_runs").fetchone()
    return row[0] if row else None


def run_summary(store: Store, as_of: date) -> dict | None:
    cursor = store._con.execute("SELECT * FROM nexus_runs WHERE as_of = ?", [as_of])
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def find_nodes(store: Store, text: str, as_of: date) -> list[dict]:
    """Parties of the status table that `text` names: node id, key, LEI, or the name (any case)."""
    lei = text.strip().upper()
    return _dicts(store, """
        SELECT * FROM party_status WHERE as_of = $1 AND (node = $2 OR key = $2 OR node = 'lei:' || $3)
        ORDER BY node LIMIT 20
    """, [as_of, text, lei]) or _dicts(store, """
        SELECT * FROM party_status WHERE as_of = $1 AND lower(name) = lower($2) ORDER BY node LIMIT 20
    """, [as_of, text])


def status_of(store: Store, as_of: date, node: str) -> dict | None:
    found = _dicts(store, "SELECT * FROM party_status WHERE as_of = ? AND node = ?", [as_of, node])
    return found[0] if found else None


def evidence_of(store: Store, as_of: date, node: str) -> list[dict]:
    return _dicts(store, """
        SELECT * FROM party_status_evidence WHERE as_of = ? AND node = ?
        ORDER BY fixpoint, via, relation, source_id, location
    """, [as_of, node])


def party_records(store: Store, node: str) -> list[dict]:
    """The party records (from every file) that make up the node."""
    if node.startswith("lei:"):
        return _dicts(store, """
            SELECT * FROM parties WHERE upper(trim(json_extract_string(identifiers, '$.lei'))) = ?
            ORDER BY source_id, key
        """, [node[4:]])
    prefix, _, key = node.partition(":")
    return _dicts(store, "SELECT * FROM parties WHERE substr(source_id, 1, 16) = ? AND key = ? ORDER BY source_id",
                  [prefix, key])


def explanation_rows(store: Store, as_of: date, nodes: Iterable[str]) -> tuple[dict, dict, dict]:
    """What `cvrule why` reads for `nodes` and every node their evidence leads to, in three
    queries instead of three per node: (node -> status row or None, node -> evidence rows,
    node -> party records), each as `status_of`, `evidence_of` and `party_records` give them."""
    con = store._con
    wanted = sorted(set(nodes))
    reached = [row[0] for row in con.execute("""
        WITH RECURSIVE reach(node) AS (
            SELECT unnest(?::VARCHAR[])
            UNION
            SELECT e.via FROM party_status_evidence e JOIN reach r ON e.node = r.node WHERE e.as_of = ?
        )
        SELECT node FROM reach ORDER BY node
    """, [wanted, as_of]).fetchall()]
    statuses: dict[str, dict | None] = dict.fromkeys(reached)
    for row in _dicts(store, "SELECT * FROM party_status WHERE as_of = ? AND node IN (SELECT unnest(?::VARCHAR[]))",
                      [as_of, reached]):
        statuses[row["node"]] = row
    evidence: dict[str, list[dict]] = {node: [] for node in reached}
    for row in _dicts(store, """
        SELECT * FROM party_status_evidence WHERE as_of = ? AND node IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY node, fixpoint, via, relation, source_id, location
    """, [as_of, reached]):
        evidence[row["node"]].append(row)
    records: dict[str, list[dict]] = {node: [] for node in reached}
    leis = [node[4:] for node in reached if node.startswith("lei:")]
    keyed = [node for node in reached if not node.startswith("lei:")]
    for row in _dicts(store, """
        SELECT * FROM (
            SELECT 'lei:' || upper(trim(json_extract_string(identifiers, '$.lei'))) AS "__node", * FROM parties
            WHERE upper(trim(json_extract_string(identifiers, '$.lei'))) IN (SELECT unnest(?::VARCHAR[]))
            UNION ALL
            SELECT substr(source_id, 1, 16) || ':' || key AS "__node", * FROM parties
            WHERE substr(source_id, 1, 16) || ':' || key IN (SELECT unnest(?::VARCHAR[]))
        ) ORDER BY "__node", source_id, key
    """, [leis, keyed]):
        records[row.pop("__node")].append(row)
    return statuses, evidence, records


def _dicts(store: Store, sql: str, params: list) -> list[dict]:
    cursor = store._con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
