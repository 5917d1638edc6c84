"""Review and approval of a saved assessment, and archiving instead of deleting.

An assessment moves draft → in review (an editor sends it) → approved (an admin, with a written
opinion), or back to draft (returned, with a reason). Each step is a row of ``reviews`` and an
entry of the audit log, written in one transaction with the change of ``assessments.status``.

Approving stores a snapshot in its ``reviews`` row: the descriptor as it was (what the descriptor
export writes) and the result under the rules loaded then, with their version and hash. An
approved assessment is frozen: any later change (an answer, a phase, the details) puts it back to
draft (:func:`reopen_if_approved`, called by the repository for each change it records) and the
approved snapshot stays readable. A re-check whose result differs from the approved one flags the
assessment (``review_flag``, a ``flagged`` step) until it is approved again or returned.

Who may do what is decided at the edge (the pages, the API, the command line): sending needs an
editor, approving and returning an admin. These functions take the scoped :class:`Repository`
and act in its organisation under its actor: another organisation's assessment is "not found".

Deleting archives (``archived_at``): the assessment leaves the lists, the search and the counts,
and every page or endpoint that reads or changes it answers "not found", admins' included, until
an admin restores it from the archive list. Purging deletes it for good (admins, after a
confirmation); the audit entry keeps its name.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from airegime.engine.evaluate import evaluate
from airegime.engine.results import Assessment
from airegime.errors import Message, NotFoundError, ReviewStateError, StorageError, msg
from airegime.storage import state
from airegime.storage.audit import audit_assessment
from airegime.storage.models import AssessmentRow, ReviewRow, as_utc, now
from airegime.storage.records import phase_changes

if TYPE_CHECKING:
    from airegime.storage.repository import Repository

MAX_OPINION = 10_000
# Event kinds that are no change of the assessment's content (a re-check changes only the rules applied).
RULES_ACTOR = "rule-set update"  # who flags an approval at start-up, in the audit log and the review steps
NOT_EDITS = frozenset({"rechecked", "created", "imported", "duplicated"})


@dataclass(frozen=True, slots=True)
class ReviewStep:
    """One step of the review: ``submitted``, ``approved``, ``returned`` or ``flagged``."""

    id: int
    step: str
    actor: str
    at: datetime
    opinion: str
    rule_set_version: str
    rule_set_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}


@dataclass(frozen=True, slots=True)
class ReviewState:
    """Where an assessment stands: its status, why it is flagged ("" if not), every step (oldest
    first) and the latest approval (None: never approved)."""

    assessment_id: int
    status: str
    flag: str
    steps: tuple[ReviewStep, ...]
    approval: ReviewStep | None

    def to_report(self) -> dict[str, Any]:
        """The report's ``review`` member (see ``airegime.render.report_data``): plain data."""
        approval = self.approval if self.status == "approved" else None
        return {
            "status": self.status,
            "reviewer": approval.actor if approval else "",
            "approved_at": approval.at.isoformat() if approval else "",
            "opinion": approval.opinion if approval else "",
            "flag": self.flag,
            "last_approved_at": self.approval.at.isoformat() if self.approval else "",
        }


@dataclass(frozen=True, slots=True)
class ApprovedVersion:
    """An approved snapshot: the step, the descriptor then and the result then."""

    step: ReviewStep
    descriptor: dict[str, Any]
    result: Assessment


@dataclass(frozen=True, slots=True)
class ArchivedItem:
    id: int
    name: str
    organisation: str
    archived_at: datetime


