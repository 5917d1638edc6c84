"""The reason that decided a phase.

It is a prime implicant of the compiled table: the fewest of the answers given that force the
phase's outcome whatever the other questions are answered (each left open counts as "I don't
know"), with the rule that states it. Rules still possible under other answers are secondary.
"""

from __future__ import annotations

from itertools import combinations

from airegime.engine.results import Reason
from airegime.engine.tables import PhaseTable
from airegime.kb.models import UNKNOWN


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


def _stating_rule(table: PhaseTable, flat: int, partial: int) -> str | None:
    """Of the rules still possible under both the reason and the answers given, the one that applies
    whatever the open questions' answers; None when none does (several rules remain, all leading to
    the outcome: no single one states it, and naming the first would mislead)."""
    possible = table.rule_sets[partial] & table.rule_sets[flat]
    candidates = [j for j in range(len(table.rules)) if possible >> j & 1]
    selector = tuple(
        slice(None) if table.answer_at(flat, axis) == UNKNOWN else axis.index_of[table.answer_at(flat, axis)]
        for axis in table.axes
    )
    met = [j for j in candidates if table.hits[j][selector].all()]
    return table.rules[met[0]].id if met else None
