"""Issue 13, items 12 and 16 (API): invisible names and keys given twice are refused with a clear
error; HEAD is answered like GET; nothing the API answers is cached."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .helpers import Api, assert_error


@pytest.mark.parametrize("name", ["\u202e", "\u200b", " \u200b\u202e "])
def test_a_name_made_only_of_invisible_characters_is_refused(api: Api, descriptor: dict[str, Any], name: str) -> None:
    descriptor["name"] = name
    for method, path in (("POST", "/evaluate"), ("POST", "/assessments")):
        error = assert_error(api.request(method, path, json=descriptor), 422, "invalid_text", "name")
        assert "invisible" in error["message"]
    descriptor["name"] = "Fine"
    descriptor["deployments"][0]["name"] = name
    assert_error(api.post("/evaluate", json=descriptor), 422, "invalid_text", "deployments[0].name")


def test_a_key_given_twice_in_a_json_body_is_refused(api: Api, descriptor: dict[str, Any]) -> None:
    body = json.dumps(descriptor)
    twice = body.replace('"name":', '"name": "First", "name":', 1)
    headers = {"content-type": "application/json"}
    for method, path in (("POST", "/evaluate"), ("POST", "/assessments")):
        error = assert_error(api.request(method, path, content=twice, headers=headers), 422, "duplicate_key")
        assert "'name'" in error["message"] and "twice" in error["message"]
    created = api.post("/assessments", json=descriptor)
    assert created.status_code == 201
    path = f"/assessments/{created.json()['id']}"
    assert_error(api.put(path, content=twice, headers=headers), 422, "duplicate_key")
    patch = '{"answers": [], "answers": []}'
    assert_error(api.patch(path, content=patch, headers=headers), 422, "duplicate_key")


def test_deeply_nested_json_is_a_400_that_says_so(api: Api) -> None:
    error = assert_error(
        api.post("/evaluate", content="[" * 100_000 + "]" * 100_000, headers={"content-type": "application/json"}),
        400,
        "too_deep",
    )
    assert "nested" in error["message"]


def test_head_is_answered_like_get_without_a_body(api: Api, descriptor: dict[str, Any]) -> None:
    created = api.post("/assessments", json=descriptor).json()["id"]
    for path in ("/kb", "/assessments", f"/assessments/{created}", f"/assessments/{created}/report.md", "/me"):
        got, head = api.get(path), api.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
    assert api.head("/evaluate").status_code == 405  # POST only


def test_nothing_the_api_answers_is_cached(api: Api, descriptor: dict[str, Any]) -> None:
    """Item 12: results, reports and the audit export carry Cache-Control: no-store."""
    created = api.post("/assessments", json=descriptor)
    assessment = created.json()["id"]
    assert created.headers["cache-control"] == "no-store"
    assert api.post("/evaluate", json=descriptor).headers["cache-control"] == "no-store"
    for path in (
        f"/assessments/{assessment}",
        f"/assessments/{assessment}/history",
        f"/assessments/{assessment}/report.json",
        f"/assessments/{assessment}/report.pdf",
        "/assessments",
        "/audit/export",
        "/audit/export?format=jsonl",
        "/audit",
    ):
        response = api.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["cache-control"] == "no-store", path
