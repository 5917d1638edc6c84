"""The FastAPI application: pages rendered on the server (Jinja2), htmx for partial updates,
everything working without JavaScript. Thin: storage/ keeps the data, engine/ decides."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from airegime.api import create_api  # the one import of the API: to mount it
from airegime.edge.access import API_PREFIX, Gate, admit
from airegime.edge.deps import check_roles
from airegime.edge.headers import HeadAsGet
from airegime.edge.inputs import refusal
from airegime.edge.limits import BATCH_MAX_BYTES, MAX_BODY_BYTES
from airegime.errors import AccessDenied, AiregimeError, NotFoundError, at, msg
from airegime.kb import KnowledgeBase, as_lang, load_knowledge_base
from airegime.settings import get_settings
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.storage.batch_uploads import BatchUploads
from airegime.web import (
    pages,
    routes_account,
    routes_actions,  # the action plan
    routes_assessments,
    routes_batch,
    routes_compare,
    routes_evidence,
    routes_interview,
    routes_profile,  # the organisation profile
    routes_reports,
    routes_result,
    routes_review,
    routes_sharing,
)
from airegime.web.batch_runs import BatchRuns
from airegime.web.pages import LANG_COOKIE, is_htmx, see_other
from airegime.web.security import (
    CSRF_FIELD,
    ForwardedMiddleware,
    SecurityMiddleware,
    check_csrf,
    safe_next,
    trusted_networks,
)

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("airegime.web")


async def csrf_protect(request: Request) -> None:
    """Every state-changing request must carry this browser's CSRF token."""
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        form = await request.form()
        submitted = form.get(CSRF_FIELD) or request.headers.get("x-csrf-token", "")
        check_csrf(request.state.csrf, submitted if isinstance(submitted, str) else "")


async def page_access(request: Request) -> None:
    """Who is logged in (401 to the login page, 503)? Then ``RepoDep`` is their organisation's, and
    each router's ``require`` dependency checks the role (403)."""
    await admit(request, api=False)


def create_app(
    *,
    repository: Repository | None = None,
    kb: KnowledgeBase | None = None,
    max_body: int = MAX_BODY_BYTES,
    batch_max_body: int = BATCH_MAX_BYTES,
    allowed_hosts: list[str] | None = None,
    require_accounts: bool = False,
    trusted_proxies: str | None = None,
) -> FastAPI:
    """The web app over ``repository`` (by default the database of the settings, migrated on open).

    ``allowed_hosts`` limits the Host header (``airegime serve`` passes the loopback names when it
    listens on 127.0.0.1, so a web page cannot reach the app through DNS rebinding).
    ``require_accounts``: the app listens beyond loopback, so it serves nothing until an account exists.
    ``trusted_proxies`` (default: AIREGIME_TRUSTED_PROXIES): whose X-Forwarded-For is believed.
    """
    settings = get_settings()
    kb = kb or (repository.kb if repository else load_knowledge_base(settings.knowledge_dir))
    repo = repository or Repository.open(settings.effective_database_url, kb)
    app = FastAPI(
        title="airegime",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect), Depends(page_access)],
    )
    gate = Gate(Accounts(repo.engine), require_accounts=require_accounts)
    app.state.gate = gate
    app.state.repo = repo
    app.state.kb = kb
    app.state.default_lang = settings.lang
    app.state.batch_runs = BatchRuns(BatchUploads(repo.engine))
    app.state.batch_max_body = batch_max_body
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # The API first: its requests then skip matching every page's route (no page lives under it).
    app.mount(API_PREFIX, create_api(repository=repo, kb=kb, gate=gate))  # JSON, own errors; no CSRF (no forms)
    # Each router declares the role it needs (edge.deps): ``writes`` editors, ``admin_router`` admins.
    for router in (
        routes_assessments.router,
        routes_assessments.writes,
        routes_interview.router,
        routes_interview.writes,
        routes_result.router,
        routes_result.writes,
        routes_compare.router,
        routes_evidence.router,
        routes_evidence.writes,
        routes_reports.router,
        routes_batch.router,
        routes_account.router,
        routes_account.admin_router,
        *(routes_review.router, routes_review.writes, routes_review.archive),  # review; archive: admins
        *(routes_actions.router, routes_actions.writes),
        *(routes_sharing.router, routes_sharing.writes, routes_sharing.public),
        routes_profile.admin_router,
    ):
        app.include_router(router)
    check_roles(app.routes)
    _language_switch(app)
    _error_pages(app)
    app.add_middleware(
        SecurityMiddleware,
        max_body=max_body,
        path_limits={"/batch": batch_max_body, f"{API_PREFIX}/batch": batch_max_body},
    )
    app.add_middleware(HeadAsGet)  # every page and API address answers HEAD like GET, without the body
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    proxies = trusted_networks(settings.trusted_proxies if trusted_proxies is None else trusted_proxies)
    if proxies != ():  # outermost: every other part sees the client's address
        app.add_middleware(ForwardedMiddleware, trusted=proxies)
    return app


def _language_switch(app: FastAPI) -> None:
    @app.get("/lang/{code}")
    def switch_language(code: str, next: str = "/") -> Response:
        response = see_other(safe_next(next))
        if as_lang(code):
            response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True)
        return response


def _error_pages(app: FastAPI) -> None:
    """Turn every failure into a clear page in the reader's language; never show a stack trace."""

    @app.exception_handler(AccessDenied)
    async def denied(request: Request, denied: AccessDenied) -> Response:
        if denied.status == 401:  # not logged in (or the session ended): to the login page, then back here
            target = "/login?" + urlencode({"next": pages.here(request) if request.method == "GET" else "/"})
            if is_htmx(request):
                return Response(status_code=204, headers={"HX-Redirect": target})
            return see_other(target)
        return pages.error(request, denied.status, "forbidden" if denied.status == 403 else "no_accounts")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> HTMLResponse:
        if error.status_code == 413 and request.url.path == "/batch":
            return routes_batch.upload_page(request, 413, problem="batch.too_large")
        kind = {403: "csrf", 404: "not_found", 405: "method", 413: "too_large"}.get(error.status_code, "bad_request")
        return pages.error(request, error.status_code, kind)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> HTMLResponse:
        """The checks the API makes too (``airegime.edge.inputs``): an id out of range names nothing (404);
        another value out of bounds is named, with what to do."""
        first = dict(error.errors()[0]) if error.errors() else {}
        where = tuple(first.get("loc", ()))
        if where[:1] == ("path",):
            return pages.error(request, 404, "not_found")
        field = ".".join(str(part) for part in where[1:]) or "?"
        wrong = refusal(first["ctx"]) if first.get("type") == "invalid_text" else str(first.get("msg", "invalid value"))
        said = AiregimeError(at(field, wrong), hint=msg("error.web.value.hint"))
        return pages.error(request, 400, "bad_request", error=said)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, error: NotFoundError) -> HTMLResponse:
        return pages.error(request, 404, "not_found")

    @app.exception_handler(AiregimeError)
    async def refused(request: Request, error: AiregimeError) -> HTMLResponse:
        return pages.error(request, 400, "bad_request", error=error)

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> HTMLResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return pages.error(request, 500, "server")
