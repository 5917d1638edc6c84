"""Issue 13, items 6, 9 and 12 (accounts): a login name with control characters is refused with a
clear page (no traceback, no 500 on PostgreSQL); the token and audit pages are never cached; the
command line escapes stored names before printing them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from airegime.cli.app import app as cli
from airegime.storage import Repository

from .helpers import Browser, Org


@pytest.mark.parametrize("name", ["ali\x00ce", "ali\x1b[2Jce", "\u202e"])
def test_a_login_name_with_control_or_invisible_characters_is_a_clear_400(
    orgs: dict[str, Org], browser_for: Callable[..., Browser], caplog: pytest.LogCaptureFixture, name: str
) -> None:
    """Item 6: a NUL in the login name was a 500 with a traceback on PostgreSQL."""
    caplog.set_level(logging.ERROR)
    visitor = browser_for()
    response = visitor.form("/login", {"username": name, "password": "whatever it is", "next": "/"})
    assert response.status_code == 400
    assert "caractères de contrôle" in response.text or "invisibles" in response.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    browser_for("alice")  # the real account still logs in


def test_a_token_name_with_control_characters_is_refused(
    orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    anna = browser_for("anna")
    refused = anna.form("/account/tokens", {"name": "ci\x1b]0;pwned\x07", "role": "reader", "days": "1"})
    assert refused.status_code == 400 and "caractères de contrôle" in refused.text
    assert "pwned" not in anna.get("/account").text


def test_the_new_token_page_and_the_audit_log_are_never_cached(
    app: object, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    """Item 12: the page showing a token once, the admin page and the audit exports say no-store."""
    alice = browser_for("alice")
    made = alice.form("/account/tokens", {"name": "my script", "role": "reader", "days": "30"})
    assert made.status_code == 200 and 'id="new-token"' in made.text
    assert made.headers["cache-control"] == "no-store"
    for path in ("/account", "/admin", "/admin/audit.csv", "/admin/audit.jsonl"):
        response = alice.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    api = TestClient(app, headers={"Authorization": f"Bearer {orgs['Org A'].token}"})  # type: ignore[arg-type]
    for path in ("/api/v1/audit/export", "/api/v1/audit/export?format=jsonl", "/api/v1/audit", "/api/v1/me"):
        response = api.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path


def test_audit_export_and_lists_escape_control_characters_on_the_terminal(
    repo: Repository, orgs: dict[str, Org]
) -> None:
    """Item 9: names in the audit log (a file name, a token's name: anything people chose) were
    written raw to the admin's terminal, where an escape sequence can rewrite the screen. Older
    databases may hold such names (stored before the storage boundary cleaned them)."""
    hostile = "report\x1b[2J\x1b]0;owned\x07.xlsx"
    with repo.engine.begin() as connection:  # as an older version stored it: raw, past the cleaning column type
        connection.execute(
            text(
                "INSERT INTO audit_log (at, organisation_id, actor, action, target, detail, address)"
                " VALUES (:at, :org, 'amy', 'batch.assessed', :target, :detail, '')"
            ),
            {"at": datetime.now(UTC), "org": orgs["Org A"].id, "target": hostile, "detail": hostile},
        )
        connection.execute(
            text("UPDATE organisations SET name = :name WHERE id = :id"),
            {"name": "Org\x1b[31mB", "id": orgs["Org B"].id},
        )
    url = repo.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    for args in (["audit", "export", "--org", "Org A"], ["audit", "export", "--org", "Org A", "-f", "jsonl"]):
        result = runner.invoke(cli, [*args, "--database-url", url])
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "report\\x1b[2J" in result.stdout or "report\\u001b[2J" in result.stdout
    for args in (["orgs", "list"], ["users", "list"]):
        result = runner.invoke(cli, [*args, "--database-url", url])
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "Org\\x1b[31mB" in result.stdout
