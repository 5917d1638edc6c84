"""An assessment as stored now: its row, its active development processings and deployment
contexts, and its current answers (the latest answer event per question).

Reading is most requests: ``load`` and ``listing`` read plain rows, not ORM objects (the ORM's
bookkeeping costs more than the SQL). ``assessment_row`` is the one place an assessment is
looked up for a change, and where another organisation's is made "not found".
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Row, bindparam, func, or_, select
from sqlalchemy.orm import Session

from airegime.errors import NotFoundError, msg
from airegime.storage.models import AssessmentRow, ContextRow, EventRow, as_utc, now
from airegime.storage.records import Context, ListItem, Page, PhaseSummary, Saved
from airegime.storage.validation import escape_like

Answers = dict[tuple[str | None, int | None], dict[str, str]]  # by (scope, development or context id)


def assessment_row(
    session: Session, organisation_id: int, assessment_id: int, *, for_update: bool = False
) -> AssessmentRow:
    """The assessment's row, to change it; another organisation's is as good as missing, an archived
    one too (until an admin restores it: ``storage.reviews``)."""
    row = session.get(AssessmentRow, assessment_id, with_for_update=for_update)
    if row is None or row.organisation_id != organisation_id or row.archived_at is not None:
        raise NotFoundError(msg("error.storage.no_assessment", id=assessment_id), hint=msg("error.storage.deleted"))
    return row


def new_assessment_row(
    session: Session, organisation_id: int, name: str, organisation: str, description: str
) -> AssessmentRow:
    """A new assessment's row (flushed: it has its id), not yet evaluated."""
    moment = now()
    row = AssessmentRow(
        organisation_id=organisation_id,
        name=name.strip(),
        organisation=organisation.strip(),
        description=description.strip(),
        development_description="",  # retired: development processings are rows of deployment_contexts
        created_at=moment,
        updated_at=moment,
        rule_set_version="",
        rule_set_hash="",
        summary_json="[]",
    )
    session.add(row)
    session.flush()
    return row


def load(
    session: Session, organisation_id: int, assessment_id: int, *, row: AssessmentRow | Row[Any] | None = None
) -> Saved:
    """The state stored now (``row``: the assessment's, when the caller already holds it)."""
    # Plain rows, not ORM objects: reading is most requests, and the ORM's bookkeeping costs more than the SQL.
    found = row or session.execute(ASSESSMENT, {"assessment": assessment_id, "organisation": organisation_id}).first()
    if found is None:
        raise NotFoundError(msg("error.storage.no_assessment", id=assessment_id), hint=msg("error.storage.deleted"))
    contexts = tuple(Context(*c) for c in session.execute(_CONTEXTS, {"assessment": assessment_id}))
    answers: Answers = {}
    events = session.execute(_ANSWERS, {"assessment": assessment_id})
    for scope, context_id, question, value in events:
        current = answers.setdefault((scope, context_id), {})
        if question is None:
            continue  # answer events always name their question; a guard for the type checker
        if value is None:
            current.pop(question, None)
        else:
            current[question] = value
    return state(found, contexts, answers)


def state(found: Any, rows: tuple[Context, ...], answers: Answers) -> Saved:
    """An assessment's state from its row (``found``: an AssessmentRow or a plain row with its columns),
    its active development processings and contexts, and its answers by (scope, row id)."""
    developments = tuple(c for c in rows if c.phase == "development")
    contexts = tuple(c for c in rows if c.phase != "development")
    return Saved(
        id=found.id,
        name=found.name,
        organisation=found.organisation,
        description=found.description,
        developments=developments,
        contexts=contexts,
        system_answers=answers.get(("system", None), {}),
        context_answers={c.id: answers.get((c.phase, c.id), {}) for c in rows},
        created_at=as_utc(found.created_at),
        updated_at=as_utc(found.updated_at),
        rule_set_version=found.rule_set_version,
        rule_set_hash=found.rule_set_hash,
        summary=summary(found.summary_json),
    )


def summary(text: str) -> tuple[PhaseSummary, ...]:
    """The phase summaries stored on an assessment's row (its latest result, in short)."""
    return tuple(PhaseSummary.from_dict(p) for p in json.loads(text))


def count(session: Session, organisation_id: int) -> int:
    query = select(func.count()).where(
        AssessmentRow.organisation_id == organisation_id, AssessmentRow.archived_at.is_(None)
    )
    return session.scalar(query) or 0


def listing(session: Session, organisation_id: int, *, search: str, sort: str, page: int, per_page: int) -> Page:
    """One page of the organisation's assessments, matching ``search`` (name or organisation), sorted."""
    query = select(*_LISTED).where(  # plain rows; archived ones are in the archive list (storage.reviews)
        AssessmentRow.organisation_id == organisation_id, AssessmentRow.archived_at.is_(None)
    )
    if search.strip():
        pattern = f"%{escape_like(search.strip().lower())}%"
        query = query.where(
            or_(
                func.lower(AssessmentRow.name).like(pattern, escape="\\"),
                func.lower(AssessmentRow.organisation).like(pattern, escape="\\"),
            )
        )
    order = {
        "name": (AssessmentRow.name, AssessmentRow.id),
        "organisation": (AssessmentRow.organisation, AssessmentRow.name),
        "created": (AssessmentRow.created_at.desc(), AssessmentRow.id.desc()),
    }.get(sort, (AssessmentRow.updated_at.desc(), AssessmentRow.id.desc()))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    last_page = max(1, -(-total // per_page))
    page = min(max(1, page), last_page)
    rows = session.execute(query.order_by(*order).limit(per_page).offset((page - 1) * per_page))
    items = tuple(
        ListItem(r.id, r.name, r.organisation, as_utc(r.updated_at), r.rule_set_hash, summary(r.summary_json))
        for r in rows
    )
    return Page(items, total, page, per_page)


_LISTED = (
    AssessmentRow.id,
    AssessmentRow.name,
    AssessmentRow.organisation,
    AssessmentRow.updated_at,
    AssessmentRow.rule_set_hash,
    AssessmentRow.summary_json,
)
ASSESSMENT = select(  # the columns ``state`` reads, of one organisation's assessment
    AssessmentRow.id,
    AssessmentRow.name,
    AssessmentRow.organisation,
    AssessmentRow.description,
    AssessmentRow.created_at,
    AssessmentRow.updated_at,
    AssessmentRow.rule_set_version,
    AssessmentRow.rule_set_hash,
    AssessmentRow.summary_json,
).where(
    AssessmentRow.id == bindparam("assessment"),
    AssessmentRow.organisation_id == bindparam("organisation"),
    AssessmentRow.archived_at.is_(None),  # archived: "not found" until restored
)
_CONTEXTS = (  # development processings and deployment contexts, each kind in its order
    select(ContextRow.id, ContextRow.name, ContextRow.description, ContextRow.position, ContextRow.phase)
    .where(ContextRow.assessment_id == bindparam("assessment"), ContextRow.removed_at.is_(None))
    .order_by(ContextRow.phase, ContextRow.position, ContextRow.id)
)
_ANSWERS = (
    select(EventRow.scope, EventRow.context_id, EventRow.question, EventRow.value)
    .where(EventRow.assessment_id == bindparam("assessment"), EventRow.kind == "answer")
    .order_by(EventRow.id)
)
