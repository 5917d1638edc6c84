"""Isolation: for EVERY page and API endpoint, a person of Org B tries to read and change Org A's
data (by A's ids, in the lists, in the exports, in the search) and fails; A's data is unchanged.

The routes are read from the app itself, so a new route is tested the day it is added (and a
new kind of path parameter fails here until it is given a value of Org A's).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from airegime.edge.access import required_role
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.storage.actions import Actions
from airegime.storage.audit import AuditLog
from airegime.storage.evidence import EvidenceStore
from airegime.storage.sharing import ShareLinks

from .helpers import SECRET, Browser, Org

# Requests a reader may make that are not reads: none of them changes an organisation's saved data.
READER_CHANGES = {
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/account/organisation"),
    ("POST", "/account/password"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/{token_id}/revoke"),
    ("POST", "/batch"),
    ("POST", "/api/v1/evaluate"),
    ("POST", "/api/v1/batch"),
}
PUBLIC_PAGES = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/lang/{code}"),
    ("GET", "/shared/{token}"),  # a read-only link: its token is the key (test_sharing_web.py)
    ("GET", "/shared/{token}/report.html"),
}
INVENTORY = f"system_id,system_name,deployment_name,household\nS1,{SECRET} batch,Police,non\n"
B_INVENTORY = INVENTORY.replace(SECRET, "Plain B")


def every_route(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) for every endpoint of the web app and of the API it mounts."""

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, APIRoute]]:
        for route in routes:
            if isinstance(route, APIRoute):
                yield prefix + route.path, route
            elif hasattr(route, "original_router"):  # FastAPI's included router
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif isinstance(route, Mount) and hasattr(route.app, "routes"):
                yield from walk(route.app.routes, prefix + route.path)

    for path, route in walk(app.routes, ""):
        for method in sorted(route.methods):
            yield method, path


def a_values(org_a: Org, repo: Repository, batch_token: str) -> dict[str, str]:
    token_id = Accounts(repo.engine).tokens(org_a.id)[0].id
    scoped = repo.scoped(org_a.id, actor="test")
    actions = Actions(scoped).list(org_a.assessment) or (Actions(scoped).add(org_a.assessment, title="A's action"),)
    links = ShareLinks(scoped).list(org_a.assessment) or (ShareLinks(scoped).create(org_a.assessment, days=1)[1],)
    evidence = EvidenceStore(scoped)
    where = {"scope": "deployment", "context_id": org_a.context, "question": "purpose"}
    evidence.set_note(org_a.assessment, text=f"{SECRET} note", **where)
    attachment = evidence.add_file(org_a.assessment, filename=f"{SECRET}.txt", data=SECRET.encode(), **where)
    return {
        "attachment_id": str(attachment.id),
        "action_id": str(actions[0].id),
        "link_id": str(links[0].id),
        "assessment_id": str(org_a.assessment),
        "context_id": str(org_a.context),
        "development_id": str(repo.scoped(org_a.id, actor="test").get(org_a.assessment).developments[0].id),
        "token_id": str(token_id),
        "token": batch_token,
        "code": "en",
    }


FORMATS = {
    "report.{fmt}": "md",
    "export.{fmt}": "json",
    "methodology.{fmt}": "md",
    "audit.{fmt}": "csv",
    "results.{fmt}": "csv",
    "actions.{fmt}": "csv",
}


def concrete(path: str, values: dict[str, str]) -> str:
    for pattern, fmt in FORMATS.items():
        path = path.replace(pattern, pattern.replace("{fmt}", fmt))
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"give the isolation test a value of Org A's for the parameter in {path}"
    return path


def form_for(org_a: Org) -> dict[str, str]:
    """Every form field any page takes, with values that would change A's data if they reached it."""
    return {
        "name": "changed by B",
        "organisation": "B",
        "description": "B",
        "development_description": "B",
        "first_context": "B",
        "scope": "development",
        "question": "personal_data",
        "value": "no",
        "ctx": str(org_a.context),
        "organisation_id": str(org_a.id),
        "role": "reader",
        "days": "1",
        "text": "",
        "username": "alice",
        "password": "wrong password!",
        "next": "/",
    }


def state_of(repo: Repository, org: Org) -> tuple[Any, ...]:
    scoped = repo.scoped(org.id, actor="test")
    saved = scoped.get(org.assessment)
    tokens = Accounts(repo.engine).tokens(org.id)
    return (
        saved.name,
        saved.system().to_dict(),
        len(scoped.history(org.assessment)),
        Actions(scoped).list(),
        ShareLinks(scoped).list(org.assessment),
        [(t.id, t.revoked) for t in tokens],
        scoped.count(),
        EvidenceStore(scoped).evidence(org.assessment),
    )


