"""Accounts: people, organisations and their roles, login sessions, API tokens.

While no account exists, the app is one person's tool on their own machine: everything belongs
to the default organisation and the app only listens on loopback (``airegime serve`` refuses
other addresses). The first ``airegime users add`` turns accounts on, for good: from then on
every page and API call needs a login or a token, even once every account is disabled or has
left its organisations (``airegime users recover`` lets an operator back in).

Passwords are hashed with Argon2id and must not be easy to guess (zxcvbn's estimate, which
knows the common passwords); login cookies and API tokens are random and only their SHA-256 is
stored, so a copy of the database gives no way in. Failed logins are counted in the table
``login_throttle`` (it holds across workers and restarts): per account and address, per account
and per address, each counted up before the password is checked, by one atomic statement.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import DateTime, Engine, Table, and_, case, delete, exists, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from airegime.errors import AccountError, LoginRefused, LoginThrottled, WeakPassword
from airegime.storage.audit import write_audit
from airegime.storage.database import sessions
from airegime.storage.models import (
    DEFAULT_ORGANISATION_ID,
    ApiTokenRow,
    AuditRow,
    LoginSessionRow,
    LoginThrottleRow,
    MembershipRow,
    OrganisationRow,
    UserRow,
    as_utc,
    digest,
    now,
)

Role = Literal["reader", "editor", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
SESSION_LIFETIME = timedelta(hours=12)
FAILURE_WINDOW = timedelta(minutes=15)
# Failed logins allowed in a window of 15 minutes (from the first failure), then refused untried:
MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5  # one account from one address (the person elsewhere still can)
MAX_FAILURES_PER_ACCOUNT = 50  # one account from every address (ten addresses to lock a person out)
MAX_FAILURES_PER_ADDRESS = 100  # one address guessing many names (behind an untrusted proxy: everyone)
TOKEN_PREFIX = "air_"
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,99}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 1024
MIN_PASSWORD_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable", well beyond the common passwords
HASHER = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile (tests swap in a cheaper one)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting, in which organisation, with which role."""

    username: str
    organisation_id: int
    organisation: str
    role: Role
    user_id: int | None = None  # None: the local person, while no account exists

    def can(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


LOCAL = Principal("local", DEFAULT_ORGANISATION_ID, "default", "admin")


@dataclass(frozen=True, slots=True)
class Membership:
    organisation_id: int
    organisation: str
    role: Role


@dataclass(frozen=True, slots=True)
class UserInfo:
    username: str
    disabled: bool
    created_at: datetime
    memberships: tuple[Membership, ...]


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    name: str
    username: str
    role: Role
    created_at: datetime
    expires_at: datetime | None
    revoked: bool


class Accounts:
    """The accounts stored in one database. ``actor`` arguments name who acts, for the audit log."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reads, self._sessions = sessions(engine)

    def exist(self) -> bool:
        """Whether accounts are on: some account exists or ever existed, enabled or not, member or not.

        Once on, never off again: an app whose last member was disabled or removed stays closed
        (nobody logs in until `airegime users recover`) instead of opening to anyone on loopback.
        The append-only audit log remembers an account whose row was deleted by hand.
        """
        ever = exists().where(AuditRow.action == "user.created")
        query = select(or_(exists().where(UserRow.id.is_not(None)), ever))
        with self._reads() as session:
            return bool(session.scalar(query))

    # Organisations and people

    def organisations(self) -> tuple[tuple[int, str], ...]:
        with self._reads() as session:
            rows = session.execute(select(OrganisationRow.id, OrganisationRow.name).order_by(OrganisationRow.name))
            return tuple((row.id, row.name) for row in rows)

    def rename_organisation(self, old: str, new: str, *, actor: str) -> None:
        new = _organisation_name(new)
        with self._sessions.begin() as session:
            row = self._organisation(session, old)
            if session.scalar(select(OrganisationRow.id).where(OrganisationRow.name == new)) is not None:
                raise AccountError(f"an organisation named '{new}' exists already", hint="choose another name")
            row.name = new
            self._audit(session, row.id, actor, "organisation.renamed", old, f"{old} → {new}")

    def add_user(self, username: str, password: str, *, organisation: str, role: str, actor: str) -> bool:
        """A new account with ``role`` in ``organisation`` (created if new: then True), in one transaction."""
        username = check_username(username)
        check_password(password, username)
        with self._sessions.begin() as session:
            if self._user(session, username, required=False) is not None:
                raise AccountError(f"the account '{username}' exists already", hint="use `airegime users role`")
            user = UserRow(username=username, password_hash=HASHER.hash(password), created_at=now())
            session.add(user)
            session.flush()
            self._audit(session, None, actor, "user.created", username)
            return self._set_role(session, user, organisation, role, actor=actor, create=True)

    def set_password(self, username: str, password: str, *, actor: str) -> None:
        """A new password (its browsers are logged out), and the account's login lockout lifted."""
        with self._sessions.begin() as session:
            user = self._user(session, username)
            check_password(password, user.username)
            user.password_hash = HASHER.hash(password)
            # Every browser logged in with the old password is logged out.
            session.query(LoginSessionRow).filter(LoginSessionRow.user_id == user.id).delete()
            _unlock(session, user.username)
            self._audit_user(session, user, actor, "user.password", user.username)

    def change_own_password(
        self, user_id: int, current: str, new: str, *, keep_session: str, address: str = ""
    ) -> None:
        """Someone logged in changes their password: the current one is checked (and its failures
        counted like failed logins); their other browsers are logged out, not this one."""
        with self._reads() as session:
            user = session.get(UserRow, user_id)
            if user is None or user.disabled_at is not None:
                raise LoginRefused("wrong password", hint="log in again")
            name, stored = user.username, user.password_hash
        check_password(new, name)
        keys = _throttle_keys(name, address)
        wait = self._count_attempt(keys)
        if wait:
            raise LoginThrottled(wait)
        matches = _password_matches(stored, current)
        with self._sessions.begin() as session:
            user = self._user(session, name)
            if not matches or user.password_hash != stored:
                self._audit_user(session, user, name, "password.refused", name, address=address)
                failed = True
            else:
                failed = False
                user.password_hash = HASHER.hash(new)
                session.query(LoginSessionRow).filter(
                    LoginSessionRow.user_id == user.id, LoginSessionRow.token_hash != digest(keep_session)
                ).delete()
                _forgive(session, keys)
                self._audit_user(session, user, name, "user.password", name, address=address)
        if failed:
            raise LoginRefused("wrong password", hint="type your current password")

    def set_disabled(self, username: str, disabled: bool, *, actor: str, force: bool = False) -> None:
        """Disable (or enable) an account; disabling the last enabled admin needs ``force``."""
        with self._sessions.begin() as session:
            user = self._user(session, username)
            had_admin = _an_admin_is_enabled(session)
            user.disabled_at = now() if disabled else None
            if disabled:
                session.query(LoginSessionRow).filter(LoginSessionRow.user_id == user.id).delete()
            _keep_an_admin(session, had_admin, force, f"disable '{user.username}'")
            self._audit_user(session, user, actor, "user.disabled" if disabled else "user.enabled", user.username)

    def set_role(
        self, username: str, organisation: str, role: str, *, actor: str, create: bool = False, force: bool = False
    ) -> bool:
        """Give ``username`` ``role`` in ``organisation`` (created when ``create``); True if it was created.
        Demoting the last enabled admin needs ``force``."""
        with self._sessions.begin() as session:
            had_admin = _an_admin_is_enabled(session)
            user = self._user(session, username)
            created = self._set_role(session, user, organisation, role, actor=actor, create=create)
            _keep_an_admin(session, had_admin, force, f"make '{user.username}' {role}")
            return created

    def remove_member(self, username: str, organisation: str, *, actor: str, force: bool = False) -> None:
        """Take an account out of an organisation; removing the last enabled admin needs ``force``."""
        with self._sessions.begin() as session:
            user, org = self._user(session, username), self._organisation(session, organisation)
            membership = session.get(MembershipRow, (user.id, org.id))
            if membership is None:
                raise AccountError(
                    f"'{user.username}' is not a member of '{org.name}'", hint="see `airegime users list`"
                )
            had_admin = _an_admin_is_enabled(session)
            session.delete(membership)
            session.flush()
            _keep_an_admin(session, had_admin, force, f"remove '{user.username}' from '{org.name}'")
            for table in (LoginSessionRow, ApiTokenRow):
                session.query(table).filter(table.user_id == user.id, table.organisation_id == org.id).delete()
            self._audit(session, org.id, actor, "member.removed", user.username)

    def recover(self, username: str, password: str, *, organisation: str | None, actor: str) -> str:
        """Let an operator back in: the account (created if new) gets ``password``, is enabled, made
        admin of ``organisation`` (by default its first, or the default organisation) and its login
        lockout is lifted; its browsers are logged out. Returns the organisation's name."""
        name = check_username(username)
        check_password(password, name)
        with self._sessions.begin() as session:
            user = self._user(session, name, required=False)
            if user is None:
                user = UserRow(username=name, password_hash="", created_at=now())
                session.add(user)
                session.flush()
                self._audit(session, None, actor, "user.created", name)
            if organisation is None:
                first = session.scalar(
                    select(OrganisationRow.name)
                    .join(MembershipRow, MembershipRow.organisation_id == OrganisationRow.id)
                    .where(MembershipRow.user_id == user.id)
                    .order_by(OrganisationRow.id)
                )
                default = session.get(OrganisationRow, DEFAULT_ORGANISATION_ID)
                organisation = first or (default.name if default else "")
            user.password_hash = HASHER.hash(password)
            user.disabled_at = None
            session.query(LoginSessionRow).filter(LoginSessionRow.user_id == user.id).delete()
            self._set_role(session, user, organisation, "admin", actor=actor, create=False)
            _unlock(session, name)
            self._audit_user(session, user, actor, "user.recovered", name)
            return _organisation_name(organisation)

    def unlock(self, username: str, *, actor: str) -> None:
        """Lift an account's login lockout (from every address), before its window ends."""
        with self._sessions.begin() as session:
            user = self._user(session, username)
            _unlock(session, user.username)
            self._audit_user(session, user, actor, "user.unlocked", user.username)

    def users(self) -> tuple[UserInfo, ...]:
        with self._reads() as session:
            users = session.scalars(select(UserRow).order_by(UserRow.username)).all()
            memberships = session.execute(
                select(MembershipRow.user_id, OrganisationRow.id, OrganisationRow.name, MembershipRow.role)
                .join(OrganisationRow, OrganisationRow.id == MembershipRow.organisation_id)
                .order_by(OrganisationRow.name)
            ).all()
        by_user: dict[int, list[Membership]] = {}
        for user_id, org_id, org_name, role in memberships:
            by_user.setdefault(user_id, []).append(Membership(org_id, org_name, _role(role)))
        return tuple(
            UserInfo(u.username, u.disabled_at is not None, as_utc(u.created_at), tuple(by_user.get(u.id, ())))
            for u in users
        )

    def members(self, organisation_id: int) -> tuple[tuple[str, Role, bool], ...]:
        """(name, role, disabled) of everyone in the organisation."""
        with self._reads() as session:
            rows = session.execute(
                select(UserRow.username, MembershipRow.role, UserRow.disabled_at)
                .join(MembershipRow, MembershipRow.user_id == UserRow.id)
                .where(MembershipRow.organisation_id == organisation_id)
                .order_by(UserRow.username)
            )
            return tuple((r.username, _role(r.role), r.disabled_at is not None) for r in rows)

    def memberships(self, user_id: int) -> tuple[Membership, ...]:
        with self._reads() as session:
            rows = session.execute(
                select(OrganisationRow.id, OrganisationRow.name, MembershipRow.role)
                .join(MembershipRow, MembershipRow.organisation_id == OrganisationRow.id)
                .where(MembershipRow.user_id == user_id)
                .order_by(OrganisationRow.name)
            )
            return tuple(Membership(r.id, r.name, _role(r.role)) for r in rows)

    # Logging in

    def login(self, username: str, password: str, *, address: str) -> tuple[str, Principal]:
        """Check the password; return a new session's cookie value and who logged in.

        Raises LoginThrottled after too many recent failures (before even checking the
        password), LoginRefused otherwise. Both are written to the audit log.
        """
        name = username.strip().lower()[:100]
        keys = _throttle_keys(name, address)
        wait = self._count_attempt(keys)  # counted as a failure until the password proves right
        if wait:
            with self._sessions.begin() as session:
                user = self._user(session, name, required=False)
                self._audit_user(session, user, name, "login.throttled", name, address=address)
            raise LoginThrottled(wait)  # raised once the entry is committed
        with self._sessions.begin() as session:
            user = self._user(session, name, required=False)
            membership = None
            if user is not None:
                membership = session.scalars(
                    select(MembershipRow)
                    .where(MembershipRow.user_id == user.id)
                    .order_by(MembershipRow.organisation_id)
                ).first()
            if not _password_matches(user.password_hash if user else None, password) or (
                user is None or user.disabled_at is not None or membership is None
            ):
                self._audit_user(session, user, name, "login.failed", name, address=address)
                failed = True
            else:
                failed = False
                _forgive(session, keys)
                if HASHER.check_needs_rehash(user.password_hash):
                    user.password_hash = HASHER.hash(password)
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
                self._audit(session, membership.organisation_id, name, "login.succeeded", name, address=address)
                organisation = session.get(OrganisationRow, membership.organisation_id)
                assert organisation is not None  # a membership's organisation exists (foreign key)
                principal = Principal(
                    user.username, organisation.id, organisation.name, _role(membership.role), user.id
                )
        if failed:  # committed above: the failure counts even though the login is refused
            self._sweep()
            raise LoginRefused("wrong name or password", hint="check both; after 5 failures, wait 15 minutes")
        return token, principal

    def principal_for_session(self, token: str) -> Principal | None:
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
        with self._reads() as session:
            row = session.execute(query).first()
        return Principal(row[1], row[2], row[3], _role(row[4]), row[0]) if row else None

    def switch_organisation(self, token: str, organisation_id: int) -> None:
        with self._sessions.begin() as session:
            login = session.scalars(select(LoginSessionRow).where(LoginSessionRow.token_hash == digest(token))).first()
            if login is None or session.get(MembershipRow, (login.user_id, organisation_id)) is None:
                raise AccountError("you are not a member of that organisation", hint="choose one from the list")
            login.organisation_id = organisation_id

    def logout(self, token: str, *, address: str = "") -> None:
        principal = self.principal_for_session(token)
        with self._sessions.begin() as session:
            session.query(LoginSessionRow).filter(LoginSessionRow.token_hash == digest(token)).delete()
            if principal:
                self._audit(
                    session,
                    principal.organisation_id,
                    principal.username,
                    "logout",
                    principal.username,
                    address=address,
                )

    # API tokens

    def create_token(
        self, username: str, organisation: str, *, name: str, role: str, days: int | None, actor: str
    ) -> str:
        """A new API token (shown once: only its hash is kept). Its role is at most the person's."""
        if role not in ROLES:
            raise AccountError(f"no role '{role}'", hint="choose " + ", ".join(ROLES))
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise AccountError("a token needs a name of 1 to 100 characters", hint="e.g. 'CI pipeline'")
        with self._sessions.begin() as session:
            user, org = self._user(session, username), self._organisation(session, organisation)
            membership = session.get(MembershipRow, (user.id, org.id))
            if membership is None:
                raise AccountError(f"'{user.username}' is not a member of '{org.name}'", hint="give them a role first")
            if ROLES.index(role) > ROLES.index(_role(membership.role)):
                raise AccountError(
                    f"a token cannot do more than its owner ({membership.role})", hint="choose a lower role"
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
            self._audit(session, org.id, actor, "token.created", name, f"{user.username}, {role}")
            return token

    def principal_for_token(self, token: str) -> Principal | None:
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
        with self._reads() as session:
            row = session.execute(query).first()
        if row is None:
            return None
        role = min(_role(row[4]), _role(row[5]), key=ROLES.index)
        return Principal(row[1], row[2], row[3], role, row[0])

    def tokens(self, organisation_id: int, *, username: str | None = None) -> tuple[TokenInfo, ...]:
        query = (
            select(ApiTokenRow, UserRow.username)
            .join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(ApiTokenRow.organisation_id == organisation_id)
            .order_by(ApiTokenRow.id.desc())
        )
        if username is not None:
            query = query.where(UserRow.username == username)
        with self._reads() as session:
            return tuple(
                TokenInfo(
                    t.id,
                    t.name,
                    owner,
                    _role(t.role),
                    as_utc(t.created_at),
                    as_utc(t.expires_at) if t.expires_at else None,
                    t.revoked_at is not None,
                )
                for t, owner in session.execute(query)
            )

    def revoke_token(self, token_id: int, organisation_id: int, *, actor: str, username: str | None = None) -> None:
        """Revoke a token of this organisation (only one's own unless ``username`` is None: an admin)."""
        with self._sessions.begin() as session:
            token = session.get(ApiTokenRow, token_id)
            owner = session.get(UserRow, token.user_id) if token else None
            if (
                token is None
                or owner is None
                or token.organisation_id != organisation_id
                or (username is not None and owner.username != username)
            ):
                raise AccountError(f"no API token #{token_id} here", hint="reload the page")
            token.revoked_at = token.revoked_at or now()
            self._audit(session, organisation_id, actor, "token.revoked", token.name, owner.username)

    # Inside a transaction

    def _user(self, session: Session, username: str, *, required: bool = True) -> UserRow:
        user = session.scalars(select(UserRow).where(UserRow.username == username.strip().lower())).first()
        if user is None and required:
            raise AccountError(f"no account named '{username}'", hint="see `airegime users list`")
        return user  # type: ignore[return-value]

    def _set_role(
        self, session: Session, user: UserRow, organisation: str, role: str, *, actor: str, create: bool
    ) -> bool:
        if role not in ROLES:
            raise AccountError(f"no role '{role}'", hint="choose " + ", ".join(ROLES))
        name = _organisation_name(organisation)
        created = False
        if create and session.scalar(select(OrganisationRow.id).where(OrganisationRow.name == name)) is None:
            session.add(OrganisationRow(name=name, created_at=now()))
            session.flush()
            created = True
        org = self._organisation(session, name)
        membership = session.get(MembershipRow, (user.id, org.id))
        if membership is None:
            session.add(MembershipRow(user_id=user.id, organisation_id=org.id, role=role))
        else:
            membership.role = role
        self._audit(session, org.id, actor, "member.role", user.username, role)
        return created

    def _organisation(self, session: Session, name: str) -> OrganisationRow:
        row = session.scalars(select(OrganisationRow).where(OrganisationRow.name == name.strip())).first()
        if row is None:
            raise AccountError(f"no organisation named '{name}'", hint="see `airegime orgs list`")
        return row

    def _count_attempt(self, keys: list[tuple[str, int]]) -> int:
        """Count an attempt against each of ``keys`` (key, limit), all or none, before the password
        is checked; the seconds to wait if one is at its limit (then nothing is counted), else 0.

        Each count is one conditional UPDATE, which the database runs atomically (PostgreSQL locks
        the row, SQLite the file): of concurrent attempts, only as many as the limit get through.
        The keys are always taken in the same order, so two attempts cannot deadlock.
        """
        moment = now()
        expired = THROTTLE.c.window_start <= moment - FAILURE_WINDOW
        try:
            with self._sessions.begin() as session:
                for key, limit in keys:
                    for _attempt in range(3):  # a sweep may delete the row between insert and update
                        _insert_counter(session, key, moment)
                        counted = session.execute(
                            update(THROTTLE)
                            .where(THROTTLE.c.key == key, or_(expired, THROTTLE.c.failures < limit))
                            .values(
                                failures=case((expired, 1), else_=THROTTLE.c.failures + 1),
                                window_start=case(
                                    (expired, literal(moment, DateTime(timezone=True))),
                                    else_=THROTTLE.c.window_start,
                                ),
                            )
                        )
                        if counted.rowcount:  # type: ignore[attr-defined]
                            break
                        start = session.scalar(select(THROTTLE.c.window_start).where(THROTTLE.c.key == key))
                        if start is not None:
                            left = as_utc(start) + FAILURE_WINDOW - moment
                            raise _AtLimit(max(1, int(left.total_seconds()) + 1))  # rolls the others back
                    else:
                        raise _AtLimit(1)  # the row kept vanishing: refuse this once rather than not count
        except _AtLimit as at_limit:
            return at_limit.wait
        return 0

    def _sweep(self) -> None:
        """Forget counters whose window has ended (best effort: a clash with a login is harmless)."""
        try:
            with self._sessions.begin() as session:
                session.execute(delete(THROTTLE).where(THROTTLE.c.window_start < now() - 2 * FAILURE_WINDOW))
        except DBAPIError:  # e.g. a deadlock with a concurrent count: the next sweep does it
            return

    def _audit_user(
        self, session: Session, user: UserRow | None, actor: str, action: str, target: str, *, address: str = ""
    ) -> None:
        """An entry in the log of each organisation the person belongs to (so its admins see it)."""
        organisations: list[int | None] = [None]  # an unknown name: the server's own log
        if user is not None:
            query = select(MembershipRow.organisation_id).where(MembershipRow.user_id == user.id)
            organisations = list(session.scalars(query)) or organisations
        for organisation_id in organisations:
            self._audit(session, organisation_id, actor, action, target, address=address)

    def _audit(
        self,
        session: Session,
        organisation_id: int | None,
        actor: str,
        action: str,
        target: str,
        detail: str = "",
        *,
        address: str = "",
    ) -> None:
        write_audit(
            session,
            organisation_id=organisation_id,
            actor=actor,
            action=action,
            target=target,
            detail=detail,
            address=address,
        )


THROTTLE: Table = LoginThrottleRow.__table__  # type: ignore[assignment]  # a Table, typed as its base


class _AtLimit(Exception):
    def __init__(self, wait: int) -> None:
        self.wait = wait


def _throttle_keys(name: str, address: str) -> list[tuple[str, int]]:
    """The counters a login attempt goes against, with their limits, always in this order.

    Names and addresses are stored as hashes (whatever was typed: the key is plain ASCII); the
    account's hash starts both of its keys, so ``_unlock`` finds them all.
    """
    account = digest(name)
    keys = [
        (f"na:{account}:{digest(address)[:32]}", MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS),
        (f"n:{account}", MAX_FAILURES_PER_ACCOUNT),
    ]
    if address:
        keys.append((f"a:{digest(address)}", MAX_FAILURES_PER_ADDRESS))
    return keys


def _insert_counter(session: Session, key: str, moment: datetime) -> None:
    """The counter's row, if it is new (a concurrent insert of the same row is no error)."""
    values = {"key": key, "failures": 0, "window_start": moment}
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(sqlite.insert(THROTTLE).values(**values).on_conflict_do_nothing(index_elements=["key"]))
        return
    if dialect == "postgresql":
        session.execute(postgresql.insert(THROTTLE).values(**values).on_conflict_do_nothing(index_elements=["key"]))
        return
    if session.scalar(select(THROTTLE.c.key).where(THROTTLE.c.key == key)) is None:  # pragma: no cover
        try:
            with session.begin_nested():
                session.execute(THROTTLE.insert().values(**values))
        except IntegrityError:
            pass


def _forgive(session: Session, keys: list[tuple[str, int]]) -> None:
    """A right password: this account's failures from this address are forgotten, and the attempt
    counted up front comes off the other counters."""
    for index, (key, _limit) in enumerate(keys):
        failures = 0 if index == 0 else THROTTLE.c.failures - 1
        session.execute(
            update(THROTTLE).where(THROTTLE.c.key == key, THROTTLE.c.failures > 0).values(failures=failures)
        )


def _unlock(session: Session, username: str) -> None:
    """Forget an account's failed logins, from every address (an operator's decision)."""
    account = digest(username)
    session.execute(
        delete(THROTTLE).where(or_(THROTTLE.c.key == f"n:{account}", THROTTLE.c.key.startswith(f"na:{account}:")))
    )


def _an_admin_is_enabled(session: Session) -> bool:
    query = select(
        exists().where(
            MembershipRow.role == "admin", MembershipRow.user_id == UserRow.id, UserRow.disabled_at.is_(None)
        )
    )
    return bool(session.scalar(query))


def _keep_an_admin(session: Session, had_admin: bool, force: bool, change: str) -> None:
    """Refuse a change that leaves no enabled admin in any organisation (unless forced)."""
    session.flush()
    if had_admin and not force and not _an_admin_is_enabled(session):
        raise AccountError(
            f"cannot {change}: no enabled administrator would be left",
            hint="make another account admin first (`airegime users role`), or add --force; "
            "`airegime users recover NAME` lets an operator back in",
        )


def _role(value: str) -> Role:
    for role in ROLES:  # the stored value, checked: a hand-edited row cannot grant an unknown power
        if value == role:
            return role
    return "reader"


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise AccountError(
            f"'{username}' cannot be an account name",
            hint="use 1 to 100 letters, digits and . _ @ + - (e.g. an e-mail address)",
        )
    return name


def check_password(password: str, username: str) -> None:
    """Refuse a blank password, a too short or too long one, the account's name, and any that is
    easy to guess (zxcvbn: common passwords, words, names, dates, keyboard rows, repetitions)."""
    if not password.strip():
        raise WeakPassword("blank", "a password cannot be blank", hint="a few unusual words make a good one")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise WeakPassword(
            "length",
            f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            hint="a few words make a good one",
        )
    if password.strip().lower() == username:
        raise WeakPassword("name", "the password cannot be the account name", hint="choose another")
    if _guessability(password, username) < MIN_PASSWORD_SCORE:
        raise WeakPassword(
            "common",
            "this password is too easy to guess (a common password, a word, a name, a date or a pattern)",
            hint="a few unusual words make a good one, e.g. four words picked at random",
        )


def _guessability(password: str, username: str) -> int:
    """zxcvbn's score, 0 (among the most common passwords) to 4, of the password's first 72
    characters (zxcvbn's limit: a password whose start is strong is strong), knowing the name."""
    hints = [username, *re.split(r"[._@+-]+", username), "airegime"]
    score: int = zxcvbn(password[:72], user_inputs=[hint for hint in hints if hint])["score"]
    return score


def _organisation_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 200 or any(ord(c) < 32 for c in name):
        raise AccountError("an organisation needs a name of 1 to 200 characters", hint="e.g. 'Ministry of X'")
    return name


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("an account that does not exist")


def _password_matches(stored: str | None, password: str) -> bool:
    """Argon2 verification; an unknown name costs the same time (no way to probe for names)."""
    try:
        return HASHER.verify(stored or _dummy_hash(HASHER), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
