"""Two systems side by side: the answers that differ, the regimes that differ, and why."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from airegime.compare import compare, pairs
from airegime.kb import KnowledgeBase
from airegime.system import System, load_system, parse_system

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"


@pytest.fixture
def zone(kb: KnowledgeBase) -> System:
    return load_system(EXAMPLE, kb=kb)


def edited(kb: KnowledgeBase, system: System, change: Any) -> System:
    data = copy.deepcopy(system.to_dict())
    change(data)
    return parse_system(data, kb=kb)


def test_one_answer_changed_changes_that_phase_regime_and_reason_and_nothing_else(
    kb: KnowledgeBase, zone: System
) -> None:
    after = edited(kb, zone, lambda d: d["deployments"][1]["answers"].update(purpose="other"))
    found = compare(kb=kb, before=zone, after=after, lang="en")
    assert found.differs and found.regimes_differ
    assert [(p.title, p.change) for p in found.phases] == [
        ("Development", "same"),
        ("Deployment: Shopping centre", "same"),
        ("Deployment: National police", "regime"),
    ]
    police = found.phases[2]
    assert police.before and police.after
    assert (police.before.result.outcome, police.after.result.outcome) == ("police_justice", "gdpr")
    assert (police.before.headline, police.after.headline) == (
        "Police-justice (Directive 2016/680, Titre III of the French Act)",
        "GDPR",
    )
    # why, on each side: the deciding rule of the report, in its words
    assert police.before.deciding and police.after.deciding
    assert police.before.deciding["rule"] != police.after.deciding["rule"]
    assert police.after.reason.endswith(police.after.deciding["title"])
    assert "Any other purpose" in police.after.reason
    [answer] = police.answers
    assert (answer.question, answer.before, answer.after) == ("purpose", "criminal_law", "other")
    assert answer.short == "Purpose"
    assert answer.after_label.startswith("Any other purpose")
    assert found.system_answers == ()
    assert found.ranked()[0] is police


def test_identical_systems_differ_in_nothing(kb: KnowledgeBase, zone: System) -> None:
    found = compare(kb=kb, before=zone, after=zone, lang="fr")
    assert not found.differs and not found.regimes_differ
    assert {p.change for p in found.phases} == {"same"}
    assert all(p.answers == () for p in found.phases)


def test_same_regime_for_another_reason_is_a_change_of_reason(kb: KnowledgeBase, zone: System) -> None:
    after = edited(kb, zone, lambda d: d["deployments"][0]["answers"].update(organisation_kind="competent_authority"))
    shop = compare(kb=kb, before=zone, after=after, lang="en").phases[1]
    assert shop.change == "reason"
    assert shop.before and shop.after and shop.before.headline == shop.after.headline == "GDPR"
    assert shop.before.reason != shop.after.reason


def test_a_system_answer_shows_once_and_changes_every_phase_it_decides(kb: KnowledgeBase, zone: System) -> None:
    after = edited(kb, zone, lambda d: d["answers"].update(establishment="unknown"))
    found = compare(kb=kb, before=zone, after=after, lang="en")
    [answer] = found.system_answers
    assert (answer.before, answer.after, answer.after_label) == ("eu", "unknown", "I don't know")
    assert [p.change for p in found.phases] == ["regime", "regime", "regime"]
    assert all(p.answers == () for p in found.phases)
    assert all(p.after and p.after.result.status == "undetermined" and p.after.deciding is None for p in found.phases)


def test_contexts_are_matched_by_name_then_position_the_rest_added_or_removed(kb: KnowledgeBase, zone: System) -> None:
    def change(data: dict[str, Any]) -> None:
        police = data["deployments"][1]
        data["deployments"] = [police, {"name": "Airport", "answers": {"personal_data": "no"}}]

    found = compare(kb=kb, before=zone, after=edited(kb, zone, change), lang="en")
    assert [(p.title, p.change) for p in found.phases] == [
        ("Development", "same"),
        ("Deployment: National police", "same"),  # moved, matched by its name
        ("Deployment: Airport", "added"),  # another position than the shopping centre's: not a rename
        ("Deployment: Shopping centre", "removed"),
    ]
    added, removed = found.phases[2], found.phases[3]
    assert added.before is None and removed.after is None
    assert [(a.question, a.before, a.after) for a in added.answers] == [("personal_data", None, "no")]
    assert [a.before_label for a in added.answers] == ["not answered"]
    assert {a.after for a in removed.answers} == {None}
    assert [p.title for p in found.ranked()] == [
        "Deployment: Airport",
        "Deployment: Shopping centre",
        "Development",
        "Deployment: National police",
    ]


def test_a_renamed_context_in_the_same_place_is_the_same_context(kb: KnowledgeBase, zone: System) -> None:
    after = edited(kb, zone, lambda d: d["deployments"][0].update(name="Mall"))
    found = compare(kb=kb, before=zone, after=after, lang="fr")
    shop = found.phases[1]
    assert (shop.title, shop.renamed_from, shop.change) == (
        "Déploiement\u00a0: Mall",
        "Déploiement\u00a0: Shopping centre",
        "same",
    )
    assert not found.differs  # a new name is no difference of answers or regimes


def test_pairs_by_name_then_position() -> None:
    assert pairs(["a", "b"], ["a", "b"]) == [(0, 0), (1, 1)]
    assert pairs(["a", "b"], ["b", "a"]) == [(1, 0), (0, 1)]
    assert pairs(["a", "b"], ["a", "c"]) == [(0, 0), (1, 1)]  # renamed in place
    assert pairs(["a", "b"], ["c", "a"]) == [(None, 0), (0, 1), (1, None)]
    assert pairs(["a"], ["a", "a"]) == [(0, 0), (None, 1)]
    assert pairs(["", ""], [""]) == [(0, 0), (1, None)]


def test_json_keeps_ids_beside_the_words_in_each_language(kb: KnowledgeBase, zone: System) -> None:
    after = edited(kb, zone, lambda d: d["deployments"][1]["answers"].update(purpose="other"))
    english = compare(kb=kb, before=zone, after=after, lang="en").to_dict()
    french = compare(kb=kb, before=zone, after=after, lang="fr").to_dict()
    json.dumps(english)  # plain JSON
    assert english["format"] == "airegime.comparison/1"
    assert english["rule_set"] == {"version": kb.version, "hash": kb.hash}
    police_en, police_fr = english["phases"][2], french["phases"][2]
    assert police_en["change"] == police_fr["change"] == "regime"
    assert police_en["answers"][0]["question"] == police_fr["answers"][0]["question"] == "purpose"
    assert police_en["after"]["outcome"] == "gdpr" and police_en["after"]["headline"] == "GDPR"
    assert police_fr["after"]["headline"] == "RGPD"
    assert police_en["before"]["deciding"]["rule"] == police_fr["before"]["deciding"]["rule"]
    assert police_en["before"]["reason"] != police_fr["before"]["reason"]
