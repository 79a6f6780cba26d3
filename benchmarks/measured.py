"""Running a benchmark child process while sampling the resident memory of its whole process tree
(a Spark JVM included), shared by the benchmark scripts."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass

__all__ = ["Measured", "run_measured", "tree_rss_kib"]


def tree_rss_kib(root: int) -> int:
    """Resident set of `root` and all its descendants, in KiB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            pid, ppid = int(entry), int(fields[1])
            rss[pid] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
            children.setdefault(ppid, []).append(pid)
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


@dataclass
class Measured:
    returncode: int | None
    """None when the child was killed for running past the timeout."""
    stdout: str
    stderr: str
    peak_kib: int


def run_measured(command: list[str], timeout: float, interval: float = 0.1) -> Measured:
    """Run `command`, sampling its process tree's resident set every `interval` seconds."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_kib(process.pid))
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return Measured(None, "", "", peak[0])
    sampler.join()
    return Measured(process.returncode, stdout, stderr, peak[0])
