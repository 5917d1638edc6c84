"""Failed logins are counted in their own table, ``login_throttle``: one row per account, per
account and address, and per address, counted up by one atomic statement (the audit log keeps
recording every failure; it no longer serves as the counter, which counted a member of three
organisations three times and let concurrent attempts through together).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(140), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_throttle_window_start", "login_throttle", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_login_throttle_window_start", table_name="login_throttle")
    op.drop_table("login_throttle")
