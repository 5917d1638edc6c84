"""Saved assessments of one development processing, given the rows of several (migration 0005).

Before 0005 an assessment held one development processing: its description in
``assessments.development_description`` and its answers in events of scope ``development``
that named no row. Now each development processing is a row of ``deployment_contexts`` (phase
``development``), as deployment contexts are, and its answer events name it. For every
assessment this adds one development row (unnamed, with that description, position 0), points
the development events at it (they are still the same answers, given at the same times) and
empties the old column.

Run by the database migration 0005 and by ``airegime db import`` of an export made before it.
Its tables are described in :mod:`airegime.storage.legacy_tables`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Connection

from airegime.storage.legacy_tables import assessments as _assessments
from airegime.storage.legacy_tables import contexts as _contexts
from airegime.storage.legacy_tables import events as _events


def development_rows(connection: Connection) -> int:
    """Give every assessment without one its development row; return how many were added."""
    has_one = (
        sa.select(_contexts.c.id)
        .where(_contexts.c.assessment_id == _assessments.c.id, _contexts.c.phase == "development")
        .exists()
    )
    added = connection.execute(
        sa.insert(_contexts).from_select(
            ["assessment_id", "phase", "position", "name", "description"],
            sa.select(
                _assessments.c.id,
                sa.literal("development"),
                sa.literal(0),
                sa.literal(""),
                _assessments.c.development_description,
            ).where(~has_one),
        )
    ).rowcount
    development = (
        sa.select(sa.func.min(_contexts.c.id))
        .where(_contexts.c.assessment_id == _events.c.assessment_id, _contexts.c.phase == "development")
        .scalar_subquery()
    )
    connection.execute(
        sa.update(_events)
        .where(_events.c.scope == "development", _events.c.context_id.is_(None))
        .values(context_id=development)
    )
    connection.execute(sa.update(_assessments).values(development_description=""))
    return added
