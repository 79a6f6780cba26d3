"""Subpart D of 15 CFR part 791 as code and data: one module per section, the legal parameters in
`parameters/*.yaml`, and `decide`, which applies them to a transaction."""

from cvrule.law.decide import decide, decide_all
from cvrule.law.explain import explain, summary_line
from cvrule.law.parameters import DEFAULT_PARAMETERS_DIR, Edition, Law, Param, ParameterStatus

__all__ = [
    "DEFAULT_PARAMETERS_DIR",
    "Edition",
    "Law",
    "Param",
    "ParameterStatus",
    "decide",
    "decide_all",
    "explain",
    "summary_line",
]
