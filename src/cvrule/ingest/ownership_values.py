"""Values the ownership formats (GLEIF, BODS, FollowTheMoney) share: dates, share percentages,
identifier schemes and LEI check digits, each read strictly with an InputError naming the place."""

from __future__ import annotations

import re
from datetime import date

from stdnum import lei as stdnum_lei
from stdnum.cn import uscc as stdnum_uscc
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from cvrule.errors import InputError

__all__ = [
    "add_lei",
    "add_national_ids",
    "identifier_scheme",
    "kind_of",
    "parse_date",
    "percent_to_fraction",
]

_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|z|[+-]\d{2}:?\d{2})?)?$"
)


def parse_date(value: object, file: str, where: str, *, date_only: bool = False) -> date:
    """A calendar date from "2020-03-04" or an ISO 8601 date-time ("2012-11-29T00:00:00.000Z");
    the date part is taken as written (no time-zone shift)."""
    if not isinstance(value, str):
        raise InputError(file, where, f"expected a date string (YYYY-MM-DD), found {kind_of(value)}")
    match = _DATE_TIME.match(value.strip())
    if not match or (date_only and match.group(4) is not None):
        shape = "YYYY-MM-DD" if date_only else "YYYY-MM-DD or an ISO 8601 date-time"
        raise InputError(file, where, f"expected a date ({shape}), found {value!r}")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise InputError(file, where, f"expected a real calendar date, found {value!r}") from None


def percent_to_fraction(value: object, file: str, where: str) -> float:
    """A percentage from 0 to 100 (number, or text such as "51", "51%", "51.5 %") as a fraction."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(file, where, f"expected a percentage from 0 to 100, found {kind_of(value)}")
    number = value
    if isinstance(value, str):
        text = value.strip().rstrip("%").strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise InputError(file, where, f"expected a percentage from 0 to 100, found {value!r}") from None
    if not 0 <= number <= 100:  # also refuses NaN
        raise InputError(file, where, f"expected a percentage from 0 to 100, found {value!r}")
    return float(number) / 100


# BODS / org-id.guide scheme codes (and FtM property names) -> the fact vocabulary.
_SCHEMES = {
    "XI-LEI": "lei",
    "LEI": "lei",
    "CN-SAIC": "uscc",
    "CN-SAMR": "uscc",
    "CN-USCC": "uscc",
    "RU-INN": "inn",
    "RU-OGRN": "ogrn",
    "US-DUNS": "duns",
    "XI-DUNS": "duns",
    "DUNS": "duns",
}


def identifier_scheme(scheme: str) -> str:
    """The fact-vocabulary name of an identifier scheme; unknown schemes are kept as written."""
    return _SCHEMES.get(scheme.strip().upper(), scheme.strip())


def add_lei(identifiers: dict[str, str], value: str) -> None:
    """Record an LEI, marking one whose ISO 17442 check digits do not verify rather than refusing it."""
    lei = value.strip().upper()
    identifiers.setdefault("lei", lei)
    if not stdnum_lei.is_valid(lei):
        identifiers["lei_invalid"] = "not a valid ISO 17442 LEI (length, characters or check digits)"


def add_national_ids(identifiers: dict[str, str], country: str | None, number: str | None) -> None:
    """A registration number that is a Chinese USCC or a Russian OGRN/INN is recorded as such."""
    if not number or country not in ("CN", "RU"):
        return
    compact = number.strip().replace(" ", "").replace("-", "")
    if country == "CN" and stdnum_uscc.is_valid(compact):
        identifiers.setdefault("uscc", compact.upper())
    elif country == "RU":
        if stdnum_ogrn.is_valid(compact):
            identifiers.setdefault("ogrn", compact)
        elif stdnum_inn.is_valid(compact):
            identifiers.setdefault("inn", compact)


def kind_of(value: object) -> str:
    """How a JSON value is described in an error ("an object", "a string", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
