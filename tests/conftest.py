"""Project-wide test set-up: the YAML scenario plugin and shared fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

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


Measured = Callable[..., tuple["subprocess.CompletedProcess[str]", float]]


@pytest.fixture
def run_measured() -> Measured:
    """Runs a command in a grandchild: (its result, its peak resident memory in MB). The child in
    between holds only that run in RUSAGE_CHILDREN, so the figure is that run's peak alone."""

    def run(*arguments: str) -> tuple[subprocess.CompletedProcess[str], float]:
        probe = (
            "import resource, subprocess, sys\n"
            "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "sys.stdout.write(done.stdout); sys.stderr.write(done.stderr)\n"
            "print(f'@@peak {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr)\n"
            "sys.exit(done.returncode)\n"
        )
        environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-c", probe, *arguments], capture_output=True, text=True, env=environment, timeout=300
        )
        stderr, _, peak = done.stderr.rpartition("@@peak ")
        done.stderr = stderr
        return done, int(peak) / 1024  # ru_maxrss is in kilobytes on Linux

    return run
