"""What would change the outcome: the smallest sets of changed answers that give a phase
another definite outcome ("if the development controller were a competent authority,
development would fall under police-justice")."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from airegime.engine.tables import PhaseTable, compiled
from airegime.kb.models import UNKNOWN, KnowledgeBase, Phase
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
    """Scan every answer set of the table at once (vectorised): those reached by changing at most
    ``max_changes`` answers (never to "unknown") that give one outcome other than the current result;
    keep, per outcome, the sets of changed questions that contain no smaller such set."""
    grid = _grid(table)
    flat = table.index(system_answers, own_answers)
    current = [table.answer_at(flat, axis) for axis in table.axes]
    changed = np.zeros(len(grid.single), dtype=np.uint16)
    allowed = grid.single & (grid.outcome_bits != table.outcome_sets[flat])
    for axis, answer, position in zip(table.axes, current, grid.positions, strict=True):
        differs = position != axis.index_of[answer]
        changed |= differs.view(np.uint8).astype(np.uint16) << np.uint16(axis.position)
        if answer != UNKNOWN:
            allowed &= ~(differs & (position == axis.size))  # an answer is never changed back to "unknown"
    sizes = np.bitwise_count(changed)
    candidates = np.flatnonzero(allowed & (sizes <= max_changes))
    keys = grid.outcome_index[candidates].astype(np.int64) * (1 << len(table.axes)) + changed[candidates]
    _, first = np.unique(keys, return_index=True)  # first (lowest) answer set per outcome and question set
    chosen = sorted(candidates[first].tolist(), key=lambda i: (int(sizes[i]), _positions(int(changed[i])), i))
    minimal: dict[int, list[int]] = {}
    found = []
    for i in chosen:
        mask, outcome = int(changed[i]), int(grid.outcome_index[i])
        if any(smaller & mask == smaller for smaller in minimal.get(outcome, ())):
            continue
        minimal.setdefault(outcome, []).append(mask)
        changes = tuple(
            Change(axis.id, current[axis.position], table.answer_at(i, axis))
            for axis in table.axes
            if mask >> axis.position & 1
        )
        found.append(Counterfactual(table.phase, deployment_index, changes, table.outcomes[outcome]))
    return found


def _positions(mask: int) -> tuple[int, ...]:
    return tuple(bit for bit in range(mask.bit_length()) if mask >> bit & 1)


@dataclass(frozen=True)
class _Grid:
    """Every answer set of a table as columns: the answer position on each axis, and its outcome."""

    positions: tuple[npt.NDArray[np.int8], ...]
    outcome_bits: npt.NDArray[np.int64]
    single: npt.NDArray[np.bool_]  # exactly one outcome reachable
    outcome_index: npt.NDArray[np.int8]  # that outcome's index (meaningful where single)


@lru_cache(maxsize=8)
def _grid(table: PhaseTable) -> _Grid:
    bits = np.array(table.outcome_sets, dtype=np.int64)
    shape = tuple(axis.size + 1 for axis in table.axes)
    positions = tuple(p.astype(np.int8) for p in np.unravel_index(np.arange(bits.size), shape))
    single = (bits != 0) & ((bits & (bits - 1)) == 0)
    index = np.zeros(bits.size, dtype=np.int8)
    for i in range(len(table.outcomes)):
        index[bits == (1 << i)] = i
    return _Grid(positions, bits, single, index)
