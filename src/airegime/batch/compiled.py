"""The engine's decision tables, turned into arrays a whole column of answers can be looked up in.

Nothing here re-states a rule. ``airegime.engine.tables`` already compiles each phase into a
table over every answer combination ("unknown" counted as one more answer per question). This
module derives, for every entry of that table, two small integers:

* a *verdict* byte: the outcome (index in ``kb.outcomes``) in the low 5 bits and the status in
  the next 2, so one lookup per row gives both;
* a *result id*: entries with the same reachable outcomes, the same possible rules and the
  same pending questions render identically, so the text of a result is built once per id,
  from a ``PhaseResult`` the scalar engine returns for a representative entry.

Evaluating a batch is then: answer codes -> flat index (a few integer operations on uint8
columns) -> one gather. Tests check every entry against ``evaluate_phase``.

An axis of a question asked for the system that a phase may override (``establishment``) takes
one code per row: the phase's own answer where it gives one, else the system's
(``PhaseProgram.axis_codes``), as ``PhaseTable.index`` reads it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from airegime.engine.evaluate import evaluate_phase
from airegime.engine.results import PhaseResult
from airegime.engine.tables import PHASE, PHASE_THEN_SYSTEM, SYSTEM, PhaseTable, compiled
from airegime.kb.models import KnowledgeBase, Phase, per_rule_set

U8Array = npt.NDArray[np.uint8]
IndexArray = npt.NDArray[Any]  # uint16 or uint32, by table size
ResultIds = npt.NDArray[Any]  # uint16, or uint32 for a rule set with 65,535 results or more in a phase

STATUSES = ("determined", "case_by_case", "undetermined")
UNDETERMINED = 31  # outcome bits of the verdict byte when no single outcome is reachable
STATUS_SHIFT = 5
OUTCOME_MASK = np.uint8((1 << STATUS_SHIFT) - 1)
# Rows looked up at a time: a block's index (8 bytes a row, as np.take reads it) stays in the
# processor's L2 cache between its computation and the lookup, and each numpy call does enough work
# that the Python between calls costs little. One thread: the same blocks split over two threads were
# slower on one 2-core machine (benchmarks/bench_batch.py, 1M rows, both phases: 255 to 302 against 320
# to 350 M rows/s), each numpy call waiting for the other to give the interpreter back, and faster on
# another (312 to 327 against 228 to 242): it depends on the processor (docs/batch.md, runs 13 to 15).
BLOCK_ROWS = 1 << 16


def verdict_outcome(verdicts: U8Array) -> U8Array:
    """Outcome codes (index in ``kb.outcomes``; ``UNDETERMINED`` when open) of verdict bytes."""
    return verdicts & OUTCOME_MASK


def verdict_status(verdicts: U8Array) -> U8Array:
    """Status codes (index in ``STATUSES``) of verdict bytes."""
    return verdicts >> np.uint8(STATUS_SHIFT)


@dataclass(frozen=True, eq=False)
class PhaseProgram:
    """One phase's table as flat arrays, and the plan to compute its flat index from columns."""

    table: PhaseTable
    verdict_of_index: U8Array
    result_of_index: ResultIds
    representatives: npt.NDArray[np.intp]  # for each result id, one table entry that has it
    widening: tuple[tuple[int, np.dtype[Any]], ...]  # per axis: the type holding the index so far
    _results: dict[int, PhaseResult] = field(default_factory=dict, repr=False)

    @property
    def result_count(self) -> int:
        return len(self.representatives)

    def result(self, result_id: int) -> PhaseResult:
        """The scalar engine's result for a result id, built the first time it is needed."""
        found = self._results.get(result_id)
        if found is None:
            found = self._results[result_id] = _representative(self.table, int(self.representatives[result_id]))
        return found

    @property
    def axis_ids(self) -> tuple[str, ...]:
        return tuple(axis.id for axis in self.table.axes)

    @property
    def axis_sources(self) -> tuple[int, ...]:
        """Where each axis reads its answer: ``PHASE``, ``SYSTEM`` or ``PHASE_THEN_SYSTEM`` (engine.tables)."""
        return tuple(_source(axis.is_system, axis.question.overridable) for axis in self.table.axes)

    def axis_codes(self, system: Mapping[str, U8Array], phase: Mapping[str, U8Array], rows: int) -> list[U8Array]:
        """The code of each axis, in axis order, from the system's and the phase's answer columns
        (question id to codes; a missing column is all unknown). An overridable question reads the
        phase's answer where it is known, else the system's, as ``PhaseTable.index`` does."""
        columns = []
        for axis, source in zip(self.table.axes, self.axis_sources, strict=True):
            unknown = np.uint8(axis.size)
            own = phase.get(axis.id) if source != SYSTEM else None
            shared = system.get(axis.id) if source != PHASE else None
            found = own if own is not None else shared
            if own is not None and shared is not None:
                found = np.where(own < unknown, own, shared)
            columns.append(found if found is not None else np.full(rows, unknown, dtype=np.uint8))
        return columns

    @property
    def unknown_codes(self) -> tuple[int, ...]:
        """The code meaning "unknown" on each axis (its number of answers)."""
        return tuple(axis.size for axis in self.table.axes)

    def flat_index(self, codes: Sequence[U8Array]) -> IndexArray:
        """The table entry of each row; ``codes`` has one uint8 column per axis, in axis order.

        Horner's scheme over the axes (flat = (c0 * n1 + c1) * n2 + c2 ...), in the narrowest
        integer type that holds the running product: most steps touch 1 or 2 bytes per row.
        """
        flat: IndexArray = codes[0].astype(np.uint8, copy=True)
        for position, dtype, size in self._horner:
            if flat.dtype != dtype:
                flat = flat.astype(dtype)
            flat *= size
            flat += codes[position]
        return flat

    @cached_property
    def _horner(self) -> tuple[tuple[int, np.dtype[Any], np.generic], ...]:
        """Per axis after the first: its position, the index's type there, and its number of codes."""
        return tuple(
            (position, dtype, dtype.type(self.table.axes[position].size + 1)) for position, dtype in self.widening[1:]
        )

    def verdicts(self, codes: Sequence[U8Array]) -> U8Array:
        """Outcome and status of each row, as verdict bytes."""
        return self.gather(self.verdict_of_index, codes)

    def gather(self, per_entry: npt.NDArray[Any], codes: Sequence[U8Array]) -> npt.NDArray[Any]:
        """Look up a value per table entry (``verdict_of_index``, ``result_of_index`` or a table
        derived from them) for each row.

        Rows go by blocks (``BLOCK_ROWS``), each block's lookup written in place into the result. The
        index is widened into one reused buffer of ``intp``: ``np.take`` widens a narrow index itself,
        more slowly, into a new array each time. Every index is in the table by construction (each code
        is at most its axis's "unknown"), so the lookup skips the bounds check (``mode="clip"``)."""
        rows = len(codes[0]) if codes else 0
        out = np.empty(rows, dtype=per_entry.dtype)
        index = np.empty(min(rows, BLOCK_ROWS), dtype=np.intp)
        for start in range(0, rows, BLOCK_ROWS):
            end = min(start + BLOCK_ROWS, rows)
            block = index[: end - start]
            np.copyto(block, self.flat_index([column[start:end] for column in codes]))
            np.take(per_entry, block, out=out[start:end], mode="clip")
        return out

    def result_ids(self, codes: Sequence[U8Array]) -> ResultIds:
        return self.gather(self.result_of_index, codes)


