"""The action plan: the next steps a result names, turned into actions with an owner, a due
date and a state (open, done, dropped), plus the free actions editors add.

An action made from a next step keeps that step's stable key (``source``: the outcome and a
digest of the step's English words, so it survives a reordering of the knowledge base and reads
the same in every language); making the plan again adds only the steps not yet in it. Its title
is written in the reader's words when it is made and never rewritten after.

Everything goes through the scoped :class:`~airegime.storage.Repository`: another organisation's
assessment (or its actions) is "not found", and every change is in the audit log.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from airegime.cells import inert
from airegime.engine.results import Assessment
from airegime.errors import DescriptorError, MissingExtraError, NotFoundError, msg
from airegime.i18n import N_, translate
from airegime.kb.models import KnowledgeBase, Lang
from airegime.storage.models import ACTION_STATES, ActionRow, AssessmentRow, as_utc, now
from airegime.storage.repository import Repository

TITLE_LIMIT = 1_000
OWNER_LIMIT = 100
EXPORT_FORMATS = ("csv", "xlsx")
ExportFormat = Literal["csv", "xlsx"]
EXPORT_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The export's columns, named in the reader's language.
EXPORT_HEADER = (
    N_("actions.col.assessment"),
    N_("actions.col.title"),
    N_("actions.col.owner"),
    N_("actions.col.due"),
    N_("actions.col.state"),
    N_("actions.col.origin"),
    N_("actions.col.updated"),
)


@dataclass(frozen=True, slots=True)
class PlanStep:
    """A next step a result names: its stable key, its words in the reader's language, its address."""

    source: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Action:
    id: int
    assessment_id: int
    assessment_name: str
    source: str
    title: str
    owner: str
    due_on: date | None
    state: str
    created_at: datetime
    updated_at: datetime

    def overdue(self, today: date | None = None) -> bool:
        return self.state == "open" and self.due_on is not None and self.due_on < (today or today_utc())


def today_utc() -> date:
    return datetime.now(UTC).date()


WARNING = "warning"  # the ``source`` prefix of an action made from a deciding rule's warning


def step_key(outcome: str, english: str) -> str:
    """A next step's stable key: its outcome and a digest of its English words (a warning's:
    ``WARNING`` and the digest, so that a warning several rules share is one action)."""
    return f"{outcome}:{hashlib.sha256(english.encode()).hexdigest()[:12]}"


def plan_steps(kb: KnowledgeBase, result: Assessment | None, lang: Lang) -> list[PlanStep]:
    """What the result asks to do, once each, in the result's order: the next steps of each outcome
    reached (the CNIL sheets that follow, the Titre III duties…), then the warnings of the rules
    that decided a phase ("check anonymity before concluding"…)."""
    steps: dict[str, PlanStep] = {}
    warnings: dict[str, PlanStep] = {}
    for phase in result.phases if result else ():
        outcome = kb.outcome_by_id.get(phase.outcome or "")
        if outcome is None:
            continue
        for step in outcome.next_steps:
            key = step_key(outcome.id, step.text.en)
            steps.setdefault(key, PlanStep(key, step.text.get(lang), step.link(lang)))
        for rule_id in phase.rules:
            caveat = rule.caveat if (rule := kb.rule_by_id.get(rule_id)) else None
            if caveat is not None:
                key = step_key(WARNING, caveat.en)
                warnings.setdefault(key, PlanStep(key, caveat.get(lang), ""))
    return [*steps.values(), *warnings.values()]


def origin(kb: KnowledgeBase, source: str, lang: Lang) -> str:
    """Where an action comes from, in words: the regime whose next step it is, a warning, or added by hand."""
    kind = source.split(":", 1)[0]
    if not source:
        return translate("actions.origin.added", lang)
    if kind == WARNING:
        return translate("actions.origin.warning", lang)
    outcome = kb.outcome_by_id.get(kind)
    return translate("actions.origin.step", lang, regime=outcome.label.get(lang) if outcome else kind)


