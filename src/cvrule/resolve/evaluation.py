"""Measuring a matcher on labeled data: precision and recall at the configured thresholds.

A labeled query names the target it should resolve to (`expect`), or None when the right answer
is "not in the data". Each query is resolved as a run would resolve it (`Matcher.decide`), then:

- a query `linked` to its expected target is a correct link; linked to any other target, a false
  link (it counts against precision, and against recall when a target was expected);
- `review` with the expected target on top is caught for review; with another target on top it
  is a wrong proposal (it counts against review precision only: an analyst sees it);
- `unresolved` is a miss when a target was expected.

precision = correct links / all links; recall = expected targets linked or put up for review
with the right candidate on top / queries that expect a target; link_recall counts links only.
Queries carry a `stratum`, and every figure is also given per stratum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cvrule.resolve.matcher import Matcher, same_entity
from cvrule.resolve.model import Query, Target
from cvrule.resolve.settings import ResolveSettings

__all__ = ["LabeledQuery", "Metrics", "combined", "evaluate"]


@dataclass
class LabeledQuery:
    query: Query
    expect: str | None
    """The expected target's ref, or None."""
    stratum: str
    source: str
    subject_key: str = ""


@dataclass
class Metrics:
    queries: int = 0
    positives: int = 0
    linked: int = 0
    linked_correct: int = 0
    review: int = 0
    review_correct: int = 0
    missed: int = 0
    false_links: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.linked_correct / self.linked if self.linked else 1.0

    @property
    def review_precision(self) -> float:
        proposed = self.linked + self.review
        return (self.linked_correct + self.review_correct) / proposed if proposed else 1.0

    @property
    def recall(self) -> float:
        return (self.linked_correct + self.review_correct) / self.positives if self.positives else 1.0

    @property
    def link_recall(self) -> float:
        return self.linked_correct / self.positives if self.positives else 1.0

    def as_dict(self) -> dict:
        return {
            "queries": self.queries, "positives": self.positives, "linked": self.linked,
            "linked_correct": self.linked_correct, "review": self.review, "review_correct": self.review_correct,
            "missed": self.missed, "false_links": self.false_links,
            "precision": round(self.precision, 4), "review_precision": round(self.review_precision, 4),
            "recall": round(self.recall, 4), "link_recall": round(self.link_recall, 4),
        }


def _correct(chosen: Target, expect: str | None, targets_by_ref: dict[str, Target]) -> bool:
    if expect is None:
        return False
    if chosen.ref == expect:
        return True
    expected = targets_by_ref.get(expect)
    return expected is not None and same_entity(chosen, expected)


def evaluate(targets: Sequence[Target], queries: Iterable[LabeledQuery], settings: ResolveSettings | None = None,
             matcher: Matcher | None = None, keep_errors: int = 5000) -> dict[str, Metrics]:
    """Metrics overall ("all") and per stratum."""
    matcher = matcher or Matcher(targets, settings)
    by_ref = {t.ref: t for t in matcher.index.targets}
    results: dict[str, Metrics] = defaultdict(Metrics)
    for labeled in queries:
        found = matcher.match(labeled.query, labeled.subject_key, explain=1)
        outcome = matcher.decide(found, labeled.query)
        for bucket in ("all", labeled.stratum):
            metrics = results[bucket]
            metrics.queries += 1
            positive = labeled.expect is not None
            metrics.positives += positive
            chosen = outcome.chosen
            right = chosen is not None and _correct(chosen.target, labeled.expect, by_ref)
            if outcome.status == "linked":
                metrics.linked += 1
                metrics.linked_correct += right
                metrics.false_links += not right
            elif outcome.status == "review":
                metrics.review += 1
                metrics.review_correct += right
            if positive and not (right and outcome.status in ("linked", "review")):
                metrics.missed += 1
            wrong = (outcome.status == "linked" and not right) or (positive and not right)
            if wrong and bucket == "all" and len(metrics.errors) < keep_errors:
                metrics.errors.append({
                    "query": list(labeled.query.names), "country": labeled.query.country, "expect": labeled.expect,
                    "stratum": labeled.stratum, "source": labeled.source, "status": outcome.status,
                    "got": chosen.target.ref if chosen else None, "got_name": chosen.target.name if chosen else None,
                    "score": round(chosen.score, 3) if chosen else None, "reason": outcome.reason,
                })
    return dict(results)


def combined(results: dict[str, Metrics], strata: Sequence[str]) -> Metrics:
    """The metrics of several strata taken together."""
    total = Metrics()
    for name in strata:
        part = results.get(name)
        if part is None:
            continue
        for attribute in ("queries", "positives", "linked", "linked_correct", "review", "review_correct", "missed",
                          "false_links"):
            setattr(total, attribute, getattr(total, attribute) + getattr(part, attribute))
    return total
