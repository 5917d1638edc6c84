"""The PostgreSQL server the tests use: its address, and emptying it between tests.

PostgreSQL tests read AIREGIME_TEST_POSTGRES_URL. Without it they are skipped on a
developer's machine, but FAIL in CI (env CI=true): CI must provide the server.
Each pytest-xdist worker gets a database of its own beside that one (``airegime_test_gw0``…),
created on first use, so workers never empty each other's tables.
"""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from airegime.storage.models import Base

TABLES = ", ".join([*(t.name for t in Base.metadata.sorted_tables), "alembic_version"])


def postgres_url() -> str:
    url = os.environ.get("AIREGIME_TEST_POSTGRES_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("AIREGIME_TEST_POSTGRES_URL is not set in CI: the PostgreSQL tests must run there")
        pytest.skip("AIREGIME_TEST_POSTGRES_URL is not set")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


@functools.cache
def _worker_database(url: str, worker: str) -> str:
    """The URL of this worker's own database on the same server, created if it is new."""
    parsed = make_url(url)
    own = parsed.set(database=f"{parsed.database}_{worker}")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")  # CREATE DATABASE runs outside a transaction
    with engine.connect() as connection:
        exists = text("SELECT 1 FROM pg_database WHERE datname = :name")
        if connection.execute(exists, {"name": own.database}).first() is None:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


def sqlite_copy(template: Path, target: Path) -> str:
    """A copy of the ``migrated_sqlite`` database at ``target`` (its 0600 mode kept); returns its URL."""
    shutil.copy(template, target)
    return f"sqlite:///{target}"


def empty_postgres(url: str) -> str:
    """Drop airegime's tables so every test starts from an empty database."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {TABLES} CASCADE"))
    engine.dispose()
    return url
