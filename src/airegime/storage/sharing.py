"""Read-only links for someone outside the organisation: an editor makes one for an assessment,
valid 1 to 30 days, revocable; whoever holds it sees that assessment's result (no login, no
answers editing) until it expires or is revoked.

A link is its random token (256 bits, ``secrets``); only the token's SHA-256 is stored, and a
link is found by looking that digest up (one indexed query: no token is ever compared as it is,
and the stored digests reveal no token). A token not of the right shape is not looked up at all.
Making, revoking and every use of a link go to the audit log of the assessment's organisation.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, select

from airegime.errors import DescriptorError, NotFoundError, msg
from airegime.storage.audit import write_audit
from airegime.storage.database import sessions
from airegime.storage.models import AssessmentRow, ShareLinkRow, as_utc, digest, now
from airegime.storage.repository import Repository

MIN_DAYS, MAX_DAYS = 1, 30
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
SHARED_ACTOR = "shared link"  # who the audit log names when a link is used


@dataclass(frozen=True, slots=True)
class ShareLink:
    id: int
    assessment_id: int
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def state(self, moment: datetime | None = None) -> Literal["active", "expired", "revoked"]:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= (moment or now()) else "active"


@dataclass(frozen=True, slots=True)
class Opened:
    """What a link opens: the assessment, in its organisation (``state``: whether it still may)."""

    link: ShareLink
    organisation_id: int
    assessment_id: int
    state: Literal["active", "expired", "revoked"]


class ShareLinks:
    """The share links of the repository's organisation."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def create(self, assessment_id: int, *, days: int) -> tuple[str, ShareLink]:
        """A new link valid ``days`` days (1 to 30); returns its token (shown once, never stored) and the link."""
        if not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
            raise DescriptorError(
                msg("error.sharing.days", min=MIN_DAYS, max=MAX_DAYS),
                location="days",
                hint=msg("error.sharing.days.hint"),
            )
        token = secrets.token_urlsafe(32)
        moment = now()
        with self.repo._sessions.begin() as session:
            assessment = self.repo._row(session, assessment_id)
            row = ShareLinkRow(
                token_hash=digest(token),
                assessment_id=assessment_id,
                created_by=self.repo.actor,
                created_at=moment,
                expires_at=moment + timedelta(days=days),
            )
            session.add(row)
            session.flush()
            self.repo._audit(session, "share.created", assessment, f"link #{row.id}, {days} days")
            return token, _link(row)

    def list(self, assessment_id: int) -> tuple[ShareLink, ...]:
        with self.repo._reads() as session:
            self.repo._row(session, assessment_id)
            rows = session.scalars(
                select(ShareLinkRow).where(ShareLinkRow.assessment_id == assessment_id).order_by(ShareLinkRow.id.desc())
            )
            return tuple(_link(row) for row in rows)

    def revoke(self, assessment_id: int, link_id: int) -> ShareLink:
        """Revoke a link (at once: its next use is refused); revoking it again changes nothing."""
        with self.repo._sessions.begin() as session:
            assessment = self.repo._row(session, assessment_id)
            row = session.get(ShareLinkRow, link_id)
            if row is None or row.assessment_id != assessment_id:
                raise NotFoundError(msg("error.sharing.no_link", id=link_id), hint=msg("error.storage.reload"))
            if row.revoked_at is None:
                row.revoked_at = now()
                self.repo._audit(session, "share.revoked", assessment, f"link #{row.id}")
            return _link(row)


def open_link(engine: Engine, token: str, *, address: str = "") -> Opened | None:
    """The assessment a token opens, or None for a token that is no link (or not one's shape).
    Every use of a link that exists is logged, refused ones (expired, revoked) too."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    _reads, writes = sessions(engine)
    with writes.begin() as session:
        found = session.execute(
            select(ShareLinkRow, AssessmentRow.organisation_id, AssessmentRow.name)
            .join(AssessmentRow, AssessmentRow.id == ShareLinkRow.assessment_id)
            .where(ShareLinkRow.token_hash == digest(token))
        ).first()
        if found is None:
            return None
        row, organisation_id, name = found
        link = _link(row)
        state = link.state()
        write_audit(
            session,
            organisation_id=organisation_id,
            actor=SHARED_ACTOR,
            action="share.opened" if state == "active" else f"share.refused_{state}",
            target=f"#{row.assessment_id} {name}",
            detail=f"link #{row.id}",
            address=address,
        )
    return Opened(link, organisation_id, link.assessment_id, state)


def _link(row: ShareLinkRow) -> ShareLink:
    return ShareLink(
        row.id,
        row.assessment_id,
        row.created_by,
        as_utc(row.created_at),
        as_utc(row.expires_at),
        as_utc(row.revoked_at) if row.revoked_at else None,
    )
