"""US screening lists (CSL CSV/TSV/JSON, OFAC SDN and consolidated CSV sets and XML, BIS Denied
Persons, the former trade.gov per-list CSVs): every real file parses with the entries it holds,
files built to fail are refused at their line, and sniffing claims exactly these files."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvrule.errors import InputError
from cvrule.ingest.base import read_head
from cvrule.ingest.detect import detect
from cvrule.ingest.facts import ListEntry
from cvrule.ingest.limits import Limits
from cvrule.ingest.lists import LIST_NAMES, list_country
from cvrule.ingest.screening import FORMATS

DATA = Path(__file__).parents[1] / "data"
CORPUS = Path(__file__).parents[3] / "shared" / "corpus"


def corpus_files(pattern: str) -> list[Path]:
    """Like conftest.corpus_files (imported by name, "conftest" is ambiguous across tests/)."""
    return sorted(CORPUS.glob(pattern)) if CORPUS.is_dir() else []


FORMAT = {f.name: f for f in FORMATS}
WATCHMAN = "screening-lists-watchman-testdata"
GOVWIZELY = "screening-lists-govwizely-fixtures"

# Every valid screening-list file of the corpus: its format and how many entries it holds.
# The OFAC companions (add, alt, comments) hold none of their own: they are merged into the
# entries of the primary file beside them.
VALID = {
    f"{GOVWIZELY}/data/screening_lists/dtc/itar_debarred_party_list_01242018.csv": ("ddtc-debarred-csv", 515),
    f"{GOVWIZELY}/data/screening_lists/isn/isn.csv": ("csl-source-list-csv", 178),
    f"{GOVWIZELY}/spec/fixtures/screening_lists/dpl/dpl.txt": ("bis-dpl", 9),
    f"{GOVWIZELY}/spec/fixtures/screening_lists/dtc/itar_debarred_parties.csv": ("ddtc-debarred-csv", 4),
    f"{GOVWIZELY}/spec/fixtures/screening_lists/el/el.csv": ("csl-source-list-csv", 5),
    f"{GOVWIZELY}/spec/fixtures/screening_lists/isn/isn.csv": ("csl-source-list-csv", 3),
    f"{GOVWIZELY}/spec/fixtures/screening_lists/sdn/sdn.xml": ("ofac-sdn-xml", 4),
    f"{GOVWIZELY}/spec/fixtures/screening_lists/treasury_consolidated/consolidated.xml": ("ofac-sdn-xml", 16),
    f"{GOVWIZELY}/spec/fixtures/screening_lists/uvl/uvl.csv": ("bis-uvl-csv", 13),
    f"{WATCHMAN}/internal/cslustest/testdata/consolidated.csv": ("csl-csv", 13),
    f"{WATCHMAN}/test/testdata/csl.csv": ("csl-csv", 115),
    f"{WATCHMAN}/test/testdata/bench/sdn.csv": ("ofac-sdn-csv", 8976),
    f"{WATCHMAN}/test/testdata/bench/add.csv": ("ofac-sdn-csv", 0),
    f"{WATCHMAN}/test/testdata/bench/alt.csv": ("ofac-sdn-csv", 0),
    f"{WATCHMAN}/test/testdata/bench/sdn_comments.csv": ("ofac-sdn-csv", 0),
    f"{WATCHMAN}/test/testdata/bench/dpl.txt": ("bis-dpl", 461),
    f"{WATCHMAN}/test/testdata/cons_prim.csv": ("ofac-sdn-csv", 442),
    f"{WATCHMAN}/test/testdata/cons_add.csv": ("ofac-sdn-csv", 0),
    f"{WATCHMAN}/test/testdata/cons_alt.csv": ("ofac-sdn-csv", 0),
    f"{WATCHMAN}/test/testdata/cons_comments.csv": ("ofac-sdn-csv", 0),
}
NOT_A_LIST = {f"{WATCHMAN}/pkg/sources/senzing/testdata/organizations.json"}
"""Senzing entity-resolution records (watchman's import test data), not a screening list."""

# Built to fail (junk last lines, cut-off rows): the line where each goes wrong.
INVALID = {
    f"{WATCHMAN}/test/testdata/invalidFiles/csl.csv": 2,
    f"{WATCHMAN}/test/testdata/invalidFiles/sdn.csv": 7380,
    f"{WATCHMAN}/test/testdata/invalidFiles/add.csv": 11697,
    f"{WATCHMAN}/test/testdata/invalidFiles/alt.csv": 9683,
    f"{WATCHMAN}/test/testdata/invalidFiles/sdn_comments.csv": 4,
}


def entries(fmt: str, path: Path) -> list[ListEntry]:
    return list(FORMAT[fmt].parse(path, Limits()).facts)


def by_key(fmt: str, path: Path) -> dict[str, ListEntry]:
    return {entry.key: entry for entry in entries(fmt, path)}


def _relative(path: Path) -> str:
    return path.as_posix().split("/corpus/", 1)[1]


def test_the_corpus_lists_match_this_table(corpus):
    found = {_relative(p) for d in (WATCHMAN, GOVWIZELY) for p in (corpus / d).rglob("*") if p.is_file()}
    assert found == set(VALID) | set(INVALID) | NOT_A_LIST


@pytest.mark.parametrize("path", corpus_files("screening-lists-*/**/*"), ids=_relative)
def test_every_screening_corpus_file_is_detected_and_read_or_refused(path):
    name = _relative(path)
    if path.is_dir() or name in NOT_A_LIST:
        return
    if name in INVALID:
        with pytest.raises(InputError) as caught:
            list(detect(path).parse(path, Limits()).facts)
        assert caught.value.location == f"line {INVALID[name]}"
        return
    fmt, count = VALID[name]
    assert detect(path).name == fmt
    found = entries(fmt, path)
    assert len(found) == count
    assert len({entry.key for entry in found}) == count
    for entry in found:
        assert isinstance(entry, ListEntry)
        assert entry.name and entry.name == entry.name.strip()
        assert entry.list_name in LIST_NAMES.values()
        assert entry.location.startswith(("line ", "/sdnList[1]/sdnEntry["))
        assert all(len(code) == 2 and code.isupper() for code in entry.countries)


# ------------------------------------------------------------------------- OFAC CSV set

def test_ofac_sdn_entries_carry_their_aliases_addresses_and_remarks_overflow(corpus):
    folder = corpus / WATCHMAN / "test/testdata/bench"
    sdn = by_key("ofac-sdn-csv", folder / "sdn.csv")
    bank = sdn["306"]
    assert bank.name == "BANCO NACIONAL DE CUBA"
    assert bank.list_name == "Specially Designated Nationals (SDN) - Treasury Department"
    assert bank.aliases == ["BNC", "NATIONAL BANK OF CUBA"]
    assert bank.countries == ["CH", "ES", "JP", "PA"]
    assert bank.programs == ["CUBA"] and bank.entity_type == "entity"
    # sdn_comments.csv continues the remarks OFAC cut off in sdn.csv
    assert sdn["12300"].remarks.endswith("Linked To: R D I S.A.")
    # every alias of alt.csv is merged into its entry (remarks add the "a.k.a. '...'" ones OFAC writes there)
    for row in csv.reader((folder / "alt.csv").open(encoding="utf-8")):
        if len(row) == 5 and row[3].strip() != sdn[row[0]].name:
            assert row[3].strip() in sdn[row[0]].aliases
    assert Counter(entry.entity_type for entry in sdn.values()) == {"individual": 4620, "entity": 3673, "vessel": 406, "aircraft": 277}
    assert {entry.list_name for entry in sdn.values()} == {LIST_NAMES["SDN"]}


def test_ofac_consolidated_entries_go_to_the_list_their_program_names(corpus):
    cons = by_key("ofac-sdn-csv", corpus / WATCHMAN / "test/testdata/cons_prim.csv")
    huawei, hikvision = cons["30947"], cons["30946"]
    assert huawei.name == "HUAWEI TECHNOLOGIES CO., LTD."
    assert huawei.list_name == "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department"
    assert huawei.aliases == ["HUAWEI INVESTMENT & HOLDING CO LTD"]
    assert huawei.countries == ["CN"]
    assert huawei.identifiers["uscc"] == "914403001922038216"
    assert hikvision.identifiers["uscc"] == "91330000733796106P" and "HIKVISION" in hikvision.aliases
    assert cons["17014"].list_name == LIST_NAMES["SSI"]
    assert cons["17014"].identifiers["ogrn"] == "1027700342890"
    assert cons["15268"].list_name == LIST_NAMES["CAP"]
    assert cons["9647"].list_name == LIST_NAMES["PLC"]
    assert cons["27016"].list_name == LIST_NAMES["NS-MBS"] and cons["27016"].countries == ["TR"]
    assert Counter(e.list_name for e in cons.values()) == {
        LIST_NAMES["SSI"]: 286, LIST_NAMES["PLC"]: 78, LIST_NAMES["CMIC"]: 68, LIST_NAMES["NS-MBS"]: 9, LIST_NAMES["CAP"]: 1}


def test_bundled_ofac_excerpts_read_without_the_corpus():
    sdn = by_key("ofac-sdn-csv", DATA / "ofac-sdn-csv/legacy-sdn/sdn.csv")
    assert list(sdn) == ["36", "306", "12300", "17526", "28263"]
    assert sdn["36"].aliases == ["AERO-CARIBBEAN"] and sdn["36"].countries == ["CU"]
    assert sdn["17526"].list_name == LIST_NAMES["SDN"]  # an FSE-SY tag on an SDN entry keeps it on the SDN list
    assert sdn["28263"].identifiers["email"] == "417136259@qq.com"
    cons = by_key("ofac-sdn-csv", DATA / "ofac-sdn-csv/legacy-consolidated/cons_prim.csv")
    assert cons["30947"].aliases == ["HUAWEI INVESTMENT & HOLDING CO LTD"]
    assert cons["17016"].identifiers["lei"] == "253400WSS48YWMBUA688"
    assert cons["17016"].identifiers["inn"] == "7744001497"
    assert cons["46072"].list_name == LIST_NAMES["NS-MBS"]


def _copy(names: list[str], source: Path, target: Path) -> None:
    for name in names:
        shutil.copy(source / name, target / name)


SDN_SET = DATA / "ofac-sdn-csv/legacy-sdn"


def test_a_companion_beside_its_primary_yields_nothing_of_its_own(tmp_path):
    _copy(["sdn.csv", "alt.csv"], SDN_SET, tmp_path)
    parsed = FORMAT["ofac-sdn-csv"].parse(tmp_path / "alt.csv", Limits())
    assert list(parsed.facts) == []
    assert "read with sdn.csv" in parsed.source.document_name


def test_a_companion_without_its_primary_is_refused(tmp_path):
    _copy(["alt.csv"], SDN_SET, tmp_path)
    with pytest.raises(InputError, match="which is not beside it"):
        FORMAT["ofac-sdn-csv"].parse(tmp_path / "alt.csv", Limits())
    (tmp_path / "alt.csv").rename(tmp_path / "aliases-2021.csv")
    with pytest.raises(InputError, match="rename it"):
        FORMAT["ofac-sdn-csv"].parse(tmp_path / "aliases-2021.csv", Limits())


def test_a_primary_without_companions_gives_bare_entries_and_capital_names_are_found(tmp_path):
    _copy(["sdn.csv"], SDN_SET, tmp_path)
    assert by_key("ofac-sdn-csv", tmp_path / "sdn.csv")["36"].aliases == []
    shutil.copy(SDN_SET / "alt.csv", tmp_path / "ALT.CSV")
    assert by_key("ofac-sdn-csv", tmp_path / "sdn.csv")["36"].aliases == ["AERO-CARIBBEAN"]


def test_an_alias_of_an_entry_the_primary_lacks_is_refused_at_its_line(tmp_path):
    _copy(["sdn.csv"], SDN_SET, tmp_path)
    (tmp_path / "alt.csv").write_text('36,12,"aka","AERO-CARIBBEAN",-0- \r\n99999,13,"aka","GHOST",-0- \r\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        entries("ofac-sdn-csv", tmp_path / "sdn.csv")
    assert caught.value.file == str(tmp_path / "alt.csv") and caught.value.location == "line 2"
    assert "ent_num 99999" in caught.value.message


def test_an_ent_num_listed_twice_is_refused(tmp_path):
    data = (SDN_SET / "sdn.csv").read_bytes()
    (tmp_path / "sdn.csv").write_bytes(data.split(b"\r\n")[0] + b"\r\n" + data)
    with pytest.raises(InputError, match="listed twice"):
        entries("ofac-sdn-csv", tmp_path / "sdn.csv")


# ------------------------------------------------------------------------------ OFAC XML

def test_ofac_xml_entries_have_names_aliases_ids_and_their_list():
    sdn = by_key("ofac-sdn-xml", DATA / "ofac-sdn-xml/sdnList/sdn.xml")
    assert sdn["6982"].name == "JIM'ALE, Ahmed Nur Ali"
    assert "JUMALI, Ahmed Ali" in sdn["6982"].aliases
    assert sdn["6982"].countries == ["AE", "SO", "DJ"]
    assert sdn["6982"].identifiers["passport"] == "A0181988"
    assert sdn["6982"].location == "/sdnList[1]/sdnEntry[2]"
    assert FORMAT["ofac-sdn-xml"].parse(DATA / "ofac-sdn-xml/sdnList/sdn.xml", Limits()).source.created == "2014-07-16"
    cons = by_key("ofac-sdn-xml", DATA / "ofac-sdn-xml/sdnList/consolidated.xml")
    vtb = cons["17013"]
    assert vtb.list_name == LIST_NAMES["SSI"]
    assert (vtb.identifiers["inn"], vtb.identifiers["ogrn"], vtb.identifiers["swift_bic"]) == ("7702070139", "1027739609391", "VTBRRUMM")
    assert Counter(e.list_name for e in cons.values())[LIST_NAMES["PLC"]] == 6


def test_broken_ofac_xml_is_refused_with_its_place(tmp_path):
    path = tmp_path / "sdn.xml"
    path.write_bytes((DATA / "ofac-sdn-xml/sdnList/sdn.xml").read_bytes()[:3000])
    with pytest.raises(InputError) as caught:
        entries("ofac-sdn-xml", path)
    assert caught.value.location.startswith("line ")


# ------------------------------------------------------------------------------------ CSL

def test_csl_csv_without_id_splits_addresses_aliases_and_ids():
    csl = entries("csl-csv", DATA / "csl-csv/without-_id/csl.csv")
    group = next(e for e in csl if e.name == "32 Group China Ltd.")
    assert group.list_name == "Entity List (EL) - Bureau of Industry and Security"
    assert group.countries == ["HK"] and len(group.addresses) == 2
    assert group.identifiers == {"federal_register": "80 FR 69852"}
    assert "license policy: Presumption of denial." in group.remarks
    canada = next(e for e in csl if e.key == "8124")
    assert canada.aliases == ["CARIBE SOL", "HAVANTUR CANADA INC."] and canada.countries == ["CA"]
    gazprom = next(e for e in csl if e.identifiers.get("tax_id") == "8904075533")  # no country with the id: not called an INN
    assert gazprom.identifiers["registration"] == "1148904001971" and gazprom.countries == ["RU"]
    huawei = next(e for e in csl if "Huawei" in e.name)
    assert huawei.name.startswith("Gui’an New District")  # a C1 control (\x92) read as the quote it stood for
    assert Counter(e.list_name for e in csl)["Denied Persons List (DPL) - Bureau of Industry and Security"] == 8


def test_csl_csv_with_id_reads_type_first_ids_and_nationalities():
    csl = by_key("csl-csv", DATA / "csl-csv/with-_id/consolidated.csv")
    rim = csl["52291"]
    assert rim.name == "RIM, Ryong Nam" and rim.entity_type == "individual"
    assert rim.countries == ["CN", "KP"] and rim.identifiers == {"passport": "836238033"}
    meu = csl["66f6ab3f26234b75a9093fce79ef0ce0"]
    assert meu.list_name == LIST_NAMES["MEU"] and meu.start.isoformat() == "2020-12-23"


def test_csl_json_gives_the_entries_of_the_same_csv():
    from_json = entries("csl-json", DATA / "csl-json/v1/consolidated.json")
    from_csv = entries("csl-csv", DATA / "csl-csv/with-_id/consolidated.csv")
    assert [(e.key, e.list_name, e.name, e.aliases, e.programs, e.countries, e.start) for e in from_json] == \
           [(e.key, e.list_name, e.name, e.aliases, e.programs, e.countries, e.start) for e in from_csv]
    assert from_json[4].location == "/results/4"
    assert [e.identifiers for e in from_json] == [e.identifiers for e in from_csv]


@pytest.mark.parametrize(("document", "location"), [
    ({"results": {"name": "x"}}, "/results"),
    ({"results": ["x"]}, "/results/0"),
    ({"results": [{"source": "Entity List (EL) - Bureau of Industry and Security", "name": "", "alt_names": []}]}, "/results/0/name"),
    ({"results": [{"source": "EL", "name": "X", "alt_names": [1, 2]}]}, "/results/0/alt_names"),
    ({"results": [{"source": "EL", "name": "X", "addresses": [{"country": ["CN"]}]}]}, "/results/0/addresses/0/country"),
    ({"results": [{"source": "EL", "name": "X", "start_date": "next week"}]}, "/results/0/start_date"),
    (42, ""),
], ids=["results-not-array", "result-not-object", "no-name", "alias-not-text", "country-not-text", "bad-date", "not-object"])
def test_malformed_csl_json_is_refused_at_its_pointer(tmp_path, document, location):
    path = tmp_path / "csl.json"
    path.write_bytes(orjson.dumps(document))
    with pytest.raises(InputError) as caught:
        entries("csl-json", path)
    assert caught.value.location == location


def test_csl_tsv_is_read_like_csv(tmp_path):
    rows = list(csv.reader((DATA / "csl-csv/with-_id/consolidated.csv").open(encoding="utf-8", newline="")))
    path = tmp_path / "consolidated.tsv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter="\t").writerows(rows)
    assert detect(path).name == "csl-csv"
    assert [e.name for e in entries("csl-csv", path)] == [e.name for e in entries("csl-csv", DATA / "csl-csv/with-_id/consolidated.csv")]


def test_a_bad_csl_date_names_line_and_column(tmp_path):
    text = (DATA / "csl-csv/with-_id/consolidated.csv").read_text(encoding="utf-8").replace('"2020-12-23"', '"23.12.2020"')
    (tmp_path / "c.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        entries("csl-csv", tmp_path / "c.csv")
    assert caught.value.location == "line 4" and "column start_date" in caught.value.message


def test_the_broken_csl_sample_is_refused_at_its_first_short_row():
    with pytest.raises(InputError) as caught:
        entries("csl-csv", DATA / "csl-csv/invalid/csl.csv")
    assert caught.value.location == "line 2" and "expected 28 fields" in caught.value.message


# ----------------------------------------------------------------- BIS and State Dept CSVs

def test_denied_persons_are_one_entry_per_person_with_dates_and_citation():
    dpl = entries("bis-dpl", DATA / "bis-dpl/tab/dpl.txt")
    kal = next(e for e in dpl if e.name == "KAL TEK LABS")
    assert kal.list_name == LIST_NAMES["DPL"] and kal.countries == ["US"]
    assert kal.start.isoformat() == "1988-08-26"
    assert kal.identifiers == {"federal_register": "65 FR 42664 7/11/00"}
    assert "expires: 2008-08-26" in kal.remarks and "action: NAME CORRECTED" in kal.remarks


def test_bench_denied_persons_count_one_entry_per_name_and_date(corpus):
    path = corpus / WATCHMAN / "test/testdata/bench/dpl.txt"
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline=""), delimiter="\t"))
    dpl = entries("bis-dpl", path)
    assert len(dpl) == len({(r["Name"].strip(), r["Effective_Date"].strip()) for r in rows}) == 461
    assert sum(len(e.addresses) for e in dpl) >= len(dpl)


