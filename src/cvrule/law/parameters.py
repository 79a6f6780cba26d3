"""Legal parameters as data: every date, threshold, country list and policy of subpart D.

Each parameter lives in `parameters/*.yaml` as a list of dated values. A value takes effect
on its `effective` date and stays in force until the next one; amendments are added beside
the old values, never edited in place, so evaluating as of a date gives that date's law.
Every value names the CFR paragraph it implements (`cite`), where the value comes from
(`source`) and whether it is `verified` or an `interpretation`.

Vehicle classes. `vehicle_classes` defines classes of vehicle by GVWR range, one class per
value (`vehicle_class: NAME`). A parameter in CLASS_SPECIFIC may also be given for one class
(a value with `vehicle_class: NAME`): for a vehicle of that class the class's own value in force
prevails; a value without `vehicle_class` applies to all classes, and to every vehicle whose
class has no value of its own. A new class with its own dates is new data, not new code.
"""

from __future__ import annotations

import hashlib
import os
import typing
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from cvrule.errors import ParameterError
from cvrule.yamlio import load_yaml

__all__ = [
    "CLASS_SPECIFIC",
    "DEFAULT_PARAMETERS_DIR",
    "Edition",
    "GeneralAuthorizationTerms",
    "Law",
    "Param",
    "ParameterStatus",
    "VehicleClassRange",
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


class VehicleClassRange(BaseModel):
    """The GVWR range of a vehicle class: over `gvwr_over_lbs`, up to and including `gvwr_at_most_lbs`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    gvwr_over_lbs: float = Field(default=0, ge=0)
    gvwr_at_most_lbs: float | None = None
    """None: no upper bound."""

    @model_validator(mode="after")
    def _upper_above_lower(self) -> VehicleClassRange:
        if self.gvwr_at_most_lbs is not None and self.gvwr_at_most_lbs <= self.gvwr_over_lbs:
            raise ValueError("gvwr_at_most_lbs must be greater than gvwr_over_lbs")
        return self

    def holds(self, gvwr_lbs: float) -> bool:
        return gvwr_lbs > self.gvwr_over_lbs and (self.gvwr_at_most_lbs is None or gvwr_lbs <= self.gvwr_at_most_lbs)

    def overlaps(self, other: VehicleClassRange) -> bool:
        below = self.gvwr_at_most_lbs is not None and self.gvwr_at_most_lbs <= other.gvwr_over_lbs
        above = other.gvwr_at_most_lbs is not None and other.gvwr_at_most_lbs <= self.gvwr_over_lbs
        return not (below or above)

    def words(self) -> str:
        parts = []
        if self.gvwr_over_lbs:
            parts.append(f"over {self.gvwr_over_lbs:,.0f} lb")
        if self.gvwr_at_most_lbs is not None:
            parts.append(f"up to {self.gvwr_at_most_lbs:,.0f} lb")
        return "GVWR " + (", ".join(parts) or "of any weight")


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
    "vehicle_classes": VehicleClassRange | None,
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

VEHICLE_CLASSES = "vehicle_classes"
"""The parameter defining the vehicle classes: every value names its class; a null value ends it."""

# The parameters that may be given for one vehicle class (a value with `vehicle_class:`): the
# model-year thresholds the law reads for a vehicle. hardware_without_model_year_from is not
# among them: hardware with no model year is judged apart from any vehicle, so has no class.
CLASS_SPECIFIC: frozenset[str] = frozenset({
    "software_prohibition_first_model_year",
    "sales_ban_first_model_year",
    "ads_service_ban_first_model_year",
    "hardware_prohibition_first_model_year",
})


class _ValueEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    effective: date
    vehicle_class: str | None = Field(default=None, min_length=1)
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
    vehicle_class: str | None = None
    """The vehicle class this value is for; None: all classes."""

    @property
    def is_interpretation(self) -> bool:
        return self.status is ParameterStatus.interpretation

    @property
    def label(self) -> str:
        """The parameter's name, with the vehicle class of a class-specific value: `name[class]`."""
        return self.name if self.vehicle_class is None else f"{self.name}[{self.vehicle_class}]"

    def as_json(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, (dict, BaseModel)):
            value = _jsonable(value)
        data = {
            "name": self.name,
            "value": value,
            "effective": self.effective.isoformat(),
            "cite": self.cite,
            "status": self.status.value,
            "source": self.source,
            "file": self.file,
        }
        if self.vehicle_class is not None:
            data["vehicle_class"] = self.vehicle_class
        return data


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

    def on(self, day: date, vehicle_class: str | None = None) -> Param | None:
        """The value in force: the class's own if it has one in force, else the one for all classes."""
        if vehicle_class is not None:
            own = self._latest(day, vehicle_class)
            if own is not None:
                return own
        return self._latest(day, None)

    def _latest(self, day: date, vehicle_class: str | None) -> Param | None:
        found = None
        for value in self.values:
            if value.effective <= day and value.vehicle_class == vehicle_class:
                found = value
        return found

    def classes(self) -> list[str]:
        return sorted({v.vehicle_class for v in self.values if v.vehicle_class is not None})


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
        _check_vehicle_classes(parameters)
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

    def _value_on(self, name: str, day: date, vehicle_class: str | None = None) -> Param:
        parameter = self._parameters[name]
        found = parameter.on(day, vehicle_class)
        if found is None and vehicle_class is None and name == VEHICLE_CLASSES:
            raise ParameterError(f"parameter {name} has a value per vehicle class only; read it with Edition.per_class")
        if found is None:
            first = parameter.values[0].effective
            raise ParameterError(
                f"parameter {name} is not in force on {day.isoformat()} "
                f"(its first value takes effect on {first.isoformat()})"
            )
        return found

    def _per_class_on(self, name: str, day: date) -> list[Param]:
        parameter = self._parameters[name]
        found = [parameter._latest(day, c) for c in parameter.classes()]
        return [p for p in found if p is not None]


@dataclass
class Edition:
    """The parameters in force on one date; remembers every parameter read through it."""

    law: Law
    day: date
    used: dict[str, Param] = field(default_factory=dict)

    def param(self, name: str, vehicle_class: str | None = None) -> Param:
        """The value in force; for a vehicle of `vehicle_class`, that class's own value if it has one."""
        found = self.law._value_on(name, self.day, vehicle_class)
        self.used.setdefault(found.label, found)
        return found

    def per_class(self, name: str) -> list[Param]:
        """The class-specific values of a parameter in force, one per vehicle class, by class name.

        For `vehicle_classes`: the classes in force (a class whose latest value is null has ended).
        """
        return [p for p in self.law._per_class_on(name, self.day) if p.value is not None]

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
        _check_class_key(f"{where}.values[{index}]", name, item.vehicle_class)
        try:
            value = adapter.validate_python(item.value)
        except ValidationError as error:
            raise ParameterError(_describe(f"{where}.values[{index}].value", error, _unknown_value_key(name))) from None
        values.append(
            Param(name, value, item.effective, item.cite, item.source, item.status, path.name, item.vehicle_class)
        )
    dated = [(v.vehicle_class, v.effective) for v in values]
    for vehicle_class, effective in dict.fromkeys(dated):
        if dated.count((vehicle_class, effective)) > 1:
            which = "" if vehicle_class is None else f" for vehicle class {vehicle_class}"
            raise ParameterError(f"{where}: two values{which} take effect on the same date ({effective.isoformat()})")
    if name != VEHICLE_CLASSES and all(v.vehicle_class is not None for v in values):
        raise ParameterError(f"{where}: needs a value for all vehicle classes (a value without vehicle_class)")
    return _Parameter(name, entry.description, tuple(values))


def _check_class_key(where: str, name: str, vehicle_class: str | None) -> None:
    if name == VEHICLE_CLASSES and vehicle_class is None:
        raise ParameterError(f"{where}: every value of vehicle_classes names its class (vehicle_class: NAME)")
    if vehicle_class is not None and name != VEHICLE_CLASSES and name not in CLASS_SPECIFIC:
        allowed = ", ".join(sorted(CLASS_SPECIFIC))
        raise ParameterError(
            f"{where}.vehicle_class: {name} is not given per vehicle class (parameters that may be: {allowed})"
        )


def _check_vehicle_classes(parameters: dict[str, _Parameter]) -> None:
    """Class-specific values name a defined class; classes in force on a day never overlap."""
    defined = parameters[VEHICLE_CLASSES]
    known = defined.classes()
    for name in sorted(CLASS_SPECIFIC):
        for index, value in enumerate(parameters[name].values):
            if value.vehicle_class is not None and value.vehicle_class not in known:
                raise ParameterError(
                    f"{value.file}: {name}.values[{index}].vehicle_class: unknown vehicle class "
                    f"{value.vehicle_class!r} (classes defined in vehicle_classes: {', '.join(known)})"
                )
    for day in sorted({v.effective for v in defined.values}):
        in_force = [p for p in (defined._latest(day, c) for c in known) if p is not None and p.value is not None]
        for index, first in enumerate(in_force):
            for second in in_force[index + 1:]:
                if first.value.overlaps(second.value):
                    raise ParameterError(
                        f"{second.file}: vehicle_classes: on {day.isoformat()} the classes {first.vehicle_class} "
                        f"({first.value.words()}) and {second.vehicle_class} ({second.value.words()}) overlap; "
                        "a GVWR must fall in one class at most"
                    )


def _unknown_value_key(name: str) -> str:
    models = [a for a in (PARAMETER_TYPES[name], *typing.get_args(PARAMETER_TYPES[name]))
              if isinstance(a, type) and issubclass(a, BaseModel)]
    if len(models) != 1:
        return "unknown key"
    return f"unknown key (expected: {', '.join(models[0].model_fields)})"


def _describe(
    where: str,
    error: ValidationError,
    unknown_key: str = "unknown key (a value takes: effective, vehicle_class, value, cite, source, status, note)",
) -> str:
    lines = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"])
        suffix = f".{location}" if location else ""
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = unknown_key
        lines.append(f"{where}{suffix}: {message}")
    return "\n".join(lines)
