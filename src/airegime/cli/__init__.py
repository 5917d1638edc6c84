"""The command line: a thin adapter over the library.

Exit codes: 0 a result was produced; 1 the result is not settled and --fail-on-open was given,
or `verify` found problems; 2 the input (a file, an option, an answer) is invalid.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:  # answered before the heavy imports
        from airegime._version import __version__

        print(f"airegime {__version__}")
        return
    from airegime.cli.app import app

    app()
