"""The roles a member of an organisation may have, weakest first: each may do all that the ones
before it may (reader: read; editor: also change; admin: also manage members and read the audit log)."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["reader", "editor", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
