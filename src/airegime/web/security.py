"""What the web app adds at the edge: a CSRF token for every page's forms, the security headers and the
request size limit of ``airegime.edge`` on every response and request (the mounted API's too),
and the client's address taken from X-Forwarded-For only when a trusted reverse proxy sent it."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from http.cookies import SimpleCookie

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airegime.edge.access import is_api
from airegime.edge.headers import HEADERS, no_store
from airegime.edge.limits import MAX_BODY_BYTES, evidence_limit, limited

CSRF_COOKIE = "airegime_csrf"
CSRF_FIELD = "csrf_token"


class CsrfError(HTTPException):
    """A form arrived without the token of this browser (turned into a 403 page)."""

    def __init__(self) -> None:
        super().__init__(status_code=403, detail="csrf")


class SecurityMiddleware:
    """Adds the security headers, hands every browser a CSRF cookie, and caps request bodies."""

    def __init__(
        self, app: ASGIApp, *, max_body: int = MAX_BODY_BYTES, path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        # The API takes a bearer token, never the login cookie, so it needs no CSRF token.
        token, fresh = ("", False) if is_api(path) else _csrf_token(scope)
        scope.setdefault("state", {})["csrf"] = token
        limit = self.path_limits.get(path) or evidence_limit(path) or self.max_body

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(HEADERS)
                headers = no_store(headers, scope.get("path", ""))
                if fresh:
                    cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, limited(scope, receive, limit), send_with_headers)


def check_csrf(cookie_token: str, submitted: str) -> None:
    if not cookie_token or not submitted or not hmac.compare_digest(cookie_token, submitted):
        raise CsrfError


def _csrf_token(scope: Scope) -> tuple[str, bool]:
    """The browser's token from its cookie, or a new one (then set on the response)."""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header: treat as absent
                break
            morsel = cookie.get(CSRF_COOKIE)
            if morsel and 20 <= len(morsel.value) <= 100 and morsel.value.replace("-", "").replace("_", "").isalnum():
                return morsel.value, False
    return secrets.token_urlsafe(32), True


def safe_next(path: str | None) -> str:
    """A local path to go back to after switching language (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or "\n" in path:
        return "/"
    return path


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(setting: str) -> tuple[Network, ...] | None:
    """The proxies of AIREGIME_TRUSTED_PROXIES: comma-separated addresses or networks (CIDR);
    ``*`` trusts every peer (the app is reachable only through its proxy); empty trusts none.
    None stands for ``*``. A malformed entry is an error, not silently ignored."""
    entries = [entry.strip() for entry in setting.split(",") if entry.strip()]
    if "*" in entries:
        return None
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"'{entry}' in AIREGIME_TRUSTED_PROXIES is not an address or a network (e.g. 10.0.0.5, 10.0.0.0/24, *)"
            ) from None
    return tuple(networks)


class ForwardedMiddleware:
    """The client's address (and scheme) as a trusted reverse proxy tells them.

    A request whose peer is one of ``trusted`` (None: every peer) has its X-Forwarded-For read from
    the right, skipping trusted proxies: the first other address is the client (what each proxy
    appended, not what the client wrote). X-Forwarded-Proto sets the scheme. From any other peer
    the headers are ignored, so nobody sets their own address in the audit log or the login
    throttle. The server itself (uvicorn) is told to trust no forwarded header.
    """

    def __init__(self, app: ASGIApp, *, trusted: tuple[Network, ...] | None) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and self._trusts(client[0]):
            forwarded: list[str] = []
            proto = ""
            for name, value in scope.get("headers", []):
                if name == b"x-forwarded-for":
                    forwarded.extend(part.strip() for part in value.decode("latin-1").split(","))
                elif name == b"x-forwarded-proto":
                    proto = value.decode("latin-1").strip().lower()
            host = client[0]
            for entry in reversed(forwarded):
                if _address(entry) is None:
                    break  # not an address: nothing further left can be believed either
                host = entry
                if not self._trusts(entry):
                    break
            scope["client"] = (str(_address(host) or host), 0 if host != client[0] else client[1])
            if proto in ("http", "https") and scope["type"] == "http":
                scope["scheme"] = proto
        await self.app(scope, receive, send)

    def _trusts(self, host: str) -> bool:
        address = _address(host)
        if address is None:
            return False
        return self.trusted is None or any(address in network for network in self.trusted)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None
