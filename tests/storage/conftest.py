"""Storage tests run on SQLite and on a real PostgreSQL server.

PostgreSQL tests read AIREGIME_TEST_POSTGRES_URL. Without it they are skipped on a
developer's machine, but FAIL in CI (env CI=true): CI must provide the server.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.kb.loader import default_knowledge_dir
from airegime.storage.database import MIGRATIONS
from airegime.storage.models import Base

TABLES = ", ".join([*(t.name for t in Base.metadata.sorted_tables), "alembic_version"])


def postgres_url() -> str:
    url = os.environ.get("AIREGIME_TEST_POSTGRES_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("AIREGIME_TEST_POSTGRES_URL is not set in CI: the PostgreSQL tests must run there")
        pytest.skip("AIREGIME_TEST_POSTGRES_URL is not set")
    return url


def empty_postgres(url: str) -> str:
    """Drop airegime's tables so every test starts from an empty database."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {TABLES} CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nested' / 'airegime.sqlite3'}"
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
def migrated_to() -> Callable[[str, str], Engine]:
    """Opens an engine over a database migrated up to a given revision only, as an older airegime left it."""

    def engine_at(database_url: str, revision: str) -> Engine:
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite":
            Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        return engine

    return engine_at
