"""15 CFR 791.310: a request for an advisory opinion.

VCS hardware importers and connected vehicle manufacturers "may request an advisory opinion
from BIS to determine whether a prospective transaction is subject to a prohibition, or
requirement under this subpart"; the requester "must have a direct financial interest in the
substance of the question(s) presented" and the submission "must include the name of the
parties to the transaction" (791.310(a)). Requests go to BIS as its OICTS page says, subject
"Advisory Opinion Request: Entity Name" (791.310(b)). Requesters are encouraged to give the
items of 791.310(c)(1)-(7). This module drafts them from an assessment run, like
s791_307_application; the questions presented come from the decisions' open questions and the
interpretations they relied on.
"""

from __future__ import annotations

from cvrule.filings.answers import Answers
from cvrule.filings.description import data_flows_item, findings, overview_data, parties_item, transactions, vehicles_data
from cvrule.filings.evidence import RunEvidence
from cvrule.filings.filing import Filing, make_item
from cvrule.report.views import report_date

__all__ = ["ADVISORY_KEYS", "draft_advisory_request"]

ADVISORY_KEYS = frozenset({
    "questions", "financial_interest", "submitter", "submitter_address", "party_identifiers", "beneficial_ownership",
    "technical_documents", "vehicle_trim", "vehicles", "other_information", "data_flows",
})
"""The answers-file keys an advisory opinion request can take (docs/filings.md)."""


def draft_advisory_request(evidence: RunEvidence, covered: tuple[str, ...], answers: Answers | None = None) -> Filing:
    answers = answers or Answers()
    run = evidence.assessment
    applicant = evidence.applicant()
    overview, overview_sources = overview_data(evidence)
    vehicles = vehicles_data(evidence)
    importer = applicant.get("role") == "VCS hardware importer"
    items = [
        _questions(evidence, answers),
        make_item("financial_interest", "791.310(a)",
                  "The requester must have a direct financial interest in the substance of the question(s) presented",
                  answers, data={"requester": applicant["name"], "role": applicant.get("role")},
                  sources=[f"run {run.run_id}: the decisions' responsible party"],
                  gaps=[("financial_interest", "a statement of the requester's direct financial interest in the "
                         "question (e.g. it will import or sell the vehicles or hardware named)")]),
        make_item("submitter", "791.310(c)(1)", "Name, title, telephone number and email address of the submitter",
                  answers, gaps=[("submitter", "the submitter's name, title, telephone and email")]),
        make_item("submitter_address", "791.310(c)(2)",
                  "The submitter's complete address (street, city, state, country, postal code)", answers,
                  gaps=[("submitter_address", "street, city, state, country and postal code")]),
        parties_item(evidence, answers, "parties", "791.310(a), 791.310(c)(3)",
                     "The name of the parties to the transaction, and all available information identifying them"),
        make_item("vcs_information", "791.310(c)(4)",
                  "Information on the VCS hardware and/or covered software, with literature, brochures, technical "
                  "specifications or papers that provide sufficient technical detail", answers,
                  data=overview, sources=overview_sources,
                  gaps=[("technical_documents", "literature, brochures, technical specifications or papers on the "
                         "items at issue (title and file)")]),
        make_item("vehicle_identification", "791.310(c)(6)" if importer else "791.310(c)(5)",
                  ("For VCS hardware importers: identification of the system and, if known, the make, model and "
                   "trim of the vehicles it is intended for") if importer else
                  ("For connected vehicle manufacturers: the make, model and trim level, or other identifying "
                   "information of the completed connected vehicle"), answers, data=vehicles,
                  sources=[f"run {run.run_id}: vehicles (fleet manifest lines)"] if vehicles else [],
                  gaps=[("vehicles", "the make, model and trim of the vehicles")] if not vehicles else
                  [("vehicle_trim", "the trim levels")] if any(v["trim"] is None for v in vehicles) else []),
        make_item("other_information", "791.310(c)(7)", "Any other material information", answers,
                  data=_interpretations(evidence),
                  sources=[f"run {run.run_id}: decisions"], optional=("other_information",)),
        data_flows_item(evidence, answers, "data_flows", "791.310(c)(7)",
                        "Data flows and remote access of the items at issue (data sent, endpoints, operators, hosting "
                        "countries; who can update, command or disable the vehicle)"),
    ]
    name = applicant["name"] or applicant["ref"]
    return Filing(kind="advisory_opinion_request", cite="791.310",
                  title=f"Advisory Opinion Request: {name} (15 CFR 791.310)", run_id=run.run_id, fleet=run.fleet,
                  date=report_date(run), applicant=applicant, transactions=transactions(evidence), items=items,
                  findings=findings(evidence, covered),
                  notes=["Deliver as BIS's OICTS page says (791.310(b)), subject line "
                         f"\"Advisory Opinion Request: {name}\"."])


def _questions(evidence: RunEvidence, answers) -> object:
    questions = []
    for view in evidence.views:
        d = view.decision
        open_ = sorted({m.question for m in d.missing_facts})
        questions.append({"transaction": d.transaction, "outcome": d.outcome.value,
                          "question": f"Is {d.transaction} ({d.kind.replace('_', ' ')} on {d.date.isoformat()}) subject "
                                      f"to a prohibition or requirement of 15 CFR part 791 subpart D?",
                          "open_facts": open_})
    return make_item("questions", "791.310(a)",
                     "Whether a prospective transaction is subject to a prohibition, or requirement under this subpart",
                     answers, data=questions, sources=[f"run {evidence.assessment.run_id}: decisions"],
                     gaps=[("questions", "the question(s) presented, in the requester's words (the drafted ones come "
                            "from the decisions)")])


def _interpretations(evidence: RunEvidence) -> dict | None:
    names = sorted({p.name for view in evidence.views for p in view.decision.interpretations})
    return {"interpretations_relied_on": names} if names else None
