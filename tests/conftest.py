"""Project-wide test set-up: the YAML scenario plugin and shared fixtures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from databases import empty_postgres, postgres_url, sqlite_copy

from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.kb.loader import default_knowledge_dir
from airegime.storage import Repository
from airegime.storage.accounts import passwords

pytest_plugins = ["scenario_plugin"]

# The command line's consoles are made when it is imported; a COLUMNS set then (pytest-xdist's
# workers set 80) would fix their width for good, and the tests that give their own COLUMNS to
# CliRunner would see their tables wrapped.
os.environ.pop("COLUMNS", None)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (pyproject's default): a worker per core when the whole suite runs, none when
    files or tests are named (starting workers would take longer than running them)."""
    return 0 if config.args_source == pytest.Config.ArgsSource.ARGS else None


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser and PostgreSQL tests are slow too (a PostgreSQL test mostly repeats a SQLite one on
    a server): `pytest -m "not slow"` leaves them out; `scripts/test` and CI run them."""
    for item in items:
        if any(item.get_closest_marker(name) for name in ("browser", "postgres")):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its cheapest: the same code paths, without 0.3 s per hash in every test."""
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Path:
    """An empty SQLite database at the latest revision, for `sqlite_copy`: copying it is ten times
    quicker than migrating a new one, which cost most of many short tests."""
    path = tmp_path_factory.mktemp("migrated") / "airegime.sqlite3"
    Repository.open(f"sqlite:///{path}", kb).engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> str:
    """SQLite (a copy of ``migrated_sqlite``), then the PostgreSQL server of
    AIREGIME_TEST_POSTGRES_URL (emptied)."""
    if request.param == "sqlite":
        return sqlite_copy(migrated_sqlite, tmp_path / "airegime.sqlite3")
    return empty_postgres(postgres_url())


@pytest.fixture
def changed_kb(tmp_path: Path) -> KnowledgeBase:
    """A rule set where an ordinary-purpose deployment no longer falls under the GDPR (for re-checks)."""
    folder = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), folder)
    rules = folder / "rules.yaml"
    text_ = rules.read_text(encoding="utf-8")
    marker = "        - {question: purpose, is: other}\n    outcome: gdpr"
    assert marker in text_, "the test's edit of rules.yaml no longer applies: update the marker"
    rules.write_text(text_.replace(marker, marker.replace("outcome: gdpr", "outcome: eudpr")), encoding="utf-8")
    meta = folder / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace('version: "', 'version: "changed-', 1), encoding="utf-8")
    return load_knowledge_base(folder)


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
