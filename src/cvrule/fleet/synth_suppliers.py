"""The supplier pool of a synthetic fleet (`cvrule synth fleet`) and the data an OEM holds on it:
BODS 0.4 ownership statements and a supplier register (CSV).

A few thousand suppliers with country codes and unique names. A set share of them is linked to
a country of `LINKED_COUNTRIES`, in one of three ways:

- organized there (55 %);
- majority-owned from there through a chain of one to three holding companies, some of them
  offshore, the last owned by a group or a state body organized there (35 %);
- organized offshore (KY, VG, BM) and headquartered there (10 %).

A few suppliers are unknown: the BOMs name them, but no ownership statement or register row says
anything of them. Everyone else is organized elsewhere; about a third belong to a group (a parent
company, some held by people), and about one in twenty has a small stake (2-9 %) held from a
linked country. Every linking chain holds majorities (51-100 %) at each hop, so whether a
supplier is linked does not depend on thresholds.

Country codes and shares here are test data, not law.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pycountry
from stdnum.iso7064 import mod_97_10

from cvrule.ingest.register import write_register

__all__ = ["LINKED_COUNTRIES", "SYLLABLES", "Supplier", "build_suppliers", "synthetic_lei", "write_ownership", "write_supplier_register"]

LINKED_COUNTRIES = ("CN", "HK", "RU")

SYLLABLES = ("ka lo ri ven tor mi sa zen qu ec tel fi bo com neo way lan dar vex ion ta ku na mer sol tri gen vo "
             "lux ar is om ex hal bri cor den fa gor hy ja kel mon nor pa rel sim tu").split()
_INDUSTRY = ("Electronics Technology Automotive Semiconductor Precision Telematics Systems Software Components "
             "Optics Microelectronics Networks Devices Connectivity Mobility Sensors Wireless Embedded Digital "
             "Photonics Circuits Robotics Data Solutions Engineering Instruments").split()
_FORMS = {
    "US": ("Inc.", "LLC", "Corp."), "DE": ("GmbH", "AG", "GmbH & Co. KG"), "JP": ("K.K.", "Co., Ltd.", "Corporation"),
    "KR": ("Co., Ltd.", "Corp."), "TW": ("Co., Ltd.", "Corporation", "Inc."), "FR": ("SA", "SAS"), "IT": ("S.r.l.", "S.p.A."),
    "GB": ("Limited", "Ltd", "plc"), "IN": ("Private Limited", "Limited"), "MX": ("S.A. de C.V.",), "SE": ("AB",),
    "NL": ("B.V.", "N.V."), "SG": ("Pte. Ltd.",), "IE": ("Limited", "DAC"), "CH": ("AG", "SA", "GmbH"), "CA": ("Inc.", "Ltd."),
    "AT": ("GmbH", "AG"), "ES": ("S.L.", "S.A."), "CZ": ("s.r.o.", "a.s."), "PL": ("sp. z o.o.", "S.A."), "IL": ("Ltd.",),
    "FI": ("Oy", "Oyj"), "VN": ("Joint Stock Company", "Co., Ltd."), "TH": ("Co., Ltd.", "Public Company Limited"),
    "MY": ("Sdn. Bhd.", "Berhad"), "CN": ("Co., Ltd.", "Technology Co., Ltd.", "Limited"), "HK": ("Limited", "Company Limited"),
    "RU": ("OOO", "JSC", "LLC", "PJSC"), "KY": ("Ltd.", "Holdings Ltd."), "VG": ("Limited", "Ltd."), "BM": ("Ltd.",),
    "LU": ("S.à r.l.", "S.A."),
}
_CITIES = {
    "CN": "Shenzhen Shanghai Suzhou Dongguan Hangzhou Wuhan Chongqing Ningbo Hefei Xiamen".split(),
    "HK": ("Kowloon", "Victoria Harbour", "Tsuen Wan"), "RU": "Moscow Kazan Samara Tolyatti Novosibirsk".split(),
    "DE": "Stuttgart Munich Hannover Dresden".split(), "JP": "Osaka Nagoya Kariya Yokohama".split(),
    "TW": "Hsinchu Taichung Taoyuan".split(), "KR": "Seoul Suwon Ulsan".split(),
}
_ELSEWHERE = (("US", 16), ("DE", 14), ("JP", 12), ("KR", 6), ("TW", 6), ("FR", 5), ("IT", 4), ("GB", 4), ("IN", 5),
              ("MX", 3), ("SE", 2), ("NL", 3), ("SG", 3), ("IE", 2), ("CH", 2), ("CA", 3), ("AT", 2), ("ES", 2),
              ("CZ", 2), ("PL", 2), ("IL", 1), ("FI", 1), ("VN", 1), ("TH", 1), ("MY", 1))
_LINKED_ORGANIZED = (("CN", 70), ("HK", 20), ("RU", 10))
_HOLDING_HOPS = ("SG", "NL", "KY", "VG", "IE", "LU", "CH")
_OFFSHORE = ("KY", "VG", "BM")
_GIVEN = "Anna Ben Carla David Elena Felix Greta Hiro Ines Jonas Kenji Laura Marco Nina Oscar Paula Rafael Sofia Tomas Yuki".split()
_FAMILY = "Adler Berg Costa Dubois Eriksen Fischer Garcia Hoffmann Ito Jansen Keller Lindqvist Moreau Novak Ortega Park Rossi Sato Weber Young".split()
_MAJORITY = (51, 55, 60, 66, 75, 80, 90, 100, 100, 100)


@dataclass(frozen=True)
class Supplier:
    """One supplier of the pool. `key` is its BODS recordId and register id."""

    key: str
    name: str
    country: str | None
    headquarters: str | None
    domain: str
    lei: str | None
    link: str | None
    """How it is linked: "organized", "owned" or "headquartered"; None when it is not."""
    known: bool
    """Whether ownership data and the register say anything of it."""

    @property
    def licence_ref(self) -> str:
        return "LicenseRef-" + "".join(ch for ch in self.name.split()[0] if ch.isalnum()) + "-Proprietary"

    def entity(self) -> dict:
        """The CycloneDX organizationalEntity that names it in a BOM."""
        entity: dict = {"name": self.name}
        if self.country is not None:
            entity["address"] = {"country": self.country}
        entity["url"] = [f"https://{self.domain}"]
        return entity


def synthetic_lei(rnd: random.Random) -> str:
    """A fictional LEI (prefix CVRL00) with valid ISO 17442 check digits."""
    base = "CVRL00" + "".join(rnd.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(12))
    return base + mod_97_10.calc_check_digits(base)


def _brand(rnd: random.Random) -> str:
    return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.choice((2, 2, 3)))).capitalize()


def _weighted(rnd: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rnd.choices([value for value, _ in table], [weight for _, weight in table])[0]


class _Names:
    """Unique company names: a city now and then, a coined brand, an industry word, the legal form."""

    def __init__(self, rnd: random.Random):
        self.rnd = rnd
        self.taken: set[str] = set()

    def company(self, country: str, industry: str | None = None) -> tuple[str, str]:
        rnd = self.rnd
        while True:
            brand = _brand(rnd)
            city = rnd.choice(_CITIES[country]) + " " if country in _CITIES and rnd.random() < 0.4 else ""
            word = industry or rnd.choice(_INDUSTRY)
            name = f"{city}{brand} {word} {rnd.choice(_FORMS[country])}"
            if name not in self.taken:
                self.taken.add(name)
                slug = f"{brand}-{word}".lower().replace(" ", "-")
                return name, f"www.{slug}-{country.lower()}.example"


def build_suppliers(count: int, seed: int, linked_share: float, unknown_share: float) -> list[Supplier]:
    """The pool, in a fixed order; exactly round(count * share) suppliers are linked and unknown."""
    if not 0 <= linked_share + unknown_share <= 1:
        raise ValueError("linked_share and unknown_share must be fractions that add up to at most 1")
    rnd = random.Random(f"cvrule-synth-suppliers:{seed}")
    names = _Names(rnd)
    linked, unknown = round(count * linked_share), round(count * unknown_share)
    order = list(range(count))
    rnd.shuffle(order)
    role = {index: "linked" for index in order[:linked]} | {index: "unknown" for index in order[linked:linked + unknown]}
    suppliers = []
    for index in range(count):
        kind = role.get(index)
        link = None
        if kind == "linked":
            draw = rnd.random()
            link = "organized" if draw < 0.55 else "owned" if draw < 0.90 else "headquartered"
        if link == "organized":
            country = headquarters = _weighted(rnd, _LINKED_ORGANIZED)
        elif link == "headquartered":
            country, headquarters = rnd.choice(_OFFSHORE), rnd.choice(("CN", "CN", "HK"))
        else:
            country = headquarters = _weighted(rnd, _ELSEWHERE)
        name, domain = names.company(country)
        lei = synthetic_lei(rnd) if rnd.random() < 0.35 else None
        if kind == "unknown":
            headquarters, lei = None, None
            country = country if rnd.random() < 0.5 else None
        suppliers.append(Supplier(key=f"s{index:05d}", name=name, country=country, headquarters=headquarters,
                                  domain=domain, lei=lei, link=link, known=kind != "unknown"))
    return suppliers


# --- BODS 0.4 ---------------------------------------------------------------------------------


def _country(code: str) -> dict:
    """A BODS country (or jurisdiction) object: its name and ISO code."""
    return {"name": pycountry.countries.get(alpha_2=code).name, "code": code}


class _Statements:
    """BODS 0.4 statements, numbered in the order they are made."""

    def __init__(self, seed: int):
        self.seed = seed
        self.count = 0

    def _envelope(self, record_id: str, record_type: str, details: dict) -> dict:
        self.count += 1
        return {
            "statementId": f"cvrl-synth-{self.seed:010d}-{self.count:016d}",
            "declarationSubject": record_id if record_type != "relationship" else details["subject"],
            "statementDate": "2026-10-01",
            "publicationDetails": {"publicationDate": "2026-10-20", "bodsVersion": "0.4",
                                   "license": "https://creativecommons.org/publicdomain/zero/1.0/",
                                   "publisher": {"name": "cvrule synthetic fleet"}},
            "source": {"type": ["selfDeclaration"], "description": "Supplier ownership questionnaire, 2026 cycle"},
            "recordId": record_id,
            "recordStatus": "new",
            "recordType": record_type,
            "recordDetails": details,
        }

    def entity(self, key: str, name: str, country: str, headquarters: str | None = None, lei: str | None = None,
               domain: str | None = None, state: bool = False) -> dict:
        details: dict = {"isComponent": False, "entityType": {"type": "stateBody" if state else "registeredEntity"},
                         "name": name, "jurisdiction": _country(country)}
        if state:
            details["entityType"]["subtype"] = "stateAgency"
        if lei:
            details["identifiers"] = [{"id": lei, "scheme": "XI-LEI", "schemeName": "Global Legal Entity Identifier Index"}]
        addresses = [{"type": "registered", "country": _country(country)}]
        if headquarters and headquarters != country:
            addresses.append({"type": "business", "country": _country(headquarters)})
        details["addresses"] = addresses
        if domain:
            details["uri"] = f"https://{domain}"
        return self._envelope(key, "entity", details)

    def person(self, key: str, name: str, country: str) -> dict:
        details = {"isComponent": False, "personType": "knownPerson", "names": [{"type": "legal", "fullName": name}],
                   "nationalities": [_country(country)], "addresses": [{"type": "residence", "country": _country(country)}]}
        return self._envelope(key, "person", details)

    def holding(self, owner: str, owned: str, percent: int, start: str) -> dict:
        interests = [{"type": kind, "directOrIndirect": "direct", "beneficialOwnershipOrControl": False,
                      "share": {"exact": percent}, "startDate": start} for kind in ("shareholding", "votingRights")]
        details = {"isComponent": False, "subject": owned, "interestedParty": owner, "interests": interests}
        return self._envelope(f"rel-{owner}-{owned}", "relationship", details)


def _ownership_statements(suppliers: list[Supplier], seed: int, fleet_parties: list[tuple[str, str, str]]) -> Iterator[dict]:
    rnd = random.Random(f"cvrule-synth-ownership:{seed}")
    names = _Names(rnd)
    names.taken.update(s.name for s in suppliers)
    out = _Statements(seed)

    def start() -> str:
        return f"{rnd.randint(2008, 2024)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"

    def new_entity(key: str, country: str, industry: str, state: bool = False) -> dict:
        if state and country == "CN":
            name = f"{rnd.choice(_CITIES['CN'])} Municipal State-owned Assets Supervision and Administration Commission"
            if name not in names.taken:
                names.taken.add(name)
                return out.entity(key, name, country, state=True)
        name, domain = names.company(country, industry)
        return out.entity(key, name, country, lei=synthetic_lei(rnd) if rnd.random() < 0.5 else None, domain=domain)

    linked_owned = sum(1 for s in suppliers if s.link == "owned")
    groups = [f"g-linked-{n:04d}" for n in range(max(2, linked_owned // 5))]
    for n, key in enumerate(groups):
        yield new_entity(key, _weighted(rnd, _LINKED_ORGANIZED), "Group", state=n % 4 == 3)
    elsewhere_groups = [f"g-other-{n:04d}" for n in range(max(4, len(suppliers) // 40))]
    for n, key in enumerate(elsewhere_groups):
        yield new_entity(key, _weighted(rnd, _ELSEWHERE), "Group")
        if n % 3 == 0:
            person = f"p-{key}"
            yield out.person(person, f"{rnd.choice(_GIVEN)} {rnd.choice(_FAMILY)}", _weighted(rnd, _ELSEWHERE))
            yield out.holding(person, key, rnd.choice((51, 60, 75, 100)), start())
    investors = [f"i-linked-{n:04d}" for n in range(max(2, len(suppliers) // 200))]
    for key in investors:
        yield new_entity(key, _weighted(rnd, _LINKED_ORGANIZED), "Capital")

    for supplier in suppliers:
        if not supplier.known:
            continue
        yield out.entity(supplier.key, supplier.name, supplier.country, supplier.headquarters, supplier.lei, supplier.domain)
        if supplier.link == "owned":
            below = supplier.key
            for hop in range(rnd.choice((1, 1, 2, 3))):
                holding = f"h-{supplier.key}-{hop}"
                yield new_entity(holding, rnd.choice(_HOLDING_HOPS), "Holdings")
                yield out.holding(holding, below, rnd.choice(_MAJORITY), start())
                below = holding
            yield out.holding(rnd.choice(groups), below, rnd.choice(_MAJORITY), start())
        elif supplier.link is None:
            draw = rnd.random()
            if draw < 0.33:
                yield out.holding(rnd.choice(elsewhere_groups), supplier.key, rnd.choice(_MAJORITY), start())
            elif draw < 0.38:
                yield out.holding(rnd.choice(investors), supplier.key, rnd.randint(2, 9), start())

    # The fleet's own parties (manufacturer, importer, ADS operator): the manufacturer owns the rest.
    root = None
    for key, name, lei in fleet_parties:
        yield out.entity(key, name, "US", lei=lei)
        if root is None:
            root = key
        else:
            yield out.holding(root, key, 100, "2015-01-01")


def write_ownership(path: Path, suppliers: list[Supplier], seed: int, fleet_parties: list[tuple[str, str, str]]) -> int:
    """Write the BODS 0.4 statements as a JSON array, one statement per line; return how many."""
    count = 0
    with open(path, "wb") as handle:
        handle.write(b"[")
        for statement in _ownership_statements(suppliers, seed, fleet_parties):
            handle.write((b",\n" if count else b"\n") + orjson.dumps(statement))
            count += 1
        handle.write(b"\n]\n")
    return count


def write_supplier_register(path: Path, suppliers: list[Supplier]) -> int:
    """The OEM's supplier master as a register CSV: one party row per known supplier; return how many."""
    rows = []
    for supplier in suppliers:
        if not supplier.known:
            continue
        row = {"id": supplier.key, "name": supplier.name, "kind": "organization", "country": supplier.country,
               "headquarters": supplier.headquarters, "website": f"https://{supplier.domain}",
               "email": f"compliance@{supplier.domain.removeprefix('www.')}"}
        if supplier.lei:
            row["lei"] = supplier.lei
        rows.append(row)
    write_register(path, {"parties": rows})
    return len(rows)
