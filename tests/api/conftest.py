"""Fixtures for the API: a client over the sub-application alone and over the web app with the
API mounted at /api/v1 (as served), each on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from databases import empty_postgres, postgres_url, sqlite_copy

from airegime.api import create_api
from airegime.storage import Repository

from .helpers import EXAMPLES, MOUNT, Api, mounted_app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> str:
    if request.param == "sqlite":
        return sqlite_copy(migrated_sqlite, tmp_path / "api.sqlite3")
    return empty_postgres(postgres_url())


# "mounted": the same API, inside the web app (as served); slow, since it doubles every API test
@pytest.fixture(params=["alone", pytest.param("mounted", marks=pytest.mark.slow)])
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
