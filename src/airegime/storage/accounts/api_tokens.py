"""API tokens: random secrets (only their SHA-256 is stored) that act for their owner in one
organisation, with at most the owner's role; shown once, revoked but never deleted.

Functions here work inside the caller's transaction (``Accounts`` opens it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from airegime.errors import AccountError, msg
from airegime.storage.accounts.people import organisation_row, user_row
from airegime.storage.accounts.principal import ROLES, Principal, Role, role_of
from airegime.storage.audit import write_audit
from airegime.storage.models import ApiTokenRow, MembershipRow, OrganisationRow, UserRow, as_utc, digest, now

TOKEN_PREFIX = "air_"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    name: str
    username: str
    role: Role
    created_at: datetime
    expires_at: datetime | None
    revoked: bool


def check_new_token(name: str, role: str) -> str:
    """A new token's name as stored (stripped), refused if empty or too long, or its role unknown."""
    if role not in ROLES:
        raise AccountError(msg("error.accounts.no_role", role=role), hint=msg("error.choose", choices=", ".join(ROLES)))
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise AccountError(
            msg("error.accounts.token_name"), hint=msg("error.accounts.token_name.hint", example="CI pipeline")
        )
    return name


def create_token(
    session: Session, username: str, organisation: str, *, name: str, role: str, days: int | None, actor: str
) -> str:
    """``name`` and ``role``: checked by ``check_new_token`` already."""
    user, org = user_row(session, username), organisation_row(session, organisation)
    membership = session.get(MembershipRow, (user.id, org.id))
    if membership is None:
        raise AccountError(
            msg("error.accounts.not_member", user=user.username, org=org.name),
            hint=msg("error.accounts.not_member.hint"),
        )
    if ROLES.index(role) > ROLES.index(role_of(membership.role)):
        raise AccountError(
            msg("error.accounts.token_role", role=membership.role), hint=msg("error.accounts.token_role.hint")
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiTokenRow(
            token_hash=digest(token),
            user_id=user.id,
            organisation_id=org.id,
            name=name,
            role=role,
            created_at=now(),
            expires_at=now() + timedelta(days=days) if days else None,
        )
    )
    write_audit(session, org.id, actor, "token.created", name, f"{user.username}, {role}")
    return token


def principal_for_token(session: Session, token: str) -> Principal | None:
    """Who acts with this API token: its owner, with the lower of the token's and the owner's roles."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    query = (
        select(
            UserRow.id,
            UserRow.username,
            OrganisationRow.id,
            OrganisationRow.name,
            ApiTokenRow.role,
            MembershipRow.role,
        )
        .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
        .join(
            MembershipRow,
            and_(MembershipRow.user_id == UserRow.id, MembershipRow.organisation_id == ApiTokenRow.organisation_id),
        )
        .join(OrganisationRow, OrganisationRow.id == ApiTokenRow.organisation_id)
        .where(
            ApiTokenRow.token_hash == digest(token),
            ApiTokenRow.revoked_at.is_(None),
            or_(ApiTokenRow.expires_at.is_(None), ApiTokenRow.expires_at > now()),
            UserRow.disabled_at.is_(None),
        )
    )
    row = session.execute(query).first()
    if row is None:
        return None
    role = min(role_of(row[4]), role_of(row[5]), key=ROLES.index)
    return Principal(row[1], row[2], row[3], role, row[0])


def tokens(session: Session, organisation_id: int, *, username: str | None = None) -> tuple[TokenInfo, ...]:
    query = (
        select(ApiTokenRow, UserRow.username)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(ApiTokenRow.organisation_id == organisation_id)
        .order_by(ApiTokenRow.id.desc())
    )
    if username is not None:
        query = query.where(UserRow.username == username)
    return tuple(
        TokenInfo(
            t.id,
            t.name,
            owner,
            role_of(t.role),
            as_utc(t.created_at),
            as_utc(t.expires_at) if t.expires_at else None,
            t.revoked_at is not None,
        )
        for t, owner in session.execute(query)
    )


def revoke_token(session: Session, token_id: int, organisation_id: int, *, actor: str, username: str | None) -> None:
    token = session.get(ApiTokenRow, token_id)
    owner = session.get(UserRow, token.user_id) if token else None
    if (
        token is None
        or owner is None
        or token.organisation_id != organisation_id
        or (username is not None and owner.username != username)
    ):
        raise AccountError(msg("error.accounts.no_token", id=token_id), hint=msg("error.storage.reload"))
    token.revoked_at = token.revoked_at or now()
    write_audit(session, organisation_id, actor, "token.revoked", token.name, owner.username)
