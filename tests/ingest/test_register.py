"""The supplier register (CSV and XLSX): the shipped template and example, round trips of random
registers, and an error naming the row and column for every kind of mistake.

Regenerate the shipped files with: .venv/bin/python tests/ingest/test_register.py
"""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from stdnum.cn import uscc
from stdnum.iso7064 import mod_97_10
from stdnum.ru import inn, ogrn

from cvrule.errors import InputError
from cvrule.ingest.base import read_head
from cvrule.ingest.facts import ControlFact, ItemFact, ItemLink, OwnershipFact, PartyFact, RoleMention
from cvrule.ingest.limits import Limits
from cvrule.ingest.register import (
    CONTROL_KINDS,
    CSV_COLUMNS,
    FORMATS,
    PARTY_KINDS,
    RF_FUNCTIONS,
    ROLE_COLUMNS,
    SECTIONS,
    write_register,
    write_template,
)

DATA = Path(__file__).parents[1] / "data" / "supplier-register"
DOCS = Path(__file__).parents[2] / "docs" / "supplier-register.md"
CORPUS = Path(__file__).parents[3] / "shared" / "corpus"
FORMAT = {f.name: f for f in FORMATS}

EXAMPLE = {
    "parties": [
        {"id": "acme-tcu", "name": "Shenzhen Example Telematics Co., Ltd.", "kind": "organization", "country": "CN",
         "headquarters": "CN", "lei": "5299000EXAMPLETCU025", "uscc": "91440300MA5EXAMPLA",
         "website": "https://tcu.example.cn", "email": "compliance@tcu.example.cn"},
        {"id": "example-holdings", "name": "Example Holdings Ltd.", "kind": "organization", "country": "HK",
         "headquarters": "HK", "duns": "012345678"},
        {"id": "example-motors", "name": "Example Motors Inc.", "kind": "organization", "country": "US", "headquarters": "US"},
    ],
    "ownership": [
        {"owner": "example-holdings", "owned": "acme-tcu", "voting_pct": 60, "equity_pct": 51, "from": date(2019, 6, 1)},
    ],
    "control": [
        {"by": "example-holdings", "over": "acme-tcu", "kind": "board_majority", "from": date(2019, 6, 1)},
    ],
    "items": [
        {"id": "tcu-100", "name": "Telematics control unit T-100", "type": "hardware", "part_number": "T100-EU-02",
         "version": "B", "model_year": 2030, "rf_functions": ["cellular", "gnss"], "max_rf_mhz": 3800,
         "designed_by": "acme-tcu", "manufactured_by": "acme-tcu", "supplied_by": "acme-tcu", "contains": "tcu-fw"},
        {"id": "tcu-fw", "name": "T-100 firmware", "type": "software", "version": "2.4.1", "designed_by": "acme-tcu",
         "developed_by": "acme-tcu", "supplied_by": "acme-tcu", "maintained_by": "acme-tcu", "runs_on": "tcu-100",
         "purl": "pkg:generic/example/t100-fw@2.4.1"},
    ],
}


def parse(path: Path) -> list:
    fmt = FORMAT["supplier-register-xlsx" if path.suffix == ".xlsx" else "supplier-register-csv"]
    return list(fmt.parse(path, Limits()).facts)


def without_location(facts: list) -> list:
    return [replace(fact, location="") for fact in facts]


