"""CycloneDX JSON read column by column: the fast path of `cyclonedx.parse_json` for large BOMs.

The reference parser (`cyclonedx.read_json`) builds a Python object for every component and a
tuple for every fact. Here pyarrow's JSON reader parses the file into Arrow columns against a
fixed schema of what cvrule reads, and Arrow compute kernels (with numpy for positions) turn
those columns into the fact columns the store writes as they are (`FactColumns`): no Python
object per component. The facts are exactly the reference parser's;
`tests/ingest/test_cyclonedx_columnar.py` compares the two on every sample and the corpus.

It covers the common shape and hands everything else back (`parse_columnar` returns None, and
the reference parser reads the file, giving its facts or its error):

* anything the reference parser would refuse (a wrong JSON type, a missing name or type, an
  unknown type, an empty or repeated bom-ref, a null in an array, a property value without a
  name, a dependency without a ref, a string over max_string_bytes), and anything orjson refuses
  that pyarrow would read (NaN or Infinity, invalid UTF-8, nesting over 1,000 levels, two
  documents); pyarrow itself refuses the rest (a wrong type, a repeated key, a syntax error);
* components nested deeper than `LEVELS`, a party with a `bom-ref` of its own (a PartyFact),
  repeated property names (kept as `name#2` by the reference parser), unusual whitespace around
  a model-year property.

`metadata` (one product and its parties) is small: the reference parser reads it, from the
Arrow value turned into Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cvrule.errors import InputError
from cvrule.ingest.base import Parsed
from cvrule.ingest.countries import normalize_country
from cvrule.ingest.facts import FactColumns, FactStream, ItemFact, ItemLink, RoleMention, SourceInfo, field_names
from cvrule.ingest.limits import Limits

__all__ = ["LEVELS", "parse_columnar"]

LEVELS = 4
"""Component nesting read column by column (top-level components and three levels inside them)."""
ORJSON_DEPTH = 1000
"""orjson refuses nesting deeper than 1024 levels; the fast path declines anything near it."""

S = pa.string()
_ENTITY = pa.struct([("name", S), ("url", pa.list_(S)), ("contact", pa.list_(pa.struct([("name", S), ("email", S)]))),
                     ("address", pa.struct([("country", S)])), ("bom-ref", S)])
_CONTACT = pa.struct([("name", S), ("email", S), ("bom-ref", S)])
_PRESENT = pa.list_(pa.struct([]))
"""An array whose entries are only counted (pedigree patches, components beyond LEVELS)."""
_PEDIGREE = pa.struct([("patches", _PRESENT), ("variants", _PRESENT), ("descendants", _PRESENT)])
_TEXT_FIELDS = ("type", "bom-ref", "name", "version", "group", "description", "purl", "cpe", "author", "publisher")


def _component_type(levels: int) -> pa.DataType:
    fields = [(name, S) for name in _TEXT_FIELDS] + [
        ("modified", pa.bool_()), ("pedigree", _PEDIGREE), ("supplier", _ENTITY), ("manufacturer", _ENTITY),
        ("authors", pa.list_(_CONTACT)), ("properties", pa.list_(pa.struct([("name", S), ("value", S)]))),
        ("licenses", pa.list_(pa.struct([("expression", S), ("license", pa.struct([("id", S), ("name", S)]))]))),
        ("components", pa.list_(_component_type(levels - 1)) if levels > 1 else _PRESENT),
    ]
    return pa.struct(fields)


_COMPONENT = _component_type(LEVELS)
_SCHEMA = pa.schema([
    ("bomFormat", S), ("specVersion", S), ("serialNumber", S),
    ("metadata", pa.struct([("timestamp", S), ("component", _COMPONENT), ("supplier", _ENTITY),
                            ("manufacture", _ENTITY)])),
    ("components", pa.list_(_COMPONENT)),
    ("dependencies", pa.list_(pa.struct([("ref", S), ("dependsOn", pa.list_(S))]))),
])
_FLAT = [name for name in _COMPONENT.names if name not in ("components", "pedigree")]


class _Decline(Exception):
    """The file is not one the fast path reads exactly; the reference parser reads it."""


def parse_columnar(path: Path, limits: Limits, data: bytes) -> Parsed | None:
    """The file's facts read column by column, or None when the reference parser must read it."""
    from cvrule.ingest import cyclonedx

    if limits.max_depth < LEVELS:
        return None
    try:
        if not _valid_utf8(data) or _orjson_would_refuse(data, ORJSON_DEPTH):
            return None
        import pyarrow.json as pj

        table = pj.read_json(pa.py_buffer(data), read_options=pj.ReadOptions(block_size=len(data) + 1, use_threads=False),
                             parse_options=pj.ParseOptions(explicit_schema=_SCHEMA, unexpected_field_behavior="ignore",
                                                           newlines_in_values=True))
    except (pa.ArrowException, ValueError, UnicodeDecodeError):
        return None
    try:
        if table.num_rows != 1:
            raise _Decline
        header = {name: table.column(name)[0].as_py() for name in ("bomFormat", "specVersion", "serialNumber")}
        if header["bomFormat"] != "CycloneDX" or header["specVersion"] not in cyclonedx.JSON_VERSIONS:
            raise _Decline
        reader = cyclonedx._JsonBom(str(path), limits.max_depth)
        try:
            document_name, created = reader.read_metadata(table.column("metadata")[0].as_py(), header["serialNumber"])
        except InputError:
            raise _Decline from None
        components = _flatten(table.column("components").combine_chunks())
        dependencies = table.column("dependencies")
        del table
        columns = _facts(components, dependencies, set(reader.out.item_locations), limits)
    except _Decline:
        return None
    source = SourceInfo(format="cyclonedx-json", format_version=header["specVersion"], document_name=document_name,
                        created=created)
    return Parsed(source, FactStream(reader.out.batches() + columns))


