"""One error shape for every failure: {"error": {"code", "message", "where", "hint"}}.

Library errors (``DescriptorError.location`` becomes ``where``), FastAPI's request validation,
HTTP errors (404, 405, 413) and anything unexpected (500, logged, never shown) all come out
as JSON in this shape; a descriptor's errors add ``problems``, every problem found (the first
50), and ``count``, how many there are. No stack trace, no SQL, no path on this machine ever
reaches a client.

``code`` is stable, for programs; ``message`` and ``hint`` (and each problem's) are for people, in
the reader's language: ``?lang=fr`` or ``Accept-Language: fr``, else English (``reader_lang``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from airegime.edge.inputs import BodyRefused
from airegime.errors import AiregimeError, ApiError, DescriptorError, NotFoundError, Said, in_lang, msg
from airegime.kb.models import Lang, as_lang
from airegime.system import location_of

log = logging.getLogger("airegime.api")

HTTP_CODES = {
    400: ("bad_request", msg("error.http.400"), msg("error.http.400.hint")),
    404: ("not_found", msg("error.http.404"), msg("error.http.404.hint")),
    405: ("method_not_allowed", msg("error.http.405"), msg("error.http.405.hint")),
    409: ("conflict", msg("error.http.409"), msg("error.http.409.hint")),
    413: ("too_large", msg("error.http.413"), msg("error.http.413.hint")),
}

CRASH = msg("error.http.500")
CRASH_HINT = msg("error.http.500.hint")


def reader_lang(request: Request) -> Lang:
    """The language of an error's words: ``?lang=``, else the first of ours in ``Accept-Language``
    (by its q weights), else English, as they were before they could be anything else."""
    asked = as_lang(request.query_params.get("lang"))
    if asked:
        return asked
    weighed: list[tuple[float, int, Lang]] = []
    for position, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = as_lang(tag.strip().lower().partition("-")[0])
        if primary and weight > 0:
            weighed.append((-weight, position, primary))
    return min(weighed)[2] if weighed else "en"


def error_response(
    status: int, code: str, message: Said, *, where: str = "", hint: Said = "", lang: str = "en", **more: Any
) -> JSONResponse:
    said = {"message": in_lang(message, lang), "hint": in_lang(hint, lang)}
    body = {"error": {"code": code, "message": said["message"], "where": where, "hint": said["hint"], **more}}
    return JSONResponse(body, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(NotFoundError, _not_found)  # type: ignore[arg-type]
    app.add_exception_handler(DescriptorError, _invalid_descriptor)  # type: ignore[arg-type]
    app.add_exception_handler(AiregimeError, _refused)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _crashed)


async def _api_error(request: Request, error: ApiError) -> JSONResponse:
    return error_response(
        error.status, error.code, error.said, where=error.where, hint=error.advice, lang=reader_lang(request)
    )


async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    lang = reader_lang(request)
    if isinstance(error, BodyRefused):
        return error_response(error.status_code, error.code, error.said, hint=error.advice, lang=lang)
    code, message, hint = HTTP_CODES.get(error.status_code, HTTP_CODES[400])
    status = error.status_code if error.status_code in HTTP_CODES else 400
    response = error_response(status, code, message, hint=hint, lang=lang)
    if error.status_code == 405 and error.headers and "Allow" in error.headers:
        response.headers["Allow"] = error.headers["Allow"]
    return response


async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    lang = reader_lang(request)
    first: dict[str, Any] = dict(error.errors()[0]) if error.errors() else {}
    if first.get("type") == "json_invalid":
        return error_response(
            400, "malformed_json", msg("error.api.malformed_json"), hint=msg("error.api.malformed_json.hint"), lang=lang
        )
    where = _where(tuple(first.get("loc", ())))
    if first.get("loc") == ("body",) and isinstance(first.get("input"), bytes):
        hint = msg("error.api.not_json.hint", header="Content-Type: application/json")
        return error_response(422, "not_json", msg("error.api.not_json"), hint=hint, lang=lang)
    message = str(first.get("msg", "invalid request"))  # pydantic's own words, in English
    return error_response(422, "invalid_request", message, where=where, hint=_hint(first), lang=lang)


def _where(loc: tuple[int | str, ...]) -> str:
    """('body', 'answers', 0, 'scope') -> 'answers[0].scope'; ('query', 'page') -> 'page'."""
    return location_of(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else location_of(loc)


def _hint(error: dict[str, Any]) -> Said:
    if error.get("type") == "missing":
        return msg("error.kb.missing.hint")
    if error.get("type") == "extra_forbidden":
        return msg("error.api.extra.hint")
    return msg("error.api.value.hint")


async def _not_found(request: Request, error: NotFoundError) -> JSONResponse:
    return error_response(404, "not_found", error.said, hint=error.advice, lang=reader_lang(request))


async def _invalid_descriptor(request: Request, error: DescriptorError) -> JSONResponse:
    # message, where and hint describe one problem (the first) for clients written before `problems`;
    # the message says how many there are.
    lang = reader_lang(request)
    return error_response(
        422,
        "invalid_descriptor",
        error.reason_in(lang),
        where=error.location,
        hint=error.problems[0].hint_in(lang) or error.hint_in(lang),
        lang=lang,
        problems=[problem.to_dict(lang) for problem in error.problems],
        count=error.count,
    )


async def _refused(request: Request, error: AiregimeError) -> JSONResponse:
    return error_response(400, "refused", error.said, hint=error.advice, lang=reader_lang(request))


async def _crashed(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "server_error", CRASH, hint=CRASH_HINT, lang=reader_lang(request))
