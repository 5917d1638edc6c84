"""Setting some of a saved assessment's answers in ONE transaction (PATCH /assessments/{id}).

An API client sends a list of answer changes, which must be stored all together or not at
all: they are applied to the current descriptor and checked before the repository stores
the differences (``Repository.edit``).
"""

from __future__ import annotations

from typing import Any

from airegime.answers import normalise_answer
from airegime.api.models import AnswerChange
from airegime.engine.results import Assessment
from airegime.errors import AnswerError, DescriptorError, msg
from airegime.kb.models import KnowledgeBase
from airegime.storage.records import Context, Saved
from airegime.storage.repository import Repository
from airegime.system import System


def set_answers(repo: Repository, assessment_id: int, changes: list[AnswerChange]) -> tuple[Saved, Assessment]:
    """Apply every answer change (null withdraws an answer), checked all together first."""
    return repo.edit(assessment_id, lambda current: _with_answers(repo.kb, current, changes))


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
                msg("error.api.no_question", question=change.question, scope=change.scope),
                location=f"answers[{index}].question",
                hint=msg("error.api.no_question.hint"),
            )
        answers, location = _answers_of(data, current, change, f"answers[{index}]")
        if change.value is None:
            answers.pop(question.id, None)
        else:
            answers[question.id] = normalise_answer(question, change.value, location=f"{location}.{question.id}")
    return System.model_validate(data)


def _answers_of(data: dict[str, Any], current: Saved, change: AnswerChange, where: str) -> tuple[dict[str, Any], str]:
    """The answers the change belongs to, and their location in the descriptor."""
    for phase in ("deployment", "development"):
        if change.scope != phase and (getattr(change, phase) is not None or getattr(change, f"{phase}_id") is not None):
            said = msg(
                "error.api.wrong_phase.development" if phase == "development" else "error.api.wrong_phase.deployment"
            )
            raise DescriptorError(said, location=f"{where}.{phase}", hint=msg("error.api.wrong_phase.hint"))
    if change.scope == "system":
        return data["answers"], "answers"
    key = f"{change.scope}s"
    rows = current.developments if change.scope == "development" else current.contexts
    index = _index(change, rows, where)
    return data[key][index]["answers"], f"{key}[{index}].answers"


def _index(change: AnswerChange, rows: tuple[Context, ...], where: str) -> int:
    """The position the change names, by index or by id (a development's: the first by default)."""
    phase = change.scope
    by_index: int | None = change.development if phase == "development" else change.deployment
    by_id = change.development_id if phase == "development" else change.deployment_id
    if by_index is not None and by_id is not None:
        raise DescriptorError(
            msg("error.api.both", field=phase), location=f"{where}.{phase}_id", hint=msg("error.api.both.hint")
        )
    if by_id is not None:
        found = next((i for i, row in enumerate(rows) if row.id == by_id), None)
        if found is None:
            raise DescriptorError(
                msg(
                    "error.api.no_id.development" if phase == "development" else "error.api.no_id.deployment", id=by_id
                ),
                location=f"{where}.{phase}_id",
                hint=msg("error.api.no_id.hint", list="developments" if phase == "development" else "contexts"),
            )
        return found
    if by_index is None and phase == "development":
        return 0  # the first (often the only) development processing
    if by_index is None or by_index >= len(rows):
        raise DescriptorError(
            msg(
                "error.api.no_index.development" if phase == "development" else "error.api.no_index.deployment",
                index=by_index,
            ),
            location=f"{where}.{phase}",
            hint=msg(
                "error.api.no_index.development.hint"
                if phase == "development"
                else "error.api.no_index.deployment.hint",
                last=len(rows) - 1,
            ),
        )
    return by_index