def parse_due(text: str | None, *, location: str = "due_on") -> date | None:
    """A due date written YYYY-MM-DD (empty: none)."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DescriptorError(
            msg("error.actions.date"), location=location, hint=msg("error.actions.date.hint", example="2027-03-31")
        ) from None


class Actions:
    """The action plans of the repository's organisation."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    # Reading

    def list(self, assessment_id: int | None = None) -> tuple[Action, ...]:
        """One assessment's actions (checked to be the organisation's), or the whole organisation's."""
        query = _ACTIONS.where(AssessmentRow.organisation_id == self.repo.organisation_id)
        with self.repo._reads() as session:
            if assessment_id is not None:
                self.repo._row(session, assessment_id)
                query = query.where(ActionRow.assessment_id == assessment_id)
            rows = session.execute(query.order_by(AssessmentRow.name, ActionRow.assessment_id, ActionRow.id))
            return tuple(_action(row) for row in rows)

    def overdue(self, today: date | None = None, *, limit: int = 50) -> tuple[Action, ...]:
        """Open actions past their due date, across the organisation's assessments, oldest due first."""
        query = _ACTIONS.where(
            AssessmentRow.organisation_id == self.repo.organisation_id,
            ActionRow.state == "open",
            ActionRow.due_on < (today or today_utc()),
        )
        with self.repo._reads() as session:
            rows = session.execute(query.order_by(ActionRow.due_on, ActionRow.id).limit(limit))
            return tuple(_action(row) for row in rows)

    def get(self, assessment_id: int, action_id: int) -> Action:
        with self.repo._reads() as session:
            self.repo._row(session, assessment_id)
            row = session.execute(
                _ACTIONS.where(ActionRow.id == action_id, ActionRow.assessment_id == assessment_id)
            ).first()
        if row is None:
            raise NotFoundError(msg("error.actions.none", id=action_id), hint=msg("error.storage.reload"))
        return _action(row)

    # Changing

    def make_plan(self, assessment_id: int, steps: Sequence[PlanStep]) -> tuple[Action, ...]:
        """Add an action for each step not yet in the plan (by its key); return those added."""
        with self.repo._sessions.begin() as session:
            assessment = self.repo._row(session, assessment_id, for_update=True)  # one plan-making at a time
            have = set(session.scalars(select(ActionRow.source).where(ActionRow.assessment_id == assessment_id)))
            added = []
            for step in steps:
                if step.source and step.source not in have:
                    have.add(step.source)
                    added.append(self._insert(session, assessment_id, source=step.source, title=step.title))
            if added:
                self.repo._audit(session, "actions.planned", assessment, f"{len(added)} actions")
            session.flush()
            return tuple(_action(row, assessment.name) for row in added)

    def add(
        self, assessment_id: int, *, title: str, owner: str = "", due_on: date | None = None, state: str = "open"
    ) -> Action:
        """A free action (no next step behind it)."""
        _check(title=title, owner=owner, state=state)
        with self.repo._sessions.begin() as session:
            assessment = self.repo._row(session, assessment_id)
            row = self._insert(session, assessment_id, title=title, owner=owner, due_on=due_on, state=state)
            self.repo._audit(session, "action.added", assessment, row.title[:200])
            session.flush()
            return _action(row, assessment.name)

    def update(
        self,
        assessment_id: int,
        action_id: int,
        *,
        title: str | None = None,
        owner: str | None = None,
        due_on: date | Literal["keep"] | None = "keep",
        state: str | None = None,
    ) -> Action:
        """Change what is given (``due_on=None`` clears the date; leave it out to keep it)."""
        _check(title=title, owner=owner, state=state)
        with self.repo._sessions.begin() as session:
            assessment = self.repo._row(session, assessment_id)
            row = self._own(session, assessment_id, action_id)
            changes = []
            if title is not None and title.strip() != row.title:
                row.title = title.strip()
                changes.append("title")
            if owner is not None and owner.strip() != row.owner:
                row.owner = owner.strip()
                changes.append(f"owner={row.owner or '—'}")
            if due_on != "keep" and due_on != row.due_on:
                row.due_on = due_on
                changes.append(f"due={due_on.isoformat() if due_on else '—'}")
            if state is not None and state != row.state:
                row.state = state
                changes.append(f"state={state}")
            if changes:
                row.updated_at = now()
                self.repo._audit(session, "action.changed", assessment, f"#{row.id}: " + ", ".join(changes))
            return _action(row, assessment.name)

    def delete(self, assessment_id: int, action_id: int) -> None:
        with self.repo._sessions.begin() as session:
            assessment = self.repo._row(session, assessment_id)
            row = self._own(session, assessment_id, action_id)
            self.repo._audit(session, "action.deleted", assessment, f"#{row.id}: {row.title[:200]}")
            session.delete(row)

    def record_export(self, fmt: str, assessment_id: int | None = None) -> None:
        """Write the export to the audit log (the organisation's, or one assessment's)."""
        if assessment_id is not None:
            self.repo.record("actions.exported", assessment_id, fmt)
            return
        with self.repo._sessions.begin() as session:
            self.repo._audit_organisation(session, "actions.exported", "organisation", fmt)

    # Inside a transaction

    def _own(self, session: Session, assessment_id: int, action_id: int) -> ActionRow:
        row = session.get(ActionRow, action_id)
        if row is None or row.assessment_id != assessment_id:
            raise NotFoundError(msg("error.actions.none", id=action_id), hint=msg("error.storage.reload"))
        return row

    def _insert(
        self,
        session: Session,
        assessment_id: int,
        *,
        title: str,
        source: str = "",
        owner: str = "",
        due_on: date | None = None,
        state: str = "open",
    ) -> ActionRow:
        moment = now()
        row = ActionRow(
            assessment_id=assessment_id,
            source=source,
            title=title.strip()[:TITLE_LIMIT],
            owner=owner.strip(),
            due_on=due_on,
            state=state,
            created_at=moment,
            updated_at=moment,
        )
        session.add(row)
        session.flush()
        return row


