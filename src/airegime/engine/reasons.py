"""The reason that decided a phase, and which open question to settle first.

The reason is a prime implicant of the compiled table: the fewest of the answers given that force
the phase's outcome whatever the other questions are answered (each left open counts as "I don't
know"), with the rule that states it. Rules still possible under other answers are secondary.

For an undetermined phase, each open question that narrows it is ranked by the number of outcomes
expected to remain once it is answered (the mean over its answers): the first narrows most.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from airegime.engine.tables import PhaseTable
from airegime.kb.models import UNKNOWN


@dataclass(frozen=True, slots=True)
class Reason:
    """``answers`` (question, answer code), in interview order, force the outcome; ``rule`` states it."""

    answers: tuple[tuple[str, str], ...]
    rule: str


@dataclass(frozen=True, slots=True)
class RankedQuestion:
    """An open question, and how many outcomes are expected to remain once it is answered."""

    question: str
    expected_outcomes: float


@lru_cache(maxsize=4096)
def deciding_reason(table: PhaseTable, flat: int) -> Reason | None:
    """The smallest set of given answers forcing the outcome at ``flat``, or None when undetermined."""
    outcome = table.outcome_sets[flat]
    if outcome & (outcome - 1) or not outcome:
        return None
    given = [axis for axis in table.axes if table.answer_at(flat, axis) != UNKNOWN]
    blank = flat
    for axis in given:
        blank = table.with_answer(blank, axis, UNKNOWN)
    for size in range(len(given) + 1):
        for subset in combinations(given, size):
            partial = blank
            for axis in subset:
                partial = table.with_answer(partial, axis, table.answer_at(flat, axis))
            if table.outcome_sets[partial] == outcome:
                answers = tuple((axis.id, table.answer_at(flat, axis)) for axis in subset)
                return Reason(answers, _stating_rule(table, flat, partial))
    raise AssertionError("a determined answer set is forced by its own answers")  # pragma: no cover


def _stating_rule(table: PhaseTable, flat: int, partial: int) -> str:
    """Of the rules still possible under both the reason and the answers given, the one that applies
    whatever the open questions' answers (else the first in the rule set's order)."""
    possible = table.rule_sets[partial] & table.rule_sets[flat]
    candidates = [j for j in range(len(table.rules)) if possible >> j & 1]
    selector = tuple(
        slice(None) if table.answer_at(flat, axis) == UNKNOWN else axis.index_of[table.answer_at(flat, axis)]
        for axis in table.axes
    )
    met = [j for j in candidates if table.hits[j][selector].all()]
    return table.rules[(met or candidates)[0]].id


@lru_cache(maxsize=4096)
def ranked_questions(table: PhaseTable, flat: int) -> tuple[RankedQuestion, ...]:
    """The open questions that narrow an undetermined phase, the one that narrows most first."""
    current = table.outcome_sets[flat]
    ranked = []
    for axis in table.open_axes(flat):
        counts = [table.outcome_sets[table.with_answer(flat, axis, code)].bit_count() for code in axis.question.codes]
        if any(table.outcome_sets[table.with_answer(flat, axis, code)] != current for code in axis.question.codes):
            ranked.append(RankedQuestion(axis.id, sum(counts) / len(counts)))
    return tuple(sorted(ranked, key=lambda item: item.expected_outcomes))  # stable: interview order on ties
