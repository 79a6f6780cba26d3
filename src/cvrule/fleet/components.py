"""The components of a fleet's bills of materials as the law needs them: classified from what the
files say (docs/assess.md, "What cvrule reads from a BOM"), each with the parties that designed,
developed, manufactured, supplied or maintain it, and software the law treats alike grouped.

All of it is computed in the store with set operations, so a fleet of millions of component rows
becomes a few thousand law-relevant rows before any Python object is made:

- every item of a BOM file gets its ECU (the file's root: the item its document `describes`),
  its hardware parent (`contains`), its classification (properties, component type, licences)
  and its roles (role mentions, resolved to nexus nodes by the latest resolution run, plus the
  roles a supplier register gives for the same item, joined by package URL or name and version);
- hardware is kept item by item (it is few, and the law looks at each part within its ECU);
- software is grouped per file by everything the law reads: kind, what it enables, open source,
  modified, installation, which side of each legacy cut-off its creation date falls, and the
  exact set of (role, party) pairs. A group is decided exactly as each of its members would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import orjson

from cvrule.store import Store

__all__ = ["BOM_FORMATS", "BomComponents", "ComponentRow", "RoleRef", "law_role", "read_components", "resolutions"]

BOM_FORMATS = ("cyclonedx-json", "cyclonedx-xml", "spdx-2-json", "spdx-2-yaml", "spdx-2-tag", "spdx-2-xml",
               "spdx-3-jsonld", "cx-0158-1")
"""Source formats whose items are bills of materials (`sources.format`)."""

REGISTER_FORMATS = ("supplier-register-csv", "supplier-register-xlsx")

# How a BOM's words for who stands behind a component map to the rule's roles (791.302(a),
# 791.303(a), 791.1(a)(1)). An author or originator of software developed it; of hardware, designed it.
_TYPED_ROLES = ("authored_by", "originated_by")
"""The role words whose rule role depends on the item's type: only their mentions are joined to
the items."""


def _role_sql(item_type: str) -> str:
    """The rule's role of `r.role` (see `law_role`), the item's type read from `item_type`."""
    return f"""
    CASE
        WHEN r.role IN ('designed_by', 'developed_by', 'manufactured_by', 'supplied_by', 'maintained_by') THEN r.role
        WHEN r.role IN ('authored_by', 'originated_by') AND {item_type} = 'hardware' THEN 'designed_by'
        WHEN r.role IN ('authored_by', 'originated_by') THEN 'developed_by'
        WHEN r.role = 'published_by' THEN 'supplied_by'
    END"""


OSI_LICENCES = frozenset("""
0BSD AFL-3.0 AGPL-3.0 AGPL-3.0-only AGPL-3.0-or-later Apache-1.1 Apache-2.0 APSL-2.0 Artistic-2.0 BSD-1-Clause
BSD-2-Clause BSD-2-Clause-Patent BSD-3-Clause BSL-1.0 CDDL-1.0 CECILL-2.1 CPAL-1.0 EFL-2.0 EPL-1.0 EPL-2.0 EUPL-1.1
EUPL-1.2 GPL-2.0 GPL-2.0-only GPL-2.0-or-later GPL-3.0 GPL-3.0-only GPL-3.0-or-later GPL-2.0+ GPL-3.0+ ISC LGPL-2.0
LGPL-2.0-only LGPL-2.0-or-later LGPL-2.1 LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0 LGPL-3.0-only LGPL-3.0-or-later
LGPL-2.1+ LPL-1.02 MIT MIT-0 MPL-1.1 MPL-2.0 MS-PL MS-RL MirOS NCSA OFL-1.1 OpenSSL OSL-3.0 PHP-3.01 PostgreSQL
Python-2.0 QPL-1.0 Unicode-DFS-2016 Unlicense UPL-1.0 W3C Zlib ZPL-2.0 ZPL-2.1 Libpng curl X11 Sleepycat
""".split())
"""SPDX ids of OSI-approved licences (and the common legacy ids of the same licences)."""


@dataclass(frozen=True)
class RoleRef:
    role: str
    """designed_by | developed_by | manufactured_by | supplied_by | maintained_by"""
    node: str
    """The nexus node of the party, or `mention:<hash>` when the name matched no party."""
    written: str
    """The name as the file wrote it."""


@dataclass
class ComponentRow:
    """One hardware item, or one group of software items the law treats alike."""

    source_id: str
    key: str
    """The item's key in its file (for a group: its first member's)."""
    name: str
    type: str
    ecu: str
    """The key of the file's root item."""
    parent: str | None
    location: str
    version: str | None
    purl: str | None
    count: int
    members: list[str]
    """Up to five member names of a group, for the reader."""
    software_kind: str | None
    kind_from: str | None
    enables: str | None
    rf: str | None
    max_rf_mhz: float | None
    passive: bool | None
    open_source: bool | None
    open_source_from: str | None
    modified: bool
    created: date | None
    installation: str | None
    model_year: int | None
    roles: list[RoleRef] = field(default_factory=list)
    clean_sets: int = 0
    """For a group: how many different sets of clean parties its members have (its roles name one)."""

    @property
    def is_root(self) -> bool:
        return self.key == self.ecu


