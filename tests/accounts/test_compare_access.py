"""Comparing stays inside one organisation: another's assessment, as either side, is not found, on
the pages and in the API; a reader may compare (nothing is stored)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from airegime.storage import Repository
from airegime.storage.accounts import Accounts

from .helpers import SECRET, Browser, Org


def test_another_organisations_assessment_is_not_found_on_either_side(
    app: FastAPI, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    a, b = orgs["Org A"].assessment, orgs["Org B"].assessment
    api = TestClient(app, headers={"Authorization": f"Bearer {orgs['Org B'].token}"}, raise_server_exceptions=False)
    bob = browser_for("bob")
    for path, params in (
        (f"/assessments/{b}/compare", {"with": a}),
        (f"/assessments/{a}/compare", {"with": b}),
        (f"/assessments/{a}/compare", {"version": 0}),
    ):
        answer = api.get("/api/v1" + path, params=params)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found", path
        assert SECRET not in answer.text
        page = bob.get(path.replace("/assessments/", "/a/"), params=params)
        assert page.status_code == 404 and SECRET not in page.text, path
    assert api.get(f"/api/v1/assessments/{b}/compare", params={"with": b}).status_code == 200
    choosing = bob.get(f"/a/{b}/compare")
    assert choosing.status_code == 200 and SECRET not in choosing.text  # A's assessments are not offered


def test_a_reader_compares(
    app: FastAPI, repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    a = orgs["Org A"].assessment
    amy = browser_for("amy")
    page = amy.get(f"/a/{a}/compare", params={"version": 0})
    assert page.status_code == 200 and SECRET in page.text
    token = Accounts(repo.engine).create_token("amy", "Org A", name="r", role="reader", days=None, actor="t")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert api.get(f"/api/v1/assessments/{a}/compare", params={"with": a}).status_code == 200
