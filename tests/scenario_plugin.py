"""Scenario tests in YAML (tests/scenarios/*.yaml), collected by pytest and failing in legal words.

A thin wrapper over :mod:`airegime.scenarios`, which also runs them for `airegime test` (the
file format is described there and in docs/knowledge-base.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airegime.engine.results import Assessment
from airegime.errors import ScenarioError
from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.scenarios import Scenario, load_scenarios, parse_scenario, run_scenario

__all__ = ["ScenarioFailure", "check_scenario", "load_scenarios"]


class ScenarioFailure(AssertionError):
    pass


def check_scenario(scenario: Scenario | dict[str, Any], kb: KnowledgeBase) -> Assessment:
    """The scenario's assessment; ScenarioFailure, in words, when some expectation is not met."""
    if not isinstance(scenario, Scenario):
        scenario = parse_scenario(scenario)
    result = run_scenario(kb=kb, scenario=scenario)
    if not result.passed:
        raise ScenarioFailure(result.explanation("en"))
    return result.assessment


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenarios = load_scenarios(self.path)
        except ScenarioError as error:
            raise self.CollectError(str(error)) from None
        for scenario in scenarios:
            yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        check_scenario(self.scenario, load_knowledge_base())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure | ScenarioError):
            return f"Scenario «{self.name}»:\n  " + str(excinfo.value).replace("\n", "\n  ")
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, (self.scenario.line or 1) - 1, f"scenario: {self.name}"


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "scenarios":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None