def test_entity_list_rows_per_address_and_alias_make_one_entry():
    el = entries("csl-source-list-csv", DATA / "csl-source-list-csv/legacy/el.csv")
    farid = el[0]
    assert farid.name == "Fazal Rahim Farid" and farid.list_name == LIST_NAMES["EL"]
    assert farid.aliases == ["Fazel Rahim Farid", "Farid", "Engineer Idris"]
    assert len(farid.addresses) == 2 and farid.countries == ["AF"]
    assert next(e for e in el if e.name == "Murat Peker").countries == ["TR"]
    isn = entries("csl-source-list-csv", DATA / "csl-source-list-csv/legacy/isn.csv")
    assert [e.name for e in isn] == ["150th Aircraft Repair Plant (ARZ) (Kaliningrad)", "Amir Hossein Rahimyar", "Abdul Qadeer Khan"]
    assert isn[2].programs == ["E.O. 13382", "Export-Import Bank Act", "Nuclear Proliferation Prevention Act"]


def test_unverified_list_in_windows_1252_splits_aliases_from_names():
    uvl = by_key("bis-uvl-csv", DATA / "bis-uvl-csv/legacy/uvl.csv")
    t2ba = next(e for e in uvl.values() if e.name == "Training 2 Business Academy")
    assert t2ba.aliases == ["T2BA", "Academy of Business Training"] and t2ba.countries == ["RU"]
    advent = next(e for e in uvl.values() if e.name == "Advent International Limited")
    assert "53–59 Wuhu Street" in advent.addresses[0] and advent.countries == ["HK"]


