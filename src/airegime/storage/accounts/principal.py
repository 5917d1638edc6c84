"""Who is acting: a person (or the local user, while no account exists), in one organisation,
with one role. Roles are ordered, weakest first: a role may do all that the ones before it may."""

from __future__ import annotations

from dataclasses import dataclass

from airegime.roles import ROLES, Role
from airegime.storage.models import DEFAULT_ORGANISATION_ID

__all__ = ["LOCAL", "ROLES", "Principal", "Role", "role_of"]


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


def role_of(value: str) -> Role:
    """A stored role, checked: a hand-edited row cannot grant an unknown power (it reads as reader)."""
    for role in ROLES:
        if value == role:
            return role
    return "reader"
