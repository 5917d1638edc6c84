"""What every endpoint needs: the repository, the knowledge base, the language, checked text."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Body, Path, Query, Request

from airegime.api.errors import ApiError
from airegime.kb import KnowledgeBase
from airegime.kb.models import Lang
from airegime.storage import Repository

MAX_ID = 2_147_483_647  # the ids are 32-bit integers in PostgreSQL
LangQuery = Annotated[Lang | None, Query(description="language of texts: fr or en (default: AIREGIME_LANG)")]
AssessmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="the saved assessment's id")]
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


# C0 control characters but tab, newline and carriage return. NUL cannot be stored in
# PostgreSQL; \x1c-\x1f are whitespace to Python's str.strip (the repository) but not to
# pydantic's (the descriptor), so a name made of them would pass one and be emptied by the other.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(data: Any, where: str = "") -> Any:
    """Refuse text no database can store or strip consistently: control characters, lone surrogates."""
    if isinstance(data, str):
        if CONTROL.search(data) or not _encodable(data):
            raise ApiError(
                422,
                "invalid_text",
                "the text holds a control character or an invalid Unicode surrogate",
                where=where,
                hint="remove control characters from this text",
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
