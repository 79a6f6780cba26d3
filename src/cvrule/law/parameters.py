"""Legal parameters as data: every date, threshold, country list and policy of subpart D.

Each parameter lives in `parameters/*.yaml` as a list of dated values. A value takes effect
on its `effective` date and stays in force until the next one; amendments are added beside
the old values, never edited in place, so evaluating as of a date gives that date's law.
Every value names the CFR paragraph it implements (`cite`), where the value comes from
(`source`) and whether it is `verified` or an `interpretation`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from cvrule.errors import ParameterError
from cvrule.yamlio import load_yaml

__all__ = [
    "DEFAULT_PARAMETERS_DIR",
    "Edition",
    "GeneralAuthorizationTerms",
    "Law",
    "Param",
    "ParameterStatus",
]

DEFAULT_PARAMETERS_DIR = Path(__file__).with_name("parameters")


class ParameterStatus(StrEnum):
    verified = "verified"
    interpretation = "interpretation"


class GeneralAuthorizationTerms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    purposes: tuple[str, ...]
    transaction_kinds: tuple[str, ...]


# The type of every parameter the rule modules read. A parameter file may hold only these.
PARAMETER_TYPES: dict[str, Any] = {
    "covered_jurisdictions": tuple[str, ...],
    "foreign_adversaries_part_wide": tuple[str, ...],
    "home_jurisdiction": str,
    "rule_effective_date": date,
    "software_prohibition_first_model_year": int,
    "sales_ban_first_model_year": int,
    "ads_service_ban_first_model_year": int,
    "hardware_prohibition_first_model_year": int,
    "hardware_without_model_year_from": date,
    "legacy_software_cutoff": date,
    "vcs_rf_threshold_mhz": float,
    "vcs_excluded_functions": tuple[str, ...],
    "aftermarket_items_in_scope": bool,
    "passive_components_excluded": bool,
    "gvwr_limit_lbs": float,
    "ads_min_sae_level": int,
    "firmware_software_kinds": tuple[str, ...],
    "open_source_excluded": bool,
    "resales_in_scope": bool,
    "majority_share": float,
    "dominant_minority_share": float,
    "review_share": float,
    "controlling_indicators": tuple[str, ...],
    "review_indicators": tuple[str, ...],
    "equity_stands_for_voting": bool,
    "headquarters_defaults_to_country": bool,
    "residence_defaults_to_citizenship": bool,
    "us_permanent_residents_excepted": bool,
    "roles_required_to_clear": dict[str, tuple[tuple[str, ...], ...]],
    "declaration_lead_days": int,
    "declaration_requires_foreign_interest": bool,
    "declaration_excused_by_general_authorization": bool,
    "declaration_excused_by_specific_authorization": bool,
    "record_retention_years": int,
    "general_authorizations": dict[str, GeneralAuthorizationTerms],
    "approved_supplier_list_in_force": bool,
    "ga_reassessment_days": int,
    "condition_cadence_months": dict[str, int],
    "condition_grace_days": int,
    "overdue_condition_voids_authorization": bool,
}


class _ValueEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    effective: date
    value: Any
    cite: str = Field(min_length=1)
    source: str = Field(min_length=1)
    status: ParameterStatus
    note: str | None = None


class _ParameterEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = Field(min_length=1)
    values: list[_ValueEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Param:
    """One parameter value in force on a date, with where it comes from."""

    name: str
    value: Any
    effective: date
    cite: str
    source: str
    status: ParameterStatus
    file: str

    @property
    def is_interpretation(self) -> bool:
        return self.status is ParameterStatus.interpretation

    def as_json(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, dict):
            value = _jsonable(value)
        return {
            "name": self.name,
            "value": value,
            "effective": self.effective.isoformat(),
            "cite": self.cite,
            "status": self.status.value,
            "source": self.source,
            "file": self.file,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _jsonable(value.model_dump())
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class _Parameter:
    name: str
    description: str
    values: tuple[Param, ...]  # sorted by effective date

    def on(self, day: date) -> Param | None:
        found = None
        for value in self.values:
            if value.effective <= day:
                found = value
        return found


class Law:
    """All legal parameters loaded from one directory of YAML files."""

    def __init__(self, parameters: dict[str, _Parameter], digest: str, directory: Path):
        self._parameters = parameters
        self.digest = digest
        self.directory = directory

    @classmethod
    def load(cls, directory: Path | str | None = None) -> Law:
        """Load and check every parameter file; raise ParameterError naming file and key."""
        if directory is None:
            directory = os.environ.get("CVRULE_PARAMETERS") or DEFAULT_PARAMETERS_DIR
        directory = Path(directory)
        files = sorted(directory.glob("*.yaml"))
        if not files:
            raise ParameterError(f"{directory}: no parameter files (*.yaml) found")
        parameters: dict[str, _Parameter] = {}
        hasher = hashlib.sha256()
        for path in files:
            raw_bytes = path.read_bytes()
            hasher.update(path.name.encode() + b"\0" + raw_bytes + b"\0")
            document = load_yaml(raw_bytes, path)
            if not isinstance(document, dict):
                raise ParameterError(f"{path}: expected a mapping of parameter names")
            for name, body in document.items():
                parameters[name] = _parse_parameter(path, name, body, parameters)
        missing = sorted(set(PARAMETER_TYPES) - set(parameters))
        if missing:
            raise ParameterError(f"{directory}: parameters missing: {', '.join(missing)}")
        return cls(parameters, hasher.hexdigest(), directory)

    def names(self) -> list[str]:
        return sorted(self._parameters)

    def history(self, name: str) -> tuple[Param, ...]:
        return self._parameters[name].values

    def description(self, name: str) -> str:
        return self._parameters[name].description

    def in_force_from(self) -> date:
        """The first day for which the parameters know when subpart D took effect."""
        return self._parameters["rule_effective_date"].values[0].effective

    def edition(self, day: date) -> Edition:
        """The law as in force on `day`, recording which parameters a decision reads."""
        return Edition(self, day)

    def _value_on(self, name: str, day: date) -> Param:
        parameter = self._parameters[name]
        found = parameter.on(day)
        if found is None:
            first = parameter.values[0].effective
            raise ParameterError(
                f"parameter {name} is not in force on {day.isoformat()} "
                f"(its first value takes effect on {first.isoformat()})"
            )
        return found


@dataclass
class Edition:
    """The parameters in force on one date; remembers every parameter read through it."""

    law: Law
    day: date
    used: dict[str, Param] = field(default_factory=dict)

    def param(self, name: str) -> Param:
        found = self.law._value_on(name, self.day)
        self.used.setdefault(name, found)
        return found

    def __getitem__(self, name: str) -> Any:
        return self.param(name).value

    def interpretations(self) -> list[Param]:
        return sorted(
            (p for p in self.used.values() if p.is_interpretation), key=lambda p: p.name
        )


def _parse_parameter(
    path: Path, name: Any, body: Any, seen: dict[str, _Parameter]
) -> _Parameter:
    where = f"{path.name}: {name}"
    if not isinstance(name, str) or name not in PARAMETER_TYPES:
        known = ", ".join(sorted(PARAMETER_TYPES))
        raise ParameterError(f"{where}: unknown parameter (known parameters: {known})")
    if name in seen:
        raise ParameterError(f"{where}: defined twice")
    try:
        entry = _ParameterEntry.model_validate(body)
    except ValidationError as error:
        raise ParameterError(_describe(where, error)) from None
    adapter = TypeAdapter(PARAMETER_TYPES[name])
    values = []
    for index, item in enumerate(sorted(entry.values, key=lambda v: v.effective)):
        try:
            value = adapter.validate_python(item.value)
        except ValidationError as error:
            raise ParameterError(_describe(f"{where}.values[{index}].value", error)) from None
        values.append(
            Param(name, value, item.effective, item.cite, item.source, item.status, path.name)
        )
    dates = [v.effective for v in values]
    if len(set(dates)) != len(dates):
        raise ParameterError(f"{where}: two values take effect on the same date")
    return _Parameter(name, entry.description, tuple(values))


def _describe(where: str, error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"])
        suffix = f".{location}" if location else ""
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = "unknown key (a value takes: effective, value, cite, source, status, note)"
        lines.append(f"{where}{suffix}: {message}")
    return "\n".join(lines)
