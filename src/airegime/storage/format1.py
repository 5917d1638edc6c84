"""Saved assessments answered with the format-1 questions (rule sets up to 2026.11), brought to format 2.

The answers of such an assessment are read as a format-1 descriptor and upgraded by
:func:`airegime.upgrade.upgrade`; the differences are then appended to the history like any
change (the old answers withdrawn, the new ones given), after one ``upgraded`` event whose
detail lists, as JSON, the notes where the reading is a guess. Nothing is evaluated here:
the stored result keeps the older rule set's hash, so the assessment shows as stale until it
is checked again.

Run by the database migration 0004 and by ``airegime db import`` of an export made before it,
so always on data of before migration 0005: one development processing per assessment, whose
answer events name no row (0005 then gives it a row, see :mod:`airegime.storage.developments`).
Its tables are described in :mod:`airegime.storage.legacy_tables`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from airegime.errors import AiregimeError
from airegime.storage.legacy_tables import assessments as _assessments
from airegime.storage.legacy_tables import contexts as _contexts
from airegime.storage.legacy_tables import events as _events
from airegime.upgrade import FORMAT1_PHASE, FORMAT1_SYSTEM, upgrade

log = logging.getLogger("airegime.storage")

UPGRADED = "upgraded"  # the kind of the event that opens an upgrade's answers
UPGRADE_DETAIL = "rule_set_upgrade"  # the detail of each answer event the upgrade writes
FORMAT1_PURPOSES = frozenset({"mixed_criminal_administrative"})  # format-1 answers no format-2 question has


Key = tuple[str | None, int | None]  # (scope, context id)


def is_format1_answers(answers: dict[Key, dict[str, str]]) -> bool:
    """True when the current answers name a question (or give an answer) only format 1 has."""
    for (scope, _context), given in answers.items():
        only = FORMAT1_SYSTEM if scope == "system" else FORMAT1_PHASE
        if any(question in only for question in given):
            return True
        if scope != "system" and given.get("purpose") in FORMAT1_PURPOSES:
            return True
    return False


def upgrade_saved_answers(connection: Connection) -> int:
    """Upgrade every saved assessment whose current answers are of format 1; return how many."""
    upgraded = 0
    moment = datetime.now(UTC)
    ids = connection.execute(sa.select(_assessments.c.id).order_by(_assessments.c.id)).scalars().all()
    for assessment_id in ids:
        rows = _upgrade_one(connection, assessment_id, moment)
        if rows:
            connection.execute(sa.insert(_events), rows)
            upgraded += 1
    return upgraded


def _current_answers(connection: Connection, assessment_id: int) -> dict[Key, dict[str, str]]:
    answers: dict[Key, dict[str, str]] = {}
    query = (
        sa.select(_events.c.scope, _events.c.context_id, _events.c.question, _events.c.value)
        .where(_events.c.assessment_id == assessment_id, _events.c.kind == "answer")
        .order_by(_events.c.id)
    )
    for scope, context_id, question, value in connection.execute(query):
        current = answers.setdefault((scope, context_id), {})
        if question is None:
            continue
        if value is None:
            current.pop(question, None)
        else:
            current[question] = value
    return answers


def _upgrade_one(connection: Connection, assessment_id: int, moment: datetime) -> list[dict[str, Any]]:
    """The events that bring one assessment's answers to format 2 (none if they already are)."""
    answers = _current_answers(connection, assessment_id)
    contexts = connection.execute(
        sa.select(_contexts.c.id, _contexts.c.name)
        .where(_contexts.c.assessment_id == assessment_id, _contexts.c.removed_at.is_(None))
        .order_by(_contexts.c.position, _contexts.c.id)
    ).all()
    active = {("system", None), ("development", None), *(("deployment", c.id) for c in contexts)}
    if not is_format1_answers({key: given for key, given in answers.items() if key in active}):
        return []
    old = {
        "airegime": 1,
        "name": f"#{assessment_id}",
        "answers": answers.get(("system", None), {}),
        "development": {"answers": answers.get(("development", None), {})},
        "deployments": [{"name": c.name or "-", "answers": answers.get(("deployment", c.id), {})} for c in contexts],
    }
    try:
        new, notes = upgrade(old, source=f"assessment #{assessment_id}")
    except AiregimeError as error:  # an answer no format-1 question has: leave it for a person to fix
        log.warning("saved assessment #%s not upgraded: %s", assessment_id, error)
        return []
    wanted: dict[Key, dict[str, str]] = {
        ("system", None): new["answers"],
        ("development", None): new["developments"][0]["answers"],
        **{("deployment", c.id): d["answers"] for c, d in zip(contexts, new["deployments"], strict=True)},
    }
    rows: list[dict[str, Any]] = [
        _row(assessment_id, moment, UPGRADED, detail=json.dumps([n.to_dict() for n in notes], ensure_ascii=False))
    ]
    for (scope, context_id), after in wanted.items():
        before = answers.get((scope, context_id), {})
        rows.extend(
            _row(assessment_id, moment, "answer", scope, context_id, question, after.get(question), UPGRADE_DETAIL)
            for question in _changed(before, after)
        )
    return rows


def _changed(before: dict[str, str], after: dict[str, str]) -> Iterable[str]:
    """Withdrawn questions first, then those given or changed (each in alphabetical order)."""
    yield from sorted(q for q in before if q not in after)
    yield from sorted(q for q in after if before.get(q) != after[q])


def _row(
    assessment_id: int,
    moment: datetime,
    kind: str,
    scope: str | None = None,
    context_id: int | None = None,
    question: str | None = None,
    value: str | None = None,
    detail: str = "",
) -> dict[str, Any]:
    return {
        "assessment_id": assessment_id,
        "at": moment,
        "kind": kind,
        "scope": scope,
        "context_id": context_id,
        "question": question,
        "value": value,
        "detail": detail,
    }


def upgrade_notes(detail: str) -> list[dict[str, str]]:
    """The notes an ``upgraded`` event's detail holds ({location, question, fr, en} each)."""
    try:
        notes = json.loads(detail) if detail else []
    except ValueError:
        return []
    return [n for n in notes if isinstance(n, dict)] if isinstance(notes, list) else []
