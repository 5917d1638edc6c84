"""The REST API: a FastAPI sub-application, mounted by the web app under /api/v1.

    app.mount("/api/v1", create_api(repository=repo, kb=kb))

It has its own OpenAPI document (/api/v1/openapi.json), its own JSON errors and its own body
limits. It takes JSON (or a multipart file for /batch), never a browser form, so a page on
another site cannot send it a request that changes anything (no CORS is allowed either).
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airegime._version import __version__
from airegime.api import (
    routes_accounts,
    routes_actions,
    routes_assessments,
    routes_batch,
    routes_evaluate,
    routes_evidence,
    routes_kb,
    routes_profile,
    routes_review,
    routes_sharing,
)
from airegime.api.errors import CRASH, CRASH_HINT, error_response, install_error_handlers, reader_lang
from airegime.api.models import ErrorBody
from airegime.edge.access import API_PREFIX, Gate, admit
from airegime.edge.deps import check_roles
from airegime.edge.headers import HeadAsGet, no_store
from airegime.edge.inputs import refusal
from airegime.edge.limits import BATCH_MAX_BYTES, MAX_BODY_BYTES, evidence_limit, limited
from airegime.errors import AccessDenied, msg
from airegime.kb import KnowledgeBase
from airegime.settings import get_settings
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.system import descriptor_schema, location_of

log = logging.getLogger("airegime.api")

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        400: "The request cannot be read (e.g. malformed JSON).",
        401: "No valid API token (accounts are on): send `Authorization: Bearer <token>`.",
        403: "The token's role (reader, editor, admin) does not allow this.",
        404: "No such assessment or address.",
        405: "Method not allowed.",
        413: "The body is over the size limit.",
        422: "A value is wrong: `where` says which, `hint` what to do.",
        500: "Unexpected error (logged on the server, never detailed here).",
        503: "The server listens beyond loopback but no account exists yet.",
    }.items()
}


def create_api(*, repository: Repository, kb: KnowledgeBase | None = None, gate: Gate | None = None) -> FastAPI:
    """The API over ``repository`` (its knowledge base unless ``kb`` is given).

    ``gate`` decides who may call it (by default: the accounts stored with the assessments).
    """
    api = FastAPI(
        dependencies=[Depends(api_access)],
        title="airegime API",
        version=__version__,
        summary="Which data-protection regime governs each phase of an AI system (decision support, not legal advice).",
        docs_url=None,  # Swagger UI loads its script from a CDN, which the web app's CSP (rightly) blocks
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    api.state.repo = repository
    api.state.gate = gate or Gate(Accounts(repository.engine))
    api.state.kb = kb or repository.kb
    api.state.default_lang = get_settings().lang
    # The gate (api_access) admits the caller; each router declares the role it needs (edge.deps.require).
    for router in (
        routes_evaluate.router,
        routes_assessments.router,
        routes_assessments.writes,  # editors
        routes_evidence.router,
        routes_evidence.writes,  # editors
        routes_batch.router,
        routes_kb.router,
        routes_accounts.router,
        routes_accounts.admin,  # admins
        *(routes_review.router, routes_review.writes, routes_review.archive),  # review; archive: admins
        *(routes_actions.router, routes_actions.writes),  # the action plan
        *(routes_sharing.router, routes_sharing.writes),  # read-only links
        routes_profile.admin,  # the organisation profile (admins)
    ):
        api.include_router(router)
    check_roles(api.routes, API_PREFIX)
    install_error_handlers(api)
    _answer_invalid_text(api)
    api.add_exception_handler(AccessDenied, _denied)  # type: ignore[arg-type]
    api.add_middleware(ApiEdge)
    api.add_middleware(HeadAsGet)  # when mounted, the web app's has already made HEAD a GET
    _publish_descriptor_schema(api, api.state.kb)
    return api


async def api_access(request: Request) -> None:
    await admit(request, api=True)


DENIALS = {
    401: (
        "unauthorized",
        msg("error.api.401"),
        msg("error.api.401.hint", header="Authorization: Bearer <token>", command="airegime users token"),
    ),
    403: ("forbidden", msg("error.api.403"), msg("error.api.403.hint")),
    503: (
        "no_accounts",
        msg("error.api.503"),
        msg("error.api.503.hint", command="airegime users add NAME --org ORG --role admin"),
    ),
}


TEXT_HINT = msg("error.api.text.hint")


def _answer_invalid_text(api: FastAPI) -> None:
    """A text the one text rule refuses (``edge.inputs``: a validation error of type ``invalid_text``)
    is 422 ``invalid_text``, ``where`` naming the text; other invalid input as ``api.errors`` answers it."""
    otherwise = api.exception_handlers[RequestValidationError]

    async def invalid_input(request: Request, error: RequestValidationError) -> Response:
        first: dict[str, Any] = dict(error.errors()[0]) if error.errors() else {}
        if first.get("type") != "invalid_text":
            answered = otherwise(request, error)
            return await answered if inspect.isawaitable(answered) else answered
        context: dict[str, Any] = first.get("ctx") or {}
        where = context["where"] if "where" in context else location_of(tuple(first.get("loc", ()))[1:])
        said = refusal(context) if "reason_id" in context else str(first.get("msg", ""))
        return error_response(422, "invalid_text", said, where=where, hint=TEXT_HINT, lang=reader_lang(request))

    api.add_exception_handler(RequestValidationError, invalid_input)  # type: ignore[arg-type]


async def _denied(request: Request, denied: AccessDenied) -> JSONResponse:
    code, message, hint = DENIALS[denied.status]
    response = error_response(denied.status, code, message, hint=hint, lang=reader_lang(request))
    if denied.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _publish_descriptor_schema(api: FastAPI, kb: KnowledgeBase) -> None:
    """Add the descriptor's JSON Schema (with each question's allowed answers) as a component."""
    schema = {k: v for k, v in descriptor_schema(kb).items() if k not in ("$schema", "$id")}

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            document = get_openapi(
                title=api.title,
                version=api.version,
                summary=api.summary,
                routes=api.routes,
                description=(
                    f"Rule set {kb.version} ({kb.hash}). Errors always have the shape "
                    '{"error": {"code", "message", "where", "hint"}}. ' + kb.disclaimer.en
                ),
            )
            components = document.setdefault("components", {})
            components.setdefault("schemas", {})["Descriptor"] = schema
            # Once accounts exist, every call needs a token; before, loopback callers need none.
            components["securitySchemes"] = {"bearerAuth": {"type": "http", "scheme": "bearer"}}
            document["security"] = [{"bearerAuth": []}, {}]
            for operation in (op for path in document["paths"].values() for op in path.values()):
                content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                if "$ref" in content.get("schema", {}):  # FastAPI merged its own dict schema beside the $ref
                    content["schema"] = {"$ref": content["schema"]["$ref"]}
            api.openapi_schema = document
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]


class ApiEdge:
    """Caps request bodies (413 before reading more), marks every answer ``Cache-Control: no-store``
    (results, reports, the audit log: nothing the API sends may be kept in a cache) and turns any
    escaped failure into a JSON 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # /batch takes an upload; when mounted, the web app's own limit applies first
        limit = BATCH_MAX_BYTES if scope["path"].rstrip("/").endswith("/batch") else MAX_BODY_BYTES
        limit = evidence_limit(scope["path"]) or limit  # and so do evidence files
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": no_store(list(message.get("headers", [])), "")}
            await send(message)

        try:
            await self.app(scope, limited(scope, receive, limit), watched_send)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            crashed = error_response(500, "server_error", CRASH, hint=CRASH_HINT, lang=reader_lang(Request(scope)))
            await crashed(scope, receive, send)
