"""Country names and codes as formats write them, reduced to ISO 3166-1 alpha-2.

CycloneDX allows a country name or code, Catena-X SerialPart alpha-3, GLEIF and BODS may give a
3166-2 subdivision (CN-GD), FollowTheMoney lower case. "Taiwan, Province of China" is TW, never CN.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

__all__ = ["normalize_country"]

# Names in common use that pycountry does not carry as a name of the country.
_EXTRA_NAMES = {
    "china": "CN",
    "prc": "CN",
    "people's republic of china": "CN",
    "peoples republic of china": "CN",
    "mainland china": "CN",
    "hong kong": "HK",
    "hong kong sar": "HK",
    "hong kong sar china": "HK",
    "macau": "MO",
    "macao": "MO",
    "macao sar": "MO",
    "russia": "RU",
    "russian federation": "RU",
    "taiwan": "TW",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "vietnam": "VN",
    "iran": "IR",
    "czech republic": "CZ",
}
_SUBDIVISION = re.compile(r"^([A-Za-z]{2})-[A-Za-z0-9]{1,3}$")


@lru_cache(maxsize=4096)
def normalize_country(value: str | None) -> str | None:
    """ISO alpha-2 for a country code, name or subdivision; None when it is not recognized."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    match = _SUBDIVISION.match(text)
    if match:
        text = match.group(1)
    if len(text) == 2 and text.isalpha():
        found = pycountry.countries.get(alpha_2=text.upper())
        return found.alpha_2 if found else None
    if len(text) == 3 and text.isalpha():
        found = pycountry.countries.get(alpha_3=text.upper())
        return found.alpha_2 if found else None
    if text.isdigit():
        found = pycountry.countries.get(numeric=text.zfill(3))
        return found.alpha_2 if found else None
    lowered = " ".join(text.lower().replace(",", " ").split())
    if lowered in _EXTRA_NAMES:
        return _EXTRA_NAMES[lowered]
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name and " ".join(name.lower().replace(",", " ").split()) == lowered:
                return country.alpha_2
    return None
