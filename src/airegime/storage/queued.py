"""Rows a transaction writes but never reads back (history events, results, audit entries, an
assessment's new summary), sent together: on PostgreSQL in one round trip (psycopg's pipeline mode).

Sent one by one, each would wait for the server to answer, and on a busy machine every wait is
a trip through the scheduler that costs more than the statement. Queued rows are sent before the
session's next ORM query (so a transaction reads what it wrote, as with the ORM's autoflush) and
at commit; a rollback drops them. The ORM's own pending changes are flushed first, since queued
rows may refer to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Executable, Insert, event, insert, update
from sqlalchemy.orm import ORMExecuteState, Session

from airegime.storage.models import Base

QUEUE = "airegime.queued"  # key in Session.info: [(statement, parameters)]


def insert_later(session: Session, model: type[Base], *rows: dict[str, Any]) -> None:
    """Insert ``rows`` (column names to values) into the table of ``model``."""
    _queue(session).extend((_insert(model), row) for row in rows)


def update_later(session: Session, model: type[Base], key: int, **values: Any) -> None:
    """Set ``values`` on the row of ``model`` whose id is ``key``."""
    _queue(session).append((update(model).where(model.__table__.c.id == key), values))


def send_queued(session: Session) -> None:
    """Send the queued rows now (the hooks below call it: code rarely needs to)."""
    queued: list[tuple[Executable, dict[str, Any]]] | None = session.info.pop(QUEUE, None)
    if not queued:
        return
    session.flush()
    connection = session.connection()
    with _pipeline(connection):
        for statement, rows in _runs(queued):
            connection.execute(statement, rows)


def _queue(session: Session) -> list[tuple[Executable, dict[str, Any]]]:
    queue: list[tuple[Executable, dict[str, Any]]] = session.info.setdefault(QUEUE, [])
    return queue


@cache
def _insert(model: type[Base]) -> Insert:
    # inline(): no RETURNING of the new id (nobody reads it); one statement object per table, so runs share it
    return insert(model).inline()


def _runs(queued: list[tuple[Executable, dict[str, Any]]]) -> Iterator[tuple[Executable, list[dict[str, Any]]]]:
    """Consecutive inserts into one table with the same columns, as one executemany; the rest in order."""
    for _same, run in groupby(queued, key=lambda item: (id(item[0]), tuple(item[1]))):
        items = list(run)
        yield items[0][0], [row for _statement, row in items]


def _pipeline(connection: Connection) -> AbstractContextManager[Any]:
    driver = connection.connection.driver_connection
    pipeline = getattr(driver, "pipeline", None) if connection.dialect.driver == "psycopg" else None
    return pipeline() if pipeline else nullcontext()


@event.listens_for(Session, "do_orm_execute")
def _before_query(state: ORMExecuteState) -> None:
    if QUEUE in state.session.info:
        send_queued(state.session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    send_queued(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(QUEUE, None)
