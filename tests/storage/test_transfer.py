"""`db export` / `db import`: every row of every table, SQLite ⇄ PostgreSQL, nothing lost, all or nothing.

Tables are compared generically (``Base.metadata``): a table added to the models is covered here
with no change, and the filler below writes rows into the tables the Repository does not touch.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from databases import empty_postgres, postgres_url
from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    String,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.types import TypeDecorator
from typer.testing import CliRunner

from airegime.cli.app import app
from airegime.errors import TransferError
from airegime.kb import KnowledgeBase
from airegime.storage import Repository, transfer
from airegime.storage.database import open_engine
from airegime.storage.models import Base
from airegime.storage.transfer import export_database, import_database
from airegime.system import load_system

from .helpers import contents, row_lines

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"
SEVERAL_DEVELOPMENTS = Path(__file__).parents[2] / "examples" / "police-contractor-reuse.yaml"

HOSTILE = (
    "Robert'); DROP TABLE assessments;--",
    "quotes \" ' ` « » „ “ ‘",
    "line\nbreak\r\nand\ttab\rreturn",
    "emoji 🧑‍⚖️ 🇫🇷 👩🏽‍💻 🏳️‍🌈",
    "RTL עברית العربية \u202eetuor\u202c \u200f",
    "zero\u200bwidth \ufeffBOM, é and e\u0301",
    "separators \u2028 \u2029, noncharacters \ufffe \uffff \U0010ffff",
    'backslash \\ \\n \\u0000 and "\\"',
    "漢字 かな 한국어 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠀋",
    "<script>alert(1)</script> &amp; %s %(x)s {0} $1 ?",
    '{"table": "events", "row": {}}',
    "   leading and trailing spaces kept inside   ",
)
CONTROLS = " \x01 \x1c \x1e \x7f \x85 \v \f"  # the descriptors refuse them, other writers may not


# Filling a database


def fill(engine: Engine, kb: KnowledgeBase) -> None:
    """History, evaluations, removed contexts, gaps in the ids and hostile text, through the Repository."""
    repo = Repository(engine, kb)
    for index, hostile in enumerate(HOSTILE):
        new = repo.create(
            name=f"{index} {hostile}"[:200],
            organisation=hostile[:200],
            description=hostile * 3,
            development_description=hostile,
            first_context=f"ctx {hostile}"[:200],
            first_context_description=hostile,
        )
        saved = repo.get(new)
        first = saved.contexts[0].id
        repo.set_answer(new, scope="system", context_id=None, question="establishment", value="eu")
        repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="yes")
        repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="no")
        repo.set_answer(new, scope="development", context_id=None, question="personal_data", value=None)
        repo.set_answer(new, scope="deployment", context_id=first, question="personal_data", value="unknown")
        second = repo.add_context(new, name=f"second {hostile}"[:200], description=hostile)
        repo.rename_context(new, second.id, name=f"renamed {hostile}"[:200], description=hostile[::-1])
        repo.remove_context(new, first)
        development = repo.add_context(new, phase="development", name=f"reuse {hostile}"[:200], description=hostile)
        repo.set_answer(new, scope="development", context_id=development.id, question="personal_data", value="yes")
        repo.rename_context(new, development.id, name=f"renamed reuse {hostile}"[:200], description="")
        if index % 2:
            repo.remove_context(new, repo.get(new).developments[0].id)
        repo.update_details(
            new,
            name=f"{index} {hostile[::-1]}"[:200],
            organisation="Acme",
            description=hostile,
            development_description="",
        )
    imported = repo.import_system(load_system(EXAMPLE, kb=kb), detail=HOSTILE[3])
    repo.import_system(load_system(SEVERAL_DEVELOPMENTS, kb=kb))
    repo.duplicate(imported, name=HOSTILE[4])
    repo.recheck(imported)
    repo.delete(3)  # a gap in every table's ids: the import must keep them
    fill_the_other_tables(engine)


def fill_the_other_tables(engine: Engine) -> None:
    """Rows for the tables the Repository leaves empty (accounts…), made from their column types alone."""
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if not connection.scalar(select(func.count()).select_from(table)):
                rows = [synthetic_row(connection, table, i) for i in range(3)]
                # A primary key that is a foreign key (a profile per organisation) takes each target once.
                keys = [column.key for column in table.primary_key if column is not table.autoincrement_column]
                distinct = {tuple(row[key] for key in keys): row for row in rows} if keys else dict(enumerate(rows))
                connection.execute(table.insert(), list(distinct.values()))


def synthetic_row(connection: Connection, table: Table, i: int) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in table.columns:
        if column is table.autoincrement_column:
            continue
        if column.foreign_keys:
            target = next(iter(column.foreign_keys)).column
            keys = connection.scalars(select(target).order_by(target)).all()
            row[column.key] = keys[i % len(keys)]
        elif column.nullable and i == 1:
            row[column.key] = None
        elif "allowed" in column.info:  # e.g. a role: no other value imports
            row[column.key] = column.info["allowed"][i % len(column.info["allowed"])]
        else:
            row[column.key] = synthetic_value(table, column.name, column.type, i)
    return row


def synthetic_value(table: Table, name: str, kind: Any, i: int) -> Any:
    if isinstance(kind, TypeDecorator):  # e.g. CleanString, stored as a String
        kind = kind.impl_instance
    if isinstance(kind, Boolean):
        return i % 2 == 0
    if isinstance(kind, Integer):
        return (0, -(2**31) + 1, 2**31 - 1)[i % 3]
    if isinstance(kind, DateTime):
        moment = datetime(2026, 3, 29, 1, 59, 59, 999_999 - i, tzinfo=UTC)  # microseconds, the night clocks change
        return moment if kind.timezone else moment.replace(tzinfo=None)
    if isinstance(kind, Date):  # a leap day, the first and the last day a date can hold
        return (date(2028, 2, 29), date(1, 1, 1), date(9999, 12, 31))[i % 3]
    if isinstance(kind, String):
        return f"{i} {HOSTILE[i % len(HOSTILE)]}{CONTROLS if i == 2 else ''}"[: kind.length]
    if isinstance(kind, LargeBinary):  # every byte value, none, and bytes that are not UTF-8
        return (bytes(range(256)) * 3, b"", b"\xff\xfe\x00PK\x03\x04")[i % 3]
    pytest.fail(f"no test value for {table.name}.{name} ({kind!r}): teach synthetic_value")


# Comparing databases and files


def header(path: Path) -> dict[str, Any]:
    with gzip.open(path) as lines:
        return dict(json.loads(lines.readline()))


def rewrite(source: Path, target: Path, change: Callable[[list[bytes]], list[bytes]], *, zipped: bool = True) -> Path:
    with gzip.open(source) as lines:
        data = b"".join(line + b"\n" for line in change(lines.read().splitlines()))
    target.write_bytes(gzip.compress(data) if zipped else data)
    return target


# Fixtures


def sqlite(tmp_path: Path, name: str) -> Engine:
    return open_engine(f"sqlite:///{tmp_path / name}.sqlite3")


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[Engine]:
    """The source database, filled once for the module (the tests only read it)."""
    engine = sqlite(tmp_path_factory.mktemp("source"), "filled")
    fill(engine, kb)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def exported(filled: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "export.jsonl.gz"
    export_database(filled, path)
    return path


@pytest.fixture
def target(database_url: str) -> Iterator[Engine]:
    """An empty database, SQLite and PostgreSQL (the storage suite's `database_url`)."""
    engine = open_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres() -> Iterator[Engine]:
    engine = open_engine(empty_postgres(postgres_url()))
    yield engine
    engine.dispose()


@pytest.fixture
def occupied(target: Engine, kb: KnowledgeBase) -> dict[str, list[tuple[Any, ...]]]:
    """The target holding one assessment of its own; returns what it holds."""
    Repository(target, kb).create(name="Already here", first_context="Keep me")
    return contents(target)


# Round trips


@pytest.mark.postgres
def test_sqlite_to_postgres_to_sqlite_keeps_every_row_of_every_table(
    filled: Engine, postgres: Engine, tmp_path: Path, kb: KnowledgeBase
) -> None:
    original = contents(filled)
    assert all(original.values()), f"a table is empty, the test would not cover it: {original.keys()}"
    first = export_database(filled, tmp_path / "from-sqlite.jsonl.gz")
    assert first.tables == {name: len(rows) for name, rows in original.items()}

    import_database(postgres, tmp_path / "from-sqlite.jsonl.gz")
    assert contents(postgres) == original
    export_database(postgres, tmp_path / "from-postgres.jsonl.gz")
    assert row_lines(tmp_path / "from-postgres.jsonl.gz") == row_lines(tmp_path / "from-sqlite.jsonl.gz")

    back = sqlite(tmp_path, "back")
    import_database(back, tmp_path / "from-postgres.jsonl.gz")
    assert contents(back) == original
    back.dispose()

    # The sequences moved past the imported ids: new rows in every table, and through the Repository.
    with postgres.begin() as connection:
        for table in Base.metadata.sorted_tables:
            column = table.autoincrement_column
            if column is not None:
                largest = connection.scalar(select(func.max(column))) or 0
                serial = text("SELECT nextval(pg_get_serial_sequence(:table, :column))")
                assert connection.scalar(serial, {"table": table.name, "column": column.name}) > largest
    repo = Repository(postgres, kb)
    new = repo.create(name="After the move", first_context="C")
    assert new > max(row[0] for row in original["assessments"])
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="yes")
    repo.add_context(new, name="Another")
    assert repo.get(new).development_answers == {"personal_data": "yes"}