def _check(*, title: str | None, owner: str | None, state: str | None) -> None:
    if title is not None and not title.strip():
        raise DescriptorError(msg("error.required"), location="title", hint=msg("error.actions.title.hint"))
    if title is not None and len(title.strip()) > TITLE_LIMIT:
        raise DescriptorError(msg("error.too_long", limit=TITLE_LIMIT), location="title", hint=msg("error.shorten"))
    if owner is not None and len(owner.strip()) > OWNER_LIMIT:
        raise DescriptorError(msg("error.too_long", limit=OWNER_LIMIT), location="owner", hint=msg("error.shorten"))
    if state is not None and state not in ACTION_STATES:
        raise DescriptorError(
            msg("error.actions.state", state=state),
            location="state",
            hint=msg("error.one_of", choices=", ".join(ACTION_STATES)),
        )


_ACTIONS = select(
    ActionRow.id,
    ActionRow.assessment_id,
    AssessmentRow.name,
    ActionRow.source,
    ActionRow.title,
    ActionRow.owner,
    ActionRow.due_on,
    ActionRow.state,
    ActionRow.created_at,
    ActionRow.updated_at,
).join(AssessmentRow, AssessmentRow.id == ActionRow.assessment_id)


def _action(row: Any, name: str | None = None) -> Action:
    """The action of ``row``: a row of the listing query, or an ``ActionRow`` with its assessment's ``name``."""
    return Action(
        row.id,
        row.assessment_id,
        row.name if name is None else name,
        row.source,
        row.title,
        row.owner,
        row.due_on,
        row.state,
        as_utc(row.created_at),
        as_utc(row.updated_at),
    )


# Export


Words = Callable[[Action], tuple[str, str]]  # an action's state and origin, in words


def export_rows(actions: Sequence[Action], header: Sequence[str], words: Words | None = None) -> list[list[str]]:
    """The actions as rows of text under ``header`` (the columns' names in the reader's words),
    every cell made inert (never run as a formula by a spreadsheet). ``words``: the state and
    origin as the reader says them (by default the state's code and the source's key)."""
    rows = [[inert(h) for h in header]]
    for a in actions:
        state, source = words(a) if words else (a.state, a.source)
        values = (
            a.assessment_name,
            a.title,
            a.owner,
            a.due_on.isoformat() if a.due_on else "",
            state,
            source,
            a.updated_at.isoformat(timespec="seconds"),
        )
        rows.append([inert(v) for v in values])
    return rows


def export_file(actions: Sequence[Action], fmt: ExportFormat, lang: Lang, kb: KnowledgeBase) -> bytes:
    """The actions as a file of ``fmt``, in ``lang``: the columns' names, the states, where each comes from."""
    header = [translate(key, lang) for key in EXPORT_HEADER]

    def words(action: Action) -> tuple[str, str]:
        return translate(f"actions.state.{action.state}", lang), origin(kb, action.source, lang)

    return export_bytes(actions, fmt, header, words)


def export_bytes(
    actions: Sequence[Action], fmt: ExportFormat, header: Sequence[str], words: Words | None = None
) -> bytes:
    """The actions as a CSV (UTF-8 with a byte-order mark, for spreadsheets) or XLSX file."""
    rows = export_rows(actions, header, words)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return _xlsx(rows)


def _xlsx(rows: list[list[str]]) -> bytes:
    try:
        from openpyxl import Workbook
    except ImportError:  # pragma: no cover - the web and batch extras bring it
        raise MissingExtraError("batch", module="openpyxl") from None
    book = Workbook(write_only=True)
    sheet = book.create_sheet("actions")
    for row in rows:
        sheet.append(row)  # openpyxl writes a text starting with "=" as a formula: inert() prefixed those
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
