"""`python -m airegime.api --port 8123 --database-url sqlite:///…`: the web app with the API
mounted under /api/v1, on loopback, as the web app will serve it (used by the fault and load tests)."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI


def serving_app(database_url: str) -> FastAPI:
    """The web app over ``database_url``, which mounts the API at /api/v1."""
    from airegime.kb import load_knowledge_base
    from airegime.storage import Repository
    from airegime.web.app import create_app

    kb = load_knowledge_base()
    return create_app(repository=Repository.open(database_url, kb), kb=kb)


def app_from_environment() -> FastAPI:
    """The factory each worker process calls (``--workers`` > 1): the URL comes through the environment."""
    import gc
    import os

    app = serving_app(os.environ[DATABASE_VARIABLE])
    _threads_as_connections(app)
    gc.freeze()  # the knowledge base and the app live as long as the process: keep them out of GC passes
    return app


DATABASE_VARIABLE = "AIREGIME_API_DATABASE_URL"
DEFAULT_THREADS = 5  # SQLAlchemy's default pool size


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


def main(argv: list[str] | None = None) -> None:
    import os

    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m airegime.api", description=__doc__)
    parser.add_argument("--database-url", required=True, help="SQLAlchemy URL of the database")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--workers", type=int, default=1, help="server processes (one Python process uses one core)")
    args = parser.parse_args(argv)
    os.environ[DATABASE_VARIABLE] = args.database_url
    # Idle keep-alive connections stay open 30 s (uvicorn: 5 s), so a load client can reuse them.
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": "warning",
        "access_log": False,  # not shown at the warning level anyway
        "timeout_keep_alive": 30,
        "server_header": False,
    }
    if args.workers == 1:
        uvicorn.run(app_from_environment(), **options)
    else:
        _migrate(args.database_url)  # once, before the workers start (they would race to create the tables)
        uvicorn.run("airegime.api.__main__:app_from_environment", factory=True, workers=args.workers, **options)


def _migrate(database_url: str) -> None:
    from airegime.storage.database import open_engine

    open_engine(database_url).dispose()


if __name__ == "__main__":
    main()