def test_sqlite_to_sqlite_keeps_every_row_and_the_file_says_what_it_holds(
    filled: Engine, exported: Path, tmp_path: Path
) -> None:
    copy = sqlite(tmp_path, "copy")
    summary = import_database(copy, exported)
    assert contents(copy) == contents(filled)
    assert summary.rows == sum(len(rows) for rows in contents(filled).values())
    export_database(copy, tmp_path / "again.jsonl.gz")
    assert row_lines(tmp_path / "again.jsonl.gz") == row_lines(exported)
    copy.dispose()

    described = header(exported)
    assert (described["format"], described["format_version"]) == ("airegime-db", 1)
    assert [t["name"] for t in described["tables"]] == [t.name for t in Base.metadata.sorted_tables]
    assert described["source"] == "sqlite" and described["exported_at"].endswith("+00:00")
    first_row = json.loads(row_lines(exported)[0])
    assert first_row["table"] == described["tables"][0]["name"]
    timed = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns if isinstance(c.type, DateTime)}
    rows = [json.loads(line) for line in row_lines(exported)]
    times = [v for r in rows for name, v in r["row"].items() if (r["table"], name) in timed and v is not None]
    assert times and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00", t) for t in times)


def test_progress_reports_every_table_up_to_its_row_count(filled: Engine, exported: Path, tmp_path: Path) -> None:
    seen: dict[str, tuple[int, int]] = {}
    copy = sqlite(tmp_path, "copy")
    import_database(copy, exported, lambda table, done, total: seen.__setitem__(table, (done, total)))
    copy.dispose()
    assert list(seen) == [t.name for t in Base.metadata.sorted_tables]
    assert all(done == total for done, total in seen.values())