@dataclass
class BomComponents:
    source_id: str
    root: str
    root_written: bool
    """False when the file names no root item and cvrule made one (its facts are all unknown)."""
    rows: list[ComponentRow]
    total: int
    """All items of the file, relevant or not."""


def read_components(store: Store, source_ids: list[str], cutoffs: list[date], clean_days: list[date] = (),
                    home: str = "US", firmware_kinds: frozenset[str] = frozenset(),
                    open_source_excluded: bool = False) -> dict[str, BomComponents]:
    """The classified, grouped components of each BOM file in `source_ids`.

    `clean_days`: the nexus runs the decisions use. A party not linked in every one of them is
    "clean": software whose parties are all clean is grouped regardless of which clean parties
    they are, as long as the same roles are filled and a foreign party is among them or not
    alike; the group names the parties of one member. The law treats such members alike: no
    clean party gives a nexus (791.301), a role is known or not (roles_required_to_clear), and
    a foreign party is there or not (791.305).

    `firmware_kinds` and `open_source_excluded`: what is excluded from covered software under
    every edition the decisions use (the intersection); such software is grouped whatever its
    parties, as none of them can matter."""
    con = store._con
    con.execute("CREATE OR REPLACE TEMP TABLE fa_sources AS SELECT unnest(?::VARCHAR[]) AS source_id", [source_ids])
    con.execute(_CLEAN, [sorted(set(clean_days)), len(set(clean_days)), home])
    con.execute(_ROOTS)
    con.execute(_LATEST_MENTIONS)
    con.execute(_REGISTER_ITEMS)
    if con.execute("SELECT count(*) FROM fa_register_items").fetchone()[0]:
        con.execute(_REGISTER_PAIRS)
    else:  # no register: no BOM item is scanned for one
        con.execute("CREATE OR REPLACE TEMP TABLE fa_register_pairs AS SELECT source_id, key, source_id AS reg_source, "
                    "key AS reg_key, properties FROM fa_register_items WHERE FALSE")
    con.execute(_REGISTER_ROLES)
    con.execute(_roles_sql())
    con.execute(_ROLES_FEW)
    _licence_table(con)
    cut_columns = ", ".join(f"(created >= DATE '{c.isoformat()}') AS cut{n}" for n, c in enumerate(sorted(set(cutoffs)))) or "TRUE AS cut0"
    cut_names = ", ".join(f"cut{n}" for n in range(max(1, len(set(cutoffs)))))
    kinds = ", ".join("'" + k.replace("'", "''") + "'" for k in sorted(firmware_kinds)) or "NULL"
    rows = con.execute(_GROUPED.format(cuts=cut_columns, cut_names=", ".join(
        f"CASE WHEN settled THEN NULL ELSE {c} END" for c in cut_names.split(", ")),
        firmware=kinds, excluded="TRUE" if open_source_excluded else "FALSE", classified=_classified(),
        classified_few=_classified("fa_roles_few"))).fetchall()
    columns = [d[0] for d in con.description]
    roots = {sid: (root, written) for sid, root, written in con.execute("SELECT source_id, root, written FROM fa_roots").fetchall()}
    totals = dict(con.execute("SELECT source_id, count(*) FROM items WHERE source_id IN (SELECT source_id FROM fa_sources) GROUP BY 1").fetchall())
    found: dict[str, BomComponents] = {}
    for sid in source_ids:
        root, written = roots.get(sid, (None, False))
        found[sid] = BomComponents(sid, root or "", written, [], totals.get(sid, 0))
    for values in rows:
        row = dict(zip(columns, values))
        pairs = "\x1e".join(p for p in (row.pop("roles"), row.pop("clean_rep")) if p)
        roles = sorted({RoleRef(*part.split("\x1f")) for part in pairs.split("\x1e") if part},
                       key=lambda r: (r.role, r.node))
        clean_sets = row.pop("clean_sets") or 0
        component = ComponentRow(**row, roles=roles, clean_sets=clean_sets)
        found[component.source_id].rows.append(component)
    for bom in found.values():
        bom.rows.sort(key=lambda r: (not r.is_root, r.type, r.location, r.key))
        if not bom.root_written:
            bom.root = f"cvrule:root:{bom.source_id[:12]}"
    return found


