"""The Alembic migrations shipped in the package build exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from airegime.storage.database import open_engine
from airegime.storage.models import Base


def test_opening_applies_migrations_and_they_match_the_models(database_url: str) -> None:
    engine = open_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    assert {"assessments", "deployment_contexts", "events", "evaluations", "alembic_version"} <= tables
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    engine.dispose()


def test_opening_twice_is_harmless(database_url: str) -> None:
    open_engine(database_url).dispose()
    engine = open_engine(database_url)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0001"
    engine.dispose()
