"""Matching: identifiers first, then names; every candidate explained; decisions by threshold;
ambiguity goes to review; analyst judgements override."""

from __future__ import annotations

from datetime import datetime

from cvrule.resolve import Judgements, Matcher, ResolveSettings
from cvrule.resolve.identifiers import identifiers_from
from cvrule.resolve.model import Target
from cvrule.resolve.subjects import mention_query
from cvrule.store.resolution import JudgementRow


def party(ref, name, country=None, aliases=(), **ids) -> Target:
    return Target(ref=ref, kind="party", source_id="s", key=ref, name=name, names=(name, *aliases),
                  countries=(country,) if country else (), identifiers=identifiers_from(ids))


REGISTRY = [
    party("quectel", "Quectel Wireless Solutions Co., Ltd.", "CN", ["上海移远通信技术股份有限公司"],
          uscc="91310000677833266F", url="https://www.quectel.com"),
    party("quectel-gmbh", "Quectel Wireless Solutions GmbH", "DE"),
    party("tsmc", "Taiwan Semiconductor Manufacturing Company Limited", "TW"),
    party("gazprom", "Gazprom PJSC", "RU", ["Публичное акционерное общество «Газпром»"], inn="7736050003"),
    party("gazprom-neft", "Gazprom Neft PJSC", "RU", inn="5504036333"),
    party("bosch", "Robert Bosch GmbH", "DE"),
    party("bosch-llc", "Robert Bosch LLC", "US"),
    party("acme", "Acme Widgets Inc.", "US"),
]


def outcome(matcher, name, country=None, **ids):
    key, query = mention_query(name, country)
    for scheme, value in ids.items():
        query.identifiers.add(scheme, value)
    found = matcher.match(query, key)
    return matcher.decide(found, query), found


def test_an_identifier_links_whatever_the_name():
    matcher = Matcher(REGISTRY)
    result, found = outcome(matcher, "Some supplier", uscc="91310000677833266F")
    assert result.status == "linked" and result.chosen.target.ref == "quectel"
    assert result.chosen.method == "identifier"
    [feature] = [f for f in found[0].features if f.name == "uscc_match"]
    assert feature.query == feature.candidate == "91310000677833266F"


def test_different_identifiers_of_one_scheme_keep_same_names_apart():
    matcher = Matcher(REGISTRY)
    result, found = outcome(matcher, "Gazprom PJSC", inn="5504036333")
    assert result.chosen.target.ref == "gazprom-neft"
    gazprom = next(c for c in found if c.target.ref == "gazprom")
    assert any(f.name == "inn_conflict" for f in gazprom.features)
    assert gazprom.decision != "link"


def test_every_candidate_explains_its_score_feature_by_feature():
    matcher = Matcher(REGISTRY)
    _, found = outcome(matcher, "上海移遠通信技術股份有限公司")
    top = found[0]
    assert top.target.ref == "quectel" and top.decision == "link"
    [name] = [f for f in top.features if f.name == "name"]
    assert name.query == "上海移遠通信技術股份有限公司"
    assert name.candidate == "上海移远通信技术股份有限公司"
    assert "traditional Chinese to simplified" in name.detail
    assert top.as_json()["features"][0]["feature"] in {"name", "country_match"}


def test_taiwan_is_never_china_a_country_conflict_is_not_linked():
    matcher = Matcher(REGISTRY)
    result, found = outcome(matcher, "Taiwan Semiconductor Manufacturing Co., Ltd.", "China")
    assert result.status == "review"
    assert any(f.name == "country_mismatch" and f.query == "CN" and f.candidate == "TW" for f in found[0].features)
    result, _ = outcome(matcher, "Taiwan Semiconductor Manufacturing Co., Ltd.", "Taiwan, Province of China")
    assert result.status == "linked"


def test_legal_forms_of_different_kinds_are_not_linked_without_review():
    matcher = Matcher(REGISTRY)
    result, found = outcome(matcher, "Robert Bosch S.A.")
    assert result.status != "linked"
    assert any(f.name == "legal_form_mismatch" for c in found for f in c.features)
    result, _ = outcome(matcher, "ROBERT BOSCH G.M.B.H.", "DE")
    assert result.status == "linked" and result.chosen.target.ref == "bosch"


def test_a_bare_brand_shared_by_several_parties_goes_to_review():
    matcher = Matcher(REGISTRY)
    result, _ = outcome(matcher, "QUECTEL")
    assert result.status in ("review", "unresolved")
    assert result.status != "linked"


def test_unknown_names_are_unresolved():
    matcher = Matcher(REGISTRY)
    result, _ = outcome(matcher, "Zhejiang Geely Holding Group Co., Ltd.")
    assert result.status == "unresolved" and result.chosen is None


def _judgement(action, subject_key, ref, alias=None):
    return JudgementRow(1, datetime(2026, 1, 2), "ana", action, None, subject_key, ref, "s", alias, "checked the register",
                        "", "")


