"""An assessment's history: the events every change appends, never updated in place.

Answers are events too (``kind="answer"``): the current answers are the latest event per
question (``state.load`` replays them), and the history shows each with the answer it replaced.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from airegime.storage.models import ContextRow, EventRow, as_utc, now
from airegime.storage.records import HistoryEntry


def add_event(session: Session, assessment_id: int, kind: str, **fields: str | int | None) -> None:
    """Append an event (written with the rest of the save, at its flush)."""
    session.add(EventRow(**{"assessment_id": assessment_id, "at": now(), "kind": kind, "detail": "", **fields}))


def add_answer(
    session: Session,
    assessment_id: int,
    scope: str | None,
    context_id: int | None,
    question: str,
    value: str | None,
    *,
    detail: str = "",
) -> None:
    """Append an answer event: ``value`` for ``question`` in ``scope`` and phase ``context_id``
    (None: the answer withdrawn); ``detail`` says where it came from, when not a person's edit."""
    add_event(
        session,
        assessment_id,
        "answer",
        scope=scope,
        context_id=context_id,
        question=question,
        value=value,
        detail=detail,
    )


def history(session: Session, assessment_id: int) -> tuple[HistoryEntry, ...]:
    """Every change, oldest first, with the answer each change replaced."""
    names = {  # every development processing and context, removed ones too
        c.id: c.name for c in session.scalars(select(ContextRow).where(ContextRow.assessment_id == assessment_id))
    }
    events = session.scalars(
        select(EventRow).where(EventRow.assessment_id == assessment_id).order_by(EventRow.id)
    ).all()
    current: dict[tuple[str | None, int | None, str | None], str | None] = {}
    entries = []
    for e in events:
        key = (e.scope, e.context_id, e.question)
        previous = current.get(key) if e.kind == "answer" else None
        if e.kind == "answer":
            current[key] = e.value
        context = names.get(e.context_id, "") if e.context_id is not None else ""
        entries.append(HistoryEntry(as_utc(e.at), e.kind, e.scope, context, e.question, e.value, previous, e.detail))
    return tuple(entries)
