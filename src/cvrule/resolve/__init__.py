"""Resolution: link the suppliers that files name to parties, and screen them against lists.

Identifiers first (LEI, USCC, OGRN, INN, DUNS, BPNL, web/e-mail domain, package URL namespace),
then multilingual name matching; every candidate carries a score and its features; analyst
judgements override and are audited. No CLI, web or database code here: the store is reached
only through cvrule.store.
"""

from cvrule.resolve.algorithms import ALGORITHMS
from cvrule.resolve.lookup import match_name
from cvrule.resolve.matcher import Judgements, Matcher, Outcome, candidate_id
from cvrule.resolve.model import Candidate, Feature, Query, Target
from cvrule.resolve.names import NameForm, analyze
from cvrule.resolve.review import ReviewError, add_alias, confirm, pending, reject
from cvrule.resolve.run import RunReport, current_actor, resolve_store
from cvrule.resolve.settings import ResolveSettings
from cvrule.resolve.status import RoleResolution, WorkItem, resolutions_by_item, work_to_do

__all__ = [
    "ALGORITHMS",
    "Candidate",
    "Feature",
    "Judgements",
    "Matcher",
    "NameForm",
    "Outcome",
    "Query",
    "ResolveSettings",
    "ReviewError",
    "RoleResolution",
    "RunReport",
    "Target",
    "WorkItem",
    "add_alias",
    "analyze",
    "candidate_id",
    "confirm",
    "current_actor",
    "match_name",
    "pending",
    "reject",
    "resolutions_by_item",
    "resolve_store",
    "work_to_do",
]
