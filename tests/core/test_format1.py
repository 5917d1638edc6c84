"""Descriptors of format 1 still load: every example as it was written before the legal model v2
reads as format 2, decides as the same system written in format 2 does, and says where it guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

import airegime
from airegime.kb import KnowledgeBase
from airegime.system import parse_system

ROOT = Path(__file__).resolve().parents[2]
FORMAT1 = sorted((ROOT / "tests" / "format1").glob("*.yaml"))
# Systems the format-1 questions could not describe fully: format 2 asks more of them.
ASKS_MORE = {
    "household-photo-sorter.yaml": "establishment",  # format 1 never asked it of a household project
    "olympic-crowd-analytics.yaml": "legal_mission",
    "retailer-shoplifting-alerts.yaml": "legal_mission",
}


@pytest.mark.parametrize("path", FORMAT1, ids=lambda p: p.name)
def test_a_format1_example_decides_like_its_format2_version(path: Path, kb: KnowledgeBase) -> None:
    old = airegime.load_system(path, kb=kb)
    new = airegime.load_system(ROOT / "examples" / path.name, kb=kb)
    assert old.airegime == 2 and old.to_dict()["airegime"] == 2
    old_result, new_result = airegime.evaluate(kb=kb, system=old), airegime.evaluate(kb=kb, system=new)
    for before, after in zip(old_result.phases, new_result.phases, strict=True):
        if path.name in ASKS_MORE and before.status == "undetermined":
            assert ASKS_MORE[path.name] in [d.question for d in before.depends_on]
            assert after.outcome in before.possible
        else:
            assert (before.name, before.outcome) == (after.name, after.outcome)


def test_there_are_format1_examples() -> None:
    assert len(FORMAT1) >= 15


def test_a_guess_is_said_with_the_question_it_concerns(kb: KnowledgeBase) -> None:
    system = parse_system(
        {
            "name": "Police tool, also reused",
            "answers": {"household": "no"},
            "development": {
                "answers": {
                    "eu_link": "oui",
                    "controller_kind": "police",
                    "use_defined": "yes",
                    "same_purpose_only": "no",
                }
            },
            "deployments": [{"name": "Police", "answers": {"controller_kind": "competent_authority"}}],
        },
        kb=kb,
    )
    assert [(n.location, n.question) for n in system.upgrade_notes] == [
        ("development.answers.development_uses", "development_uses")
    ]
    assert system.development.answers == {
        "organisation_kind": "competent_authority",
        "development_uses": "single_use_with_other_ends",
        "establishment": "eu",
    }
    assert "research or statistics" in system.upgrade_notes[0].text("en")
    assert "recherche ou des statistiques" in system.upgrade_notes[0].text("fr")


def test_exact_mappings_need_no_note(kb: KnowledgeBase) -> None:
    system = airegime.load_system(ROOT / "tests" / "format1" / "zone-crossing-detector.yaml", kb=kb)
    assert system.upgrade_notes == ()
    assert system.answers == {"establishment": "eu"}  # the same answer in every phase becomes the system's


def test_a_household_system_becomes_an_individual_in_each_phase_with_a_note(kb: KnowledgeBase) -> None:
    system = airegime.load_system(ROOT / "tests" / "format1" / "household-photo-sorter.yaml", kb=kb)
    assert {p.answers["organisation_kind"] for p in (*system.developments, *system.deployments)} == {"natural_person"}
    assert {n.question for n in system.upgrade_notes} == {"organisation_kind"}


def test_an_explicit_format_that_is_unknown_is_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(airegime.DescriptorError, match="format 3 is not supported"):
        parse_system({"airegime": 3, "name": "x", "deployments": [{"name": "d"}]}, kb=kb)
