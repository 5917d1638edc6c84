"""Storing an edit as its differences: from the state stored now to the system wanted.

``Repository.edit`` (and ``replace_system``) hands over a whole wanted ``System``; only what
differs is written, as history events (details, answers one by one, phase rows renamed, added
or removed, matched by position), so the history says what changed and nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from airegime.kb.models import Scope
from airegime.storage.history import add_answer, add_event
from airegime.storage.models import AssessmentRow, now
from airegime.storage.phases import REMOVED, RENAMED, active_rows, add_context
from airegime.storage.records import Context, Phase, Saved
from airegime.storage.validation import check_details, check_phase
from airegime.system import Deployment, Development, System


def store_differences(session: Session, row: AssessmentRow, current: Saved, wanted: System) -> None:
    """Make the assessment (stored as ``current``) hold ``wanted``, appending only what differs."""
    details = (wanted.name, wanted.organisation, wanted.description)
    if details != (current.name, current.organisation, current.description):
        check_details(*details)
        row.name, row.organisation, row.description = details
        add_event(session, row.id, "details", detail=row.name)
    answer_changes(session, row.id, "system", None, current.system_answers, wanted.answers)
    _phase_differences(session, row, current, "development", current.developments, wanted.developments)
    _phase_differences(session, row, current, "deployment", current.contexts, wanted.deployments)


def _phase_differences(
    session: Session,
    row: AssessmentRow,
    current: Saved,
    phase: Phase,
    stored: tuple[Context, ...],
    wanted: Sequence[Development | Deployment],
) -> None:
    """Make one phase's rows (matched by position) and answers those of ``wanted``."""
    if [(c.name, c.description) for c in stored] == [(w.name, w.description) for w in wanted]:
        for kept, given in zip(stored, wanted, strict=True):  # no row renamed, added or removed
            answer_changes(session, row.id, phase, kept.id, current.answers_of(kept.id), given.answers)
        return
    rows = active_rows(session, row.id, phase)
    for index, given in enumerate(wanted):
        if index < len(rows):
            context = rows[index]
            if (context.name, context.description) != (given.name, given.description):
                check_phase(phase, given.name, given.description)
                detail = f"{context.name} → {given.name}"
                context.name, context.description = given.name, given.description
                add_event(session, row.id, RENAMED[phase], scope=phase, context_id=context.id, detail=detail)
            context_id, before = context.id, current.answers_of(context.id)
        else:
            context_id = add_context(session, row.id, phase, given.name, given.description).id
            before = {}
        answer_changes(session, row.id, phase, context_id, before, given.answers)
    for context in rows[len(wanted) :]:
        context.removed_at = now()
        add_event(session, row.id, REMOVED[phase], scope=phase, context_id=context.id, detail=context.name)


def answer_changes(
    session: Session,
    assessment_id: int,
    scope: Scope,
    context_id: int | None,
    before: dict[str, str],
    after: dict[str, str],
) -> None:
    """An answer event for each question whose answer differs (None: withdrawn), in question order."""
    for question in sorted(before.keys() | after.keys()):
        if before.get(question) != after.get(question):
            add_answer(session, assessment_id, scope, context_id, question, after.get(question))


def same_phases(current: Saved, wanted: System) -> bool:
    """True when ``wanted`` has the same development processings and contexts (names, descriptions)."""
    return [(c.name, c.description) for c in current.developments] == [
        (d.name, d.description) for d in wanted.developments
    ] and [(c.name, c.description) for c in current.contexts] == [(d.name, d.description) for d in wanted.deployments]


def state_after(current: Saved, wanted: System) -> Saved:
    """The state ``state.load`` would read once ``wanted``'s differences are stored (phases unchanged):
    replaying the answer events ``answer_changes`` writes over the current answers gives ``wanted``'s."""
    pairs: list[tuple[Context, Development | Deployment]] = [
        *zip(current.developments, wanted.developments, strict=True),
        *zip(current.contexts, wanted.deployments, strict=True),
    ]
    return replace(
        current,
        name=wanted.name,
        organisation=wanted.organisation,
        description=wanted.description,
        system_answers=dict(wanted.answers),
        context_answers={c.id: dict(d.answers) for c, d in pairs},
    )