def expected_facts(register: dict) -> list:
    """The facts a register means, worked out directly from its rows (the reference)."""
    parties = {row["id"]: row for row in register.get("parties", [])}
    identifiers = {"lei": "lei", "uscc": "uscc", "inn": "inn", "ogrn": "ogrn", "duns": "duns", "bpnl": "bpnl",
                   "website": "url", "email": "email"}
    facts: list = []
    for row in register.get("parties", []):
        facts.append(PartyFact(row["id"], row["name"], "", kind=row.get("kind") or "organization", country=row.get("country"),
                               headquarters=row.get("headquarters"), jurisdiction_raw=row.get("country"),
                               identifiers={scheme: row[column] for column, scheme in identifiers.items() if row.get(column)}))
    for row in register.get("ownership", []):
        for interest, column in (("shareholding", "equity_pct"), ("voting", "voting_pct")):
            if row.get(column) is not None:
                share = float(row[column]) / 100
                facts.append(OwnershipFact(row["owner"], row["owned"], "", interest=interest, share_min=share,
                                           share_max=share, start=row.get("from"), end=row.get("to")))
    for row in register.get("control", []):
        facts.append(ControlFact(row["by"], row["over"], row["kind"], "", start=row.get("from"), end=row.get("to")))
    for row in register.get("items", []):
        properties = {}
        if row.get("part_number"):
            properties["part_number"] = row["part_number"]
        if row.get("rf_functions"):
            properties["rf"] = ",".join(row["rf_functions"])
        if row.get("max_rf_mhz") is not None:
            properties["max_rf_mhz"] = f"{float(row['max_rf_mhz']):g}"
        facts.append(ItemFact(row["id"], row["name"], "", row["type"], version=row.get("version"), purl=row.get("purl"),
                              model_year=row.get("model_year"), properties=properties))
        for role in ROLE_COLUMNS:
            for party in _ids(row.get(role)):
                facts.append(RoleMention(row["id"], role, parties[party]["name"], "", party=party,
                                         country_raw=parties[party].get("country"), country=parties[party].get("country")))
        for relation in ("contains", "runs_on"):
            for child in _ids(row.get(relation)):
                facts.append(ItemLink(row["id"], child, relation, ""))
    return facts


def _ids(value) -> list[str]:
    if not value:
        return []
    return list(value) if isinstance(value, list) else value.split(";")


# ------------------------------------------------------------------------------ shipped files

def test_shipped_csv_template_is_what_write_template_writes(tmp_path):
    write_template(tmp_path / "template.csv")
    assert (DATA / "template.csv").read_bytes() == (tmp_path / "template.csv").read_bytes()
    assert (DATA / "template.csv").read_text(encoding="utf-8").strip() == ",".join(CSV_COLUMNS)


def _workbook_content(path: Path) -> dict[str, list[tuple]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}
    finally:
        workbook.close()


def test_shipped_xlsx_template_has_a_sheet_per_section_with_its_columns_and_instructions(tmp_path):
    write_template(tmp_path / "template.xlsx")
    shipped = _workbook_content(DATA / "template.xlsx")
    assert shipped == _workbook_content(tmp_path / "template.xlsx")
    assert list(shipped) == [*SECTIONS, "instructions"]
    for section, columns in SECTIONS.items():
        assert shipped[section] == [tuple(column.name for column in columns)]
    described = {(row[0], row[1]) for row in shipped["instructions"][1:]}
    assert described == {(section, column.name) for section, columns in SECTIONS.items() for column in columns}


def test_empty_templates_parse_to_no_facts():
    assert parse(DATA / "template.csv") == []
    assert parse(DATA / "template.xlsx") == []


@pytest.mark.parametrize("name", ["example.csv", "example.xlsx"])
def test_shipped_example_gives_the_facts_of_the_example(name):
    facts = parse(DATA / name)
    assert without_location(facts) == expected_facts(EXAMPLE)
    party = facts[0]
    assert (party.key, party.country, party.identifiers["uscc"]) == ("acme-tcu", "CN", "91440300MA5EXAMPLA")
    voting = [f for f in facts if isinstance(f, OwnershipFact) and f.interest == "voting"]
    assert [(f.owner, f.owned, f.share_min) for f in voting] == [("example-holdings", "acme-tcu", 0.6)]
    roles = {(f.item, f.role, f.party, f.country) for f in facts if isinstance(f, RoleMention)}
    assert ("tcu-100", "manufactured_by", "acme-tcu", "CN") in roles


