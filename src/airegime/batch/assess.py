"""Assessing one chunk of an inventory: answer columns in, result columns out.

A chunk holds whole systems (the reader keeps a system's rows together). System-level and
development answers are read per system: a cell may repeat the answer on every row of the
system or give it on one row only, the other rows left blank. Rows of one system that give
two different answers to the same system-level or development question are invalid.

A question asked for the system that a phase may override (``establishment``) reads the
phase's column where it holds an answer, else the system's. An inventory of format 1 (old
columns) is mapped to format 2 after the per-system reading (``airegime.batch.format1``); each
row's ``notes`` column then gives the guesses that mapping made.

An invalid cell leaves unassessed only the phases that read it: a deployment cell, that row's
deployment; a development cell, the development of every row of its system (the answer is the
system's); a system-level cell or a blank ``system_id``, both phases. Those phases read
``INVALID_KEY`` in ``…_outcome``; the row's ``errors`` column says why, in words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import polars as pl

from airegime.batch.columns import SCOPE_WORDS, AnswerColumn, Layout, column_label, encode_columns
from airegime.batch.compiled import BatchProgram, ResultIds
from airegime.batch.format1 import Upgraded, upgrade_codes
from airegime.batch.io import ROW_INDEX
from airegime.cells import is_formula
from airegime.engine.results import PhaseResult
from airegime.i18n import translate
from airegime.kb.models import KnowledgeBase, Lang, Phase, Scope
from airegime.render.summary import colon, outcome_label, semicolon, short_reason, status_label
from airegime.upgrade import UpgradeNote

PHASES: tuple[Phase, ...] = ("development", "deployment")
RESULT_FIELDS = ("regime", "outcome", "status", "questions", "reason", "sources")
ERRORS_COLUMN = "errors"
NOTES_COLUMN = "notes"  # how old (format-1) answers were read, where that is a guess
MAX_REPORTED_ERRORS = 1000  # invalid cells kept in memory for the report; the rest are counted
UNDETERMINED_KEY = "undetermined"
INVALID_KEY = "invalid"  # …_outcome of a phase left unassessed by an invalid cell it reads


def result_columns() -> list[str]:
    return [f"{phase}_{name}" for phase in PHASES for name in RESULT_FIELDS] + [ERRORS_COLUMN, NOTES_COLUMN]


@dataclass(frozen=True)
class CellError:
    row: int  # as numbered in the file: header = row 1 in CSV/Excel, first record = row 1 otherwise
    column: str  # the header as written in the file
    value: str  # the cell as typed
    expected: str  # what it may hold, in words (the answers' labels)
    phases: tuple[Phase, ...] = PHASES  # the phases it leaves unassessed
    message: str = ""  # the whole sentence, as in the row's errors column


@dataclass
class Summary:
    """Counts over the whole inventory: development per system, deployment per row."""

    rows: int = 0
    systems: int = 0
    invalid_rows: int = 0  # rows where at least one phase is left unassessed by an invalid cell
    # Phases left unassessed by an invalid cell (development per system, deployment per row);
    # they are in no other count.
    invalid: Counter[Phase] = field(default_factory=Counter)
    outcomes: dict[Phase, Counter[str]] = field(default_factory=lambda: {p: Counter() for p in PHASES})
    statuses: dict[Phase, Counter[str]] = field(default_factory=lambda: {p: Counter() for p in PHASES})
    # Phases under each regime, wholly or for some of their purposes: a split outcome counts
    # under each of its regimes, an outcome that is not a regime (not applicable, case by case) under none.
    regimes: dict[Phase, Counter[str]] = field(default_factory=lambda: {p: Counter() for p in PHASES})
    # Format-1 inventories: the rows that carry each note (a guess in reading an old answer).
    notes: Counter[UpgradeNote] = field(default_factory=Counter)
    noted_rows: int = 0

    def add(self, other: Summary) -> None:
        self.rows += other.rows
        self.systems += other.systems
        self.invalid_rows += other.invalid_rows
        self.invalid.update(other.invalid)
        self.noted_rows += other.noted_rows
        self.notes.update(other.notes)
        for phase in PHASES:
            self.outcomes[phase].update(other.outcomes[phase])
            self.statuses[phase].update(other.statuses[phase])
            self.regimes[phase].update(other.regimes[phase])


@dataclass
class ChunkResult:
    table: pl.DataFrame
    trusted: frozenset[str]  # columns holding only airegime's words: no formula can hide there
    summary: Summary
    errors: list[CellError]
    error_count: int


@dataclass
class _Problems:
    """The invalid cells of a chunk: which phases of which rows they leave unassessed, the first
    ones in detail, a text per row."""

    frame: pl.DataFrame
    numbers: npt.NDArray[np.generic]  # row numbers in the file
    lang: Lang
    invalid: dict[Phase, npt.NDArray[np.bool_]] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    count: int = 0
    # The rows' messages, built for the rows concerned only (a message lists every allowed label:
    # built for all rows, a million of them would take a gigabyte).
    texts: list[pl.DataFrame] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.invalid = {phase: np.zeros(self.frame.height, dtype=bool) for phase in PHASES}

    def add(
        self,
        column: str,
        bad: npt.NDArray[np.bool_],
        phases: tuple[Phase, ...],
        key: str,
        *,
        system_column: bool = True,
        **words: str,
    ) -> None:
        """Cells of ``column`` where ``bad``: message ``key`` (with {column}, {value} and ``words``)."""
        if not bad.any():
            return
        for phase in phases:
            self.invalid[phase] |= bad
        self.count += int(bad.sum())
        before, after = _around_value(translate(key, self.lang, column=column, value=_MARK, **words))
        after += " " + _consequence(phases, system_column, self.lang)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        if room > 0:
            positions = np.flatnonzero(bad)[:room]
            values = self.frame.get_column(column).cast(pl.String).gather(positions).to_list()
            expected = words.get("allowed") or words.get("expected", "")
            self.errors.extend(
                CellError(int(self.numbers[p]), column, v or "", expected, phases, f"{before}{v or ''}{after}")
                for p, v in zip(positions, values, strict=True)
            )
        self._texts(bad, before, self.frame.get_column(column).cast(pl.String).fill_null(""), after)

    def spread(self, column: AnswerColumn, bad: npt.NDArray[np.bool_], system_ids: pl.Series) -> None:
        """An invalid system-level or development cell is the system's answer: its phases are left
        unassessed on the system's other rows too, which say on which row the cell is."""
        found = pl.DataFrame({"s": system_ids, "row": self.numbers, "bad": bad})
        first = found.filter("bad").group_by("s").agg(pl.col("row").min().alias("first"))
        rows = found.join(first, on="s", how="left", maintain_order="left", nulls_equal=True).get_column("first")
        others = rows.is_not_null().to_numpy() & ~bad
        if not others.any():
            return
        for phase in column.phases:
            self.invalid[phase] |= others
        before, after = _around_value(translate("cell.elsewhere", self.lang, column=column.name, row=_MARK))
        after += " " + _consequence(column.phases, True, self.lang)
        self._texts(others, before, rows.cast(pl.String), after)

    def _texts(self, where: npt.NDArray[np.bool_], before: str, values: pl.Series, after: str) -> None:
        positions = np.flatnonzero(where)
        texts = pl.select(pl.concat_str(pl.lit(before), pl.lit(values.gather(positions)), pl.lit(after))).to_series()
        self.texts.append(pl.DataFrame({"position": positions, "text": texts}))

    @property
    def rows(self) -> npt.NDArray[np.bool_]:
        """Rows where at least one phase is left unassessed."""
        return self.invalid["development"] | self.invalid["deployment"]

    def column(self) -> pl.Series:
        """Each row's messages, in the order found, joined by " | "; null on valid rows."""
        column = pl.repeat(None, self.frame.height, dtype=pl.String, eager=True).alias(ERRORS_COLUMN)
        if not self.texts:
            return column
        found = pl.concat(self.texts).group_by("position", maintain_order=True).agg(pl.col("text").str.join(" | "))
        return column.scatter(found.get_column("position"), found.get_column("text"))


