"""Code health of the law: the legal values live in the parameter files, not in the code, and
every parameter is sourced, dated, given a status and actually used."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import cvrule.law
from cvrule.law.parameters import PARAMETER_TYPES, ParameterStatus

LAW = Path(cvrule.law.__file__).parent
# Presentation (explain.py) may count indentation; everything that decides is checked.
RULE_MODULES = sorted(p for p in LAW.rglob("*.py") if p.name != "explain.py")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
YEAR = re.compile(r"\b(19|20)\d{2}\b")
COUNTRY = re.compile(r"^[A-Z]{2}$")


def _literals(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            docstrings.add(id(node.value))  # attribute docstrings
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in docstrings:
            yield node


def test_rule_modules_contain_no_legal_literals():
    offenders = []
    for path in RULE_MODULES:
        for node in _literals(path):
            value = node.value
            where = f"{path.relative_to(LAW.parent)}:{node.lineno}: {value!r}"
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, (int, float)) and value not in (0, 1):
                offenders.append(where)
            elif isinstance(value, str) and (DATE.search(value) or YEAR.search(value) or COUNTRY.match(value)):
                offenders.append(where)
    assert not offenders, "legal values belong in law/parameters/*.yaml:\n" + "\n".join(offenders)


def test_the_code_health_check_catches_a_planted_literal(tmp_path):
    planted = tmp_path / "s791_999.py"
    planted.write_text('"""Doc 2027."""\nLIMIT = 10000\nCUTOFF = "2026-03-17"\nCOUNTRY = "CN"\n')
    found = [n.value for n in _literals(planted)]
    assert 10000 in found and "2026-03-17" in found and "CN" in found
    assert "Doc 2027." not in found


def test_every_parameter_value_has_a_source_a_citation_a_status_and_a_date(law):
    for name in law.names():
        assert law.description(name).strip(), name
        for value in law.history(name):
            assert value.source.strip() and value.cite.strip(), name
            assert value.status in (ParameterStatus.verified, ParameterStatus.interpretation), name
            assert value.effective.year >= 2025, name


def test_every_parameter_is_read_by_some_rule_module():
    code = "\n".join(p.read_text() for p in RULE_MODULES if p.name != "parameters.py")
    unused = [name for name in PARAMETER_TYPES if f'"{name}"' not in code and name != "foreign_adversaries_part_wide"]
    assert not unused, f"parameters no rule reads: {unused}"


def test_one_module_per_section_each_opening_with_its_citation():
    for section in ("302", "303", "304", "305", "306", "307", "308", "312"):
        module = LAW / f"s791_{section}.py"
        doc = ast.get_docstring(ast.parse(module.read_text()))
        assert doc and doc.startswith(f"15 CFR 791.{section}"), module
    for module in (LAW / "s791_301").glob("*.py"):
        if module.name == "__init__.py":
            continue
        doc = ast.get_docstring(ast.parse(module.read_text()))
        assert doc and doc.startswith("15 CFR 791.301"), module


def test_the_core_imports_no_web_framework_cli_library_or_database_driver():
    core = [p for d in ("model", "law", "cases") for p in (LAW.parent / d).rglob("*.py")]
    banned = re.compile(r"^\s*(from|import)\s+(typer|click|rich|fastapi|starlette|duckdb|pyspark|sqlalchemy)\b", re.M)
    offenders = [str(p) for p in core if banned.search(p.read_text())]
    assert not offenders, offenders
