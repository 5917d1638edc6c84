"""The batch evaluator equals the scalar engine on every entry of both decision tables, and reads
an overridable question (the phase's answer, else the system's) as the scalar engine does."""

from __future__ import annotations

import multiprocessing
import os
import threading
import warnings

import numpy as np
import pytest

from airegime.batch.assess import result_texts
from airegime.batch.compiled import (
    BLOCK_ROWS,
    OUTCOME_MASK,
    STATUSES,
    UNDETERMINED,
    BatchProgram,
    PhaseProgram,
    answers_at,
    batch_program,
    prepare_batch_program,
    verdict_outcome,
    verdict_status,
)
from airegime.engine.evaluate import evaluate_phase
from airegime.kb import KnowledgeBase
from airegime.kb.models import UNKNOWN, Phase


@pytest.fixture(scope="module")
def program(kb: KnowledgeBase) -> BatchProgram:
    return batch_program(kb)


def every_entry_codes(phase: PhaseProgram) -> list[np.ndarray]:
    """Each axis's answer code at every flat index of the table, "unknown" included."""
    flat = np.arange(len(phase.verdict_of_index))
    return [((flat // axis.stride) % (axis.size + 1)).astype(np.uint8) for axis in phase.table.axes]


@pytest.mark.parametrize("phase_name", ["development", "deployment"])
def test_flat_index_from_columns_is_the_tables_own_index(program: BatchProgram, phase_name: Phase) -> None:
    phase = program.phase(phase_name)
    codes = every_entry_codes(phase)
    flat = phase.flat_index(codes)
    assert np.array_equal(flat, np.arange(len(phase.verdict_of_index)))
    for probe in (0, 1, 7, len(flat) // 3, len(flat) - 1):
        system, answers = answers_at(phase.table, probe)
        assert phase.table.index(system, answers) == probe


@pytest.mark.slow
@pytest.mark.parametrize("phase_name", ["development", "deployment"])
def test_every_combination_matches_the_scalar_engine(
    program: BatchProgram, kb: KnowledgeBase, phase_name: Phase
) -> None:
    phase = program.phase(phase_name)
    codes = every_entry_codes(phase)
    verdicts = phase.verdicts(codes)
    result_ids = phase.result_ids(codes)
    outcome_ids = [o.id for o in kb.outcomes]
    mismatches = []
    for flat in range(len(verdicts)):
        system, answers = answers_at(phase.table, flat)
        expected = evaluate_phase(phase.table, system, answers, name="", deployment_index=None)
        rendered = phase.result(int(result_ids[flat]))
        outcome_code = int(verdict_outcome(verdicts[flat : flat + 1])[0])
        got_outcome = None if outcome_code == UNDETERMINED else outcome_ids[outcome_code]
        got_status = STATUSES[int(verdict_status(verdicts[flat : flat + 1])[0])]
        same = (
            got_outcome == expected.outcome
            and got_status == expected.status
            and rendered.possible == expected.possible
            and rendered.rules == expected.rules
            and rendered.questions == expected.questions
            and rendered.sources == expected.sources
            and [d.question for d in rendered.depends_on] == [d.question for d in expected.depends_on]
            and rendered.unanswered == expected.unanswered
            and all(
                result_texts(kb, rendered, phase_name, lang) == result_texts(kb, expected, phase_name, lang)
                for lang in ("fr", "en")
            )
        )
        if not same:
            mismatches.append((flat, system, answers))
    assert mismatches == []
    assert len(verdicts) == len(phase.table.outcome_sets)  # every entry was visited


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_rows_over_several_blocks_and_threads_give_the_same_verdicts(program: BatchProgram, threads: int) -> None:
    phase = program.development
    rng = np.random.default_rng(5)
    rows = BLOCK_ROWS * 2 + 17  # three parts of unequal blocks at three threads, two blocks and a bit at one
    codes = [rng.integers(0, axis.size + 1, rows, dtype=np.uint8) for axis in phase.table.axes]
    expected = phase.verdict_of_index[phase.flat_index(codes)]
    assert np.array_equal(phase.verdicts(codes, threads=threads), expected)
    assert np.array_equal(phase.result_ids(codes, threads=threads), phase.result_of_index[phase.flat_index(codes)])


def test_no_rows_give_no_verdicts(program: BatchProgram) -> None:
    codes = [np.empty(0, dtype=np.uint8) for _ in program.development.table.axes]
    assert program.development.verdicts(codes).shape == (0,)


def _verdicts_in_a_forked_child(phase: PhaseProgram, codes: list[np.ndarray], expected: np.ndarray) -> None:
    os._exit(0 if np.array_equal(phase.verdicts(codes, threads=2), expected) else 1)


def test_a_forked_child_evaluates_on_threads_of_its_own(program: BatchProgram) -> None:
    """The parent's evaluator threads do not exist in a forked child (a server's worker): the child
    starts its own rather than waiting forever on the parent's."""
    phase = program.development
    rng = np.random.default_rng(7)
    codes = [rng.integers(0, axis.size + 1, BLOCK_ROWS + 5, dtype=np.uint8) for axis in phase.table.axes]
    expected = phase.verdicts(codes, threads=2)  # the parent's threads are started
    child = multiprocessing.get_context("fork").Process(
        target=_verdicts_in_a_forked_child, args=(phase, codes, expected)
    )
    with warnings.catch_warnings():  # Python 3.12+ warns of exactly this: a fork after threads started
        warnings.simplefilter("ignore", DeprecationWarning)
        child.start()
    child.join(timeout=60)
    if child.exitcode is None:
        child.kill()
    assert child.exitcode == 0


def test_the_program_is_built_once_per_rule_set(kb: KnowledgeBase, program: BatchProgram) -> None:
    assert batch_program(kb) is program


def test_preparing_a_built_program_starts_no_thread(kb: KnowledgeBase, program: BatchProgram) -> None:
    before = threading.active_count()
    prepare_batch_program(kb)
    assert batch_program.is_built(kb) and threading.active_count() == before


@pytest.mark.parametrize("phase_name", ["development", "deployment"])
def test_an_overridable_question_reads_the_phase_then_the_system(program: BatchProgram, phase_name: Phase) -> None:
    """Random answer columns for the system and the phase: the index of each row is the one
    ``PhaseTable.index`` computes from the row's answers (a phase's blank = no answer of its own)."""
    phase = program.phase(phase_name)
    overridable = [axis for axis in phase.table.axes if axis.question.overridable]
    assert [axis.id for axis in overridable] == ["establishment"]
    rng = np.random.default_rng(11)
    rows = 2_000
    system = {axis.id: rng.integers(0, axis.size + 1, rows, dtype=np.uint8) for axis in phase.table.axes}
    own = {axis.id: rng.integers(0, axis.size + 1, rows, dtype=np.uint8) for axis in phase.table.axes}
    flat = phase.flat_index(phase.axis_codes(system, own, rows))

    def answer(axis_index: int, code: int) -> str:
        axis = phase.table.axes[axis_index]
        return UNKNOWN if code == axis.size else axis.question.codes[code]

    for row in range(rows):
        system_answers, phase_answers = {}, {}
        for i, axis in enumerate(phase.table.axes):
            if axis.is_system or axis.question.overridable:
                system_answers[axis.id] = answer(i, int(system[axis.id][row]))
            if not axis.is_system and own[axis.id][row] != axis.size:  # a blank phase cell gives nothing
                phase_answers[axis.id] = answer(i, int(own[axis.id][row]))
        assert flat[row] == phase.table.index(system_answers, phase_answers), row
    establishment = overridable[0]
    merged = phase.axis_codes(system, own, rows)[establishment.position]
    given = own["establishment"] < establishment.size
    assert np.array_equal(merged[given], own["establishment"][given])
    assert np.array_equal(merged[~given], system["establishment"][~given])
    assert given.any() and (~given).any()


def test_a_missing_column_is_all_unknown(program: BatchProgram) -> None:
    phase = program.deployment
    codes = phase.axis_codes({}, {}, 5)
    assert [list(c) for c in codes] == [[axis.size] * 5 for axis in phase.table.axes]


def test_every_outcome_fits_the_verdict_byte(program: BatchProgram, kb: KnowledgeBase) -> None:
    assert len(kb.outcomes) < UNDETERMINED
    for phase in (program.development, program.deployment):
        outcomes = {int(code) for code in verdict_outcome(phase.verdict_of_index)}
        assert outcomes <= {*range(len(kb.outcomes)), UNDETERMINED}
        assert int(OUTCOME_MASK) == UNDETERMINED
        split = [i for i, o in enumerate(kb.outcomes) if o.kind == "split"]
        assert outcomes & set(split)  # the split outcomes are reachable and encoded
