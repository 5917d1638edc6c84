"""One error shape for every failure: {"error": {"code", "message", "where", "hint"}}.

Library errors (``DescriptorError.location`` becomes ``where``), FastAPI's request validation,
HTTP errors (404, 405, 413) and anything unexpected (500, logged, never shown) all come out
as JSON in this shape; a descriptor's errors add ``problems``, every problem found (the first
50), and ``count``, how many there are. No stack trace, no SQL, no path on this machine ever
reaches a client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from airegime.edge.inputs import BodyRefused
from airegime.errors import AiregimeError, ApiError, DescriptorError, NotFoundError
from airegime.system import location_of

log = logging.getLogger("airegime.api")

HTTP_CODES = {
    400: ("bad_request", "the request cannot be read", "check the method, the URL and the body"),
    404: ("not_found", "nothing at this address", "see /api/v1/openapi.json for the endpoints"),
    405: ("method_not_allowed", "this method is not allowed here", "see /api/v1/openapi.json for the methods"),
    409: ("conflict", "the request conflicts with the stored state", "reload and try again"),
    413: ("too_large", "the request body is over the size limit", "send a smaller body or file"),
}

CRASH_HINT = "try again; if it persists, report it (the server's log has the details)"


def error_response(
    status: int, code: str, message: str, *, where: str = "", hint: str = "", **more: Any
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "where": where, "hint": hint, **more}}
    return JSONResponse(body, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(NotFoundError, _not_found)  # type: ignore[arg-type]
    app.add_exception_handler(DescriptorError, _invalid_descriptor)  # type: ignore[arg-type]
    app.add_exception_handler(AiregimeError, _refused)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _crashed)


async def _api_error(_request: Request, error: ApiError) -> JSONResponse:
    return error_response(error.status, error.code, error.message, where=error.where, hint=error.hint)


async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    if isinstance(error, BodyRefused):
        return error_response(error.status_code, error.code, error.message, hint=error.hint)
    code, message, hint = HTTP_CODES.get(error.status_code, HTTP_CODES[400])
    response = error_response(error.status_code if error.status_code in HTTP_CODES else 400, code, message, hint=hint)
    if error.status_code == 405 and error.headers and "Allow" in error.headers:
        response.headers["Allow"] = error.headers["Allow"]
    return response


async def _invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    first: dict[str, Any] = dict(error.errors()[0]) if error.errors() else {}
    if first.get("type") == "json_invalid":
        return error_response(400, "malformed_json", "the body is not valid JSON", hint="send a JSON document")
    where = _where(tuple(first.get("loc", ())))
    if first.get("loc") == ("body",) and isinstance(first.get("input"), bytes):
        return error_response(
            422, "not_json", "the body must be a JSON object", hint="send it with Content-Type: application/json"
        )
    message = str(first.get("msg", "invalid request"))
    return error_response(422, "invalid_request", message, where=where, hint=_hint(first))


def _where(loc: tuple[int | str, ...]) -> str:
    """('body', 'answers', 0, 'scope') -> 'answers[0].scope'; ('query', 'page') -> 'page'."""
    return location_of(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else location_of(loc)


def _hint(error: dict[str, Any]) -> str:
    if error.get("type") == "missing":
        return "add this field"
    if error.get("type") == "extra_forbidden":
        return "remove this field (see /api/v1/openapi.json)"
    return "correct this value (see /api/v1/openapi.json)"


async def _not_found(_request: Request, error: NotFoundError) -> JSONResponse:
    return error_response(404, "not_found", error.message, hint=error.hint)


async def _invalid_descriptor(_request: Request, error: DescriptorError) -> JSONResponse:
    # message, where and hint describe one problem (the first) for clients written before `problems`;
    # the message says how many there are.
    return error_response(
        422,
        "invalid_descriptor",
        error.reason,
        where=error.location,
        hint=error.problems[0].hint or error.hint,
        problems=[problem.to_dict() for problem in error.problems],
        count=error.count,
    )


async def _refused(_request: Request, error: AiregimeError) -> JSONResponse:
    return error_response(400, "refused", error.message, hint=error.hint)


async def _crashed(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        500, "server_error", "an unexpected error occurred", hint="try again; if it persists, report it"
    )
