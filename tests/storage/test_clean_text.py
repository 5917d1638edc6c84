"""One rule for stored text (``airegime.text.cleaned``), at the storage boundary: whatever way a
text reaches the database (a failed login's name, an upload's file name, a token's name, an
assessment, the audit log), it is stored without control characters, so a SQLite database moves
to PostgreSQL (which refuses NUL) whole; and a database an older airegime filled exports them
replaced, and says so (#13 item 4)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from databases import empty_postgres, postgres_url
from sqlalchemy import Engine, String, select, text
from typer.testing import CliRunner

from airegime.cli.app import app
from airegime.errors import LoginRefused
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.storage.audit import AuditLog
from airegime.storage.batch_uploads import BatchUploads
from airegime.storage.database import open_engine
from airegime.storage.models import AssessmentRow, Base, CleanString, UserRow
from airegime.storage.transfer import export_database, import_database
from airegime.text import CONTROL, REPLACEMENT

from .helpers import contents, row_lines

NASTY = "\x00\x1b[2J\x07\x08\x7f\x85\x9b"  # NUL, a terminal escape, bell, backspace, DEL, C1 controls
PASSWORD = "correct horse battery"


def text_values(engine: Engine) -> Iterator[tuple[str, str, str]]:
    """(table, column, value) of every text stored, read without the models' types."""
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String | CleanString):
                    query = text(f"SELECT {column.name} FROM {table.name}")  # names from the models
                    for value in connection.scalars(query):
                        if value is not None:
                            yield table.name, column.name, value


@pytest.fixture
def postgres() -> Iterator[Engine]:
    engine = open_engine(empty_postgres(postgres_url()))
    yield engine
    engine.dispose()


def test_every_text_column_cleans_what_it_stores() -> None:
    """A text column added to the models without the rule would let control characters in again."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String):
                pytest.fail(f"{table.name}.{column.name} is a plain {column.type!r}: make it a CleanString")


def fill_through_every_input(engine: Engine, kb: KnowledgeBase) -> None:
    accounts = Accounts(engine)
    accounts.add_user("alice", PASSWORD, organisation="Org A", role="admin", actor="setup")
    organisation = dict((name, id_) for id_, name in accounts.organisations())["Org A"]
    with pytest.raises(LoginRefused):  # no account needed: the name goes to the audit log as typed
        accounts.login(f"mallory{NASTY}", "guess", address=f"10.0.0.1{NASTY}")
    with pytest.raises(LoginRefused):  # an existing account, a wrong password
        accounts.login("alice", "wrong", address=f"::1{NASTY}")
    accounts.create_token("alice", "Org A", name=f"CI {NASTY} token", role="reader", days=None, actor=f"alice{NASTY}")
    BatchUploads(engine).add(
        owner="browser",
        organisation_id=organisation,
        actor="alice",
        address=f"127.0.0.1{NASTY}",
        filename=f"inventory{NASTY}.csv",
        table=b"PAR1",
        rows=1,
    )
    repo = Repository(engine, kb).scoped(organisation, actor=f"alice{NASTY}", address=f"proxy{NASTY}")
    new = repo.create(
        name=f"System {NASTY}",
        organisation=f"Controller {NASTY}",
        description=f"line\nbreak\ttab {NASTY}",
        development_description=f"dev {NASTY}",
        first_context=f"Context {NASTY}",
        first_context_description=f"ctx {NASTY}",
    )
    context = repo.add_context(new, name=f"Second {NASTY}", description=NASTY)
    repo.rename_context(new, context.id, name=f"Renamed {NASTY}", description=NASTY)
    repo.update_details(new, name=f"Renamed {NASTY}", organisation="", description=f"line\nbreak\ttab {NASTY}")
    repo.record("assessment.exported", new, detail=f"report {NASTY}")
    list(AuditLog(engine).export(organisation, "csv", actor=f"alice{NASTY}", address=f"::1{NASTY}"))


@pytest.mark.postgres
def test_a_database_filled_through_every_input_moves_from_sqlite_to_postgresql(
    tmp_path: Path, postgres: Engine, kb: KnowledgeBase
) -> None:
    source = open_engine(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    fill_through_every_input(source, kb)
    stored = list(text_values(source))
    assert [v for v in stored if CONTROL.search(v[2])] == []
    replaced = {(table, column) for table, column, value in stored if REPLACEMENT in value}
    for place in [
        ("audit_log", "actor"),  # the failed login's name, the assessments' actor
        ("audit_log", "target"),
        ("audit_log", "address"),
        ("audit_log", "detail"),
        ("api_tokens", "name"),
        ("batch_uploads", "filename"),
        ("assessments", "name"),
        ("assessments", "description"),
        ("deployment_contexts", "name"),
    ]:
        assert place in replaced, f"{place} was not written by the test"
    assert "line\nbreak\ttab" in next(v for t, c, v in stored if (t, c) == ("assessments", "description"))

    summary = export_database(source, tmp_path / "moved.jsonl.gz")
    assert summary.cleaned.characters == 0  # all cleaned as they were stored
    import_database(postgres, tmp_path / "moved.jsonl.gz")
    assert contents(postgres) == contents(source)
    source.dispose()


def test_a_lookup_with_control_characters_finds_nothing_and_fails_nowhere(database_url: str, kb: KnowledgeBase) -> None:
    """The values a query compares with a text column are cleaned too: PostgreSQL refused a NUL there."""
    engine = open_engine(database_url)
    accounts = Accounts(engine)
    accounts.add_user("alice", PASSWORD, organisation="Org A", role="admin", actor="setup")
    with pytest.raises(LoginRefused):
        accounts.login("al\x00ice", PASSWORD, address="127.0.0.1")
    with engine.connect() as connection:
        assert connection.scalars(select(UserRow.username).where(UserRow.username == "\x00")).all() == []
        logged = connection.scalars(text("SELECT actor FROM audit_log WHERE action = 'login.failed'")).all()
    assert logged == ["al\ufffdice"]
    engine.dispose()


def spoil(engine: Engine, kb: KnowledgeBase) -> dict[str, Any]:
    """What an older airegime let in: control characters written past the models' types."""
    repo = Repository(engine, kb)
    repo.create(name="Old", first_context="C")
    with engine.begin() as connection:
        connection.execute(text("UPDATE assessments SET description = 'before' || char(0) || 'after' || char(27)"))
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' || char(0)"))
        audit = connection.scalar(text("SELECT count(*) FROM audit_log"))
    return {"characters": 2 + audit, "texts": 1 + audit}


