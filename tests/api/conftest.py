"""Fixtures for the API: a client over the sub-application alone and over the web app with the
API mounted at /api/v1 (as served), each on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from storage.conftest import changed_kb, empty_postgres, postgres_url  # noqa: F401  (changed_kb: a fixture)

from airegime.api import create_api
from airegime.storage import Repository
from airegime.web.app import create_app

EXAMPLES = Path(__file__).parents[2] / "examples"
MOUNT = "/api/v1"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'api.sqlite3'}"
    return empty_postgres(postgres_url())


def mounted_app(repository: Repository) -> FastAPI:
    """The web app, which mounts the API at MOUNT."""
    return create_app(repository=repository, kb=repository.kb)


class Api(TestClient):
    """A client whose paths are the API's own (/evaluate…), wherever the API is mounted."""

    prefix = ""

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(url, str) and url.startswith("/"):
            url = self.prefix + url
        return super().request(method, url, *args, **kwargs)


@pytest.fixture(params=["alone", "mounted"])
def api(request: pytest.FixtureRequest, repo: Repository) -> Iterator[Api]:
    app = create_api(repository=repo) if request.param == "alone" else mounted_app(repo)
    with Api(app, raise_server_exceptions=False, follow_redirects=False) as client:
        client.prefix = "" if request.param == "alone" else MOUNT
        yield client


@pytest.fixture(scope="session")
def zone_crossing() -> dict[str, Any]:
    return dict(yaml.safe_load((EXAMPLES / "zone-crossing-detector.yaml").read_text(encoding="utf-8")))


@pytest.fixture
def descriptor(zone_crossing: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of the example descriptor, free to edit."""
    return copy.deepcopy(zone_crossing)


def assert_error(response: Any, status: int, code: str, where: str | None = None) -> dict[str, Any]:
    """The one error shape: {"error": {"code", "message", "where", "hint"}}, nothing else."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    listing = {"count", "problems"} if error.get("code") == "invalid_descriptor" else set()
    assert set(error) == {"code", "message", "where", "hint"} | listing
    assert error["code"] == code, error
    assert error["message"]
    if where is not None:
        assert error["where"] == where, error
    assert "Traceback" not in response.text
    return error