def resolutions(store: Store) -> dict[str, str]:
    """Node -> how the files' names were linked to it (method and score), from `read_components`'s
    mention table."""
    rows = store._con.execute("""
        SELECT node, status, method, max(score), min(name), count(*) FROM fa_mentions GROUP BY ALL ORDER BY node, status, method
    """).fetchall()
    found: dict[str, str] = {}
    for node, status, method, score, name, n in rows:
        if status == "linked":
            how = f"{method} match" + (f", score {score:.2f}" if score is not None and method == "name" else "")
            text = f"linked by {how} ({n} mention{'s' if n != 1 else ''}, e.g. {name!r})"
        else:
            text = f"{status}: {n} mention{'s' if n != 1 else ''} of {name!r} matched no party"
        found[node] = found[node] + "; " + text if node in found else text
    return found


def law_role(role: str, item_type: str) -> str | None:
    """The rule's role for a BOM role word (see _role_sql)."""
    if role in ("designed_by", "developed_by", "manufactured_by", "supplied_by", "maintained_by"):
        return role
    if role in ("authored_by", "originated_by"):
        return "designed_by" if item_type == "hardware" else "developed_by"
    if role == "published_by":
        return "supplied_by"
    return None


def licence_open_source(licences: list[str] | None) -> tuple[bool | None, str | None]:
    """Whether a licence list makes a component open source, and why (None: cannot be told)."""
    ids = [part for text in licences or () for part in _licence_ids(text)]
    if not ids:
        return None, None
    refs = [i for i in ids if i.startswith("LicenseRef-")]
    if any(word in i.lower() for i in refs for word in ("proprietary", "commercial", "confidential", "closed")):
        return False, "a proprietary licence (" + ", ".join(refs) + ")"
    if all(i in OSI_LICENCES for i in ids):
        return True, "OSI-approved licences (" + ", ".join(sorted(set(ids))) + ")"
    return None, None


def _licence_ids(text: str) -> list[str]:
    words = text.replace("(", " ").replace(")", " ").split()
    return [w for w in words if w not in ("AND", "OR", "WITH") and not w.endswith("-exception")]


def _licence_table(con) -> None:
    sets = con.execute("""
        SELECT DISTINCT licenses FROM items
        WHERE source_id IN (SELECT source_id FROM fa_sources) AND licenses IS NOT NULL AND len(licenses) > 0
    """).fetchall()
    rows = []
    for (licences,) in sets:
        value, why = licence_open_source(licences)
        rows.append((licences, value, why))
    con.execute("CREATE OR REPLACE TEMP TABLE fa_licences (licenses VARCHAR[], open_source BOOLEAN, why VARCHAR)")
    if rows:
        con.executemany("INSERT INTO fa_licences VALUES (?, ?, ?)", rows)


# The root of each file: the item its document describes (one that is an item of the file).
_ROOTS = """
CREATE OR REPLACE TEMP TABLE fa_roots AS
SELECT s.source_id, r.root, r.root IS NOT NULL AS written
FROM fa_sources s LEFT JOIN (
    SELECT l.source_id, min(l.child) AS root
    FROM item_links l JOIN items i ON i.source_id = l.source_id AND i.key = l.child
    WHERE l.relation = 'describes' AND l.source_id IN (SELECT source_id FROM fa_sources)
    GROUP BY l.source_id
) r USING (source_id)
"""

