"""Fixtures for the web app: an app over a fresh SQLite database, a CSRF-aware test client,
and (for @pytest.mark.browser tests) a live server plus headless Chromium."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from databases import sqlite_copy
from fastapi import FastAPI

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.web.app import create_app

from .helpers import Client, Serve

ROOT = Path(__file__).parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture
def repo(tmp_path: Path, kb: KnowledgeBase, migrated_sqlite: Path) -> Iterator[Repository]:
    repository = Repository.open(sqlite_copy(migrated_sqlite, tmp_path / "web.sqlite3"), kb)
    yield repository
    repository.engine.dispose()


@pytest.fixture
def client(repo: Repository) -> Iterator[Client]:
    with Client(create_app(repository=repo), raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


# Browser tests


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port, in a thread; yields its address."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the web app did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve() -> Serve:
    """``serve(app)``: a context manager serving ``app`` on a free loopback port; yields its address."""
    return serving


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[str]:
    repository = Repository.open(f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.sqlite3'}", kb)
    with serving(create_app(repository=repository)) as address:
        yield address
    repository.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI: install the Debian package chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
