"""What every response says: security headers (a Content-Security-Policy with no inline script
or style, no framing, no sniffing), nothing kept in a cache, and HEAD answered like GET."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
