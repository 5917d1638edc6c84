"""Docs that cannot drift: the command reference is the commands' own --help, every command and option
the README and docs/*.md name exists, every command is in the README's table, the package doctest runs."""

from __future__ import annotations

import difflib
import doctest
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import airegime
from airegime.cli import reference

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "cli.md"
# Written by people (docs/cli.md and the methodology are generated, and checked by their own tests).
GENERATED = {"cli.md", "methodology.md", "methodology.en.md"}
DOCS = [ROOT / "README.md", *(p for p in sorted((ROOT / "docs").glob("*.md")) if p.name not in GENERATED)]
SHELL = {"sh", "bash", "shell", "console"}  # code blocks whose lines are commands; plain blocks show output


@cache
def paths() -> frozenset[tuple[str, ...]]:
    return frozenset(reference.command_paths())


@cache
def options(path: tuple[str, ...]) -> frozenset[str]:
    """The options `airegime PATH --help` lists (both names of a `--x / --no-x` flag, short names too)."""
    names: set[str] = set()
    section = False
    for line in reference.help_text(path).splitlines():
        if line.endswith(":") and not line.startswith(" "):
            section = line == "Options:"
        elif section and line.startswith("  -"):
            column = re.split(r"\s{2,}", line.strip())[0]
            names.update(re.findall(r"(?<![\w-])--?[A-Za-z0-9][\w-]*", column))
    return frozenset(names)


def invocations(text: str) -> Iterator[tuple[int, str]]:
    """(line, what follows `airegime`) for each command in inline code and in shell code blocks."""
    prose = []
    language: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        fence = re.match(r"\s*```(\S*)", line)
        if fence:
            language = fence.group(1) if language is None else None
            prose.append("")
            continue
        prose.append(line if language is None else "")
        if language in SHELL:
            command = line.strip()
            if language == "console":
                if not command.startswith("$ "):
                    continue
                command = command[2:]
            # each command of the line (`a && b`, `a | b`, `$(b)`), after its variable assignments
            for segment in re.split(r"\s#.*|&&|\|\||;|\s\|\s|\$\(", command):
                call = re.match(r"(?:\w+=\S*\s+)*(?:[\w.-]*/)*airegime\s+(.+)", segment.strip())
                if call:
                    yield number, call.group(1)
    joined = "\n".join(prose)
    for span in re.finditer(r"`([^`]+)`", joined):
        content = span.group(1).replace("\\|", "|").replace("\n", " ").strip()
        inline = re.match(r"(?:\$ )?(?:[\w.-]*/)*airegime\s+(.+)", content)
        if inline:
            yield joined.count("\n", 0, span.start()) + 1, inline.group(1)


def problems(words: str) -> list[str]:
    """What is wrong with `airegime WORDS`: a command that does not exist, or an option it does not take."""
    try:
        tokens = shlex.split(words)
    except ValueError:
        tokens = words.split()
    path: tuple[str, ...] = ()
    while tokens and (*path, tokens[0]) in paths():
        path = (*path, tokens.pop(0))
    group = any(p[:-1] == path for p in paths() if p)
    # `airegime db …` names the group, whatever its command; `airegime db frobnicate` a command that is not there
    if group and tokens and not tokens[0].startswith(("-", "[")) and tokens[0] not in ("…", "...", "COMMAND"):
        return [f"no command 'airegime {' '.join((*path, tokens[0]))}'"]
    found = []
    for token in tokens:
        name = token.strip("[](),").split("=")[0]
        if re.fullmatch(r"--?[A-Za-z][\w-]*", name) and name not in options(path):
            found.append(f"'airegime {' '.join(path)}' has no option {name}")
    return found


def test_the_command_reference_is_the_commands_help() -> None:
    wanted = reference.reference_markdown()
    committed = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    diff = "\n".join(
        list(difflib.unified_diff(committed.splitlines(), wanted.splitlines(), "docs/cli.md", "--help", lineterm=""))[
            :40
        ]
    )
    if committed != wanted:
        pytest.fail(f"docs/cli.md differs from the commands' --help; run {reference.REGENERATE}\n{diff}")


