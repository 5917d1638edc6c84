"""The REST API: a FastAPI sub-application, mounted by the web app under /api/v1.

    app.mount("/api/v1", create_api(repository=repo, kb=kb))

It has its own OpenAPI document (/api/v1/openapi.json), its own JSON errors and its own body
limits. It takes JSON (or a multipart file for /batch), never a browser form, so a page on
another site cannot send it a request that changes anything (no CORS is allowed either).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airegime._version import __version__
from airegime.api import routes_accounts, routes_assessments, routes_batch, routes_evaluate, routes_kb
from airegime.api.errors import CRASH_HINT, error_response, install_error_handlers
from airegime.api.models import ErrorBody
from airegime.kb import KnowledgeBase
from airegime.settings import get_settings
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.system import descriptor_schema
from airegime.web.access import Denied, Gate, admit
from airegime.web.security import HeadAsGet, content_length, no_store

log = logging.getLogger("airegime.api")

MAX_JSON_BYTES = 1_000_000
MAX_UPLOAD_BYTES = 5_000_000  # /batch; when mounted, the web app's own limit applies first
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
    for module in (routes_evaluate, routes_assessments, routes_batch, routes_kb, routes_accounts):
        api.include_router(module.router)
    install_error_handlers(api)
    api.add_exception_handler(Denied, _denied)  # type: ignore[arg-type]
    api.add_middleware(ApiEdge)
    api.add_middleware(HeadAsGet)  # when mounted, the web app's has already made HEAD a GET
    _publish_descriptor_schema(api, api.state.kb)
    return api


async def api_access(request: Request) -> None:
    await admit(request, api=True)


DENIALS = {
    401: (
        "unauthorized",
        "a valid API token is needed",
        "send `Authorization: Bearer <token>` (`airegime users token`)",
    ),
    403: ("forbidden", "your role does not allow this", "ask an administrator of your organisation for the role"),
    503: (
        "no_accounts",
        "no account exists yet",
        "create the first with `airegime users add NAME --org ORG --role admin`",
    ),
}


async def _denied(_request: Request, denied: Denied) -> JSONResponse:
    code, message, hint = DENIALS[denied.status]
    response = error_response(denied.status, code, message, hint=hint)
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
        limit = MAX_UPLOAD_BYTES if scope["path"].rstrip("/").endswith("/batch") else MAX_JSON_BYTES
        declared = content_length(scope)
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise _TooLarge
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": no_store(list(message.get("headers", [])), "")}
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            crashed = error_response(500, "server_error", "an unexpected error occurred", hint=CRASH_HINT)
            await crashed(scope, receive, send)


class _TooLarge(HTTPException):
    """Raised while reading the body; FastAPI passes HTTP errors from the body read through (413)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)
