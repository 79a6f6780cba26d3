"""Choosing a file's format by its content: each format module's sniffers, in a fixed order.

Some files are plainly not inputs: a cvrule fleet manifest (it names the inputs; `cvrule assess`
reads it), a cvrule data-flow register (`cvrule authorization` reads it), and documentation or code that no format claims (a README, a script). `detect`
raises `NotAnInput` for them, so that ingesting a folder can skip them; a file given by name
that is not an input is still an error.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

from cvrule.errors import InputError
from cvrule.ingest.base import Format, is_dataflow_register, is_dataflow_workbook, is_fleet_manifest, read_head

__all__ = ["NOT_INPUT_SUFFIXES", "NotAnInput", "all_formats", "detect"]

NOT_INPUT_SUFFIXES = frozenset({
    # documentation
    ".md", ".markdown", ".rst", ".txt", ".adoc", ".html", ".htm", ".pdf", ".odt", ".docx", ".rtf",
    # code and build files
    ".py", ".pyc", ".ipynb", ".sh", ".bash", ".ps1", ".bat", ".js", ".mjs", ".ts", ".css", ".java", ".go", ".rs",
    ".c", ".h", ".cpp", ".toml", ".cfg", ".ini", ".lock",
    # images
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".bmp",
})
"""Suffixes of files that, when no format claims them, are documentation or code, not inputs."""

NOT_INPUT_NAMES = frozenset({"readme", "license", "licence", "copying", "notice", "authors", "changelog", "makefile",
                             "dockerfile"})


class NotAnInput(InputError):
    """A file that is plainly not an input (`reason` says what it is)."""

    def __init__(self, file: str, reason: str, message: str):
        self.reason = reason
        super().__init__(file, None, message)

# Most specific first: CX-0158-1 before plain SPDX 3, FollowTheMoney and BODS before generic JSON.
_MODULES = [
    "cvrule.ingest.cyclonedx",
    "cvrule.ingest.spdx3",
    "cvrule.ingest.spdx2",
    "cvrule.ingest.bods",
    "cvrule.ingest.gleif",
    "cvrule.ingest.ftm",
    "cvrule.ingest.screening",
    "cvrule.ingest.register",
    "cvrule.ingest.casefile",
]


def all_formats() -> list[Format]:
    return list(_formats_in_order())


def _formats_in_order() -> Iterator[Format]:
    """Every format, in the order detect() tries them, each module imported when it is reached:
    detecting an SPDX 2 file does not import the modules after spdx2 (0.2-0.3 s of imports)."""
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        yield from module.FORMATS


def detect(path: Path) -> Format:
    """The format that reads the file; `NotAnInput` for a fleet manifest and for documentation or
    code no format claims, `InputError` for anything else no format claims."""
    head = read_head(path)
    if is_fleet_manifest(head):
        raise NotAnInput(str(path), "a cvrule fleet manifest",
                         "is a cvrule fleet manifest, not an input to ingest: `cvrule assess` reads it "
                         "(give it the manifest's folder)")
    if is_dataflow_register(head) or is_dataflow_workbook(head, path):
        raise NotAnInput(str(path), "a cvrule data-flow register",
                         "is a cvrule data-flow register, not an input to ingest: `cvrule authorization` reads it "
                         "(docs/dataflows.md)")
    plainly_not = path.suffix.lower() in NOT_INPUT_SUFFIXES or path.name.lower() in NOT_INPUT_NAMES
    if not head.strip():
        if plainly_not:
            raise NotAnInput(str(path), "documentation or code", "is empty")
        raise InputError(str(path), None, "is empty")
    for fmt in _formats_in_order():
        try:
            claimed = fmt.sniff(head, path)
        except Exception:  # a sniffer that cannot read the head does not claim the file
            claimed = False
        if claimed:
            return fmt
    message = "is not a format cvrule reads (see docs/formats.md): " + ", ".join(f.name for f in all_formats())
    if plainly_not:
        raise NotAnInput(str(path), "documentation or code", message)
    raise InputError(str(path), None, message)
