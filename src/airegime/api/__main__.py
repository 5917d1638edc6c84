"""`python -m airegime.api --port 8123 --database-url sqlite:///…`: the web app with the API
mounted under /api/v1, on loopback, as the web app will serve it (used by the fault and load tests)."""

from __future__ import annotations

import argparse

from fastapi import FastAPI


def serving_app(database_url: str) -> FastAPI:
    """The web app over ``database_url`` with the API mounted at /api/v1."""
    from airegime.api import create_api
    from airegime.kb import load_knowledge_base
    from airegime.storage import Repository
    from airegime.web.app import create_app

    kb = load_knowledge_base()
    repository = Repository.open(database_url, kb)
    app = create_app(repository=repository, kb=kb)
    app.mount("/api/v1", create_api(repository=repository, kb=kb))
    return app


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m airegime.api", description=__doc__)
    parser.add_argument("--database-url", required=True, help="SQLAlchemy URL of the database")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    app = serving_app(args.database_url)
    import gc

    gc.freeze()  # the knowledge base and the app live as long as the process: keep them out of GC passes
    # Idle keep-alive connections stay open 30 s (uvicorn: 5 s), so a load client can reuse them.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        timeout_keep_alive=30,
        server_header=False,
    )


if __name__ == "__main__":
    main()
