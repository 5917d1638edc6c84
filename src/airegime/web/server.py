"""Serving the web app (with the API under /api/v1) with uvicorn, in one process or several.

`airegime serve` and the load and fault scripts start the server through ``run``; each server
process builds its app with ``serving_app``. The database comes from the settings
(``AIREGIME_DATABASE_URL``), which worker processes inherit with the rest of the environment.
"""

from __future__ import annotations

import gc
import ipaddress
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI

HOST_VARIABLE = "AIREGIME_SERVE_HOST"  # tells worker processes the address listened on
DEFAULT_THREADS = 5  # SQLAlchemy's default pool size


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that may resolve anywhere


def allowed_hosts(host: str) -> list[str] | None:
    """On a loopback address, answer only to loopback names (no DNS rebinding); elsewhere, any name."""
    return sorted({"127.0.0.1", "localhost", "[::1]", host}) if is_loopback(host) else None


def serving_app(host: str = "127.0.0.1") -> FastAPI:
    """The app one server process runs when it listens on ``host``.

    Beyond loopback it requires accounts. The knowledge base and the app live as long as the
    process, so they are moved out of the garbage collector's passes (a full pass over them
    would pause every request in flight).
    """
    from airegime.web.app import create_app

    app = create_app(allowed_hosts=allowed_hosts(host), require_accounts=not is_loopback(host))
    _threads_as_connections(app)
    gc.freeze()
    return app


def worker_app() -> FastAPI:
    """The factory each worker process calls (``workers`` > 1)."""
    return serving_app(os.environ.get(HOST_VARIABLE, "127.0.0.1"))


def run(app: FastAPI, *, host: str, port: int, workers: int = 1) -> None:
    """Serve ``app`` (built by ``serving_app``, so the database is open and migrated) until stopped.

    With several workers, each process builds its own app: ``app`` has then only served to
    check the settings and migrate the database once, before the workers race to do it.
    Raises OSError when the address cannot be listened on (in use, not this machine's).
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "server_header": False,
        # Forwarded headers are the app's business (ForwardedMiddleware, AIREGIME_TRUSTED_PROXIES):
        # uvicorn's default would believe any X-Forwarded-For sent from 127.0.0.1.
        "proxy_headers": False,
        "timeout_keep_alive": 30,  # uvicorn's 5 s would make scripts and proxies reconnect often
    }
    if workers == 1:
        uvicorn.run(app, **options)
        return
    app.state.repo.engine.dispose()  # the workers open their own connections
    os.environ[HOST_VARIABLE] = host
    if not sys.platform.startswith("linux"):  # SO_REUSEPORT shares connections out on Linux only
        uvicorn.run("airegime.web.server:worker_app", factory=True, workers=workers, **options)
        return
    config = uvicorn.Config("airegime.web.server:worker_app", factory=True, workers=workers, **options)
    with ReusePortListener(host, port) as held, suppress(KeyboardInterrupt):  # Ctrl-C: the workers stop too
        Multiprocess(config, sockets=[held]).run()


class ReusePortListener(socket.socket):
    """The address the worker processes listen on, each with a socket of its own (Linux SO_REUSEPORT).

    uvicorn binds one socket and hands the same one to every worker: a new connection then goes
    to whichever worker wins the race to accept it, often the same one (measured with
    ``stress/load.py``: one of two workers did 84 % of the work while the other idled, and the
    busy one made the tail latency). With a socket of its own in each worker, the kernel shares
    new connections out evenly among them (connections, not requests: a client that keeps one
    connection open stays with one worker). This socket, bound but never listening, holds the
    address in the supervisor and receives no connection; when uvicorn passes it to a worker (a
    new one too, after a crash), it arrives as a new socket bound to the same address
    (``__reduce__``). Only processes of the same user can join the address (a Linux rule), and a
    server started on an address already listened on is refused, as uvicorn's own would be.
    """

    def __init__(self, host: str, port: int) -> None:
        family, address = socket.AF_INET6 if ":" in host else socket.AF_INET, (host.strip("[]"), port)
        # Bound first without SO_REUSEPORT: refused if anything listens there, another airegime too.
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
        super().__init__(family, socket.SOCK_STREAM)
        _bind_shared(self, address)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        host, port = self.getsockname()[:2]
        return _worker_socket, (int(self.family), host, port)


def _worker_socket(family: int, host: str, port: int) -> socket.socket:
    """In a worker process: its own socket on the supervisor's address (uvicorn makes it listen)."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    _bind_shared(sock, (host, port))
    return sock


def _bind_shared(sock: socket.socket, address: tuple[str, int]) -> None:
    """Bind ``sock`` to ``address`` in the workers' group (SO_REUSEPORT)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart at once after a stop, as uvicorn does
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)


def _threads_as_connections(app: FastAPI) -> None:
    """Run the endpoints that use the database in as many threads as the pool keeps connections.

    With more threads (anyio's default: 40), a burst of requests makes the pool open connections
    beyond its size and close them when they are given back: on PostgreSQL each is a new server
    process and a password handshake, which cost more CPU than the requests themselves.
    """
    import anyio.to_thread

    size = getattr(app.state.repo.engine.pool, "size", None)
    threads = size() if callable(size) else DEFAULT_THREADS
    serving = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads  # per event loop
        async with serving(app_) as state:
            yield state

    app.router.lifespan_context = lifespan
