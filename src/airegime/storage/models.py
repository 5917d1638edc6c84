"""The database tables. The current state of an assessment lives in ``assessments`` and
``deployment_contexts`` (its development processings and deployment contexts, told apart by
``phase``); ``events`` is the append-only history (answers are only ever added, never updated);
``evaluations`` keeps every result with the rule-set version and hash it was computed with.
Every assessment belongs to an organisation; people reach it through their ``memberships``
(with a role), logged in (``login_sessions``) or with an API token; ``audit_log`` records who
did what, and when (``login_throttle`` counts failed logins); ``batch_uploads`` keeps the
inventories uploaded to the batch page, so every server process can show their results.

Accountability: ``answer_notes`` and ``attachments`` justify answers, ``reviews`` records the
review steps (with the approved state), ``actions`` is the plan of next steps,
``organisation_profiles`` pre-fills new assessments, ``share_links`` opens one read-only.

Every text column is a :class:`CleanString`: what it stores has no control characters."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Dialect, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from airegime.text import cleaned


class Base(DeclarativeBase):
    pass


def now() -> datetime:
    return datetime.now(UTC)


def digest(secret: str) -> str:
    """How a secret (a login session, an API token, a batch upload's address) is stored: its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


def as_utc(moment: datetime) -> datetime:
    """A stored time, aware: SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CleanString(TypeDecorator[str]):
    """A text column that stores every value it is given :func:`airegime.text.cleaned` (control
    characters replaced by U+FFFD): the one rule for stored text, at the storage boundary. Names
    people type are refused earlier when they hold control characters (``airegime.text.problem``);
    this keeps what slips through any other way (a failed login's user name, an upload's file
    name, a proxy's address header…) storable in every database: PostgreSQL refuses NUL in text,
    so one such value in the append-only audit log made a whole SQLite export unimportable.

    Why a ``TypeDecorator``: it is SQLAlchemy's own place for converting a column's values on
    their way to the database (``process_bind_param``), and it applies wherever a value meets the
    column: ORM flushes, Core inserts and updates (``db import``), and the values a WHERE clause
    compares with it (so looking up a name with a NUL is no error on PostgreSQL either). A
    ``before_flush`` hook would miss Core statements; a ``before_cursor_execute`` hook sees only
    the driver's parameters, bytes and times among them, with no column to tell which are text.
    A test checks that every text column is one.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return cleaned(value) if isinstance(value, str) else value


class CleanText(CleanString):
    """:class:`CleanString` for long text (SQL ``TEXT``)."""

    impl = Text
    cache_ok = True


ROLE_NAMES = ("reader", "editor", "admin")  # airegime.storage.accounts.principal.Role, weakest first
PHASES = ("development", "deployment")  # the phases of an assessment's rows in deployment_contexts
SCOPES = ("system", *PHASES)  # what an answer is about (events.scope)
STATUSES = ("draft", "in_review", "approved")  # an assessment's review status
REVIEW_STEPS = ("submitted", "approved", "returned", "flagged")  # what a ``reviews`` row records
ACTION_STATES = ("open", "done", "dropped")  # an action of the plan
ATTACHMENT_KINDS = ("file", "link")
# A column's ``info["allowed"]``: the only values it may hold, checked by `db import`.


DEFAULT_ORGANISATION_ID = 1  # created by the migration; owns everything while no account exists


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(CleanString(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(CleanString(100), unique=True)  # stored lower-case
    password_hash: Mapped[str] = mapped_column(CleanString(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class MembershipRow(Base):
    """A person's role in one organisation: reader, editor or admin."""

    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(CleanString(10), info={"allowed": ROLE_NAMES})


class LoginSessionRow(Base):
    """A browser logged in; only a hash of its cookie is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(CleanString(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiTokenRow(Base):
    """A token for scripts and CI, for one person in one organisation; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(CleanString(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(CleanString(100))
    # At most the person's role; the lower of the two applies.
    role: Mapped[str] = mapped_column(CleanString(10), info={"allowed": ROLE_NAMES})
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRow(Base):
    """Who did what, and when. Kept when the person or the assessment is gone (names are copied)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    organisation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(CleanString(100))
    action: Mapped[str] = mapped_column(CleanString(40))
    target: Mapped[str] = mapped_column(CleanString(300), default="")
    detail: Mapped[str] = mapped_column(CleanText(), default="")
    address: Mapped[str] = mapped_column(CleanString(64), default="")

    __table_args__ = (
        Index("ix_audit_organisation", "organisation_id", "id"),
        Index("ix_audit_action_at", "action", "at"),
    )


class LoginThrottleRow(Base):
    """Failed logins lately, counted per account, per account and address, and per address (the
    key is the SHA-256 of which): one row each, counted up by one atomic statement, so concurrent
    attempts cannot check more passwords than the limit."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(CleanString(140), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AssessmentRow(Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The organisation that owns it (who may see it), not the descriptor's "organisation" (the controller).
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(CleanString(200))
    organisation: Mapped[str] = mapped_column(CleanString(200), default="")
    description: Mapped[str] = mapped_column(CleanText(), default="")
    # Retired: before migration 0005 the one development processing's description lived here. That
    # migration moved it to a development row of ``deployment_contexts`` and emptied it; the column
    # stays so that database exports made before 0005 still import (their data is moved the same way).
    development_description: Mapped[str] = mapped_column(CleanText(), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # The latest evaluation, copied here so the home page reads one row per assessment.
    rule_set_version: Mapped[str] = mapped_column(CleanString(50), default="")
    rule_set_hash: Mapped[str] = mapped_column(CleanString(64), default="")
    summary_json: Mapped[str] = mapped_column(CleanText(), default="[]")
    # Review: draft -> in review -> approved (or back to draft); the approved state is kept in ``reviews``.
    status: Mapped[str] = mapped_column(
        CleanString(20), default="draft", server_default="draft", info={"allowed": STATUSES}
    )
    # Why an approved assessment needs another look (a rule-set change altered its result), or "".
    review_flag: Mapped[str] = mapped_column(CleanText(), default="", server_default="")
    # Deleting archives (an admin restores or purges); archived assessments are left out of lists.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_assessments_name", "name"),)


class ContextRow(Base):
    """A phase of an assessment: a development processing (``phase`` 'development': building the
    dataset, training, under one controller) or a deployment context ('deployment': one deployer
    and use). Positions count within a phase. Removed rows are kept for the history."""

    __tablename__ = "deployment_contexts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    phase: Mapped[str] = mapped_column(
        CleanString(20), default="deployment", server_default="deployment", info={"allowed": PHASES}
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(CleanString(200))
    description: Mapped[str] = mapped_column(CleanText(), default="")
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class EventRow(Base):
    """One change, with its time: an answer given or withdrawn, a context added, renamed or removed…"""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(CleanString(30))
    scope: Mapped[str | None] = mapped_column(CleanString(20), nullable=True, info={"allowed": SCOPES})
    # The development processing or deployment context the event is about (None: the whole system).
    context_id: Mapped[int | None] = mapped_column(
        ForeignKey("deployment_contexts.id", ondelete="CASCADE"), nullable=True
    )
    question: Mapped[str | None] = mapped_column(CleanString(60), nullable=True)
    value: Mapped[str | None] = mapped_column(CleanString(60), nullable=True)
    detail: Mapped[str] = mapped_column(CleanText(), default="")

    __table_args__ = (Index("ix_events_assessment", "assessment_id", "id"),)


class EvaluationRow(Base):
    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rule_set_version: Mapped[str] = mapped_column(CleanString(50))
    rule_set_hash: Mapped[str] = mapped_column(CleanString(64))
    reason: Mapped[str] = mapped_column(CleanString(30))
    result_json: Mapped[str] = mapped_column(CleanText())

    __table_args__ = (Index("ix_evaluations_assessment", "assessment_id", "id"),)


class BatchUploadRow(Base):
    """An inventory uploaded to the batch page; the members of its organisation see it.

    Tokens and owners are stored hashed, like login sessions: the owner (a browser's CSRF token and
    its person) counts for the quotas.
    """

    __tablename__ = "batch_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(CleanString(64), unique=True)
    owner_hash: Mapped[str] = mapped_column(CleanString(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(CleanString(300))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnswerColumns:
    """The columns that tie a row to one answer of an assessment (a question, in its scope and,
    for a phase, its development or deployment context): shared by notes and attachments.
    ``sort_order`` keeps them first, in this order, as the migrations create them."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-5)

    @declared_attr
    def assessment_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True, sort_order=-4)

    scope: Mapped[str] = mapped_column(CleanString(20), info={"allowed": SCOPES}, sort_order=-3)

    @declared_attr
    def context_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("deployment_contexts.id", ondelete="CASCADE"), nullable=True, sort_order=-2)

    question: Mapped[str] = mapped_column(CleanString(60), sort_order=-1)


class NoteRow(AnswerColumns, Base):
    """Why an answer was given: one short justification per answer (question, in its scope and context)."""

    __tablename__ = "answer_notes"

    text: Mapped[str] = mapped_column(CleanText())
    author: Mapped[str] = mapped_column(CleanString(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AttachmentRow(AnswerColumns, Base):
    """Evidence for an answer: a stored file (type sniffed, never served inline) or a link.
    Removing one keeps the row (``removed_at``) for the history."""

    __tablename__ = "attachments"

    kind: Mapped[str] = mapped_column(CleanString(10), info={"allowed": ATTACHMENT_KINDS})
    name: Mapped[str] = mapped_column(CleanString(300))  # the file's name as uploaded, or the link's title
    media_type: Mapped[str] = mapped_column(CleanString(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(CleanString(64), default="")
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # None for a link
    url: Mapped[str] = mapped_column(CleanString(2000), default="")
    added_by: Mapped[str] = mapped_column(CleanString(100))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ReviewRow(Base):
    """One step of an assessment's review: sent for review, approved (with the opinion and a
    snapshot of the approved descriptor and result, readable after later edits), returned to
    draft, or flagged because a rule-set change altered the approved result."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(CleanString(20), info={"allowed": REVIEW_STEPS})
    actor: Mapped[str] = mapped_column(CleanString(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opinion: Mapped[str] = mapped_column(CleanText(), default="")
    descriptor_json: Mapped[str] = mapped_column(CleanText(), default="")  # approved: the descriptor then
    result_json: Mapped[str] = mapped_column(CleanText(), default="")  # approved: the result then
    rule_set_version: Mapped[str] = mapped_column(CleanString(50), default="")
    rule_set_hash: Mapped[str] = mapped_column(CleanString(64), default="")


class ActionRow(Base):
    """An action of the plan: a next step a result names (``source`` says which), with an owner,
    a due date and a state."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(CleanString(100), default="")
    title: Mapped[str] = mapped_column(CleanText())
    owner: Mapped[str] = mapped_column(CleanString(100), default="")
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(
        CleanString(20), default="open", server_default="open", info={"allowed": ACTION_STATES}
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProfileRow(Base):
    """An organisation's usual answers (establishment, kind of organisation, controller answers),
    which pre-fill its new assessments."""

    __tablename__ = "organisation_profiles"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    answers_json: Mapped[str] = mapped_column(CleanText(), default="{}")
    updated_by: Mapped[str] = mapped_column(CleanString(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ShareLinkRow(Base):
    """A read-only link to an assessment for someone outside the organisation: signed by its
    random token (only the hash is stored), expiring, revocable."""

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(CleanString(64), unique=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(CleanString(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