@pytest.fixture
def batch_token(browser_for: Callable[..., Browser]) -> str:
    """An inventory uploaded on the batch page by Org A's admin (kept in memory, for that browser)."""
    alice = browser_for("alice")
    response = alice.post(
        "/batch", data={"csrf_token": alice.csrf}, files={"file": ("inventory.csv", INVENTORY.encode(), "text/csv")}
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[-1]


def test_nobody_of_another_organisation_reads_or_changes_its_data(
    app: FastAPI, repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser], batch_token: str
) -> None:
    org_a, org_b = orgs["Org A"], orgs["Org B"]
    values = a_values(org_a, repo, batch_token)
    before = state_of(repo, org_a)
    audit_before = list(AuditLog(repo.engine).entries(org_a.id))
    bob = browser_for("bob")
    api = TestClient(app, headers={"Authorization": f"Bearer {org_b.token}"}, raise_server_exceptions=False)
    descriptor = {"name": "B's", "deployments": [{"name": "B", "answers": {}}]}
    leaks, reached = [], []
    for method, path in every_route(app):
        url = concrete(path, values)
        if path.startswith("/api/v1"):
            kwargs: dict[str, Any] = {}
            if path.endswith("/batch"):
                kwargs["files"] = {"file": ("inventory.csv", io.BytesIO(B_INVENTORY.encode()), "text/csv")}
            elif method in ("POST", "PUT"):
                kwargs["json"] = descriptor
            elif method == "PATCH":
                kwargs["json"] = {"answers": [{"scope": "development", "question": "personal_data", "value": "no"}]}
            response = api.request(method, url, **kwargs)
        elif method == "GET":
            response = bob.get(url)
            if response.is_redirect:  # e.g. /a/{id} sends on to /a/{id}/result: where it lands counts
                response = bob.get(response.headers["location"])
        else:
            files = {"file": ("i.csv", B_INVENTORY.encode(), "text/csv")} if path in ("/batch", "/import") else None
            response = bob.post(url, data={"csrf_token": bob.csrf, **form_for(org_a)}, files=files)
            if path == "/logout":
                bob.login("bob")
        if SECRET in response.text:
            leaks.append(f"{method} {path}: {response.status_code}")
        if any(
            "{" + name + "}" in path
            for name in ("assessment_id", "context_id", "token_id", "token", "action_id", "link_id", "attachment_id")
        ) and (response.status_code < 400):
            reached.append(f"{method} {path}: {response.status_code}")
    assert leaks == [], "Org A's data shown to Org B"
    assert reached == [], "Org B reached Org A's data by its id"
    assert state_of(repo, org_a) == before
    # Org B's actions went to Org B's log. Org A's admins see only the failed login B tried with
    # the name of one of them (the login form is in the walk, with alice's name and a wrong password).
    added = list(AuditLog(repo.engine).entries(org_a.id))[len(audit_before) :]
    assert [(e.action, e.target) for e in added] == [("login.failed", "alice")]


def test_each_organisation_sees_its_own_data(orgs: dict[str, Org], browser_for: Callable[..., Browser]) -> None:
    alice, bob = browser_for("alice"), browser_for("bob")
    assert SECRET in alice.get("/").text
    assert SECRET in alice.get(f"/a/{orgs['Org A'].assessment}/result").text
    assert SECRET in alice.get(f"/?q={SECRET[:6]}").text
    home_b = bob.get(f"/?q={SECRET[:6]}")
    assert home_b.status_code == 200 and SECRET not in home_b.text
    assert "Plain B" in bob.get("/").text


def test_api_tokens_see_only_their_organisation(app: FastAPI, orgs: dict[str, Org]) -> None:
    for org in orgs.values():
        client = TestClient(app, headers={"Authorization": f"Bearer {org.token}"})
        listed = client.get("/api/v1/assessments").json()
        assert [item["id"] for item in listed["items"]] == [org.assessment]
        assert client.get("/api/v1/me").json()["organisation"] == org.name
        other = next(o for o in orgs.values() if o is not org)
        response = client.get(f"/api/v1/assessments/{other.assessment}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_readers_cannot_change_anything(
    app: FastAPI, repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser], batch_token: str
) -> None:
    """For every route a reader may not use, Org A's reader is refused (403) and nothing changes."""
    org_a = orgs["Org A"]
    amy = browser_for("amy")
    token = Accounts(repo.engine).create_token("amy", "Org A", name="r", role="reader", days=None, actor="t")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"}, raise_server_exceptions=False)
    values = a_values(org_a, repo, batch_token)
    before = state_of(repo, org_a)
    allowed_changes, refused = set(), []
    for method, path in every_route(app):
        role = required_role(method, path)
        if method != "GET" and role == "reader":
            allowed_changes.add((method, path))
        if role == "reader":
            continue
        url = concrete(path, values)
        if path.startswith("/api/v1"):
            response = api.request(method, url, json={"name": "x", "deployments": [{"name": "x"}]})
        elif method == "GET":
            response = amy.get(url)
        else:
            response = amy.post(url, data={"csrf_token": amy.csrf, **form_for(org_a)})
        if response.status_code != 403:
            refused.append(f"{method} {path}: {response.status_code}")
    assert refused == [], "a reader got past the role check"
    assert allowed_changes == READER_CHANGES, "review: a reader may now send these; none may change saved data"
    assert state_of(repo, org_a) == before


def test_every_page_but_the_login_needs_a_login(app: FastAPI, orgs: dict[str, Org], repo: Repository) -> None:
    anonymous = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    values = a_values(orgs["Org A"], repo, "x" * 20)
    for method, path in every_route(app):
        if (method, path) in PUBLIC_PAGES:
            continue
        response = anonymous.request(method, concrete(path, values))
        if path.startswith("/api/v1"):
            assert response.status_code == 401, f"{method} {path}"
            assert response.json()["error"]["code"] == "unauthorized"
            assert response.headers["www-authenticate"] == "Bearer"
        elif method == "GET":
            assert response.status_code == 303, f"{method} {path}"
            assert response.headers["location"].startswith("/login?next=")
        else:  # a form without a CSRF token is refused first; with one, it goes to the login page
            assert response.status_code in (303, 403), f"{method} {path}"
        assert SECRET not in response.text
    # The API's description is public (it holds no one's data), like the style sheet.
    document = anonymous.get("/api/v1/openapi.json")
    assert document.status_code == 200 and SECRET not in document.text
    scheme = json.loads(document.text)["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {"type": "http", "scheme": "bearer"}
