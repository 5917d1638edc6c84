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
        print(f"Error: {missing}", file=sys.stderr)
        raise SystemExit(2) from None
