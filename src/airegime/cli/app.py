"""Commands. Each parses its input, calls one library function and prints its result."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn

import typer
from rich import _wrap as rich_wrap
from rich.console import Console
from rich.markup import escape

from airegime._version import __version__
from airegime.cli import views
from airegime.errors import AiregimeError, DescriptorError, at, msg
from airegime.i18n import plural, translate
from airegime.kb import KnowledgeBase, Lang, load_knowledge_base
from airegime.kb.loader import default_knowledge_dir
from airegime.kb.models import Scope
from airegime.render.summary import colon
from airegime.settings import get_settings
from airegime.text import escaped

if TYPE_CHECKING:
    from airegime.errors import ScenarioError
    from airegime.scenarios import Scenario, ScenarioResult
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
# Rich wraps lines at every Unicode space, no-break ones too (Textualize/rich#3545, open), so a
# French line could begin with the colon its no-break space holds to the word before. Its word
# pattern (a word, then the spaces after it) takes the terminal's word, ``views.WORD``, instead.
rich_wrap.re_word = re.compile(rf"[^{views.IN_WORD}]*{views.WORD.pattern}[^{views.IN_WORD}]*")


def command_group(name: str, help: str) -> typer.Typer:
    """A group of commands (`airegime NAME COMMAND`), added to the app: called bare, it prints its help."""
    group = typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group


LangArg = Annotated[Lang | None, typer.Option("--lang", "-l", help="fr or en (default: AIREGIME_LANG, else fr)")]
TextOrJson = Annotated[Literal["text", "json"], typer.Option("--format", "-f", help="text or json")]
FileArg = Annotated[Path, typer.Argument(help="system descriptor, YAML or JSON (see `airegime schema`)")]
KnowledgeDirArg = Annotated[
    Path | None,
    typer.Option(
        "--knowledge-dir",
        help="another knowledge base: a folder with meta.yaml, sources.yaml, outcomes.yaml, questions.yaml and "
        "rules.yaml (default: AIREGIME_KNOWLEDGE_DIR, else the packaged one)",
    ),
]


def to_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _lang(option: Lang | None) -> Lang:
    return option or get_settings().lang


def _language_and_rules(lang: Lang | None, knowledge_dir: Path | None) -> tuple[Lang, KnowledgeBase]:
    """The reader's language and the rules to apply, from a command's --lang and --knowledge-dir
    (else the settings); a wrong folder is said in that language (exit 2)."""
    language = _lang(lang)
    return language, _kb(knowledge_dir, language)


# The commands without --lang (db, users, orgs, audit, serve) speak English, their errors too.
ADMIN_LANG: Lang = "en"


def _fail(error: AiregimeError, lang: Lang) -> NoReturn:
    """The error on standard error in ``lang``, exit 2. A message may quote a name or a file's
    content: control characters escaped, markup inert."""
    if isinstance(error, DescriptorError) and error.count > 1:
        _fail_listing(error, lang)
    label = escape(translate("cli.error", lang))
    err.print(f"[bold red]{label}[/] {escape(escaped(error.message_in(lang)))}", markup=True)
    hint = error.hint_in(lang)
    if hint:
        err.print(f"  → {escaped(hint)}", markup=False)
    raise typer.Exit(2)


def _fail_listing(error: DescriptorError, lang: Lang) -> NoReturn:
    """Every problem of a descriptor, one a line, each with the file's name (as compilers do)."""

    def in_file(line: str) -> str:
        return escaped(at(error.source, line).text(lang) if error.source else line)

    label = escape(translate("cli.error", lang))
    err.print(f"[bold red]{label}[/] {escape(in_file(error.heading_in(lang)))}", markup=True, soft_wrap=True)
    for problem in error.problems:
        err.print(in_file(problem.line(lang)), markup=False, soft_wrap=True)
    if error.count > len(error.problems):
        err.print(in_file(error.more_in(lang)), markup=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def _input_errors(lang: Lang) -> Iterator[None]:
    """Library errors become a message in ``lang`` and exit code 2, at the edge only."""
    try:
        yield
    except AiregimeError as error:
        _fail(error, lang)


@contextmanager
def written(path: Path, lang: Lang) -> Iterator[Path]:
    """A temporary file that becomes ``path`` when the block ends (never half a file under the
    real name); a failure to write becomes a message in ``lang`` and exit code 2."""
    from airegime.files import replaced_when_done

    try:
        with replaced_when_done(path) as temporary:
            yield temporary
    except OSError as error:
        _fail(unwritable(path, error), lang)


def unwritable(path: Path | None, error: OSError) -> AiregimeError:
    reason = error.strerror or str(error)
    return AiregimeError(
        msg("error.cli.unwritable", path=str(path), reason=reason), hint=msg("error.cli.unwritable.hint")
    )


@contextmanager
def _descriptor(
    file: Path, lang: Lang | None, knowledge_dir: Path | None
) -> Iterator[tuple[Lang, KnowledgeBase, System]]:
    """The reader's language, the knowledge base and the descriptor ``file``; library errors inside
    the block (reading it, then what the command does with it) become a message and exit code 2."""
    from airegime.system import load_system

    language, kb = _language_and_rules(lang, knowledge_dir)
    with _input_errors(language):
        yield language, kb, read_system(load_system, file, kb=kb, lang=language)


def read_system(read: Callable[..., System], file: Path, *, kb: KnowledgeBase, lang: Lang) -> System:
    """``read(file, kb=kb)`` (a descriptor, or a report too), then what reading a format-1 descriptor had
    to guess, on standard error (standard output stays the result)."""
    system = read(file, kb=kb)
    for note in system.upgrade_notes:
        said = f"{translate('upgrade.note', lang)}: {note.location}: {note.text(lang)}"
        err.print(escaped(said), markup=False, soft_wrap=True)
    return system


def _kb(knowledge_dir: Path | None, lang: Lang) -> KnowledgeBase:
    """The knowledge base of --knowledge-dir, else of AIREGIME_KNOWLEDGE_DIR, else the packaged one;
    its errors said in ``lang``."""
    from airegime.errors import KnowledgeBaseError

    directory = knowledge_dir or get_settings().knowledge_dir
    with _input_errors(lang):
        if directory is not None and not directory.is_dir():
            raise AiregimeError(
                msg("error.cli.kb_not_folder" if directory.exists() else "error.cli.kb_missing", folder=str(directory)),
                hint=msg("error.cli.kb_folder.hint", example=str(default_knowledge_dir())),
            )
        try:
            return load_knowledge_base(directory)
        except KnowledgeBaseError as error:
            if directory is None:
                raise
            raise error.at_path(str(directory / error.file)) from None


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
    format: Annotated[
        Literal["text", "json", "markdown"], typer.Option("--format", "-f", help="text, json or markdown")
    ] = "text",
    fail_on_open: Annotated[
        bool,
        typer.Option("--fail-on-open", help="exit 1 if any phase is undetermined or case by case (for CI pipelines)"),
    ] = False,
    knowledge_dir: KnowledgeDirArg = None,
) -> None:
    """The regime of each phase of a system, with its status and a short reason."""
    from airegime.engine.evaluate import evaluate

    with _descriptor(file, lang, knowledge_dir) as (language, kb, system):
        assessment = evaluate(kb=kb, system=system)
    if format == "json":
        typer.echo(to_json(assessment.to_dict()))
    elif format == "markdown":
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
    format: TextOrJson = "text",
    max_changes: Annotated[int, typer.Option(min=1, max=5, help="largest set of changed answers to look for")] = 4,
    all_rules: Annotated[
        bool, typer.Option("--all-rules", help="also every other rule considered, each condition with its answer")
    ] = False,
    knowledge_dir: KnowledgeDirArg = None,
) -> None:
    """The reason that decided each phase, with citations and what would change the outcome."""
    from airegime.engine.explain import explain as explain_system

    with _descriptor(file, lang, knowledge_dir) as (language, kb, system):
        explanation = explain_system(kb=kb, system=system, max_changes=max_changes)
    if format == "json":
        typer.echo(to_json(views.explanation_dict(explanation)))
    else:
        views.print_explanation(out, kb, explanation, language, all_rules=all_rules, source=str(file))


