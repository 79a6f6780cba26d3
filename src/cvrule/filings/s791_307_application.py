"""15 CFR 791.307(c): the contents of an application for a specific authorization.

BIS "may grant specific authorizations" for an otherwise prohibited transaction by a VCS
hardware importer or connected vehicle manufacturer "upon receipt of a valid and complete
application" (791.307(a)); it will not review one for a transaction a general authorization
already permits (791.307(b)). The application describes the transaction(s) and includes, "at a
minimum", the eight items of 791.307(c)(1)-(8). This module drafts that description from an
assessment run: what the run gives is filled in with its source, what it cannot give is listed
as missing with what to provide (or taken from the answers file).
"""

from __future__ import annotations

from cvrule.filings.answers import Answers
from cvrule.filings.description import data_flows_item, findings, overview_data, parties_item, transactions, vehicles_data
from cvrule.filings.evidence import RunEvidence
from cvrule.filings.filing import Filing, make_item
from cvrule.report.views import report_date

__all__ = ["APPLICATION_KEYS", "draft_application"]

APPLICATION_KEYS = frozenset({
    "party_identifiers", "beneficial_ownership", "assembly_and_packaging", "vehicle_trim", "vehicles",
    "intended_function", "tara", "supporting_documents", "government_access_assessment", "security_standards",
    "mitigation_measures", "data_flows",
})
"""The answers-file keys an application can take (docs/filings.md)."""

_APPLICANT_ROLES = ("connected vehicle manufacturer", "VCS hardware importer")


def draft_application(evidence: RunEvidence, covered: tuple[str, ...], answers: Answers | None = None) -> Filing:
    answers = answers or Answers()
    run = evidence.assessment
    items = [
        parties_item(evidence, answers, "parties", "791.307(c)(1)",
                     "The identity of the parties engaged in the transaction, including relevant corporate identifiers "
                     "and information sufficient to identify the ultimate beneficial ownership of the transacting parties"),
        _overview(evidence, answers),
        _vehicles(evidence, answers),
        _intended_function(evidence, answers),
        _supporting_documents(evidence, answers),
        make_item("government_access", "791.307(c)(6)",
                  "An assessment of the applicant's ability to limit PRC or Russian government access to, or influence "
                  "over the design, development, manufacture, or supply of the VCS hardware or covered software",
                  answers, gaps=[("government_access_assessment", "the applicant's assessment of its ability to limit "
                                  "PRC or Russian government access to or influence over the items at issue (contracts, "
                                  "source-code escrow, control of update keys, audit rights, data localization)")]),
        make_item("security_standards", "791.307(c)(7)",
                  "Security standards used by the applicant with respect to the VCS hardware or covered software",
                  answers, gaps=[("security_standards", "the security standards applied (e.g. ISO/SAE 21434 CSMS, "
                                  "UN R155/R156, ISO 24089 software updates), with certificates or audit reports")]),
        make_item("mitigation", "791.307(c)(8)",
                  "Other actions and proposals such as technical controls (e.g., software validation) or operational "
                  "controls (e.g., physical and logical access monitoring procedures) the applicant intends to take "
                  "to mitigate",
                  answers, gaps=[("mitigation_measures", "technical controls (software validation, signed updates "
                                  "under the applicant's keys, network isolation) and operational controls (physical "
                                  "and logical access monitoring, third-party audits), each with how BIS can monitor it")]),
        data_flows_item(evidence, answers, "data_flows", "791.307(c)",
                        "Data flows and remote access of the items at issue (data sent, endpoints, operators, hosting "
                        "countries; who can update, command or disable the vehicle)"),
    ]
    return Filing(kind="specific_authorization_application", cite="791.307",
                  title="Application for a specific authorization (15 CFR 791.307)", run_id=run.run_id,
                  fleet=run.fleet, date=report_date(run), applicant=evidence.applicant(),
                  transactions=transactions(evidence), items=items, findings=findings(evidence, covered),
                  notes=_notes(evidence))


def _overview(evidence: RunEvidence, answers) -> object:
    data, sources = overview_data(evidence)
    return make_item(
        "vcs_overview", "791.307(c)(2)",
        "An overview of the VCS hardware or covered software, with its PRC or Russia nexus, including persons "
        "responsible for assembling and packaging VCS hardware or covered software", answers,
        data=data, sources=sources,
        gaps=[("assembly_and_packaging", "who assembles and packages each item at issue (name, country, "
               "identifiers, site): the BOMs say who manufactures and supplies, not who assembles and packages")])


def _vehicles(evidence: RunEvidence, answers) -> object:
    vehicles = vehicles_data(evidence)
    gaps = []
    if not vehicles:
        gaps.append(("vehicles", "the make, model, trim and model years of the vehicles the items go into, if known"))
    elif any(v["trim"] is None for v in vehicles):
        gaps.append(("vehicle_trim", "the trim levels of " + "; ".join(
            sorted({f"{v['make']} {v['model']}" for v in vehicles if v["trim"] is None}))))
    return make_item("vehicles", "791.307(c)(3)",
                     "If known, the make, model, and trim of the connected vehicle(s) in which the VCS hardware or "
                     "covered software will be integrated", answers, data=vehicles,
                     sources=[f"run {evidence.assessment.run_id}: vehicles (fleet manifest lines)"] if vehicles else [],
                     gaps=gaps)


def _intended_function(evidence: RunEvidence, answers) -> object:
    functions = []
    for component in evidence.components_at_issue():
        c = component.classification
        said = [f"{k}: {c[k]}" for k in ("enables", "rf", "max_rf_mhz", "software_kind") if k in c]
        functions.append({"id": component.id, "name": component.name, "read_from_the_bom": said})
    return make_item("intended_function", "791.307(c)(4)",
                     "The intended function of the VCS hardware or covered software", answers, data=functions,
                     sources=[f"run {evidence.assessment.run_id}: component classification"] if functions else [],
                     gaps=[("intended_function", "what each item at issue does in the vehicle, in plain words "
                            "(the BOMs give only what it enables and its radio functions)")])


def _supporting_documents(evidence: RunEvidence, answers) -> object:
    sources = {c.source for c in evidence.components_at_issue()}
    files = [{"path": f.path, "sha256": f.sha256, "format": f.format} for f in evidence.assessment.inputs
             if f.path in sources]
    return make_item("supporting_documents", "791.307(c)(5)",
                     "Supporting documentation, such as any ISO/SAE 21434 Threat Analysis and Risk Assessments "
                     "(if available)", answers, data=files,
                     sources=[f"run {evidence.assessment.run_id}: input files"] if files else [],
                     gaps=[("tara", "the ISO/SAE 21434 Threat Analysis and Risk Assessment of each item at issue, "
                            "if available (title, revision, file)")])


def _notes(evidence: RunEvidence) -> list[str]:
    notes = []
    for view in evidence.views:
        d = view.decision
        if d.outcome.value not in ("prohibited", "indeterminate"):
            notes.append(f"{d.transaction} is {d.outcome.value}: it needs no specific authorization"
                         + (" (791.307(b): BIS will not review an application for a transaction a general "
                            "authorization permits)" if d.outcome.value == "authorized" else ""))
        if d.responsible_role not in _APPLICANT_ROLES:
            notes.append(f"{d.transaction}: only connected vehicle manufacturers and VCS hardware importers may apply "
                         f"(791.307(a)); its responsible party's role is {d.responsible_role or 'unknown'}")
    return notes
