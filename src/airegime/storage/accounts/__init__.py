"""Accounts: people, organisations and their roles, login sessions, API tokens.

While no account exists, the app is one person's tool on their own machine: everything belongs
to the default organisation and the app only listens on loopback (``airegime serve`` refuses
other addresses). The first ``airegime users add`` turns accounts on, for good: from then on
every page and API call needs a login or a token, even once every account is disabled or has
left its organisations (``airegime users recover`` lets an operator back in).

``Accounts`` is the façade: each public method checks its input, opens a session and calls the
module that does the work:

- ``principal``: who acts (``Principal``), roles (``Role``, ``ROLES``);
- ``passwords``: account names and password policy, Argon2id hashing (a copy of the database
  gives no way in);
- ``throttle``: failed logins counted per account and address, per account and per address,
  across workers and restarts (table ``login_throttle``);
- ``logins``: logging in and out, login sessions (cookies), changing one's own password;
- ``api_tokens``: API tokens;
- ``people``: accounts, organisations, memberships and roles, the audit entries about them.
"""

from __future__ import annotations

from sqlalchemy import Engine

from airegime.storage.accounts import api_tokens, logins, people
from airegime.storage.accounts.api_tokens import TOKEN_PREFIX, TokenInfo, check_new_token
from airegime.storage.accounts.logins import SESSION_LIFETIME
from airegime.storage.accounts.passwords import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    MIN_PASSWORD_SCORE,
    USERNAME,
    check_password,
    check_username,
)
from airegime.storage.accounts.people import Membership, UserInfo, organisation_name
from airegime.storage.accounts.principal import LOCAL, ROLES, Principal, Role
from airegime.storage.accounts.throttle import (
    FAILURE_WINDOW,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS,
    MAX_FAILURES_PER_ADDRESS,
)
from airegime.storage.database import sessions

