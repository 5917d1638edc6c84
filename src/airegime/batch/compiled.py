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

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import combinations, pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from airegime.engine.evaluate import evaluate_phase
from airegime.engine.results import PhaseResult
from airegime.engine.tables import PHASE, PHASE_THEN_SYSTEM, SYSTEM, PhaseTable, compiled
from airegime.kb.models import KnowledgeBase, Phase, per_rule_set

U8Array = npt.NDArray[np.uint8]
IndexArray = npt.NDArray[Any]  # the narrowest unsigned type holding every entry of the table
ResultIds = npt.NDArray[Any]  # uint16, or uint32 for a rule set with 65,535 results or more in a phase

STATUSES = ("determined", "case_by_case", "undetermined")
UNDETERMINED = 31  # outcome bits of the verdict byte when no single outcome is reachable
STATUS_SHIFT = 5
OUTCOME_MASK = np.uint8((1 << STATUS_SHIFT) - 1)
# Rows per numpy call. A block's index (2 bytes a row) and scratch digits stay in the processor's L2
# cache, and each call does enough work that handing the interpreter between threads costs little:
# on the 2-core machine of docs/batch.md's runs 19 to 21, 1M rows on two threads ran 1.04 times as
# fast as on one with blocks of 65,536 rows, 1.5 times with 262,144 (one thread: the same with both).
BLOCK_ROWS = 1 << 18
DIGIT_LIMIT = 256  # the most answer combinations one digit (one byte) holds


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
    digits: tuple[Digit, ...]  # consecutive axes whose codes combine into one byte, in axis order
    index_type: np.dtype[Any]  # the narrowest unsigned type holding every flat index
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
        """The table entry of each row; ``codes`` has one uint8 column per axis, in axis order."""
        rows = len(codes[0])
        index = np.empty(rows, dtype=self.index_type)
        self._index_into(index, codes, np.empty(rows, dtype=np.uint8))
        return index

    def _index_into(self, index: IndexArray, codes: Sequence[U8Array], scratch: U8Array) -> None:
        """Horner's scheme (flat = (c0 * n1 + c1) * n2 + c2 ...) in two stages, most steps on one byte
        a row: each digit's axes combine into ``scratch``, then the digits into ``index``."""
        for position, digit in enumerate(self.digits):
            value = codes[digit.axes[0]]
            for axis, size in zip(digit.axes[1:], digit.sizes[1:], strict=True):
                value = np.multiply(value, size, out=scratch)
                value += codes[axis]
            if position == 0:
                np.copyto(index, value)
            else:
                index *= self.index_type.type(digit.span)
                index += value

    def verdicts(self, codes: Sequence[U8Array], *, threads: int | None = None) -> U8Array:
        """Outcome and status of each row, as verdict bytes."""
        return self.gather(self.verdict_of_index, codes, threads=threads)

    def gather(
        self, per_entry: npt.NDArray[Any], codes: Sequence[U8Array], *, threads: int | None = None
    ) -> npt.NDArray[Any]:
        """Look up a value per table entry (``verdict_of_index``, ``result_of_index`` or a table
        derived from them) for each row.

        The rows go in parts on several threads (``in_parts``): numpy gives the interpreter back while
        it computes, so the parts run side by side. Each part goes by blocks, each block's lookup
        written in place into the result. Every code is at most its axis's "unknown", so
        every index is in the table and the lookup skips the bounds check (``mode="clip"``)."""
        rows = len(codes[0]) if codes else 0
        out = np.empty(rows, dtype=per_entry.dtype)
        in_parts(rows, partial(self._gather_part, per_entry, codes, out), threads=threads)
        return out

    def _gather_part(
        self, per_entry: npt.NDArray[Any], codes: Sequence[U8Array], out: npt.NDArray[Any], start: int, end: int
    ) -> None:
        block = max(1, min(BLOCK_ROWS, end - start))  # 1 for an empty part: range() takes no step of 0
        index = np.empty(block, dtype=self.index_type)
        scratch = np.empty(block, dtype=np.uint8)
        for low in range(start, end, block):
            high = min(low + block, end)
            rows = high - low
            self._index_into(index[:rows], [column[low:high] for column in codes], scratch[:rows])
            np.take(per_entry, index[:rows], out=out[low:high], mode="clip")

    def result_ids(self, codes: Sequence[U8Array], *, threads: int | None = None) -> ResultIds:
        return self.gather(self.result_of_index, codes, threads=threads)


@dataclass(frozen=True)
class Digit:
    """Consecutive axes of a table whose codes, combined by Horner's scheme, fit in one byte."""

    axes: tuple[int, ...]  # positions
    sizes: tuple[np.uint8, ...]  # each axis's number of codes ("unknown" included)

    @property
    def span(self) -> int:
        """The number of values the digit takes."""
        return int(np.prod([int(size) for size in self.sizes]))


def in_parts(rows: int, work: Callable[[int, int], None], *, threads: int | None = None) -> None:
    """Run ``work(start, end)`` over rows 0 to ``rows``, cut into contiguous parts: one per thread
    (``threads``, by default the processors this process may use), at most one per ``BLOCK_ROWS``.
    The calling thread runs the first part, the evaluator's threads the others."""
    parts = max(1, min(threads or usable_processors(), -(-rows // BLOCK_ROWS)))
    first, *rest = pairwise(rows * part // parts for part in range(parts + 1))
    others = [_workers().submit(work, start, end) for start, end in rest]
    work(*first)
    for other in others:
        other.result()


def usable_processors() -> int:
    """The processors this process may run on (its CPU affinity where the system reports it)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


@cache
def _workers() -> ThreadPoolExecutor:
    """The threads the evaluator's parts beyond the first run on, started on first use."""
    return ThreadPoolExecutor(max(1, usable_processors() - 1), thread_name_prefix="airegime-evaluator")


if hasattr(os, "register_at_fork"):  # a forked child has none of its parent's threads: it starts its own
    os.register_at_fork(after_in_child=_workers.cache_clear)


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
        digits=_digits(table),
        index_type=_narrowest(len(outcome_sets)),
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


def _digits(table: PhaseTable) -> tuple[Digit, ...]:
    """The table's axes in order, cut into digits: each takes the next axes while their
    combinations fit in a byte."""
    groups: list[list[int]] = [[]]
    span = 1
    for axis in table.axes:
        if span * (axis.size + 1) > DIGIT_LIMIT:
            groups.append([])
            span = 1
        groups[-1].append(axis.position)
        span *= axis.size + 1
    return tuple(Digit(tuple(group), tuple(np.uint8(table.axes[axis].size + 1) for axis in group)) for group in groups)


def _narrowest(count: int) -> np.dtype[Any]:
    """The narrowest unsigned type whose values reach ``count - 1``."""
    return np.dtype(next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if count <= np.iinfo(t).max + 1))
