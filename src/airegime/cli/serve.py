"""`airegime serve`: the web app on this machine (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

from typing import Annotated

import typer

from airegime.cli.app import app


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on; 0.0.0.0 exposes the app to the network")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8000,
) -> None:
    """Run the web app: guided interview, saved assessments (SQLite by default, see AIREGIME_DATABASE_URL)."""
    import uvicorn

    from airegime.errors import AiregimeError
    from airegime.settings import get_settings
    from airegime.web.app import create_app

    settings = get_settings()
    try:
        web_app = create_app(allowed_hosts=allowed_hosts(host))
    except AiregimeError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except Exception as error:  # e.g. the database cannot be opened: say which, without a trace
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        typer.echo(f"error: cannot open the database {_redacted(settings.effective_database_url)}: {reason}", err=True)
        typer.echo("  → check AIREGIME_DATABASE_URL, or unset it to use SQLite in AIREGIME_DATA_DIR", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"airegime: http://{host}:{port}/  (database: {_redacted(settings.effective_database_url)})")
    uvicorn.run(web_app, host=host, port=port, log_level="warning", server_header=False)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_hosts(host: str) -> list[str] | None:
    """On a loopback address, answer only to loopback names (no DNS rebinding); elsewhere, any name."""
    return ["127.0.0.1", "localhost", "[::1]"] if host in LOOPBACK else None


def _redacted(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
