"""`python -m airegime.api --port 8123 --database-url sqlite:///…`: the web app with the API
mounted under /api/v1, on loopback, as the web app will serve it (used by the fault and load tests)."""

from __future__ import annotations

import argparse
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
    gc.freeze()  # the knowledge base and the app live as long as the process: keep them out of GC passes
    return app


DATABASE_VARIABLE = "AIREGIME_API_DATABASE_URL"


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
