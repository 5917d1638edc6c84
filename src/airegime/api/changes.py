"""Setting some of a saved assessment's answers in ONE transaction (PATCH /assessments/{id}).

An API client sends a list of answer changes, which must be stored all together or not at
all: they are applied to the current descriptor and checked before the repository stores
the differences (``Repository.edit``).
"""

from __future__ import annotations

from typing import Any

from airegime.api.models import AnswerChange
from airegime.engine.results import Assessment
from airegime.errors import AnswerError, DescriptorError
from airegime.kb.models import KnowledgeBase
from airegime.storage.records import Saved
from airegime.storage.repository import Repository
from airegime.system import System, normalise_answer


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
        return data["developments"][0]["answers"], "developments[0].answers"  # saved assessments hold one
    deployments = data["deployments"]
    if change.deployment is None or change.deployment >= len(deployments):
        raise DescriptorError(
            f"no deployment context at index {change.deployment}",
            location=f"{where}.deployment",
            hint=f"give the index of a context, from 0 to {len(deployments) - 1}",
        )
    return deployments[change.deployment]["answers"], f"deployments[{change.deployment}].answers"