def test_a_rejected_pair_never_comes_back_and_a_confirmed_one_is_linked():
    key, query = mention_query("Acme Widgets", None)
    rejected = Judgements.from_rows([_judgement("reject", key, "acme")])
    matcher = Matcher(REGISTRY, judgements=rejected)
    assert all(c.target.ref != "acme" for c in matcher.match(query, key))
    key2, query2 = mention_query("Widget Works", None)
    confirmed = Judgements.from_rows([_judgement("confirm", key2, "acme")])
    matcher = Matcher(REGISTRY, judgements=confirmed)
    found = matcher.match(query2, key2)
    result = matcher.decide(found, query2)
    assert result.status == "linked" and result.chosen.method == "analyst"
    assert found[0].features[0].name == "analyst_confirmed"
    assert "ana" in found[0].features[0].detail


def test_the_later_judgement_wins():
    key, _ = mention_query("Acme Widgets", None)
    rows = [_judgement("confirm", key, "acme"), _judgement("reject", key, "acme")]
    judgements = Judgements.from_rows(rows)
    assert "acme" in judgements.rejected[key] and "acme" not in judgements.confirmed.get(key, {})


def test_candidate_ids_are_stable():
    key, query = mention_query("Robert Bosch GmbH", "DE")
    first = Matcher(REGISTRY).match(query, key)[0].candidate_id
    second = Matcher(list(reversed(REGISTRY))).match(query, key)[0].candidate_id
    assert first == second and len(first) == 12


def test_thresholds_come_from_settings(monkeypatch):
    monkeypatch.setenv("CVRULE_RESOLVE_LINK_THRESHOLD", "0.99")
    monkeypatch.setenv("CVRULE_RESOLVE_REVIEW_THRESHOLD", "0.5")
    settings = ResolveSettings.from_env()
    assert (settings.link_threshold, settings.review_threshold) == (0.99, 0.5)
    matcher = Matcher(REGISTRY, settings)
    assert matcher.decision(0.98) == "review" and matcher.decision(0.4) == "none"


def test_bad_settings_are_refused(monkeypatch):
    import pytest

    from cvrule.errors import CvruleError

    monkeypatch.setenv("CVRULE_RESOLVE_LINK_THRESHOLD", "0.5")
    monkeypatch.setenv("CVRULE_RESOLVE_REVIEW_THRESHOLD", "0.8")
    with pytest.raises(CvruleError):
        ResolveSettings.from_env()
    monkeypatch.setenv("CVRULE_RESOLVE_ALGORITHM", "nope")
    monkeypatch.delenv("CVRULE_RESOLVE_LINK_THRESHOLD")
    monkeypatch.delenv("CVRULE_RESOLVE_REVIEW_THRESHOLD")
    with pytest.raises(CvruleError):
        ResolveSettings.from_env()


def test_the_core_imports_no_cli_web_or_database_code():
    import ast
    from pathlib import Path

    import cvrule.resolve

    banned = {"typer", "click", "rich", "fastapi", "starlette", "duckdb", "sqlite3", "pyspark"}
    for path in Path(cvrule.resolve.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in banned, f"{path.name} imports {name}"


def test_a_name_in_brackets_or_quotes_is_put_up_for_review_never_linked_alone():
    matcher = Matcher([*REGISTRY, party("niip", "Scientific Research Institute of Instrument Design (NIIP)", "RU"),
                       party("yargeo", "YARGEO, OOO", "RU")])
    found, candidates = outcome(matcher, "JSC NIIP", "RU")
    assert found.status == "review" and found.chosen.target.ref == "niip"
    part = [f for f in found.chosen.features if f.name == "name_part"]
    assert part and part[0].score < 0 and "the part in brackets" in part[0].detail
    found, _ = outcome(matcher, "LIKVIDATSIONNAYA KOMISSIYA ZAO 'YARGEO'", "RU")
    assert found.status == "review" and found.chosen.target.ref == "yargeo"
    found, _ = outcome(matcher, "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU 'YARGEO'", "RU")
    assert found.status == "linked" and found.chosen.target.ref == "yargeo"


def test_brackets_naming_a_place_or_a_kind_match_nothing():
    matcher = Matcher([party("kmc", "KMC Chain (Hong Kong) Company Limited", "HK"),
                       party("nick", "Nick's Auto Engineering (PVT) LTD", "ZW")])
    assert outcome(matcher, "Havi Logistics Services (Hong Kong) Limited", "HK")[0].status == "unresolved"
    assert outcome(matcher, "Sino Zim Holdings (PVT) LTD", "ZW")[0].status == "unresolved"


def test_a_rare_word_contained_in_a_longer_name_is_put_up_for_review():
    matcher = Matcher([*REGISTRY, party("amnafzar", "AMNAFZAR GOSTAR-E SHARIF", "IR")])
    found, _ = outcome(matcher, "AMNAFZAR", "IR")
    assert found.status == "review" and found.chosen.target.ref == "amnafzar"
    assert "rare among the names" in found.chosen.features[0].detail


def test_algorithm_v1_stays_available_and_compares_whole_names_only():
    settings = ResolveSettings(algorithm="cvrule-logic-v1")
    matcher = Matcher([*REGISTRY, party("niip", "Scientific Research Institute of Instrument Design (NIIP)", "RU")],
                      settings)
    assert outcome(matcher, "JSC NIIP", "RU")[0].status == "unresolved"
