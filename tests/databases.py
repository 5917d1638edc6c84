"""The PostgreSQL server the tests use: its address, and emptying it between tests.

PostgreSQL tests read AIREGIME_TEST_POSTGRES_URL. Without it they are skipped on a
developer's machine, but FAIL in CI (env CI=true): CI must provide the server.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from airegime.storage.models import Base

TABLES = ", ".join([*(t.name for t in Base.metadata.sorted_tables), "alembic_version"])


def postgres_url() -> str:
    url = os.environ.get("AIREGIME_TEST_POSTGRES_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("AIREGIME_TEST_POSTGRES_URL is not set in CI: the PostgreSQL tests must run there")
        pytest.skip("AIREGIME_TEST_POSTGRES_URL is not set")
    return url


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
