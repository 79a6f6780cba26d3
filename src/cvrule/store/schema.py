"""The store's schema: one table per kind of fact, each row tied to the source file it came from.

Migrations are numbered; `migrate` applies the ones a store lacks, in order, each in a
transaction. A fact table's columns mirror its record in `cvrule.ingest.facts`, plus
`source_id` (the SHA-256 of the file's content).
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["AUDIT_MIGRATION", "FACT_TABLES", "MIGRATIONS", "FactTable"]


class FactTable:
    """A fact table: its name, the record type it stores and the Arrow schema of its columns."""

    def __init__(self, name: str, record: str, columns: list[tuple[str, str, pa.DataType]]):
        self.name = name
        self.record = record
        self.columns = columns  # (record field, SQL column, arrow type)
        self.arrow_schema = pa.schema([("source_id", pa.string())] + [(sql, kind) for _, sql, kind in columns])

    def ddl(self) -> str:
        types = {
            pa.string(): "VARCHAR",
            pa.float64(): "DOUBLE",
            pa.bool_(): "BOOLEAN",
            pa.int32(): "INTEGER",
            pa.date32(): "DATE",
            pa.list_(pa.string()): "VARCHAR[]",
        }
        columns = ", ".join(f'"{sql}" {types[kind]}' for _, sql, kind in self.columns)
        return f'CREATE TABLE IF NOT EXISTS {self.name} (source_id VARCHAR NOT NULL, {columns})'


S, F, B, I, D, L = pa.string(), pa.float64(), pa.bool_(), pa.int32(), pa.date32(), pa.list_(pa.string())

FACT_TABLES: dict[str, FactTable] = {
    table.record: table
    for table in [
        FactTable("parties", "PartyFact", [
            ("key", "key", S), ("name", "name", S), ("kind", "kind", S), ("country", "country", S),
            ("headquarters", "headquarters", S), ("residence", "residence", S),
            ("jurisdiction_raw", "jurisdiction_raw", S), ("identifiers", "identifiers", S),
            ("aliases", "aliases", L), ("status", "status", S), ("location", "location", S),
        ]),
        FactTable("ownership", "OwnershipFact", [
            ("owner", "owner", S), ("owned", "owned", S), ("interest", "interest", S),
            ("share_min", "share_min", F), ("share_max", "share_max", F),
            ("min_exclusive", "min_exclusive", B), ("max_exclusive", "max_exclusive", B),
            ("direct", "direct", B), ("start", "valid_from", D), ("end", "valid_to", D),
            ("detail", "detail", S), ("location", "location", S),
        ]),
        FactTable("control", "ControlFact", [
            ("by", "by_party", S), ("over", "over_party", S), ("kind", "kind", S),
            ("start", "valid_from", D), ("end", "valid_to", D), ("detail", "detail", S),
            ("location", "location", S),
        ]),
        FactTable("items", "ItemFact", [
            ("key", "key", S), ("name", "name", S), ("item_type", "item_type", S),
            ("component_type", "component_type", S), ("version", "version", S), ("purl", "purl", S),
            ("cpe", "cpe", S), ("model_year", "model_year", I), ("description", "description", S),
            ("properties", "properties", S), ("licenses", "licenses", L), ("modified", "modified", B),
            ("location", "location", S),
        ]),
        FactTable("item_links", "ItemLink", [
            ("parent", "parent", S), ("child", "child", S), ("relation", "relation", S),
            ("location", "location", S),
        ]),
        FactTable("role_mentions", "RoleMention", [
            ("item", "item", S), ("role", "role", S), ("name", "name", S), ("party", "party", S),
            ("country_raw", "country_raw", S), ("country", "country", S), ("url", "url", S),
            ("email", "email", S), ("location", "location", S),
        ]),
        FactTable("list_entries", "ListEntry", [
            ("key", "key", S), ("list_name", "list_name", S), ("name", "name", S),
            ("entity_type", "entity_type", S), ("aliases", "aliases", L), ("countries", "countries", L),
            ("programs", "programs", L), ("identifiers", "identifiers", S), ("addresses", "addresses", L),
            ("start", "valid_from", D), ("remarks", "remarks", S), ("location", "location", S),
        ]),
        FactTable("attestations", "Attestation", [
            ("subject", "subject", S), ("field", "field", S), ("value", "value", S),
            ("signed_off_by", "signed_off_by", S), ("location", "location", S),
        ]),
    ]
}

_SOURCES = """
CREATE TABLE IF NOT EXISTS sources (
    source_id VARCHAR PRIMARY KEY,
    format VARCHAR NOT NULL,
    format_version VARCHAR,
    document_name VARCHAR,
    created VARCHAR,
    size BIGINT NOT NULL,
    fact_count BIGINT NOT NULL,
    first_ingested_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS source_paths (
    path VARCHAR PRIMARY KEY,
    source_id VARCHAR NOT NULL,
    ingested_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_log (
    logged_at TIMESTAMP NOT NULL,
    path VARCHAR NOT NULL,
    source_id VARCHAR,
    outcome VARCHAR NOT NULL,
    format VARCHAR,
    message VARCHAR
);
"""

MIGRATIONS: list[str] = [
    _SOURCES + ";\n".join(table.ddl() for table in FACT_TABLES.values()),
]

# 2: resolution (cvrule.resolve): each run's results, and the analysts' judgements (append-only,
# hash-chained: see cvrule.store.resolution).
MIGRATIONS.append("""
CREATE TABLE IF NOT EXISTS resolution_runs (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    actor VARCHAR,
    algorithm VARCHAR NOT NULL,
    settings VARCHAR NOT NULL,
    counts VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS resolution_mentions (
    run_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    item VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    name VARCHAR,
    location VARCHAR,
    subject_key VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    method VARCHAR,
    party_ref VARCHAR,
    party_source_id VARCHAR,
    party_name VARCHAR,
    score DOUBLE,
    candidate_id VARCHAR,
    reason VARCHAR
);
CREATE TABLE IF NOT EXISTS resolution_candidates (
    run_id VARCHAR NOT NULL,
    candidate_id VARCHAR NOT NULL,
    purpose VARCHAR NOT NULL,
    subject_key VARCHAR NOT NULL,
    subject_name VARCHAR,
    subject_country VARCHAR,
    target_ref VARCHAR NOT NULL,
    target_kind VARCHAR NOT NULL,
    target_source_id VARCHAR,
    target_name VARCHAR,
    target_countries VARCHAR[],
    list_name VARCHAR,
    programs VARCHAR[],
    rank INTEGER,
    score DOUBLE NOT NULL,
    decision VARCHAR NOT NULL,
    method VARCHAR,
    status VARCHAR NOT NULL,
    features VARCHAR
);
CREATE TABLE IF NOT EXISTS resolution_judgements (
    seq BIGINT PRIMARY KEY,
    judged_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    candidate_id VARCHAR,
    subject_key VARCHAR,
    target_ref VARCHAR NOT NULL,
    target_source_id VARCHAR,
    alias VARCHAR,
    reason VARCHAR,
    prev_hash VARCHAR NOT NULL,
    hash VARCHAR NOT NULL
)
""")

# The nexus: party status as of a date (issue 4; written and read by store/nexus_tables.py).
MIGRATIONS.append("""
CREATE TABLE IF NOT EXISTS nexus_runs (
    as_of DATE PRIMARY KEY,
    engine VARCHAR NOT NULL,
    parameters_sha256 VARCHAR NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    seconds DOUBLE NOT NULL,
    parties BIGINT NOT NULL,
    linked BIGINT NOT NULL,
    indeterminate BIGINT NOT NULL,
    rounds_linked INTEGER NOT NULL,
    rounds_possible INTEGER NOT NULL,
    rounds_lookthrough INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS party_status (
    as_of DATE NOT NULL,
    node VARCHAR NOT NULL,
    name VARCHAR,
    source_id VARCHAR,
    key VARCHAR,
    linkage VARCHAR NOT NULL,
    basis VARCHAR,
    fixpoint_round INTEGER,
    lookthrough_min DOUBLE NOT NULL,
    lookthrough_max DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS party_status_evidence (
    as_of DATE NOT NULL,
    node VARCHAR NOT NULL,
    fixpoint VARCHAR NOT NULL,
    via VARCHAR NOT NULL,
    relation VARCHAR NOT NULL,
    source_id VARCHAR,
    location VARCHAR,
    kind VARCHAR,
    share_min DOUBLE,
    share_max DOUBLE,
    min_exclusive BOOLEAN,
    max_exclusive BOOLEAN,
    share_unknown BOOLEAN
)
""")

# The audit log (issue 9): one row per writing operation, appended in the same transaction as the
# writes it records, each row hash-chained to the one before (see cvrule.store.audit). When this
# migration is applied to a store that already holds sources, the store records a baseline entry
# for each of them in the same transaction (Store._migrate).
AUDIT_MIGRATION = len(MIGRATIONS) + 1
MIGRATIONS.append("""
CREATE TABLE IF NOT EXISTS audit_log (
    seq BIGINT PRIMARY KEY,
    logged_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    subject VARCHAR,
    detail VARCHAR NOT NULL,
    prev_hash VARCHAR NOT NULL,
    hash VARCHAR NOT NULL
)
""")

# Users of the web app and the API (issue 7; read and written by cvrule.store.users): who may sign
# in, their role, their password (an Argon2id hash, never the password) and their API tokens
# (the SHA-256 of each token, never the token). `session_version` changes whenever a user's
# password, role or standing changes, which ends every session signed for the old one.
MIGRATIONS.append("""
CREATE TABLE IF NOT EXISTS users (
    name VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL,
    password_hash VARCHAR NOT NULL,
    session_version VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    disabled BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_id VARCHAR PRIMARY KEY,
    user_name VARCHAR NOT NULL,
    token_sha256 VARCHAR NOT NULL,
    label VARCHAR,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
)
""")

# Resolution's results kept per written form, not per mention (written and read by
# cvrule.store.resolution). A run used to write one row per role mention, millions for a large
# fleet, each repeating its form's outcome; now it writes each form's outcome once, with what
# its mentions were read with (the BOMs' own party records, the domain of each item's package
# URL, the files the run read, the file-linked parties' reasons), and `resolution_mentions` is a
# view that gives every mention of those files its form's outcome, the same rows as before. The
# per-mention rows of an earlier run are dropped: they are derived data, and the next run
# (every `cvrule assess` and `cvrule resolve` makes one) writes them anew.
_RESOLUTION_MENTIONS = """
CREATE VIEW resolution_mentions AS
WITH party_keys AS (
    SELECT DISTINCT source_id, key FROM parties
), mentions AS (
    SELECT m.source_id, m.item, m.role, coalesce(m.name, '') AS name, m.location, m.party,
           coalesce(p.key, '') <> '' AND h.key IS NULL AS file_linked,
           CASE WHEN coalesce(m.country, '') = '' THEN h.country ELSE m.country END AS country,
           m.url, m.email, coalesce(h.identifiers, '[]') AS identifiers, d.domain
    FROM role_mentions m
    LEFT JOIN party_keys p ON p.source_id = m.source_id AND p.key = m.party
    LEFT JOIN resolution_hints h ON h.source_id = m.source_id AND h.key = coalesce(m.party, '')
    LEFT JOIN resolution_item_domains d ON d.source_id = m.source_id AND d.item = m.item
    WHERE m.source_id IN (SELECT source_id FROM resolution_sources)
)
SELECT o.run_id, m.source_id, m.item, m.role, m.name, m.location, o.subject_key,
       CASE WHEN m.file_linked THEN 'linked' ELSE o.status END AS status,
       CASE WHEN m.file_linked THEN 'file' ELSE o.method END AS method,
       CASE WHEN m.file_linked THEN m.party ELSE o.party_ref END AS party_ref,
       CASE WHEN m.file_linked THEN m.source_id ELSE o.party_source_id END AS party_source_id,
       CASE WHEN m.file_linked THEN NULL ELSE o.party_name END AS party_name,
       CASE WHEN m.file_linked THEN 1.0 ELSE o.score END AS score,
       CASE WHEN m.file_linked THEN NULL ELSE o.candidate_id END AS candidate_id,
       CASE WHEN m.file_linked THEN f.reason ELSE o.reason END AS reason
FROM mentions m
JOIN resolution_forms o
  ON o.name = m.name AND o.identifiers = m.identifiers AND o.country IS NOT DISTINCT FROM m.country
 AND o.url IS NOT DISTINCT FROM m.url AND o.email IS NOT DISTINCT FROM m.email
 AND o.role IS NOT DISTINCT FROM m.role AND o.domain IS NOT DISTINCT FROM m.domain
LEFT JOIN resolution_file_reasons f ON m.file_linked AND f.party = m.party
"""
MIGRATIONS.append("""
DROP TABLE IF EXISTS resolution_mentions;
CREATE TABLE IF NOT EXISTS resolution_forms (
    run_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    country VARCHAR,
    url VARCHAR,
    email VARCHAR,
    role VARCHAR,
    identifiers VARCHAR NOT NULL,
    domain VARCHAR,
    subject_key VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    method VARCHAR,
    party_ref VARCHAR,
    party_source_id VARCHAR,
    party_name VARCHAR,
    score DOUBLE,
    candidate_id VARCHAR,
    reason VARCHAR
);
CREATE TABLE IF NOT EXISTS resolution_sources (
    run_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS resolution_hints (
    run_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    country VARCHAR,
    identifiers VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS resolution_item_domains (
    run_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    item VARCHAR NOT NULL,
    domain VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS resolution_file_reasons (
    run_id VARCHAR NOT NULL,
    party VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);
""" + _RESOLUTION_MENTIONS)
