"""What would change the outcome: the smallest sets of changed answers that give a phase
another definite outcome ("if the development controller were a competent authority,
development would fall under police-justice")."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product
from typing import Any

from airegime.engine.tables import Axis, PhaseTable, compiled
from airegime.kb.models import KnowledgeBase, Phase
from airegime.system import System


@dataclass(frozen=True, slots=True)
class Change:
    question: str
    current: str
    new: str


@dataclass(frozen=True, slots=True)
class Counterfactual:
    """Changing ``changes`` (and nothing else) would make the phase come out as ``outcome``."""

    phase: Phase
    deployment_index: int | None
    changes: tuple[Change, ...]
    outcome: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "deployment_index": self.deployment_index,
            "outcome": self.outcome,
            "changes": [{"question": c.question, "from": c.current, "to": c.new} for c in self.changes],
        }


def counterfactuals(*, kb: KnowledgeBase, system: System, max_changes: int = 3) -> tuple[Counterfactual, ...]:
    """For every phase, the minimal answer changes (up to ``max_changes``) reaching each other outcome."""
    tables = compiled(kb)
    found = list(
        _phase_counterfactuals(tables.development, system.answers, system.development.answers, None, max_changes)
    )
    for i, deployment in enumerate(system.deployments):
        found.extend(_phase_counterfactuals(tables.deployment, system.answers, deployment.answers, i, max_changes))
    return tuple(found)


def _phase_counterfactuals(
    table: PhaseTable,
    system_answers: dict[str, str],
    own_answers: dict[str, str],
    deployment_index: int | None,
    max_changes: int,
) -> list[Counterfactual]:
    flat = table.index(system_answers, own_answers)
    current = table.outcome_sets[flat]
    reached: dict[int, list[frozenset[str]]] = {}  # outcome bit -> minimal question sets reaching it
    found: list[Counterfactual] = []
    for size in range(1, max_changes + 1):
        first_of_size: dict[tuple[int, frozenset[str]], tuple[Change, ...]] = {}
        for axes in combinations(table.axes, size):
            names = frozenset(axis.id for axis in axes)
            for codes in product(*(_alternatives(table, flat, axis) for axis in axes)):
                target = flat
                for axis, code in zip(axes, codes, strict=True):
                    target = table.with_answer(target, axis, code)
                bits = table.outcome_sets[target]
                if bits == current or bits & (bits - 1):  # same result, or still not one outcome
                    continue
                if any(smaller <= names for smaller in reached.get(bits, ())):
                    continue  # fewer changes already reach that outcome
                first_of_size.setdefault(
                    (bits, names),
                    tuple(
                        Change(axis.id, table.answer_at(flat, axis), code)
                        for axis, code in zip(axes, codes, strict=True)
                    ),
                )
        for (bits, names), changes in first_of_size.items():
            reached.setdefault(bits, []).append(names)
            found.append(Counterfactual(table.phase, deployment_index, changes, table.outcome_ids(bits)[0]))
    return found


def _alternatives(table: PhaseTable, flat: int, axis: Axis) -> tuple[str, ...]:
    current = table.answer_at(flat, axis)
    return tuple(code for code in axis.question.codes if code != current)
