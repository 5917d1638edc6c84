"""The proof that the rule set is complete: for every phase and every combination of answers,
exactly one rule applies (no gap, no overlap); every rule is reachable; every question can
change some outcome; every outcome is reached; and every partial answer set that is still
undetermined has an open question whose answer narrows it (so the interview can go on)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from airegime.engine.tables import NO_RULE, PhaseTable, compiled
from airegime.errors import Message, msg, msg_plural
from airegime.kb.models import KnowledgeBase, Phase

ProblemKind = Literal["gap", "overlap", "unreachable_rule", "question_without_effect", "unreached_outcome", "stuck"]


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong (``message``, in any language), in which phase, with one answer set that shows it."""

    kind: ProblemKind
    phase: Phase | None
    message: Message
    example: dict[str, str]


@dataclass(frozen=True, slots=True)
class PhaseFigures:
    phase: Phase
    questions: int
    rules: int
    combinations: int  # full answer sets checked
    partial_answer_sets: int  # with "I don't know" counted as an answer


@dataclass(frozen=True, slots=True)
class VerificationReport:
    rule_set_version: str
    rule_set_hash: str
    phases: tuple[PhaseFigures, ...]
    problems: tuple[Problem, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def combinations(self) -> int:
        return sum(p.combinations for p in self.phases)


def verify(*, kb: KnowledgeBase) -> VerificationReport:
    """Enumerate every answer combination of every phase and report any hole in the rule set."""
    started = time.perf_counter()
    tables = compiled(kb)
    problems: list[Problem] = []
    for table in (tables.development, tables.deployment):
        problems.extend(_hit_policy(table))
        problems.extend(_stuck(table))
    problems.extend(_questions_without_effect(kb, (tables.development, tables.deployment)))
    reached = set(tables.development.outcomes) | set(tables.deployment.outcomes)
    for outcome in kb.outcomes:
        if outcome.id not in reached and not outcome.retired:
            said = msg("verify.problem.unreached_outcome", outcome=outcome.id)
            problems.append(Problem("unreached_outcome", None, said, {}))
    figures = tuple(
        PhaseFigures(t.phase, len(t.axes), len(t.rules), int(np.prod(t.full_shape)), len(t.outcome_sets))
        for t in (tables.development, tables.deployment)
    )
    return VerificationReport(kb.version, kb.hash, figures, tuple(problems), time.perf_counter() - started)


def _answers_at(table: PhaseTable, position: tuple[int, ...]) -> dict[str, str]:
    return {axis.id: axis.question.codes[i] for axis, i in zip(table.axes, position, strict=True)}


def _hit_policy(table: PhaseTable) -> list[Problem]:
    problems = []
    counts = table.hits.sum(axis=0)
    if (gaps := np.argwhere(counts == 0)).size:
        problems.append(
            Problem(
                "gap",
                table.phase,
                msg_plural("verify.problem.gap", len(gaps)),
                _answers_at(table, tuple(gaps[0])),
            )
        )
    if (overlaps := np.argwhere(counts > 1)).size:
        first = tuple(overlaps[0])
        rules = [rule.id for rule, hit in zip(table.rules, table.hits[(slice(None), *first)], strict=True) if hit]
        problems.append(
            Problem(
                "overlap",
                table.phase,
                msg_plural("verify.problem.overlap", len(overlaps), rules=", ".join(rules)),
                _answers_at(table, first),
            )
        )
    for rule, hits in zip(table.rules, table.hits, strict=True):
        if not hits.any():
            said = msg("verify.problem.unreachable_rule", rule=rule.id)
            problems.append(Problem("unreachable_rule", table.phase, said, {}))
    return problems


def _questions_without_effect(kb: KnowledgeBase, tables: tuple[PhaseTable, ...]) -> list[Problem]:
    problems = []
    for question in kb.questions:
        effective = False
        for table in tables:
            axis = next((a for a in table.axes if a.id == question.id), None)
            if axis is not None and (table.full_outcome != NO_RULE).all():
                first = np.take(table.full_outcome, [0], axis=axis.position)
                effective = effective or bool((table.full_outcome != first).any())
        if not effective:
            problems.append(
                Problem("question_without_effect", None, msg("verify.problem.no_effect", question=question.id), {})
            )
    return problems


def _stuck(table: PhaseTable) -> list[Problem]:
    """Undetermined partial answer sets where no single open question narrows the outcome."""
    sets = np.array(table.outcome_sets, dtype=np.int64).reshape(tuple(a.size + 1 for a in table.axes))
    undetermined = (sets & (sets - 1)) != 0
    narrowed = np.zeros_like(undetermined)
    for axis in table.axes:
        unknown = np.take(sets, [axis.size], axis=axis.position)
        values = np.take(sets, range(axis.size), axis=axis.position)
        narrows = (values != unknown).any(axis=axis.position, keepdims=True)
        index = [slice(None)] * len(table.axes)
        index[axis.position] = slice(axis.size, axis.size + 1)
        narrowed[tuple(index)] |= narrows
    stuck = np.argwhere(undetermined & ~narrowed)
    if not stuck.size:
        return []
    example = {
        axis.id: ("unknown" if i == axis.size else axis.question.codes[i])
        for axis, i in zip(table.axes, stuck[0], strict=True)
    }
    return [
        Problem(
            "stuck",
            table.phase,
            msg_plural("verify.problem.stuck", len(stuck)),
            example,
        )
    ]
