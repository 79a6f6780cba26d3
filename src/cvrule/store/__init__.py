"""The store: the only code that reads or writes the workspace database."""

from cvrule.store.database import IngestOutcome, Store

__all__ = ["IngestOutcome", "Store"]
