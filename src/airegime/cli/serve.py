"""`airegime serve`: the web app on this machine (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from airegime.cli.app import ADMIN_LANG, KnowledgeDirArg, _kb, app


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="address to listen on; 0.0.0.0 exposes the app to the network (needs accounts)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="server processes; one per core for a team (each uses one core)")
    ] = 1,
    trusted_proxies: Annotated[
        str | None,
        typer.Option(
            help="reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated, "
            "or *); default: AIREGIME_TRUSTED_PROXIES, else none"
        ),
    ] = None,
    knowledge_dir: KnowledgeDirArg = None,
) -> None:
    """Run the web app: guided interview, saved assessments (SQLite by default, see AIREGIME_DATABASE_URL).

    Without accounts it listens on loopback only; any other address needs `airegime users add` first.
    Behind a reverse proxy, name it with --trusted-proxies, or every client has the proxy's address.
    """
    from airegime.errors import AiregimeError
    from airegime.settings import get_settings
    from airegime.web.security import trusted_networks
    from airegime.web.server import is_loopback, run, serving_app

    if trusted_proxies is not None:
        os.environ["AIREGIME_TRUSTED_PROXIES"] = trusted_proxies  # the worker processes read it too
    if knowledge_dir is not None:
        knowledge_dir = knowledge_dir.resolve()
        _kb(knowledge_dir, ADMIN_LANG)  # a wrong folder or file stops here, named (exit 2)
        os.environ["AIREGIME_KNOWLEDGE_DIR"] = str(knowledge_dir)  # the app and the worker processes read it
    settings = get_settings()
    try:
        trusted_networks(settings.trusted_proxies)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        typer.echo("  → e.g. --trusted-proxies 10.0.0.5 or AIREGIME_TRUSTED_PROXIES=10.0.0.0/24", err=True)
        raise typer.Exit(2) from None
    try:
        web_app = serving_app(host)
    except AiregimeError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except Exception as error:  # e.g. the database cannot be opened: say which, without a trace
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        typer.echo(f"error: cannot open the database {_redacted(settings.effective_database_url)}: {reason}", err=True)
        typer.echo("  → check AIREGIME_DATABASE_URL, or unset it to use SQLite in AIREGIME_DATA_DIR", err=True)
        raise typer.Exit(2) from None
    if not is_loopback(host) and not web_app.state.gate.accounts.exist():
        typer.echo(f"error: no account exists, so the app may only listen on loopback, not {host}", err=True)
        typer.echo(
            "  → create the first administrator: airegime users add NAME --org ORGANISATION --role admin", err=True
        )
        typer.echo("  → or serve on this machine only: airegime serve --host 127.0.0.1", err=True)
        raise typer.Exit(2)
    from airegime.storage.reviews import flag_approvals_the_rules_change

    flagged = flag_approvals_the_rules_change(web_app.state.repo)  # once, before the worker processes start
    if flagged:
        flagged_ones = "1 approved assessment" if flagged == 1 else f"{flagged:,} approved assessments"
        typer.echo(f"airegime: {flagged_ones} flagged for review: the loaded rule set changes their result")
    processes = f", {workers} processes" if workers > 1 else ""
    rules = f", knowledge base: {knowledge_dir}" if knowledge_dir else ""
    database = _redacted(settings.effective_database_url)
    typer.echo(f"airegime: http://{host}:{port}/  (database: {database}{rules}{processes})")
    try:
        run(web_app, host=host, port=port, workers=workers)
    except OSError as error:  # one process: uvicorn says it itself
        typer.echo(f"error: cannot listen on {host}:{port}: {error.strerror or error}", err=True)
        typer.echo("  → another program may be using this port: choose another with --port", err=True)
        raise typer.Exit(2) from None


def _redacted(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
