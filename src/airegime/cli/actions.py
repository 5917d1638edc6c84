"""`airegime actions export`: an organisation's action plan (every assessment's actions, or one
assessment's) as CSV or XLSX, from the server's machine, as the web page and the API export it
(cells a spreadsheet could run as formulas made inert; the export is in the audit log)."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from airegime.cli.app import ADMIN_LANG, _fail, _kb, _lang, command_group, written
from airegime.cli.db import URL_HELP, _database, database_url_or_default
from airegime.cli.users import OrgOption, _actor, _organisation_id
from airegime.errors import AiregimeError, msg
from airegime.kb import Lang
from airegime.text import escaped

actions = command_group("actions", "The action plans: the next steps of results, with owners, due dates and states.")
# The db commands' option, also spelt --db here.
DbOption = Annotated[str | None, typer.Option("--database-url", "--db", help=URL_HELP)]


@actions.command("export")
def export(
    org: OrgOption,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write, .csv or .xlsx (default: CSV on stdout)")
    ] = None,
    assessment: Annotated[
        int | None, typer.Option("--assessment", help="only this assessment's actions (its id)")
    ] = None,
    lang: Annotated[
        Lang | None,
        typer.Option("--lang", "-l", help="language of the column names (default: AIREGIME_LANG, else fr)"),
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Write an organisation's actions, one row each: assessment, action, owner, due date, state,
    next step, last change."""
    from airegime.storage import Repository
    from airegime.storage.accounts import Accounts
    from airegime.storage.actions import Actions, export_file

    fmt = "csv" if output is None else output.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        _fail(
            AiregimeError(msg("error.actions.format", suffix=fmt), hint=msg("error.actions.format.hint")),
            ADMIN_LANG,
        )
    language = _lang(lang)
    # The file to write is opened first: a folder that is not there stops the export before it is recorded.
    with (
        written(output, language) if output else nullcontext() as temporary,
        _database(database_url_or_default(database_url)) as engine,
    ):
        organisation_id = _organisation_id(Accounts(engine), org, language)
        kb = _kb(None, language)  # the server's: AIREGIME_KNOWLEDGE_DIR, else the packaged one
        repo = Repository(engine, kb, organisation_id=organisation_id, actor=_actor())
        plan = Actions(repo)
        listed = plan.list(assessment)
        plan.record_export(fmt, assessment)
        body = export_file(listed, "csv" if fmt == "csv" else "xlsx", language, kb)
        if temporary is None:  # a terminal: names escaped (--output writes them as stored)
            sys.stdout.write(escaped(body.decode("utf-8-sig")))
            return
        temporary.write_bytes(body)
    typer.echo(f"Wrote {output} ({len(listed)} actions)", err=True)
