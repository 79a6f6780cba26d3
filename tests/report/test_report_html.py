"""The HTML report: what an analyst must find in it, that it stands alone, and its snapshot."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from cvrule.fleet.result import matrix
from cvrule.model import Outcome
from cvrule.report.html import render_html
from cvrule.report.views import anchor
from fixture import build_assessment, check_snapshot


@pytest.fixture(scope="module")
def assessment(law):
    return build_assessment(law)


@pytest.fixture(scope="module")
def html(assessment) -> str:
    return render_html(assessment).decode("utf-8")


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each element with an id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.tags


def _cell(html: str, line: str, model_year: int) -> str:
    """The <td> of the matrix cell that links to this line and model year."""
    found = re.search(rf'<td class="cell o-(\w+)"><a href="#{re.escape(anchor("cell", line, model_year))}"', html)
    assert found, f"no matrix cell for {line} MY{model_year}"
    return found.group(1)


def test_snapshot(html):
    check_snapshot("report.html", html.encode("utf-8"))


def test_the_same_assessment_gives_the_same_bytes(assessment):
    assert render_html(assessment) == render_html(assessment)


def test_a_matrix_cell_shows_the_worst_outcome_of_its_transactions(assessment, html):
    by_cell = {}
    for view in assessment.decisions:
        if view.line and view.model_year:
            by_cell.setdefault((view.line, view.model_year), set()).add(view.decision.outcome)
    # the fixture has cells that mix outcomes; each must show the worst of them
    assert by_cell[("cascade-trailhead", 2028)] == {Outcome.prohibited, Outcome.indeterminate}
    assert by_cell[("setouchi-harbor", 2028)] == {Outcome.authorized, Outcome.allowed}
    assert _cell(html, "cascade-trailhead", 2028) == "prohibited"
    assert _cell(html, "setouchi-harbor", 2028) == "authorized"
    for line, row in matrix(assessment).items():
        for my, outcome in row.items():
            assert _cell(html, line, my) == outcome.value


def test_each_matrix_cell_links_to_the_decisions_of_its_line_and_model_year(assessment, html):
    ids = {attrs.get("id") for _, attrs in _tags(html)}
    for line, row in matrix(assessment).items():
        for my in row:
            assert anchor("cell", line, my) in ids
    for view in assessment.decisions:
        assert anchor("d", view.decision.transaction) in ids


def test_an_indeterminate_decision_asks_its_missing_questions(assessment, html):
    indeterminate = [v.decision for v in assessment.decisions if v.decision.outcome is Outcome.indeterminate]
    assert indeterminate
    for decision in indeterminate:
        assert decision.missing_facts, decision.transaction
        article = _article(html, decision.transaction)
        assert "What is missing" in article
        for missing in decision.missing_facts:
            assert _escaped(missing.question) in article
            assert missing.fact in article


def test_interpretations_relied_on_are_flagged_as_interpretations(assessment, html):
    decision = next(v.decision for v in assessment.decisions if v.decision.interpretations)
    article = _article(html, decision.transaction)
    for param in decision.interpretations:
        assert re.search(rf'<span class="flag">interpretation</span> {re.escape(param.name)} =', article), param.name
    # and the steps of the reasons tree mark each parameter's status
    assert '<span class="status">interpretation</span>' in article
    assert '<span class="status">verified</span>' in html


def test_each_decision_shows_its_obligations_cites_and_reasons(assessment, html):
    for view in assessment.decisions:
        d = view.decision
        article = _article(html, d.transaction)
        assert f'data-outcome="{d.outcome.value}"' in article
        for cite in d.cites:
            assert f'<span class="cite">{cite}</span>' in article
        if d.declaration_due:
            assert f"due <strong>{d.declaration_due.isoformat()}</strong>" in article
        if d.records_until:
            assert d.records_until.isoformat() in article
        if d.responsible_name:
            assert _escaped(d.responsible_name) in article
        for step in d.because.because:
            assert _escaped(step.says) in article


def test_components_come_linked_and_indeterminate_first_with_their_parties(assessment, html):
    rows = re.findall(r'<tr id="(c-[^"]+)" class="l-(\w+)">', html)
    assert len(rows) == len(assessment.components)
    order = ["linked", "indeterminate", "unresolved", "not_linked"]
    ranks = [order.index(linkage) for _, linkage in rows]
    assert ranks == sorted(ranks)
    parties = {p.ref for p in assessment.parties}
    for component in assessment.components:
        for role in component.roles:
            assert role.party in parties
            assert f'href="#{anchor("p", role.party)}"' in html


def test_parties_show_the_path_that_links_them(assessment, html):
    linked = [p for p in assessment.parties if p.linkage == "linked" and len(p.why) > 1]
    assert linked
    for party in linked:
        row = html[html.index(f'<tr id="{anchor("p", party.ref)}"'):]
        row = row[: row.index("</tr>")]
        for line in party.why:
            words = line.strip().split("] ", 1)[-1]
            assert _escaped(words) in row


def test_the_report_has_its_charts_and_timeline_as_accessible_inline_svg(html):
    svgs = re.findall(r"<svg [^>]*>", html)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby=" in svg
    for title in ("Decisions by outcome", "Components by linkage of their parties",
                  "Components by country of their parties", "Timeline of obligations"):
        assert f">{title}</title>" in html
    assert "Declaration of Conformity due" in html


def test_the_report_is_self_contained(html):
    for tag, attrs in _tags(html):
        for name in ("src", "href", "action", "data", "poster", "srcset"):
            value = attrs.get(name)
            if value is not None:
                assert not re.match(r"\s*(https?:|//|ftp:|file:)", value, re.I), f"<{tag} {name}={value!r}>"
        if tag == "script":
            assert "src" not in attrs, "scripts are inline"
        if tag == "link":
            assert attrs.get("rel") not in ("stylesheet", "preload", "icon"), attrs
    assert "@import" not in html
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", html)


def test_the_report_is_accessible_html(html):
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert html.count("<h1") == 1
    tags = _tags(html)
    ths = [attrs for tag, attrs in tags if tag == "th"]
    assert ths and all(a.get("scope") in ("col", "row") for a in ths)
    ids = [a["id"] for _, a in tags if a.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    for _, attrs in tags:
        if attrs.get("href", "").startswith("#") and len(attrs["href"]) > 1:
            assert attrs["href"][1:] in ids, attrs["href"]


def _article(html: str, transaction: str) -> str:
    start = html.index(f'id="{anchor("d", transaction)}"')
    assert html.rfind("<article", 0, start) > html.rfind("</article>", 0, start)
    return html[start: html.index("</article>", start)]


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
