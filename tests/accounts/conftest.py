"""Two organisations with an admin, an editor and a reader each, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from storage.conftest import empty_postgres, postgres_url

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.system import parse_system
from airegime.web.app import create_app
from airegime.web.security import CSRF_COOKIE

PASSWORD = "correct horse battery"
SECRET = "SECRET-NAME-OF-A"  # in Org A's assessment: must never appear in an answer to Org B


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accounts.sqlite3'}"
    return empty_postgres(postgres_url())


@dataclass
class Org:
    id: int
    name: str
    assessment: int
    context: int
    token: str  # an admin's API token


@pytest.fixture
def orgs(repo: Repository, kb: KnowledgeBase) -> dict[str, Org]:
    """Org A and Org B; alice/anna/amy are A's admin/editor/reader, bob/ben/bea B's."""
    accounts = Accounts(repo.engine)
    people = {"Org A": ("alice", "anna", "amy"), "Org B": ("bob", "ben", "bea")}
    made = {}
    for org, (admin, editor, reader) in people.items():
        for name, role in ((admin, "admin"), (editor, "editor"), (reader, "reader")):
            accounts.add_user(name, PASSWORD, organisation=org, role=role, actor="test")
        org_id = dict((n, i) for i, n in accounts.organisations())[org]
        scoped = repo.scoped(org_id, actor=admin)
        system = parse_system(
            {
                "name": f"{SECRET if org == 'Org A' else 'Plain B'} system",
                "development": {"answers": {"personal_data": "yes"}},
                "deployments": [{"name": f"{org} context", "answers": {"personal_data": "yes"}}],
            },
            kb=kb,
        )
        assessment = scoped.import_system(system)
        context = scoped.get(assessment).contexts[0].id
        token = accounts.create_token(admin, org, name="ci", role="admin", days=None, actor="test")
        made[org] = Org(org_id, org, assessment, context, token)
    return made


class Browser(TestClient):
    """A browser: keeps cookies, and sends its CSRF token with every form."""

    def login(self, username: str, password: str = PASSWORD) -> None:
        fields = {"csrf_token": self.csrf, "username": username, "password": password, "next": "/"}
        response = self.post("/login", data=fields)
        assert response.status_code == 303, response.text

    def form(self, path: str, data: dict[str, str] | None = None) -> Response:
        return self.post(path, data={"csrf_token": self.csrf, **(data or {})})

    @property
    def csrf(self) -> str:
        if CSRF_COOKIE not in self.cookies:
            self.get("/login")
        return str(self.cookies[CSRF_COOKIE])


@pytest.fixture
def app(repo: Repository, kb: KnowledgeBase) -> FastAPI:
    return create_app(repository=repo, kb=kb)


@pytest.fixture
def browser_for(app: FastAPI) -> Iterator[Callable[..., Browser]]:
    """browser_for("bob") is a browser logged in as bob; all browsers of a test share one app."""
    opened: list[Browser] = []

    def open_browser(username: str | None = None) -> Browser:
        client = Browser(app, follow_redirects=False, raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        if username:
            client.login(username)
        return client

    yield open_browser
    for client in opened:
        client.__exit__(None, None, None)
