"""The XLSX form of the data-flow register (docs/dataflows.md): the same register as the YAML
form after a round trip, the same bytes each time, a template with headers, instructions and
drop-downs, and a hand-filled workbook's mistakes refused naming the sheet and the cell."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.errors import InputError
from cvrule.filings.dataflows import load_register
from cvrule.filings.dataflows_xlsx import SHEETS, write_register_xlsx

DEMO_REGISTER = Path(__file__).resolve().parents[2] / "examples" / "demo-fleet" / "dataflows.yaml"

runner = CliRunner()


def test_the_demo_register_is_the_same_register_after_a_round_trip_through_xlsx(tmp_path):
    register = load_register(DEMO_REGISTER)
    workbook = tmp_path / "dataflows.xlsx"
    write_register_xlsx(workbook, register)
    assert load_register(workbook) == register


def test_the_same_register_gives_the_same_workbook_bytes(tmp_path):
    register = load_register(DEMO_REGISTER)
    write_register_xlsx(tmp_path / "a.xlsx", register)
    write_register_xlsx(tmp_path / "b.xlsx", register)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:  # no clock in it, so a later write is the same too
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        assert b"2026-01-01T00:00:00Z</dcterms:modified>" in archive.read("docProps/core.xml")


def test_the_template_has_a_header_row_instructions_and_drop_downs_for_the_enumerated_columns(tmp_path):
    result = runner.invoke(app, ["authorization", "dataflows-template", str(tmp_path / "template.xlsx")])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(tmp_path / "template.xlsx")
    assert workbook.sheetnames == [*SHEETS, "instructions"]
    for name, columns in SHEETS.items():
        assert [cell.value for cell in workbook[name][1]] == [column.name for column in columns]
        assert workbook[name].max_row == 1
    described = {(row[0], row[1]) for row in workbook["instructions"].iter_rows(min_row=2, values_only=True) if row[1]}
    assert described == {(name, column.name) for name, columns in SHEETS.items() for column in columns}
    drop_downs = {sheet: {v.formula1 for v in workbook[sheet].data_validations.dataValidation}
                  for sheet in ("flows", "remote_access")}
    assert any("software_images" in f for f in drop_downs["flows"])
    assert '"outbound,inbound,both"' in drop_downs["flows"]
    assert any("immobilize" in f for f in drop_downs["remote_access"])


def test_the_template_command_fills_in_a_register_given_with_from(tmp_path):
    target = tmp_path / "demo.xlsx"
    result = runner.invoke(app, ["authorization", "dataflows-template", str(target), "--from", str(DEMO_REGISTER)])
    assert result.exit_code == 0, result.output
    assert load_register(target) == load_register(DEMO_REGISTER)


def _demo_workbook(tmp_path: Path) -> Path:
    target = tmp_path / "dataflows.xlsx"
    write_register_xlsx(target, load_register(DEMO_REGISTER))
    return target


def _edit(path: Path, sheet: str, cell: str, value) -> None:
    workbook = load_workbook(path)
    workbook[sheet][cell] = value
    workbook.save(path)


@pytest.mark.parametrize(("sheet", "cell", "value", "where", "says"), [
    ("flows", "D2", "location, gossip", "flows!D2 (column data)", "'gossip'"),
    ("flows", "E2", "sideways", "flows!E2 (column direction)", "'outbound', 'inbound' or 'both'"),
    ("flows", "G2", "nobody", "flows!G2 (column operator)", "party 'nobody' is not defined on the parties sheet"),
    ("flows", "I2", "China", "flows!I2 (column hosted_in)", "'China'"),
    ("flows", "A2", "item-99", "flows!A2 (column item)", "item 'item-99' is not defined on the items sheet"),
    ("remote_access", "C2", "teleport", "remote_access!C2 (column capability)", "'update'"),
    ("items", "E2", "twenty", "items!E2 (column model_years)", "'twenty'"),
    ("parties", "A3", "cascadia", "parties!A3 (column key)", "appears twice"),
    ("parties", "D2", "CVRL00CASCADIAMTR150", "parties!D2 (column identifiers)", "scheme:value"),
    ("flows", "K1", "notes", "flows!K1", "unknown column 'notes'"),
])
def test_a_bad_cell_is_refused_naming_the_sheet_and_the_cell(tmp_path, sheet, cell, value, where, says):
    workbook = _demo_workbook(tmp_path)
    _edit(workbook, sheet, cell, value)
    with pytest.raises(InputError) as caught:
        load_register(workbook)
    assert caught.value.file == str(workbook)
    assert caught.value.location == where
    assert says in caught.value.message


def test_a_missing_required_cell_is_refused_naming_the_cell(tmp_path):
    workbook = _demo_workbook(tmp_path)
    _edit(workbook, "flows", "F2", None)
    with pytest.raises(InputError, match=r"flows!F2 \(column endpoint\): Field required"):
        load_register(workbook)


def test_an_unknown_sheet_is_refused_naming_it(tmp_path):
    workbook = _demo_workbook(tmp_path)
    book = load_workbook(workbook)
    book.create_sheet("notes")
    book.save(workbook)
    with pytest.raises(InputError, match=r"sheet 'notes': unknown sheet"):
        load_register(workbook)


def test_an_empty_template_is_refused_as_a_register_without_items(tmp_path):
    write_register_xlsx(tmp_path / "template.xlsx")
    with pytest.raises(InputError, match=r"sheet items: no rows"):
        load_register(tmp_path / "template.xlsx")


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path):
    fake = tmp_path / "dataflows.xlsx"
    fake.write_text("cvrule_dataflows: 1\n")
    with pytest.raises(InputError, match="expected an XLSX workbook"):
        load_register(fake)


def test_ingest_skips_the_workbook_register_instead_of_misreading_it_as_a_supplier_register(tmp_path):
    from cvrule.ingest.detect import NotAnInput, detect

    workbook = tmp_path / "flows.xlsx"
    write_register_xlsx(workbook, load_register(DEMO_REGISTER))
    with pytest.raises(NotAnInput) as error:
        detect(workbook)
    assert "data-flow register" in str(error.value)
    result = runner.invoke(app, ["ingest", str(workbook), "--workspace", str(tmp_path / "ws")])
    assert "data-flow register" in result.output, result.output
