"""Case files: self-contained YAML scenarios with the decisions they expect (DESIGN.md, "Case
files"). Counsel writes them; `cvrule case run` and `cvrule case test` run them, and so does
pytest."""

from cvrule.cases.casefile import CaseFile, Expectation, load_case
from cvrule.cases.runner import CaseResult, Mismatch, check_case, collect_case_files, run_case

__all__ = [
    "CaseFile",
    "CaseResult",
    "Expectation",
    "Mismatch",
    "check_case",
    "collect_case_files",
    "load_case",
    "run_case",
]
