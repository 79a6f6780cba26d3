"""What the US screening-list parsers share: the lists' own names, reading government CSV text
with line numbers, dates as the lists write them, identifier schemes and countries.

Government list files are UTF-8 today but older ones are Windows-1252 (the BIS Unverified List
CSV has a cp1252 dash): text that is not UTF-8 is read as Windows-1252, and bytes that are not
Windows-1252 either are refused.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from cvrule.ingest.base import InputError, check_size, csv_problem, csv_reader_limits
from cvrule.ingest.countries import normalize_country
from cvrule.ingest.limits import Limits

__all__ = [
    "LIST_NAMES",
    "add_identifier",
    "add_unique",
    "address_country",
    "csv_rows",
    "head_text",
    "list_country",
    "list_date",
    "read_list_text",
    "split_list",
]

LIST_NAMES = {
    "EL": "Entity List (EL) - Bureau of Industry and Security",
    "DPL": "Denied Persons List (DPL) - Bureau of Industry and Security",
    "UVL": "Unverified List (UVL) - Bureau of Industry and Security",
    "MEU": "Military End User (MEU) List - Bureau of Industry and Security",
    "SDN": "Specially Designated Nationals (SDN) - Treasury Department",
    "FSE": "Foreign Sanctions Evaders (FSE) - Treasury Department",
    "SSI": "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
    "PLC": "Palestinian Legislative Council List (PLC) - Treasury Department",
    "CAP": "Capta List (CAP) - Treasury Department",
    "NS-MBS": "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department",
    "CMIC": "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department",
    "NON-SDN": "Consolidated Sanctions List (Non-SDN Lists) - Treasury Department",
    "DTC": "ITAR Debarred (DTC) - State Department",
    "ISN": "Nonproliferation Sanctions (ISN) - State Department",
}
"""The lists by the code the CSL gives them, named as the CSL `source` column names them."""


def head_text(head: bytes) -> str:
    """The first bytes of a file as text, for sniffing (BOM removed, undecodable bytes dropped)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head.decode("utf-16", "ignore")
    return head.decode("utf-8", "ignore").lstrip("\ufeff")


_C1 = re.compile("[\x80-\x9f]")
_C1_AS_CP1252 = {
    code: bytes([code]).decode("cp1252") for code in range(0x80, 0xA0) if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
"""C1 control characters in list text are Windows-1252 punctuation decoded as Latin-1 upstream
(the CSL writes "Gui\x92an" for "Gui’an"): they are read as the character they stood for."""


def read_list_text(path: Path, limits: Limits) -> str:
    """The whole file as text: UTF-16 with BOM, UTF-8 (BOM optional) or else Windows-1252; a
    trailing DOS end-of-file mark (Ctrl-Z, as OFAC's CSV files end) is dropped."""
    check_size(path, limits)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), None, f"cannot be read: {error.strerror}") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(str(path), "byte 0", "expected UTF-16 text after the byte-order mark") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as error:
                raise InputError(str(path), f"byte {error.start}", "expected UTF-8 or Windows-1252 text") from None
    if _C1.search(text):
        text = _C1.sub(lambda match: _C1_AS_CP1252.get(ord(match.group()), match.group()), text)
    if "\x00" in text:
        raise InputError(str(path), f"character {text.index(chr(0))}", "expected text, found a NUL byte (binary file?)")
    stripped = text.rstrip("\r\n")
    if stripped.endswith("\x1a"):
        text = stripped[:-1]
    return text


def csv_rows(path: Path, text: str, limits: Limits, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, fields) for each non-blank record."""
    csv_reader_limits(limits)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    count = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(str(path), f"line {line}", csv_problem(error, limits)) from None
        start, line = line, reader.line_num + 1
        if not any(field.strip() for field in row):
            continue
        count += 1
        if count > limits.max_elements:
            raise InputError(str(path), f"line {start}", f"more rows than the limit max_elements={limits.max_elements:,}")
        for field in row:
            if len(field) > limits.max_string_bytes:
                raise InputError(str(path), f"line {start}", f"field longer than the limit max_string_bytes={limits.max_string_bytes:,}")
        yield start, row


def split_list(value: str | None, separator: str = ";") -> list[str]:
    """The non-empty, stripped parts of a separated value."""
    if not value:
        return []
    return [part.strip() for part in value.split(separator) if part.strip()]


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d %b %Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ")


def list_date(value: str | None, path: Path, where: str, column: str) -> date | None:
    """A date as the lists write it (2017-10-16, 10/16/2017, 16 Oct 2017); empty is None."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise InputError(str(path), where, f"column {column}: expected a date (YYYY-MM-DD or MM/DD/YYYY), found {text!r}")


