"""Request body limits, the same for the pages and the API: a body over its limit is refused (413)
before more of it is read, at once when its declared length is already over."""

from __future__ import annotations

import re

from fastapi import HTTPException
from starlette.types import Message, Receive, Scope

MAX_BODY_BYTES = 1_000_000  # a form or a JSON body
BATCH_MAX_BYTES = 5_000_000  # an inventory upload (/batch) may be larger
EVIDENCE_MAX_BYTES = 10_500_000  # a file of evidence (10 MB at most) with its form's other fields
# Where evidence is uploaded: the pages' form and the API's attachments (their own limit, above).
EVIDENCE_UPLOADS = re.compile(r"/(?:a/\d+/evidence/file|assessments/\d+/attachments)/?$")


def evidence_limit(path: str) -> int | None:
    """The body limit of an evidence upload at ``path``, None for any other address."""
    return EVIDENCE_MAX_BYTES if EVIDENCE_UPLOADS.search(path) else None


class BodyTooLarge(HTTPException):
    """Raised while the body is read; FastAPI lets HTTP errors through from there (a 413 page or JSON)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


def content_length(scope: Scope) -> int | None:
    """The declared Content-Length of a request, if any and well formed."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def limited(scope: Scope, receive: Receive, limit: int) -> Receive:
    """``receive`` that raises :class:`BodyTooLarge` once the request's body is over ``limit`` bytes."""
    declared = content_length(scope)
    received = 0

    async def limited_receive() -> Message:
        nonlocal received
        if declared is not None and declared > limit:
            raise BodyTooLarge  # refuse before reading a byte
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise BodyTooLarge
        return message

    return limited_receive
