"""Arrow's memory taken from the C library's allocator (malloc) while files are ingested.

pyarrow's default allocator, mimalloc, asks the kernel for transparent huge pages (its option
allow_thp). On a machine whose memory is fragmented (a large page cache, say) a fault on such a
page can wait for the kernel to compact memory: ingesting the 100,000-component BOM (49 MB) then
spent 1.4-2.2 s of system time in most runs instead of about 0.4 s, for the same facts (issue 3,
2026-12-03). The switch is process-wide; the allocator in use before is restored afterwards (on
error too). An array keeps the allocator it was made with, so none is freed by another.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

__all__ = ["malloc_for_arrow"]


@contextmanager
def malloc_for_arrow() -> Iterator[None]:
    """Arrow allocates with malloc for the block, with the allocator it had before afterwards."""
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)