# Each role mention of the latest resolution run, with the nexus node of the party it was linked
# to (an LEI names the node wherever the party came from; otherwise the party record's file and key).
_LATEST_MENTIONS = """
CREATE OR REPLACE TEMP TABLE fa_mentions AS
WITH latest AS (
    SELECT run_id FROM resolution_runs ORDER BY finished_at DESC, run_id DESC LIMIT 1
), party_lei AS (
    SELECT source_id, key, min(upper(nullif(trim(json_extract_string(identifiers, '$.lei')), ''))) AS lei
    FROM parties GROUP BY source_id, key
)
SELECT m.source_id, m.item, m.role, m.name, m.status, m.method, m.score,
       CASE WHEN m.status = 'linked' AND m.party_ref IS NOT NULL
            THEN coalesce('lei:' || p.lei, substr(m.party_source_id, 1, 16) || ':' || m.party_ref)
            ELSE 'mention:' || substr(sha256(m.subject_key), 1, 16) END AS node
FROM resolution_mentions m
LEFT JOIN party_lei p ON p.source_id = m.party_source_id AND p.key = m.party_ref
WHERE m.run_id = (SELECT run_id FROM latest)
"""

# The items of supplier registers (none in a workspace without a register: then no BOM item is
# looked at for them).
_REGISTER_ITEMS = """
CREATE OR REPLACE TEMP TABLE fa_register_items AS
SELECT i.source_id, i.key, lower(i.name) AS lname, i.version, i.purl, i.properties
FROM items i JOIN sources s USING (source_id)
WHERE s.format IN ('supplier-register-csv', 'supplier-register-xlsx')
"""

# The items of supplier registers that are items of a BOM: the same package URL, else the same
# name (and the same version where both give one). Registers are small: two hash joins.
_REGISTER_PAIRS = """
CREATE OR REPLACE TEMP TABLE fa_register_pairs AS
WITH bom AS (
    SELECT source_id, key, lower(name) AS lname, version, purl
    FROM items WHERE source_id IN (SELECT source_id FROM fa_sources)
)
SELECT DISTINCT * FROM (
    SELECT b.source_id, b.key, r.source_id AS reg_source, r.key AS reg_key, r.properties
    FROM bom b JOIN fa_register_items r ON b.purl = r.purl
    UNION ALL
    SELECT b.source_id, b.key, r.source_id, r.key, r.properties
    FROM bom b JOIN fa_register_items r ON b.lname = r.lname
    WHERE (b.purl IS NULL OR r.purl IS NULL) AND (b.version IS NULL OR r.version IS NULL OR b.version = r.version)
)
"""

_REGISTER_ROLES = """
CREATE OR REPLACE TEMP TABLE fa_register_roles AS
SELECT p.source_id, p.key, m.role, m.name, m.node, p.reg_source
FROM fa_register_pairs p JOIN fa_mentions m ON m.source_id = p.reg_source AND m.item = p.reg_key
"""

# Parties not linked on any of the decisions' nexus runs, with whether they are foreign.
_CLEAN = """
CREATE OR REPLACE TEMP TABLE fa_clean AS
WITH runs AS (SELECT unnest($1::DATE[]) AS as_of),
clean AS (
    SELECT node FROM party_status WHERE as_of IN (SELECT as_of FROM runs)
    GROUP BY node HAVING bool_and(linkage = 'not_linked') AND count(*) = $2
), recs AS (
    SELECT CASE WHEN lei IS NOT NULL THEN 'lei:' || lei ELSE substr(source_id, 1, 16) || ':' || key END AS node, country
    FROM (SELECT *, upper(nullif(trim(json_extract_string(identifiers, '$.lei')), '')) AS lei FROM parties)
)
SELECT c.node, bool_or(r.country IS DISTINCT FROM $3) AS foreign_party
FROM clean c LEFT JOIN recs r USING (node) GROUP BY c.node
"""