@app.command()
def verify(
    format: TextOrJson = "text",
    lang: LangArg = None,
    knowledge_dir: KnowledgeDirArg = None,
) -> None:
    """Prove the rule set complete: every answer combination gets exactly one rule, and more."""
    from airegime.engine.verify import verify as verify_rules

    language, kb = _language_and_rules(lang, knowledge_dir)
    report = verify_rules(kb=kb)
    if format == "json":
        typer.echo(to_json(views.verification_dict(report, language)))
    else:
        views.print_verification(out, report, language)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def questions(
    lang: LangArg = None,
    phase: Annotated[Scope | None, typer.Option(help="only the questions asked there")] = None,
    knowledge_dir: KnowledgeDirArg = None,
) -> None:
    """Browse the questions, with their help, allowed answers and sources."""
    language, kb = _language_and_rules(lang, knowledge_dir)
    views.print_questions(out, kb, language, phase)


@app.command()
def sources(lang: LangArg = None, knowledge_dir: KnowledgeDirArg = None) -> None:
    """The legal sources the rules rest on, with their addresses."""
    language, kb = _language_and_rules(lang, knowledge_dir)
    views.print_sources(out, kb, language)


@app.command()
def schema(knowledge_dir: KnowledgeDirArg = None) -> None:
    """Print the JSON Schema of system descriptors (for editors and validators)."""
    from airegime.system import descriptor_schema

    typer.echo(to_json(descriptor_schema(_kb(knowledge_dir, _lang(None)))))


