"""Project-wide test set-up: the YAML scenario plugin and shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.storage import Repository, accounts

pytest_plugins = ["scenario_plugin"]


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its cheapest: the same code paths, without 0.3 s per hash in every test."""
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture
def repo(database_url: str, kb: KnowledgeBase) -> Iterator[Repository]:
    """A repository over each suite's `database_url` (SQLite, and PostgreSQL where the suite asks)."""
    repository = Repository.open(database_url, kb)
    yield repository
    repository.engine.dispose()
