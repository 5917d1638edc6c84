"""Accountability: a note and evidence per answer, review and approval, an action plan, an
organisation profile, read-only share links, and archiving instead of deleting.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def _answer_columns() -> list[sa.Column[object]]:
    """Where a note or an attachment belongs: the assessment, the scope, the context, the question."""
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("assessment_id", sa.Integer(), sa.ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column(
            "context_id", sa.Integer(), sa.ForeignKey("deployment_contexts.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("question", sa.String(60), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("assessments") as assessments:
        assessments.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="draft"))
        assessments.add_column(sa.Column("review_flag", sa.Text(), nullable=False, server_default=""))
        assessments.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "answer_notes",
        *_answer_columns(),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "attachments",
        *_answer_columns(),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("assessment_id", sa.Integer(), sa.ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("descriptor_json", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("rule_set_version", sa.String(50), nullable=False),
        sa.Column("rule_set_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("assessment_id", sa.Integer(), sa.ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(20), nullable=False, server_default="open"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "organisation_profiles",
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("assessment_id", sa.Integer(), sa.ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    for table in ("answer_notes", "attachments", "reviews", "actions", "share_links"):
        op.create_index(f"ix_{table}_assessment_id", table, ["assessment_id"])


def downgrade() -> None:
    for table in ("answer_notes", "attachments", "reviews", "actions", "share_links"):
        op.drop_index(f"ix_{table}_assessment_id", table_name=table)
    for table in ("share_links", "organisation_profiles", "actions", "reviews", "attachments", "answer_notes"):
        op.drop_table(table)
    with op.batch_alter_table("assessments") as assessments:
        assessments.drop_column("archived_at")
        assessments.drop_column("review_flag")
        assessments.drop_column("status")