def test_debarred_parties_keep_their_aliases_and_notices():
    dtc = entries("ddtc-debarred-csv", DATA / "ddtc-debarred-csv/legacy/itar_debarred_parties.csv")
    assert [(e.name, e.aliases) for e in dtc][2:] == [("Fleming, Brian Joseph", ["Brian Joseph McSulla"]),
                                                      ("Hukic, Bajro", ["Bob Hukic", "Bab Hucici"])]
    assert dtc[1].identifiers["federal_register"] == "57 FR 43768; 57 FR 37184"


def test_list_country_knows_how_the_us_lists_spell_countries():
    assert [list_country(n) for n in ("Korea, North", "Turkey", "Burma", "Congo, Democratic Republic of the",
                                      "Taiwan", "Hong Kong", "CN", "Atlantis")] == ["KP", "TR", "MM", "CD", "TW", "HK", "CN", None]


# ------------------------------------------------------------------------------ sniffing

SAMPLES = {
    "csl-csv/without-_id/csl.csv": "csl-csv",
    "csl-csv/with-_id/consolidated.csv": "csl-csv",
    "csl-json/v1/consolidated.json": "csl-json",
    "ofac-sdn-csv/legacy-sdn/sdn.csv": "ofac-sdn-csv",
    "ofac-sdn-csv/legacy-sdn/add.csv": "ofac-sdn-csv",
    "ofac-sdn-csv/legacy-sdn/alt.csv": "ofac-sdn-csv",
    "ofac-sdn-csv/legacy-sdn/sdn_comments.csv": "ofac-sdn-csv",
    "ofac-sdn-csv/legacy-consolidated/cons_prim.csv": "ofac-sdn-csv",
    "ofac-sdn-xml/sdnList/sdn.xml": "ofac-sdn-xml",
    "ofac-sdn-xml/sdnList/consolidated.xml": "ofac-sdn-xml",
    "bis-dpl/tab/dpl.txt": "bis-dpl",
    "csl-source-list-csv/legacy/el.csv": "csl-source-list-csv",
    "csl-source-list-csv/legacy/isn.csv": "csl-source-list-csv",
    "bis-uvl-csv/legacy/uvl.csv": "bis-uvl-csv",
    "ddtc-debarred-csv/legacy/itar_debarred_parties.csv": "ddtc-debarred-csv",
}


