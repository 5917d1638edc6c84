"""What would change the outcome: the smallest sets of changed answers that give a phase
another definite outcome ("if the development controller were a competent authority,
development would fall under police-justice")."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, product
from typing import Any

import numpy as np
import numpy.typing as npt

from airegime.engine.tables import PhaseTable, compiled
from airegime.kb.models import NOT_ASKED, KnowledgeBase, Phase
from airegime.system import System


@dataclass(frozen=True, slots=True)
class Change:
    """One answer changed: ``current`` is an answer code, ``unknown`` or ``not_asked``."""

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
    development_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "deployment_index": self.deployment_index,
            "development_index": self.development_index,
            "outcome": self.outcome,
            "changes": [{"question": c.question, "from": c.current, "to": c.new} for c in self.changes],
        }


def counterfactuals(*, kb: KnowledgeBase, system: System, max_changes: int = 3) -> tuple[Counterfactual, ...]:
    """For every phase, the minimal answer changes (up to ``max_changes``) reaching each other outcome."""
    tables = compiled(kb)
    found: list[Counterfactual] = []
    for i, development in enumerate(system.developments):
        found += _phase_counterfactuals(tables.development, system.answers, development.answers, max_changes, None, i)
    for i, deployment in enumerate(system.deployments):
        found += _phase_counterfactuals(tables.deployment, system.answers, deployment.answers, max_changes, i, None)
    return tuple(found)


def _phase_counterfactuals(
    table: PhaseTable,
    system_answers: dict[str, str],
    own_answers: dict[str, str],
    max_changes: int,
    deployment_index: int | None,
    development_index: int | None,
) -> tuple[Counterfactual, ...]:
    """Every answer set reached by changing at most ``max_changes`` answers (never to "unknown")
    that gives one outcome other than the current result; keep, per outcome, the sets of changed
    questions that contain no smaller such set (the lowest answer set standing for each)."""
    unasked = frozenset(a.id for a in table.axes if a.id not in system_answers and a.id not in own_answers)
    flat = table.index(system_answers, own_answers)
    return _counterfactuals_at(table, flat, unasked, max_changes, deployment_index, development_index)


@lru_cache(maxsize=1024)  # a pure function of the answer set and of which questions went unasked
def _counterfactuals_at(
    table: PhaseTable,
    flat: int,
    unasked: frozenset[str],
    max_changes: int,
    deployment_index: int | None,
    development_index: int | None,
) -> tuple[Counterfactual, ...]:
    # A change from a question never asked (``unasked``) starts from ``not_asked``, not from "I don't know".
    current = [NOT_ASKED if axis.id in unasked else table.answer_at(flat, axis) for axis in table.axes]
    found = []
    for target, mask, outcome in _reached(table, flat, max_changes):
        changes = tuple(
            Change(axis.id, current[axis.position], table.answer_at(target, axis))
            for axis in table.axes
            if mask >> axis.position & 1
        )
        found.append(Counterfactual(table.phase, deployment_index, changes, table.outcomes[outcome], development_index))
    return tuple(found)


def _reached(table: PhaseTable, flat: int, max_changes: int) -> tuple[tuple[int, int, int], ...]:
    """(answer set, changed questions as bits, outcome index) of each minimal change, in order:
    fewest changes first, then by the changed questions' positions, then by answer set."""
    grid, moves = _grid(table), _moves(table, max_changes)
    position = np.array([(flat // axis.stride) % (axis.size + 1) for axis in table.axes], dtype=np.int64)
    # Keep the moves that give each question they set another answer (the rest are smaller moves, listed too).
    keep = (moves.new_positions != position).all(axis=1)
    targets = flat + moves.offsets[keep] - moves.changed[keep] @ (position * moves.strides)
    masks, ranks = moves.masks[keep], moves.ranks[keep]
    useful = grid.single[targets] & (grid.outcome_bits[targets] != table.outcome_sets[flat])
    targets, masks, ranks = targets[useful], masks[useful], ranks[useful]
    order = np.argsort(targets)  # the lowest answer set stands for its outcome and questions
    targets, masks, ranks = targets[order], masks[order], ranks[order]
    outcomes = grid.outcome_index[targets].astype(np.int64)
    _, first = np.unique(outcomes * (1 << len(table.axes)) + masks, return_index=True)
    first = first[np.lexsort((targets[first], ranks[first]))]
    chosen = zip(masks[first].tolist(), targets[first].tolist(), outcomes[first].tolist(), strict=True)
    minimal: dict[int, list[int]] = {}
    found = []
    for mask, target, outcome in chosen:
        if any(smaller & mask == smaller for smaller in minimal.get(outcome, ())):
            continue
        minimal.setdefault(outcome, []).append(mask)
        found.append((target, mask, outcome))
    return tuple(found)


def _positions(mask: int) -> tuple[int, ...]:
    return tuple(bit for bit in range(mask.bit_length()) if mask >> bit & 1)


@dataclass(frozen=True)
class _Grid:
    """Every answer set of a table, by flat index: its outcomes, and that outcome when there is one."""

    outcome_bits: npt.NDArray[np.int64]
    single: npt.NDArray[np.bool_]  # exactly one outcome reachable
    outcome_index: npt.NDArray[np.int8]  # that outcome's index (meaningful where single)


@lru_cache(maxsize=8)
def _grid(table: PhaseTable) -> _Grid:
    bits = np.array(table.outcome_sets, dtype=np.int64)
    single = (bits != 0) & ((bits & (bits - 1)) == 0)
    index = np.zeros(bits.size, dtype=np.int8)
    for i in range(len(table.outcomes)):
        index[bits == (1 << i)] = i
    return _Grid(bits, single, index)


@dataclass(frozen=True)
class _Moves:
    """Every way to set 1 to ``max_changes`` questions to known answers, one row per way: from an
    answer set at flat index f with positions p, it leads to f + offsets - changed @ (p * strides)."""

    new_positions: npt.NDArray[np.int64]  # (moves, axes): the new answer's position, -1 if unchanged
    changed: npt.NDArray[np.int64]  # (moves, axes): 1 where the question changes
    offsets: npt.NDArray[np.int64]  # the new positions times the strides, summed
    masks: npt.NDArray[np.int64]  # the changed questions as bits (bit i: axis i)
    ranks: npt.NDArray[np.int64]  # order of the masks: fewest questions first, then by their positions
    strides: npt.NDArray[np.int64]


@lru_cache(maxsize=16)
def _moves(table: PhaseTable, max_changes: int) -> _Moves:
    rows: list[list[int]] = []
    for size in range(1, max_changes + 1):
        for axes in combinations(table.axes, size):
            for answers in product(*(range(axis.size) for axis in axes)):
                row = [-1] * len(table.axes)
                for axis, answer in zip(axes, answers, strict=True):
                    row[axis.position] = answer
                rows.append(row)
    new_positions = np.array(rows, dtype=np.int64).reshape(-1, len(table.axes))
    changed = (new_positions >= 0).astype(np.int64)
    strides = np.array([axis.stride for axis in table.axes], dtype=np.int64)
    masks = changed @ (1 << np.arange(len(table.axes), dtype=np.int64))
    rank = {mask: i for i, mask in enumerate(sorted(set(masks.tolist()), key=lambda m: (m.bit_count(), _positions(m))))}
    return _Moves(
        new_positions=new_positions,
        changed=changed,
        offsets=(new_positions * changed) @ strides,
        masks=masks,
        ranks=np.array([rank[mask] for mask in masks.tolist()], dtype=np.int64),
        strides=strides,
    )
