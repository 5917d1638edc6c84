"""The command line: a thin adapter over the library.

Exit codes: 0 a result was produced; 1 the result is not settled and --fail-on-open was given,
or `verify` found problems; 2 the input (a file, an option, an answer) is invalid, or the command
needs an extra that is not installed (the message names it).
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:  # answered before the heavy imports
        from airegime._version import __version__

        print(f"airegime {__version__}")
        return
    from airegime.errors import MissingExtraError

    try:
        from airegime.cli.app import app

        app()
    except (ModuleNotFoundError, MissingExtraError) as error:
        # Commands import their optional packages when they run: a core-only install gets
        # "install this extra", not a traceback. Any other missing module is a bug: raised as is.
        missing = MissingExtraError.of(error) if isinstance(error, ModuleNotFoundError) else error
        if missing is None:
            raise
        from airegime.i18n import translate

        lang = _language(sys.argv[1:])
        print(f"{translate('cli.error', lang)} {missing.text(lang)}", file=sys.stderr)
        raise SystemExit(2) from None


ADMIN_COMMANDS = ("db", "users", "orgs", "audit", "serve")  # English only (airegime.cli.app.ADMIN_LANG)


def _language(argv: list[str]) -> str:
    """The reader's language when the command could not even be set up: its --lang, else AIREGIME_LANG."""
    if argv[:1] and argv[0] in ADMIN_COMMANDS:
        return "en"
    from airegime.kb.models import as_lang

    for position, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else None
        if arg in ("--lang", "-l") and position + 1 < len(argv):
            value = argv[position + 1]
        chosen = as_lang(value)
        if chosen:
            return chosen
    from airegime.settings import get_settings

    return get_settings().lang
