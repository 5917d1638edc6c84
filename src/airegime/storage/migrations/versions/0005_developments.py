"""Several development processings per assessment: ``deployment_contexts`` gets a ``phase``
('development' or 'deployment'); each assessment's one development processing becomes a row
(its description moved from ``assessments.development_description``), and the events of its
answers name that row, as deployment answers name their context.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airegime.storage.developments import development_rows

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column(
        "deployment_contexts",
        sa.Column("phase", sa.String(20), nullable=False, server_default="deployment"),
    )
    development_rows(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("several development processings cannot be folded back into one")
