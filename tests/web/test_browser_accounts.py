"""Accounts in real headless Chromium: the login page, landing back where you asked, the header,
the account page (a token shown once), the admin page with the audit log, logging out.
axe-core on each page; screenshots under test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.web.app import create_app

from .helpers import Serve, assert_no_csp_violation, check_accessibility, shot

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def accounts_server(
    tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase, serve: Serve
) -> Iterator[tuple[str, int]]:
    repository = Repository.open(f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'a.sqlite3'}", kb)
    accounts = Accounts(repository.engine)
    accounts.add_user("alice@example.org", PASSWORD, organisation="Ministère A", role="admin", actor="test")
    [(org_id, _)] = [o for o in accounts.organisations() if o[1] == "Ministère A"]
    saved = repository.scoped(org_id, actor="alice@example.org").create(
        name="Détecteur de franchissement", first_context="Centre commercial"
    )
    with serve(create_app(repository=repository)) as address:
        yield address, saved
    repository.engine.dispose()


@pytest.fixture
def tab(browser: Any, accounts_server: tuple[str, int]) -> Iterator[Any]:
    context = browser.new_context(base_url=accounts_server[0], viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def test_log_in_use_the_app_make_a_token_read_the_audit_log_and_log_out(
    tab: Any, accounts_server: tuple[str, int], screenshots: Path
) -> None:
    _address, saved = accounts_server
    tab.goto(f"/a/{saved}/result")
    assert "/login?next=" in tab.url
    check_accessibility(tab)
    tab.fill("#username", "alice@example.org")
    tab.fill("#password", "not the password")
    tab.click("form button[type=submit]")
    assert "Identifiant ou mot de passe incorrect" in tab.locator("[role=alert]").inner_text()
    shot(tab, screenshots / "login-refused.png")
    tab.fill("#password", PASSWORD)
    tab.click("form button[type=submit]")
    tab.wait_for_url(f"**/a/{saved}/result")
    assert "Détecteur de franchissement" in tab.locator("h1").inner_text()
    assert "alice@example.org · Ministère A" in tab.locator("header").inner_text()

    tab.click("text=alice@example.org · Ministère A")
    tab.fill("#token-name", "Chaîne d’intégration")
    tab.select_option("#token-role", "editor")
    tab.click("text=Créer un jeton")
    token = tab.locator("#new-token").inner_text()
    assert token.startswith("air_") and len(token) > 40
    check_accessibility(tab)
    shot(tab, screenshots / "account-token.png")

    tab.click("header >> text=Administration")
    log = tab.locator("table.audit").inner_text()
    assert "token.created" in log and "login.failed" in log and "login.succeeded" in log
    check_accessibility(tab)
    shot(tab, screenshots / "admin-audit.png")

    tab.click("header >> text=Se déconnecter")
    tab.wait_for_url("**/login")
    tab.goto("/")
    assert "/login?next=" in tab.url
    assert_no_csp_violation(tab)
    assert [p for p in tab.problems if "status of 401" not in p] == []  # 401: the refused login, on purpose
