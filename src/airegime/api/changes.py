"""Replacing a saved assessment's descriptor, or some of its answers, in ONE transaction.

The repository offers one transaction per small change (the web app's interview); an API
client sends a whole descriptor or a list of answers, which must be stored all together or
not at all. Only the differences are recorded as events, so the history stays meaningful.

These functions reach into ``Repository``'s transaction helpers; they belong there as a
public ``Repository.replace_system`` once the storage layer is free to change (see docs/api.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from airegime.api.models import AnswerChange
from airegime.engine.results import Assessment
from airegime.errors import AnswerError, DescriptorError
from airegime.kb.models import KnowledgeBase, Scope
from airegime.storage.models import AssessmentRow
from airegime.storage.records import Saved
from airegime.storage.repository import NotFoundError, Repository, now
from airegime.system import System, normalise_answer

# SQLite allows one writer at a time; a second writer whose read snapshot went stale fails at
# once ("database is locked") instead of waiting. Writes through the API take turns instead.
_sqlite_writes = threading.Lock()


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def write_turn(repo: Repository) -> threading.Lock | _NoLock:
    return _sqlite_writes if repo.engine.dialect.name == "sqlite" else _NoLock()


def replace_system(repo: Repository, assessment_id: int, system: System) -> tuple[Saved, Assessment]:
    """Make the assessment hold exactly ``system`` (details, contexts by position, answers)."""
    return edit_system(repo, assessment_id, lambda _current: system)


def set_answers(repo: Repository, assessment_id: int, changes: list[AnswerChange]) -> tuple[Saved, Assessment]:
    """Apply every answer change (null withdraws an answer), checked all together first."""
    return edit_system(repo, assessment_id, lambda current: _with_answers(repo.kb, current, changes))


def edit_system(repo: Repository, assessment_id: int, edit: Callable[[Saved], System]) -> tuple[Saved, Assessment]:
    """Apply ``edit`` to the current state; return the new state and the result stored with it."""
    with write_turn(repo), repo._sessions.begin() as session:
        row = session.get(AssessmentRow, assessment_id, with_for_update=True)  # concurrent edits wait their turn
        if row is None:
            raise NotFoundError(f"no saved assessment #{assessment_id}", hint="it may have been deleted")
        current = repo._load(session, assessment_id)
        wanted = edit(current)
        _store_differences(repo, session, row, current, wanted)
        assessment, saved = repo._evaluate(session, row, "answers")
        return saved, assessment


def _store_differences(repo: Repository, session: Session, row: AssessmentRow, current: Saved, wanted: System) -> None:
    details = (wanted.name, wanted.organisation, wanted.description, wanted.development.description)
    if details != (current.name, current.organisation, current.description, current.development_description):
        row.name, row.organisation, row.description, row.development_description = details
        repo._event(session, row.id, "details", detail=row.name)
    _answer_events(repo, session, row.id, "system", None, current.system_answers, wanted.answers)
    _answer_events(repo, session, row.id, "development", None, current.development_answers, wanted.development.answers)
    contexts = repo._active_contexts(session, row.id)
    for index, deployment in enumerate(wanted.deployments):
        if index < len(contexts):
            context = contexts[index]
            if (context.name, context.description) != (deployment.name, deployment.description):
                detail = f"{context.name} → {deployment.name}"
                context.name, context.description = deployment.name, deployment.description
                repo._event(
                    session, row.id, "context_renamed", scope="deployment", context_id=context.id, detail=detail
                )
            context_id, before = context.id, current.context_answers.get(context.id, {})
        else:
            context_id = repo._add_context(session, row.id, deployment.name, deployment.description, log=True).id
            before = {}
        _answer_events(repo, session, row.id, "deployment", context_id, before, deployment.answers)
    for context in contexts[len(wanted.deployments) :]:
        context.removed_at = now()
        repo._event(session, row.id, "context_removed", scope="deployment", context_id=context.id)


def _answer_events(
    repo: Repository,
    session: Session,
    assessment_id: int,
    scope: Scope,
    context_id: int | None,
    before: dict[str, str],
    after: dict[str, str],
) -> None:
    for question in sorted(before.keys() | after.keys()):
        if before.get(question) != after.get(question):
            repo._event(
                session,
                assessment_id,
                "answer",
                scope=scope,
                context_id=context_id,
                question=question,
                value=after.get(question),
            )


def _with_answers(kb: KnowledgeBase, current: Saved, changes: list[AnswerChange]) -> System:
    """The current descriptor with the changes applied; every change is checked before any is stored.

    The stored answers are codes already: only the changed ones are normalised (the whole
    descriptor through ``parse_system`` would cost more than the rest of the request).
    """
    data: dict[str, Any] = current.system().to_dict()
    for index, change in enumerate(changes):
        question = kb.question_by_id.get(change.question)
        if question is None or change.scope not in question.scope:
            raise AnswerError(
                f"no question '{change.question}' for the {change.scope} scope",
                location=f"answers[{index}].question",
                hint="see GET /kb/questions for each question's scope",
            )
        answers, location = _answers_of(data, change, f"answers[{index}]")
        if change.value is None:
            answers.pop(question.id, None)
        else:
            answers[question.id] = normalise_answer(question, change.value, location=f"{location}.{question.id}")
    return System.model_validate(data)


def _answers_of(data: dict[str, Any], change: AnswerChange, where: str) -> tuple[dict[str, Any], str]:
    """The answers the change belongs to, and their location in the descriptor."""
    if change.scope != "deployment" and change.deployment is not None:
        raise DescriptorError(
            "only deployment answers belong to a context", location=f"{where}.deployment", hint="leave it out"
        )
    if change.scope == "system":
        return data["answers"], "answers"
    if change.scope == "development":
        return data["development"]["answers"], "development.answers"
    deployments = data["deployments"]
    if change.deployment is None or change.deployment >= len(deployments):
        raise DescriptorError(
            f"no deployment context at index {change.deployment}",
            location=f"{where}.deployment",
            hint=f"give the index of a context, from 0 to {len(deployments) - 1}",
        )
    return deployments[change.deployment]["answers"], f"deployments[{change.deployment}].answers"
