"""Pooled PostgreSQL connections the server has closed are never handed to a request."""

from __future__ import annotations

import time

import psycopg
import pytest
from databases import empty_postgres, postgres_url
from sqlalchemy import create_engine, text

from airegime.kb import KnowledgeBase
from airegime.storage import Repository

pytestmark = pytest.mark.postgres


def end_every_session_but_this_one(url: str) -> int:
    """What a server restart does to the pool: every other session of the database ends."""
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        ended = connection.execute(text(f"SELECT count(pg_terminate_backend(pid)) {others}")).scalar_one()
        for _ in range(100):  # terminating is asynchronous: wait until the sessions are gone
            if connection.execute(text(f"SELECT count(*) {others}")).scalar_one() == 0:
                break
            time.sleep(0.02)
    engine.dispose()
    return int(ended)


def test_connections_the_server_ended_are_replaced_without_a_failed_request(kb: KnowledgeBase) -> None:
    repo = Repository.open(empty_postgres(postgres_url()), kb)
    try:
        ids = [repo.create(name=f"System {n}", first_context="Use") for n in range(3)]
        with repo.engine.connect(), repo.engine.connect(), repo.engine.connect():
            pass  # three connections now wait in the pool
        assert end_every_session_but_this_one(repo.engine.url.render_as_string(hide_password=False)) >= 3
        assert [repo.get(i).name for i in ids] == ["System 0", "System 1", "System 2"]
        repo.set_answer(ids[0], scope="system", context_id=None, question="establishment", value="eu")
    finally:
        repo.engine.dispose()


def test_pooled_connections_are_pinged_before_use(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLAlchemy's pool_pre_ping: each check-out of a pooled connection asks the server first."""
    repo = Repository.open(empty_postgres(postgres_url()), kb)
    pinged: list[object] = []
    original = repo.engine.dialect.do_ping
    monkeypatch.setattr(repo.engine.dialect, "do_ping", lambda c: pinged.append(c) or original(c))
    try:
        saved = repo.create(name="System", first_context="Use")
        pinged.clear()
        repo.get(saved)
        assert len(pinged) == 1
    finally:
        repo.engine.dispose()


def test_a_connection_that_fails_its_ping_is_replaced(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection dropped silently on the way (no farewell to read) fails its ping: another is used."""
    repo = Repository.open(empty_postgres(postgres_url()), kb)
    original = repo.engine.dialect.do_ping
    failures = ["drop"]

    def ping(connection: psycopg.Connection) -> bool:
        if failures:  # the connection is gone under the pool's feet: its ping fails
            failures.pop()
            connection.close()
        return bool(original(connection))

    monkeypatch.setattr(repo.engine.dialect, "do_ping", ping)
    try:
        saved = repo.create(name="System", first_context="Use")
        assert repo.get(saved).name == "System"
        assert failures == []
    finally:
        repo.engine.dispose()