def test_the_reference_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    narrow = reference.help_text(("serve",))
    monkeypatch.setenv("COLUMNS", "250")
    assert reference.help_text(("serve",)) == narrow
    assert max(len(line) for line in narrow.splitlines()) > 80  # laid out at the reference's width, 100


def test_the_reference_covers_every_command() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    headings = {line.removeprefix("## ") for line in text.splitlines() if line.startswith("## airegime")}
    assert headings == {" ".join(("airegime", *path)) for path in paths()}
    assert {("assess",), ("db", "export"), ("users", "add")} <= paths()


def test_every_command_is_in_the_readme_table() -> None:
    rows = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    named = {m.group(1) for row in rows for m in re.finditer(r"`airegime ([a-z][\w-]*)", row)}
    missing = sorted(path[0] for path in paths() if len(path) == 1 and path[0] not in named)
    assert missing == [], f"commands missing from the README's command table: {missing}"


def test_commands_and_options_named_in_the_docs_exist() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: `airegime {words}`: {problem}"
        for path in DOCS
        for line, words in invocations(path.read_text(encoding="utf-8"))
        for problem in problems(words)
    ]
    assert found == []


def test_the_docs_check_finds_what_is_wrong() -> None:
    text = (
        "Run `airegime assess FILE --colour` or `airegime asses FILE`, then `airegime db …`.\n"
        "| `airegime serve [--host H] [--wrokers N]` | the web app |\n"
        "```sh\n"
        "AIREGIME_LANG=en .venv/bin/airegime report x.yaml -f pdf --no-diagram  # --not-an-option\n"
        "TOKEN=$(airegime users token NAME --org ORG --name CI --days 30)\n"
        "airegime users frobnicate NAME\n"
        "pip freeze --exclude airegime > lock.txt && airegime verify --quiet\n"
        "```\n"
        "```\n"
        "airegime est une aide à la décision\n"
        "```\n"
        "```console\n"
        "$ airegime explain FILE --all-rules --max-changes=2\n"
        "airegime output, not a command --nope\n"
        "```\n"
    )
    assert [(line, problems(words)) for line, words in invocations(text)] == [
        (4, []),
        (5, []),
        (6, ["no command 'airegime users frobnicate'"]),
        (7, ["'airegime verify' has no option --quiet"]),
        (13, []),
        (1, ["'airegime assess' has no option --colour"]),
        (1, ["no command 'airegime asses'"]),
        (1, []),
        (2, ["'airegime serve' has no option --wrokers"]),
    ]


def test_the_readme_tour_shows_what_the_command_prints() -> None:
    """The README's console example is the command's output in a 100-column terminal (rule-set version aside)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ airegime ([^\n]+)\n(.*?)```", readme, re.DOTALL)
    assert block, "the README's tour has no ```console block starting with `$ airegime`"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AIREGIME_")}
    result = subprocess.run(
        [sys.executable, "-m", "airegime", *shlex.split(block.group(1))],
        cwd=ROOT,
        env={**environment, "COLUMNS": "100", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    def shown(text: str) -> list[str]:
        return [
            re.sub(r"Rule set \S+ \([0-9a-f]+\)", "Rule set …", line.rstrip()) for line in text.strip().splitlines()
        ]

    assert result.returncode == 0, result.stderr
    assert shown(block.group(2)) == shown(result.stdout), "update the README's tour with the command's output"


def test_no_development_diary_in_the_docs() -> None:
    diary = re.compile(r"\bsession \d+\b|\bissue \d+\b|\(#\d+|\blast time\b", re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in DOCS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if diary.search(line)
    ]
    assert found == []


def test_the_package_docstring_example_runs() -> None:
    result = doctest.testmod(airegime, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3 and result.failed == 0