def test_every_value_type_the_codecs_know_comes_back_equal() -> None:
    """Types the models may use one day: each value written to JSON and read back is the same."""
    import enum
    import uuid
    from datetime import date, time
    from decimal import Decimal

    import sqlalchemy as sa

    class Colour(enum.Enum):
        red = "r"

    table = sa.Table(
        "every_type",
        sa.MetaData(),
        sa.Column("flag", sa.Boolean()),
        sa.Column("count", sa.BigInteger()),
        sa.Column("ratio", sa.Float()),
        sa.Column("money", sa.Numeric(12, 4)),
        sa.Column("aware", sa.DateTime(timezone=True)),
        sa.Column("naive", sa.DateTime()),
        sa.Column("day", sa.Date()),
        sa.Column("clock", sa.Time()),
        sa.Column("blob", sa.LargeBinary()),
        sa.Column("key", sa.Uuid()),
        sa.Column("colour", sa.Enum(Colour)),
        sa.Column("label", sa.String(60)),
        sa.Column("data", sa.JSON()),
    )
    values = (
        False,
        2**62,
        0.1,
        Decimal("-12345678.0001"),
        datetime(2026, 10, 25, 0, 30, 0, 1, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, 0, 1),
        date(2026, 2, 28),
        time(23, 59, 59, 999_999),
        bytes(range(256)),
        uuid.uuid4(),
        Colour.red,
        HOSTILE[3],
        {"nested": [1, "two", None]},
    )
    codecs = transfer._codecs(table, "postgresql")
    encoded = json.loads(json.dumps(transfer._encode_row(codecs, values)))  # type: ignore[arg-type]
    assert tuple(transfer._decode_row(codecs, encoded).values()) == values


