"""Logging in: a password checked under the login throttle, and the login sessions it opens.

A login cookie is random and only its SHA-256 is stored, so a copy of the database gives no way
in. ``login`` and ``change_own_password`` run their own transactions: an attempt is counted
before the password is checked, and a failure is committed (with its audit entry) before it is
raised. The other functions work inside the caller's transaction.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker

from airegime.errors import AccountError, LoginRefused, LoginThrottled, msg
from airegime.storage.accounts import passwords
from airegime.storage.accounts.people import audit_user, user_row
from airegime.storage.accounts.principal import Principal, role_of
from airegime.storage.accounts.throttle import count_attempt, forgive, sweep, throttle_keys
from airegime.storage.audit import write_audit
from airegime.storage.models import LoginSessionRow, MembershipRow, OrganisationRow, UserRow, digest, now

SESSION_LIFETIME = timedelta(hours=12)


def login(writes: sessionmaker[Session], username: str, password: str, *, address: str) -> tuple[str, Principal]:
    """Check the password; return a new session's cookie value and who logged in.

    Raises LoginThrottled after too many recent failures (before even checking the
    password), LoginRefused otherwise. Both are written to the audit log.
    """
    name = username.strip().lower()[:100]
    keys = throttle_keys(name, address)
    wait = count_attempt(writes, keys)  # counted as a failure until the password proves right
    if wait:
        with writes.begin() as session:
            user = user_row(session, name, required=False)
            audit_user(session, user, name, "login.throttled", name, address=address)
        raise LoginThrottled(wait)  # raised once the entry is committed
    with writes.begin() as session:
        user = user_row(session, name, required=False)
        membership = None
        if user is not None:
            membership = session.scalars(
                select(MembershipRow).where(MembershipRow.user_id == user.id).order_by(MembershipRow.organisation_id)
            ).first()
        if not passwords.password_matches(user.password_hash if user else None, password) or (
            user is None or user.disabled_at is not None or membership is None
        ):
            audit_user(session, user, name, "login.failed", name, address=address)
            failed = True
        else:
            failed = False
            forgive(session, keys)
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(password)
            token = secrets.token_urlsafe(32)
            session.add(
                LoginSessionRow(
                    token_hash=digest(token),
                    user_id=user.id,
                    organisation_id=membership.organisation_id,
                    created_at=now(),
                    expires_at=now() + SESSION_LIFETIME,
                )
            )
            write_audit(session, membership.organisation_id, name, "login.succeeded", name, address=address)
            organisation = session.get(OrganisationRow, membership.organisation_id)
            assert organisation is not None  # a membership's organisation exists (foreign key)
            principal = Principal(user.username, organisation.id, organisation.name, role_of(membership.role), user.id)
    if failed:  # committed above: the failure counts even though the login is refused
        sweep(writes)
        raise LoginRefused(msg("error.login.wrong"), hint=msg("error.login.wrong.hint", failures=5, minutes=15))
    return token, principal


def change_own_password(
    reads: sessionmaker[Session],
    writes: sessionmaker[Session],
    user_id: int,
    current: str,
    new: str,
    *,
    keep_session: str,
    address: str = "",
) -> None:
    """Someone logged in changes their password: the current one is checked (and its failures
    counted like failed logins); their other browsers are logged out, not this one."""
    with reads() as session:
        user = session.get(UserRow, user_id)
        if user is None or user.disabled_at is not None:
            raise LoginRefused(msg("error.login.wrong_password"), hint=msg("error.login.again"))
        name, stored = user.username, user.password_hash
    passwords.check_password(new, name)
    keys = throttle_keys(name, address)
    wait = count_attempt(writes, keys)
    if wait:
        raise LoginThrottled(wait)
    matches = passwords.password_matches(stored, current)
    with writes.begin() as session:
        user = user_row(session, name)
        if not matches or user.password_hash != stored:
            audit_user(session, user, name, "password.refused", name, address=address)
            failed = True
        else:
            failed = False
            user.password_hash = passwords.hash_password(new)
            session.query(LoginSessionRow).filter(
                LoginSessionRow.user_id == user.id, LoginSessionRow.token_hash != digest(keep_session)
            ).delete()
            forgive(session, keys)
            audit_user(session, user, name, "user.password", name, address=address)
    if failed:
        raise LoginRefused(msg("error.login.wrong_password"), hint=msg("error.login.current_password"))


def principal_for_session(session: Session, token: str) -> Principal | None:
    """Who is logged in with this cookie (None: unknown, expired, or no longer a member)."""
    query = (
        select(UserRow.id, UserRow.username, OrganisationRow.id, OrganisationRow.name, MembershipRow.role)
        .join(LoginSessionRow, LoginSessionRow.user_id == UserRow.id)
        .join(
            MembershipRow,
            and_(
                MembershipRow.user_id == UserRow.id,
                MembershipRow.organisation_id == LoginSessionRow.organisation_id,
            ),
        )
        .join(OrganisationRow, OrganisationRow.id == LoginSessionRow.organisation_id)
        .where(
            LoginSessionRow.token_hash == digest(token),
            LoginSessionRow.expires_at > now(),
            UserRow.disabled_at.is_(None),
        )
    )
    row = session.execute(query).first()
    return Principal(row[1], row[2], row[3], role_of(row[4]), row[0]) if row else None


def switch_organisation(session: Session, token: str, organisation_id: int) -> None:
    login = session.scalars(select(LoginSessionRow).where(LoginSessionRow.token_hash == digest(token))).first()
    if login is None or session.get(MembershipRow, (login.user_id, organisation_id)) is None:
        raise AccountError(msg("error.login.not_member"), hint=msg("error.login.not_member.hint"))
    login.organisation_id = organisation_id


def logout(session: Session, token: str, principal: Principal | None, *, address: str = "") -> None:
    """End the login session of ``token`` (``principal``: who it was, if it was still valid)."""
    session.query(LoginSessionRow).filter(LoginSessionRow.token_hash == digest(token)).delete()
    if principal:
        write_audit(
            session, principal.organisation_id, principal.username, "logout", principal.username, address=address
        )
