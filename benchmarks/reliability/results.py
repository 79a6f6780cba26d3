"""Writing a section of benchmarks/reliability/RESULTS.md (each long run owns one section), and
reading the process's peak memory."""

from __future__ import annotations

import re
from pathlib import Path

HEADER = """# Reliability runs: latest results

Written by the scripts in this folder (see RELIABILITY.md at the repository root for what each
guarantee is and which test proves it). Each section is replaced by the next run of its script.
"""


def write_section(path: Path, title: str, body: str) -> None:
    text = path.read_text(encoding="utf-8") if path.is_file() else HEADER
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def peak_rss_mb() -> float:
    """VmHWM of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