# --- what orjson refuses and pyarrow reads ---------------------------------------------------------

_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1
_KEPT = b'"[]{}:,NI'
_NOT_KEPT = bytes(sorted(set(range(256)) - set(_KEPT)))
_VALUE_START = np.frombuffer(b":[,", dtype=np.uint8)
"""RapidJSON (pyarrow) reads NaN, Inf, Infinity and their negatives as values; orjson refuses them."""


def _valid_utf8(data: bytes) -> bool:
    """Whether the whole file is UTF-8 (orjson refuses it otherwise; pyarrow's JSON reader does not
    check strings), by Arrow's validation (milliseconds for 50 MB)."""
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, pa.py_buffer(np.array([0, len(data)], np.int64)),
                                                          pa.py_buffer(data)])
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _orjson_would_refuse(data: bytes, depth: int) -> bool:
    """Whether the file holds what pyarrow reads and orjson refuses: a NaN or Inf value, or
    arrays and objects nested deeper than `depth`.

    The file is reduced to quotes, brackets, `:`, `,`, `N` and `I` (one pass in C). A value NaN or
    Inf then stands right after `:`, `[` or `,` (whitespace and a minus sign are gone); a string
    such as "a:Nb" looks the same and sends the file to the reference parser needlessly, which is
    only slower. For the depth, the rest is dropped and so is every pair of adjacent quotes (a
    string without brackets, or one string's end and the next one's start): that keeps the quote
    parity which tells a bracket inside a string from one outside."""
    if b"\\" in data:  # escaped backslashes first, then escaped quotes: neither delimits a string
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    reduced = data.translate(None, _NOT_KEPT)
    codes = np.frombuffer(reduced, dtype=np.uint8)
    letters = np.flatnonzero((codes == ord("N")) | (codes == ord("I")))
    letters = letters[letters > 0]
    suspects = letters[np.isin(codes[letters - 1], _VALUE_START)]
    if suspects.size:  # outside a string when an even number of quotes precede it
        quotes = np.flatnonzero(codes == ord('"'))
        if (np.searchsorted(quotes, suspects) % 2 == 0).any():
            return True
    if len(data) <= depth:
        return False
    reduced = reduced.translate(None, b":,NI").replace(b'""', b"")
    codes = np.frombuffer(reduced, dtype=np.uint8)
    steps = _STEP[codes]
    if b'"' in reduced:
        inside = (np.cumsum(codes == ord('"'), dtype=np.int64) & 1).astype(bool)
        steps = np.where(inside, 0, steps)
    return bool(steps.size) and int(np.cumsum(steps, dtype=np.int32).max()) > depth


# --- components, level by level ---------------------------------------------------------------------

