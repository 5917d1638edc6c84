"""`airegime users`, `orgs` and `audit`: what an administrator types on the server's machine."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from airegime.cli.app import app
from airegime.errors import LoginRefused, LoginThrottled
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts

GOOD = "a long enough password"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def run(url: str, *args: str, password: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, [*args, "--database-url", url], input=None if password is None else password + "\n"
    )
    return result.exit_code, result.stdout, result.stderr


def test_the_first_admin_turns_accounts_on_and_takes_over_the_default_organisation(url: str, kb: KnowledgeBase) -> None:
    before = Repository.open(url, kb)
    kept = before.create(name="Saved before accounts", first_context="Use")
    code, out, _ = run(
        url, "users", "add", "alice", "--org", "default", "--role", "admin", "--password-stdin", password=GOOD
    )
    assert code == 0 and "Accounts are now on" in out
    assert run(url, "orgs", "rename", "default", "Ministry")[0] == 0
    accounts = Accounts(before.engine)
    _token, principal = accounts.login("alice", GOOD, address="")
    assert principal.organisation == "Ministry"
    assert before.scoped(principal.organisation_id, actor="alice").get(kept).name == "Saved before accounts"


def test_users_are_listed_given_roles_removed_disabled_and_given_tokens(url: str) -> None:
    run(url, "users", "add", "alice", "--org", "A", "--role", "admin", "--password-stdin", password=GOOD)
    code, out, _ = run(url, "users", "add", "Bob", "--org", "B", "--password-stdin", password=GOOD)
    assert code == 0 and "editor of 'B' (new organisation)" in out
    assert run(url, "users", "role", "bob", "--org", "A", "--role", "reader")[0] == 0
    code, out, _ = run(url, "users", "list")
    assert "alice: admin of 'A'" in out and "bob: reader of 'A', editor of 'B'" in out
    code, token, err = run(url, "users", "token", "bob", "--org", "B", "--name", "CI", "--role", "editor")
    assert code == 0 and token.strip().startswith("air_") and "not be shown again" in err
    assert run(url, "users", "disable", "bob")[0] == 0
    assert "bob [disabled]" in run(url, "users", "list")[1]
    assert run(url, "users", "remove", "bob", "--org", "A")[0] == 0
    assert "bob [disabled]: editor of 'B'" in run(url, "users", "list")[1]
    assert run(url, "users", "passwd", "alice", "--password-stdin", password="another fine password")[0] == 0


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("users", "add", "al ice", "--org", "A", "--password-stdin"), GOOD, "cannot be an account name"),
        (("users", "add", "alice", "--org", "A", "--password-stdin"), "short", "10 to 1024 characters"),
        (("users", "add", "alice", "--org", "A", "--password-stdin"), " " * 12, "cannot be blank"),
        (("users", "add", "alice", "--org", "A", "--password-stdin"), "aaaaaaaaaa", "too easy to guess"),
        (("users", "recover", "alice", "--password-stdin"), "password1234", "too easy to guess"),
        (("users", "role", "nobody", "--org", "A", "--role", "reader"), None, "no account named 'nobody'"),
        (("users", "token", "nobody", "--org", "A", "--name", "x"), None, "no account named 'nobody'"),
        (("orgs", "rename", "nowhere", "B"), None, "no organisation named 'nowhere'"),
        (("audit", "export", "--org", "nowhere"), None, "no organisation named 'nowhere'"),
    ],
)
def test_mistakes_get_a_clear_message_exit_code_2_and_change_nothing(
    url: str, args: tuple[str, ...], password: str | None, message: str
) -> None:
    code, out, err = run(url, *args, password=password)
    assert code == 2, out + err
    assert message in err and "→" in err
    assert "No account" in run(url, "users", "list")[1]


def test_without_a_terminal_the_password_must_come_from_stdin(url: str) -> None:
    code, _out, err = run(url, "users", "add", "alice", "--org", "A")
    assert code == 2 and "--password-stdin" in err


def test_the_audit_log_exports_as_csv_and_json_lines(url: str, tmp_path: Path) -> None:
    run(url, "users", "add", "alice", "--org", "A", "--role", "admin", "--password-stdin", password=GOOD)
    code, out, _ = run(url, "audit", "export", "--org", "A")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["action"] for r in rows] == ["member.role", "audit.exported"]
    assert rows[0]["actor"].startswith("cli") and rows[0]["target"] == "alice"
    target = tmp_path / "audit.jsonl"
    assert run(url, "audit", "export", "--org", "A", "-f", "jsonl", "-o", str(target))[0] == 0
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["action"] for line in lines][-1] == "audit.exported" and len(lines) == 3


def test_an_audit_export_to_a_folder_that_is_not_there_says_so_and_is_not_recorded(url: str, tmp_path: Path) -> None:
    run(url, "users", "add", "alice", "--org", "A", "--role", "admin", "--password-stdin", password=GOOD)
    target = tmp_path / "missing" / "audit.csv"
    code, _, err = run(url, "audit", "export", "--org", "A", "-o", str(target))
    said = "".join(err.split())  # folded at the terminal's width
    assert code == 2 and f"cannotwrite{target}:Nosuchfileordirectory→" in said
    rows = list(csv.DictReader(io.StringIO(run(url, "audit", "export", "--org", "A")[1])))
    assert [r["action"] for r in rows] == ["member.role", "audit.exported"]  # this export only


def test_the_last_admin_cannot_be_disabled_removed_or_demoted_without_force(url: str) -> None:
    """Issue 13, item 3: the CLI refuses to leave no enabled administrator (unless --force)."""
    run(url, "users", "add", "alice", "--org", "A", "--role", "admin", "--password-stdin", password=GOOD)
    for args in (
        ("users", "disable", "alice"),
        ("users", "remove", "alice", "--org", "A"),
        ("users", "role", "alice", "--org", "A", "--role", "editor"),
    ):
        code, out, err = run(url, *args)
        assert code == 2, out + err
        assert "no enabled administrator would be left" in err and "--force" in err
    assert "alice: admin of 'A'" in run(url, "users", "list")[1]
    code, out, err = run(url, "users", "disable", "alice", "--force")
    assert code == 0 and "alice [disabled]" in run(url, "users", "list")[1]


def test_a_locked_out_operator_recovers_with_the_cli(url: str, kb: KnowledgeBase) -> None:
    """Issue 13, item 3: every account disabled or removed, accounts stay on; `users recover` lets
    the operator back in (new password, enabled, admin, lockout lifted)."""
    run(url, "users", "add", "alice", "--org", "A", "--role", "admin", "--password-stdin", password=GOOD)
    run(url, "users", "remove", "alice", "--org", "A", "--force")
    code, out, _ = run(url, "users", "list")
    assert "No account" not in out and "alice: no organisation" in out
    repo = Repository.open(url, kb)
    accounts = Accounts(repo.engine)
    assert accounts.exist()
    for _ in range(6):
        with pytest.raises((LoginRefused, LoginThrottled)):
            accounts.login("alice", "what was it again", address="10.0.0.1")
    code, out, err = run(
        url, "users", "recover", "alice", "--org", "A", "--password-stdin", password="a new long passphrase"
    )
    assert code == 0, out + err
    assert "admin of 'A'" in out
    _token, principal = accounts.login("alice", "a new long passphrase", address="10.0.0.1")
    assert (principal.organisation, principal.role) == ("A", "admin")
    code, _out, err = run(url, "users", "recover", "alice", "--password-stdin", password="password123")
    assert code == 2 and "too easy to guess" in err
    repo.engine.dispose()


def test_unlock_lifts_a_lockout(url: str, kb: KnowledgeBase) -> None:
    run(url, "users", "add", "alice", "--org", "A", "--role", "admin", "--password-stdin", password=GOOD)
    repo = Repository.open(url, kb)
    accounts = Accounts(repo.engine)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            accounts.login("alice", "what was it again", address="10.0.0.1")
    with pytest.raises(LoginThrottled):
        accounts.login("alice", GOOD, address="10.0.0.1")
    assert run(url, "users", "unlock", "alice")[0] == 0
    accounts.login("alice", GOOD, address="10.0.0.1")
    repo.engine.dispose()
