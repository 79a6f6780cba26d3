"""The generated references in docs/: the command line from the real `--help`, the legal parameters
from the bundled parameter files. tests/test_docs.py fails when either is out of date.

    .venv/bin/python -m cvrule.docs_cli > docs/cli.md
    .venv/bin/python -m cvrule.docs_cli parameters > docs/parameters.md
    .venv/bin/python -m cvrule.docs_cli formats > docs/formats.md

Both outputs are deterministic: help is rendered at a fixed width without colour, trailing
spaces are stripped, and the parameters come from the bundled directory whatever
CVRULE_PARAMETERS says.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import typer.main
from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.law import DEFAULT_PARAMETERS_DIR, Law

__all__ = [
    "CliCommand",
    "cli_commands",
    "main",
    "render_cli_reference",
    "render_formats_reference",
    "render_parameters_reference",
]

PROG_NAME = "cvrule"
HELP_WIDTH = 100

_HELP_ENV: dict[str, str | None] = {
    "COLUMNS": str(HELP_WIDTH),
    "LINES": "50",
    "TERMINAL_WIDTH": str(HELP_WIDTH),
    "NO_COLOR": "1",
    "TERM": "dumb",
    "FORCE_COLOR": None,
    "PY_COLORS": None,
    "CLICOLOR_FORCE": None,
    "GITHUB_ACTIONS": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
}


@dataclass(frozen=True)
class CliCommand:
    """One command or command group of the app, by the words that invoke it."""

    path: tuple[str, ...]
    help: str
    is_group: bool

    @property
    def title(self) -> str:
        return " ".join((PROG_NAME, *self.path))


def cli_commands() -> list[CliCommand]:
    """Every visible command and command group of the app, the app itself first, then by name."""
    root = typer.main.get_command(app)
    found: list[CliCommand] = []

    def walk(command: Any, path: tuple[str, ...], parent: Any) -> None:
        ctx = command.context_class(command, info_name=path[-1] if path else PROG_NAME, parent=parent)
        subcommands = getattr(command, "list_commands", None)
        found.append(CliCommand(path, inspect.cleandoc(command.help or ""), subcommands is not None))
        if subcommands is None:
            return
        for name in sorted(subcommands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None and not getattr(sub, "hidden", False):
                walk(sub, (*path, name), ctx)

    walk(root, (), None)
    return found


def help_output(path: tuple[str, ...]) -> str:
    """The `--help` output of one command, as a user at a 100-column plain terminal sees it."""
    with _plain_rich_help():
        result = CliRunner().invoke(app, [*path, "--help"], prog_name=PROG_NAME, env=_HELP_ENV, color=False)
    if result.exit_code != 0:
        raise RuntimeError(f"{PROG_NAME} {' '.join(path)} --help exited with {result.exit_code}: {result.output}")
    lines = [line.rstrip() for line in result.output.splitlines()]
    return "\n".join(lines).strip("\n")


@contextmanager
def _plain_rich_help() -> Iterator[None]:
    """Typer reads its terminal settings at import time; pin them while rendering help."""
    try:
        from typer import rich_utils
    except ImportError:  # typer without rich: plain click help, already width-bound by COLUMNS
        yield
        return
    pinned = {"MAX_WIDTH": HELP_WIDTH, "COLOR_SYSTEM": None, "FORCE_TERMINAL": False}
    saved = {name: getattr(rich_utils, name) for name in pinned if hasattr(rich_utils, name)}
    for name in saved:
        setattr(rich_utils, name, pinned[name])
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(rich_utils, name, value)


def _anchor(title: str) -> str:
    return title.lower().replace(" ", "-")


def render_cli_reference() -> str:
    """docs/cli.md: one section per command with its help and its exact `--help` output."""
    commands = cli_commands()
    out = [
        "# Command-line reference",
        "",
        "<!-- Generated from the real --help by `.venv/bin/python -m cvrule.docs_cli > docs/cli.md`;",
        "     do not edit by hand. tests/test_docs.py fails when this file is out of date. -->",
        "",
        "Every command of `cvrule`, with the output of its `--help` (at 100 columns). The case-file",
        "format is in [case-files.md](case-files.md), the JSON of `--json` in",
        "[decision-json.md](decision-json.md), the legal parameters in [parameters.md](parameters.md).",
        "",
    ]
    for command in commands:
        summary = command.help.split("\n\n")[0].replace("\n", " ")
        indent = "  " * max(len(command.path) - 1, 0)
        out.append(f"{indent}- [`{command.title}`](#{_anchor(command.title)}): {summary}")
    out.append("")
    for command in commands:
        out += [f"## {command.title}", ""]
        if command.help:
            out += [command.help, ""]
        out += ["```text", help_output(command.path), "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render_parameters_reference(law: Law | None = None) -> str:
    """docs/parameters.md: a table per parameter file, every dated value with its cite, status and source."""
    law = law or Law.load(DEFAULT_PARAMETERS_DIR)
    by_file: dict[str, list[str]] = {}
    for name in law.names():
        for file in dict.fromkeys(p.file for p in law.history(name)):
            by_file.setdefault(file, []).append(name)
    out = [
        "# Legal parameters",
        "",
        "<!-- Generated from the bundled parameter files by",
        "     `.venv/bin/python -m cvrule.docs_cli parameters > docs/parameters.md`; do not edit by hand.",
        "     tests/test_docs.py fails when this file is out of date. -->",
        "",
        "Every date, threshold, country list and policy cvrule applies, as held in",
        "`src/cvrule/law/parameters/*.yaml`. A value is in force from its `effective` date until the",
        "next value of the same parameter; `status` says whether the value is `verified` against the",
        "rule's text or an `interpretation`. `cvrule parameters --as-of DATE` lists the values in force",
        "on a date; `--parameters DIR` runs any command against another set of files. How each",
        "parameter is used is in [decisions.md](decisions.md).",
        "",
    ]
    for file in sorted(by_file):
        out += [
            f"## {file}",
            "",
            "| parameter | effective | value | cite | status | source |",
            "|---|---|---|---|---|---|",
        ]
        for name in by_file[file]:
            for param in law.history(name):
                if param.file != file:
                    continue
                value = json.dumps(param.as_json()["value"], ensure_ascii=False)
                out.append(
                    f"| `{param.label}` | {param.effective.isoformat()} | `{_cell(value)}` | {_cell(param.cite)} "
                    f"| {param.status.value} | {_cell(param.source)} |"
                )
        out += ["", "What they mean:", ""]
        out += [f"- `{name}`: {_cell(law.description(name))}" for name in by_file[file]]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def render_formats_reference() -> str:
    """docs/formats.md: every input format `cvrule ingest` reads, in the order detection tries them."""
    from cvrule.ingest.detect import all_formats

    out = [
        "# Input formats",
        "",
        "Generated by `.venv/bin/python -m cvrule.docs_cli formats > docs/formats.md`; do not edit by hand.",
        "",
        "`cvrule ingest` chooses the format of each file by its content (never by its name alone),",
        "trying the formats in this order; the first that recognizes the file reads it.",
        "",
        "| format | module | what it reads |",
        "|---|---|---|",
    ]
    for fmt in all_formats():
        module = fmt.parse.__module__.removeprefix("cvrule.ingest.")
        out.append(f"| `{fmt.name}` | `{module}` | {_cell(fmt.description or '')} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Print docs/cli.md, or with `parameters` docs/parameters.md, to standard output."""
    args = sys.argv[1:] if argv is None else argv
    if args in ([], ["cli"]):
        text = render_cli_reference()
    elif args == ["parameters"]:
        text = render_parameters_reference()
    elif args == ["formats"]:
        text = render_formats_reference()
    else:
        sys.stderr.write("usage: python -m cvrule.docs_cli [cli | parameters | formats] > docs/FILE.md\n")
        raise SystemExit(2)
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


if __name__ == "__main__":  # pragma: no cover - entry point
    main()
