"""Typed dependencies for the pages and the API, in FastAPI's ``Annotated[T, Depends(f)]`` idiom:
a route names what it needs in its signature (``repo: RepoDep``, ``user: CurrentUser``) instead
of reading the request's state by hand, and a router names the role it needs
(``APIRouter(dependencies=[EDITOR])``).

The access gate (``access.admit``, a dependency of each app) runs first: it puts the principal and
its organisation's repository on the request; these read them. The functions are async because
they only read memory (a sync dependency would cost a trip to a worker thread).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from airegime.edge.access import Gate, required_role
from airegime.errors import AccessDenied
from airegime.kb import KnowledgeBase
from airegime.kb.models import Lang
from airegime.storage import Repository
from airegime.storage.accounts import ROLES, Accounts, Principal, Role


def _state(name: str, *, of_app: bool = False) -> Callable[[Request], Awaitable[Any]]:
    """A dependency reading ``name`` from the request's state (set by the gate), or the app's."""

    async def read(request: Request) -> Any:
        return getattr((request.app if of_app else request).state, name)

    read.__name__ = f"get_{name}"
    return read


# The repository of the organisation the request acts in.
RepoDep = Annotated[Repository, Depends(_state("repo"))]
KbDep = Annotated[KnowledgeBase, Depends(_state("kb", of_app=True))]
# Who the admitted request acts as (never asked on a public page: there is nobody).
CurrentUser = Annotated[Principal, Depends(_state("principal"))]
GateDep = Annotated[Gate, Depends(_state("gate", of_app=True))]


async def get_accounts(gate: GateDep) -> Accounts:
    return gate.accounts


AccountsDep = Annotated[Accounts, Depends(get_accounts)]
LangQuery = Annotated[Lang | None, Query(description="language of texts: fr or en (default: AIREGIME_LANG)")]


async def get_api_lang(request: Request, lang: LangQuery = None) -> Lang:
    """The API's language: ``?lang=``, else the app's default."""
    default: Lang = request.app.state.default_lang
    return lang or default


# The API's language (``?lang=``); the pages' (a cookie) is ``airegime.web.pages.PageLangDep``.
ApiLangDep = Annotated[Lang, Depends(get_api_lang)]


RouteInfo = tuple[str, APIRoute, tuple[Any, ...]]
ROLE_OF: dict[object, Role] = {}  # each ``require`` dependency -> its role (for ``check_roles``)


def require(role: Role) -> Callable[[Principal], Awaitable[None]]:
    """A dependency refusing (403) a principal whose role is below ``role``: the gate has already
    answered 401 (no login or token) and 503 (no account yet, beyond loopback)."""

    async def has_role(principal: CurrentUser) -> None:
        if not principal.can(role):
            raise AccessDenied(403, "role")

    has_role.__name__ = f"require_{role}"
    ROLE_OF[has_role] = role
    return has_role


EDITOR = Depends(require("editor"))  # routers that change saved assessments
ADMIN = Depends(require("admin"))  # the admin page and the audit log


def declared_role(dependencies: Iterable[Any]) -> Role:
    """The highest role among a route's dependencies (reader: any admitted principal)."""
    roles = [ROLE_OF[d.dependency] for d in dependencies if d.dependency in ROLE_OF]
    return max(roles, key=ROLES.index, default="reader")


def routes_of(routes: Iterable[BaseRoute], prefix: str = "", above: tuple[Any, ...] = ()) -> Iterator[RouteInfo]:
    """(path, route, its dependencies with those of the routers it is included through)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route, (*above, *route.dependencies)
        elif hasattr(route, "original_router"):  # FastAPI includes a router as a whole (0.16x)
            context: Any = getattr(route, "include_context")  # noqa: B009
            inner: Any = getattr(route, "original_router")  # noqa: B009
            yield from routes_of(inner.routes, prefix + context.prefix, (*above, *context.dependencies))


def check_roles(routes: Iterable[BaseRoute], prefix: str = "") -> None:
    """Refuse to build an app whose routes declare other roles than ``access.required_role`` says
    (a write route left without ``EDITOR`` would let readers change data): checked once, at start."""
    wrong = [
        f"{method} {path}: declares {declared_role(dependencies)}, needs {needed}"
        for path, route, dependencies in routes_of(routes, prefix)
        for method in sorted(route.methods or ())
        if (needed := required_role(method, path)) != declared_role(dependencies)
    ]
    if wrong:
        raise RuntimeError("routes with the wrong role: " + "; ".join(wrong))
