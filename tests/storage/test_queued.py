"""Rows queued with insert_later / update_later: written at commit or before the next query, in
order, atomically with the rest of the transaction, dropped by a rollback."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from airegime.storage.database import open_engine
from airegime.storage.models import DEFAULT_ORGANISATION_ID, AssessmentRow, AuditRow, EventRow, now
from airegime.storage.queued import insert_later, update_later

from .conftest import empty_postgres, postgres_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    yield engine
    engine.dispose()


def new_assessment(session: Session) -> AssessmentRow:
    moment = now()
    row = AssessmentRow(
        organisation_id=DEFAULT_ORGANISATION_ID,
        name="System",
        organisation="",
        description="",
        development_description="",
        created_at=moment,
        updated_at=moment,
        rule_set_version="",
        rule_set_hash="",
        summary_json="[]",
    )
    session.add(row)
    session.flush()
    return row


def event(assessment_id: int, detail: str) -> dict[str, object]:
    return {"assessment_id": assessment_id, "at": now(), "kind": "details", "detail": detail}


def audit(action: str) -> dict[str, object]:
    return {
        "at": now(),
        "organisation_id": DEFAULT_ORGANISATION_ID,
        "actor": "test",
        "action": action,
        "target": "",
        "detail": "",
        "address": "",
    }


def details(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(EventRow.detail).order_by(EventRow.id)))


def test_queued_rows_are_written_at_commit_in_order(engine: Engine) -> None:
    with sessionmaker(engine).begin() as session:
        row = new_assessment(session)
        insert_later(session, EventRow, event(row.id, "one"), event(row.id, "two"))
        update_later(session, AssessmentRow, row.id, name="Renamed", summary_json='["x"]')
        insert_later(session, EventRow, event(row.id, "three"))
        assert details(engine) == []  # nothing sent yet, and uncommitted anyway
    assert details(engine) == ["one", "two", "three"]
    with Session(engine) as session:
        assert session.execute(select(AssessmentRow.name, AssessmentRow.summary_json)).one() == ("Renamed", '["x"]')


def test_a_query_in_the_transaction_sees_what_was_queued(engine: Engine) -> None:
    with sessionmaker(engine).begin() as session:
        row = new_assessment(session)
        insert_later(session, EventRow, event(row.id, "one"))
        assert session.scalar(select(func.count()).select_from(EventRow)) == 1
        insert_later(session, EventRow, event(row.id, "two"))
        assert list(session.scalars(select(EventRow.detail).order_by(EventRow.id))) == ["one", "two"]


def test_a_failing_queued_row_undoes_the_whole_transaction(engine: Engine) -> None:
    with pytest.raises((DBAPIError, psycopg.Error)), sessionmaker(engine).begin() as session:
        row = new_assessment(session)
        insert_later(session, EventRow, event(row.id, "kept?"))
        insert_later(session, EventRow, event(row.id + 1000, "no such assessment"))
        insert_later(session, AuditRow, audit("after the failure"))
    assert details(engine) == []
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AssessmentRow)) == 0
        assert session.scalar(select(func.count()).select_from(AuditRow)) == 0


def test_a_rollback_drops_the_queue(engine: Engine) -> None:
    with sessionmaker(engine).begin() as session:
        row_id = new_assessment(session).id
    with Session(engine) as session:
        session.begin()
        insert_later(session, EventRow, event(row_id, "rolled back"))
        session.rollback()
        session.begin()
        insert_later(session, EventRow, event(row_id, "committed"))
        session.commit()
    assert details(engine) == ["committed"]


@pytest.mark.postgres
def test_on_postgresql_the_queued_rows_go_in_one_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = open_engine(empty_postgres(postgres_url()))
    pipelines: list[int] = []  # one entry per pipeline opened
    real_pipeline = psycopg.Connection.pipeline

    def counting_pipeline(self: psycopg.Connection[object]) -> object:
        pipelines.append(1)
        return real_pipeline(self)

    monkeypatch.setattr(psycopg.Connection, "pipeline", counting_pipeline)
    with sessionmaker(engine).begin() as session:
        row = new_assessment(session)
        insert_later(session, EventRow, event(row.id, "one"))
        update_later(session, AssessmentRow, row.id, name="Renamed")
        insert_later(session, AuditRow, audit("changed"))
        connection = session.connection()
        connection.exec_driver_sql("SELECT 1")  # not an ORM query: the queue stays
        assert pipelines == []
    assert len(pipelines) == 1
    assert details(engine) == ["one"]
    engine.dispose()
