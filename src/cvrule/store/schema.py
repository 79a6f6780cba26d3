"""The store's schema: one table per kind of fact, each row tied to the source file it came from.

Migrations are numbered; `migrate` applies the ones a store lacks, in order, each in a
transaction. A fact table's columns mirror its record in `cvrule.ingest.facts`, plus
`source_id` (the SHA-256 of the file's content).
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["FACT_TABLES", "MIGRATIONS", "FactTable"]


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
