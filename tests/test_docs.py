"""Docs cannot drift: the generated references match the code, and every command, case-file key
and legal parameter is documented (STYLE.md, practice 10)."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from cvrule.cases.casefile import _KEYED_SECTIONS, _CaseBody
from cvrule.docs_cli import cli_commands, render_cli_reference, render_parameters_reference
from cvrule.law.parameters import PARAMETER_TYPES

DOCS = Path(__file__).parent.parent / "docs"


def _read(name: str) -> str:
    path = DOCS / name
    assert path.is_file(), f"docs/{name} is missing"
    return path.read_text(encoding="utf-8")


def _mentions(text: str, key: str) -> bool:
    """`key` in backticks, or written as a YAML key (`key:`)."""
    return f"`{key}`" in text or re.search(rf"(?<![\w-]){re.escape(key)}:", text) is not None


def test_cli_reference_is_up_to_date():
    assert _read("cli.md") == render_cli_reference(), (
        "docs/cli.md is out of date; regenerate it with: .venv/bin/python -m cvrule.docs_cli > docs/cli.md"
    )


def test_parameters_reference_is_up_to_date():
    assert _read("parameters.md") == render_parameters_reference(), (
        "docs/parameters.md is out of date; regenerate it with: "
        ".venv/bin/python -m cvrule.docs_cli parameters > docs/parameters.md"
    )


def test_formats_reference_is_up_to_date():
    from cvrule.docs_cli import render_formats_reference

    assert _read("formats.md") == render_formats_reference(), (
        "docs/formats.md is out of date; regenerate it with: "
        ".venv/bin/python -m cvrule.docs_cli formats > docs/formats.md"
    )


def test_every_command_is_documented():
    text = _read("cli.md")
    commands = cli_commands()
    titles = {c.title for c in commands}
    assert {"cvrule case run", "cvrule case test", "cvrule parameters", "cvrule version"} <= titles
    undocumented = [c.title for c in commands if f"## {c.title}\n" not in text]
    assert not undocumented, f"commands missing from docs/cli.md: {undocumented}"


def _models_in(annotation: object) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds, however deeply nested (lists, unions, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def _contract_keys() -> dict[str, str]:
    """Every key the case-file loader accepts, by alias, with one key path where it may appear."""
    keys: dict[str, str] = {}

    def walk(model: type[BaseModel], where: str, injected_id: bool) -> None:
        for name, field in model.model_fields.items():
            key = field.alias or name
            if key == "id" and injected_id:
                continue
            path = f"{where}.{key}" if where else key
            keys.setdefault(key, path)
            for inner in _models_in(field.annotation):
                keyed = typing.get_origin(field.annotation) is dict
                walk(inner, f"{path}.<id>" if keyed else path, keyed and name in _KEYED_SECTIONS)

    walk(_CaseBody, "", False)
    return keys


def test_contract_walk_reaches_every_model():
    keys = _contract_keys()
    # one key of each of Party, Ownership, Control, Employment, Item, Update, Vehicle,
    # Transaction, the three authorization kinds and Expectation
    for key in ("ownership_known", "voting", "over", "employer", "runs_on", "by", "trim", "in_vehicle",
                "conditions", "circumstance_changed", "party", "declaration_due", "from"):
        assert key in keys
    assert "from_" not in keys


@pytest.mark.parametrize("key,path", sorted(_contract_keys().items()))
def test_every_case_file_key_is_documented(key, path):
    assert _mentions(_read("case-files.md"), key), f"case-file key {key!r} ({path}) is not described in docs/case-files.md"


def test_every_parameter_is_documented():
    text = _read("decisions.md") + "\n" + _read("parameters.md")
    undocumented = sorted(name for name in PARAMETER_TYPES if not re.search(rf"(?<!\w){name}(?!\w)", text))
    assert not undocumented, f"parameters not described in docs/decisions.md or docs/parameters.md: {undocumented}"
