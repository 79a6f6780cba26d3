"""Filings with BIS: specific authorization applications (791.307), advisory opinion requests
(791.310), drafted from an assessment run; and the data-flow and remote-access register whose
risk findings go with them (docs/filings.md, docs/dataflows.md)."""

from cvrule.filings.answers import Answers, load_answers
from cvrule.filings.dataflows import DataFlowRegister, load_register
from cvrule.filings.evidence import RunEvidence
from cvrule.filings.filing import Filing, FilingItem, Gap
from cvrule.filings.render import render_filing_html, render_filing_json, render_filing_pdf
from cvrule.filings.risk import RiskFinding, covered_jurisdictions, register_findings
from cvrule.filings.s791_307_application import APPLICATION_KEYS, draft_application
from cvrule.filings.s791_310_advisory import ADVISORY_KEYS, draft_advisory_request

__all__ = [
    "ADVISORY_KEYS", "APPLICATION_KEYS", "Answers", "DataFlowRegister", "Filing", "FilingItem", "Gap", "RiskFinding",
    "RunEvidence", "covered_jurisdictions", "draft_advisory_request", "draft_application", "load_answers",
    "load_register", "register_findings", "render_filing_html", "render_filing_json", "render_filing_pdf",
]