def _modified(components: pa.StructArray) -> pa.Array:
    """The reference parser's `modified`: true when the pedigree lists patches, variants or
    descendants, else the deprecated `modified` flag as written."""
    pedigree = pc.struct_field(components, "pedigree")
    listed = [pc.fill_null(pc.greater(pc.list_value_length(pc.struct_field(pedigree, name)), 0), False)
              for name in ("patches", "variants", "descendants")]
    changed = pc.or_kleene(pc.or_kleene(listed[0], listed[1]), listed[2])
    return pc.if_else(changed, True, components.field("modified"))


def _flatten(top: pa.ListArray) -> pa.Table:
    """Every component of `components` (nested ones included) as one row: its fields, its
    location (JSON pointer), key (bom-ref, else location) and its parent's key."""
    parts = []
    lists, parent_locations, parent_keys = top, pa.array(["/components"], S), pa.array([None], S)
    for level in range(1, LEVELS + 1):
        values = lists.flatten()
        if values.null_count:
            raise _Decline  # a null in a components array: the reference parser refuses it
        if len(values) == 0:
            break
        parents = pc.list_parent_indices(lists)
        offsets = lists.offsets.to_numpy()
        ordinal = np.arange(len(values), dtype=np.int64) + offsets[0] - offsets[parents.to_numpy()]
        locations = pc.binary_join_element_wise(
            parent_locations.take(parents) if level > 1 else pc.take(parent_locations, pa.array(np.zeros(len(values), np.int64))),
            "/" if level == 1 else "/components/", pa.array(ordinal).cast(S), "")
        refs = values.field("bom-ref")
        keys = pc.coalesce(refs, locations)
        columns = {name: values.field(name) for name in _FLAT}
        columns["modified"] = _modified(values)
        columns.update(location=locations, key=keys,
                       parent_key=parent_keys.take(parents) if level > 1 else pa.nulls(len(values), S))
        parts.append(pa.table(columns))
        children = values.field("components")
        if level == LEVELS:
            if pc.max(pc.list_value_length(children)).as_py() or 0:
                raise _Decline  # nested deeper than LEVELS
            break
        lists, parent_locations, parent_keys = children, locations, keys
    if not parts:
        return pa.table({name: pa.array([], _COMPONENT.field(name).type) for name in _FLAT}
                        | {"location": pa.array([], S), "key": pa.array([], S),
                           "parent_key": pa.array([], S)})
    return pa.concat_tables(parts).combine_chunks()


# --- the facts, column by column --------------------------------------------------------------------

_MODEL_YEAR_NAME = "model[-_]?year"
_MODEL_YEAR_VALUE = r"^[ \t\n\r\f\v]*[0-9]{4}[ \t\n\r\f\v]*$"
_OTHER_SPACE = r"[\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
"""What Python's str.strip() removes besides the ASCII whitespace of _MODEL_YEAR_VALUE."""
_UNESCAPED_CONTROL = r"[\x00-\x07\x0b\x0e-\x1f]"
_CONTROL_CODES = [*range(0x00, 0x08), 0x0b, *range(0x0e, 0x20)]
"""Control characters orjson writes as \\u00xx (lower case); the others have short escapes."""
_NEEDS_ESCAPE = r'[\x00-\x1f"\\]'
"""A character orjson escapes: a control character, a quote or a backslash."""
_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"), ("\f", "\\f"))


def _any(mask: Any) -> bool:
    return bool(pc.any(mask).as_py())


def _text(values: Any) -> Any:
    """The reference parser's `text`: an empty string is no value."""
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, S), values)


def _parts(lists: Any) -> tuple[Any, np.ndarray]:
    """A list column's entries and, for each, the row it belongs to; a null entry is refused."""
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    values = lists.flatten()
    if values.null_count:
        raise _Decline
    return values, pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)


def _ordinals(lists: Any) -> np.ndarray:
    """Each entry's index within its list."""
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    offsets = lists.offsets.to_numpy()
    return np.arange(len(parents), dtype=np.int64) + offsets[0] - offsets[parents]


