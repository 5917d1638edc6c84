"""Organisations, accounts, memberships, login sessions, API tokens, the audit log; every
assessment now belongs to an organisation (existing ones to the default organisation, id 1).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    organisations = op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.bulk_insert(organisations, [{"id": 1, "name": "default", "created_at": datetime.now(UTC)}])
    if op.get_bind().dialect.name == "postgresql":  # an explicit id does not move the sequence
        op.execute("SELECT setval(pg_get_serial_sequence('organisations', 'id'), 1)")
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "memberships",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("role", sa.String(10), nullable=False),
    )
    op.create_index("ix_memberships_organisation_id", "memberships", ["organisation_id"])
    for table in ("login_sessions", "api_tokens"):
        columns: list[sa.Column[object]] = [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
            sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
            sa.Column(
                "organisation_id",
                sa.Integer(),
                sa.ForeignKey("organisations.id", ondelete="CASCADE"),
                nullable=False,
            ),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        ]
        if table == "login_sessions":
            columns.append(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False))
        else:
            columns += [
                sa.Column("name", sa.String(100), nullable=False),
                sa.Column("role", sa.String(10), nullable=False),
                sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
                sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
            ]
        op.create_table(table, *columns)
        op.create_index(f"ix_{table}_user_id", table, ["user_id"])
    op.create_index("ix_api_tokens_organisation_id", "api_tokens", ["organisation_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_organisation", "audit_log", ["organisation_id", "id"])
    op.create_index("ix_audit_action_at", "audit_log", ["action", "at"])
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=False, server_default="1"))
        batch.create_foreign_key("fk_assessments_organisation", "organisations", ["organisation_id"], ["id"])
        batch.create_index("ix_assessments_organisation_id", ["organisation_id"])


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_index("ix_assessments_organisation_id")
        batch.drop_constraint("fk_assessments_organisation", type_="foreignkey")
        batch.drop_column("organisation_id")
    for table in ("audit_log", "api_tokens", "login_sessions", "memberships", "users", "organisations"):
        op.drop_table(table)
