"""A malformed case file gets one clear error naming the file, the key path and the line; the
YAML is read strictly so that nothing is silently reinterpreted."""

from __future__ import annotations

import textwrap

import pytest

from cvrule.cases import load_case
from cvrule.errors import CaseFileError, InputError

GOOD = textwrap.dedent(
    """\
    name: A good case used as the base of the error cases here
    parties:
      importer:
        name: Importer Inc.
        kind: organization
        country: US
      maker:
        name: Maker AS
        kind: organization
        country: NO
    items:
      module:
        type: hardware
        name: LTE module
        rf: [cellular]
        max_rf_mhz: 2690
        passive: false
        model_year: 2031
        designed_by: [maker]
        manufactured_by: [maker]
    transactions:
      import:
        kind: import_vcs_hardware
        actor: importer
        item: module
        date: 2030-03-02
    expect:
      import:
        outcome: allowed
    """
)


def _load(tmp_path, text):
    path = tmp_path / "case.yaml"
    path.write_text(text)
    return load_case(path)


def test_the_base_case_loads_and_no_stays_norway(tmp_path):
    case = _load(tmp_path, GOOD)
    assert case.scenario.parties["maker"].country == "NO"


@pytest.mark.parametrize(
    ("old", "new", "where", "what"),
    [
        ("    max_rf_mhz: 2690", "    max_rf_mhz: 2690\n    colour: blue", "items.module.colour (line 17)", "unknown key"),
        ("    kind: import_vcs_hardware", "    kind: import_hardware", "transactions.import.kind (line 23)", "'import_hardware' is not one of"),
        ("    date: 2030-03-02", "    date: 2030-02-30", "transactions.import.date (line 26)", "valid date"),
        ("    designed_by: [maker]", "    designed_by: [makr]", "items.module.designed_by.0 (line 19)", "'makr' is not one of the parties"),
        ("    item: module", "    item: modul", "transactions.import.item (line 25)", "'modul' is not one of the items"),
        ("  import:\n    outcome: allowed", "  imports:\n    outcome: allowed", "expect.imports (line 28)", "not one of the transactions"),
        ("    outcome: allowed", "    outcome: fine", "expect.import.outcome (line 29)", "'fine' is not one of"),
        ("name: A good case used as the base of the error cases here\n", "", "name (line 1)", "required key is missing"),
        ("    country: US", "    country: USA", "parties.importer.country (line 6)", "should match pattern"),
        ("    max_rf_mhz: 2690", "    max_rf_mhz: -5", "items.module.max_rf_mhz (line 16)", "greater than or equal to 0"),
    ],
    ids=["unknown-key", "bad-enum", "impossible-date", "dangling-party", "dangling-item", "expect-unknown-transaction",
         "bad-outcome", "missing-name", "bad-country", "negative-frequency"],
)
def test_a_broken_case_names_file_key_path_and_line(tmp_path, old, new, where, what):
    assert old in GOOD
    with pytest.raises(CaseFileError) as caught:
        _load(tmp_path, GOOD.replace(old, new, 1))
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "case.yaml") + ": "), message
    assert where in message and what in message, message


def test_duplicate_keys_are_an_error_not_a_silent_overwrite(tmp_path):
    with pytest.raises(InputError, match=r"case.yaml: line 7, column 3: not valid YAML: duplicate key 'importer'"):
        _load(tmp_path, GOOD.replace("  maker:\n", "  importer:\n", 1))


def test_yes_and_no_are_strings_and_only_true_false_are_booleans(tmp_path):
    with pytest.raises(CaseFileError, match=r"items.module.passive \(line 17\): Input should be a valid boolean"):
        _load(tmp_path, GOOD.replace("passive: false", "passive: maybe"))
    case = _load(tmp_path, GOOD.replace("passive: false", "passive: False"))
    assert case.scenario.items["module"].passive is False


def test_a_file_that_is_not_utf8_is_refused_clearly(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("Maker AS", "Mak\u00e9r AS").encode("latin-1"))
    with pytest.raises(InputError, match="expected UTF-8 text"):
        load_case(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CaseFileError, match="cannot be read"):
        load_case(tmp_path / "absent.yaml")


def test_a_transaction_must_name_the_object_its_kind_needs(tmp_path):
    with pytest.raises(CaseFileError, match=r"transactions.import \(line 22\): import_vcs_hardware needs 'item'"):
        _load(tmp_path, GOOD.replace("    item: module\n", ""))
