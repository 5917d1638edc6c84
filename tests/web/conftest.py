"""Fixtures for the web app: an app over a fresh SQLite database, a CSRF-aware test client,
and (for @pytest.mark.browser tests) a live server plus headless Chromium."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from storage.conftest import changed_kb  # noqa: F401  (the re-check tests share the storage tests' changed rules)

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.web.app import create_app

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
def repo(tmp_path: Path, kb: KnowledgeBase) -> Iterator[Repository]:
    repository = Repository.open(f"sqlite:///{tmp_path / 'web.sqlite3'}", kb)
    yield repository
    repository.engine.dispose()


class Client(TestClient):
    """A test client that fills in this browser's CSRF token on every form it posts."""

    def token(self) -> str:
        if "airegime_csrf" not in self.cookies:
            self.get("/")
        return str(self.cookies.get("airegime_csrf"))

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.post(url, data={"csrf_token": self.token(), **(data or {})}, **kwargs)


@pytest.fixture
def client(repo: Repository) -> Iterator[Client]:
    with Client(create_app(repository=repo), raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def hidden(html: str, name: str) -> str:
    """The value of a hidden input in a page (the interview's scope, ctx and question)."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden input {name!r} in the page"
    return match.group(1)


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
