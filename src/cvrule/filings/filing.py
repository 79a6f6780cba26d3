"""A filing as data: a specific authorization application (791.307(c)) or an advisory opinion
request (791.310), item by item in the rule's order, each item filled from the assessment run
(with its source), from the answers file, or listed as missing with what to provide.

Deterministic: the same run, register and answers give the same bytes (`to_json`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from cvrule.filings.risk import RiskFinding

__all__ = ["Answer", "Filing", "FilingItem", "FilingTransaction", "Gap", "make_item"]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Gap(_Data):
    """Something the item needs that no data gives: the answers-file key that supplies it, and what to provide."""

    key: str
    provide: str


class Answer(_Data):
    value: Any
    source: str
    """The answers file and line it came from."""


class FilingItem(_Data):
    key: str
    cite: str
    title: str
    """What the rule asks for, in its words."""
    status: Literal["complete", "partial", "missing"]
    data: Any = None
    """What the assessment run gives."""
    sources: list[str] = Field(default_factory=list)
    answers: dict[str, Answer] = Field(default_factory=dict)
    missing: list[Gap] = Field(default_factory=list)


class FilingTransaction(_Data):
    id: str
    kind: str
    date: date
    outcome: str
    cites: list[str]
    reasons: list[str]
    """The first level of the decision's reasons."""
    open_questions: list[str] = Field(default_factory=list)


class Filing(_Data):
    cvrule_filing: Literal[1] = 1
    kind: Literal["specific_authorization_application", "advisory_opinion_request"]
    cite: str
    title: str
    run_id: str
    fleet: str
    date: date
    """The run's report date (evaluation date, else the latest decision's): never the clock."""
    applicant: dict[str, str | None]
    transactions: list[FilingTransaction]
    items: list[FilingItem]
    findings: list[RiskFinding] = Field(default_factory=list)
    """Data-flow and remote-access risk findings (docs/dataflows.md): information, not the legal outcome."""
    notes: list[str] = Field(default_factory=list)
    inputs: dict[str, str] = Field(default_factory=dict)
    """Files the draft read beside the run (register, answers): path -> sha256."""

    @property
    def missing(self) -> list[Gap]:
        return [gap for item in self.items for gap in item.missing]

    def to_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json"), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def make_item(key: str, cite: str, title: str, answers, *, data: Any = None, sources: list[str] | None = None,
              gaps: list[tuple[str, str]] = (), optional: tuple[str, ...] = ()) -> FilingItem:
    """An item from what the run gives (`data`, `sources`) and the answers that fill its gaps.

    A gap whose key the answers file holds is filled by that answer; the item is complete when
    no gap is left, partial when something is given and a gap is left, missing when nothing is.
    `optional` keys take answers too, but nothing is missing without them."""
    keys = [gap_key for gap_key, _ in gaps] + list(optional)
    given = {key: answers.get(key) for key in keys if answers.get(key) is not None}
    left = [Gap(key=gap_key, provide=provide) for gap_key, provide in gaps if gap_key not in given]
    has_data = data not in (None, [], {}, "")
    if not left:
        status = "complete"
    elif has_data or given:
        status = "partial"
    else:
        status = "missing"
    return FilingItem(key=key, cite=cite, title=title, status=status, data=data if has_data else None,
                      sources=sorted(set(sources or [])), answers=given, missing=left)