_ROLES = """
CREATE OR REPLACE TEMP TABLE fa_roles AS
WITH raw AS NOT MATERIALIZED (
    SELECT m.source_id, m.item AS key, m.role, m.name, m.node FROM fa_mentions m
    WHERE m.source_id IN (SELECT source_id FROM fa_sources)
    UNION ALL
    SELECT source_id, key, role, name, node FROM fa_register_roles
), several AS (
    SELECT source_id, key FROM raw GROUP BY source_id, key HAVING count(*) > 1
), mapped AS NOT MATERIALIZED (
    SELECT r.source_id, r.key, {DIRECT} AS role, r.name, r.node FROM raw r WHERE r.role NOT IN ({TYPED_ROLES})
    UNION ALL
    SELECT r.source_id, r.key, {TYPED} AS role, r.name, r.node
    FROM raw r JOIN items i ON i.source_id = r.source_id AND i.key = r.key
    WHERE r.role IN ({TYPED_ROLES})
), tagged AS MATERIALIZED (
    SELECT m.source_id, m.key, m.role, m.name, m.node, c.node IS NOT NULL AS clean, c.foreign_party,
           s.key IS NOT NULL AS several
    FROM mapped m LEFT JOIN fa_clean c USING (node) LEFT JOIN several s USING (source_id, key)
    WHERE m.role IS NOT NULL
), lists AS (
    SELECT source_id, key,
           list_sort(list(role || chr(31) || node || chr(31) || name) FILTER (WHERE NOT clean AND name IS NOT NULL)) AS own,
           list_sort(list(role || chr(31) || node || chr(31) || name) FILTER (WHERE clean AND name IS NOT NULL)) AS clean,
           array_to_string(list_sort(list_distinct(list(role) FILTER (WHERE clean))), ',') AS clean_roles,
           coalesce(bool_or(foreign_party), FALSE) AS clean_foreign
    FROM tagged WHERE several
    GROUP BY source_id, key
)
SELECT source_id, key, array_to_string({FIRST_OWN}, chr(30)) AS roles, array_to_string({FIRST_CLEAN}, chr(30)) AS clean_pairs,
       clean_roles, clean_foreign
FROM lists
UNION ALL
SELECT source_id, key,
       CASE WHEN NOT clean AND name IS NOT NULL THEN role || chr(31) || node || chr(31) || name END AS roles,
       CASE WHEN clean AND name IS NOT NULL THEN role || chr(31) || node || chr(31) || name END AS clean_pairs,
       CASE WHEN clean THEN role END AS clean_roles, coalesce(foreign_party, FALSE) AS clean_foreign
FROM tagged WHERE NOT several
"""
"""Each item's (role, node, written) triples, sorted, as one text: those of parties that are not
clean, those of clean ones, and the roles clean parties fill. `written` is the least name the
item's mentions write for that role and party: sorted, the triples of one (role, node) come
together with the least name first, and `_first_per_pair` keeps that one. Lists sorted
afterwards, not ordered aggregates (three times faster in DuckDB): a role is no prefix of another
and chr(31) sorts before any character of a node, so sorting the joined texts sorts by role, then
node, then name. An item with no such triple gets '' or NULL (the classification reads both as
''). Only the mentions of a role word whose rule role depends on the item's type are joined to
the items; a mention of an item that is not there finds no item in the classification and is
dropped there.

Most items are mentioned once: only the items mentioned several times (`several`, counted before
the role words are mapped, so never too few) are grouped into lists; an item mentioned once gets
its one triple as it is. Grouping millions of one-row lists was most of the statement's time."""


def _roles_sql() -> str:
    """`_ROLES` with its parts filled in."""
    return (_ROLES.replace("{DIRECT}", _role_sql("NULL")).replace("{TYPED}", _role_sql("i.item_type"))
            .replace("{TYPED_ROLES}", ", ".join(f"'{role}'" for role in _TYPED_ROLES))
            .replace("{FIRST_OWN}", _first_per_pair("own")).replace("{FIRST_CLEAN}", _first_per_pair("clean")))


def _first_per_pair(triples: str) -> str:
    """SQL: of a sorted list of role-node-name texts, the first of each (role, node)."""
    before = f"{triples}[i - 1]"
    return (f"CASE WHEN len({triples}) > 1 THEN list_filter({triples}, lambda x, i: i = 1 OR NOT starts_with(x, "
            f"split_part({before}, chr(31), 1) || chr(31) || split_part({before}, chr(31), 2) || chr(31))) "
            f"ELSE {triples} END")