@app.command("test")
def test_scenarios(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="SCENARIOS", help="scenario files (YAML), or folders of them (*.yaml inside)"),
    ],
    knowledge_dir: KnowledgeDirArg = None,
    lang: LangArg = None,
    format: TextOrJson = "text",
) -> None:
    """Test the rules: run scenarios (answers, and what each phase must give), failing in legal words.

    Exit 0 when every scenario passes, 1 when one fails, 2 when a file, a scenario or the knowledge base is invalid.
    See docs/knowledge-base.md, "Testing your rules".
    """
    from airegime.errors import ScenarioError
    from airegime.scenarios import ScenarioResult, load_scenarios, run_scenario, scenario_files

    language, kb = _language_and_rules(lang, knowledge_dir)
    with _input_errors(language):
        files = [(path, load_scenarios(path)) for path in scenario_files(paths)]
    runs: list[tuple[Path, Scenario, ScenarioResult | ScenarioError]] = []
    for path, scenarios in files:
        for scenario in scenarios:
            try:
                runs.append((path, scenario, run_scenario(kb=kb, scenario=scenario)))
            except ScenarioError as error:  # its example or answers are refused: the others still run
                runs.append((path, scenario, error))
    passed = sum(isinstance(run, ScenarioResult) and run.passed for _, _, run in runs)
    errors = sum(isinstance(run, ScenarioError) for _, _, run in runs)
    counts = {"passed": passed, "failed": len(runs) - passed - errors, "errors": errors}
    if format == "json":
        typer.echo(to_json(_test_dict(kb, runs, language, counts)))
    else:
        _print_test_runs(runs, language, counts)
    if errors:
        raise typer.Exit(2)
    if counts["failed"]:
        raise typer.Exit(1)


def _print_test_runs(
    runs: list[tuple[Path, Scenario, ScenarioResult | ScenarioError]], lang: Lang, counts: dict[str, int]
) -> None:
    """One line per scenario under its file's name, each failure in words beneath, then the count."""
    from airegime.scenarios import ScenarioResult

    heading = None
    for path, scenario, run in runs:
        if path != heading:
            out.print(escaped(str(path)), markup=False, soft_wrap=True)
            heading = path
        ok = isinstance(run, ScenarioResult) and run.passed
        out.print(f"  {'[green]✓[/]' if ok else '[red]✗[/]'} {escape(escaped(scenario.name))}", soft_wrap=True)
        if isinstance(run, ScenarioResult):
            lines = [failure.message(lang) for failure in run.failures]
        else:  # the file and the scenario are named just above
            hint = run.hint_in(lang)
            lines = at(run.location, run.reason_in(lang)).text(lang).splitlines() + ([f"→ {hint}"] if hint else [])
        for line in lines:
            out.print(f"      {escaped(line)}", markup=False, soft_wrap=True)
    said = [plural("test.passed", counts["passed"], lang), plural("test.failed", counts["failed"], lang)]
    if counts["errors"]:
        said.append(plural("test.errors", counts["errors"], lang))
    separator = colon(lang)
    out.print(f"{plural('test.scenarios', len(runs), lang)}{separator}{', '.join(said)}", markup=False, soft_wrap=True)


def _test_dict(
    kb: KnowledgeBase,
    runs: list[tuple[Path, Scenario, ScenarioResult | ScenarioError]],
    lang: Lang,
    counts: dict[str, int],
) -> dict[str, object]:
    from airegime.scenarios import ScenarioResult

    scenarios: list[dict[str, object]] = []
    for path, scenario, run in runs:
        item: dict[str, object] = {"file": str(path), "name": scenario.name, "location": scenario.location}
        item["line"] = scenario.line
        if isinstance(run, ScenarioResult):
            item["status"] = "passed" if run.passed else "failed"
            item["failures"] = [failure.to_dict(lang) for failure in run.failures]
        else:
            item.update(status="error", failures=[], error=run.message_in(lang), hint=run.hint_in(lang))
        scenarios.append(item)
    knowledge_base = {"version": kb.version, "hash": kb.hash}
    return {"format": "airegime.test/1", "knowledge_base": knowledge_base, **counts, "scenarios": scenarios}


# Commands defined in their own modules register themselves on `app` when imported:
# actions; batch; compare; db; interview; report, import-report, methodology, diagram; review; serve;
# users, orgs, audit.
for _module in ("actions", "batch", "compare", "db", "interview", "report", "review", "serve", "users"):
    import_module(f"airegime.cli.{_module}")
