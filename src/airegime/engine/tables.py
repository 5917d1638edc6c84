"""The rule set of a phase, compiled into a decision table over every answer combination.

A phase reads a handful of questions with a handful of answers each, so the whole answer
space is small (a few thousand full combinations). We evaluate every rule's condition once,
vectorised, over that space; then fill, for every *partial* answer set ("unknown" counted as
one more value per question), the set of outcomes its completions can reach. Evaluating a
system is then an index computation and a lookup, and the verifier reads the same arrays.

Bit sets are Python ints: bit ``i`` of an outcome set is ``table.outcomes[i]``, bit ``j`` of a
rule set is ``table.rules[j]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import numpy.typing as npt

from airegime.kb.models import (
    UNKNOWN,
    AllOf,
    AnyOf,
    Atom,
    Condition,
    KnowledgeBase,
    Not,
    Phase,
    Question,
    Rule,
    per_rule_set,
)

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
NO_RULE = -1
PHASE, SYSTEM, PHASE_THEN_SYSTEM = 0, 1, 2  # where an axis reads its answer


@dataclass(frozen=True)
class Axis:
    """One question of a phase: its answer codes, then "unknown" as the last index."""

    question: Question
    position: int
    stride: int  # in the table that includes "unknown"

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def is_system(self) -> bool:
        """Answered for the system only (never per phase)."""
        return self.question.system_only

    @property
    def size(self) -> int:
        return len(self.question.codes)

    @cached_property
    def index_of(self) -> dict[str, int]:
        indices = {code: i for i, code in enumerate(self.question.codes)}
        indices[UNKNOWN] = self.size
        return indices


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: it is built once
class PhaseTable:
    phase: Phase
    axes: tuple[Axis, ...]
    rules: tuple[Rule, ...]
    outcomes: tuple[str, ...]
    case_by_case: frozenset[str]  # outcomes for which the law leaves the answer open
    hits: BoolArray  # (rule, *full answer shape): does rule r apply to this full answer set?
    full_outcome: IntArray  # (*full shape): outcome index of the unique rule, NO_RULE on a gap
    outcome_sets: list[int]  # flat, over the shape with "unknown": reachable outcomes (bits)
    rule_sets: list[int]  # flat, same shape: rules that apply in some completion (bits)

    @property
    def full_shape(self) -> tuple[int, ...]:
        return tuple(axis.size for axis in self.axes)

    @cached_property
    def _index_plan(self) -> tuple[tuple[str, int, dict[str, int], int], ...]:
        where = {(True, False): SYSTEM, (False, False): PHASE, (False, True): PHASE_THEN_SYSTEM}
        return tuple(
            (axis.id, where[axis.is_system, axis.question.overridable], axis.index_of, axis.stride)
            for axis in self.axes
        )

    def index(self, system_answers: Mapping[str, str], phase_answers: Mapping[str, str]) -> int:
        """Flat index of an answer set; a missing answer counts as unknown. (The hot path.)"""
        flat = 0
        for question, where, index_of, stride in self._index_plan:
            if where == PHASE:
                answer = phase_answers.get(question, UNKNOWN)
            elif where == SYSTEM:
                answer = system_answers.get(question, UNKNOWN)
            else:
                answer = phase_answers.get(question) or system_answers.get(question, UNKNOWN)
            flat += index_of[answer] * stride
        return flat

    def with_answer(self, flat: int, axis: Axis, code: str) -> int:
        """The flat index of the same answer set with one answer replaced."""
        current = (flat // axis.stride) % (axis.size + 1)
        return flat + (axis.index_of[code] - current) * axis.stride

    def answer_at(self, flat: int, axis: Axis) -> str:
        position = (flat // axis.stride) % (axis.size + 1)
        return UNKNOWN if position == axis.size else axis.question.codes[position]

    def outcome_ids(self, bits: int) -> tuple[str, ...]:
        return _members(self.outcomes, bits)

    def open_slice(self, flat: int) -> IntArray:
        """Outcomes of every completion of the answer set at ``flat`` (unknown axes left whole)."""
        selector = tuple(
            slice(None) if (p := (flat // axis.stride) % (axis.size + 1)) == axis.size else p for axis in self.axes
        )
        return self.full_outcome[selector]

    def open_axes(self, flat: int) -> tuple[Axis, ...]:
        return tuple(axis for axis in self.axes if self.answer_at(flat, axis) == UNKNOWN)


@lru_cache(maxsize=1024)
def _members(items: tuple[str, ...], bits: int) -> tuple[str, ...]:
    return tuple(item for i, item in enumerate(items) if bits >> i & 1)


def compile_phase(kb: KnowledgeBase, phase: Phase) -> PhaseTable:
    questions = kb.phase_questions(phase)
    rules = kb.rules_for(phase)
    if len(rules) > 62:
        raise ValueError(f"{phase}: more than 62 rules do not fit the table's bit sets")
    outcomes = tuple(dict.fromkeys(rule.outcome for rule in rules))
    full_shape = tuple(len(q.codes) for q in questions)
    strides = [int(np.prod([n + 1 for n in full_shape[i + 1 :]], dtype=np.int64)) for i in range(len(questions))]
    axes = tuple(Axis(q, i, strides[i]) for i, q in enumerate(questions))
    position = {axis.id: axis for axis in axes}

    def truth(condition: Condition) -> BoolArray:
        if isinstance(condition, Atom):
            axis = position[condition.question]
            column = np.isin(np.arange(axis.size), [axis.index_of[v] for v in condition.values])
            shape = [1] * len(axes)
            shape[axis.position] = axis.size
            return column.reshape(shape)
        if isinstance(condition, Not):
            return ~truth(condition.item)
        parts = [truth(item) for item in condition.items]
        combine = np.logical_and if isinstance(condition, AllOf) else np.logical_or
        result = parts[0]
        for part in parts[1:]:
            result = combine(result, part)
        return result

    assert all(isinstance(rule.when, Atom | AllOf | AnyOf | Not) for rule in rules)
    hits = np.stack([np.broadcast_to(truth(rule.when), full_shape) for rule in rules])
    rule_outcome = np.array([outcomes.index(rule.outcome) for rule in rules], dtype=np.int64)
    unique = hits.sum(axis=0) == 1
    full_outcome = np.where(unique, rule_outcome[hits.argmax(axis=0)], NO_RULE)

    rule_bits = np.left_shift(np.int64(1), np.arange(len(rules), dtype=np.int64))
    outcome_bits = np.left_shift(np.int64(1), rule_outcome)
    shape_with_unknown = tuple(n + 1 for n in full_shape)
    outcome_sets = np.zeros(shape_with_unknown, dtype=np.int64)
    rule_sets = np.zeros(shape_with_unknown, dtype=np.int64)
    known = tuple(slice(0, n) for n in full_shape)
    rule_sets[known] = np.bitwise_or.reduce(hits * rule_bits.reshape((-1,) + (1,) * len(axes)), axis=0)
    outcome_sets[known] = np.bitwise_or.reduce(hits * outcome_bits.reshape((-1,) + (1,) * len(axes)), axis=0)
    for axis in axes:  # "unknown" reaches what any of the question's answers reaches
        unknown_at = tuple(axis.size if a is axis else slice(None) for a in axes)
        values_at = tuple(slice(0, axis.size) if a is axis else slice(None) for a in axes)
        for table in (outcome_sets, rule_sets):
            table[unknown_at] = np.bitwise_or.reduce(table[values_at], axis=axis.position)
    return PhaseTable(
        phase=phase,
        axes=axes,
        rules=rules,
        outcomes=outcomes,
        case_by_case=frozenset(o for o in outcomes if kb.outcome_by_id[o].kind == "case_by_case"),
        hits=hits,
        full_outcome=full_outcome,
        outcome_sets=outcome_sets.ravel().tolist(),
        rule_sets=rule_sets.ravel().tolist(),
    )


@dataclass(frozen=True, eq=False)
class CompiledKnowledgeBase:
    kb: KnowledgeBase
    development: PhaseTable
    deployment: PhaseTable


@per_rule_set
def compiled(kb: KnowledgeBase) -> CompiledKnowledgeBase:
    """The decision tables of a knowledge base, built once per rule set."""
    return CompiledKnowledgeBase(kb, compile_phase(kb, "development"), compile_phase(kb, "deployment"))
