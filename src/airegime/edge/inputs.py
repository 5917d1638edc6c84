"""Input as sent, checked the same way by the pages and the API: ids in a path are bounded
(``RecordId``, ``AssessmentId``), every text goes through the one rule of ``airegime.text``, and
a JSON body is read as the descriptor reader reads JSON (``strict_json``: a key given twice, or
nesting deeper than Python's recursion limit, is refused with a clear message).

The text rule is also a pydantic type (``CleanText``, ``CleanTree``, ``SearchText``): FastAPI
refuses such input while it reads the request, as a validation error of type ``invalid_text``
(the API answers it as 422 ``invalid_text``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException

from airegime.errors import DuplicateKeyError, Message, Said, in_lang, msg
from airegime.system import refuse_duplicate_keys
from airegime.text import has_control, problem

MAX_ID = 2_147_483_647  # the ids are 32-bit integers in PostgreSQL (SQLite's are 64-bit: this bounds both)
AssessmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="the saved assessment's id")]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="a stored record's id")]


def text_problem(text: str) -> Message | None:
    """What the one text rule (``airegime.text.problem``) says of a text as sent, the pages' forms
    and the API's bodies alike. Blank text (spaces only) is left to the field's own check, which
    strips it first (an empty name is "required", an empty description is fine); a control
    character is refused even where Python would count it as a space (``\x1c``-``\x1f``)."""
    if text.isspace() and not has_control(text):
        return None
    return problem(text)


def unreadable(text: str) -> Message | None:
    """``text_problem``, and a lone surrogate (valid in JSON, not storable as UTF-8)."""
    found = text_problem(text)
    if found is None and not _encodable(text):
        return msg("text.surrogate")
    return found


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse(found: Message, where: str | None = None) -> PydanticCustomError:
    """Pydantic's error says it in English; ``reason_id`` in its context lets an edge say it in its
    reader's language (``refusal``)."""
    context = {"reason": found.text(), "reason_id": found.key}
    if where is not None:
        context["where"] = where
    return PydanticCustomError("invalid_text", "the text {reason}", context)


_REASONS = {reason.key: reason for reason in (msg("text.control"), msg("text.invisible"), msg("text.surrogate"))}


def refusal(context: dict[str, Any]) -> Message:
    """What ``_refuse`` said, as a message: "the text contains control characters…"."""
    return msg("text.refused", reason=_REASONS.get(str(context.get("reason_id")), msg("text.control")))


def checked_text(text: str) -> str:
    """The one text rule as a validator (``CleanText``)."""
    found = unreadable(text)
    if found:
        raise _refuse(found)
    return text


def checked_tree(data: Any, where: str = "") -> Any:
    """Every key and text of a JSON document through the one text rule; ``where`` (in the error's
    context) names the text, or for a key the object holding it (``answers``)."""
    if isinstance(data, str):
        found = unreadable(data)
        if found:
            raise _refuse(found, where)
    elif isinstance(data, dict):
        for key, value in data.items():
            checked_tree(key, where)
            checked_tree(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            checked_tree(value, f"{where}[{index}]")
    return data


def _searchable(text: str) -> str:
    return "" if text and text_problem(text) else text


CleanText = Annotated[str, AfterValidator(checked_text)]
CleanTree = AfterValidator(checked_tree)  # for a JSON body of any shape: Annotated[dict[str, Any], CleanTree]
# A search with control characters finds nothing anyway: searched as empty, never refused.
SearchText = Annotated[str, AfterValidator(_searchable)]


class BodyRefused(StarletteHTTPException):
    """The body cannot be read as sent (a key given twice, too deep): raised while FastAPI reads it,
    which lets only HTTP errors through as they are."""

    def __init__(self, status: int, code: str, message: Said, *, hint: Said = "") -> None:
        super().__init__(status_code=status, detail=in_lang(message, "en"))
        self.code, self.said, self.advice = code, message, hint


def strict_json(body: bytes | str) -> Any:
    """A JSON document read as the descriptor reader reads one: a key given twice in one object is
    refused (``json`` would keep the last silently), and so is nesting too deep to read."""
    try:
        return json.loads(body, object_pairs_hook=refuse_duplicate_keys)
    except DuplicateKeyError as error:
        raise BodyRefused(
            422, "duplicate_key", msg("error.body.key_twice", key=error.key), hint=msg("error.key_twice.hint")
        ) from None
    except RecursionError:
        raise BodyRefused(400, "too_deep", msg("error.body.too_deep"), hint=msg("error.body.too_deep.hint")) from None
