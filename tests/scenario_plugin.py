"""Scenario tests in YAML (tests/scenarios/*.yaml), collected by pytest and failing in legal words.

A scenario gives answers (or names a file in examples/) and what each phase must come out as:

    - name: "Sheet example 2: ..."
      example: zone-crossing-detector.yaml        # or: system / development / deployments answers
      expect:
        development: {outcome: gdpr, status: determined, rules: [development_case2_gdpr], cites: [cnil_sheet_1]}
        National police: {outcome: police_justice}  # a deployment context, by name
      interview_next: household                     # optional: the next question asked (null: none)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from airegime.engine.evaluate import evaluate
from airegime.engine.interview import next_question
from airegime.engine.results import Assessment, PhaseResult
from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.system import System, load_system, parse_system

ROOT = Path(__file__).resolve().parent.parent
EXPECT_KEYS = {"outcome", "status", "rules", "cites", "possible", "depends_on"}


class ScenarioFailure(AssertionError):
    pass


def scenario_system(scenario: dict[str, Any], kb: KnowledgeBase) -> System:
    if "example" in scenario:
        return load_system(ROOT / "examples" / scenario["example"], kb=kb)
    return parse_system(
        {
            "name": scenario["name"],
            "answers": scenario.get("system", {}),
            "development": {"answers": scenario.get("development", {})},
            "deployments": [
                {"name": name, "answers": answers or {}} for name, answers in scenario.get("deployments", {}).items()
            ],
        },
        kb=kb,
    )


def load_scenarios(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"])


def check_scenario(scenario: dict[str, Any], kb: KnowledgeBase) -> Assessment:
    assessment = evaluate(kb=kb, system=scenario_system(scenario, kb))
    by_name = {p.name: p for p in assessment.phases}
    problems = []
    for phase_name, expected in scenario["expect"].items():
        if phase_name not in by_name:
            problems.append(f"the scenario expects a phase '{phase_name}', which the system does not have")
            continue
        unknown_keys = set(expected) - EXPECT_KEYS
        if unknown_keys:
            problems.append(f"unknown expectation keys {sorted(unknown_keys)} for '{phase_name}'")
        problems.extend(_compare(kb, phase_name, by_name[phase_name], expected))
    if "interview_next" in scenario:
        question = next_question(kb=kb, system=assessment.system)
        asked = question.question.id if question else None
        if asked != scenario["interview_next"]:
            problems.append(f"the interview should ask next {scenario['interview_next']!r}, but asks {asked!r}")
    if problems:
        raise ScenarioFailure("\n".join(problems))
    return assessment


def _compare(kb: KnowledgeBase, name: str, result: PhaseResult, expected: dict[str, Any]) -> Iterator[str]:
    if result.phase == "deployment":
        label = f"the deployment '{name}'"
    else:
        label = "the development phase" if name == "development" else f"the development processing '{name}'"
    got = _describe(kb, result)
    if "outcome" in expected and result.outcome != expected["outcome"]:
        want = kb.outcome_by_id[expected["outcome"]].label.en
        yield f"{label} should fall under «{want}», but the engine gives {got}"
    if "status" in expected and result.status != expected["status"]:
        yield f"{label} should be {expected['status'].replace('_', ' ')}, but the engine gives {got}"
    if "rules" in expected and list(result.rules) != list(expected["rules"]):
        yield f"{label} should be decided by rule(s) {expected['rules']}, but was decided by {list(result.rules)}"
    for source in expected.get("cites", []):
        if source not in result.sources:
            yield f"{label} should cite «{kb.source_by_id[source].title.en}», but cites only {list(result.sources)}"
    if "possible" in expected and sorted(result.possible) != sorted(expected["possible"]):
        yield f"{label} should leave open {sorted(expected['possible'])}, but leaves open {sorted(result.possible)}"
    if "depends_on" in expected:
        open_questions = [d.question for d in result.depends_on]
        if open_questions != list(expected["depends_on"]):
            yield f"{label} should depend on the answers to {expected['depends_on']}, but depends on {open_questions}"


def _describe(kb: KnowledgeBase, result: PhaseResult) -> str:
    if result.outcome is None:
        return "an undetermined result between " + ", ".join(
            f"«{kb.outcome_by_id[o].label.en}»" for o in result.possible
        )
    rules = "; ".join(f"rule '{r}': {kb.rule_by_id[r].title.en}" for r in result.rules)
    return f"«{kb.outcome_by_id[result.outcome].label.en}» ({result.status.replace('_', ' ')}) by {rules}"


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        for scenario in load_scenarios(self.path):
            yield ScenarioItem.from_parent(self, name=scenario["name"], scenario=scenario)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        check_scenario(self.scenario, load_knowledge_base())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return f"Scenario «{self.name}»:\n  " + str(excinfo.value).replace("\n", "\n  ")
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario: {self.name}"


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "scenarios":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None