def test_facts_locate_their_row():
    csv_facts, xlsx_facts = parse(DATA / "example.csv"), parse(DATA / "example.xlsx")
    assert [f.location for f in csv_facts if isinstance(f, PartyFact)] == ["line 2", "line 3", "line 4"]
    assert [f.location for f in xlsx_facts if isinstance(f, PartyFact)] == ["parties row 2", "parties row 3", "parties row 4"]
    assert {f.location for f in xlsx_facts if isinstance(f, OwnershipFact)} == {"ownership row 2"}


def test_the_example_in_the_docs_is_the_shipped_example(tmp_path):
    block = re.search(r"```csv\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    (tmp_path / "docs.csv").write_text(block, encoding="utf-8")
    assert without_location(parse(tmp_path / "docs.csv")) == without_location(parse(DATA / "example.csv"))


def test_every_column_is_documented_under_its_section():
    text = DOCS.read_text(encoding="utf-8")
    for section, columns in SECTIONS.items():
        part = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
        missing = [column.name for column in columns if f"| `{column.name}` |" not in part]
        assert not missing, f"docs/supplier-register.md, section {section}, lacks columns {missing}"


# ------------------------------------------------------------------------------ round trips

def _lei(n: int) -> str:
    base = f"5299000TESTPARTY{n:02d}"
    return base + mod_97_10.calc_check_digits(base)


def _uscc(n: int) -> str:
    base = f"91440300MA5F{n:05d}"
    return base + uscc.calc_check_digit(base)


def _inn(n: int) -> str:
    base = f"77{n:07d}"
    return base + inn.calc_company_check_digit(base)


def _ogrn(n: int) -> str:
    base = f"1027700{n:05d}"
    return base + ogrn.calc_check_digit(base + "0")  # stdnum takes the number with a placeholder check digit


NAME = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,&()-'/ÄÖüé中国", min_size=1, max_size=24)
NAME = NAME.map(str.strip).filter(bool)
OPTIONAL_DATE = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
PERCENT = st.none() | st.integers(0, 100) | st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def registers(draw) -> dict:
    party_ids = draw(st.lists(st.sampled_from([f"p{i}" for i in range(1, 7)] + ["acme.tcu", "x:1"]), min_size=1, max_size=5, unique=True))
    parties = []
    for n, pid in enumerate(party_ids):
        row = {"id": pid, "name": draw(NAME), "kind": draw(st.sampled_from((None, *PARTY_KINDS))),
               "country": draw(st.sampled_from([None, "CN", "US", "DE", "HK", "TW", "RU", "MO"]))}
        row["headquarters"] = draw(st.sampled_from([None, row["country"], "SG"]))
        for column, value in (("lei", _lei(n)), ("uscc", _uscc(n)), ("inn", _inn(n)), ("ogrn", _ogrn(n)),
                              ("duns", f"{n:09d}"), ("bpnl", f"BPNL0000000{n}AYRE"), ("website", f"https://p{n}.example.com"),
                              ("email", f"info@p{n}.example.com")):
            if draw(st.booleans()):
                row[column] = value
        parties.append({k: v for k, v in row.items() if v is not None})
    pairs = [(a, b) for a in party_ids for b in party_ids if a != b]
    ownership, control = [], []
    for owner, owned in draw(st.lists(st.sampled_from(pairs), max_size=3)) if pairs else []:
        equity, voting = draw(PERCENT), draw(PERCENT)
        if equity is None and voting is None:
            equity = 50
        start, end = draw(OPTIONAL_DATE), draw(OPTIONAL_DATE)
        if start and end and end < start:
            start, end = end, start
        row = {"owner": owner, "owned": owned, "equity_pct": equity, "voting_pct": voting, "from": start, "to": end}
        ownership.append({k: v for k, v in row.items() if v is not None})
    for by, over in draw(st.lists(st.sampled_from(pairs), max_size=2)) if pairs else []:
        row = {"by": by, "over": over, "kind": draw(st.sampled_from(CONTROL_KINDS)), "from": draw(OPTIONAL_DATE)}
        control.append({k: v for k, v in row.items() if v is not None})
    item_ids = draw(st.lists(st.sampled_from([f"i{i}" for i in range(1, 6)]), max_size=4, unique=True))
    items = []
    for iid in item_ids:
        others = [other for other in item_ids if other != iid]
        row = {
            "id": iid, "name": draw(NAME), "type": draw(st.sampled_from(["hardware", "software"])),
            "part_number": draw(st.none() | st.sampled_from(["T100-EU-02", "12345", "0042"])),
            "version": draw(st.none() | st.sampled_from(["1.0", "B", "2.4.1"])),
            "model_year": draw(st.none() | st.integers(1990, 2100)),
            "rf_functions": draw(st.lists(st.sampled_from(RF_FUNCTIONS), max_size=3, unique=True)) or None,
            "max_rf_mhz": draw(st.none() | st.integers(0, 100_000) | st.floats(0, 100_000, allow_nan=False).map(lambda x: round(x, 2))),
            "contains": draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) if others else None,
            "runs_on": draw(st.none() | st.sampled_from(others)) if others else None,
            "purl": draw(st.none() | st.sampled_from(["pkg:generic/acme/fw@1.0", "pkg:pypi/requests@2.31.0"])),
        }
        for role in ROLE_COLUMNS:
            row[role] = draw(st.lists(st.sampled_from(party_ids), max_size=2, unique=True)) or None
        items.append({k: v for k, v in row.items() if v is not None})
    return {"parties": parties, "ownership": ownership, "control": control, "items": items}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(register=registers())
