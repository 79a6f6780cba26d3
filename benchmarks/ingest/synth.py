"""Deterministic synthetic SBOMs for the ingest benchmark: a CycloneDX 1.6 JSON BOM with many
nested components and an SPDX 2.3 JSON document with many packages, both shaped like real
automotive ECU SBOMs (suppliers with countries, properties, PURLs, dependencies)."""

from __future__ import annotations

import random
from pathlib import Path

import orjson

SUPPLIERS = [
    ("Kansai Mobility Electronics K.K.", "JP"), ("Alder Fahrzeugwerke GmbH", "DE"),
    ("Pearl River Wireless Technology Co., Ltd.", "CN"), ("Harbour Crest Holdings Limited", "HK"),
    ("Lakeshore Telematics Inc.", "US"), ("Volga Software OOO", "RU"), ("Seoul Connect Co., Ltd.", "KR"),
]


def cyclonedx(path: Path, components: int, seed: int = 7) -> Path:
    rnd = random.Random(seed)
    top, made = [], 0
    while made < components:
        children = []
        for _ in range(rnd.randint(0, 8)):
            if made + len(children) + 1 >= components:
                break
            children.append(_component(rnd, made + len(children) + 1))
        parent = _component(rnd, made)
        if children:
            parent["components"] = children
        top.append(parent)
        made += 1 + len(children)
    refs = [c["bom-ref"] for c in top]
    bom = {
        "bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": f"urn:uuid:00000000-0000-4000-8000-{seed:012d}",
        "version": 1,
        "metadata": {"component": {"type": "device", "name": "Telematics control unit", "bom-ref": "root"}},
        "components": top,
        "dependencies": [{"ref": r, "dependsOn": rnd.sample(refs, k=min(3, len(refs)))} for r in refs[: len(refs) // 2]],
    }
    path.write_bytes(orjson.dumps(bom))
    return path


def _component(rnd: random.Random, n: int) -> dict:
    name, country = rnd.choice(SUPPLIERS)
    kind = rnd.choice(["library", "library", "library", "application", "firmware", "device", "operating-system"])
    return {
        "type": kind, "bom-ref": f"c{n}", "name": f"component-{n}", "version": f"{rnd.randint(0, 9)}.{rnd.randint(0, 99)}",
        "purl": f"pkg:generic/vendor{n % 97}/component-{n}@1.{n % 10}",
        "supplier": {"name": name, "url": [f"https://example.{country.lower()}"], "address": {"country": country}},
        "licenses": [{"license": {"id": rnd.choice(["MIT", "Apache-2.0", "GPL-2.0-only", "BSD-3-Clause"])}}],
        "properties": [{"name": "cdx:automotive:modelYear", "value": str(rnd.randint(2026, 2031))},
                       {"name": "ecu", "value": rnd.choice(["TCU", "IVI", "GW", "ADAS"])}],
        "description": "synthetic component for the ingest benchmark " * 2,
    }


def spdx23(path: Path, packages: int, seed: int = 11) -> Path:
    rnd = random.Random(seed)
    pkgs, rels = [], []
    for n in range(packages):
        name, _ = rnd.choice(SUPPLIERS)
        pkgs.append({
            "SPDXID": f"SPDXRef-Package-{n}", "name": f"package-{n}", "versionInfo": f"1.{n % 50}",
            "downloadLocation": "NOASSERTION", "filesAnalyzed": False,
            "supplier": f"Organization: {name}", "originator": f"Organization: {name}",
            "licenseConcluded": "NOASSERTION", "licenseDeclared": rnd.choice(["MIT", "Apache-2.0"]),
            "copyrightText": "NOASSERTION",
            "primaryPackagePurpose": rnd.choice(["LIBRARY", "APPLICATION", "FIRMWARE", "OPERATING-SYSTEM"]),
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                              "referenceLocator": f"pkg:generic/package-{n}@1.{n % 50}"}],
        })
        if n:
            rels.append({"spdxElementId": f"SPDXRef-Package-{rnd.randrange(n)}", "relationshipType": "CONTAINS",
                         "relatedSpdxElement": f"SPDXRef-Package-{n}"})
    rels.insert(0, {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Package-0"})
    doc = {
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "synthetic-ecu",
        "documentNamespace": f"https://example.com/spdx/synthetic-{seed}",
        "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: cvrule-benchmark"]},
        "packages": pkgs, "relationships": rels,
    }
    path.write_bytes(orjson.dumps(doc))
    return path