_MARK = "\x00value\x00"  # where the cell's text goes in a message


def _around_value(message: str) -> tuple[str, str]:
    """The words before and after the cell's text in a message: the cell is joined to them per row
    by polars, never formatted into a template (braces in it stay as typed)."""
    before, _, after = message.rpartition(_MARK)
    return before, after


def _consequence(phases: tuple[Phase, ...], system_column: bool, lang: Lang) -> str:
    """What a cell leaves unassessed, in words."""
    if len(phases) == 1:
        return translate(f"invalid.{phases[0]}", lang)
    return translate("invalid.system" if system_column else "invalid.both", lang)


def assess_chunk(program: BatchProgram, layout: Layout, frame: pl.DataFrame, *, lang: Lang) -> ChunkResult:
    """Results for every row of ``frame`` (whole systems, rows numbered in its ``ROW_INDEX`` column)."""
    system_ids = frame.get_column(layout.system_id).cast(pl.String).str.strip_chars()
    problems = _Problems(frame, frame.get_column(ROW_INDEX).to_numpy(), lang)
    blank = (system_ids.is_null() | (system_ids == "")).to_numpy()
    problems.add(
        layout.system_id, blank, PHASES, "cell.blank_id", system_column=False, expected=translate("blank_id", lang)
    )
    codes: dict[str, npt.NDArray[np.uint8]] = {}
    untrusted = set()
    for column, encoded in zip(layout.answers, encode_columns(layout.answers, frame, lang), strict=True):
        if encoded.invalid.any():
            untrusted.add(column.name)
            problems.add(column.name, encoded.invalid, column.phases, "cell.invalid", allowed=encoded.expected)
            if column.scope != "deployment":
                problems.spread(column, encoded.invalid, system_ids)
        codes[column.canonical] = encoded.codes
    runs = _system_runs(system_ids)
    for column, conflicted in _resolve_per_system(layout, system_ids, runs, codes):
        problems.add(column.name, conflicted, column.phases, "cell.conflict", expected=translate("conflict", lang))
    summary = Summary(rows=frame.height, invalid_rows=int(problems.rows.sum()))
    notes: pl.Series | pl.Expr = pl.lit(None, dtype=pl.String).alias(NOTES_COLUMN)
    if layout.format == 1:
        upgraded = upgrade_codes(program.kb, codes, frame.height)
        codes = upgraded.codes
        notes = _notes_column(program.kb, upgraded, summary, lang)
    results: dict[str, pl.Series] = {}
    for phase in PHASES:
        phase_program = program.phase(phase)
        axis_codes = phase_program.axis_codes(_scoped(codes, "system"), _scoped(codes, phase), frame.height)
        ids = phase_program.result_ids(axis_codes)
        ids[problems.invalid[phase]] = phase_program.result_count  # no result: "not assessed"
        results.update(_result_columns(program, phase, lang, ids))
        _count(summary, program, phase, ids, system_ids, runs)
    table = frame.with_columns(*results.values(), problems.column(), notes)
    trusted = frozenset(results) | {NOTES_COLUMN} | {c.name for c in layout.answers} - untrusted
    return ChunkResult(table, trusted, summary, problems.errors, problems.count)


