"""Issue 13, items 6, 12 and 16 (web): hostile input gets a clear 4xx page, never a 500; private
answers are never cached; HEAD is answered like GET."""

from __future__ import annotations

import logging

import pytest

from airegime.storage import Repository
from airegime.web.app import create_app

from .helpers import Client

HOSTILE = {"NUL": "a\x00b", "ESC": "a\x1b[2Jb", "C1": "a\x9bb", "RLO only": "\u202e", "ZWSP only": "\u200b \u200b"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_repo(request: pytest.FixtureRequest, tmp_path, kb):  # type: ignore[no-untyped-def]
    from databases import empty_postgres, postgres_url

    url = f"sqlite:///{tmp_path / 'hostile.sqlite3'}" if request.param == "sqlite" else empty_postgres(postgres_url())
    repository = Repository.open(url, kb)
    yield repository
    repository.engine.dispose()


@pytest.fixture
def any_client(any_repo: Repository):  # type: ignore[no-untyped-def]
    with Client(create_app(repository=any_repo), raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


def _made(client: Client) -> int:
    response = client.submit("/new", {"name": "Plain", "first_context": "Use"})
    assert response.status_code == 303
    return int(response.headers["location"].split("/")[2])


@pytest.mark.parametrize("kind", HOSTILE)
def test_control_and_invisible_text_in_the_forms_is_refused_with_a_4xx_page(
    any_client: Client, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Item 6 and item 16: /new, /details, /contexts, /developments and a token's name refuse what
    airegime.text.problem refuses (as the API and the descriptor reader do), and say what to do."""
    bad = HOSTILE[kind]
    assessment = _made(any_client)
    context = any_client.get(f"/a/{assessment}/contexts")
    assert context.status_code == 200
    caplog.set_level(logging.ERROR)
    tries = [
        ("/new", {"name": bad, "first_context": "Use"}),
        ("/new", {"name": "Fine", "first_context": "Use", "description": bad}),
        (f"/a/{assessment}/details", {"name": bad}),
        (f"/a/{assessment}/details", {"name": "Fine", "organisation": bad}),
        (f"/a/{assessment}/contexts", {"name": bad}),
        (f"/a/{assessment}/contexts", {"name": "Fine", "description": bad}),
        (f"/a/{assessment}/developments", {"name": bad}),
    ]
    for path, data in tries:
        response = any_client.submit(path, data)
        assert response.status_code == 400, (path, data, response.status_code)
        said = response.text
        assert ("caractères de contrôle" in said) or ("invisibles" in said), (path, data)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any_client.get("/").text.count("Fine") == 0  # nothing was saved


@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_ids_out_of_range_are_a_404_page_on_every_database(any_client: Client, big: int) -> None:
    """Item 6: 2^31 and above broke PostgreSQL (integer out of range), 2^63 SQLite: the web routes now
    bound ids as the API does (airegime.api.deps.AssessmentId / RecordId)."""
    assessment = _made(any_client)
    for path in (
        f"/a/{big}/result",
        f"/a/{big}/history",
        f"/a/{big}/export.json",
        f"/a/{big}/report.md",
        f"/a/{assessment}/contexts/{big}/remove",
        f"/a/{assessment}/interview?scope=deployment&ctx={big}&q=purpose",
    ):
        response = any_client.get(path)
        assert response.status_code in (400, 404), (path, response.status_code)
        assert "Traceback" not in response.text
    for path, data in (
        (f"/a/{big}/delete", {}),
        (f"/a/{assessment}/contexts/{big}", {"name": "X"}),
        (f"/a/{assessment}/answer", {"scope": "deployment", "question": "purpose", "value": "other", "ctx": str(big)}),
    ):
        response = any_client.submit(path, data)
        assert response.status_code in (400, 404), (path, response.status_code)


def test_a_search_with_a_nul_finds_nothing_instead_of_failing(any_client: Client) -> None:
    _made(any_client)
    assert any_client.get("/", params={"q": "a\x00b"}).status_code == 200


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"a":' * 50_000 + "1" + "}" * 50_000,
    ],
    ids=["array", "in-object", "objects"],
)
def test_deeply_nested_json_on_import_is_a_400_that_says_so(client: Client, text: str) -> None:
    """Item 6: the report check read pasted JSON with no bound: RecursionError, a 500."""
    response = client.submit("/import", {"text": text})
    assert response.status_code == 400
    assert "trop profondément" in response.text or "nesting" in response.text  # the page's French, or the parser's


def test_a_key_given_twice_on_import_is_refused_even_in_a_report(client: Client) -> None:
    """Item 16: a JSON report (checked before the descriptor reader) kept the last of two keys."""
    report = client.get(f"/a/{_made(client)}/report.json").text
    assert client.submit("/import", {"text": report}).status_code == 303  # the report as it is: imported
    twice = report.replace('"format":', '"format": "x", "format":', 1)
    response = client.submit("/import", {"text": twice})
    assert response.status_code == 400
    assert "figure deux fois" in response.text  # in the page's language
    response = client.submit("/import", {"text": '{"name": "a", "name": "b", "deployments": []}'})
    assert response.status_code == 400 and "figure deux fois" in response.text


def test_head_is_answered_like_get_without_a_body(client: Client) -> None:
    """Item 16: HEAD on GET routes gave 405."""
    assessment = _made(client)
    for path in ("/", "/new", f"/a/{assessment}/result", f"/a/{assessment}/export.json", "/api/v1/kb"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
    assert client.head(f"/a/{assessment}/delete").status_code == 200  # a GET page (the confirmation)
    assert client.head("/logout").status_code == 405  # POST only: still not allowed


def test_results_exports_and_reports_are_never_cached(client: Client) -> None:
    """Item 12: every private answer says Cache-Control: no-store (the static files stay cacheable)."""
    assessment = _made(client)
    for path in (
        f"/a/{assessment}/result",
        f"/a/{assessment}/export.json",
        f"/a/{assessment}/export.yaml",
        f"/a/{assessment}/report.md",
        f"/a/{assessment}/report.json",
        f"/a/{assessment}/report.html",
        f"/a/{assessment}/diagram.svg",
        f"/a/{assessment}/history",
        "/account",
        f"/api/v1/assessments/{assessment}",
        "/api/v1/assessments",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("cache-control") == "no-store", path
    static = client.get("/static/style.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")


def test_pages_hand_a_new_browser_a_csrf_cookie_and_the_api_sets_no_cookie(repo: Repository) -> None:
    """The API answers bearer tokens, never the login cookie: it has no form to protect."""
    with Client(create_app(repository=repo)) as fresh:
        for path in ("/api/v1/kb", "/api/v1/assessments"):
            answer = fresh.get(path)
            assert answer.status_code == 200 and "set-cookie" not in answer.headers, path
        assert "airegime_csrf=" in fresh.get("/").headers["set-cookie"]


def test_an_oversized_form_field_is_a_400_page_naming_it_and_saves_nothing(client: Client, repo: Repository) -> None:
    """The form models (a new assessment, an answer) bound each field as the separate fields did."""
    assessment = _made(client)
    tries = [
        ("/new", {"name": "Fine", "first_context": "Use", "description": "d" * 20_001}, "description"),
        (f"/a/{assessment}/answer", {"scope": "s" * 201, "question": "personal_data", "value": "yes"}, "scope"),
        (f"/a/{assessment}/answer", {"scope": "system", "question": "establishment", "value": "v" * 201}, "value"),
    ]
    for path, data, field in tries:
        response = client.submit(path, data)
        assert response.status_code == 400, (path, field, response.status_code)
        assert field in response.text, (path, field)
    assert client.get("/").text.count("Fine") == 0
    saved = repo.get(assessment)
    assert saved.system_answers == {} and all(not answers for answers in saved.context_answers.values())
