"""Limits on what cvrule will read, so a hostile or broken file is refused in bounded time and
memory. Each limit is a setting (`CVRULE_INGEST_<NAME>`), and an error names the one exceeded."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 4 * 1024**3
    """Largest input file read at all."""
    max_depth: int = 256
    """Deepest nesting of JSON objects/arrays or XML elements."""
    max_elements: int = 50_000_000
    """Most XML elements, JSON array items or CSV rows in one file."""
    max_string_bytes: int = 16 * 1024**2
    """Longest single string value (name, description, text node)."""
    stream_above_bytes: int = 128 * 1024**2
    """JSON files larger than this are streamed (memory bounded by one component), not loaded whole."""
    max_unpacked_bytes: int = 2 * 1024**3
    """Most bytes an archive (an XLSX workbook is a zip) may unpack to, all its parts together."""
    max_compression_ratio: int = 200
    """Most times a part of an archive may unpack to its packed size (parts over 1 MiB): a zip bomb
    unpacks to thousands of times; real workbooks to 5-30."""

    @classmethod
    def from_env(cls) -> Limits:
        values = {}
        for item in fields(cls):
            raw = os.environ.get(f"CVRULE_INGEST_{item.name.upper()}")
            if raw is not None:
                values[item.name] = int(raw)
        return cls(**values)