def test_the_models_have_no_foreign_key_cycle() -> None:
    """Rows go in table by table, referenced tables first: a cycle (or a table referencing itself)
    would need its foreign keys filled in a second pass, which transfer.py does not do yet."""
    order = {table.name: index for index, table in enumerate(Base.metadata.sorted_tables)}
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            assert order[key.column.table.name] < order[table.name], f"{table.name} → {key.target_fullname}"


# Refusals leave the target unchanged


def test_a_database_that_holds_data_is_refused_without_replace(
    exported: Path, target: Engine, occupied: dict[str, list[tuple[Any, ...]]]
) -> None:
    with pytest.raises(TransferError) as refused:
        import_database(target, exported)
    assert "already holds data" in refused.value.message and "assessments: 1 row," in refused.value.message
    assert "***" in refused.value.message or "sqlite" in refused.value.message  # where, password hidden
    assert "--replace" in refused.value.hint
    assert contents(target) == occupied


def test_replace_deletes_the_targets_data_first(filled: Engine, exported: Path, target: Engine, occupied: Any) -> None:
    summary = import_database(target, exported, replace=True)
    assert contents(target) == contents(filled)
    assert summary.replaced > 0


@pytest.mark.parametrize(
    ("revision", "said", "hint"),
    [("0001", "exported at database migration 0001", "export it again"), ("9999", "newer airegime", "upgrade")],
)
def test_a_file_from_another_schema_version_is_refused(
    exported: Path, target: Engine, occupied: Any, tmp_path: Path, revision: str, said: str, hint: str
) -> None:
    def other_revision(lines: list[bytes]) -> list[bytes]:
        described = json.loads(lines[0])
        described["alembic_revision"] = revision
        return [json.dumps(described).encode(), *lines[1:]]

    if revision == "0001" and transfer._head_revision() == "0001":
        pytest.skip("only one migration: no older one to pretend to")
    older = rewrite(exported, tmp_path / "other.jsonl.gz", other_revision)
    with pytest.raises(TransferError) as refused:
        import_database(target, older, replace=True)
    assert said in refused.value.message and hint in refused.value.hint
    assert contents(target) == occupied


