"""While files are ingested Arrow allocates with malloc (cvrule.ingest.arrow_memory); the
allocator in use before comes back afterwards, after an error too."""

from __future__ import annotations

import pyarrow as pa
import pytest

from cvrule.ingest.arrow_memory import malloc_for_arrow


def test_arrow_allocates_with_malloc_inside_the_block_and_as_before_after_it():
    before = pa.default_memory_pool().backend_name
    with malloc_for_arrow():
        assert pa.default_memory_pool().backend_name == "system"
        kept = pa.array(["made", "inside"])
    assert pa.default_memory_pool().backend_name == before
    assert kept.to_pylist() == ["made", "inside"]


def test_the_allocator_comes_back_after_an_error():
    before = pa.default_memory_pool().backend_name
    with pytest.raises(RuntimeError), malloc_for_arrow():
        raise RuntimeError("a parser failed")
    assert pa.default_memory_pool().backend_name == before
