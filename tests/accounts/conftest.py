"""Two organisations with an admin, an editor and a reader each, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from databases import empty_postgres, postgres_url, sqlite_copy
from fastapi import FastAPI

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.system import parse_system
from airegime.web.app import create_app

from .helpers import PASSWORD, SECRET, Browser, Org


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> str:
    if request.param == "sqlite":
        # A test of the two organisations starts from a copy of them, made once (orgs_sqlite).
        template = request.getfixturevalue("orgs_sqlite")[0] if "orgs" in request.fixturenames else migrated_sqlite
        return sqlite_copy(template, tmp_path / "accounts.sqlite3")
    return empty_postgres(postgres_url())


@pytest.fixture(scope="session")
def orgs_sqlite(
    tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path, kb: KnowledgeBase
) -> tuple[Path, dict[str, Org]]:
    """The two organisations saved once in a SQLite database, for the SQLite tests to copy."""
    path = tmp_path_factory.mktemp("orgs") / "orgs.sqlite3"
    repo = Repository.open(sqlite_copy(migrated_sqlite, path), kb)
    made = make_orgs(repo, kb)
    repo.engine.dispose()
    return path, made


@pytest.fixture
def orgs(request: pytest.FixtureRequest, repo: Repository, kb: KnowledgeBase) -> dict[str, Org]:
    """Org A and Org B; alice/anna/amy are A's admin/editor/reader, bob/ben/bea B's."""
    if repo.engine.dialect.name == "sqlite":
        return dict(request.getfixturevalue("orgs_sqlite")[1])  # already in the copied database
    return make_orgs(repo, kb)


def make_orgs(repo: Repository, kb: KnowledgeBase) -> dict[str, Org]:
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
