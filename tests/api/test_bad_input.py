"""Bad input of every kind gets the one JSON error shape, says where, and changes nothing;
the mounted API is not blocked by the web app's CSRF check, and a crash shows no detail."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from airegime.storage import Repository

from .helpers import MOUNT, Api, assert_error, mounted_app

Edit = Callable[[dict[str, Any]], object]


def snapshot(repo: Repository) -> tuple[object, ...]:
    """Everything a request could change: the assessments, their answers, history and results."""
    ids = [item.id for item in repo.list(per_page=100).items]
    return (
        repo.count(),
        tuple((repo.get(i).system(), repo.history(i), len(repo.evaluations(i))) for i in ids),
    )


@pytest.fixture
def saved(api: Api, descriptor: dict[str, Any]) -> int:
    response = api.post("/assessments", json=descriptor)
    assert response.status_code == 201
    return int(response.json()["id"])


BAD_DESCRIPTORS: list[tuple[str, Edit, str, str]] = [
    (
        "unknown answer",
        lambda d: d["deployments"][1]["answers"].update(purpose="sometimes"),
        "invalid_descriptor",
        "deployments[1].answers.purpose",
    ),
    ("unknown question", lambda d: d["answers"].update(colour="blue"), "invalid_descriptor", "answers.colour"),
    (
        "question at the wrong level",
        lambda d: d["answers"].update(purpose="other"),
        "invalid_descriptor",
        "answers.purpose",
    ),
    ("no deployment", lambda d: d.update(deployments=[]), "invalid_descriptor", "deployments"),
    ("no name", lambda d: d.pop("name"), "invalid_descriptor", "name"),
    ("blank name", lambda d: d.update(name="   "), "invalid_descriptor", "name"),
    ("name too long", lambda d: d.update(name="x" * 201), "invalid_descriptor", "name"),
    ("unknown key", lambda d: d.update(owner="me"), "invalid_descriptor", "owner"),
    (
        "answers not a mapping",
        lambda d: d["developments"][0].update(answers=["yes"]),
        "invalid_descriptor",
        "developments[0].answers",
    ),
    ("deployment not a mapping", lambda d: d["deployments"].append("police"), "invalid_descriptor", "deployments[2]"),
    ("wrong format version", lambda d: d.update(airegime=3), "invalid_descriptor", "airegime"),
    ("NUL character", lambda d: d.update(name="a\x00b"), "invalid_text", "name"),
    # Python strips \x1c as whitespace, pydantic does not: such a name would be stored empty.
    ("control character", lambda d: d["deployments"][0].update(name="\x1c"), "invalid_text", "deployments[0].name"),
    ("NUL in an answer key", lambda d: d["answers"].update({"house\x00hold": "no"}), "invalid_text", "answers"),
]


@pytest.mark.parametrize(("case", "edit", "code", "where"), BAD_DESCRIPTORS, ids=[c[0] for c in BAD_DESCRIPTORS])
def test_a_bad_descriptor_says_where_and_changes_nothing(
    api: Api, repo: Repository, saved: int, descriptor: dict[str, Any], case: str, edit: Edit, code: str, where: str
) -> None:
    bad = copy.deepcopy(descriptor)
    edit(bad)
    before = snapshot(repo)
    for method, path in (("post", "/evaluate"), ("post", "/assessments"), ("put", f"/assessments/{saved}")):
        error = assert_error(api.request(method, path, json=bad), 422, code, where)
        assert error["hint"], f"{case}: an error must say what to do"
    assert snapshot(repo) == before


BAD_PATCHES: list[tuple[str, object, str, str]] = [
    ("no changes", {"answers": []}, "invalid_request", "answers"),
    ("not a list", {"answers": {"purpose": "other"}}, "invalid_request", "answers"),
    (
        "unknown scope",
        {"answers": [{"scope": "phase", "question": "purpose", "value": "x"}]},
        "invalid_request",
        "answers[0].scope",
    ),
    (
        "missing context",
        {"answers": [{"scope": "deployment", "question": "purpose", "value": "other"}]},
        "invalid_descriptor",
        "answers[0].deployment",
    ),
    (
        "context out of range",
        {"answers": [{"scope": "deployment", "deployment": 9, "question": "purpose", "value": "other"}]},
        "invalid_descriptor",
        "answers[0].deployment",
    ),
    (
        "negative context",
        {"answers": [{"scope": "deployment", "deployment": -1, "question": "purpose", "value": "other"}]},
        "invalid_request",
        "answers[0].deployment",
    ),
    (
        "wrong scope",
        {"answers": [{"scope": "system", "question": "purpose", "value": "other"}]},
        "invalid_descriptor",
        "answers[0].question",
    ),
    (
        "unknown question",
        {"answers": [{"scope": "system", "question": "nope", "value": "yes"}]},
        "invalid_descriptor",
        "answers[0].question",
    ),
    (
        "context on a system answer",
        {"answers": [{"scope": "system", "deployment": 0, "question": "establishment", "value": "eu"}]},
        "invalid_descriptor",
        "answers[0].deployment",
    ),
    (
        "number as value",
        {"answers": [{"scope": "system", "question": "establishment", "value": 3}]},
        "invalid_request",
        "answers[0].value.str",
    ),
    (
        "extra field",
        {"answers": [{"scope": "system", "question": "establishment", "value": "eu", "why": 1}]},
        "invalid_request",
        "answers[0].why",
    ),
    # The first change is fine, the second is not: neither is stored.
    (
        "second change wrong",
        {
            "answers": [
                {"scope": "system", "question": "establishment", "value": "outside"},
                {"scope": "deployment", "deployment": 0, "question": "purpose", "value": "never"},
            ]
        },
        "invalid_descriptor",
        "deployments[0].answers.purpose",
    ),
]


@pytest.mark.parametrize(("case", "body", "code", "where"), BAD_PATCHES, ids=[c[0] for c in BAD_PATCHES])
def test_a_bad_patch_says_where_and_changes_nothing(
    api: Api, repo: Repository, saved: int, case: str, body: object, code: str, where: str
) -> None:
    before = snapshot(repo)
    assert_error(api.patch(f"/assessments/{saved}", json=body), 422, code, where)
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        (
            "post",
            "/evaluate",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            400,
            "malformed_json",
        ),
        (
            "post",
            "/evaluate",
            {"content": b"\xff\xfe\x00", "headers": {"content-type": "application/json"}},
            400,
            "bad_request",
        ),
        (
            "post",
            "/assessments",
            {"content": b'{"name": "x"}', "headers": {"content-type": "text/plain"}},
            422,
            "not_json",
        ),
        ("post", "/assessments", {"data": {"name": "x", "first_context": "y"}}, 422, "not_json"),
        ("post", "/assessments", {"json": ["a", "list"]}, 422, "invalid_request"),
        ("post", "/assessments", {"json": "text"}, 422, "invalid_request"),
        (
            "post",
            "/assessments",
            {"content": b"", "headers": {"content-type": "application/json"}},
            422,
            "invalid_request",
        ),
        (
            "post",
            "/assessments",
            {"content": b"[" * 100_000, "headers": {"content-type": "application/json"}},
            400,
            "too_deep",  # said as such (it was the generic bad_request)
        ),
        (
            "post",
            "/assessments",
            {"content": b" " * 1_000_001, "headers": {"content-type": "application/json"}},
            413,
            "too_large",
        ),
        ("get", "/assessments/0", {}, 422, "invalid_request"),
        ("get", "/assessments/abc", {}, 422, "invalid_request"),
        ("get", "/assessments/99999999999", {}, 422, "invalid_request"),
        ("get", "/assessments/424242", {}, 404, "not_found"),
        ("put", "/assessments/424242", {"json": {"name": "x", "deployments": [{"name": "y"}]}}, 404, "not_found"),
        (
            "patch",
            "/assessments/424242",
            {"json": {"answers": [{"scope": "system", "question": "establishment", "value": "eu"}]}},
            404,
            "not_found",
        ),
        ("delete", "/assessments/424242", {}, 404, "not_found"),
        ("get", "/assessments", {"params": {"sort": "random"}}, 422, "invalid_request"),
        ("get", "/assessments", {"params": {"page": "0"}}, 422, "invalid_request"),
        ("get", "/assessments", {"params": {"per_page": "1000"}}, 422, "invalid_request"),
        ("get", "/assessments", {"params": {"q": "a\x00b"}}, 422, "invalid_request"),
        ("get", "/assessments", {"params": {"q": "x" * 201}}, 422, "invalid_request"),
        ("get", "/kb", {"params": {"lang": "de"}}, 422, "invalid_request"),
        ("get", "/assessments/1/report.exe", {}, 422, "invalid_request"),
        ("delete", "/assessments", {}, 405, "method_not_allowed"),
        ("patch", "/evaluate", {}, 405, "method_not_allowed"),
        ("get", "/nowhere", {}, 404, "not_found"),
        ("post", "/batch", {}, 422, "invalid_request"),
        ("post", "/batch", {"files": {"file": ("inventory", b"a,b\n")}}, 422, "unreadable_inventory"),
        ("post", "/batch", {"files": {"file": ("inventory.xlsx", b"not a zip")}}, 422, "unreadable_inventory"),
        (
            "post",
            "/batch",
            {"files": {"file": ("inventory.csv", b"name,colour\nx,blue\n")}},
            422,
            "unreadable_inventory",
        ),
        ("post", "/batch", {"files": {"file": ("inventory.csv", b"x" * 5_000_001)}}, 413, "too_large"),
        (
            "post",
            "/batch",
            {"files": {"file": ("inventory.csv", b"system_id\n")}, "params": {"output": "exe"}},
            422,
            "invalid_request",
        ),
    ],
)
def test_bad_requests_get_the_error_shape_and_change_nothing(
    api: Api, repo: Repository, saved: int, method: str, path: str, kwargs: dict[str, Any], status: int, code: str
) -> None:
    before = snapshot(repo)
    assert_error(api.request(method, path, **kwargs), status, code)
    assert snapshot(repo) == before


def test_mounted_api_needs_no_csrf_token_but_the_web_forms_still_do(
    repo: Repository, descriptor: dict[str, Any]
) -> None:
    with Api(mounted_app(repo), raise_server_exceptions=False, follow_redirects=False) as api:
        api.prefix = MOUNT
        created = api.post("/assessments", json=descriptor)  # no CSRF cookie, no token
        assert created.status_code == 201, created.text
        assessment_id = created.json()["id"]
        change = {"answers": [{"scope": "system", "question": "establishment", "value": "outside"}]}
        assert api.patch(f"/assessments/{assessment_id}", json=change).status_code == 200
        assert api.put(f"/assessments/{assessment_id}", json=descriptor).status_code == 200
        assert api.delete(f"/assessments/{assessment_id}").status_code == 204
        web_form = api.post("http://testserver/new", data={"name": "x", "first_context": "y"})
        assert web_form.status_code == 403, "the web app's own forms keep their CSRF check"
    assert repo.count() == 0


def test_a_crash_is_a_json_500_without_detail(api: Api, repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("postgresql://admin:s3cret@db/prod exploded in /srv/app.py")

    monkeypatch.setattr(repo, "list", broken)
    response = api.get("/assessments")
    error = assert_error(response, 500, "server_error")
    assert "s3cret" not in response.text and "/srv" not in response.text and "RuntimeError" not in response.text
    assert error["hint"]


def test_responses_carry_the_security_headers_when_mounted(api: Api) -> None:
    response = api.get("/kb")
    if api.prefix:
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in response.headers
