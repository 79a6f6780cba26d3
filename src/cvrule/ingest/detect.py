"""Choosing a file's format by its content: each format module's sniffers, in a fixed order."""

from __future__ import annotations

import importlib
from pathlib import Path

from cvrule.errors import InputError
from cvrule.ingest.base import Format, read_head

__all__ = ["all_formats", "detect"]

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
    found: list[Format] = []
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        found.extend(module.FORMATS)
    return found


def detect(path: Path) -> Format:
    head = read_head(path)
    if not head.strip():
        raise InputError(str(path), None, "is empty")
    for fmt in all_formats():
        try:
            claimed = fmt.sniff(head, path)
        except Exception:  # a sniffer that cannot read the head does not claim the file
            claimed = False
        if claimed:
            return fmt
    raise InputError(str(path), None, "is not a format cvrule reads (see docs/formats.md): " + ", ".join(f.name for f in all_formats()))
