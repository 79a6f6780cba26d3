"""Transactions: the imports, sales and services the prohibitions reach."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import model_validator

from cvrule.model._base import Id, Strict

__all__ = ["Purpose", "Transaction", "TransactionKind"]


class TransactionKind(StrEnum):
    import_vcs_hardware = "import_vcs_hardware"
    import_vehicle = "import_vehicle"
    sell_vehicle = "sell_vehicle"
    ads_commercial_service = "ads_commercial_service"


class Purpose(StrEnum):
    production = "production"
    repair = "repair"
    warranty = "warranty"
    testing = "testing"
    display = "display"
    export = "export"
    personal_use = "personal_use"
    sporting_event = "sporting_event"


class Transaction(Strict):
    id: Id
    kind: TransactionKind
    actor: Id
    item: Id | None = None
    vehicle: Id | None = None
    in_vehicle: Id | None = None
    date: date
    purpose: Purpose = Purpose.production

    @model_validator(mode="after")
    def _object_matches_kind(self):
        if self.kind is TransactionKind.import_vcs_hardware:
            if self.item is None:
                raise ValueError("import_vcs_hardware needs 'item'")
            if self.vehicle is not None:
                raise ValueError("import_vcs_hardware takes 'item' (and 'in_vehicle'), not 'vehicle'")
        else:
            if self.vehicle is None:
                raise ValueError(f"{self.kind.value} needs 'vehicle'")
            if self.item is not None or self.in_vehicle is not None:
                raise ValueError(f"{self.kind.value} takes 'vehicle', not 'item' or 'in_vehicle'")
        return self
