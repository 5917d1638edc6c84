"""Two organisations with people of each role, an assessment of Org A's, and clients for them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from accounts.helpers import PASSWORD, Browser
from databases import empty_postgres, postgres_url, sqlite_copy
from fastapi import FastAPI
from fastapi.testclient import TestClient

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.system import parse_system
from airegime.web.app import create_app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> str:
    if request.param == "sqlite":
        return sqlite_copy(migrated_sqlite, tmp_path / "evidence.sqlite3")
    return empty_postgres(postgres_url())


@dataclass
class World:
    org_a: int
    org_b: int
    assessment: int  # Org A's
    development: int
    context: int
    b_assessment: int  # Org B's
    tokens: dict[str, str]  # user -> API token with the user's role


PEOPLE = {"Org A": (("alice", "admin"), ("anna", "editor"), ("amy", "reader")), "Org B": (("ben", "editor"),)}


@pytest.fixture
def world(repo: Repository, kb: KnowledgeBase) -> World:
    accounts = Accounts(repo.engine)
    tokens = {}
    for org, people in PEOPLE.items():
        for name, role in people:
            accounts.add_user(name, PASSWORD, organisation=org, role=role, actor="test")
            tokens[name] = accounts.create_token(name, org, name="t", role=role, days=None, actor="test")
    ids = {n: i for i, n in accounts.organisations()}
    made = {}
    for org in PEOPLE:
        scoped = repo.scoped(ids[org], actor="test")
        system = parse_system(
            {
                "name": f"{org} system",
                "development": {"answers": {"personal_data": "yes"}},
                "deployments": [{"name": f"{org} shop", "answers": {"purpose": "other"}}],
            },
            kb=kb,
        )
        made[org] = scoped.get(scoped.import_system(system))
    a = made["Org A"]
    return World(ids["Org A"], ids["Org B"], a.id, a.developments[0].id, a.contexts[0].id, made["Org B"].id, tokens)


@pytest.fixture
def app(repo: Repository, kb: KnowledgeBase) -> FastAPI:
    return create_app(repository=repo, kb=kb)


@pytest.fixture
def api_as(app: FastAPI, world: World) -> Iterator[Callable[[str], TestClient]]:
    """api_as("anna"): the API (mounted, as served) with anna's token."""
    opened: list[TestClient] = []

    def client(user: str) -> TestClient:
        headers = {"Authorization": f"Bearer {world.tokens[user]}"}
        made = TestClient(app, headers=headers, raise_server_exceptions=False, follow_redirects=False)
        made.__enter__()
        opened.append(made)
        return made

    yield client
    for made in opened:
        made.__exit__(None, None, None)


@pytest.fixture
def browser_for(app: FastAPI, world: World) -> Iterator[Callable[[str], Browser]]:
    """browser_for("anna"): a browser logged in as anna."""
    opened: list[Browser] = []

    def open_browser(username: str) -> Browser:
        client = Browser(app, follow_redirects=False, raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        client.login(username)
        return client

    yield open_browser
    for client in opened:
        client.__exit__(None, None, None)
