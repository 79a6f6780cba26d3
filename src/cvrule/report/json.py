"""The JSON report: the assessment itself (`Assessment.to_json`), sorted keys and two-space
indent, so that it can be diffed, replayed and kept in a record pack."""

from __future__ import annotations

from cvrule.fleet.result import Assessment

__all__ = ["render_json"]


def render_json(assessment: Assessment) -> bytes:
    return assessment.to_json()
