"""Storage tests run on SQLite and on a real PostgreSQL server (the `database_url` fixture, in
tests/conftest.py); this adds empty databases and databases left at an older migration."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from databases import empty_postgres, postgres_url
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from airegime.storage.database import MIGRATIONS


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no table yet, in a folder that does not exist yet (SQLite), or the emptied
    PostgreSQL server: for the tests of the migrations themselves (``database_url`` starts migrated)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nested' / 'airegime.sqlite3'}"
    return empty_postgres(postgres_url())


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