def test_a_register_written_as_csv_and_as_xlsx_reads_back_as_the_same_facts(tmp_path, register):
    write_register(tmp_path / "r.csv", register)
    write_register(tmp_path / "r.xlsx", register)
    expected = expected_facts(register)
    assert without_location(parse(tmp_path / "r.csv")) == expected
    assert without_location(parse(tmp_path / "r.xlsx")) == expected


# ------------------------------------------------------------------------------ validation

def _with(section: str, index: int, column: str, value) -> dict:
    register = {name: [dict(row) for row in rows] for name, rows in EXAMPLE.items()}
    if value is None:
        register[section][index].pop(column, None)
    else:
        register[section][index][column] = value
    return register


def _csv_line(register: dict, section: str, index: int) -> int:
    before = sum(len(register[name]) for name in list(SECTIONS)[: list(SECTIONS).index(section)])
    return 2 + before + index


def _xlsx_cell(section: str, index: int, column: str) -> str:
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[[c.name for c in SECTIONS[section]].index(column)]
    return f"{section}!{letter}{index + 2}"


MISTAKES = [
    ("ownership", 0, "equity_pct", 120, "a percentage from 0 to 100"),
    ("ownership", 0, "voting_pct", -1, "a percentage from 0 to 100"),
    ("ownership", 0, "equity_pct", "half", "a percentage from 0 to 100"),
    ("ownership", 0, "from", "2019-13-01", "YYYY-MM-DD"),
    ("ownership", 0, "from", "06/01/2019", "YYYY-MM-DD"),
    ("control", 0, "to", "2001-01-01", "before the start"),
    ("ownership", 0, "owner", "nobody", "party id 'nobody' is not defined"),
    ("ownership", 0, "owned", "nobody", "party id 'nobody' is not defined"),
    ("ownership", 0, "owned", "example-holdings", "cannot own itself"),
    ("control", 0, "by", "nobody", "party id 'nobody' is not defined"),
    ("control", 0, "kind", "friendship", "expected one of board_majority"),
    ("items", 0, "manufactured_by", "acme-tcu;nobody", "party id 'nobody' is not defined"),
    ("items", 0, "contains", "no-such-item", "item id 'no-such-item' is not defined"),
    ("items", 0, "type", "firmware", "expected one of hardware, software"),
    ("items", 0, "rf_functions", "cellular;5g", "'5g'"),
    ("items", 0, "model_year", 1800, "a model year from 1900 to 2200"),
    ("items", 0, "max_rf_mhz", "fast", "a frequency in MHz"),
    ("items", 1, "purl", "requests 2.31", "package URL"),
    ("items", 1, "id", "tcu-100", "item id 'tcu-100' is defined twice"),
    ("parties", 0, "country", "Atlantis", "expected a country"),
    ("parties", 0, "lei", "5299000EXAMPLETCU026", "LEI"),
    ("parties", 0, "uscc", "91440300MA5EXAMPLB", "USCC"),
    ("parties", 1, "duns", "12345", "D-U-N-S"),
    ("parties", 0, "email", "compliance at example", "e-mail"),
    ("parties", 0, "kind", "company", "expected one of organization, individual, government"),
    ("parties", 1, "id", "acme-tcu", "party id 'acme-tcu' is defined twice"),
    ("parties", 1, "id", "example holdings", "expected an id"),
    ("parties", 0, "name", None, "a parties row needs name"),
]


