"""Who may do what: one gate for the pages (login cookie) and the API (bearer token).

Every request is given a principal (who acts, in which organisation, with which role) and a
repository scoped to that organisation, so no route can reach another organisation's data.
The gate answers 401 (no login or token) and 503 (no account yet, beyond loopback); the role a
route needs is declared by its router (``airegime.edge.deps.require``: 403). ``required_role`` is
that policy as one table: each app checks its routes against it when built (``check_roles``),
and the isolation test walks every route against it.
"""

from __future__ import annotations

import time

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from airegime.errors import AccessDenied
from airegime.storage import Repository
from airegime.storage.accounts import LOCAL, Accounts, Principal, Role
from airegime.storage.audit import MEDIA_TYPES, AuditFormat, AuditLog

SESSION_COOKIE = "airegime_session"
API_PREFIX = "/api/v1"  # where the web app mounts the API
# Requests a reader may send although they are not reads: they change no assessment (stateless
# evaluation, an inventory assessed for the reader's own browser) or only the reader's own login.
READER_ACTIONS = ("/login", "/logout", "/account", "/lang/", "/batch", f"{API_PREFIX}/evaluate", f"{API_PREFIX}/batch")
ADMIN_ONLY = ("/admin", f"{API_PREFIX}/audit", "/archive", f"{API_PREFIX}/archive", f"{API_PREFIX}/profile")
PUBLIC = ("/login", "/static/", "/lang/", "/shared/")  # reachable before logging in (/shared/: by a link's token)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
RECHECK_SECONDS = 1.0  # while no account exists, how often to look whether the first was just created


def required_role(method: str, path: str) -> Role:
    """The role the route at ``method path`` must declare (``edge.deps.check_roles`` holds both apps'
    routes to it when they are built; requests are checked by the routers' ``require``)."""
    if path.startswith(ADMIN_ONLY):
        return "admin"
    if method in SAFE_METHODS or path.startswith(READER_ACTIONS):
        return "reader"
    return "editor"


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC)


def is_api(path: str) -> bool:
    return path == API_PREFIX or path.startswith(f"{API_PREFIX}/")


class Gate:
    """Decides, for each request, who acts (what they may do: the routers' ``require``).

    ``require_accounts``: the app listens beyond loopback, so without accounts it serves nothing.
    """

    def __init__(self, accounts: Accounts, *, require_accounts: bool = False) -> None:
        self.accounts = accounts
        self.require_accounts = require_accounts
        self._on = False
        self._checked = 0.0

    def accounts_on(self) -> bool:
        # Once on, on for the life of the process (never back to open access by a later change).
        if not self._on and time.monotonic() - self._checked >= RECHECK_SECONDS:
            self._on = self.accounts.exist()
            self._checked = time.monotonic()
        return self._on

    def principal(self, *, session: str | None, token: str | None, api: bool) -> Principal:
        """Who acts: the local person while no account exists, else the login's or the token's owner."""
        if not self.accounts_on():
            if self.require_accounts:
                raise AccessDenied(503, "no_accounts")
            return LOCAL
        found = None
        if api and token:
            found = self.accounts.principal_for_token(token)
        elif not api and session:
            found = self.accounts.principal_for_session(session)
        if found is None:
            raise AccessDenied(401, "login")
        return found


async def admit(request: Request, *, api: bool) -> Principal:
    """Authenticate ``request`` (401, 503); put the principal and its repository on ``request.state``.
    The role is checked after, by the router's ``require`` dependency (403)."""
    gate: Gate = request.app.state.gate
    if not api and is_public(request.url.path):
        request.state.principal = None
        return LOCAL
    token = _bearer(request.headers.get("authorization", "")) if api else None
    session = request.cookies.get(SESSION_COOKIE)
    if gate.accounts_on():  # looking the login or token up is a database query: off the event loop
        principal = await run_in_threadpool(gate.principal, session=session, token=token, api=api)
    else:
        principal = gate.principal(session=session, token=token, api=api)
    repo: Repository = request.app.state.repo
    request.state.principal = principal
    request.state.repo = repo.scoped(
        principal.organisation_id, actor=principal.username, address=client_address(request)
    )
    return principal


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def audit_download(log: AuditLog, principal: Principal, fmt: AuditFormat, *, address: str) -> StreamingResponse:
    """The acting organisation's whole audit log as a file (the export itself is logged)."""
    lines = log.export(principal.organisation_id, fmt, actor=principal.username, address=address)
    return StreamingResponse(
        lines,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="airegime-audit.{fmt}"'},
    )


def _bearer(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None
