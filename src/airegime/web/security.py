"""Safe defaults at the edge: a request size limit, a CSRF token for every form, headers
(a Content-Security-Policy with no inline script or style, no framing, no sniffing, nothing
kept in a cache), HEAD answered like GET, and the client's address taken from X-Forwarded-For
only when a trusted reverse proxy sent it."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from http.cookies import SimpleCookie

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1_000_000
BATCH_MAX_BYTES = 5_000_000  # an inventory upload (the batch page) may be larger than a form
CSRF_COOKIE = "airegime_csrf"
CSRF_FIELD = "csrf_token"
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


NO_STORE = (b"cache-control", b"no-store")
CACHEABLE = ("/static/",)  # the style sheet and scripts: the same for everyone


def no_store(headers: list[tuple[bytes, bytes]], path: str) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``Cache-Control: no-store`` unless the response set its own or is a static file.

    Results, exports, reports, the account page that shows a new token and the audit log are
    private: neither the browser nor a proxy may keep a copy (on disk, or for the back button).
    """
    if path.startswith(CACHEABLE) or any(name.lower() == b"cache-control" for name, _ in headers):
        return headers
    return [*headers, NO_STORE]


class HeadAsGet:
    """Answers HEAD like GET without the body (FastAPI routes list GET only, so HEAD got 405)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


class BodyTooLarge(HTTPException):
    """The request body is over the limit (turned into a 413 page)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


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
        token, fresh = _csrf_token(scope)
        scope.setdefault("state", {})["csrf"] = token
        declared = content_length(scope)
        limit = self.path_limits.get(scope.get("path", ""), self.max_body)
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

        await self.app(scope, limited_receive, send_with_headers)


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


def content_length(scope: Scope) -> int | None:
    """The declared Content-Length of a request, if any and well formed."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


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
