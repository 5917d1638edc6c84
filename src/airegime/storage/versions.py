"""Versions of a saved assessment: its system as it was after any entry of its history, and the
entries whose change changed a regime.

Answers are never overwritten (``repository``): every change is an event, so any earlier state is
rebuilt by replaying the history up to it — the answers given by then, the development processings
and deployment contexts that existed then, under the names they had. The history does not record
the system's organisation nor the descriptions (only the name, on a change of details): a version
carries the current ones, and the current name. Answers the loaded rule set does not know (those
of format 1, before an upgrade) are left out of a version: no rule reads them.

Which entries changed a regime: the history is replayed under the LOADED rule set, and an entry is
marked when a phase present before and after it has another status or regime after it. What the
assessment was created or imported with is the starting point, not a change. A result stored
under an older rule set may have said otherwise at the time; a re-check says what changed then.

``Repository.history`` names a phase by its current name, which two phases may share: the replay
reads the same events with the id of the row each one names (``_read``, a read of this module's
own beside the repository's, through the repository's engine and after its organisation check).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from airegime.engine.evaluate import evaluate_phase
from airegime.engine.results import PhaseResult
from airegime.engine.tables import CompiledKnowledgeBase, compiled
from airegime.errors import NotFoundError, StorageError, msg, msg_plural
from airegime.kb.models import UNKNOWN, KnowledgeBase, Phase
from airegime.storage.models import ContextRow, EvaluationRow, EventRow, as_utc
from airegime.storage.phases import ADDED, REMOVED, RENAMED
from airegime.storage.records import PhaseSummary, Saved
from airegime.storage.repository import Repository
from airegime.system import System

_ADDED, _REMOVED, _RENAMED = set(ADDED.values()), set(REMOVED.values()), set(RENAMED.values())
RENAME_ARROW = " → "  # a rename's detail: "old name → new name"


@dataclass(frozen=True, slots=True)
class Version:
    """The assessment as it was once history entry ``index`` (0: the first) was stored, made at
    ``at``; or, both None, as it is now."""

    assessment_id: int
    index: int | None
    at: datetime | None
    system: System


def current(repo: Repository, assessment_id: int) -> Version:
    """The assessment as it is now (of the repository's organisation, else not found)."""
    return Version(assessment_id, None, None, repo.get(assessment_id).system())


@dataclass(frozen=True, slots=True)
class RegimeChange:
    """A phase whose regime one history entry changed, under the loaded rule set."""

    before: PhaseSummary
    after: PhaseSummary


@dataclass(frozen=True, slots=True)
class _Event:
    kind: str
    scope: str | None
    context_id: int | None
    question: str | None
    value: str | None
    detail: str
    at: datetime


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    phase: Phase
    position: int
    name: str
    description: str


def version(repo: Repository, assessment_id: int, index: int) -> Version:
    """The system after history entry ``index`` (as ``Repository.history`` numbers them, from 0).

    Another organisation's assessment, or an entry it does not have, is not found."""
    saved, rows, events, _ = _read(repo, assessment_id)
    if not 0 <= index < len(events):
        raise NotFoundError(
            msg("error.versions.no_entry", id=assessment_id, index=index),
            hint=msg_plural("error.versions.no_entry.hint", len(events)),
        )
    replay = _Replay(repo.kb, rows, events)
    for event in events[: index + 1]:
        replay.apply(event)
    names = _names_at(rows, events, index)
    return Version(assessment_id, index, events[index].at, replay.system(saved, names))


def sides(repo: Repository, assessment_id: int, *, other: int | None, index: int | None) -> tuple[Version, Version]:
    """What a comparison puts side by side: the assessment as of history entry ``index``, then as it
    is now; or the assessment now, then ``other`` now (give one of the two)."""
    if (other is None) == (index is None):
        raise ValueError("give either another assessment or a history entry")
    if index is not None:
        return version(repo, assessment_id, index), current(repo, assessment_id)
    assert other is not None
    return current(repo, assessment_id), current(repo, other)


def regime_changes(repo: Repository, assessment_id: int) -> tuple[tuple[RegimeChange, ...], ...]:
    """For each history entry (in ``Repository.history``'s order), the phases whose regime it changed."""
    _, rows, events, created = _read(repo, assessment_id)
    tables = compiled(repo.kb)
    replay = _Replay(repo.kb, rows, events)
    regimes: dict[int, PhaseResult] = {}
    found: list[tuple[RegimeChange, ...]] = []
    for index, event in enumerate(events):
        replay.apply(event)
        if index < created:  # the assessment being made: no "before" yet
            found.append(())
            continue
        if index == created or event.kind in _ADDED:
            fresh = {
                r.id: replay.result(tables, r) for r in replay.ordered() if r.id not in regimes or index == created
            }
            regimes.update(fresh)
            found.append(())
            continue
        if event.kind in _REMOVED:
            regimes.pop(event.context_id or 0, None)
            found.append(())
            continue
        if event.kind != "answer":
            found.append(())
            continue
        changes = []
        for row in replay.touched(event):
            after = replay.result(tables, row)
            before = regimes.get(row.id)
            if before is not None and (before.status, before.outcome) != (after.status, after.outcome):
                changes.append(RegimeChange(_summary(replay, row, before), _summary(replay, row, after)))
            regimes[row.id] = after
        found.append(tuple(changes))
    return tuple(found)


def _summary(replay: _Replay, row: _Row, result: PhaseResult) -> PhaseSummary:
    """The phase as the pages name it: a development processing, named, or by its position when
    several are unnamed (``web.pages.phase_name``); a deployment context by its current name."""
    name = row.name
    if row.phase == "development" and not name:
        developments = replay.ordered("development")
        several = len(developments) > 1
        name = f"development {developments.index(row) + 1}" if several and row in developments else "development"
    return PhaseSummary(row.phase, name, result.status, result.outcome, result.possible)


class _Replay:
    """The answers and phases of an assessment, one history entry after another."""

    def __init__(self, kb: KnowledgeBase, rows: Iterable[_Row], events: list[_Event]) -> None:
        self.kb = kb
        self.rows = {row.id: row for row in rows}
        added = {e.context_id for e in events if e.kind in _ADDED}
        self.active = {row_id for row_id in self.rows if row_id not in added}  # made with the assessment
        self.answers: dict[int | None, dict[str, str]] = {}  # None: the system's; else a phase row's

    def apply(self, event: _Event) -> None:
        if event.kind in _ADDED and event.context_id is not None:
            self.active.add(event.context_id)
        elif event.kind in _REMOVED:
            self.active.discard(event.context_id or 0)
        elif event.kind == "answer" and event.question:
            answers = self.answers.setdefault(self._key(event), {})
            if event.value is not None and self._known(event.scope, event.question, event.value):
                answers[event.question] = event.value
            else:  # withdrawn, or an answer the loaded rule set cannot read: as if unanswered
                answers.pop(event.question, None)

    def _key(self, event: _Event) -> int | None:
        if event.scope == "system":
            return None
        if event.context_id is None:  # a development answer of before several could be saved: the first
            first = self.ordered("development")
            return first[0].id if first else None
        return event.context_id

    def _known(self, scope: str | None, question_id: str, code: str) -> bool:
        question = self.kb.question_by_id.get(question_id)
        return question is not None and scope in question.scope and (code == UNKNOWN or code in question.codes)

    def ordered(self, phase: Phase | None = None) -> list[_Row]:
        """The phases there are now (of ``phase``), developments first, each kind in its order."""
        rows = [self.rows[i] for i in self.active if phase is None or self.rows[i].phase == phase]
        return sorted(rows, key=lambda row: (row.phase != "development", row.position, row.id))

    def touched(self, event: _Event) -> list[_Row]:
        """The phases an answer can change: all of them for a system answer, else its own."""
        if event.scope == "system":
            return self.ordered()
        key = self._key(event)
        return [self.rows[key]] if key in self.active and key is not None else []

    def result(self, tables: CompiledKnowledgeBase, row: _Row) -> PhaseResult:
        table = tables.development if row.phase == "development" else tables.deployment
        return evaluate_phase(
            table,
            self.answers.get(None, {}),
            self.answers.get(row.id, {}),
            name=row.name or "development",
            deployment_index=None if row.phase == "development" else row.position,
            development_index=row.position if row.phase == "development" else None,
        )

    def system(self, saved: Saved, names: dict[int, str]) -> System:
        developments, deployments = self.ordered("development"), self.ordered("deployment")
        if not developments or not deployments:
            raise StorageError(
                msg("error.versions.no_phases"),
                hint=msg("error.versions.no_phases.hint"),
            )

        def phase(row: _Row) -> dict[str, object]:
            return {"name": names[row.id], "description": row.description, "answers": self.answers.get(row.id, {})}

        return System.model_validate(
            {
                "name": saved.name,
                "organisation": saved.organisation,
                "description": saved.description,
                "answers": self.answers.get(None, {}),
                "developments": [phase(row) for row in developments],
                "deployments": [phase(row) for row in deployments],
            }
        )


def _names_at(rows: Iterable[_Row], events: list[_Event], index: int) -> dict[int, str]:
    """Each row's name once entry ``index`` was stored: its current name, less the renames after it."""
    names = {row.id: row.name for row in rows}
    for event in reversed(events[index + 1 :]):
        if event.kind in _RENAMED and event.context_id in names:
            after = names[event.context_id]
            if event.detail.endswith(RENAME_ARROW + after):  # else only the description changed
                names[event.context_id] = event.detail[: -len(RENAME_ARROW + after)]
    return names


def _read(repo: Repository, assessment_id: int) -> tuple[Saved, list[_Row], list[_Event], int]:
    """The assessment (of the repository's organisation, else not found), every row of its phases
    (removed ones too), its events in history order, and how many of them made it (up to its
    first stored result)."""
    saved = repo.get(assessment_id)
    with repo._reads() as session:
        rows = [
            _Row(r.id, "development" if r.phase == "development" else "deployment", r.position, r.name, r.description)
            for r in session.execute(
                select(ContextRow.id, ContextRow.phase, ContextRow.position, ContextRow.name, ContextRow.description)
                .where(ContextRow.assessment_id == assessment_id)
                .order_by(ContextRow.id)
            )
        ]
        events = [
            _Event(e.kind, e.scope, e.context_id, e.question, e.value, e.detail, as_utc(e.at))
            for e in session.execute(
                select(
                    EventRow.kind,
                    EventRow.scope,
                    EventRow.context_id,
                    EventRow.question,
                    EventRow.value,
                    EventRow.detail,
                    EventRow.at,
                )
                .where(EventRow.assessment_id == assessment_id)
                .order_by(EventRow.id)
            )
        ]
        first = session.scalar(select(func.min(EvaluationRow.at)).where(EvaluationRow.assessment_id == assessment_id))
    created = sum(1 for e in events if first is not None and e.at <= as_utc(first)) - 1
    return saved, rows, events, max(created, 0)
