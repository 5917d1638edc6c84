"""Every rule is exercised by at least one scenario, and the scenario plugin really fails on a wrong expectation."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_plugin import ScenarioFailure, check_scenario, load_scenarios

from airegime.kb import KnowledgeBase

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def all_scenarios() -> list[dict]:
    return [s for path in sorted(SCENARIOS.glob("*.yaml")) for s in load_scenarios(path)]


def test_there_are_at_least_40_scenarios() -> None:
    assert len(all_scenarios()) >= 40


def test_every_rule_decides_some_scenario(kb: KnowledgeBase) -> None:
    exercised = set()
    for scenario in all_scenarios():
        assessment = check_scenario(scenario, kb)
        for phase in assessment.phases:
            if phase.status != "undetermined":
                exercised.update(phase.rules)
    assert {rule.id for rule in kb.rules} - exercised == set()


def test_a_wrong_expectation_fails_in_legal_words(kb: KnowledgeBase) -> None:
    scenario = {
        "name": "wrong on purpose",
        "example": "zone-crossing-detector.yaml",
        "expect": {"National police": {"outcome": "gdpr"}},
    }
    with pytest.raises(
        ScenarioFailure,
        match="the deployment 'National police' should fall under “GDPR”, but the engine gives “Police-justice",
    ):
        check_scenario(scenario, kb)