@pytest.mark.parametrize(("section", "index", "column", "value", "expected"), MISTAKES, ids=[f"{m[0]}.{m[2]}={m[3]!r}" for m in MISTAKES])
def test_a_mistake_in_a_csv_register_names_its_line_and_column(tmp_path, section, index, column, value, expected):
    register = _with(section, index, column, value)
    write_register(tmp_path / "r.csv", register)
    with pytest.raises(InputError) as caught:
        parse(tmp_path / "r.csv")
    assert caught.value.file == str(tmp_path / "r.csv")
    assert caught.value.location == f"line {_csv_line(register, section, index)}, column {column}"
    assert expected in caught.value.message


@pytest.mark.parametrize(("section", "index", "column", "value", "expected"), MISTAKES, ids=[f"{m[0]}.{m[2]}={m[3]!r}" for m in MISTAKES])
def test_a_mistake_in_an_xlsx_register_names_its_cell_and_column(tmp_path, section, index, column, value, expected):
    write_register(tmp_path / "r.xlsx", _with(section, index, column, value))
    with pytest.raises(InputError) as caught:
        parse(tmp_path / "r.xlsx")
    assert caught.value.location == f"{_xlsx_cell(section, index, column)} (column {column})"
    assert expected in caught.value.message


def _rewrite_csv(path: Path, edit) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_an_unknown_csv_column_is_named_in_the_header(tmp_path):
    path = tmp_path / "r.csv"
    write_register(path, EXAMPLE)
    _rewrite_csv(path, lambda rows: [row.append("colour" if i == 0 else "") for i, row in enumerate(rows)])
    with pytest.raises(InputError) as caught:
        parse(path)
    assert caught.value.location == f"line 1, column {len(CSV_COLUMNS) + 1}"
    assert "unknown column 'colour'" in caught.value.message


def test_a_column_named_twice_is_refused_in_the_header(tmp_path):
    path = tmp_path / "r.csv"
    write_register(path, EXAMPLE)
    _rewrite_csv(path, lambda rows: [row.append("name" if i == 0 else "") for i, row in enumerate(rows)])
    with pytest.raises(InputError) as caught:
        parse(path)
    assert caught.value.location == f"line 1, column {len(CSV_COLUMNS) + 1}"
    assert "'name' appears twice" in caught.value.message


def test_a_value_beyond_the_header_is_refused_at_its_cell(tmp_path):
    from openpyxl import load_workbook as load

    path = tmp_path / "r.csv"
    write_register(path, EXAMPLE)
    _rewrite_csv(path, lambda rows: rows[3].append("stray"))
    with pytest.raises(InputError) as caught:
        parse(path)
    assert caught.value.location == f"line 4, column {len(CSV_COLUMNS) + 1}"

    path = tmp_path / "r.xlsx"
    write_register(path, EXAMPLE)
    workbook = load(path)
    workbook["parties"]["P3"] = "stray"
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        parse(path)
    assert caught.value.location == "parties!P3"


def test_an_unknown_record_kind_names_its_line(tmp_path):
    path = tmp_path / "r.csv"
    write_register(path, EXAMPLE)
    _rewrite_csv(path, lambda rows: rows[2].__setitem__(0, "supplier"))
    with pytest.raises(InputError) as caught:
        parse(path)
    assert caught.value.location == "line 3, column record"


