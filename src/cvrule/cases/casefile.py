"""Reading a case file: strict YAML, the case-file contract, and errors that name the key path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from cvrule.errors import CaseFileError
from cvrule.model import Authorization, Control, Employment, Outcome, Ownership, Scenario, dangling_references
from cvrule.model._base import Id, Strict
from cvrule.model.items import Item
from cvrule.model.parties import Party
from cvrule.model.transactions import Transaction
from cvrule.model.vehicles import Vehicle
from cvrule.yamlio import YamlDocument, parse_yaml

__all__ = ["CaseFile", "Expectation", "load_case"]

_KEYED_SECTIONS = ("parties", "items", "vehicles", "transactions")
_AUTH_TAGS = {"specific", "general", "approved_supplier"}


class Expectation(Strict):
    """What a case expects of one transaction's decision. Only `outcome` is required."""

    outcome: Outcome
    declaration_required: bool | None = None
    cites: list[str] = Field(default_factory=list)
    """Each must appear among the decision's cites."""
    responsible: Id | None = None
    missing_facts: list[str] = Field(default_factory=list)
    """Each key path must appear among the decision's missing facts."""
    records_until: date | None = None
    declaration_due: date | None = None


class _CaseBody(Strict):
    name: str = Field(min_length=1)
    description: str | None = None
    as_of: date | None = None
    parties: dict[Id, Party] = Field(default_factory=dict)
    ownership: list[Ownership] = Field(default_factory=list)
    control: list[Control] = Field(default_factory=list)
    employment: list[Employment] = Field(default_factory=list)
    items: dict[Id, Item] = Field(default_factory=dict)
    vehicles: dict[Id, Vehicle] = Field(default_factory=dict)
    transactions: dict[Id, Transaction] = Field(min_length=1)
    authorizations: list[Authorization] = Field(default_factory=list)
    expect: dict[Id, Expectation] = Field(default_factory=dict)


@dataclass
class CaseFile:
    """A loaded case: its scenario, its expectations, and the YAML it came from."""

    path: Path
    name: str
    as_of: date | None
    scenario: Scenario
    expect: dict[str, Expectation]
    document: YamlDocument

    def line_of(self, key_path: str) -> int | None:
        return self.document.line_of(tuple(key_path.split(".")))


def load_case(path: Path | str) -> CaseFile:
    """Read and check a case file; raise CaseFileError naming the file, key path and line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CaseFileError(str(path), None, f"cannot be read: {error.strerror}") from None
    document = parse_yaml(raw, path)
    data = document.data
    if not isinstance(data, dict):
        raise CaseFileError(str(path), "line 1", "expected a mapping with 'name', 'parties', 'transactions', 'expect', ...")
    data = _with_ids(data)
    try:
        body = _CaseBody.model_validate(data)
    except ValidationError as error:
        raise _case_error(path, document, error) from None
    scenario = Scenario(
        parties=body.parties,
        ownership=tuple(body.ownership),
        control=tuple(body.control),
        employment=tuple(body.employment),
        items=body.items,
        vehicles=body.vehicles,
        transactions=body.transactions,
        authorizations=tuple(body.authorizations),
    )
    problems = dangling_references(scenario)
    for txn_id in body.expect:
        if txn_id not in scenario.transactions:
            problems.append((("expect", txn_id), f"{txn_id!r} is not one of the transactions defined in 'transactions'"))
    if problems:
        key_path, message = problems[0]
        raise CaseFileError(str(path), _where(document, key_path), message)
    return CaseFile(path, body.name, body.as_of, scenario, body.expect, document)


def _with_ids(data: dict[str, Any]) -> dict[str, Any]:
    """Give each keyed record its key as `id`, as the domain types carry their id."""
    data = dict(data)
    for section in _KEYED_SECTIONS:
        table = data.get(section)
        if isinstance(table, dict):
            data[section] = {
                key: ({**body, "id": key} if isinstance(body, dict) and "id" not in body else body)
                for key, body in table.items()
            }
    return data


def _where(document: YamlDocument, key_path: tuple) -> str:
    dotted = ".".join(str(p) for p in key_path)
    line = document.line_of(tuple(key_path))
    return f"{dotted} (line {line})" if line else dotted


def _case_error(path: Path, document: YamlDocument, error: ValidationError) -> CaseFileError:
    problems = []
    for problem in error.errors():
        loc = [part for i, part in enumerate(problem["loc"])
               if not (i == 2 and problem["loc"][0] == "authorizations" and part in _AUTH_TAGS)]
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown key (docs/case-files.md lists the keys a case may use)"
        elif problem["type"] == "missing":
            message = "required key is missing"
        elif problem["type"] == "enum":
            expected = problem.get("ctx", {}).get("expected", "")
            message = f"{problem['input']!r} is not one of {expected}"
        problems.append(f"{_where(document, tuple(loc))}: {message}")
    first, rest = problems[0], problems[1:]
    location, _, message = first.partition(": ")
    if rest:
        message += "; also: " + "; ".join(rest[:4]) + (" ..." if len(rest) > 4 else "")
    return CaseFileError(str(path), location, message)