# The roles of hardware items and roots (a few hundred of millions of items): their classification
# joins these, so DuckDB does not build a hash table of every item's roles for them.
_ROLES_FEW = """
CREATE OR REPLACE TEMP TABLE fa_roles_few AS
SELECT ro.* FROM fa_roles ro JOIN (
    SELECT i.source_id, i.key FROM items i JOIN fa_roots r USING (source_id)
    WHERE i.item_type = 'hardware' OR i.key = coalesce(r.root, 'cvrule:root:' || substr(i.source_id, 1, 12))
) few USING (source_id, key)
"""

# The item properties the classification reads: each item's JSON is parsed once for all of them
# (one json_extract_string with a list of paths), not once per property.
_PROPERTY_KEYS = ("cvrule:software_kind", "cvrule:enables", "cvrule:rf", "cvrule:max_rf_mhz", "cvrule:passive",
                  "cvrule:open_source", "cvrule:modified_for_proprietary", "cvrule:created", "builtDate", "builtTime",
                  "releaseDate", "releaseTime", "cvrule:installation", "cvrule:model_year")


def _classified(roles: str = "fa_roles") -> str:
    """_CLASSIFIED with the property paths and the column each is read into (`cvrule:rf` -> cvrule_rf),
    the items' roles read from the table `roles`.

    A query, not a table: `_GROUPED` reads it twice, once for hardware and roots (few, filtered
    before the joins) and once for software (grouped as it streams), so the millions of rows are
    never materialized."""
    paths = ", ".join(f"'$.\"{key}\"'" for key in _PROPERTY_KEYS)
    columns = ", ".join(f"p[{n}] AS {key.replace(':', '_')}" for n, key in enumerate(_PROPERTY_KEYS, 1))
    return _CLASSIFIED.replace("{paths}", paths).replace("{columns}", columns).replace("{roles}", roles)


_CLASSIFIED = """
WITH parsed AS (
    SELECT i.*, coalesce(r.root, 'cvrule:root:' || substr(i.source_id, 1, 12)) AS ecu,
           json_extract_string(i.properties, [{paths}]) AS p
    FROM items i JOIN fa_roots r USING (source_id)
), base AS (
    SELECT *, {columns} FROM parsed
), parents AS (
    SELECT l.source_id, l.child AS key, min(l.parent) AS parent
    FROM item_links l JOIN items p ON p.source_id = l.source_id AND p.key = l.parent AND p.item_type = 'hardware'
    WHERE l.relation = 'contains' AND l.source_id IN (SELECT source_id FROM fa_sources)
    GROUP BY ALL
), reg AS (
    SELECT DISTINCT ON (source_id, key) source_id, key, CAST(properties AS JSON) AS rprops
    FROM fa_register_pairs WHERE properties IS NOT NULL
    ORDER BY source_id, key, reg_source, reg_key
)
SELECT b.source_id, b.key, b.name, b.item_type AS type, b.ecu,
       CASE WHEN b.key = b.ecu THEN NULL WHEN b.item_type = 'hardware' THEN coalesce(p.parent, b.ecu) ELSE b.ecu END AS parent,
       b.location, b.version, b.purl,
       coalesce(b.cvrule_software_kind,
                CASE WHEN b.item_type = 'software' THEN CASE lower(replace(replace(b.component_type, '_', '-'), ' ', '-'))
                    WHEN 'firmware' THEN 'firmware'
                    WHEN 'operating-system' THEN 'system' WHEN 'operatingsystem' THEN 'system'
                    WHEN 'application' THEN 'application'
                    WHEN 'library' THEN 'middleware' WHEN 'framework' THEN 'middleware' END END) AS software_kind,
       CASE WHEN b.cvrule_software_kind IS NOT NULL THEN 'property cvrule:software_kind'
            WHEN b.component_type IS NOT NULL THEN 'component type ' || b.component_type END AS kind_from,
       b.cvrule_enables AS enables,
       coalesce(b.cvrule_rf, json_extract_string(g.rprops, '$.rf')) AS rf,
       TRY_CAST(coalesce(b.cvrule_max_rf_mhz, json_extract_string(g.rprops, '$.max_rf_mhz')) AS DOUBLE) AS max_rf_mhz,
       TRY_CAST(b.cvrule_passive AS BOOLEAN) AS passive,
       coalesce(TRY_CAST(b.cvrule_open_source AS BOOLEAN), l.open_source) AS open_source,
       CASE WHEN b.cvrule_open_source IS NOT NULL THEN 'property cvrule:open_source'
            ELSE l.why END AS open_source_from,
       coalesce(TRY_CAST(b.cvrule_modified_for_proprietary AS BOOLEAN), b.modified, FALSE) AS modified,
       TRY_CAST(substr(coalesce(b.cvrule_created, b.builtDate,
                                b.builtTime, b.releaseDate,
                                b.releaseTime), 1, 10) AS DATE) AS created,
       b.cvrule_installation AS installation,
       coalesce(b.model_year, TRY_CAST(b.cvrule_model_year AS INTEGER)) AS model_year,
       coalesce(ro.roles, '') AS roles, coalesce(ro.clean_pairs, '') AS clean_pairs,
       coalesce(ro.clean_roles, '') AS clean_roles, coalesce(ro.clean_foreign, FALSE) AS clean_foreign
FROM base b
LEFT JOIN parents p ON p.source_id = b.source_id AND p.key = b.key
LEFT JOIN reg g ON g.source_id = b.source_id AND g.key = b.key
LEFT JOIN fa_licences l ON l.licenses = b.licenses
LEFT JOIN {roles} ro ON ro.source_id = b.source_id AND ro.key = b.key
"""

