"""`airegime review`: the review of a saved assessment from the server's machine (issue 16, part 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from airegime.cli.app import app
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.storage.audit import AuditLog
from airegime.storage.reviews import Reviews

GOOD = "a long enough password"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def run(url: str, *args: str, lang: str = "en") -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--database-url", url, "--lang", lang])
    return result.exit_code, result.stdout, result.stderr


def test_without_accounts_the_local_person_takes_every_step(url: str, kb: KnowledgeBase) -> None:
    repo = Repository.open(url, kb)
    new = repo.create(name="S", first_context="C")
    assert run(url, "review", "submit", str(new), "--message", "ready")[0] == 0
    code, out, _ = run(url, "review", "approve", str(new), "--opinion", "Fine.", "--as", "dpo")
    assert code == 0 and "approved" in out
    code, out, _ = run(url, "review", "status", str(new), "--json")
    body = json.loads(out)
    assert (body["status"], [(s["step"], s["actor"]) for s in body["steps"]][-1]) == ("approved", ("approved", "dpo"))
    code, _, err = run(url, "review", "approve", str(new), "--opinion", "again")
    assert code == 2 and "only one in review can be approved" in err
    code, _, err = run(url, "review", "status", "999")
    assert code == 2 and "no assessment #999" in err


def test_with_accounts_the_step_names_a_member_with_the_role(url: str, kb: KnowledgeBase) -> None:
    repo = Repository.open(url, kb)
    accounts = Accounts(repo.engine)
    accounts.add_user("alice", GOOD, organisation="Ministry", role="admin", actor="t")
    accounts.add_user("eric", GOOD, organisation="Ministry", role="editor", actor="t")
    accounts.add_user("bob", GOOD, organisation="Other", role="admin", actor="t")
    ministry = dict((name, i) for i, name in accounts.organisations())["Ministry"]
    new = repo.scoped(ministry, actor="eric").create(name="S", first_context="C")
    code, _, err = run(url, "review", "submit", str(new), "--org", "Ministry")
    assert code == 2 and "--as USER" in err
    assert run(url, "review", "submit", str(new), "--org", "Ministry", "--as", "eric")[0] == 0
    code, _, err = run(url, "review", "approve", str(new), "--org", "Ministry", "--as", "eric", "--opinion", "x")
    assert code == 2 and "not an enabled admin" in err
    code, _, err = run(url, "review", "approve", str(new), "--org", "Ministry", "--as", "bob", "--opinion", "x")
    assert code == 2 and "not an enabled admin" in err  # an admin of another organisation
    code, _, err = run(url, "review", "approve", str(new), "--org", "Other", "--as", "bob", "--opinion", "x")
    assert code == 2 and f"no assessment #{new}" in err  # another organisation's: not found
    code, _, err = run(url, "review", "approve", str(new), "--org", "Ministry", "--as", "alice", "--opinion", " ")
    assert code == 2 and "opinion is required" in err
    code, out, _ = run(url, "review", "return", str(new), "--org", "Ministry", "--as", "alice", "--reason", "Redo")
    assert code == 0 and "draft" in out and "Redo" in out
    state = Reviews(repo.scoped(ministry, actor="t")).state(new)
    assert [(s.step, s.actor) for s in state.steps] == [("submitted", "eric"), ("returned", "alice")]
    logged = [(e.actor, e.action) for e in AuditLog(repo.engine).entries(ministry) if e.action.startswith("review.")]
    assert logged == [("eric", "review.submitted"), ("alice", "review.returned")]


def test_the_review_speaks_the_chosen_language(url: str, kb: KnowledgeBase) -> None:
    """Status, steps and errors in French as in English; the opinion as it was written."""
    repo = Repository.open(url, kb)
    new = repo.create(name="S", first_context="C")
    code, out, _ = run(url, "review", "submit", str(new), lang="fr")
    assert code == 0 and out.splitlines()[0] == f"#{new}\u00a0: en revue"
    code, out, _ = run(url, "review", "approve", str(new), "--opinion", "Conforme.", "--as", "dpo", lang="fr")
    assert code == 0 and "Approuvée (dpo) — Conforme." in out and "Envoyée en revue" in out
    code, out, _ = run(url, "review", "status", str(new))
    assert out.splitlines()[0] == f"#{new}: approved" and "Approved (dpo) — Conforme." in out
    code, _, err = run(url, "review", "approve", str(new), "--opinion", "encore", lang="fr")
    assert code == 2 and "Erreur" in err and "approve" not in err