@dataclass(frozen=True, eq=False)
class BatchProgram:
    kb: KnowledgeBase
    development: PhaseProgram
    deployment: PhaseProgram

    def phase(self, phase: Phase) -> PhaseProgram:
        return self.development if phase == "development" else self.deployment


@per_rule_set
def batch_program(kb: KnowledgeBase) -> BatchProgram:
    """The batch form of a knowledge base's decision tables, built once per rule set."""
    tables = compiled(kb)
    return BatchProgram(kb, compile_phase_program(kb, tables.development), compile_phase_program(kb, tables.deployment))


def prepare_batch_program(kb: KnowledgeBase) -> None:
    """Start building ``batch_program(kb)`` on another thread, unless it is built: a caller about to
    read a file (polars and file reads release the GIL) gets it ready meanwhile."""
    if not batch_program.is_built(kb):
        threading.Thread(target=batch_program, args=(kb,), name="airegime-batch-program", daemon=True).start()


def compile_phase_program(kb: KnowledgeBase, table: PhaseTable) -> PhaseProgram:
    outcome_sets = np.array(table.outcome_sets, dtype=np.int64)
    rule_sets = np.array(table.rule_sets, dtype=np.int64)
    # Entries render alike when they reach the same outcomes through the same rules, wait on the
    # same questions, leave the same questions read by those rules unanswered, and were decided by
    # the same reason (its answers, as the table entry that gives only them, and its rule).
    reason_entry, reason_rule = _reasons(table, outcome_sets, rule_sets)
    parts = [
        outcome_sets,
        rule_sets,
        _pending_axes(table, outcome_sets),
        _unanswered_axes(table, rule_sets),
        reason_entry + 1,
        reason_rule + 1,
        _pending_order(table, outcome_sets),
    ]
    entry_bits = len(outcome_sets).bit_length()
    rule_bits = (len(table.rules) + 1).bit_length()
    order_bits = len(table.axes) * len(table.axes).bit_length()
    axes = len(table.axes)
    widths = [len(table.outcomes), len(table.rules), axes, axes, entry_bits, rule_bits, order_bits]
    if sum(widths) <= 63:  # one integer key per entry: a fast 1-D unique
        keys, shift = np.zeros(len(outcome_sets), dtype=np.int64), 0
        for part, width in zip(parts, widths, strict=True):
            keys |= part << shift
            shift += width
        _, first_index, result_of_index = np.unique(keys, return_index=True, return_inverse=True)
    else:
        _, first_index, result_of_index = np.unique(np.stack(parts), axis=1, return_index=True, return_inverse=True)
    # Two bytes a row while the ids fit (with one more for "not assessed"): half the memory to write.
    id_type = np.uint16 if len(first_index) < np.iinfo(np.uint16).max else np.uint32
    result_ids = result_of_index.reshape(-1).astype(id_type)
    return PhaseProgram(
        table=table,
        verdict_of_index=_verdicts(kb, table, outcome_sets[first_index])[result_ids],
        result_of_index=result_ids,
        representatives=first_index,
        widening=_widening(table),
    )


