"""Logging in and out, one's password, organisations and API tokens; the admin page (members,
tokens, audit log: ``admin``, admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from airegime.edge.access import SESSION_COOKIE, Gate, audit_download, client_address
from airegime.edge.deps import ADMIN, AccountsDep, CurrentUser, GateDep
from airegime.edge.inputs import MAX_ID, RecordId
from airegime.errors import AccountError, LoginRefused, LoginThrottled, WeakPassword
from airegime.storage.accounts import ROLES, Principal
from airegime.storage.audit import MEDIA_TYPES, AuditLog
from airegime.web import pages
from airegime.web.pages import lang_of, render, see_other, text_problems
from airegime.web.security import safe_next

router = APIRouter()
admin_router = APIRouter(dependencies=[ADMIN])
Name = Annotated[str, Form(max_length=100)]
Password = Annotated[str, Form(max_length=1024)]
AUDIT_PER_PAGE = 50


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, gate: GateDep, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    if not gate.accounts_on():
        return see_other("/")  # no account: nothing to log in to
    return render(request, "login.html", next=safe_next(next), problem="", username="")


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    accounts: AccountsDep,
    username: Name = "",
    password: Password = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    unreadable = text_problems({"username": username})
    if unreadable:  # no account has such a name (nor could have): said before any look-up
        return render(request, "login.html", 400, next=safe_next(next), problem=unreadable["username"], username="")
    try:
        token, _principal = await run_in_threadpool(accounts.login, username, password, address=client_address(request))
    except LoginThrottled as throttled:
        page = render(
            request,
            "login.html",
            429,
            next=safe_next(next),
            problem="login.throttled",
            minutes=_minutes(throttled),
            username=username,
        )
        return _retry_after(page, throttled)
    except LoginRefused:
        return render(request, "login.html", 401, next=safe_next(next), problem="login.refused", username=username)
    redirect = see_other(safe_next(next))
    redirect.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=12 * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return redirect


@router.post("/logout")
def logout(request: Request, accounts: AccountsDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.logout(token, address=client_address(request))
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, principal: CurrentUser, gate: GateDep) -> HTMLResponse:
    return _account_page(request, principal, gate)


def _account_page(
    request: Request,
    principal: Principal,
    gate: Gate,
    *,
    created_token: str = "",
    problem: str = "",
    status: int = 200,
    password_problem: str = "",
    password_changed: bool = False,
    minutes: int = 0,
) -> HTMLResponse:
    accounts, on = gate.accounts, gate.accounts_on()
    memberships = accounts.memberships(principal.user_id) if principal.user_id else ()
    tokens = accounts.tokens(principal.organisation_id, username=principal.username) if on else ()
    roles = ROLES[: ROLES.index(principal.role) + 1]
    return render(
        request,
        "account.html",
        status,
        accounts_on=on,
        memberships=memberships,
        tokens=tokens,
        roles=roles,
        created_token=created_token,
        problem=problem,
        password_problem=password_problem,
        password_changed=password_changed,
        minutes=minutes,
    )


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(
    request: Request,
    principal: CurrentUser,
    gate: GateDep,
    current_password: Password = "",
    new_password: Password = "",
    new_password_again: Password = "",
) -> HTMLResponse:
    """One's own password, changed after typing the current one (failures count like failed logins)."""

    def refused(problem: str, status: int = 400, minutes: int = 0) -> HTMLResponse:
        return _account_page(request, principal, gate, password_problem=problem, status=status, minutes=minutes)

    if principal.user_id is None:
        return refused("account.no_accounts")
    if new_password != new_password_again:
        return refused("password.mismatch")
    try:
        await run_in_threadpool(
            gate.accounts.change_own_password,
            principal.user_id,
            current_password,
            new_password,
            keep_session=request.cookies.get(SESSION_COOKIE, ""),
            address=client_address(request),
        )
    except WeakPassword as weak:
        return refused(f"password.{weak.reason}")
    except LoginThrottled as throttled:
        return _retry_after(refused("login.throttled", 429, _minutes(throttled)), throttled)
    except LoginRefused:
        return refused("password.wrong")
    return _account_page(request, principal, gate, password_changed=True)


def _minutes(throttled: LoginThrottled) -> int:
    """How long to wait, in whole minutes (at least one), as the page says it."""
    return max(1, -(-throttled.retry_after // 60))


def _retry_after(response: HTMLResponse, throttled: LoginThrottled) -> HTMLResponse:
    response.headers["Retry-After"] = str(throttled.retry_after)
    return response


@router.post("/account/organisation")
def switch_organisation(
    request: Request, accounts: AccountsDep, organisation_id: Annotated[int, Form(ge=1, le=MAX_ID)]
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    accounts.switch_organisation(token, organisation_id)
    return see_other("/")


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    principal: CurrentUser,
    gate: GateDep,
    name: Name = "",
    role: Annotated[str, Form(max_length=10)] = "reader",
    days: Annotated[int, Form(ge=0, le=3650)] = 90,
) -> HTMLResponse:
    if principal.user_id is None:
        return _account_page(request, principal, gate, problem="account.tokens_need_accounts", status=400)
    unreadable = text_problems({"name": name})
    if unreadable:
        return _account_page(request, principal, gate, problem=unreadable["name"], status=400)
    try:
        token = gate.accounts.create_token(
            principal.username,
            principal.organisation,
            name=name,
            role=role,
            days=days or None,
            actor=principal.username,
        )
    except AccountError as error:
        said = error.message_in(lang_of(request))
        return _account_page(request, principal, gate, problem=said, status=400)
    return _account_page(request, principal, gate, created_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_own_token(token_id: RecordId, principal: CurrentUser, accounts: AccountsDep) -> Response:
    accounts.revoke_token(token_id, principal.organisation_id, actor=principal.username, username=principal.username)
    return see_other("/account")


@admin_router.get("/admin", response_class=HTMLResponse)
def admin(
    request: Request, principal: CurrentUser, accounts: AccountsDep, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1
) -> HTMLResponse:
    log = AuditLog(accounts.engine)
    total = log.count(principal.organisation_id)
    last_page = max(1, -(-total // AUDIT_PER_PAGE))
    page = min(page, last_page)
    return render(
        request,
        "admin.html",
        members=accounts.members(principal.organisation_id),
        tokens=accounts.tokens(principal.organisation_id),
        entries=log.page(principal.organisation_id, page=page, per_page=AUDIT_PER_PAGE),
        page=page,
        last_page=last_page,
        total=total,
    )


@admin_router.get("/admin/audit.{fmt}")
def export_audit(request: Request, fmt: str, principal: CurrentUser, accounts: AccountsDep) -> Response:
    if fmt not in MEDIA_TYPES:
        return pages.error(request, 404, "not_found")
    log = AuditLog(accounts.engine)
    return audit_download(log, principal, fmt, address=client_address(request))  # type: ignore[arg-type]


@admin_router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(token_id: RecordId, principal: CurrentUser, accounts: AccountsDep) -> Response:
    accounts.revoke_token(token_id, principal.organisation_id, actor=principal.username)
    return see_other("/admin")