def _result_columns(program: BatchProgram, phase: Phase, lang: Lang, ids: ResultIds) -> dict[str, pl.Series]:
    """A phase's result fields for each row: texts built once per result present in the chunk."""
    count = program.phase(phase).result_count
    present = np.flatnonzero(np.bincount(ids, minlength=count + 1))
    local = np.zeros(count + 1, dtype=np.uint32)
    local[present] = np.arange(len(present), dtype=np.uint32)
    positions = local[ids]  # each row's index among the results present
    texts = [rendered(program, phase, lang, int(result_id)) for result_id in present]
    columns = {}
    for position, name in enumerate(RESULT_FIELDS):
        present_texts = pl.Series(f"{phase}_{name}", [t[position] for t in texts], dtype=pl.Categorical)
        columns[present_texts.name] = present_texts.gather(positions)
    return columns


def _scoped(codes: dict[str, npt.NDArray[np.uint8]], scope: Scope) -> dict[str, npt.NDArray[np.uint8]]:
    """The answer columns of one scope, by question id."""
    prefix = f"{scope}."
    return {name[len(prefix) :]: column for name, column in codes.items() if name.startswith(prefix)}


def _notes_column(kb: KnowledgeBase, upgraded: Upgraded, summary: Summary, lang: Lang) -> pl.Series:
    """Each row's notes (its development's, then its deployment's), the text built once per pair."""
    deployment_sets = len(upgraded.note_sets["deployment"])
    pairs = upgraded.note_ids["development"].astype(np.int64) * deployment_sets + upgraded.note_ids["deployment"]
    counts = np.bincount(pairs, minlength=len(upgraded.note_sets["development"]) * deployment_sets)
    present = np.flatnonzero(counts)
    position = np.zeros(len(counts), dtype=np.uint32)
    position[present] = np.arange(len(present), dtype=np.uint32)
    texts: list[str | None] = []
    for pair in present.tolist():
        development, deployment = divmod(pair, deployment_sets)
        notes = (*upgraded.note_sets["development"][development], *upgraded.note_sets["deployment"][deployment])
        texts.append(notes_text(kb, notes, lang))
        summary.notes.update(dict.fromkeys(notes, int(counts[pair])))
        summary.noted_rows += int(counts[pair]) if notes else 0
    return pl.Series(NOTES_COLUMN, texts, dtype=pl.String).cast(pl.Categorical).gather(position[pairs])