@pytest.mark.parametrize(("sample", "fmt"), SAMPLES.items())
def test_each_sample_is_claimed_by_exactly_its_format_whatever_its_name(tmp_path, sample, fmt):
    renamed = tmp_path / "upload.dat"
    renamed.write_bytes((DATA / sample).read_bytes())
    assert [f.name for f in FORMATS if f.sniff(read_head(renamed), renamed)] == [fmt]
    assert detect(DATA / sample).name == fmt


def test_screening_sniffers_claim_no_other_corpus_file(corpus):
    claimed = [str(p.relative_to(corpus)) for p in sorted(corpus.rglob("*"))
               if p.is_file() and not _relative(p).startswith("screening-lists-")
               and any(f.sniff(read_head(p), p) for f in FORMATS)]
    assert claimed == []


def test_the_supplier_register_is_not_taken_for_a_list():
    for name in ("template.csv", "example.csv", "example.xlsx"):
        path = DATA / "supplier-register" / name
        assert not any(f.sniff(read_head(path), path) for f in FORMATS)


# ------------------------------------------------------------------------------ robustness

ROBUST = [sample for sample, fmt in SAMPLES.items() if "legacy-sdn/" not in sample or sample.endswith("sdn.csv")]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sample=st.sampled_from(ROBUST), cut=st.floats(0, 1), position=st.floats(0, 1), byte=st.binary(min_size=1, max_size=3))
def test_damaged_list_files_give_facts_or_an_input_error_never_another_exception(tmp_path, sample, cut, position, byte):
    data = (DATA / sample).read_bytes()
    data = data[: max(1, int(len(data) * cut))] if cut < 0.5 else data
    at = int(len(data) * position)
    data = data[:at] + byte + data[at + len(byte):]
    path = tmp_path / Path(sample).name
    path.write_bytes(data)
    try:
        for fact in FORMAT[SAMPLES[sample]].parse(path, Limits()).facts:
            assert isinstance(fact, ListEntry) and fact.name
    except InputError as error:
        assert error.file == str(path)
