"""The command-line reference (docs/cli.md), generated from each command's own --help.

    python -m airegime.cli.reference docs/cli.md           # write it
    python -m airegime.cli.reference --check docs/cli.md   # exit 1 if it differs (pre-commit, tests)

The help is rendered at a fixed width, so the file does not depend on the terminal that ran it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

WIDTH = 100
REGENERATE = "python -m airegime.cli.reference docs/cli.md"


def command_paths() -> list[tuple[str, ...]]:
    """Every command and command group, as the words that name it after `airegime` (the root is `()`)."""
    from airegime.cli.app import app

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        yield path
        subcommands: Mapping[str, Any] = getattr(command, "commands", {})
        for name, subcommand in subcommands.items():
            yield from walk(subcommand, (*path, name))

    return list(walk(typer.main.get_command(app), ()))


def help_text(path: tuple[str, ...]) -> str:
    """What `airegime PATH --help` prints, at the reference's width."""
    from airegime.cli.app import app

    result = CliRunner().invoke(
        app,
        [*path, "--help"],
        prog_name="airegime",
        env={"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": str(WIDTH)},
        terminal_width=WIDTH,
        max_content_width=WIDTH,
    )
    if result.exit_code != 0:
        raise RuntimeError(f"airegime {' '.join(path)} --help exited {result.exit_code}: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())


def reference_markdown() -> str:
    parts = [
        "# Command-line reference",
        "",
        "<!-- Generated from each command's --help: do not edit by hand; to update it, run",
        f"     {REGENERATE} -->",
        "",
        "Every command's `--help`, as it prints it. Exit codes: `0` a result was produced; `1` a check",
        "did not pass (a phase left open under `--fail-on-open`, a problem `verify` found in the rule set,",
        "a scenario of `test` that failed, an invalid row of `batch`); `2` the input (a file, an option,",
        "an answer) is invalid.",
    ]
    for path in command_paths():
        parts += ["", f"## {' '.join(('airegime', *path))}", "", "```text", help_text(path), "```"]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    files = [arg for arg in args if arg != "--check"]
    if len(files) != 1:
        print(f"usage: python -m airegime.cli.reference [--check] FILE  (e.g. {REGENERATE})", file=sys.stderr)
        return 2
    target = Path(files[0])
    wanted = reference_markdown()
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != wanted:
            print(f"{target} differs from the commands' --help: run {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    target.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
