"""Inventories written for descriptor format 1: their answers mapped to format 2, guesses noted.

The mapping is :mod:`airegime.upgrade`'s own (the one descriptors go through), applied once per
distinct combination of a phase's old answers in a chunk, then spread to every row: the rows'
old codes are packed into one integer per row and ``np.unique`` finds the combinations, so a
million rows cost a few vectorised passes and one mapping call per distinct combination.

Where the mapping is a guess, the row gets the note in its ``notes`` column, under the name of
the format-2 column it concerns (``development.organisation_kind: …``); nothing is silent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from airegime.batch.columns import canonical_name
from airegime.kb.models import UNKNOWN, KnowledgeBase, Lang, Phase, Question
from airegime.upgrade import UpgradeNote, _phase, format1_questions

U8Array = npt.NDArray[np.uint8]
PHASES: tuple[Phase, ...] = ("development", "deployment")
SYSTEM_QUESTION = "household"  # the one format-1 question asked for the system; every phase reads it


@dataclass(frozen=True)
class Upgraded:
    """A chunk's answers as format-2 codes, and the notes of each row."""

    codes: dict[str, U8Array]  # format-2 column name ("development.organisation_kind") to codes
    note_ids: dict[Phase, npt.NDArray[np.uint32]]  # per phase, each row's set of notes (0: none)
    note_sets: dict[Phase, list[tuple[UpgradeNote, ...]]]  # per phase, the sets of notes by id

    def note_texts(self, phase: Phase, lang: Lang) -> list[str | None]:
        """The text of each note set of a phase (None for no note), one per note id."""
        return [
            "; ".join(f"{note.location}: {note.text.get(lang)}" for note in notes) if notes else None
            for notes in self.note_sets[phase]
        ]


@lru_cache(maxsize=2)
def _old_axes(phase: Phase) -> tuple[tuple[str, Question], ...]:
    """The format-1 columns a phase reads: the system's household, then the phase's own questions."""
    questions = format1_questions()
    own = tuple((canonical_name(phase, q.id), q) for q in questions.values() if phase in q.scope)
    return (canonical_name("system", SYSTEM_QUESTION), questions[SYSTEM_QUESTION]), *own


def upgrade_codes(kb: KnowledgeBase, codes: Mapping[str, U8Array], rows: int) -> Upgraded:
    """Map the format-1 answer codes of a chunk (column name to codes, a missing column is all
    unknown) to format-2 codes, with the notes of every row."""
    new: dict[str, U8Array] = {}
    note_ids: dict[Phase, npt.NDArray[np.uint32]] = {}
    note_sets: dict[Phase, list[tuple[UpgradeNote, ...]]] = {}
    for phase in PHASES:
        axes = _old_axes(phase)
        key = np.zeros(rows, dtype=np.int64)
        for name, question in axes:  # one integer per row: the old codes in mixed radix
            unknown = len(question.codes)
            column = codes.get(name)
            key *= unknown + 1
            key += column if column is not None else unknown
        distinct, inverse = np.unique(key, return_inverse=True)
        inverse = inverse.reshape(-1)
        targets = [q for q in kb.questions if phase in q.scope]
        index_of = [{code: i for i, code in enumerate(q.codes)} for q in targets]
        sizes = tuple(len(question.codes) + 1 for _, question in axes)
        sets: dict[tuple[UpgradeNote, ...], int] = {(): 0}
        rows_of_codes: list[list[int]] = []
        set_of: list[int] = []
        for packed in distinct.tolist():
            answers, notes = _mapped(phase, _unpacked(packed, sizes))
            rows_of_codes.append(
                [found.get(answers.get(q.id, UNKNOWN), len(found)) for q, found in zip(targets, index_of, strict=True)]
            )
            set_of.append(sets.setdefault(notes, len(sets)))
        mapped = np.array(rows_of_codes, dtype=np.uint8).reshape(len(distinct), len(targets))
        for position, question in enumerate(targets):
            new[canonical_name(phase, question.id)] = mapped[:, position][inverse]
        note_ids[phase] = np.array(set_of, dtype=np.uint32)[inverse]
        note_sets[phase] = list(sets)
    return Upgraded(new, note_ids, note_sets)


def _unpacked(packed: int, sizes: tuple[int, ...]) -> tuple[int, ...]:
    found = []
    for size in reversed(sizes):
        packed, code = divmod(packed, size)
        found.append(code)
    return tuple(reversed(found))


@lru_cache(maxsize=1 << 17)  # the same combinations recur in every chunk of a file
def _mapped(phase: Phase, old_codes: tuple[int, ...]) -> tuple[dict[str, str], tuple[UpgradeNote, ...]]:
    """The format-2 answers of a phase, and the notes, for one combination of old codes.

    ``airegime.upgrade``'s mapping of one phase; a missing answer and "unknown" read alike there.
    """
    axes = _old_axes(phase)
    old = {
        question.id: question.codes[code] if code < len(question.codes) else UNKNOWN
        for (_, question), code in zip(axes, old_codes, strict=True)
    }
    household = old.pop(SYSTEM_QUESTION)
    notes: list[UpgradeNote] = []
    answers = _phase(old, household, phase, phase == "development", notes)
    return answers, tuple(notes)
