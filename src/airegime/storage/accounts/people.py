"""People and organisations: accounts, their memberships and roles, and the audit entries about them.

Functions here work inside the caller's transaction (``Accounts`` opens it). A change that would
leave no enabled administrator in any organisation is refused unless forced (``keep_an_admin``),
so an operator does not lock everyone out by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from airegime.errors import AccountError, Said, msg
from airegime.storage.accounts import passwords
from airegime.storage.accounts.principal import ROLES, Role, role_of
from airegime.storage.accounts.throttle import unlock
from airegime.storage.audit import write_audit
from airegime.storage.models import (
    DEFAULT_ORGANISATION_ID,
    ApiTokenRow,
    AuditRow,
    LoginSessionRow,
    MembershipRow,
    OrganisationRow,
    UserRow,
    as_utc,
    now,
)


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


def accounts_exist(session: Session) -> bool:
    """Some account exists or ever existed (the append-only audit log remembers a deleted row)."""
    ever = exists().where(AuditRow.action == "user.created")
    return bool(session.scalar(select(or_(exists().where(UserRow.id.is_not(None)), ever))))


def organisations(session: Session) -> tuple[tuple[int, str], ...]:
    rows = session.execute(select(OrganisationRow.id, OrganisationRow.name).order_by(OrganisationRow.name))
    return tuple((row.id, row.name) for row in rows)


def rename_organisation(session: Session, old: str, new: str, *, actor: str) -> None:
    """``new``: checked by ``organisation_name`` already."""
    row = organisation_row(session, old)
    if session.scalar(select(OrganisationRow.id).where(OrganisationRow.name == new)) is not None:
        raise AccountError(msg("error.accounts.org_exists", name=new), hint=msg("error.accounts.another_name"))
    row.name = new
    write_audit(session, row.id, actor, "organisation.renamed", old, f"{old} → {new}")


def add_user(session: Session, username: str, password: str, *, organisation: str, role: str, actor: str) -> bool:
    """``username`` and ``password``: checked already. True if the organisation was created."""
    if user_row(session, username, required=False) is not None:
        raise AccountError(
            msg("error.accounts.user_exists", name=username), hint=msg("error.cli.use", command="airegime users role")
        )
    user = UserRow(username=username, password_hash=passwords.hash_password(password), created_at=now())
    session.add(user)
    session.flush()
    write_audit(session, None, actor, "user.created", username)
    return set_role(session, user, organisation, role, actor=actor, create=True)


def set_password(session: Session, username: str, password: str, *, actor: str) -> None:
    user = user_row(session, username)
    passwords.check_password(password, user.username)
    user.password_hash = passwords.hash_password(password)
    # Every browser logged in with the old password is logged out.
    session.query(LoginSessionRow).filter(LoginSessionRow.user_id == user.id).delete()
    unlock(session, user.username)
    audit_user(session, user, actor, "user.password", user.username)


def set_disabled(session: Session, username: str, disabled: bool, *, actor: str, force: bool) -> None:
    user = user_row(session, username)
    had_admin = an_admin_is_enabled(session)
    user.disabled_at = now() if disabled else None
    if disabled:
        session.query(LoginSessionRow).filter(LoginSessionRow.user_id == user.id).delete()
    keep_an_admin(session, had_admin, force, msg("error.accounts.change.disable", user=user.username))
    audit_user(session, user, actor, "user.disabled" if disabled else "user.enabled", user.username)


def change_role(
    session: Session, username: str, organisation: str, role: str, *, actor: str, create: bool, force: bool
) -> bool:
    had_admin = an_admin_is_enabled(session)
    user = user_row(session, username)
    created = set_role(session, user, organisation, role, actor=actor, create=create)
    keep_an_admin(session, had_admin, force, msg("error.accounts.change.role", user=user.username, role=role))
    return created


def remove_member(session: Session, username: str, organisation: str, *, actor: str, force: bool) -> None:
    user, org = user_row(session, username), organisation_row(session, organisation)
    membership = session.get(MembershipRow, (user.id, org.id))
    if membership is None:
        raise AccountError(
            msg("error.accounts.not_member", user=user.username, org=org.name),
            hint=msg("error.cli.see", command="airegime users list"),
        )
    had_admin = an_admin_is_enabled(session)
    session.delete(membership)
    session.flush()
    keep_an_admin(session, had_admin, force, msg("error.accounts.change.remove", user=user.username, org=org.name))
    for table in (LoginSessionRow, ApiTokenRow):
        session.query(table).filter(table.user_id == user.id, table.organisation_id == org.id).delete()
    write_audit(session, org.id, actor, "member.removed", user.username)


def recover(session: Session, name: str, password: str, *, organisation: str | None, actor: str) -> str:
    """``name`` and ``password``: checked already. Returns the organisation's name."""
    user = user_row(session, name, required=False)
    if user is None:
        user = UserRow(username=name, password_hash="", created_at=now())
        session.add(user)
        session.flush()
        write_audit(session, None, actor, "user.created", name)
    if organisation is None:
        first = session.scalar(
            select(OrganisationRow.name)
            .join(MembershipRow, MembershipRow.organisation_id == OrganisationRow.id)
            .where(MembershipRow.user_id == user.id)
            .order_by(OrganisationRow.id)
        )
        default = session.get(OrganisationRow, DEFAULT_ORGANISATION_ID)
        organisation = first or (default.name if default else "")
    user.password_hash = passwords.hash_password(password)
    user.disabled_at = None
    session.query(LoginSessionRow).filter(LoginSessionRow.user_id == user.id).delete()
    set_role(session, user, organisation, "admin", actor=actor, create=False)
    unlock(session, name)
    audit_user(session, user, actor, "user.recovered", name)
    return organisation_name(organisation)