class Reviews:
    """The review of one organisation's assessments (``repo``: scoped to it, with the actor)."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    # Reading

    def state(self, assessment_id: int) -> ReviewState:
        with self.repo._reads() as session:
            row = self._row(session, assessment_id)
            rows = session.scalars(
                select(ReviewRow).where(ReviewRow.assessment_id == assessment_id).order_by(ReviewRow.id)
            ).all()
            steps = tuple(_step(r) for r in rows)
            approval = next((s for s in reversed(steps) if s.step == "approved"), None)
            return ReviewState(row.id, row.status, row.review_flag, steps, approval)

    def badges(self, assessment_ids: list[int]) -> dict[int, tuple[str, str]]:
        """Status and flag of the listed assessments that are not drafts (the home page's badges), one query."""
        if not assessment_ids:
            return {}
        query = select(AssessmentRow.id, AssessmentRow.status, AssessmentRow.review_flag).where(
            AssessmentRow.organisation_id == self.repo.organisation_id,
            AssessmentRow.id.in_(assessment_ids),
            AssessmentRow.status != "draft",
        )
        with self.repo._reads() as session:
            return {r.id: (r.status, r.review_flag) for r in session.execute(query)}

    def approved_version(self, assessment_id: int, review_id: int | None = None) -> ApprovedVersion:
        """The latest approved snapshot (or the approval ``review_id``); NotFoundError if there is none."""
        with self.repo._reads() as session:
            self._row(session, assessment_id)
            query = select(ReviewRow).where(ReviewRow.assessment_id == assessment_id, ReviewRow.step == "approved")
            if review_id is not None:
                query = query.where(ReviewRow.id == review_id)
            found = session.scalars(query.order_by(ReviewRow.id.desc()).limit(1)).first()
            if found is None:
                raise NotFoundError(
                    msg("error.review.no_approved", id=assessment_id), hint=msg("error.review.no_approved.hint")
                )
            return ApprovedVersion(
                _step(found), json.loads(found.descriptor_json), Assessment.from_dict(json.loads(found.result_json))
            )

    # Steps

    def submit(self, assessment_id: int, message: str = "") -> ReviewState:
        """Send a draft for review (an editor), with an optional message."""
        text = _text("message", message, required=False)
        with self.repo._sessions.begin() as session:
            row = self._row(session, assessment_id, for_update=True)
            _expect(row, ("draft",), msg("error.review.send_only"))
            row.status = "in_review"
            self._step(session, row, "submitted", text)
        return self.state(assessment_id)

    def approve(self, assessment_id: int, opinion: str) -> ReviewState:
        """Approve (an admin) with a written opinion: the assessment in review, or an approved one
        flagged by a rule-set change (approving it again under the current rules). Stores the snapshot."""
        text = _text("opinion", opinion, required=True)
        with self.repo._sessions.begin() as session:
            row = self._row(session, assessment_id, for_update=True)
            if not (row.status == "in_review" or (row.status == "approved" and row.review_flag)):
                raise ReviewStateError(
                    msg(
                        "error.review.state", id=row.id, status=STATES[row.status], why=msg("error.review.approve_only")
                    ),
                    hint=msg("error.review.approve_only.hint"),
                )
            system = state.load(session, self.repo.organisation_id, row.id, row=row).system()
            result = evaluate(kb=self.repo.kb, system=system)
            row.status, row.review_flag = "approved", ""
            self._step(
                session,
                row,
                "approved",
                text,
                descriptor_json=json.dumps(system.to_dict(), ensure_ascii=False),
                result_json=json.dumps(result.to_dict(), ensure_ascii=False),
                rule_set_version=result.rule_set_version,
                rule_set_hash=result.rule_set_hash,
            )
        return self.state(assessment_id)

    def return_to_draft(self, assessment_id: int, reason: str) -> ReviewState:
        """Return an assessment in review (or approved) to draft (an admin), with the reason."""
        text = _text("reason", reason, required=True)
        with self.repo._sessions.begin() as session:
            row = self._row(session, assessment_id, for_update=True)
            _expect(row, ("in_review", "approved"), msg("error.review.return_only"))
            row.status, row.review_flag = "draft", ""
            self._step(session, row, "returned", text)
        return self.state(assessment_id)

    # Archive

    def archived(self) -> tuple[ArchivedItem, ...]:
        """The organisation's archived assessments, most recently archived first."""
        query = (
            select(AssessmentRow.id, AssessmentRow.name, AssessmentRow.organisation, AssessmentRow.archived_at)
            .where(AssessmentRow.organisation_id == self.repo.organisation_id, AssessmentRow.archived_at.is_not(None))
            .order_by(AssessmentRow.archived_at.desc(), AssessmentRow.id.desc())
        )
        with self.repo._reads() as session:
            return tuple(
                ArchivedItem(r.id, r.name, r.organisation, as_utc(r.archived_at)) for r in session.execute(query)
            )

    def archive(self, assessment_id: int) -> None:
        """What deleting does: out of the lists, restorable by an admin."""
        with self.repo._sessions.begin() as session:
            row = self._row(session, assessment_id)
            row.archived_at = now()
            self._audit(session, "assessment.archived", row)

    def restore(self, assessment_id: int) -> None:
        with self.repo._sessions.begin() as session:
            row = self._row(session, assessment_id, archived=True)
            row.archived_at = None
            self._audit(session, "assessment.restored", row)

    def purge(self, assessment_id: int) -> str:
        """Delete an ARCHIVED assessment for good, with its history, results and reviews; its name stays
        in the audit log. Returns the name."""
        with self.repo._sessions.begin() as session:
            row = self._row(session, assessment_id, archived=True)
            name = row.name
            self._audit(session, "assessment.purged", row)
            session.delete(row)
        return name

    # Inside a transaction

    def _row(
        self, session: Session, assessment_id: int, *, for_update: bool = False, archived: bool = False
    ) -> AssessmentRow:
        """This organisation's assessment (``archived``: an archived one; else an active one)."""
        row = session.get(AssessmentRow, assessment_id, with_for_update=for_update)
        if row is None or row.organisation_id != self.repo.organisation_id or (row.archived_at is not None) != archived:
            raise NotFoundError(
                msg("error.review.none_archived" if archived else "error.review.none_saved", id=assessment_id),
                hint=msg("error.storage.deleted"),
            )
        return row

    def _step(self, session: Session, row: AssessmentRow, step: str, opinion: str, **snapshot: str) -> None:
        session.add(
            ReviewRow(assessment_id=row.id, step=step, actor=self.repo.actor, at=now(), opinion=opinion, **snapshot)
        )
        self._audit(session, f"review.{step}", row, opinion)

    def _audit(self, session: Session, action: str, row: AssessmentRow, detail: str = "") -> None:
        audit_assessment(session, row, action, detail, actor=self.repo.actor, address=self.repo.address)


# Hooks the repository calls inside its own transactions


def reopen_if_approved(repo: Repository, session: Session, assessment_id: int, kind: str) -> None:
    """A change recorded (event ``kind``) on an approved assessment puts it back to draft; the
    approved snapshot stays in ``reviews``. Called by the repository for every event it writes."""
    if kind in NOT_EDITS:
        return
    row = session.get(AssessmentRow, assessment_id)  # already in the session: no query
    if row is None or row.status != "approved":
        return
    row.status, row.review_flag = "draft", ""
    audit_assessment(session, row, "review.reopened", kind, actor=repo.actor, address=repo.address)


def flag_if_changed(repo: Repository, session: Session, row: AssessmentRow, after: Assessment) -> bool:
    """After a re-check: flag an approved assessment whose result under the current rules differs
    from the approved one (a ``flagged`` step, the audit log, ``review_flag`` saying why). Returns
    whether it flagged it."""
    if row.status != "approved" or row.review_flag:
        return False
    approved = session.scalars(
        select(ReviewRow)
        .where(ReviewRow.assessment_id == row.id, ReviewRow.step == "approved")
        .order_by(ReviewRow.id.desc())
        .limit(1)
    ).first()
    if approved is None:
        return False
    before = Assessment.from_dict(json.loads(approved.result_json))
    if not any(change.changed for change in phase_changes(before, after)) and len(before.phases) == len(after.phases):
        return False
    why = f"rule set {approved.rule_set_version} → {after.rule_set_version}: the result differs from the approved one"
    row.review_flag = why
    session.add(
        ReviewRow(
            assessment_id=row.id,
            step="flagged",
            actor=repo.actor,
            at=now(),
            opinion=why,
            rule_set_version=after.rule_set_version,
            rule_set_hash=after.rule_set_hash,
        )
    )
    audit_assessment(session, row, "review.flagged", why, actor=repo.actor, address=repo.address)
    return True


def flag_approvals_the_rules_change(repo: Repository) -> int:
    """Flag, in every organisation, the approved assessments whose approved result differs under the
    repository's rule set (``airegime serve`` calls it at start-up, so a rule-set update flags them
    without waiting for a re-check). Only approvals made under another rule set are evaluated; an
    approved assessment holds exactly its approved answers (any edit reopens it), so its snapshot is
    what the current rules see. Returns how many were flagged."""
    from airegime.system import parse_system

    latest = (
        select(ReviewRow.assessment_id, func.max(ReviewRow.id).label("review_id"))
        .where(ReviewRow.step == "approved")
        .group_by(ReviewRow.assessment_id)
        .subquery()
    )
    query = (
        select(AssessmentRow.id, AssessmentRow.organisation_id, ReviewRow.descriptor_json)
        .join(latest, latest.c.assessment_id == AssessmentRow.id)
        .join(ReviewRow, ReviewRow.id == latest.c.review_id)
        .where(
            AssessmentRow.status == "approved",
            AssessmentRow.review_flag == "",
            AssessmentRow.archived_at.is_(None),
            ReviewRow.rule_set_hash != repo.kb.hash,
        )
    )
    with repo._reads() as session:
        candidates = session.execute(query).all()
    flagged = 0
    for assessment_id, organisation_id, descriptor in candidates:
        after = evaluate(kb=repo.kb, system=parse_system(json.loads(descriptor), kb=repo.kb))
        scoped = repo.scoped(organisation_id, actor=RULES_ACTOR)
        with scoped._sessions.begin() as session:
            row = session.get(AssessmentRow, assessment_id, with_for_update=True)
            if row is not None:  # another server process may have flagged it meanwhile: then a no-op
                flagged += flag_if_changed(scoped, session, row, after)
    return flagged


def _step(row: ReviewRow) -> ReviewStep:
    return ReviewStep(row.id, row.step, row.actor, as_utc(row.at), row.opinion, row.rule_set_version, row.rule_set_hash)


STATES = {
    "draft": msg("error.review.status.draft"),
    "in_review": msg("error.review.status.in_review"),
    "approved": msg("error.review.status.approved"),
}
FIELDS = {  # the texts a review step takes
    "message": msg("error.review.field.message"),
    "opinion": msg("error.review.field.opinion"),
    "reason": msg("error.review.field.reason"),
}


def _expect(row: AssessmentRow, statuses: tuple[str, ...], why: Message) -> None:
    if row.status not in statuses:
        raise ReviewStateError(
            msg("error.review.state", id=row.id, status=STATES[row.status], why=why),
            hint=msg("error.review.state.hint"),
        )


def _text(field: str, value: str, *, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise StorageError(
            msg("error.review.required", field=FIELDS[field]),
            hint=msg("error.review.required.hint", field=FIELDS[field]),
        )
    if len(text) > MAX_OPINION:
        raise StorageError(
            msg("error.review.too_long", field=FIELDS[field], limit=MAX_OPINION), hint=msg("error.shorten")
        )
    return text
