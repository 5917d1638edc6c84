"""What every endpoint needs: the repository, the knowledge base, the language, checked input.

The checks here are shared with the web pages (``airegime.web``): ids in a path are bounded
(``RecordId``, ``AssessmentId``), every text goes through the one rule of ``airegime.text``,
and a JSON body is read as the descriptor reader reads JSON (``StrictJsonRoute``: a key given
twice, or nesting deeper than Python's recursion limit, is refused with a clear message).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Body, Path, Query, Request, Response
from fastapi.routing import APIRoute

from airegime.api.errors import ApiError, BodyRefused
from airegime.kb import KnowledgeBase
from airegime.kb.models import Lang
from airegime.storage import Repository
from airegime.system import DuplicateKeyError, refuse_duplicate_keys
from airegime.text import has_control, problem

MAX_ID = 2_147_483_647  # the ids are 32-bit integers in PostgreSQL (SQLite's are 64-bit: this bounds both)
LangQuery = Annotated[Lang | None, Query(description="language of texts: fr or en (default: AIREGIME_LANG)")]
AssessmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="the saved assessment's id")]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="a stored record's id")]
DESCRIPTOR_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Descriptor"}}},
    }
}
DescriptorBody = Annotated[dict[str, Any], Body(description="a system descriptor (see the Descriptor schema)")]


def repo(request: Request) -> Repository:
    """The repository of the caller's organisation (set by the access gate)."""
    repository: Repository = request.state.repo
    return repository


def kb(request: Request) -> KnowledgeBase:
    knowledge: KnowledgeBase = request.app.state.kb
    return knowledge


def lang(request: Request, chosen: Lang | None) -> Lang:
    default: Lang = request.app.state.default_lang
    return chosen or default


def text_problem(text: str) -> str | None:
    """What the one text rule (``airegime.text.problem``) says of a text as sent, the pages' forms
    and the API's bodies alike. Blank text (spaces only) is left to the field's own check, which
    strips it first (an empty name is "required", an empty description is fine); a control
    character is refused even where Python would count it as a space (``\x1c``-``\x1f``)."""
    if text.isspace() and not has_control(text):
        return None
    return problem(text)


def clean_text(data: Any, where: str = "") -> Any:
    """Refuse text that cannot be shown or stored as written (``airegime.text.problem``: control
    characters, a text made only of invisible characters) and lone surrogates."""
    if isinstance(data, str):
        found = text_problem(data) or ("holds an invalid Unicode surrogate" if not _encodable(data) else None)
        if found:
            raise ApiError(
                422,
                "invalid_text",
                f"the text {found}",
                where=where,
                hint="write this text with visible characters only (line breaks and tabs are allowed)",
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            clean_text(key, where)
            clean_text(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            clean_text(value, f"{where}[{index}]")
    return data


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def strict_json(body: bytes | str) -> Any:
    """A JSON document read as the descriptor reader reads one: a key given twice in one object is
    refused (``json`` would keep the last silently), and so is nesting too deep to read."""
    try:
        return json.loads(body, object_pairs_hook=refuse_duplicate_keys)
    except DuplicateKeyError as error:
        raise BodyRefused(
            422,
            "duplicate_key",
            f"the key '{error.key}' is given twice in one object",
            hint="keep one of them: a second one would silently replace the first",
        ) from None
    except RecursionError:
        raise BodyRefused(
            400, "too_deep", "the JSON body is nested too deeply", hint="a descriptor is a few levels deep"
        ) from None


class StrictJsonRequest(Request):
    """A request whose JSON body is read by :func:`strict_json`."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = strict_json(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    """Every API route: its JSON body read by :func:`strict_json` (FastAPI's own reading keeps the
    last of two equal keys)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler
