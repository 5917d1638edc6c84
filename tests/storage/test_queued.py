"""Rows queued with insert_later / update_later: written at commit or before the next query, in
order, atomically with the rest of the transaction, dropped by a rollback."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from databases import empty_postgres, postgres_url
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.database import open_engine
from airegime.storage.models import DEFAULT_ORGANISATION_ID, AssessmentRow, AuditRow, EventRow, OrganisationRow, now
from airegime.storage.queued import insert_later, update_later


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    yield engine
    engine.dispose()


def saved_assessment(engine: Engine, kb: KnowledgeBase) -> int:
    return Repository(engine, kb).create(name="System", first_context="Use")


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


def details(session: Session) -> list[str]:
    """The details events the tests write (the repository's own events have other kinds)."""
    return list(session.scalars(select(EventRow.detail).where(EventRow.kind == "details").order_by(EventRow.id)))


def stored_details(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return details(session)


def test_queued_rows_are_written_at_commit_in_order(engine: Engine, kb: KnowledgeBase) -> None:
    assessment = saved_assessment(engine, kb)
    with sessionmaker(engine).begin() as session:
        insert_later(session, EventRow, event(assessment, "one"), event(assessment, "two"))
        update_later(session, AssessmentRow, assessment, name="Renamed", summary_json='["x"]')
        insert_later(session, EventRow, event(assessment, "three"))
        assert stored_details(engine) == []  # nothing sent yet, and uncommitted anyway
    assert stored_details(engine) == ["one", "two", "three"]
    with Session(engine) as session:
        assert session.execute(select(AssessmentRow.name, AssessmentRow.summary_json)).one() == ("Renamed", '["x"]')


def test_a_query_in_the_transaction_sees_what_was_queued(engine: Engine, kb: KnowledgeBase) -> None:
    assessment = saved_assessment(engine, kb)
    with sessionmaker(engine).begin() as session:
        insert_later(session, EventRow, event(assessment, "one"))
        assert details(session) == ["one"]
        insert_later(session, EventRow, event(assessment, "two"))
        assert details(session) == ["one", "two"]


def test_a_failing_queued_row_undoes_the_whole_transaction(engine: Engine, kb: KnowledgeBase) -> None:
    assessment = saved_assessment(engine, kb)
    with pytest.raises((DBAPIError, psycopg.Error)), sessionmaker(engine).begin() as session:
        session.add(OrganisationRow(name="Added in the transaction", created_at=now()))  # an ORM change
        insert_later(session, EventRow, event(assessment, "kept?"))
        insert_later(session, EventRow, event(assessment + 1000, "no such assessment"))
        insert_later(session, AuditRow, audit("after the failure"))
    assert stored_details(engine) == []
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(OrganisationRow.name == "Added in the transaction")) == 0
        assert session.scalar(select(func.count()).where(AuditRow.action == "after the failure")) == 0


def test_a_rollback_drops_the_queue(engine: Engine, kb: KnowledgeBase) -> None:
    assessment = saved_assessment(engine, kb)
    with Session(engine) as session:
        session.begin()
        insert_later(session, EventRow, event(assessment, "rolled back"))
        session.rollback()
        session.begin()
        insert_later(session, EventRow, event(assessment, "committed"))
        session.commit()
    assert stored_details(engine) == ["committed"]


@pytest.mark.postgres
def test_on_postgresql_the_queued_rows_go_in_one_pipeline(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = open_engine(empty_postgres(postgres_url()))
    assessment = saved_assessment(engine, kb)
    pipelines: list[int] = []  # one entry per pipeline opened
    real_pipeline = psycopg.Connection.pipeline

    def counting_pipeline(self: psycopg.Connection[object]) -> object:
        pipelines.append(1)
        return real_pipeline(self)

    monkeypatch.setattr(psycopg.Connection, "pipeline", counting_pipeline)
    with sessionmaker(engine).begin() as session:
        insert_later(session, EventRow, event(assessment, "one"))
        update_later(session, AssessmentRow, assessment, name="Renamed")
        insert_later(session, AuditRow, audit("changed"))
        session.connection().exec_driver_sql("SELECT 1")  # not an ORM query: the queue stays
        assert pipelines == []
    assert len(pipelines) == 1
    assert stored_details(engine) == ["one"]
    engine.dispose()


def test_the_orm_changes_go_first_as_queued_rows_may_refer_to_them(engine: Engine) -> None:
    with sessionmaker(engine).begin() as session:
        session.add(OrganisationRow(id=500, name="Not flushed yet", created_at=now()))
        update_later(session, OrganisationRow, 500, name="Renamed by a queued update")
    with Session(engine) as session:
        assert (
            session.scalar(select(OrganisationRow.name).where(OrganisationRow.id == 500))
            == "Renamed by a queued update"
        )
