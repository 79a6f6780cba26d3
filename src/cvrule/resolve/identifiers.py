"""Identifiers, checked before any name is compared.

Each scheme is normalized to one canonical spelling and checked where the scheme has a check:
LEI (ISO 17442, ISO 7064 MOD 97-10 check digits), Chinese unified social credit code (GB
32100-2015, 18 characters with a check character), Russian OGRN (13 or 15 digits) and INN (10 or
12 digits), all through python-stdnum; DUNS (9 digits), Catena-X BPNL ("BPNL" + 12 letters or
digits). Web sites and e-mail addresses give a domain (free-mail providers give none); a package
URL gives a domain (Maven and Go namespaces) or an organization name (GitHub, npm scope).

An identifier that fails its check is never used to link; it is reported as ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from stdnum import lei as _lei
from stdnum.cn import uscc as _uscc
from stdnum.ru import inn as _inn
from stdnum.ru import ogrn as _ogrn

__all__ = ["STRONG_SCHEMES", "Identifiers", "domain_of", "identifiers_from", "identifiers_in_text", "normalize", "purl_hints"]

STRONG_SCHEMES = ("lei", "uscc", "ogrn", "inn", "duns", "bpnl")
"""Schemes that name exactly one legal entity: a match links, a conflict separates."""

# Second-level public suffixes common in supplier domains (a full public suffix list is not needed
# to take "quectel.com.cn" to "quectel.com.cn" rather than "com.cn").
_SECOND_LEVEL = frozenset({
    "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn", "com.hk", "com.tw", "com.mo", "co.uk",
    "org.uk", "ac.uk", "co.jp", "ne.jp", "or.jp", "co.kr", "or.kr", "com.au", "net.au", "com.sg",
    "com.my", "co.in", "net.in", "com.br", "com.mx", "co.za", "com.tr", "com.ru", "net.ru", "org.ru",
    "msk.ru", "spb.ru", "co.il", "com.vn", "co.th", "co.id", "com.ar", "co.nz",
})
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com",
    "qq.com", "163.com", "126.com", "sina.com", "aliyun.com", "foxmail.com", "mail.ru", "yandex.ru",
    "bk.ru", "list.ru", "inbox.ru", "gmx.de", "web.de", "proton.me", "protonmail.com", "aol.com",
})
_LEI_TEXT = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}[0-9]{2}(?![0-9A-Z])")
_USCC_TEXT = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
_BPNL_TEXT = re.compile(r"(?<![0-9A-Z])BPNL[0-9A-Z]{12}(?![0-9A-Z])")
_DOMAIN_TEXT = re.compile(r"^(?:https?://)?(?:www\.)?([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+)/?$")
_EMAIL_TEXT = re.compile(r"[\w.+-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)")


@dataclass
class Identifiers:
    """The checked identifiers of one side of a comparison."""

    values: dict[str, set[str]] = field(default_factory=dict)
    """scheme -> canonical values (lei, uscc, ogrn, inn, duns, bpnl, domain, org)."""
    ignored: list[tuple[str, str, str]] = field(default_factory=list)
    """(scheme, value as written, why) for values that failed their check."""

    def add(self, scheme: str, raw: str) -> None:
        value, problem = normalize(scheme, raw)
        if value is not None:
            self.values.setdefault(scheme if scheme not in ("url", "email", "website") else "domain", set()).add(value)
        elif problem:
            self.ignored.append((scheme, raw, problem))

    def items(self) -> list[tuple[str, str]]:
        return sorted((scheme, value) for scheme, values in self.values.items() for value in values)


def normalize(scheme: str, raw: str) -> tuple[str | None, str | None]:
    """(canonical value, None) or (None, why it was refused); (None, None) for schemes not used."""
    text = str(raw).strip()
    if not text:
        return None, None
    try:
        if scheme == "lei":
            return _lei.validate(text), None
        if scheme == "uscc":
            return _uscc.validate(text), None
        if scheme == "ogrn":
            return _ogrn.validate(text), None
        if scheme == "inn":
            return _inn.validate(text), None
    except Exception as error:  # stdnum raises ValidationError subclasses
        return None, str(error) or type(error).__name__
    if scheme == "duns":
        digits = re.sub(r"[\s-]", "", text)
        return (digits, None) if re.fullmatch(r"\d{9}", digits) else (None, "a DUNS number has 9 digits")
    if scheme == "bpnl":
        value = text.upper().replace(" ", "")
        return (value, None) if re.fullmatch(r"BPNL[0-9A-Z]{12}", value) else (None, "a BPNL is BPNL and 12 letters or digits")
    if scheme in ("url", "website", "domain"):
        domain = domain_of(text)
        return (domain, None) if domain else (None, None)
    if scheme == "email":
        domain = domain_of(text)
        return (domain, None) if domain and domain not in FREE_MAIL else (None, None)
    if scheme == "org":
        return (text.lower(), None)
    return None, None


_MEMO = 1 << 18
"""Distinct texts remembered by `domain_of` and `purl_hints` (pure functions asked of every
mention and package namespace of a fleet: a few distinct values, asked many times)."""


@lru_cache(maxsize=_MEMO)
def domain_of(text: str) -> str | None:
    """The registrable domain of a URL, host or e-mail address ("https://www.quectel.com/x" -> "quectel.com")."""
    value = text.strip().lower()
    if not value:
        return None
    if "@" in value and "://" not in value:
        value = value.rsplit("@", 1)[1]
    else:
        if "://" not in value:
            value = "//" + value
        try:
            value = urlsplit(value).hostname or ""
        except ValueError:
            return None
    value = value.strip(".")
    labels = [label for label in value.split(".") if label]
    if len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9-]+", label) for label in labels):
        return None
    if labels[-1].isdigit():
        return None  # an IP address
    keep = 3 if ".".join(labels[-2:]) in _SECOND_LEVEL and len(labels) >= 3 else 2
    return ".".join(labels[-keep:])


def identifiers_from(mapping: dict[str, str] | None) -> Identifiers:
    """Identifiers of a party or list entry (the store's scheme -> value object)."""
    found = Identifiers()
    for scheme, raw in (mapping or {}).items():
        values = raw if isinstance(raw, list) else [raw]
        for value in values:
            if value is not None:
                found.add(scheme.lower(), str(value))
    return found


def identifiers_in_text(text: str) -> Identifiers:
    """Identifiers written in a free-text supplier name: an LEI, USCC or BPNL, or a bare domain."""
    found = Identifiers()
    upper = text.upper()
    for match in _LEI_TEXT.findall(upper):
        if _lei.is_valid(match):
            found.add("lei", match)
    for match in _USCC_TEXT.findall(upper):
        if _uscc.is_valid(match):
            found.add("uscc", match)
    for match in _BPNL_TEXT.findall(upper):
        found.add("bpnl", match)
    stripped = text.strip().lower()
    domain = _DOMAIN_TEXT.match(stripped)
    if domain and "." in domain.group(1) and not domain.group(1).replace(".", "").isdigit():
        found.add("url", domain.group(1))
    for email in _EMAIL_TEXT.findall(stripped):
        found.add("email", "x@" + email)
    return found


@lru_cache(maxsize=_MEMO)
def purl_hints(purl: str | None) -> tuple[str | None, str | None]:
    """(domain, organization) a package URL's namespace points at, if any.

    pkg:maven/com.quectel.sdk/x -> ("quectel.com", None); pkg:github/quectel/x -> (None, "quectel");
    pkg:npm/%40quectel/x -> (None, "quectel"); pkg:golang/gitee.com/quectel/x -> (None, "quectel").
    """
    if not purl or not purl.startswith("pkg:"):
        return None, None
    body = purl[4:].split("#", 1)[0].split("?", 1)[0]
    parts = [unquote(p) for p in body.split("/") if p]
    if parts:
        parts[-1] = parts[-1].split("@", 1)[0]
    if len(parts) < 3:
        return None, None
    kind, namespace = parts[0].lower(), parts[1:-1]
    hosts = {"github.com", "gitlab.com", "bitbucket.org", "gitee.com"}
    if kind in ("maven", "gradle"):
        labels = namespace[0].lower().split(".")
        if len(labels) >= 2 and labels[0] in {"com", "org", "net", "io", "cn", "de", "ru", "jp", "eu", "co"}:
            return domain_of(".".join(reversed(labels[:3 if labels[1] in {"com", "co"} else 2]))), None
        return None, None
    if kind in ("github", "gitlab", "bitbucket"):
        return None, namespace[0].lower()
    if kind == "npm":
        return None, namespace[0].lstrip("@").lower()
    if kind == "golang":
        host = namespace[0].lower()
        if host in hosts and len(namespace) >= 2:
            return None, namespace[1].lower()
        return domain_of(host), None
    return None, None