@pytest.mark.postgres
def test_an_older_databases_control_characters_are_replaced_on_export_and_said(
    tmp_path: Path, postgres: Engine, kb: KnowledgeBase
) -> None:
    source = open_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    expected = spoil(source, kb)
    file = tmp_path / "old.jsonl.gz"
    summary = export_database(source, file)
    assert (summary.cleaned.characters, summary.cleaned.texts) == (expected["characters"], expected["texts"])
    assert not any(b"\\u00" in line for line in row_lines(file))  # JSON's escape of a control character

    import_database(postgres, file)
    with postgres.connect() as connection:
        assert connection.scalar(select(AssessmentRow.description)) == "before\ufffdafter\ufffd"

    cli = CliRunner().invoke(app, ["db", "export", str(tmp_path / "cli.jsonl.gz"), "--database-url", str(source.url)])
    assert cli.exit_code == 0, cli.output
    said = " ".join(cli.stdout.split())
    assert f"Replaced {expected['characters']} control characters in {expected['texts']} texts with U+FFFD" in said
    source.dispose()


def test_an_older_file_with_control_characters_imports_them_replaced_and_says_so(
    tmp_path: Path, database_url: str, kb: KnowledgeBase
) -> None:
    """A file exported before the rule (a NUL as JSON's \\u0000): imported cleaned, the count said."""
    source = open_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    spoil(source, kb)
    file = tmp_path / "old.jsonl.gz"
    export_database(source, file)
    source.dispose()
    older = tmp_path / "older.jsonl"
    with gzip.open(file) as lines:
        data = lines.read().replace("before\ufffdafter".encode(), b"before\\u0000after")
    older.write_bytes(data)
    cli = CliRunner().invoke(app, ["db", "import", str(older), "--database-url", database_url])
    assert cli.exit_code == 0, cli.output
    assert "Replaced 1 control character in 1 text with U+FFFD" in " ".join(cli.stdout.split())
    target = open_engine(database_url)
    with target.connect() as connection:
        assert connection.scalar(select(AssessmentRow.description)) == "before\ufffdafter\ufffd"
    target.dispose()
