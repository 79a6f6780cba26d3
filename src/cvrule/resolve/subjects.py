"""From stored facts to targets and queries: parties and list entries become targets, role
mentions and parties become queries, each with the stable key analyst judgements attach to."""

from __future__ import annotations

import re

import orjson

from cvrule.ingest.countries import normalize_country
from cvrule.resolve.identifiers import Identifiers, identifiers_from, identifiers_in_text, normalize, purl_hints
from cvrule.resolve.model import Query, Target
from cvrule.resolve.names import simple_fold

__all__ = ["is_bom_format", "list_target", "mention_query", "party_hints", "party_query", "party_target", "subject_of"]

_SOFTWARE_ROLES = frozenset({"supplied_by", "developed_by", "authored_by", "published_by", "originated_by"})
_BOM_FORMAT_PREFIXES = ("cyclonedx", "spdx", "cx-0158")


def is_bom_format(source_format: str | None) -> bool:
    """Whether a source's format (`sources.format`) is a bill of materials (CycloneDX, SPDX 2 or
    3, Catena-X CX-0158-1). The parties such a file describes (a CycloneDX supplier with a
    `bom-ref`, an SPDX 3 agent) are the BOM's own words about its suppliers, not ownership
    parties: resolution does not link to them, it resolves the mention like any name, with the
    identifiers the BOM gives."""
    return bool(source_format) and source_format.lower().startswith(_BOM_FORMAT_PREFIXES)


def _json(value) -> dict:
    if not value:
        return {}
    if isinstance(value, dict):
        return value
    try:
        loaded = orjson.loads(value)
    except orjson.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def party_target(row: tuple, extra_aliases: list[str] | None = None) -> Target:
    """A party row (source_id, key, name, kind, country, headquarters, identifiers, aliases)."""
    source_id, key, name, _kind, country, headquarters, identifiers, aliases = row
    ids = identifiers_from(_json(identifiers))
    if key and len(key) == 20 and normalize("lei", key)[0]:
        ids.add("lei", key)  # GLEIF parties are keyed by their LEI
    names = tuple(dict.fromkeys(n for n in [name, *(aliases or []), *(extra_aliases or [])] if n))
    countries = tuple(dict.fromkeys(c for c in (country, headquarters) if c))
    return Target(ref=key, kind="party", source_id=source_id, key=key, name=name or key, names=names,
                  countries=countries, identifiers=ids)


def party_hints(row: tuple | None) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The country and the (scheme, value) identifiers of a party row, for a query about it (a
    BOM's own record of a supplier lends them to the mention); (None, ()) for no row."""
    if row is None:
        return None, ()
    _source_id, _key, _name, _kind, country, _headquarters, identifiers, _aliases = row
    return country, tuple(sorted((str(k), str(v)) for k, v in _json(identifiers).items() if v))


def list_target(row: tuple, extra_aliases: list[str] | None = None) -> Target:
    """A list entry row (source_id, key, list_name, name, entity_type, aliases, countries, programs, identifiers)."""
    source_id, key, list_name, name, _entity_type, aliases, countries, programs, identifiers = row
    ref = f"{list_name}:{key}"
    names = tuple(dict.fromkeys(n for n in [name, *(aliases or []), *(extra_aliases or [])] if n))
    codes = tuple(dict.fromkeys(c for c in (normalize_country(c) for c in (countries or [])) if c))
    return Target(ref=ref, kind="list_entry", source_id=source_id, key=key, name=name or key, names=names,
                  countries=codes, identifiers=identifiers_from(_json(identifiers)), list_name=list_name,
                  programs=tuple(programs or ()))


def mention_query(name: str, country: str | None = None, url: str | None = None, email: str | None = None,
                  purl: str | None = None, role: str | None = None,
                  identifiers: tuple[tuple[str, str], ...] = ()) -> tuple[str, Query]:
    """(subject key, query) for a supplier as a file names it; `identifiers` are (scheme, value)
    pairs the file gives for it elsewhere (the BOM's own record of the party).

    The subject key is what an analyst's decision attaches to: the name as written (case and
    width folded), the country and any identifiers, so a decision about "QUECTEL" from China
    applies to every BOM that names it so, and to nothing else.
    """
    ids = identifiers_in_text(name or "")
    for scheme, value in identifiers:
        ids.add(scheme, value)
    names = [name] if name else []
    domains = ids.values.get("domain")
    if domains and name and len(ids.values) == 1:
        names = [sorted(domains)[0].split(".")[0]]  # the name is a bare domain: compare its label
    if url:
        ids.add("url", url)
    if email:
        ids.add("email", email)
    organization = None
    if purl and (role is None or role in _SOFTWARE_ROLES):
        domain, organization = purl_hints(purl)
        if domain:
            ids.add("domain", domain)
    code = normalize_country(country) if country else None
    key = "mention:" + simple_fold(name or "") + "|" + (code or "")
    id_items = ids.items()
    if id_items:
        key += "|" + ",".join(f"{s}={v}" for s, v in id_items)
    return key, Query(names=tuple(names), country=code, identifiers=ids, organization_hint=organization)


_MENTION_KEY = re.compile(r"^mention:(?P<name>.*?)\|(?P<country>[A-Z]{2})?(?:\|[^|]*)?$", re.S)


def subject_of(subject_key: str) -> tuple[str, str | None]:
    """(folded name, country) of a mention's subject key (`mention_query`), whatever identifiers
    it carries: the subject a person is asked about. Any other key is its own subject."""
    found = _MENTION_KEY.match(subject_key or "")
    if found is None:
        return subject_key or "", None
    return found["name"], found["country"]


def party_query(target: Target) -> tuple[str, Query]:
    """(subject key, query) to screen a party under all its names."""
    country = target.countries[0] if target.countries else None
    ids = Identifiers({scheme: set(values) for scheme, values in target.identifiers.values.items()})
    return f"party:{target.ref}", Query(names=target.names, country=country, identifiers=ids)
