"""Fixtures for the report tests: systems to report on (the golden-file helper is in helpers.py)."""

from __future__ import annotations

import pytest

from airegime.engine.evaluate import evaluate
from airegime.engine.results import Assessment
from airegime.kb import KnowledgeBase
from airegime.system import load_system, parse_system

from .helpers import FIXTURES, ROOT, hostile_descriptor


@pytest.fixture(scope="session")
def zone(kb: KnowledgeBase) -> Assessment:
    return evaluate(kb=kb, system=load_system(ROOT / "examples" / "zone-crossing-detector.yaml", kb=kb))


@pytest.fixture(scope="session")
def five(kb: KnowledgeBase) -> Assessment:
    return evaluate(kb=kb, system=load_system(FIXTURES / "five-deployments.yaml", kb=kb))


@pytest.fixture(scope="session")
def hostile(kb: KnowledgeBase) -> Assessment:
    return evaluate(kb=kb, system=parse_system(hostile_descriptor(), kb=kb))