def test_a_truncated_file_is_refused_after_rows_went_in_and_everything_is_rolled_back(
    exported: Path, target: Engine, occupied: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BATCH_ROWS", 5)  # several batches are inserted before the end is missed
    inserted: list[int] = []
    cut = tmp_path / "cut.jsonl.gz"
    data = exported.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(TransferError) as refused:
        import_database(target, cut, lambda _table, done, _total: inserted.append(done), replace=True)
    assert "truncated" in refused.value.message and str(cut) in refused.value.message
    assert sum(inserted) > 0, "the file broke before any insert: the rollback is not tested"
    assert contents(target) == occupied


def drop_line(number: int) -> Callable[[list[bytes]], list[bytes]]:
    return lambda lines: lines[: number - 1] + lines[number:]


def replace_line(number: int, new: Callable[[bytes], bytes]) -> Callable[[list[bytes]], list[bytes]]:
    return lambda lines: [*lines[: number - 1], new(lines[number - 1]), *lines[number:]]


def change_row(number: int, column: str, value: Any) -> Callable[[list[bytes]], list[bytes]]:
    def change(line: bytes) -> bytes:
        data = json.loads(line)
        data["row"][column] = value
        return json.dumps(data).encode()

    return replace_line(number, change)


CORRUPTIONS = {
    "half a line": (replace_line(7, lambda line: line[: len(line) // 2]), "line 7 is not valid JSON"),
    "not UTF-8": (replace_line(7, lambda line: line.replace(b"}}", b"\xff}}")), "line 7 is not valid JSON"),
    "not a row": (replace_line(7, lambda _: b"[1, 2]"), 'line 7 is not {"table"'),
    "unknown table": (replace_line(7, lambda line: line.replace(b'"table":"', b'"table":"x')), "line 7: no table"),
    "a text as an id": (change_row(7, "id", "7"), "line 7, audit_log: id: expected an integer"),
    "a time without offset": (change_row(7, "at", "2026-01-01T10:00:00"), "line 7, audit_log: at: "),
    "not a time": (change_row(7, "at", "yesterday"), "line 7, audit_log: at: "),
    "null where required": (change_row(7, "actor", None), "line 7, audit_log: actor is null"),
    "a missing column": (
        replace_line(7, lambda line: line.replace(b'"actor":', b'"who":')),
        "line 7, audit_log: the row",
    ),
    "a missing row": (drop_line(7), "its header announces"),
    "rows out of order": (lambda lines: [lines[0], *lines[1:][::-1]], "after the rows of"),
    "a duplicate id": (lambda lines: [*lines[:7], lines[6], *lines[7:]], "the database refused a row"),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=list(CORRUPTIONS))
def test_a_malformed_line_is_refused_with_its_number_and_nothing_changes(
    exported: Path, target: Engine, occupied: Any, tmp_path: Path, corruption: str
) -> None:
    change, said = CORRUPTIONS[corruption]
    bad = rewrite(exported, tmp_path / "bad.jsonl", change, zipped=False)  # a gunzip'd file is read too
    with pytest.raises(TransferError) as refused:
        import_database(target, bad, replace=True)
    assert said in refused.value.message and str(bad) in refused.value.message
    assert refused.value.hint
    assert contents(target) == occupied


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "not an airegime database export"),
        (b"name,organisation\nA,B\n", "not an airegime database export"),
        (gzip.compress(b'{"format": "something-else"}\n', mtime=0), "not an airegime database export"),
        (b"\x1f\x8b\x08\x00garbage", "not an airegime database export"),
        (gzip.compress(b'{"format": "airegime-db", "format_version": 2}\n', mtime=0), "format version 2"),
        (gzip.compress(b'{"format": "airegime-db", "format_version": 1}\n', mtime=0), "line 1: the header lacks"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(target: Engine, tmp_path: Path, content: bytes, said: str) -> None:
    path = tmp_path / "input.jsonl.gz"
    path.write_bytes(content)
    with pytest.raises(TransferError, match=said):
        import_database(target, path)


# Values outside the ones a column allows (#13 item 16): refused with their line, not read back as another


OUTSIDE = {  # table, column, a value the column does not allow
    "an unknown role": ("memberships", "role", "owner"),
    "an unknown token role": ("api_tokens", "role", "superuser"),
    "an unknown phase": ("deployment_contexts", "phase", "testing"),
    "an unknown scope": ("events", "scope", "everything"),
}


@pytest.mark.parametrize("case", OUTSIDE, ids=list(OUTSIDE))
def test_a_value_its_column_does_not_allow_is_refused_naming_its_line(
    exported: Path, target: Engine, database_url: str, occupied: Any, tmp_path: Path, case: str
) -> None:
    table, column, value = OUTSIDE[case]
    rows = [json.loads(line) for line in row_lines(exported)]
    number = next(n for n, r in enumerate(rows, start=2) if r["table"] == table and r["row"][column] is not None)
    bad = rewrite(exported, tmp_path / "bad.jsonl.gz", change_row(number, column, value))
    allowed = ", ".join(Base.metadata.tables[table].columns[column].info["allowed"])
    said = f'line {number}, {table}: {column}: "{value}" is not one of {allowed}'
    with pytest.raises(TransferError) as refused:
        import_database(target, bad, replace=True)
    assert said in refused.value.message
    assert contents(target) == occupied
    cli = runner.invoke(app, ["db", "import", str(bad), "--database-url", database_url, "--replace"])
    assert cli.exit_code == 2 and said in " ".join(cli.output.split()), cli.output
    assert contents(target) == occupied


def test_the_allowed_roles_are_the_accounts_roles() -> None:
    from airegime.storage.accounts import ROLES
    from airegime.storage.models import ROLE_NAMES

    assert ROLE_NAMES == ROLES


# A hostile file (#13 item 11): a huge line or a deep nesting is refused, exit 2, in bounded memory


def hostile_file(path: Path, exported: Path, middle: Callable[[gzip.GzipFile], None]) -> Path:
    """The export's header, then a line written by ``middle``."""
    with gzip.open(exported) as lines:
        first = lines.readline()
    with gzip.GzipFile(path, "wb", compresslevel=1) as out:
        out.write(first)
        middle(out)
    return path


LONG_LINE_MB = 400


@pytest.mark.slow
def test_a_very_long_line_is_refused_unread_in_bounded_memory(
    exported: Path, tmp_path: Path, run_measured: Callable[..., tuple[subprocess.CompletedProcess[str], float]]
) -> None:
    """Refused after reading LINE_LIMIT bytes of it: before, the whole line was read, then parsed
    (a 1.5 GB line took 4.4 GB)."""

    def long_line(out: gzip.GzipFile) -> None:
        out.write(b'{"table": "audit_log", "row": {"actor": "')
        chunk = b"a" * (1 << 20)
        for _ in range(LONG_LINE_MB):
            out.write(chunk)
        out.write(b'"}}\n')

    path = hostile_file(tmp_path / "long.jsonl.gz", exported, long_line)
    assert path.stat().st_size < 2_000_000
    cli = Path(sys.executable).parent / "airegime"
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    done, peak_mb = run_measured(str(cli), "db", "import", str(path), "--database-url", target)
    assert done.returncode == 2, done.stderr
    said = " ".join(done.stderr.split())
    assert f"line 2 is longer than {transfer.LINE_LIMIT:,} bytes" in said and "Traceback" not in said
    assert peak_mb < 250, f"peak {peak_mb:.0f} MB for a line of {LONG_LINE_MB} MB"


@pytest.mark.slow
def test_many_long_lines_go_in_a_few_at_a_time_in_bounded_memory(
    exported: Path, tmp_path: Path, run_measured: Callable[..., tuple[subprocess.CompletedProcess[str], float]]
) -> None:
    """Lines under LINE_LIMIT, but many: a batch goes in once its lines reach BATCH_BYTES, not
    only after BATCH_ROWS rows (which would have held them all in memory)."""
    model = next(json.loads(line) for line in row_lines(exported) if json.loads(line)["table"] == "audit_log")
    long_text = "a" * (30 << 20)

    def long_rows(out: gzip.GzipFile) -> None:
        for number in range(12):
            model["row"].update(id=number + 1, detail=long_text)
            out.write(json.dumps(model).encode() + b"\n")

    path = hostile_file(tmp_path / "long-rows.jsonl.gz", exported, long_rows)
    assert path.stat().st_size < 2_000_000
    cli = Path(sys.executable).parent / "airegime"
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    done, peak_mb = run_measured(str(cli), "db", "import", str(path), "--database-url", target)
    assert done.returncode == 2, done.stderr  # the header announces other rows: refused at the end
    assert "holds 12 rows of audit_log" in " ".join(done.stderr.split())
    assert peak_mb < 350, f"peak {peak_mb:.0f} MB for 12 lines of 30 MB"


def test_an_export_refuses_a_row_longer_than_an_import_reads(
    filled: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "LINE_LIMIT", 2_000)  # the assessments' hostile texts take more
    with pytest.raises(TransferError, match=r"the row of \w+ with id \d+ takes [\d,]+ bytes, more than the 2,000"):
        export_database(filled, tmp_path / "export.jsonl.gz")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["a row", "the header"])
def test_a_deeply_nested_line_is_refused_with_exit_code_2(exported: Path, tmp_path: Path, where: str) -> None:
    nested = b"[" * 200_000 + b"]" * 200_000
    if where == "a row":
        path = hostile_file(
            tmp_path / "deep.jsonl.gz", exported, lambda out: out.write(b'{"table": "x", "row": ' + nested + b"}\n")
        )
        expected = "line 2 nests arrays or objects too deeply"
    else:
        path = tmp_path / "deep.jsonl.gz"
        path.write_bytes(gzip.compress(b'{"format": ' + nested + b"}\n"))
        expected = "is not an airegime database export"
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    result = runner.invoke(app, ["db", "import", str(path), "--database-url", target])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert expected in said and "Traceback" not in said


# Export files are the database's copy (#13 item 10): readable by their owner alone


def test_an_export_is_readable_by_its_owner_alone_while_written_and_after(filled: Engine, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(b"an older export")
    path.chmod(0o644)
    modes: set[int] = set()

    def look(*_: object) -> None:  # called as tables are written: the file being written is there
        modes.update(stat.S_IMODE(p.stat().st_mode) for p in _being_written(tmp_path))

    previous = os.umask(0o022)
    try:
        export_database(filled, path, look)
    finally:
        os.umask(previous)
    assert modes == {0o600}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _being_written(tmp_path) == []
    with gzip.open(path) as written:
        assert written.readline().startswith(b'{"format"')


def test_an_export_that_cannot_be_written_leaves_no_file(filled: Engine, tmp_path: Path) -> None:
    with pytest.raises(TransferError, match="cannot write"):
        export_database(filled, tmp_path / "missing-folder" / "export.jsonl.gz")
    assert not (tmp_path / "missing-folder").exists()
    assert list(tmp_path.iterdir()) == []


def test_an_export_that_fails_midway_keeps_the_previous_file(filled: Engine, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(b"an older export")

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(TransferError, match="No space left"):
        export_database(filled, path, fail)
    assert path.read_bytes() == b"an older export" and _being_written(tmp_path) == []


def _being_written(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".part")]


# The command line


runner = CliRunner()


def test_the_command_line_exports_imports_and_refuses_with_exit_code_2(
    filled: Engine, database_url: str, tmp_path: Path
) -> None:
    source_url = str(filled.url)
    file = tmp_path / "cli.jsonl.gz"
    exported = runner.invoke(app, ["db", "export", str(file), "--database-url", source_url])
    assert exported.exit_code == 0, exported.output
    rows = sum(len(r) for r in contents(filled).values())
    assert f"Exported {rows:,} rows ({len(Base.metadata.tables)} tables)" in exported.stdout
    assert all(f"  {t.name}" in exported.stderr for t in Base.metadata.sorted_tables)

    imported = runner.invoke(app, ["db", "import", str(file), "--database-url", database_url])
    assert imported.exit_code == 0, imported.output
    assert f"Imported {rows:,} rows" in imported.stdout

    again = runner.invoke(app, ["db", "import", str(file), "--database-url", database_url])
    assert again.exit_code == 2
    said = " ".join(again.output.split())  # the error console wraps long lines
    assert "already holds data" in said and "--replace" in said and "Traceback" not in said
    password = ":airegime@"  # in the PostgreSQL test URL: never printed
    assert password not in again.output + imported.output

    replaced = runner.invoke(app, ["db", "import", str(file), "--database-url", database_url, "--replace"])
    assert replaced.exit_code == 0, replaced.output
    seeded = sum(len(keys) for keys in transfer._seeded_keys().values())  # rows the migrations make: not data
    assert f"replacing {rows - seeded:,} rows" in replaced.stdout


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["db", "import", "{tmp}/missing.jsonl.gz"], "no file"),
        (["db", "import", "{tmp}/not-an-export.txt"], "not an airegime database export"),
        (["db", "export", "{tmp}/out.jsonl.gz", "--database-url", "sqlite:///{tmp}/none.sqlite3"], "no database at"),
        (["db", "export", "{tmp}/out.jsonl.gz", "--database-url", "nonsense://nowhere"], "cannot open the database"),
        (
            ["db", "export", "{tmp}/out.jsonl.gz", "--database-url", "postgresql+psycopg://me:s3cret@127.0.0.1:9/x"],
            "me:***@127.0.0.1:9/x",
        ),
    ],
)
def test_the_command_line_says_what_is_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], said: str
) -> None:
    monkeypatch.setenv("AIREGIME_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AIREGIME_DATABASE_URL", raising=False)
    (tmp_path / "not-an-export.txt").write_text("hello\n")
    result = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in arguments])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert said in output and "Traceback" not in output and "s3cret" not in output
    assert not (tmp_path / "out.jsonl.gz").exists()
