"""The server's CPU cost per request, by kind, measured inside one process (no network, no client).

    .venv/bin/python stress/cpu_profile.py                       # SQLite, 100 requests of each kind
    .venv/bin/python stress/cpu_profile.py --database postgres   # AIREGIME_TEST_POSTGRES_URL
    .venv/bin/python stress/cpu_profile.py --cprofile evaluate   # where the CPU of one kind goes
    .venv/bin/python stress/cpu_profile.py --cold                # every answer set as if new (no cache)

It builds the app as each `airegime serve` process builds it (web app, API under /api/v1) and calls
it through ASGI with the requests of stress/load.py, one at a time, so each request's CPU time
(all threads of the process) can be told apart. The figures are those a uvicorn worker spends
inside the app; uvicorn's own work (parsing, writing, its event loop) comes on top: compare with
the server CPU that stress/load.py reports. The load's requests repeat a few answer sets, which
the engine's caches then hold: --cold empties them before each request (the cost of a new one).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import MIX, SEEDED, database_url, request_for

from airegime.web.server import serving_app

API = "/api/v1"


async def call(app: Any, method: str, path: str, options: dict[str, Any]) -> tuple[int, bytes]:
    """One request through the ASGI app, as uvicorn would hand it over."""
    query = b""
    if "params" in options:
        import httpx2

        query = str(httpx2.QueryParams(options["params"])).encode()
    body = json.dumps(options["json"]).encode() if "json" in options else b""
    headers = [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": API + path,
        "raw_path": (API + path).encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status, chunks = 0, []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def measure(
    app: Any, per_kind: int, profile_kind: str | None, only: list[str], cold: bool = False
) -> dict[str, float]:
    ids = []
    for i in range(SEEDED):
        status, body = await call(app, *request_for("create", i, [0]))
        assert status == 201, body[:300]
        ids.append(json.loads(body)["id"])
    kinds = sorted(set(MIX))
    for index, kind in enumerate(kinds * 5):  # warm up: lazy imports, caches
        await call(app, *request_for(kind, index, ids))
    cpu: dict[str, float] = {}
    profiler = cProfile.Profile() if profile_kind else None
    if profiler:
        _run_sync_inline()  # cProfile sees one thread: run the endpoints on it
    for kind in only or kinds:
        used = 0.0
        for index in range(per_kind):
            method, path, options = request_for(kind, 1000 + index, ids)
            if cold:
                forget_answer_sets()
            if profiler and kind == profile_kind:
                profiler.enable()
            start = time.process_time()
            status, body = await call(app, method, path, options)
            used += time.process_time() - start
            if profiler and kind == profile_kind:
                profiler.disable()
            assert 200 <= status < 300, (kind, status, body[:300])
        cpu[kind] = used * 1000 / per_kind
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return cpu


def forget_answer_sets() -> None:
    """Empty the caches kept by answer set (not those of the knowledge base itself)."""
    from airegime.api import views
    from airegime.engine import counterfactuals, evaluate, explain

    counterfactuals._counterfactuals_at.cache_clear()
    evaluate._decided.cache_clear()
    evaluate._trace.cache_clear()
    explain._traces.clear()
    views.condition_out.cache_clear()
    views.counterfactual_out.cache_clear()
    views.summary_out.cache_clear()


def _run_sync_inline() -> None:
    import anyio.to_thread

    async def inline(function: Any, *args: Any, **_options: Any) -> Any:
        return function(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite", help="sqlite, postgres, or an SQLAlchemy URL")
    parser.add_argument("--requests", type=int, default=100, help="requests of each kind")
    parser.add_argument("--cprofile", metavar="KIND", help="print a cProfile of this kind (read, evaluate…)")
    parser.add_argument("--only", metavar="KIND", action="append", default=[], help="measure only this kind")
    parser.add_argument("--cold", action="store_true", help="empty the caches kept by answer set before each request")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="airegime-profile-") as folder:
        os.environ["AIREGIME_DATABASE_URL"] = database_url(args.database, Path(folder))
        app = serving_app()  # as each server process builds it
        cpu = asyncio.run(measure(app, args.requests, args.cprofile, args.only, args.cold))
    mixed = sum(cpu[kind] for kind in MIX) / len(MIX) if not args.only else 0.0
    cold = ", caches emptied before each request" if args.cold else ""
    load = Path("/proc/loadavg").read_text().split()[0]
    print(f"{args.database}{cold}: CPU ms per request, in the app (load average {load})")
    for kind, ms in cpu.items():
        print(f"  {kind:<10} {ms:6.2f}")
    print(f"  {'mix':<10} {mixed:6.2f}   (weighted as stress/load.py sends them)")


if __name__ == "__main__":
    main()
