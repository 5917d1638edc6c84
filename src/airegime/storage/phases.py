"""A saved system's phases as rows: its development processings and deployment contexts.

Both kinds are rows of one table (``deployment_contexts``, told apart by ``phase``), kept in
order by ``position``; a removed one keeps its row (``removed_at``) so the history still names
it. Adding, renaming or removing one appends an event to the history.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from airegime.errors import NotFoundError, msg
from airegime.storage.history import add_event
from airegime.storage.models import ContextRow
from airegime.storage.records import Context, Phase

# Event kinds for a phase's row added, renamed or removed (deployment contexts kept their older names).
ADDED = {"development": "development_added", "deployment": "context_added"}
RENAMED = {"development": "development_renamed", "deployment": "context_renamed"}
REMOVED = {"development": "development_removed", "deployment": "context_removed"}
NAMES_SAID = {"development": msg("error.phase.development"), "deployment": msg("error.phase.deployment")}
AUDITED = {"development": "development", "deployment": "context"}  # audit actions: context.added…


def phase_of(context: ContextRow) -> Phase:
    return "development" if context.phase == "development" else "deployment"


def context_row(session: Session, assessment_id: int, context_id: int | None, phase: Phase | None = None) -> ContextRow:
    """An active development processing or deployment context of this assessment (of ``phase``, if given)."""
    context = session.get(ContextRow, context_id) if context_id is not None else None
    if (
        context is None
        or context.assessment_id != assessment_id
        or context.removed_at is not None
        or (phase is not None and context.phase != phase)
    ):
        raise NotFoundError(
            msg("error.phase.none", phase=NAMES_SAID[phase or "deployment"], id=context_id),
            hint=msg("error.storage.reload"),
        )
    return context


def active_rows(session: Session, assessment_id: int, phase: Phase) -> Sequence[ContextRow]:
    """The phase's rows not removed, in order."""
    return session.scalars(
        select(ContextRow)
        .where(
            ContextRow.assessment_id == assessment_id,
            ContextRow.phase == phase,
            ContextRow.removed_at.is_(None),
        )
        .order_by(ContextRow.position, ContextRow.id)
    ).all()


def add_context(session: Session, assessment_id: int, phase: Phase, name: str, description: str) -> Context:
    """A new development processing or deployment context, last of its phase, in an existing assessment."""
    last = session.scalar(
        select(func.coalesce(func.max(ContextRow.position), -1)).where(
            ContextRow.assessment_id == assessment_id, ContextRow.phase == phase
        )
    )
    row = ContextRow(
        assessment_id=assessment_id,
        phase=phase,
        position=(-1 if last is None else int(last)) + 1,
        name=name.strip(),
        description=description.strip(),
    )
    session.add(row)
    session.flush()
    add_event(session, assessment_id, ADDED[phase], scope=phase, context_id=row.id, detail=row.name)
    return Context(row.id, row.name, row.description, row.position, phase)


def first_rows(
    session: Session,
    assessment_id: int,
    developments: Sequence[tuple[str, str]],
    deployments: Sequence[tuple[str, str]],
) -> tuple[tuple[Context, ...], tuple[Context, ...]]:
    """A new assessment's development processings and deployment contexts (names and descriptions),
    in one statement: each round trip counts when the database is a server."""
    by_phase: tuple[tuple[Phase, Sequence[tuple[str, str]]], ...] = (
        ("development", developments),
        ("deployment", deployments),
    )
    given = [
        (phase, position, name.strip(), description.strip())
        for phase, details in by_phase
        for position, (name, description) in enumerate(details)
    ]
    rows = [
        {"assessment_id": assessment_id, "phase": phase, "position": position, "name": name, "description": text}
        for phase, position, name, text in given
    ]
    ids = session.scalars(insert(ContextRow).returning(ContextRow.id, sort_by_parameter_order=True), rows).all()
    made = [
        Context(i, name, text, position, phase) for i, (phase, position, name, text) in zip(ids, given, strict=True)
    ]
    return tuple(c for c in made if c.phase == "development"), tuple(c for c in made if c.phase == "deployment")
