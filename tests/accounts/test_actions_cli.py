"""`airegime actions export`: an organisation's action plan from the server's machine."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from airegime.cli.app import app
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.storage.actions import Actions
from airegime.storage.audit import AuditLog


def test_the_organisation_actions_are_exported_as_csv_or_xlsx(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    repo = Repository.open(url, kb)
    accounts = Accounts(repo.engine)
    for name, org in (("alice", "Org A"), ("bob", "Org B")):
        accounts.add_user(name, "a long enough password", organisation=org, role="admin", actor="t")
    ids = {name: i for i, name in accounts.organisations()}
    a, b = repo.scoped(ids["Org A"], actor="alice"), repo.scoped(ids["Org B"], actor="bob")
    mine = a.create(name="A's system", first_context="Use")
    Actions(a).add(mine, title="=1+1", owner="Legal", due_on=date(2027, 1, 2))
    Actions(b).add(b.create(name="B's system", first_context="Use"), title="B's action")
    runner = CliRunner()
    done = runner.invoke(app, ["actions", "export", "--org", "Org A", "--db", url, "--lang", "en"])
    assert done.exit_code == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0][:3] == ["Assessment", "Action", "Owner"]
    assert rows[1:] and [r[:4] for r in rows[1:]] == [["A's system", "'=1+1", "Legal", "2027-01-02"]]
    target = tmp_path / "plan.xlsx"
    written = runner.invoke(app, ["actions", "export", "--org", "Org A", "--db", url, "-o", str(target)])
    assert written.exit_code == 0 and target.exists()
    sheet = load_workbook(target).active
    assert sheet is not None and [c.value for c in sheet[2]][1] == "'=1+1"
    assert runner.invoke(app, ["actions", "export", "--org", "Nobody", "--db", url]).exit_code == 2
    refused = runner.invoke(app, ["actions", "export", "--org", "Org A", "--db", url, "-o", str(tmp_path / "x.pdf")])
    assert refused.exit_code == 2 and not (tmp_path / "x.pdf").exists()
    other = runner.invoke(app, ["actions", "export", "--org", "Org A", "--db", url, "--assessment", "2"])
    assert other.exit_code == 2  # Org B's assessment: not found in Org A
    exports = [e for e in AuditLog(repo.engine).entries(ids["Org A"]) if e.action == "actions.exported"]
    assert len(exports) == 2 and exports[0].actor.startswith("cli")


def test_an_export_to_a_folder_that_is_not_there_says_so_and_is_not_recorded(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    repo = Repository.open(url, kb)
    accounts = Accounts(repo.engine)
    accounts.add_user("alice", "a long enough password", organisation="Org A", role="admin", actor="t")
    org_a = {name: i for i, name in accounts.organisations()}["Org A"]
    target = tmp_path / "missing" / "plan.csv"
    refused = CliRunner().invoke(
        app, ["actions", "export", "--org", "Org A", "--db", url, "-o", str(target), "--lang", "en"]
    )
    said = "".join(refused.stderr.split())  # folded at the terminal's width
    assert refused.exit_code == 2 and f"cannotwrite{target}:Nosuchfileordirectory→" in said
    assert not any(e.action == "actions.exported" for e in AuditLog(repo.engine).entries(org_a))


def test_the_export_reads_the_servers_knowledge_base(
    tmp_path: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules the server was given (AIREGIME_KNOWLEDGE_DIR) name the next steps, not the packaged ones."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    repo = Repository.open(url, kb)
    accounts = Accounts(repo.engine)
    accounts.add_user("alice", "a long enough password", organisation="Org A", role="admin", actor="t")
    org_a = {name: i for i, name in accounts.organisations()}["Org A"]
    monkeypatch.setenv("AIREGIME_KNOWLEDGE_DIR", str(tmp_path / "no-such-rules"))
    refused = CliRunner().invoke(app, ["actions", "export", "--org", "Org A", "--db", url, "--lang", "en"])
    said = "".join(refused.stderr.split())  # folded at the terminal's width, even inside a path
    assert refused.exit_code == 2 and f"theknowledgebase{tmp_path / 'no-such-rules'}doesnotexist" in said
    assert not any(e.action == "actions.exported" for e in AuditLog(repo.engine).entries(org_a))
