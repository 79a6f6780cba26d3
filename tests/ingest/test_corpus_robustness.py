"""Every file of the shared corpus goes through detection and parsing: valid files of the
formats cvrule reads load, and nothing (valid, broken on purpose, or of another format) gets
anything but a clear InputError. Skipped when ../shared/corpus is absent."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from conftest import CORPUS
from cvrule.errors import InputError
from cvrule.ingest.detect import detect
from cvrule.ingest.limits import Limits

# detected_format values (SOURCES.tsv) of formats cvrule reads, and so must load when valid.
READ = re.compile(
    r"^(CycloneDX (JSON|XML) 1\.[2-7]|SPDX (JSON|YAML|tag-value) SPDX-2\.[23]|SPDX 3\.0\.1 JSON-LD"
    r"|BODS JSON statements \(v0\.[234]\)|GLEIF (RR-CDF|LEI-CDF|Reporting Exceptions) XML.*"
    r"|GLEIF API v1 JSON:API response \((lei-records|relationship-records|reporting-exceptions)\))$"
)


# Files SOURCES.tsv calls valid that cvrule refuses on purpose, each with the reason.
REFUSED_DESPITE_LABEL = {
    # Byte-identical to openownership-bods/v0.4/tests/data/invalid-statements/...: the BODS 0.4
    # standard's own tests treat a registeredEntity with subtype "trust" as invalid.
    "openownership-lib-cove-bods-fixtures/0.4/entity_type_trust_registeredentity.json",
    # Not valid YAML: an unescaped quote inside a plain scalar at line 324.
    "spdx-spec/examples/SPDXYAMLExample-2.2.spdx.yaml",
}


def _rows() -> list[dict]:
    if not CORPUS.is_dir():
        return []
    with open(CORPUS / "SOURCES.tsv", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _read(path: Path) -> int:
    """Detect and parse, consuming every fact (a BOM with no components rightly gives none)."""
    parsed = detect(path).parse(path, Limits())
    return sum(1 for _ in parsed.facts)


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["corpus_path"])
def test_every_corpus_file_loads_or_is_refused_with_a_clear_error(row):
    path = CORPUS / row["corpus_path"]
    must_load = (row["purpose"].startswith("valid") and READ.match(row["detected_format"])
                 and row["corpus_path"] not in REFUSED_DESPITE_LABEL)
    try:
        _read(path)
    except InputError as error:
        assert not must_load, f"a valid {row['detected_format']} file was refused: {error}"
        assert str(error).startswith(str(path)), "the error must name the file"
