"""The core's tests that reach storage do so over SQLite alone (the storage suites cover PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from databases import sqlite_copy


@pytest.fixture
def database_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    return sqlite_copy(migrated_sqlite, tmp_path / "core.sqlite3")
