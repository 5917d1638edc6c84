"""What the API's endpoints share: the descriptor body (its texts checked as it is read), and the
route class that reads JSON bodies strictly. The typed dependencies (``RepoDep``, ``KbDep``,
``ApiLangDep``, ``CurrentUser``, ``require``) are ``airegime.edge.deps``, shared with the pages.

Input is checked as the web pages check it (``airegime.edge.inputs``): ids in a path are bounded,
every text goes through the one rule of ``airegime.text`` (``CleanTree``, ``CleanText``: a
validation error of type ``invalid_text``, answered as 422 ``invalid_text``), and a JSON body is
read as the descriptor reader reads JSON (``StrictJsonRoute``: a key given twice, or nesting too
deep, is refused with a clear message).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Body, Request, Response
from fastapi.routing import APIRoute

from airegime.edge.inputs import CleanTree, strict_json

DESCRIPTOR_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Descriptor"}}},
    }
}
DescriptorBody = Annotated[
    dict[str, Any], CleanTree, Body(description="a system descriptor (see the Descriptor schema)")
]


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
