"""The database tables. The current state of an assessment lives in ``assessments`` and
``deployment_contexts``; ``events`` is the append-only history (answers are only ever added,
never updated); ``evaluations`` keeps every result with the rule-set version and hash it
was computed with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class AssessmentRow(Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    development_description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # The latest evaluation, copied here so the home page reads one row per assessment.
    rule_set_version: Mapped[str] = mapped_column(String(50), default="")
    rule_set_hash: Mapped[str] = mapped_column(String(64), default="")
    summary_json: Mapped[str] = mapped_column(Text, default="[]")

    __table_args__ = (Index("ix_assessments_name", "name"),)


class ContextRow(Base):
    """A deployment context (one deployer and use). Removed contexts are kept for the history."""

    __tablename__ = "deployment_contexts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class EventRow(Base):
    """One change, with its time: an answer given or withdrawn, a context added, renamed or removed…"""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(30))
    scope: Mapped[str | None] = mapped_column(String(20), nullable=True)
    context_id: Mapped[int | None] = mapped_column(
        ForeignKey("deployment_contexts.id", ondelete="CASCADE"), nullable=True
    )
    question: Mapped[str | None] = mapped_column(String(60), nullable=True)
    value: Mapped[str | None] = mapped_column(String(60), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_events_assessment", "assessment_id", "id"),)


class EvaluationRow(Base):
    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rule_set_version: Mapped[str] = mapped_column(String(50))
    rule_set_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(30))
    result_json: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_evaluations_assessment", "assessment_id", "id"),)