def _first(rows: int, parents: np.ndarray, values: Any, mask: Any = None) -> Any:
    """Per row, the first entry (of those in `mask`) of its list; null when it has none."""
    chosen = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False)) if mask is not None \
        else np.arange(len(parents))
    owners = parents[chosen]
    first = np.ones(len(owners), dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    take = np.full(rows, -1, dtype=np.int64)
    take[owners[first]] = chosen[first]
    return values.take(pa.array(take, mask=take < 0))


def _json_strings(values: Any) -> Any:
    """Each string as orjson writes it (the store keeps `properties` as orjson's JSON), quotes included.
    One scan finds whether any string needs an escape at all (most files have none)."""
    if _any(pc.match_substring_regex(values, _NEEDS_ESCAPE)):
        for old, new in _ESCAPES:
            values = pc.replace_substring(values, old, new)
        if _any(pc.match_substring_regex(values, _UNESCAPED_CONTROL)):
            for code in _CONTROL_CODES:
                values = pc.replace_substring(values, chr(code), f"\\u{code:04x}")
    return pc.binary_join_element_wise('"', values, '"', "")


def _lists(rows: int, parents: np.ndarray, values: Any) -> pa.ListArray:
    """A list per row from entries sorted by row."""
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(np.bincount(parents, minlength=rows), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _column_of(table: pa.Table):
    """name -> the column as one Array (`_flatten` gives a table of one chunk)."""
    def column(name: str):
        chunks = table.column(name)
        return chunks.chunk(0) if chunks.num_chunks == 1 else chunks.combine_chunks()
    return column


def _append(location: Any, suffix: str) -> Any:
    return pc.binary_join_element_wise(location, suffix, "")


def _facts(components: pa.Table, dependencies: pa.ChunkedArray, metadata_refs: set[str], limits: Limits) -> list[FactColumns]:
    """The ItemFact, RoleMention and ItemLink columns of the components and dependencies."""
    from cvrule.ingest import cyclonedx

    rows = components.num_rows
    column = _column_of(components)
    types, refs = column("type"), column("bom-ref")
    if column("name").null_count or not pc.all(pc.is_in(types, value_set=pa.array(sorted(cyclonedx.COMPONENT_TYPES))),
                                               min_count=0).as_py():
        raise _Decline  # a component without a name or a type CycloneDX defines
    if _any(pc.equal(refs, "")) or pc.count_distinct(refs).as_py() != rows - refs.null_count:
        raise _Decline  # an empty or repeated bom-ref
    if metadata_refs and _any(pc.is_in(refs, value_set=pa.array(sorted(metadata_refs), S))):
        raise _Decline  # a bom-ref of the product (or its parts) used again by a component
    out = [FactColumns(ItemFact, _items(components, cyclonedx)),
           FactColumns(RoleMention, _mentions(components)),
           FactColumns(ItemLink, _links(components, dependencies))]
    out = [batch for batch in out if len(batch)]
    for batch in out:
        if _longest_text(batch.table) > limits.max_string_bytes:
            raise _Decline  # the store refuses it; the reference parser's facts name which
    return out


def _items(components: pa.Table, cyclonedx: Any) -> pa.Table:
    rows = components.num_rows
    column = _column_of(components)
    types = column("type")
    item_type = pc.if_else(pc.equal(types, "device"), "hardware",
                           pc.if_else(pc.is_in(types, value_set=pa.array(sorted(cyclonedx.SOFTWARE_TYPES))), "software",
                                      "unknown"))
    entries, parents = _parts(column("properties"))
    names, values = pc.struct_field(entries, "name"), pc.struct_field(entries, "value")
    unnamed = pc.or_kleene(pc.is_null(names), pc.equal(names, ""))
    if _any(pc.and_kleene(unnamed, pc.and_kleene(pc.is_valid(values), pc.not_equal(values, "")))):
        raise _Decline  # a property value without a name
    named = np.flatnonzero(pc.invert(unnamed).to_numpy(zero_copy_only=False))
    names, values, parents = names.take(named), pc.fill_null(values.take(named), ""), parents[named]
    year_named = pc.match_substring_regex(names, _MODEL_YEAR_NAME, ignore_case=True)
    if _any(pc.and_kleene(year_named, pc.match_substring_regex(values, _OTHER_SPACE))):
        raise _Decline
    is_year = pc.and_kleene(year_named, pc.match_substring_regex(values, _MODEL_YEAR_VALUE))
    model_year = pc.cast(pc.replace_substring_regex(_first(rows, parents, values, is_year), r"[^0-9]", ""), pa.int32())
    groups = _text(column("group"))
    grouped = np.flatnonzero(pc.is_valid(groups).to_numpy(zero_copy_only=False))
    names = pa.concat_arrays([names, pa.array(np.full(len(grouped), cyclonedx.GROUP_PROPERTY, dtype=object), S)])
    values = pa.concat_arrays([values, groups.take(grouped)])
    parents = np.concatenate([parents, grouped])
    order = pc.sort_indices(pa.table({"row": parents, "name": names}), [("row", "ascending"), ("name", "ascending")])
    order_np = order.to_numpy()
    parents, names, values = parents[order_np], names.take(order), values.take(order)
    if len(parents) > 1 and np.any((parents[1:] == parents[:-1]) &
                                   pc.equal(names[1:], names[:-1]).to_numpy(zero_copy_only=False)):
        raise _Decline  # a repeated property name (kept as name#2 by the reference parser)
    pairs = pc.binary_join_element_wise(_json_strings(names), _json_strings(values), ":")
    joined = pc.binary_join(_lists(rows, parents, pairs), ",")
    properties = pc.if_else(pc.equal(joined, ""), pa.scalar(None, S), pc.binary_join_element_wise("{", joined, "}", ""))

    entries, parents = _parts(column("licenses"))
    expression = _text(pc.struct_field(entries, "expression"))
    named_license = pc.coalesce(_text(pc.struct_field(entries, ["license", "id"])),
                                _text(pc.struct_field(entries, ["license", "name"])))
    both = pa.concat_arrays([expression, named_license])
    owners = np.concatenate([parents, parents])
    order = np.argsort(np.concatenate([np.arange(len(parents)) * 2, np.arange(len(parents)) * 2 + 1]), kind="stable")
    both, owners = both.take(pa.array(order)), owners[order]
    present = np.flatnonzero(pc.is_valid(both).to_numpy(zero_copy_only=False))
    both, owners = both.take(pa.array(present)), owners[present]
    several = np.flatnonzero(np.bincount(owners, minlength=rows)[owners] > 1) if len(both) else owners[:0]
    if len(several):  # a license named twice in one component is kept once, where it first appears
        first = pa.table({"row": owners[several], "license": both.take(pa.array(several)), "at": several}).group_by(
            ["row", "license"]).aggregate([("at", "min")]).column("at_min").to_numpy()
        if len(first) != len(several):
            kept = np.sort(np.concatenate([np.setdiff1d(np.arange(len(both)), several, assume_unique=True), first]))
            both, owners = both.take(pa.array(kept)), owners[kept]
    licenses = _lists(rows, owners, both)
    return pa.table({
        "key": column("key"), "name": column("name"), "location": column("location"), "item_type": item_type,
        "component_type": types, "version": _text(column("version")), "purl": _text(column("purl")),
        "cpe": _text(column("cpe")), "model_year": model_year, "description": _text(column("description")),
        "properties": properties, "licenses": licenses, "modified": column("modified"),
    })


def _mentions(components: pa.Table) -> pa.Table:
    rows = components.num_rows
    column = _column_of(components)
    keys, locations = column("key"), column("location")
    parts = []
    for role, field in (("supplied_by", "supplier"), ("manufactured_by", "manufacturer")):
        entity = column(field)
        if _any(pc.not_equal(pc.struct_field(entity, "bom-ref"), "")):
            raise _Decline  # a party with a bom-ref of its own (a PartyFact)
        urls, url_rows = _parts(pc.struct_field(entity, "url"))
        url = _first(rows, url_rows, urls, pc.not_equal(urls, ""))
        contacts, contact_rows = _parts(pc.struct_field(entity, "contact"))
        emails = _text(pc.struct_field(contacts, "email"))
        who = pc.coalesce(_text(pc.struct_field(contacts, "name")), emails)
        name = pc.coalesce(_text(pc.struct_field(entity, "name")), _first(rows, contact_rows, who, pc.is_valid(who)), url)
        email = _first(rows, contact_rows, emails, pc.is_valid(emails))
        kept = np.flatnonzero(pc.and_kleene(pc.is_valid(entity), pc.is_valid(name)).to_numpy(zero_copy_only=False))
        kept = pa.array(kept)
        parts.append({"item": keys.take(kept), "role": pa.repeat(pa.scalar(role, S), len(kept)), "name": name.take(kept),
                      "location": _append(locations.take(kept), "/" + field), "party": pa.nulls(len(kept), S),
                      "country_raw": _text(pc.struct_field(entity, ["address", "country"])).take(kept),
                      "url": url.take(kept), "email": email.take(kept)})
    for role, field in (("authored_by", "author"), ("published_by", "publisher")):
        named = _text(column(field))
        kept = pa.array(np.flatnonzero(pc.is_valid(named).to_numpy(zero_copy_only=False)))
        parts.append({"item": keys.take(kept), "role": pa.repeat(pa.scalar(role, S), len(kept)), "name": named.take(kept),
                      "location": _append(locations.take(kept), "/" + field), "party": pa.nulls(len(kept), S),
                      "country_raw": pa.nulls(len(kept), S), "url": pa.nulls(len(kept), S), "email": pa.nulls(len(kept), S)})
    authors = column("authors")
    contacts, owners = _parts(authors)
    if _any(pc.not_equal(pc.struct_field(contacts, "bom-ref"), "")):
        raise _Decline
    emails = _text(pc.struct_field(contacts, "email"))
    who = pc.coalesce(_text(pc.struct_field(contacts, "name")), emails)
    kept = np.flatnonzero(pc.is_valid(who).to_numpy(zero_copy_only=False))
    where = pc.binary_join_element_wise(locations.take(pa.array(owners[kept])), "/authors/",
                                        pa.array(_ordinals(authors)[kept]).cast(S), "")
    kept = pa.array(kept)
    parts.append({"item": keys.take(pa.array(owners)).take(kept), "role": pa.repeat(pa.scalar("authored_by", S), len(kept)),
                  "name": who.take(kept), "location": where, "party": pa.nulls(len(kept), S),
                  "country_raw": pa.nulls(len(kept), S), "url": pa.nulls(len(kept), S), "email": emails.take(kept)})
    table = pa.concat_tables([pa.table({name: pa.array(values) if not isinstance(values, (pa.Array, pa.ChunkedArray))
                                        else values for name, values in part.items()}) for part in parts])
    raw = table.column("country_raw")
    distinct = pc.unique(raw).drop_null()
    codes = pa.array([normalize_country(value) for value in distinct.to_pylist()], S)
    table = table.append_column("country", pc.take(codes, pc.index_in(raw, value_set=distinct)))
    return table.select(list(field_names(RoleMention)))


def _links(components: pa.Table, dependencies: pa.ChunkedArray) -> pa.Table:
    column = _column_of(components)
    nested = pc.is_valid(column("parent_key"))
    contains = {"parent": pc.filter(column("parent_key"), nested), "child": pc.filter(column("key"), nested),
                "relation": None, "location": pc.filter(column("location"), nested)}
    contains["relation"] = pa.repeat(pa.scalar("contains", S), len(contains["child"]))
    entries, _ = _parts(dependencies)
    refs = pc.struct_field(entries, "ref")
    if refs.null_count or _any(pc.equal(refs, "")):
        raise _Decline  # a dependency without a ref
    lists = pc.struct_field(entries, "dependsOn")
    children, owners = _parts(lists)
    if _any(pc.equal(children, "")):
        raise _Decline
    where = pc.binary_join_element_wise("/dependencies/", pa.array(owners).cast(S), "/dependsOn/",
                                        pa.array(_ordinals(lists)).cast(S), "")
    depends = {"parent": refs.take(pa.array(owners)), "child": children,
               "relation": pa.repeat(pa.scalar("depends_on", S), len(children)), "location": where}
    return pa.concat_tables([pa.table(contains), pa.table(depends)]).select(list(field_names(ItemLink)))


def _longest_text(table: pa.Table) -> int:
    longest = 0
    for column in table.columns:
        if pa.types.is_string(column.type):
            lengths = pc.binary_length(column)
        elif pa.types.is_list(column.type) and pa.types.is_string(column.type.value_type):
            lengths = pc.binary_length(pc.list_flatten(column))
        else:
            continue
        longest = max(longest, pc.max(lengths).as_py() or 0)
    return longest