__all__ = [
    "FAILURE_WINDOW",
    "LOCAL",
    "MAX_FAILURES_PER_ACCOUNT",
    "MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS",
    "MAX_FAILURES_PER_ADDRESS",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "MIN_PASSWORD_SCORE",
    "ROLES",
    "SESSION_LIFETIME",
    "TOKEN_PREFIX",
    "USERNAME",
    "Accounts",
    "Membership",
    "Principal",
    "Role",
    "TokenInfo",
    "UserInfo",
    "check_password",
    "check_username",
]


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
        with self._reads() as session:
            return people.accounts_exist(session)

    # Organisations and people

    def organisations(self) -> tuple[tuple[int, str], ...]:
        with self._reads() as session:
            return people.organisations(session)

    def rename_organisation(self, old: str, new: str, *, actor: str) -> None:
        new = organisation_name(new)
        with self._sessions.begin() as session:
            people.rename_organisation(session, old, new, actor=actor)

    def add_user(self, username: str, password: str, *, organisation: str, role: str, actor: str) -> bool:
        """A new account with ``role`` in ``organisation`` (created if new: then True), in one transaction."""
        username = check_username(username)
        check_password(password, username)
        with self._sessions.begin() as session:
            return people.add_user(session, username, password, organisation=organisation, role=role, actor=actor)

    def set_password(self, username: str, password: str, *, actor: str) -> None:
        """A new password (its browsers are logged out), and the account's login lockout lifted."""
        with self._sessions.begin() as session:
            people.set_password(session, username, password, actor=actor)

    def change_own_password(
        self, user_id: int, current: str, new: str, *, keep_session: str, address: str = ""
    ) -> None:
        """Someone logged in changes their password: the current one is checked (and its failures
        counted like failed logins); their other browsers are logged out, not this one."""
        logins.change_own_password(
            self._reads, self._sessions, user_id, current, new, keep_session=keep_session, address=address
        )

    def set_disabled(self, username: str, disabled: bool, *, actor: str, force: bool = False) -> None:
        """Disable (or enable) an account; disabling the last enabled admin needs ``force``."""
        with self._sessions.begin() as session:
            people.set_disabled(session, username, disabled, actor=actor, force=force)

    def set_role(
        self, username: str, organisation: str, role: str, *, actor: str, create: bool = False, force: bool = False
    ) -> bool:
        """Give ``username`` ``role`` in ``organisation`` (created when ``create``); True if it was created.
        Demoting the last enabled admin needs ``force``."""
        with self._sessions.begin() as session:
            return people.change_role(session, username, organisation, role, actor=actor, create=create, force=force)

    def remove_member(self, username: str, organisation: str, *, actor: str, force: bool = False) -> None:
        """Take an account out of an organisation; removing the last enabled admin needs ``force``."""
        with self._sessions.begin() as session:
            people.remove_member(session, username, organisation, actor=actor, force=force)

    def recover(self, username: str, password: str, *, organisation: str | None, actor: str) -> str:
        """Let an operator back in: the account (created if new) gets ``password``, is enabled, made
        admin of ``organisation`` (by default its first, or the default organisation) and its login
        lockout is lifted; its browsers are logged out. Returns the organisation's name."""
        name = check_username(username)
        check_password(password, name)
        with self._sessions.begin() as session:
            return people.recover(session, name, password, organisation=organisation, actor=actor)

    def unlock(self, username: str, *, actor: str) -> None:
        """Lift an account's login lockout (from every address), before its window ends."""
        with self._sessions.begin() as session:
            people.unlock_user(session, username, actor=actor)

    def users(self) -> tuple[UserInfo, ...]:
        with self._reads() as session:
            return people.users(session)

    def members(self, organisation_id: int) -> tuple[tuple[str, Role, bool], ...]:
        """(name, role, disabled) of everyone in the organisation."""
        with self._reads() as session:
            return people.members(session, organisation_id)

    def memberships(self, user_id: int) -> tuple[Membership, ...]:
        with self._reads() as session:
            return people.memberships(session, user_id)

    # Logging in

    def login(self, username: str, password: str, *, address: str) -> tuple[str, Principal]:
        """Check the password; return a new session's cookie value and who logged in.

        Raises LoginThrottled after too many recent failures (before even checking the
        password), LoginRefused otherwise. Both are written to the audit log.
        """
        return logins.login(self._sessions, username, password, address=address)

    def principal_for_session(self, token: str) -> Principal | None:
        """Who is logged in with this cookie (None: unknown, expired, or no longer a member)."""
        with self._reads() as session:
            return logins.principal_for_session(session, token)

    def switch_organisation(self, token: str, organisation_id: int) -> None:
        with self._sessions.begin() as session:
            logins.switch_organisation(session, token, organisation_id)

    def logout(self, token: str, *, address: str = "") -> None:
        principal = self.principal_for_session(token)
        with self._sessions.begin() as session:
            logins.logout(session, token, principal, address=address)

    # API tokens

    def create_token(
        self, username: str, organisation: str, *, name: str, role: str, days: int | None, actor: str
    ) -> str:
        """A new API token (shown once: only its hash is kept). Its role is at most the person's."""
        name = check_new_token(name, role)
        with self._sessions.begin() as session:
            return api_tokens.create_token(
                session, username, organisation, name=name, role=role, days=days, actor=actor
            )

    def principal_for_token(self, token: str) -> Principal | None:
        """Who acts with this API token: its owner, with the lower of the token's and the owner's roles."""
        with self._reads() as session:
            return api_tokens.principal_for_token(session, token)

    def tokens(self, organisation_id: int, *, username: str | None = None) -> tuple[TokenInfo, ...]:
        with self._reads() as session:
            return api_tokens.tokens(session, organisation_id, username=username)

    def revoke_token(self, token_id: int, organisation_id: int, *, actor: str, username: str | None = None) -> None:
        """Revoke a token of this organisation (only one's own unless ``username`` is None: an admin)."""
        with self._sessions.begin() as session:
            api_tokens.revoke_token(session, token_id, organisation_id, actor=actor, username=username)
