"""Opening the database: SQLite by default (``settings.effective_database_url``), any
SQLAlchemy URL through ``AIREGIME_DATABASE_URL``. Migrations run automatically on open."""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
PING_AFTER_IDLE = 30.0  # seconds a pooled connection may sit unused before it is checked with a query


def open_engine(url: str) -> Engine:
    """An engine for ``url``, with the schema brought up to date."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _make_sqlite_folder(parsed.database)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url)
        event.listen(engine, "checkin", _note_return)
        event.listen(engine, "checkout", _alive_check(engine.dialect))
    migrate(engine)
    return engine


def sessions(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """Sessions to read with, and sessions to write with (``.begin()``: one transaction each).

    Reads run outside a transaction: on PostgreSQL that spares the BEGIN and ROLLBACK round trips,
    and changes nothing else, since each statement of a READ COMMITTED transaction sees the data
    as of its own start anyway (SQLite's driver opens no transaction for a read either).
    """
    reading = engine.execution_options(isolation_level="AUTOCOMMIT")
    return sessionmaker(reading, expire_on_commit=False), sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration shipped in the package that the database lacks."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _make_sqlite_folder(database: str | None) -> None:
    """Create the database's folder (0700) and file (0600) for its owner alone, if they are new:
    the file holds every assessment and the hashes of passwords and tokens. SQLite gives its WAL
    and shared-memory files the database file's permissions."""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # Cascading deletes need foreign keys on; WAL lets the web app read while it writes.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _note_return(_connection: Any, record: Any) -> None:
    record.info["returned_at"] = time.monotonic()


def _alive_check(dialect: Any) -> Callable[[Any, Any, Any], None]:
    """A pool check-out hook handing out only connections the server still holds open, without a
    round trip when it can be helped (SQLAlchemy's pre-ping costs one per check-out).

    A server that restarts or ends a session closes the socket, after a farewell message: an idle
    connection with anything to read is dead. One unused for a while may have been dropped
    silently on the way (a firewall, a proxy): that one is pinged, as is one whose driver shows
    no socket. Raising DisconnectionError makes the pool discard the connection and open another.
    """

    def check(connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None:
            return  # just opened
        fileno = getattr(connection, "fileno", None)
        if getattr(connection, "closed", False) or (fileno and select.select([fileno()], [], [], 0)[0]):
            raise DisconnectionError("the database closed this connection")
        if fileno and time.monotonic() - returned <= PING_AFTER_IDLE:
            return
        try:
            alive = dialect.do_ping(connection)
        except Exception as error:  # whatever the driver raises, this connection is unusable
            raise DisconnectionError(f"the database did not answer: {error}") from error
        if not alive:
            raise DisconnectionError("the database did not answer")

    return check