# Country names as OFAC and the State Department write them (GENC short names) that
# `normalize_country` does not know.
_LIST_COUNTRY_NAMES = {
    "korea, north": "KP",
    "korea, south": "KR",
    "turkey": "TR",
    "burma": "MM",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo, republic of the": "CG",
    "the gambia": "GM",
    "gambia, the": "GM",
    "bahamas, the": "BS",
    "cote d ivoire": "CI",
    "cote d'ivoire": "CI",
    "ivory coast": "CI",
    "brunei": "BN",
    "macedonia, the former yugoslav republic of": "MK",
    "macedonia": "MK",
    "cape verde": "CV",
    "swaziland": "SZ",
    "east timor": "TL",
    "micronesia": "FM",
    "micronesia, federated states of": "FM",
    "vatican city": "VA",
    "holy see": "VA",
    "uae": "AE",
    "palestinian": "PS",
    "palestine": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "gaza strip": "PS",
    "region: gaza": "PS",
    "region: west bank": "PS",
}


def list_country(value: str | None) -> str | None:
    """ISO alpha-2 for a country code or name as the US lists write it ("Korea, North" -> KP)."""
    if not value:
        return None
    return normalize_country(value) or _LIST_COUNTRY_NAMES.get(" ".join(value.lower().split()))


_TRAILING_CODE = re.compile(r"(?:^|,\s*)([A-Z]{2})\s*$")


def address_country(address: str) -> str | None:
    """The country of a CSL address ("..., Moscow, 119180, RU" -> RU; "CN" -> CN)."""
    match = _TRAILING_CODE.search(address.strip())
    return list_country(match.group(1)) if match else None


# How identifier types are written on the lists -> the scheme names facts use.
_SCHEMES = {
    "unified social credit code (uscc)": "uscc",
    "legal entity number": "lei",
    "d-u-n-s number": "duns",
    "website": "url",
    "email address": "email",
    "swift/bic": "swift_bic",
    "passport": "passport",
    "national id no.": "national_id",
    "vessel registration identification": "imo",
    "registration number": "registration",
    "business registration number": "registration",
    "company number": "registration",
    "commercial registry number": "registration",
    "registration id": "registration",
    "public registration number": "registration",
    "tax id no.": "tax_id",
    "government gazette number": "government_gazette",
    "v.a.t. number": "vat",
    "aircraft serial identification": "aircraft_serial",
}
_SLUG = re.compile(r"[^a-z0-9]+")


def add_identifier(identifiers: dict[str, str], kind: str, number: str, country: str | None = None) -> None:
    """Record one identifier under its scheme; a scheme's second value goes under "scheme#2".

    A Russian tax number is an INN and a Russian registration number an OGRN (the schemes
    nomenklatura and the party facts use); other types keep a slug of their own name."""
    kind_key = kind.strip().lower()
    number = number.strip()
    if not number or kind_key.endswith((":", "-")):
        return
    scheme = _SCHEMES.get(kind_key) or _SLUG.sub("_", kind_key).strip("_")
    if not scheme:
        return
    if scheme not in ("url", "email", "swift_bic") and not any(ch.isdigit() for ch in number):
        return
    if country == "RU" and scheme == "tax_id":
        scheme = "inn"
    elif country == "RU" and scheme == "registration" and number.isdigit() and len(number) in (13, 15):
        scheme = "ogrn"
    name, n = scheme, 1
    while name in identifiers:
        if identifiers[name] == number:
            return
        n += 1
        name = f"{scheme}#{n}"
    identifiers[name] = number


def add_unique(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)
