"""Logging in and out in the web app, the admin page, and the loopback-only rule without accounts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from accounts.conftest import PASSWORD, SECRET, Browser, Org
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import MAX_FAILURES_PER_NAME, Accounts
from airegime.web.access import SESSION_COOKIE
from airegime.web.app import create_app


def test_login_takes_you_back_to_the_page_you_asked_for(
    orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    browser = browser_for()
    page = f"/a/{orgs['Org A'].assessment}/result"
    asked = browser.get(page)
    assert (
        asked.status_code == 303
        and asked.headers["location"] == f"/login?next=%2Fa%2F{orgs['Org A'].assessment}%2Fresult"
    )
    form = browser.get(asked.headers["location"])
    assert form.status_code == 200 and f'name="next" value="{page}"' in form.text
    logged = browser.post(
        "/login", data={"csrf_token": browser.csrf, "username": "alice", "password": PASSWORD, "next": page}
    )
    assert logged.status_code == 303 and logged.headers["location"] == page
    cookie = logged.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    shown = browser.get(page)
    assert shown.status_code == 200 and SECRET in shown.text and "alice · Org A" in shown.text


def test_a_login_never_sends_you_to_another_site(orgs: dict[str, Org], browser_for: Callable[..., Browser]) -> None:
    browser = browser_for()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = browser.post(
            "/login", data={"csrf_token": browser.csrf, "username": "bob", "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == "/"


def test_wrong_password_then_throttled_with_a_clear_page(
    orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    browser = browser_for()
    for _ in range(MAX_FAILURES_PER_NAME):
        refused = browser.post(
            "/login", data={"csrf_token": browser.csrf, "username": "bob", "password": "nope nope nope"}
        )
        assert refused.status_code == 401 and "Identifiant ou mot de passe incorrect" in refused.text
        assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    throttled = browser.post("/login", data={"csrf_token": browser.csrf, "username": "bob", "password": PASSWORD})
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert "Trop d’échecs de connexion : réessayez dans 15 minute(s)" in throttled.text
    assert "Traceback" not in throttled.text


def test_a_login_form_without_its_csrf_token_is_refused(orgs: dict[str, Org], app: object) -> None:
    client = TestClient(app, follow_redirects=False)  # type: ignore[arg-type]
    response = client.post("/login", data={"username": "bob", "password": PASSWORD})
    assert response.status_code == 403


def test_logout_ends_the_session_on_the_server(orgs: dict[str, Org], browser_for: Callable[..., Browser]) -> None:
    browser = browser_for("ben")
    stolen = browser.cookies[SESSION_COOKIE]
    assert browser.form("/logout").headers["location"] == "/login"
    replay = browser_for()
    replay.cookies.set(SESSION_COOKIE, stolen)
    assert replay.get("/").status_code == 303  # the old cookie opens nothing


def test_the_admin_page_shows_members_tokens_and_the_audit_log_with_exports(
    orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    alice = browser_for("alice")
    page = alice.get("/admin")
    assert page.status_code == 200
    assert all(name in page.text for name in ("alice", "anna", "amy")) and "bob" not in page.text
    assert "assessment.imported" in page.text and "login.succeeded" in page.text
    csv_export = alice.get("/admin/audit.csv")
    assert csv_export.status_code == 200 and csv_export.headers["content-type"].startswith("text/csv")
    assert csv_export.text.startswith("at,actor,action,target,detail,address")
    assert "token.created" in alice.get("/admin/audit.jsonl").text
    assert "audit.exported" in alice.get("/admin").text  # exporting the log is itself logged
    assert browser_for("anna").get("/admin").status_code == 403


def test_tokens_are_made_on_the_account_page_shown_once_and_work_on_the_api(
    app: object, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    anna = browser_for("anna")
    made = anna.form("/account/tokens", {"name": "my script", "role": "editor", "days": "30"})
    assert made.status_code == 200 and "il ne sera plus jamais affiché" in made.text
    token = made.text.split('id="new-token">')[1].split("<")[0]
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})  # type: ignore[arg-type]
    assert api.get("/api/v1/me").json() == {
        "username": "anna",
        "organisation": "Org A",
        "role": "editor",
        "accounts": True,
    }
    assert token not in anna.get("/account").text  # never shown again
    too_much = anna.form("/account/tokens", {"name": "x", "role": "admin", "days": "1"})
    assert too_much.status_code == 400 and "cannot do more than its owner" in too_much.text


def test_a_reader_sees_no_editing_links_and_cannot_create(
    orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    amy = browser_for("amy")
    home = amy.get("/")
    assert home.status_code == 200 and 'href="/new"' not in home.text.split("<main")[0]
    refused = amy.form("/new", {"name": "x", "first_context": "y"})
    assert refused.status_code == 403 and "Action non autorisée" in refused.text


def test_beyond_loopback_without_accounts_the_app_serves_nothing(repo: Repository, kb: KnowledgeBase) -> None:
    client = TestClient(create_app(repository=repo, kb=kb, require_accounts=True), raise_server_exceptions=False)
    assert client.get("/").status_code == 503 and "airegime users add" in client.get("/").text
    error = client.get("/api/v1/assessments").json()["error"]
    assert error["code"] == "no_accounts" and "airegime users add" in error["hint"]


def test_without_accounts_on_loopback_everything_works_as_before(repo: Repository, kb: KnowledgeBase) -> None:
    client = TestClient(create_app(repository=repo, kb=kb))
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").json() == {
        "username": "local",
        "organisation": "default",
        "role": "admin",
        "accounts": False,
    }
    assert client.get("/login", follow_redirects=False).headers["location"] == "/"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "::"])
def test_serve_refuses_a_non_loopback_address_without_accounts(tmp_path: object, host: str) -> None:
    environment = {**os.environ, "AIREGIME_DATA_DIR": str(tmp_path), "AIREGIME_DATABASE_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "airegime", "serve", "--host", host, "--port", "8999"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "no account exists" in done.stderr and "airegime users add" in done.stderr


def test_batch_results_stay_with_the_person_and_organisation_that_uploaded_them(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    Accounts(repo.engine).set_role("alice", "Org B", "editor", actor="t")
    alice = browser_for("alice")
    inventory = f"system_id,system_name,deployment_name,household\nS1,{SECRET} batch,Police,non\n".encode()
    uploaded = alice.post("/batch", data={"csrf_token": alice.csrf}, files={"file": ("i.csv", inventory, "text/csv")})
    run = uploaded.headers["location"]
    assert SECRET in alice.get(run).text
    assert alice.form("/account/organisation", {"organisation_id": str(orgs["Org B"].id)}).status_code == 303
    in_b = alice.get(run)  # same browser, same person, now acting for Org B
    assert in_b.status_code == 404 and SECRET not in in_b.text


def test_a_refused_login_never_echoes_the_password(orgs: dict[str, Org], browser_for: Callable[..., Browser]) -> None:
    browser = browser_for()
    attempt = "my-Secret-Pass-123"
    refused = browser.post("/login", data={"csrf_token": browser.csrf, "username": "alice", "password": attempt})
    assert refused.status_code == 401 and attempt not in refused.text and 'value="alice"' in refused.text


def test_an_admin_revokes_anyones_token_and_a_member_only_their_own(
    app: object, repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    accounts = Accounts(repo.engine)
    annas = accounts.create_token("anna", "Org A", name="annas", role="editor", days=None, actor="t")
    amys = accounts.create_token("amy", "Org A", name="amys", role="reader", days=None, actor="t")
    ids = {t.name: t.id for t in accounts.tokens(orgs["Org A"].id)}
    assert browser_for("amy").form(f"/account/tokens/{ids['annas']}/revoke").status_code == 400  # not hers
    assert browser_for("amy").form(f"/account/tokens/{ids['amys']}/revoke").status_code == 303
    admin_page = browser_for("alice")
    assert f'action="/admin/tokens/{ids["annas"]}/revoke"' in admin_page.get("/admin").text
    assert admin_page.form(f"/admin/tokens/{ids['annas']}/revoke").status_code == 303
    assert accounts.principal_for_token(annas) is None and accounts.principal_for_token(amys) is None
