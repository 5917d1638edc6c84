"""Project-wide test set-up: the YAML scenario plugin and shared fixtures."""

from __future__ import annotations

import pytest

from airegime.kb import KnowledgeBase, load_knowledge_base

pytest_plugins = ["scenario_plugin"]


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()
