"""Saved assessments answered with the format-1 questions (rule sets up to 2026.11) get the
format-2 answers: events appended that withdraw the old answers and give the new ones (the
history stays append-only), after an ``upgraded`` event listing where the reading is a guess.
No schema change; the stored results keep their rule-set hash, so the assessments show as stale.
"""

from __future__ import annotations

from alembic import op

from airegime.storage.format1 import upgrade_saved_answers

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    upgrade_saved_answers(op.get_bind())


def downgrade() -> None:
    pass  # the events stay: the history is append-only, and format 1 is read no more
