"""Python's cyclic garbage collector, paused while a file's facts are built and written, and
while an assessment is resolved, decided and written.

Reading a large document builds millions of containers (orjson's tree, then a tuple per fact)
and no reference cycles. The collector would only scan that growing heap again and again (four
fifths of orjson's time on a 50 MB BOM); reference counting frees all of it without its help.
An assessment's decisions are the same: millions of small reason objects in trees, and the JSON
of the assessment built from them (serializing a 62 MB assessment took 1.3-3 s with the
collector, 0.25-0.35 s without). The switch is process-wide: a pause inside another pause leaves
the collector off, and the outermost one turns it back on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, back on afterwards (on error too) if it was on before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