def notes_text(kb: KnowledgeBase, notes: tuple[UpgradeNote, ...], lang: Lang) -> str | None:
    """Notes as one cell, each under the column it concerns in words: "Controller (development),
    Controller (deployment): text | …"."""
    by_text: dict[str, list[str]] = {}
    for note in notes:
        by_text.setdefault(note.text(lang), []).append(_note_column(kb, note, lang))
    separator = colon(lang)
    return " | ".join(f"{', '.join(where)}{separator}{text}" for text, where in by_text.items()) or None


def _note_column(kb: KnowledgeBase, note: UpgradeNote, lang: Lang) -> str:
    """The format-2 column a note concerns ("development.organisation_kind"), in words."""
    scope = note.location.split(".", 1)[0]
    question = kb.question_by_id.get(note.question)
    if question is None or scope not in SCOPE_WORDS:
        return note.location
    return column_label(scope, question, lang)


def _system_runs(system_ids: pl.Series) -> npt.NDArray[np.intp] | None:
    """Where each run of equal system ids starts, if each system's rows follow each other (the
    usual, sorted inventory); None if some system's rows are scattered over the chunk."""
    if system_ids.is_empty():
        return None
    starts = np.flatnonzero((system_ids != system_ids.shift(1)).fill_null(True).to_numpy())
    starts[0] = 0
    return starts if len(starts) == system_ids.n_unique() else None


def _resolve_per_system(
    layout: Layout,
    system_ids: pl.Series,
    runs: npt.NDArray[np.intp] | None,
    codes: dict[str, npt.NDArray[np.uint8]],
) -> list[tuple[AnswerColumn, npt.NDArray[np.bool_]]]:
    """Give every row its system's answer for system-level and development questions (in place)."""
    shared = [c for c in layout.answers if c.scope in ("system", "development")]
    if not shared:
        return []
    if runs is not None:
        return _resolve_runs(shared, runs, codes)
    names = [c.canonical for c in shared]
    frame = pl.LazyFrame({"_system": system_ids, **{name: codes[name] for name in names}})
    known = frame.with_columns(
        pl.when(pl.col(c.canonical) < c.unknown_code).then(pl.col(c.canonical)).alias(c.canonical) for c in shared
    )
    # One grouping for all columns, joined back: much cheaper than a window per column.
    per_system = known.group_by("_system").agg(
        *(pl.col(name).min().alias(f"<{name}") for name in names),
        *(pl.col(name).max().alias(f">{name}") for name in names),
    )
    joined = frame.select("_system").join(per_system, on="_system", how="left", maintain_order="left", nulls_equal=True)
    resolved = joined.select(
        *(pl.col(f"<{c.canonical}").fill_null(c.unknown_code).alias(c.canonical) for c in shared),
        *((pl.col(f"<{name}") != pl.col(f">{name}")).alias(f"!{name}") for name in names),
    ).collect()
    conflicts = []
    for column in shared:
        codes[column.canonical] = resolved.get_column(column.canonical).to_numpy()
        conflicted = resolved.get_column(f"!{column.canonical}").fill_null(False).to_numpy()
        if conflicted.any():
            conflicts.append((column, conflicted))
    return conflicts


