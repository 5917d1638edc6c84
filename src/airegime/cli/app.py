"""Commands. Each parses its input, calls one library function and prints its result."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from airegime._version import __version__
from airegime.cli import views
from airegime.errors import AiregimeError, DescriptorError
from airegime.i18n import t
from airegime.kb import KnowledgeBase, Lang, load_knowledge_base
from airegime.settings import get_settings
from airegime.text import escaped

if TYPE_CHECKING:
    from airegime.system import System

app = typer.Typer(
    help="Which data-protection regime governs each phase of an AI system, and why. "
    "Decision support, not legal advice.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class LangOption(StrEnum):
    fr = "fr"
    en = "en"


LangArg = Annotated[LangOption | None, typer.Option("--lang", "-l", help="fr or en (default: AIREGIME_LANG, else fr)")]
FileArg = Annotated[Path, typer.Argument(help="system descriptor, YAML or JSON (see `airegime schema`)")]


def to_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _lang(option: LangOption | None) -> Lang:
    return option.value if option else get_settings().lang


def _fail(error: AiregimeError) -> NoReturn:
    # A message may quote a name or a file's content: control characters escaped, markup inert.
    if isinstance(error, DescriptorError) and error.count > 1:
        _fail_listing(error)
    err.print(f"[bold red]Error:[/] {escape(escaped(error.message))}", markup=True)
    if error.hint:
        err.print(f"  → {escaped(error.hint)}", markup=False)
    raise typer.Exit(2)


def _fail_listing(error: DescriptorError) -> NoReturn:
    """Every problem of a descriptor, one a line, each with the file's name (as compilers do)."""
    file = f"{error.source}: " if error.source else ""
    heading = f"{file}{error.count:,} problems in the descriptor"
    err.print(f"[bold red]Error:[/] {escape(escaped(heading))}", markup=True, soft_wrap=True)
    for problem in error.problems:
        err.print(escaped(file + problem.line()), markup=False, soft_wrap=True)
    if error.count > len(error.problems):
        err.print(f"{file}… and {error.count - len(error.problems):,} more", markup=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def _input_errors() -> Iterator[None]:
    """Library errors become a message and exit code 2, at the edge only."""
    try:
        yield
    except AiregimeError as error:
        _fail(error)


def print_upgrade_notes(system: System, lang: Lang) -> None:
    """What reading a format-1 descriptor had to guess, on standard error (standard output stays the result)."""
    for note in system.upgrade_notes:
        said = f"{t('upgrade.note', lang)}: {note.location}: {note.text.get(lang)}"
        err.print(escaped(said), markup=False, soft_wrap=True)


def _kb() -> KnowledgeBase:
    with _input_errors():
        return load_knowledge_base(get_settings().knowledge_dir)


def _version(value: bool) -> None:
    if value:
        out.print(f"airegime {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version")
    ] = False,
) -> None:
    """airegime"""


@app.command()
def assess(
    file: FileArg,
    lang: LangArg = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="text, json or markdown")] = Format.text,
    fail_on_open: Annotated[
        bool,
        typer.Option("--fail-on-open", help="exit 1 if any phase is undetermined or case by case (for CI pipelines)"),
    ] = False,
) -> None:
    """The regime of each phase of a system, with its status and a short reason."""
    from airegime.engine.evaluate import evaluate
    from airegime.system import load_system

    kb = _kb()
    language = _lang(lang)
    with _input_errors():
        system = load_system(file, kb=kb)
        print_upgrade_notes(system, language)
        assessment = evaluate(kb=kb, system=system)
    if format is Format.json:
        typer.echo(to_json(assessment.to_dict()))
    elif format is Format.markdown:
        from airegime.render.markdown import assessment_summary_markdown

        typer.echo(assessment_summary_markdown(kb, assessment, language))
    else:
        views.print_assessment(out, kb, assessment, language)
    if fail_on_open and not assessment.complete:
        raise typer.Exit(1)


@app.command()
def explain(
    file: FileArg,
    lang: LangArg = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="text or json")] = Format.text,
    max_changes: Annotated[int, typer.Option(min=1, max=5, help="largest set of changed answers to look for")] = 4,
    all_rules: Annotated[
        bool, typer.Option("--all-rules", help="also every other rule considered, each condition with its answer")
    ] = False,
) -> None:
    """The reason that decided each phase, with citations and what would change the outcome."""
    from airegime.engine.explain import explain as explain_system
    from airegime.system import load_system

    kb = _kb()
    with _input_errors():
        system = load_system(file, kb=kb)
        print_upgrade_notes(system, _lang(lang))
        explanation = explain_system(kb=kb, system=system, max_changes=max_changes)
    if format is Format.json:
        typer.echo(to_json(views.explanation_dict(explanation)))
    else:
        views.print_explanation(out, kb, explanation, _lang(lang), all_rules=all_rules, source=str(file))


@app.command()
def verify(
    format: Annotated[Format, typer.Option("--format", "-f", help="text or json")] = Format.text,
    lang: LangArg = None,
) -> None:
    """Prove the rule set complete: every answer combination gets exactly one rule, and more."""
    from airegime.engine.verify import verify as verify_rules

    report = verify_rules(kb=_kb())
    if format is Format.json:
        typer.echo(to_json(views.verification_dict(report)))
    else:
        views.print_verification(out, report, _lang(lang))
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def questions(
    lang: LangArg = None,
    phase: Annotated[str | None, typer.Option(help="system, development or deployment")] = None,
) -> None:
    """Browse the questions, with their help, allowed answers and sources."""
    if phase not in (None, "system", "development", "deployment"):
        _fail(AiregimeError(f"unknown phase '{phase}'", hint="use system, development or deployment"))
    views.print_questions(out, _kb(), _lang(lang), phase)


@app.command()
def sources(lang: LangArg = None) -> None:
    """The legal sources the rules rest on, with their addresses."""
    views.print_sources(out, _kb(), _lang(lang))


@app.command()
def schema() -> None:
    """Print the JSON Schema of system descriptors (for editors and validators)."""
    from airegime.system import descriptor_schema

    typer.echo(to_json(descriptor_schema(_kb())))


# Commands defined in their own modules register themselves on `app` when imported:
# batch; db; interview; report, import-report, methodology, diagram; serve; users, orgs, audit.
for _module in ("batch", "db", "interview", "report", "serve", "users"):
    import_module(f"airegime.cli.{_module}")
