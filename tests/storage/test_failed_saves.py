"""A save is one unit of work: when it fails half-way, after its rows were written (flushed) inside
the transaction, nothing of it is kept — not the assessment, its phase rows, its events, its
results, its summary nor its audit entry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from airegime.kb import KnowledgeBase
from airegime.storage import Repository, audit, evaluation, repository, reviews
from airegime.storage.models import AssessmentRow, Base, EventRow, OrganisationRow, now
from airegime.storage.reviews import Reviews
from airegime.system import load_system

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"


class Boom(Exception):
    """The failure injected in the middle of a save."""


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))]
            for table in Base.metadata.sorted_tables
        }


Save = Callable[[Repository, int, KnowledgeBase], object]


def _remove_second_context(repo: Repository, new: int, _kb: KnowledgeBase) -> object:
    repo.remove_context(new, repo.get(new).contexts[1].id)
    return None


def _replace_with_example(repo: Repository, new: int, kb: KnowledgeBase) -> object:
    return repo.replace_system(new, load_system(EXAMPLE, kb=kb))


def _answer_by_edit(repo: Repository, new: int, _kb: KnowledgeBase) -> object:
    """An edit that keeps the phases (its stored state is computed, not read back)."""
    system = repo.get(new).system()
    changed = system.model_copy(update={"answers": {**system.answers, "establishment": "unknown"}})
    return repo.edit(new, lambda _current: changed)


SAVES: dict[str, Save] = {
    "create": lambda repo, _new, _kb: repo.create(name="New", description="d", first_context="Centre"),
    "import_system": lambda repo, _new, kb: repo.import_system(load_system(EXAMPLE, kb=kb)),
    "duplicate": lambda repo, new, _kb: repo.duplicate(new, name="Copy"),
    "set_answer": lambda repo, new, _kb: repo.set_answer(
        new, scope="development", context_id=None, question="personal_data", value="no"
    ),
    "add_context": lambda repo, new, _kb: repo.add_context(new, name="Police", description="poursuites"),
    "add_development": lambda repo, new, _kb: repo.add_context(new, name="Training", phase="development"),
    "rename_context": lambda repo, new, _kb: repo.rename_context(
        new, repo.get(new).contexts[0].id, name="Centre commercial", description="x"
    ),
    "remove_context": _remove_second_context,
    "update_details": lambda repo, new, _kb: repo.update_details(
        new, name="Renamed", organisation="Acme", description="y", development_description="z"
    ),
    "recheck": lambda repo, new, _kb: repo.recheck(new),
    "replace_system": _replace_with_example,
    "edit": _answer_by_edit,
}


@pytest.fixture
def stored(repo: Repository) -> int:
    """An assessment with answers and two deployment contexts, and another organisation's beside it."""
    new = repo.create(name="S", organisation="O", first_context="Centre")
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="yes")
    police = repo.add_context(new, name="Police")
    repo.set_answer(new, scope="deployment", context_id=police.id, question="purpose", value="criminal_law")
    with repo.engine.begin() as connection:
        other = connection.execute(
            insert(OrganisationRow).values(name="other", created_at=now()).returning(OrganisationRow.id)
        ).scalar_one()
    repo.scoped(other, actor="someone").create(name="Elsewhere", first_context="C")
    return new


def _count_events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(EventRow)) or 0


def _events_now(repo: Repository) -> int:
    with Session(repo.engine) as session:
        return _count_events(session)


@pytest.mark.parametrize("save", SAVES.values(), ids=SAVES.keys())
def test_a_save_that_fails_when_it_audits_leaves_nothing_behind(
    repo: Repository, kb: KnowledgeBase, stored: int, save: Save, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit entry is the save's last write: everything else is flushed by then, and undone."""
    real = audit.audit_assessment
    written: list[int] = []

    def audit_then_fail(session: Session, row: AssessmentRow, *args: Any, **kwargs: Any) -> None:
        real(session, row, *args, **kwargs)
        session.flush()  # the save's rows, this entry included, are in the database's transaction
        written.append(_count_events(session))
        raise Boom

    before, events_before = snapshot(repo.engine), _events_now(repo)
    monkeypatch.setattr(repository, "audit_assessment", audit_then_fail)
    with pytest.raises(Boom):
        save(repo, stored, kb)
    assert written and written[-1] > events_before  # the failure came after the save wrote its events
    assert snapshot(repo.engine) == before


@pytest.mark.parametrize("save", SAVES.values(), ids=SAVES.keys())
def test_a_save_that_fails_when_it_evaluates_leaves_nothing_behind(
    repo: Repository, kb: KnowledgeBase, stored: int, save: Save, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**_: Any) -> None:
        raise Boom

    before = snapshot(repo.engine)
    monkeypatch.setattr(evaluation, "evaluate", fail)
    with pytest.raises(Boom):
        save(repo, stored, kb)
    assert snapshot(repo.engine) == before


def test_a_purge_that_fails_keeps_the_assessment_and_its_history(
    repo: Repository, stored: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.delete(stored)  # deleting archives; purging deletes

    def fail(session: Session, row: AssessmentRow, *args: Any, **kwargs: Any) -> None:
        session.delete(row)
        session.flush()  # the assessment, its phase rows, events and results are deleted in the transaction
        raise Boom

    before = snapshot(repo.engine)
    monkeypatch.setattr(reviews, "audit_assessment", fail)
    with pytest.raises(Boom):
        Reviews(repo).purge(stored)
    assert snapshot(repo.engine) == before


def test_after_a_failed_save_the_next_one_works(
    repo: Repository, kb: KnowledgeBase, stored: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**_: Any) -> None:
        raise Boom

    with monkeypatch.context() as patched:
        patched.setattr(evaluation, "evaluate", fail)
        with pytest.raises(Boom):
            repo.set_answer(stored, scope="system", context_id=None, question="establishment", value="unknown")
    saved = repo.set_answer(stored, scope="system", context_id=None, question="establishment", value="unknown")
    assert saved == repo.get(stored)
    assert saved.system_answers == {"establishment": "unknown"}
    assert [e.kind for e in repo.history(stored)][-1] == "answer"
    assert len(repo.evaluations(stored)) == 5  # created, two answers, a context, this answer
