"""The Alembic migrations shipped in the package build exactly the tables the models describe."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from databases import sqlite_copy
from sqlalchemy import Engine, inspect, text

from airegime.storage.database import MIGRATIONS, SQLITE_BUSY_SECONDS, open_engine
from airegime.storage.models import DEFAULT_ORGANISATION_ID, Base


def test_opening_applies_migrations_and_they_match_the_models(empty_database_url: str) -> None:
    engine = open_engine(empty_database_url)
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"} <= tables
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    engine.dispose()


def test_opening_twice_is_harmless(database_url: str) -> None:
    open_engine(database_url).dispose()
    engine = open_engine(database_url)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()
    engine.dispose()


def test_opening_an_up_to_date_database_waits_for_no_writer(tmp_path: Path, migrated_sqlite: Path) -> None:
    """The server may be writing when a command opens the database: an open that has nothing to
    migrate only reads, so it does not wait for the write lock (SQLite's busy timeout is 10 s)."""
    url = sqlite_copy(migrated_sqlite, tmp_path / "busy.sqlite3")
    writer = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a save in progress does
    try:
        started = time.monotonic()
        open_engine(url).dispose()
        assert time.monotonic() - started < SQLITE_BUSY_SECONDS / 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_assessments_saved_before_accounts_belong_to_the_default_organisation(
    empty_database_url: str, migrated_to: Callable[[str, str], Engine]
) -> None:
    """Upgrading a database from before organisations keeps every assessment, owned by organisation 1."""
    engine = migrated_to(empty_database_url, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO assessments (name, organisation, description, development_description, created_at,"
                " updated_at, rule_set_version, rule_set_hash, summary_json)"
                " VALUES ('Old', '', '', '', '2026-01-01', '2026-01-01', '', '', '[]')"
            )
        )
    engine.dispose()
    engine = open_engine(empty_database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT a.name, o.name FROM assessments a JOIN organisations o ON o.id = a.organisation_id")
        ).all()
        assert [tuple(r) for r in rows] == [("Old", "default")]
        next_id = connection.execute(text("SELECT max(id) FROM organisations")).scalar()
    assert next_id == DEFAULT_ORGANISATION_ID
    engine.dispose()