def _verdicts(kb: KnowledgeBase, table: PhaseTable, outcome_sets: npt.NDArray[np.int64]) -> U8Array:
    """Verdict bytes of reachable-outcome sets, as ``evaluate_phase`` reads them: one reachable
    outcome is the outcome (case by case if the law leaves it open), more is undetermined."""
    outcome_code = {outcome.id: i for i, outcome in enumerate(kb.outcomes)}
    assert len(outcome_code) < UNDETERMINED, f"the verdict byte holds {UNDETERMINED} outcomes"
    verdicts = np.empty(len(outcome_sets), dtype=np.uint8)
    for i, bits in enumerate(outcome_sets.tolist()):
        possible = table.outcome_ids(bits)
        if len(possible) == 1:
            status = "case_by_case" if possible[0] in table.case_by_case else "determined"
            verdicts[i] = (STATUSES.index(status) << STATUS_SHIFT) | outcome_code[possible[0]]
        else:
            verdicts[i] = (STATUSES.index("undetermined") << STATUS_SHIFT) | UNDETERMINED
    return verdicts


def _pending_axes(table: PhaseTable, outcome_sets: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For every entry, a bit per axis left unknown whose answer would change the reachable outcomes."""
    return _changing_axes(table, outcome_sets)


def _changing_axes(table: PhaseTable, sets: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For every entry, a bit per axis left unknown that some answer would change ``sets`` at."""
    flat = np.arange(len(sets), dtype=np.int64)
    changing = np.zeros(len(sets), dtype=np.int64)
    for axis in table.axes:
        unknown = (flat // axis.stride) % (axis.size + 1) == axis.size
        changes = np.zeros(len(sets), dtype=bool)
        for code in range(axis.size):
            answered = np.where(unknown, flat + (code - axis.size) * axis.stride, flat)
            changes |= unknown & (sets[answered] != sets)
        changing |= changes.astype(np.int64) << axis.position
    return changing


def _pending_order(table: PhaseTable, outcome_sets: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For every entry, the rank of each axis among the open questions, as ``depends_on`` orders
    them (fewest outcomes expected to remain first, axis order on ties), packed into one integer."""
    flat = np.arange(len(outcome_sets), dtype=np.int64)
    pending = _pending_axes(table, outcome_sets)
    expected = np.full((len(outcome_sets), len(table.axes)), np.inf)  # not open: ranked last, alike
    for axis in table.axes:
        unknown = (flat // axis.stride) % (axis.size + 1) == axis.size
        total = np.zeros(len(outcome_sets), dtype=np.int64)
        for code in range(axis.size):
            answered = np.where(unknown, flat + (code - axis.size) * axis.stride, flat)
            total += np.bitwise_count(outcome_sets[answered]).astype(np.int64)
        is_open = (pending >> axis.position) & 1 == 1
        expected[is_open, axis.position] = total[is_open] / axis.size
    ranks = np.argsort(np.argsort(expected, axis=1, kind="stable"), axis=1, kind="stable").astype(np.int64)
    width = len(table.axes).bit_length()
    packed = np.zeros(len(outcome_sets), dtype=np.int64)
    for i in range(len(table.axes)):
        packed |= ranks[:, i] << (i * width)
    return packed


def _unanswered_axes(table: PhaseTable, rule_sets: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For every entry where several rules remain, the unknown axes those rules read whose answer
    would narrow which rule applies (bits), as ``evaluate_phase`` lists them."""
    distinct, which = np.unique(rule_sets, return_inverse=True)
    read = np.zeros(len(distinct), dtype=np.int64)
    for i, rule_set in enumerate(distinct.tolist()):
        rules = [rule for j, rule in enumerate(table.rules) if rule_set >> j & 1]
        if len(rules) > 1:
            questions = set().union(*(rule.questions for rule in rules))
            read[i] = sum(1 << axis.position for axis in table.axes if axis.id in questions)
    return _changing_axes(table, rule_sets) & read[which.reshape(-1)]


def _reasons(
    table: PhaseTable, outcome_sets: npt.NDArray[np.int64], rule_sets: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For every entry, the reason ``deciding_reason`` gives, as arrays: the table entry holding
    only the reason's answers (-1 when undetermined) and the index of the rule stating it (-1: none).
    Subsets of axes are tried smallest first, in the same order, so the first that forces the
    outcome is the same prime implicant."""
    count = len(outcome_sets)
    flat = np.arange(count, dtype=np.int64)
    codes = [(flat // axis.stride) % (axis.size + 1) for axis in table.axes]
    known = [code != axis.size for code, axis in zip(codes, table.axes, strict=True)]
    blank = flat + sum((axis.size - code) * axis.stride for code, axis in zip(codes, table.axes, strict=True))
    single = (outcome_sets != 0) & (outcome_sets & (outcome_sets - 1) == 0)
    entry = np.full(count, -1, dtype=np.int64)
    for size in range(len(table.axes) + 1):
        for subset in combinations(range(len(table.axes)), size):
            candidate = blank.copy()
            found = single & (entry < 0)
            for i in subset:
                candidate += (codes[i] - table.axes[i].size) * table.axes[i].stride
                found &= known[i]
            found &= outcome_sets[candidate] == outcome_sets
            entry[found] = candidate[found]
    # A rule holds at an entry when it holds whatever its unknown answers: "unknown" is the
    # conjunction over the axis's answers.
    holds = table.hits
    for axis in range(1, holds.ndim):
        holds = np.concatenate([holds, holds.all(axis=axis, keepdims=True)], axis=axis)
    holds = holds.reshape(len(table.rules), -1)
    possible = np.where(entry >= 0, rule_sets[np.maximum(entry, 0)] & rule_sets, 0)
    rule = np.full(count, -1, dtype=np.int64)
    for j in reversed(range(len(table.rules))):  # the first such rule in the rule set's order wins
        rule = np.where(((possible >> j) & 1).astype(bool) & holds[j], j, rule)
    return entry, rule


def _source(is_system: bool, overridable: bool) -> int:
    return SYSTEM if is_system else (PHASE_THEN_SYSTEM if overridable else PHASE)


def answers_at(table: PhaseTable, flat: int) -> tuple[dict[str, str], dict[str, str]]:
    """The (system, phase) answers of a table entry, as the scalar engine takes them (an
    overridable question's answer is given as the phase's own)."""
    system: dict[str, str] = {}
    phase: dict[str, str] = {}
    for axis in table.axes:
        (system if axis.is_system else phase)[axis.id] = table.answer_at(flat, axis)
    return system, phase


def _representative(table: PhaseTable, flat: int) -> PhaseResult:
    system, phase = answers_at(table, flat)
    return evaluate_phase(table, system, phase, name="", deployment_index=None)


def _widening(table: PhaseTable) -> tuple[tuple[int, np.dtype[Any]], ...]:
    """For each axis in order, the narrowest unsigned type that holds the index up to it."""
    plan = []
    product = 1
    for axis in table.axes:
        product *= axis.size + 1
        dtype = next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if product <= np.iinfo(t).max + 1)
        plan.append((axis.position, np.dtype(dtype)))
    return tuple(plan)
