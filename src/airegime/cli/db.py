"""`airegime db export` and `airegime db import`: every row of every table through one file,
e.g. from the SQLite default to PostgreSQL, or as a backup (see docs/database.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from airegime.cli.app import ADMIN_LANG, _fail, command_group, err
from airegime.cli.serve import _redacted
from airegime.errors import AiregimeError, msg
from airegime.render.summary import file_size
from airegime.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from airegime.kb.models import Lang
    from airegime.storage.transfer import Progress

db = command_group("db", "Move all saved data between databases (SQLite, PostgreSQL) through one file, or back it up.")

URL_HELP = "SQLAlchemy URL (default: AIREGIME_DATABASE_URL, else SQLite in AIREGIME_DATA_DIR)"
UrlOption = Annotated[str | None, typer.Option("--database-url", help=URL_HELP)]
URL_HINT = msg("error.db.url.hint")


def database_url_or_default(database_url: str | None) -> str:
    """--database-url, else AIREGIME_DATABASE_URL, else SQLite in AIREGIME_DATA_DIR."""
    return database_url or get_settings().effective_database_url


@db.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="file to write, e.g. airegime.jsonl.gz (replaced if it exists)")],
    database_url: UrlOption = None,
) -> None:
    """Write every row of every table to FILE (gzip'd JSON Lines, readable by its owner alone),
    from one consistent snapshot. Control characters in texts are replaced by U+FFFD (and counted)."""
    from airegime.storage.transfer import export_database

    url = database_url_or_default(database_url)
    missing = _missing_sqlite_file(url)
    if missing:
        _fail(AiregimeError(msg("error.db.missing", path=missing), hint=URL_HINT), ADMIN_LANG)
    started = time.perf_counter()
    with _database(url) as engine, _progress() as progress:
        summary = export_database(engine, file, progress)
    typer.echo(
        f"Exported {summary.rows:,} rows ({len(summary.tables)} tables) from {_redacted(url)} to {file} "
        f"({file_size(file.stat().st_size, ADMIN_LANG)}, {time.perf_counter() - started:.1f} s)"
    )
    if summary.cleaned.characters:
        typer.echo(
            f"Replaced {summary.cleaned} with U+FFFD in the file (no database should store them, "
            "and PostgreSQL refuses NUL): the file imports into any database"
        )


@db.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="a file written by `airegime db export`")],
    database_url: UrlOption = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="delete the data the database holds first (in the same transaction)")
    ] = False,
) -> None:
    """Load FILE into a database in one transaction (its schema is created or upgraded first).
    Refuses a database that already holds data, unless --replace."""
    from airegime.storage.transfer import import_database

    if not file.is_file():
        _fail(AiregimeError(msg("error.db.no_file", path=str(file)), hint=msg("error.db.no_file.hint")), ADMIN_LANG)
    url = database_url_or_default(database_url)
    started = time.perf_counter()
    with _database(url) as engine, _progress() as progress:
        summary = import_database(engine, file, progress, replace=replace)
    replaced = f", replacing {summary.replaced:,} rows" if summary.replaced else ""
    typer.echo(
        f"Imported {summary.rows:,} rows ({len(summary.tables)} tables) from {file} into {_redacted(url)}"
        f"{replaced} ({time.perf_counter() - started:.1f} s)"
    )
    if summary.cleaned.characters:
        typer.echo(f"Replaced {summary.cleaned} with U+FFFD (control characters are not stored)")


def _missing_sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL that does not exist (opening it would create an empty database)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # _database says the URL is wrong
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return None if Path(database).expanduser().exists() else database


@contextmanager
def _database(url: str, lang: Lang = ADMIN_LANG) -> Iterator[Engine]:
    """The database, migrated; its errors and the transfer's become a message in ``lang`` and exit code 2."""
    from sqlalchemy.exc import SQLAlchemyError

    from airegime.storage.database import open_engine

    try:
        engine = open_engine(url)
    except Exception as error:  # a wrong URL, a server down, a missing driver: say which database, no trace
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        said = msg("error.db.cannot_open", database=_redacted_or_not(url), reason=reason)
        _fail(AiregimeError(said, hint=URL_HINT), lang)
    try:
        yield engine
    except AiregimeError as error:
        _fail(error, lang)
    except SQLAlchemyError as error:  # e.g. the connection lost midway
        reason = " ".join(str(getattr(error, "orig", None) or error).split())[:400]
        said = msg("error.db.failed", database=_redacted(url), reason=reason)
        _fail(AiregimeError(said, hint=msg("error.db.failed.hint")), lang)
    finally:
        engine.dispose()


def _redacted_or_not(url: str) -> str:
    try:
        return _redacted(url)
    except Exception:  # not even a URL: nothing in it can be read as a password
        return "(unreadable URL)"


@contextmanager
def _progress() -> Iterator[Progress]:
    """Rows per table on stderr: a bar while a table is copied (on a terminal), a line once it is done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        tasks: dict[str, TaskID] = {}
        finished: set[str] = set()

        def advance(table: str, done: int, total: int) -> None:
            if table in finished:
                return
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total)
            bar.update(tasks[table], completed=done)
            if done >= total:
                bar.remove_task(tasks[table])
                finished.add(table)
                rows = "row" if done == 1 else "rows"
                bar.console.print(f"  {table:<20} {done:>12,} {rows}", markup=False, highlight=False)

        yield advance
