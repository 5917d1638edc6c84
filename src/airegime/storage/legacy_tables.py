"""The tables as the data upgrades of migrations 0004 and 0005 read and write them.

Described here once, not taken from the models, so that :mod:`airegime.storage.format1` and
:mod:`airegime.storage.developments` keep working on old data as the models change. Only the
columns they use are named; ``deployment_contexts.phase`` exists from 0005 on, and only
:mod:`~airegime.storage.developments` reads it.
"""

from __future__ import annotations

import sqlalchemy as sa

assessments = sa.table(
    "assessments",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("development_description", sa.Text),
)
contexts = sa.table(
    "deployment_contexts",
    sa.column("id", sa.Integer),
    sa.column("assessment_id", sa.Integer),
    sa.column("phase", sa.String),
    sa.column("position", sa.Integer),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("removed_at", sa.DateTime(timezone=True)),
)
events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("assessment_id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("kind", sa.String),
    sa.column("scope", sa.String),
    sa.column("context_id", sa.Integer),
    sa.column("question", sa.String),
    sa.column("value", sa.String),
    sa.column("detail", sa.Text),
)
