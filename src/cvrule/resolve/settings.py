"""Settings of resolution and screening: each one `CVRULE_RESOLVE_<NAME>` in the environment."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields

from cvrule.errors import CvruleError

__all__ = ["ResolveSettings"]


@dataclass(frozen=True)
class ResolveSettings:
    link_threshold: float = 0.92
    """A candidate scoring at least this is linked without review (decision `link`)."""
    review_threshold: float = 0.70
    """A candidate scoring at least this (and below link_threshold) waits for an analyst (decision `review`)."""
    ambiguity_margin: float = 0.05
    """Two different parties both above link_threshold and closer than this send the mention to review."""
    screening_threshold: float = 0.70
    """A screening-list entry scoring at least this is a risk flag (review or link)."""
    candidates: int = 8
    """Candidates scored in full per name, after blocking."""
    block_max_df: int = 5000
    """Blocking keys shared by more names than this are not used to find candidates (they still count in the score)."""
    workers: int = 1
    """Processes that match in parallel (0: one per CPU core, at most 4); runs under 2,000 names use one.
    More than one forks the process: measured slower than one on the 2-core machine (benchmarks/resolve)."""
    algorithm: str = "cvrule-logic-v3"
    """The scoring algorithm, by its stable name (see cvrule.resolve.algorithms)."""

    @classmethod
    def from_env(cls, **overrides) -> ResolveSettings:
        values: dict = {}
        for item in fields(cls):
            raw = os.environ.get(f"CVRULE_RESOLVE_{item.name.upper()}")
            if raw is None:
                continue
            kind = type(getattr(cls, item.name))
            try:
                values[item.name] = kind(raw)
            except ValueError:
                raise CvruleError(f"CVRULE_RESOLVE_{item.name.upper()}={raw!r}: expected a {kind.__name__}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if not 0 < self.review_threshold <= self.link_threshold <= 1:
            raise CvruleError(
                f"resolve thresholds must satisfy 0 < review ({self.review_threshold}) <= link ({self.link_threshold}) <= 1"
            )
        from cvrule.resolve.algorithms import ALGORITHMS

        if self.algorithm not in ALGORITHMS:
            raise CvruleError(f"unknown resolve algorithm {self.algorithm!r}; known: {', '.join(sorted(ALGORITHMS))}")

    def as_dict(self) -> dict:
        return asdict(self)