def test_a_value_in_another_sections_column_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    write_register(path, EXAMPLE)
    _rewrite_csv(path, lambda rows: rows[1].__setitem__(CSV_COLUMNS.index("owner"), "example-holdings"))
    with pytest.raises(InputError) as caught:
        parse(path)
    assert caught.value.location == "line 2, column owner"
    assert "does not apply to a party row" in caught.value.message


def test_a_semicolon_separated_csv_with_a_bom_is_read(tmp_path):
    path = tmp_path / "r.csv"
    write_register(path, EXAMPLE)
    rows = list(csv.reader((DATA / "example.csv").open(encoding="utf-8", newline="")))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    assert without_location(parse(path)) == expected_facts(EXAMPLE)


def test_a_csv_register_that_is_not_utf8_is_refused_clearly(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("record,id,name\nparty,p1,Société Générale\n".encode("cp1252"))
    with pytest.raises(InputError, match="CSV UTF-8"):
        parse(path)


def test_an_unknown_sheet_or_column_in_a_workbook_is_named(tmp_path):
    from openpyxl import load_workbook as load

    path = tmp_path / "r.xlsx"
    write_register(path, EXAMPLE)
    workbook = load(path)
    workbook["parties"]["N1"] = "colour"
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        parse(path)
    assert caught.value.location == "parties!N1"
    assert "unknown column 'colour'" in caught.value.message

    workbook.create_sheet("Sheet1")
    del workbook["parties"]["N1"]
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        parse(path)
    assert caught.value.location == "sheet 'Sheet1'"


def test_a_percentage_formatted_cell_is_read_as_its_percentage(tmp_path):
    from openpyxl import load_workbook as load

    path = tmp_path / "r.xlsx"
    write_register(path, EXAMPLE)
    workbook = load(path)
    cell = workbook["ownership"]["D2"]
    cell.value, cell.number_format = 0.51, "0%"
    workbook.save(path)
    equity = [f for f in parse(path) if isinstance(f, OwnershipFact) and f.interest == "shareholding"]
    assert [f.share_min for f in equity] == [pytest.approx(0.51)]


def test_blank_rows_in_a_workbook_are_skipped_and_rows_keep_their_numbers(tmp_path):
    from openpyxl import load_workbook as load

    path = tmp_path / "r.xlsx"
    write_register(path, EXAMPLE)
    workbook = load(path)
    workbook["parties"].insert_rows(3)
    workbook.save(path)
    parties = [f for f in parse(path) if isinstance(f, PartyFact)]
    assert [f.location for f in parties] == ["parties row 2", "parties row 4", "parties row 5"]


def test_a_damaged_workbook_is_refused_as_input(tmp_path):
    path = tmp_path / "r.xlsx"
    write_register(path, EXAMPLE)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError):
        parse(path)
    with zipfile.ZipFile(path := tmp_path / "fake.xlsx", "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='parties'/></sheets></workbook>")
    with pytest.raises(InputError):
        parse(path)


# ------------------------------------------------------------------------------ sniffing

def test_register_files_are_recognized_by_content(tmp_path):
    for name, fmt in (("example.csv", "supplier-register-csv"), ("example.xlsx", "supplier-register-xlsx")):
        path = DATA / name
        renamed = tmp_path / "upload.bin"
        renamed.write_bytes(path.read_bytes())
        assert [f.name for f in FORMATS if f.sniff(read_head(renamed), renamed)] == [fmt]


def test_register_sniffers_claim_no_corpus_file(corpus):
    claimed = [str(p.relative_to(corpus)) for p in sorted(corpus.rglob("*")) if p.is_file()
               and any(f.sniff(read_head(p), p) for f in FORMATS)]
    assert claimed == []


if __name__ == "__main__":
    DATA.mkdir(parents=True, exist_ok=True)
    write_template(DATA / "template.csv")
    write_template(DATA / "template.xlsx")
    write_register(DATA / "example.csv", EXAMPLE)
    write_register(DATA / "example.xlsx", EXAMPLE)
