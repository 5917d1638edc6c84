"""Who may do what: one gate for the pages (login cookie) and the API (bearer token).

Every request is given a principal (who acts, in which organisation, with which role) and a
repository scoped to that organisation, so no route can reach another organisation's data.
The role a request needs depends only on its method and path (``required_role``): one table
to read, and a test walks every route against it.
"""

from __future__ import annotations

import time

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from airegime.storage import Repository
from airegime.storage.accounts import LOCAL, Accounts, Principal, Role
from airegime.storage.audit import MEDIA_TYPES, AuditFormat, AuditLog

SESSION_COOKIE = "airegime_session"
API_PREFIX = "/api/v1"
# Requests a reader may send although they are not reads: they change no assessment (stateless
# evaluation, an inventory assessed for the reader's own browser) or only the reader's own login.
READER_ACTIONS = ("/login", "/logout", "/account", "/lang/", "/batch", "/api/v1/evaluate", "/api/v1/batch")
ADMIN_ONLY = ("/admin", "/api/v1/audit")
PUBLIC = ("/login", "/static/", "/lang/")  # reachable before logging in
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
RECHECK_SECONDS = 1.0  # while no account exists, how often to look whether the first was just created


def required_role(method: str, path: str) -> Role:
    if path.startswith(ADMIN_ONLY):
        return "admin"
    if method in SAFE_METHODS or path.startswith(READER_ACTIONS):
        return "reader"
    return "editor"


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC)


class Denied(Exception):
    """The request may not go on: 401 (who are you?), 403 (not allowed) or 503 (no accounts yet)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Gate:
    """Decides, for each request, who acts and whether they may.

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
                raise Denied(503, "no_accounts")
            return LOCAL
        found = None
        if api and token:
            found = self.accounts.principal_for_token(token)
        elif not api and session:
            found = self.accounts.principal_for_session(session)
        if found is None:
            raise Denied(401, "login")
        return found


async def admit(request: Request, *, api: bool) -> Principal:
    """Authenticate and authorise ``request``; put the principal and its repository on ``request.state``."""
    gate: Gate = request.app.state.gate
    path = _api_path(request) if api else request.url.path
    if not api and is_public(path):
        request.state.principal = None
        return LOCAL
    token = _bearer(request.headers.get("authorization", "")) if api else None
    session = request.cookies.get(SESSION_COOKIE)
    if gate.accounts_on():  # looking the login or token up is a database query: off the event loop
        principal = await run_in_threadpool(gate.principal, session=session, token=token, api=api)
    else:
        principal = gate.principal(session=session, token=token, api=api)
    if not principal.can(required_role(request.method, path)):
        raise Denied(403, "role")
    repo: Repository = request.app.state.repo
    request.state.principal = principal
    request.state.repo = repo.scoped(
        principal.organisation_id, actor=principal.username, address=client_address(request)
    )
    return principal


def principal_of(request: Request) -> Principal:
    """Who the admitted request acts as."""
    principal: Principal = request.state.principal
    return principal


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def audit_download(request: Request, fmt: AuditFormat) -> StreamingResponse:
    """The acting organisation's whole audit log as a file (the export itself is logged)."""
    principal = principal_of(request)
    repo: Repository = request.app.state.repo
    lines = AuditLog(repo.engine).export(
        principal.organisation_id, fmt, actor=principal.username, address=client_address(request)
    )
    return StreamingResponse(
        lines,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="airegime-audit.{fmt}"'},
    )


def _api_path(request: Request) -> str:
    """The path as under /api/v1, whether the API is mounted there or served alone (tests)."""
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return API_PREFIX + (path[len(root) :] if root and path.startswith(root) else path)


def _bearer(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None
