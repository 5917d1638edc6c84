"""The SQLite database, its folder and its WAL file are readable by their owner alone."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from airegime.storage.database import open_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_is_created_for_its_owner_alone(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    database = folder / "airegime.sqlite3"
    engine = open_engine(f"sqlite:///{database}")
    with engine.begin() as connection:  # a write, so that the WAL file exists
        connection.execute(text("CREATE TABLE probe (x INTEGER)"))
        connection.execute(text("INSERT INTO probe VALUES (1)"))
    assert mode(folder) == 0o700
    assert mode(database) == 0o600
    wal = database.with_name(database.name + "-wal")
    assert wal.exists() and mode(wal) == 0o600
    engine.dispose()


def test_an_existing_database_keeps_the_permissions_its_owner_chose(tmp_path: Path) -> None:
    database = tmp_path / "shared.sqlite3"
    database.touch(mode=0o640)
    database.chmod(0o640)
    open_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o640