# Hardware and roots one by one; software grouped by everything the law reads. Software that is
# not covered whatever its parties (firmware, or open source not modified where such is excluded,
# under every edition the decisions use) is "settled": its parties and dates do not matter.
_GROUPED = """
WITH soft AS (
    SELECT *, {cuts}, coalesce(software_kind IN ({firmware}) OR (open_source AND NOT modified AND {excluded}), FALSE) AS settled
    FROM ({classified}) WHERE type = 'software' AND key <> ecu
)
SELECT source_id, key, name, type, ecu, parent, location, version, purl, 1 AS count, [name] AS members,
       software_kind, kind_from, enables, rf, max_rf_mhz, passive, open_source, open_source_from, modified,
       created, installation, model_year, roles, clean_pairs AS clean_rep, 0 AS clean_sets
FROM ({classified_few}) WHERE type = 'hardware' OR key = ecu
UNION ALL
SELECT source_id, min(key) AS key, arg_min(name, key) AS name, 'software', ecu, ecu AS parent,
       arg_min(location, key) AS location,
       CASE WHEN count(*) = 1 THEN arg_min(version, key) END AS version,
       CASE WHEN count(*) = 1 THEN arg_min(purl, key) END AS purl,
       CAST(count(*) AS INTEGER) AS count,
       -- the first five names by key: a list sorted afterwards, not an ordered aggregate (faster)
       [m.n FOR m IN list_sort(list(struct_pack(k := key, n := name)))[1:5]] AS members,
       software_kind, min(kind_from), enables, NULL, NULL, NULL, open_source, min(open_source_from), modified,
       -- any date on the same side of every cut-off decides the same: the earliest of those on or
       -- after the first cut-off, else the latest of those before it
       CASE WHEN settled THEN min(created) WHEN bool_and(cut0) THEN min(created) ELSE max(created) END AS created,
       installation, model_year, arg_min(roles, key) AS roles, arg_min(clean_pairs, key) AS clean_rep,
       CAST(count(DISTINCT roles || '|' || clean_pairs) AS INTEGER) AS clean_sets
FROM soft
GROUP BY source_id, ecu, software_kind, enables, open_source, modified, installation, model_year, settled,
         CASE WHEN settled THEN NULL ELSE roles END, CASE WHEN settled THEN NULL ELSE clean_roles END,
         CASE WHEN settled THEN NULL ELSE clean_foreign END,
         CASE WHEN settled THEN NULL ELSE created IS NULL END, {cut_names}
ORDER BY source_id, type, location, key
"""