def unlock_user(session: Session, username: str, *, actor: str) -> None:
    user = user_row(session, username)
    unlock(session, user.username)
    audit_user(session, user, actor, "user.unlocked", user.username)


def users(session: Session) -> tuple[UserInfo, ...]:
    rows = session.scalars(select(UserRow).order_by(UserRow.username)).all()
    memberships = session.execute(
        select(MembershipRow.user_id, OrganisationRow.id, OrganisationRow.name, MembershipRow.role)
        .join(OrganisationRow, OrganisationRow.id == MembershipRow.organisation_id)
        .order_by(OrganisationRow.name)
    ).all()
    by_user: dict[int, list[Membership]] = {}
    for user_id, org_id, org_name, role in memberships:
        by_user.setdefault(user_id, []).append(Membership(org_id, org_name, role_of(role)))
    return tuple(
        UserInfo(u.username, u.disabled_at is not None, as_utc(u.created_at), tuple(by_user.get(u.id, ())))
        for u in rows
    )


def members(session: Session, organisation_id: int) -> tuple[tuple[str, Role, bool], ...]:
    rows = session.execute(
        select(UserRow.username, MembershipRow.role, UserRow.disabled_at)
        .join(MembershipRow, MembershipRow.user_id == UserRow.id)
        .where(MembershipRow.organisation_id == organisation_id)
        .order_by(UserRow.username)
    )
    return tuple((r.username, role_of(r.role), r.disabled_at is not None) for r in rows)


def memberships(session: Session, user_id: int) -> tuple[Membership, ...]:
    rows = session.execute(
        select(OrganisationRow.id, OrganisationRow.name, MembershipRow.role)
        .join(MembershipRow, MembershipRow.organisation_id == OrganisationRow.id)
        .where(MembershipRow.user_id == user_id)
        .order_by(OrganisationRow.name)
    )
    return tuple(Membership(r.id, r.name, role_of(r.role)) for r in rows)


# Inside a transaction


def user_row(session: Session, username: str, *, required: bool = True) -> UserRow:
    user = session.scalars(select(UserRow).where(UserRow.username == username.strip().lower())).first()
    if user is None and required:
        raise AccountError(
            msg("error.accounts.no_user", name=username), hint=msg("error.cli.see", command="airegime users list")
        )
    return user  # type: ignore[return-value]


def organisation_row(session: Session, name: str) -> OrganisationRow:
    row = session.scalars(select(OrganisationRow).where(OrganisationRow.name == name.strip())).first()
    if row is None:
        raise AccountError(
            msg("error.users.no_org", name=name), hint=msg("error.cli.see", command="airegime orgs list")
        )
    return row


def set_role(session: Session, user: UserRow, organisation: str, role: str, *, actor: str, create: bool) -> bool:
    """Give ``user`` ``role`` in ``organisation`` (created when ``create`` and new: then True)."""
    if role not in ROLES:
        raise AccountError(msg("error.accounts.no_role", role=role), hint=msg("error.choose", choices=", ".join(ROLES)))
    name = organisation_name(organisation)
    created = False
    if create and session.scalar(select(OrganisationRow.id).where(OrganisationRow.name == name)) is None:
        session.add(OrganisationRow(name=name, created_at=now()))
        session.flush()
        created = True
    org = organisation_row(session, name)
    membership = session.get(MembershipRow, (user.id, org.id))
    if membership is None:
        session.add(MembershipRow(user_id=user.id, organisation_id=org.id, role=role))
    else:
        membership.role = role
    write_audit(session, org.id, actor, "member.role", user.username, role)
    return created


def an_admin_is_enabled(session: Session) -> bool:
    query = select(
        exists().where(
            MembershipRow.role == "admin", MembershipRow.user_id == UserRow.id, UserRow.disabled_at.is_(None)
        )
    )
    return bool(session.scalar(query))


def keep_an_admin(session: Session, had_admin: bool, force: bool, change: Said) -> None:
    """Refuse a change that leaves no enabled admin in any organisation (unless forced)."""
    session.flush()
    if had_admin and not force and not an_admin_is_enabled(session):
        raise AccountError(
            msg("error.accounts.last_admin", change=change),
            hint=msg(
                "error.accounts.last_admin.hint",
                role="airegime users role",
                option="--force",
                recover="airegime users recover NAME",
            ),
        )


def organisation_name(name: str) -> str:
    """An organisation's name as stored (stripped), refused if empty, too long or with control characters."""
    name = name.strip()
    if not 1 <= len(name) <= 200 or any(ord(c) < 32 for c in name):
        raise AccountError(msg("error.accounts.org_name"), hint=msg("error.accounts.org_name.hint"))
    return name


def audit_user(
    session: Session, user: UserRow | None, actor: str, action: str, target: str, *, address: str = ""
) -> None:
    """An entry in the log of each organisation the person belongs to (so its admins see it)."""
    organisations: list[int | None] = [None]  # an unknown name: the server's own log
    if user is not None:
        query = select(MembershipRow.organisation_id).where(MembershipRow.user_id == user.id)
        organisations = list(session.scalars(query)) or organisations
    for organisation_id in organisations:
        write_audit(session, organisation_id, actor, action, target, address=address)