def _resolve_runs(
    shared: list[AnswerColumn], runs: npt.NDArray[np.intp], codes: dict[str, npt.NDArray[np.uint8]]
) -> list[tuple[AnswerColumn, npt.NDArray[np.bool_]]]:
    """The same as the grouping, when systems are runs of rows: a reduction per run, no hashing."""
    rows = len(codes[shared[0].canonical])
    lengths = np.diff(np.append(runs, rows))
    continues = np.ones(rows, dtype=bool)  # row i belongs to the same system as row i - 1
    continues[runs] = False
    conflicts = []
    for column in shared:
        values = codes[column.canonical]
        if np.all((values[1:] == values[:-1]) | ~continues[1:]):
            continue  # the same answer on every row of each system (repeated layout): nothing to do
        unknown = values >= column.unknown_code
        lowest = np.minimum.reduceat(np.where(unknown, np.uint8(255), values), runs)
        highest = np.maximum.reduceat(np.where(unknown, np.uint8(0), values), runs)
        answered = lowest != 255
        codes[column.canonical] = np.repeat(np.where(answered, lowest, np.uint8(column.unknown_code)), lengths)
        conflicted = np.repeat(answered & (lowest != highest), lengths)
        if conflicted.any():
            conflicts.append((column, conflicted))
    return conflicts


@lru_cache(maxsize=1 << 14)
def rendered(program: BatchProgram, phase: Phase, lang: Lang, result_id: int) -> tuple[str | None, ...]:
    """The text of each result field (``RESULT_FIELDS``) for a result id; for no result (an
    invalid cell), only the outcome key and the status in words."""
    phase_program = program.phase(phase)
    if result_id == phase_program.result_count:
        return None, INVALID_KEY, translate("status.invalid", lang), None, None, None
    texts = result_texts(program.kb, phase_program.result(result_id), phase, lang)
    # Our own words never start like a formula; written cells of these columns are not checked again.
    assert not any(is_formula(text) for text in texts)
    return texts


def result_texts(kb: KnowledgeBase, result: PhaseResult, phase: Phase, lang: Lang) -> tuple[str, ...]:
    """The result fields of one phase result, as written in the results file."""
    return (
        outcome_label(kb, result, lang),
        result.outcome or UNDETERMINED_KEY,
        status_label(result, lang),
        _questions(kb, result, phase, lang),
        short_reason(kb, result, lang),
        _sources(kb, result, lang),
    )


def _questions(kb: KnowledgeBase, result: PhaseResult, phase: Phase, lang: Lang) -> str:
    """The columns still to fill for this phase, in words ("Finalité (déploiement)"), never by code."""
    names = []
    for dependency in result.depends_on:
        question = kb.question_by_id[dependency.question]
        scope: Scope = "system" if "system" in question.scope else phase
        names.append(column_label(scope, question, lang))
    return ", ".join(names)


def _sources(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> str:
    """Citations as people write them ("GDPR art. 2(1)", "CJEU C-817/19 §67 and §81"): full titles
    on every row of a large inventory would make most of the file; the template's help sheet gives
    each source's title and address."""
    cited = dict.fromkeys(
        kb.source_by_id[c.source].short.get(lang) + (f" {c.pinpoint_in(lang)}" if c.pinpoint else "")
        for rule_id in result.rules
        for c in kb.rule_by_id[rule_id].sources
    )
    return semicolon(lang).join(cited)


def _count(
    summary: Summary,
    program: BatchProgram,
    phase: Phase,
    ids: ResultIds,
    system_ids: pl.Series,
    runs: npt.NDArray[np.intp] | None,
) -> None:
    """Development counts one per system (its rows share the result), deployment one per row."""
    phase_program = program.phase(phase)
    if phase == "development" and runs is not None:
        summary.systems = len(runs)
        ids = ids[runs]
    elif phase == "development":
        firsts = pl.DataFrame({"s": system_ids, "id": ids}).unique(subset="s", keep="first", maintain_order=False)
        summary.systems = firsts.height
        ids = firsts.get_column("id").to_numpy()
    counts = np.bincount(ids, minlength=phase_program.result_count + 1)
    summary.invalid[phase] += int(counts[phase_program.result_count])
    counts = counts[: phase_program.result_count]
    for result_id in np.flatnonzero(counts):
        result = phase_program.result(int(result_id))
        count = int(counts[result_id])
        summary.outcomes[phase][result.outcome or UNDETERMINED_KEY] += count
        summary.statuses[phase][result.status] += count
        for regime in regimes_of(program.kb, result.outcome):
            summary.regimes[phase][regime] += count


def regimes_of(kb: KnowledgeBase, outcome_id: str | None) -> tuple[str, ...]:
    """The regimes that govern a phase of this outcome, wholly or for some purposes (a split's
    parts); none for an undetermined phase, one out of scope, or one left case by case."""
    outcome = kb.outcome_by_id.get(outcome_id or "")
    return outcome.regimes if outcome is not None and outcome.kind in ("regime", "split") else ()
