"""Opening the database: SQLite by default (``settings.effective_database_url``), any
SQLAlchemy URL through ``AIREGIME_DATABASE_URL``. Migrations run automatically on open."""

from __future__ import annotations

import functools
import os
import threading
import weakref
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_SECONDS = 10.0  # how long a SQLite writer waits for another to commit before it fails


def open_engine(url: str) -> Engine:
    """An engine for ``url``, with the schema brought up to date.

    SQLite: every write transaction begins with ``BEGIN IMMEDIATE`` (SQLAlchemy's documented
    pysqlite recipe), so it holds the write lock before the reads its changes depend on, and a
    writer that finds the lock taken waits up to ``SQLITE_BUSY_SECONDS`` (SQLite's busy timeout);
    a process writes through one connection (``sessions``), its writers taking it in turn.
    Other databases: pooled connections are checked before use (``pool_pre_ping``).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _make_sqlite_folder(parsed.database)
        engine = _sqlite_engine(url)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    migrate(engine)
    return engine


def _sqlite_engine(url: str | URL, **pool: Any) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}, **pool)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def sessions(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """Sessions to read with, and sessions to write with (``.begin()``: one transaction each; on
    a SQLite file, through the process's one writing connection, see ``_writing``).

    Reads run outside a transaction: on PostgreSQL that spares the BEGIN and ROLLBACK round trips,
    and changes nothing else, since each statement of a READ COMMITTED transaction sees the data
    as of its own start anyway (SQLite's driver opens no transaction for a read either).
    """
    reading = engine.execution_options(isolation_level="AUTOCOMMIT")
    return sessionmaker(reading, expire_on_commit=False), sessionmaker(_writing(engine), expire_on_commit=False)


_writers: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def _writing(engine: Engine) -> Engine:
    """The engine to write with: on a SQLite file, a pool of ONE connection for all of a process's writes.

    SQLite lets one writer in at a time; another that finds the lock taken polls it with sleeps that
    grow at each try (1, 2, 5, 10 ... 100 ms), so under a burst of saves a writer can sleep on after
    the lock was freed, or lose it again and again to newer ones. With one connection for writes, a
    process's writers queue in SQLAlchemy's pool instead, each handed the connection as the previous
    one commits; only the writers of other processes (one per process at most) meet SQLite's polling.
    ``benchmarks/bench_sqlite_writers.py`` (two processes of five threads, four rounds of both ways
    in turn): at 250 saves/s, p99 26 to 89 ms this way against 57 to 189 ms with every connection
    writing, the slowest save 59 to 143 ms against 239 to 644 ms; at 60 saves/s the two ways are
    close (p99 16 to 25 ms against 18 to 39 ms).
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine  # a memory database lives in its one engine's connection
    with _writers_lock:
        writer = _writers.get(engine)
        if writer is None:
            writer = _writers[engine] = _sqlite_engine(
                engine.url, pool_size=1, max_overflow=0, pool_timeout=SQLITE_BUSY_SECONDS
            )
            # Disposing the engine closes the writer's connection too (the last one to close
            # moves the write-ahead log into the database file, which may then be copied).
            event.listen(engine, "engine_disposed", lambda _engine: writer.dispose())
        return writer


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration shipped in the package that the database lacks.

    A database already at the shipped head is only read (no write lock, no migration scripts
    run), which is what nearly every open finds.
    """
    with engine.connect() as connection:
        reading = connection.execution_options(isolation_level="AUTOCOMMIT")
        if frozenset(MigrationContext.configure(reading).get_current_heads()) == _shipped_heads():
            return
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.cache
def _shipped_heads() -> frozenset[str]:
    # The scripts ship with the package, so they are read once per process.
    return frozenset(ScriptDirectory.from_config(_alembic_config()).get_heads())


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
    # pysqlite's own BEGIN (deferred, and only before a write) is off: _sqlite_begin emits ours.
    connection.isolation_level = None
    # Cascading deletes need foreign keys on; WAL lets the web app read while it writes.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # Reads run in autocommit (``sessions``); a transaction that may write takes the write lock first.
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
