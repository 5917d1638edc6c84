"""Logging in and out in the web app, the admin page, and the loopback-only rule without accounts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, update

from airegime.edge.access import SESSION_COOKIE
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS, Accounts
from airegime.storage.audit import AuditLog
from airegime.storage.models import MembershipRow, UserRow, now
from airegime.web.app import create_app

from .helpers import PASSWORD, SECRET, Browser, Org


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
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        refused = browser.post(
            "/login", data={"csrf_token": browser.csrf, "username": "bob", "password": "nope nope nope"}
        )
        assert refused.status_code == 401 and "Identifiant ou mot de passe incorrect" in refused.text
        assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    throttled = browser.post("/login", data={"csrf_token": browser.csrf, "username": "bob", "password": PASSWORD})
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert "Trop d’échecs de connexion\u00a0: réessayez dans 15\u00a0min." in throttled.text
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
    assert too_much.status_code == 400 and "ne peut pas faire plus que son propriétaire" in too_much.text


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


@pytest.mark.slow
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


def test_batch_results_stay_with_the_organisation_that_uploaded_them(
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


def test_a_restarted_app_stays_closed_when_no_member_is_left(
    repo: Repository, kb: KnowledgeBase, orgs: dict[str, Org]
) -> None:
    """Issue 13, item 3: once every member was disabled or removed, a restarted app served
    organisation 1 to anyone on loopback, as admin (/api/v1/me said accounts: false)."""
    with repo.engine.begin() as connection:  # as `users remove` / `users disable --force` leave it
        connection.execute(delete(MembershipRow).where(MembershipRow.organisation_id == orgs["Org B"].id))
        connection.execute(update(UserRow).values(disabled_at=now()))
    restarted = TestClient(create_app(repository=repo, kb=kb), follow_redirects=False)
    assert restarted.get("/").headers["location"].startswith("/login")
    assert restarted.get("/admin").headers["location"].startswith("/login")
    assert restarted.get("/admin/audit.csv").status_code == 303
    assert restarted.get("/api/v1/me").status_code == 401
    assert restarted.get(f"/api/v1/assessments/{orgs['Org A'].assessment}").status_code == 401
    assert restarted.get("/login").status_code == 200  # the login page, not a redirect to an open app


def _change_password(browser: Browser, current: str, new: str, again: str | None = None) -> httpx2.Response:
    fields = {"current_password": current, "new_password": new, "new_password_again": new if again is None else again}
    return browser.form("/account/password", fields)


def test_people_change_their_own_password_on_the_account_page(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    """Issue 13, item 13: the account page has a password form (CSRF-protected, French and English)."""
    ben, other_browser = browser_for("ben"), browser_for("ben")
    page = ben.get("/account")
    assert 'action="/account/password"' in page.text and "Changer mon mot de passe" in page.text
    assert (
        _change_password(ben, "not my password", "a fine new passphrase").text.count(
            "Le mot de passe actuel est incorrect"
        )
        == 1
    )
    assert "trop facile à deviner" in _change_password(ben, PASSWORD, "azertyuiop").text
    assert "ne peut pas être vide" in _change_password(ben, PASSWORD, " " * 12).text
    assert "diffèrent" in _change_password(ben, PASSWORD, "a fine new passphrase", "another one").text
    ben.get("/lang/en")
    refused = _change_password(ben, PASSWORD, "password123")
    assert refused.status_code == 400 and "too easy to guess" in refused.text
    done = _change_password(ben, PASSWORD, "a fine new passphrase")
    assert done.status_code == 200 and "Password changed" in done.text
    assert ben.get("/").status_code == 200  # this browser stays logged in
    assert other_browser.get("/").status_code == 303  # the others are logged out
    fresh = browser_for()
    fresh.login("ben", "a fine new passphrase")
    log = [e.action for e in AuditLog(repo.engine).entries(orgs["Org B"].id)]
    assert "user.password" in log and "password.refused" in log


def test_the_password_form_needs_its_csrf_token(orgs: dict[str, Org], browser_for: Callable[..., Browser]) -> None:
    ben = browser_for("ben")
    fields = {
        "current_password": PASSWORD,
        "new_password": "a fine new passphrase",
        "new_password_again": "a fine new passphrase",
    }
    assert ben.post("/account/password", data=fields).status_code == 403
    with pytest.raises(AssertionError):
        browser_for().login("ben", "a fine new passphrase")


def test_wrong_current_passwords_are_throttled_like_logins(
    orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    ben = browser_for("ben")
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        assert _change_password(ben, "a guess at it", "a fine new passphrase").status_code == 400
    throttled = _change_password(ben, PASSWORD, "a fine new passphrase")
    assert throttled.status_code == 429 and "Trop d’échecs" in throttled.text


def _failed_login_address(repo: Repository) -> str:
    entries = [e for e in AuditLog(repo.engine).entries(1) if e.action == "login.failed"]
    return entries[-1].address


@pytest.mark.parametrize(
    ("trusted", "forwarded", "seen"),
    [
        ("", "6.6.6.6", "127.0.0.1"),  # nobody trusted (the default): the header is ignored
        ("10.0.0.0/8", "6.6.6.6", "127.0.0.1"),  # a trusted proxy elsewhere: this peer is not it
        ("127.0.0.1", "6.6.6.6", "6.6.6.6"),
        ("127.0.0.1, 10.0.0.0/8", "6.6.6.6, 10.1.2.3", "6.6.6.6"),  # through two trusted proxies
        ("127.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client wrote is not believed
        ("127.0.0.1", "<script>x</script>", "127.0.0.1"),  # not an address: ignored
        ("*", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    repo: Repository, kb: KnowledgeBase, trusted: str, forwarded: str, seen: str
) -> None:
    """Issue 13, item 5: X-Forwarded-For wrote any text into the audit log's address column."""
    Accounts(repo.engine).add_user("alice", PASSWORD, organisation="default", role="admin", actor="t")
    app = create_app(repository=repo, kb=kb, trusted_proxies=trusted)
    client = Browser(app, follow_redirects=False, client=("127.0.0.1", 50000))
    fields = {"csrf_token": client.csrf, "username": "alice", "password": "a wrong password"}
    assert client.post("/login", data=fields, headers={"X-Forwarded-For": forwarded}).status_code == 401
    assert _failed_login_address(repo) == seen


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.slow
@pytest.mark.parametrize(("option", "seen"), [([], "127.0.0.1"), (["--trusted-proxies", "127.0.0.1"], "6.6.6.6")])
def test_serve_ignores_forwarded_for_on_loopback_unless_told(
    tmp_path: Path, kb: KnowledgeBase, option: list[str], seen: str
) -> None:
    """Issue 13, item 5, with the real server: uvicorn believed X-Forwarded-For from 127.0.0.1."""
    repo = Repository.open(f"sqlite:///{tmp_path / 'airegime.sqlite3'}", kb)
    Accounts(repo.engine).add_user("alice", PASSWORD, organisation="default", role="admin", actor="t")
    port = _free_port()
    environment = {**os.environ, "AIREGIME_DATA_DIR": str(tmp_path), "AIREGIME_DATABASE_URL": ""}
    environment.pop("AIREGIME_TRUSTED_PROXIES", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "airegime", "serve", "--port", str(port), *option],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(100):
                try:
                    client.get("/login")
                    break
                except httpx2.TransportError:
                    time.sleep(0.1)
            fields = {"csrf_token": client.cookies["airegime_csrf"], "username": "alice", "password": "wrong one"}
            refused = client.post("/login", data=fields, headers={"X-Forwarded-For": "6.6.6.6"})
        assert refused.status_code == 401
        assert _failed_login_address(repo) == seen
    finally:
        server.terminate()
        server.wait(timeout=30)
        repo.engine.dispose()


def test_serve_refuses_a_malformed_trusted_proxy(tmp_path: Path) -> None:
    environment = {**os.environ, "AIREGIME_DATA_DIR": str(tmp_path), "AIREGIME_DATABASE_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "airegime", "serve", "--trusted-proxies", "proxy.example.org"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "not an address or a network" in done.stderr
