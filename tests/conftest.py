"""Project-wide test set-up: the YAML scenario plugin and shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.storage import Repository

pytest_plugins = ["scenario_plugin"]


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture
def repo(database_url: str, kb: KnowledgeBase) -> Iterator[Repository]:
    """A repository over each suite's `database_url` (SQLite, and PostgreSQL where the suite asks)."""
    repository = Repository.open(database_url, kb)
    yield repository
    repository.engine.dispose()
