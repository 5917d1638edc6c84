"""Inventories written for descriptor format 1: their answers mapped to format 2, guesses noted.

The mapping is :mod:`airegime.upgrade`'s own (the one descriptors go through). A phase reads a
handful of old questions with a handful of answers each, so its old answer space is small (about
100,000 combinations for development, 1,000 for deployment): each row's old codes are packed
into one integer, its index in that space, and a table over the space gives the new codes and
the notes. The table is filled lazily, once per combination met (one call of the upgrade's
mapping each), and kept for the process: a million rows cost a few vectorised passes.

Where the mapping is a guess, the row gets the note in its ``notes`` column, under the name of
the format-2 column it concerns (``development.organisation_kind: …``); nothing is silent.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from airegime.batch.columns import canonical_name
from airegime.kb.models import UNKNOWN, KnowledgeBase, Phase, Question
from airegime.upgrade import UpgradeNote, format1_questions, upgrade_phase

U8Array = npt.NDArray[np.uint8]
PHASES: tuple[Phase, ...] = ("development", "deployment")
SYSTEM_QUESTION = "household"  # the one format-1 question asked for the system; every phase reads it


@dataclass(frozen=True)
class Upgraded:
    """A chunk's answers as format-2 codes, and the notes of each row."""

    codes: dict[str, U8Array]  # format-2 column name ("development.organisation_kind") to codes
    note_ids: dict[Phase, npt.NDArray[np.uint32]]  # per phase, each row's set of notes (0: none)
    note_sets: dict[Phase, list[tuple[UpgradeNote, ...]]]  # per phase, the sets of notes by id


@lru_cache(maxsize=2)
def _old_axes(phase: Phase) -> tuple[tuple[str, Question], ...]:
    """The format-1 columns a phase reads: the system's household, then the phase's own questions."""
    questions = format1_questions()
    own = tuple((canonical_name(phase, q.id), q) for q in questions.values() if phase in q.scope)
    return (canonical_name("system", SYSTEM_QUESTION), questions[SYSTEM_QUESTION]), *own


@dataclass
class _PhaseMapping:
    """One phase's mapping over its whole old answer space, filled as combinations are met."""

    phase: Phase
    targets: tuple[Question, ...]  # the format-2 questions of the phase, in KB order
    sizes: tuple[int, ...]  # per old axis: its answers + unknown
    codes: npt.NDArray[np.uint8]  # (targets, space): new code of each target
    notes: npt.NDArray[np.uint32]  # (space,): note-set id
    filled: npt.NDArray[np.bool_]  # (space,)
    note_sets: list[tuple[UpgradeNote, ...]] = field(default_factory=lambda: [()])
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fill(self, keys: npt.NDArray[np.int64]) -> None:
        """Map every combination in ``keys`` not mapped yet."""
        met = np.zeros(len(self.filled), dtype=bool)
        met[keys] = True
        missing = np.flatnonzero(met & ~self.filled)
        if not len(missing):
            return
        with self.lock:
            missing = missing[~self.filled[missing]]
            digits = np.empty((len(missing), len(self.sizes)), dtype=np.int64)
            rest = missing.copy()
            for position in range(len(self.sizes) - 1, -1, -1):
                rest, digits[:, position] = np.divmod(rest, self.sizes[position])
            axes = _old_axes(self.phase)
            words = [(q.id, (*q.codes, UNKNOWN)) for _, q in axes]
            index_of = [{code: i for i, code in enumerate(q.codes)} for q in self.targets]
            set_ids = {notes: i for i, notes in enumerate(self.note_sets)}
            new_codes = []
            note_ids = []
            for combination in digits.tolist():
                old = {question: answers[code] for (question, answers), code in zip(words, combination, strict=True)}
                household = old.pop(SYSTEM_QUESTION)
                found: list[UpgradeNote] = []
                answers = upgrade_phase(old, household, self.phase, self.phase == "development", found)
                new_codes.append(
                    [
                        codes.get(answers.get(q.id, UNKNOWN), len(codes))
                        for q, codes in zip(self.targets, index_of, strict=True)
                    ]
                )
                notes = tuple(found)
                if notes not in set_ids:
                    set_ids[notes] = len(self.note_sets)
                    self.note_sets.append(notes)
                note_ids.append(set_ids[notes])
            self.codes[:, missing] = np.array(new_codes, dtype=np.uint8).reshape(len(missing), len(self.targets)).T
            self.notes[missing] = note_ids
            self.filled[missing] = True


_mappings: dict[tuple[str, Phase], _PhaseMapping] = {}
_mappings_lock = threading.Lock()


def _mapping(kb: KnowledgeBase, phase: Phase) -> _PhaseMapping:
    key = (kb.hash, phase)
    with _mappings_lock:
        found = _mappings.get(key)
        if found is None:
            sizes = tuple(len(q.codes) + 1 for _, q in _old_axes(phase))
            space = int(np.prod(sizes))
            targets = tuple(q for q in kb.questions if phase in q.scope)
            found = _mappings[key] = _PhaseMapping(
                phase,
                targets,
                sizes,
                np.zeros((len(targets), space), dtype=np.uint8),
                np.zeros(space, dtype=np.uint32),
                np.zeros(space, dtype=bool),
            )
        return found


def upgrade_codes(kb: KnowledgeBase, codes: Mapping[str, U8Array], rows: int) -> Upgraded:
    """Map the format-1 answer codes of a chunk (column name to codes, a missing column is all
    unknown) to format-2 codes, with the notes of every row."""
    new: dict[str, U8Array] = {}
    note_ids: dict[Phase, npt.NDArray[np.uint32]] = {}
    note_sets: dict[Phase, list[tuple[UpgradeNote, ...]]] = {}
    for phase in PHASES:
        mapping = _mapping(kb, phase)
        keys = np.zeros(rows, dtype=np.int64)
        for (name, _), size in zip(_old_axes(phase), mapping.sizes, strict=True):
            column = codes.get(name)  # one integer per row: the old codes in mixed radix
            keys *= size
            keys += column if column is not None else size - 1
        mapping.fill(keys)
        for position, question in enumerate(mapping.targets):
            new[canonical_name(phase, question.id)] = mapping.codes[position][keys]
        note_ids[phase] = mapping.notes[keys]
        note_sets[phase] = list(mapping.note_sets)
    return Upgraded(new, note_ids, note_sets)
