"""The domain model of cvrule (pydantic v2): parties, ownership, control, items, vehicles,
transactions, authorizations, scenarios and decisions."""

from cvrule.model.authorizations import (
    ApprovedSupplier,
    Authorization,
    AuthorizationCondition,
    AuthorizationStatus,
    ConditionEvidence,
    GeneralAuthorization,
    SpecificAuthorization,
)
from cvrule.model.decisions import Decision, FactRef, MissingFact, Outcome, ParamRef, Reason
from cvrule.model.items import ROLES, Installation, Item, ItemType, RadioFunction, SoftwareKind, Update, VehicleFunction
from cvrule.model.parties import Control, ControlKind, Employment, Ownership, Party, PartyKind
from cvrule.model.scenario import Scenario, dangling_references
from cvrule.model.transactions import Purpose, Transaction, TransactionKind
from cvrule.model.vehicles import Vehicle

__all__ = [
    "ROLES",
    "ApprovedSupplier",
    "Authorization",
    "AuthorizationCondition",
    "AuthorizationStatus",
    "ConditionEvidence",
    "Control",
    "ControlKind",
    "Decision",
    "Employment",
    "FactRef",
    "GeneralAuthorization",
    "Installation",
    "Item",
    "ItemType",
    "MissingFact",
    "Outcome",
    "Ownership",
    "ParamRef",
    "Party",
    "PartyKind",
    "Purpose",
    "RadioFunction",
    "Reason",
    "Scenario",
    "SoftwareKind",
    "SpecificAuthorization",
    "Transaction",
    "TransactionKind",
    "Update",
    "Vehicle",
    "VehicleFunction",
]
