"""The interview: which question to ask next. A pure function of (knowledge base, answers so
far), shared by the terminal and the web app.

Questions come in a stable order: system questions, then each development processing, then each
deployment context in turn, each in knowledge-base order. A system question that a phase may
override is asked once, for the system. A question is asked only while it is
unanswered and its answer can still change the outcome of some phase. "I don't know" is an
answer: a question answered "unknown" is not asked again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airegime.engine.tables import PhaseTable, compiled
from airegime.kb.models import KnowledgeBase, Question, Scope
from airegime.system import System


@dataclass(frozen=True, slots=True)
class NextQuestion:
    """Ask ``question`` for ``scope`` (for a deployment: the context at ``deployment_index``).

    ``location`` is where the answer goes in the descriptor, e.g. ``deployments[1].answers``.
    ``asked`` and ``remaining`` count questions for a progress indicator (``remaining`` is an
    upper bound: later answers may make questions unnecessary).
    """

    question: Question
    scope: Scope
    deployment_index: int | None
    location: str
    asked: int
    remaining: int
    development_index: int | None = None


def next_question(*, kb: KnowledgeBase, system: System) -> NextQuestion | None:
    """The next question worth asking, or None when no answer can change any outcome any more."""
    pending = pending_questions(kb=kb, system=system)
    if not pending:
        return None
    scope, index, question = pending[0]
    return NextQuestion(
        question,
        scope,
        index if scope == "deployment" else None,
        _location(scope, index),
        _answered(system),
        len(pending),
        index if scope == "development" else None,
    )


def pending_questions(*, kb: KnowledgeBase, system: System) -> list[tuple[Scope, int | None, Question]]:
    """Every question still worth asking, in interview order, with the index of its phase."""
    tables = compiled(kb)
    phases: list[tuple[PhaseTable, dict[str, str], int | None]] = [
        *((tables.development, d.answers, i) for i, d in enumerate(system.developments)),
        *((tables.deployment, d.answers, i) for i, d in enumerate(system.deployments)),
    ]
    pending: list[tuple[Scope, int | None, Question]] = []
    for question in kb.questions_for("system"):
        if question.id not in system.answers and any(
            _can_change(t, system.answers, own, question.id) for t, own, _ in phases if question.id not in own
        ):
            pending.append(("system", None, question))
    for table, own, index in phases:
        scope: Scope = table.phase
        for axis in table.axes:
            if "system" in axis.question.scope or axis.id in own:
                continue  # asked once for the system (a phase overrides it in the descriptor)
            if _can_change(table, system.answers, own, axis.id):
                pending.append((scope, index, axis.question))
    return pending


def _can_change(table: PhaseTable, system_answers: dict[str, str], own: dict[str, str], question: str) -> bool:
    """Does some completion of the current answers give different outcomes for different answers?"""
    flat = table.index(system_answers, own)
    if not table.outcome_sets[flat] & (table.outcome_sets[flat] - 1):
        return False  # already one outcome: nothing can change it
    axis = next(a for a in table.axes if a.id == question)
    completions = table.open_slice(flat)
    open_before = [a for a in table.axes if a.position < axis.position and table.answer_at(flat, a) == "unknown"]
    position = len(open_before)
    first = np.take(completions, [0], axis=position)
    return bool((completions != first).any())


def _location(scope: Scope, index: int | None) -> str:
    return "answers" if scope == "system" else f"{scope}s[{index}].answers"


def _answered(system: System) -> int:
    developments = sum(len(d.answers) for d in system.developments)
    return len(system.answers) + developments + sum(len(d.answers) for d in system.deployments)
