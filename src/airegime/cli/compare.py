"""`compare`: two descriptors side by side, the regimes that differ first, then the answers that do."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from airegime.cli.app import (
    KnowledgeDirArg,
    LangArg,
    TextOrJson,
    _input_errors,
    _language_and_rules,
    app,
    out,
    read_system,
    to_json,
)
from airegime.cli.views import heading, marked
from airegime.i18n import translate
from airegime.kb import KnowledgeBase, Lang
from airegime.render.summary import colon

if TYPE_CHECKING:
    from airegime.compare import AnswerDifference, Comparison, Side

CompareFileArg = Annotated[Path, typer.Argument(help="system descriptor (YAML or JSON), or a JSON report")]


@app.command()
def compare(
    first: CompareFileArg,
    second: CompareFileArg,
    lang: LangArg = None,
    format: TextOrJson = "text",
    fail_on_change: Annotated[
        bool, typer.Option("--fail-on-change", help="exit 1 if a phase's regime differs (for CI pipelines)")
    ] = False,
    knowledge_dir: KnowledgeDirArg = None,
) -> None:
    """Two systems side by side: the regimes that differ and why, then the answers that differ.

    Phases are matched by name, then by position; both are evaluated with the same rule set.
    """
    from airegime.compare import compare as compare_systems
    from airegime.render.report_data import load_descriptor_or_report

    language, kb = _language_and_rules(lang, knowledge_dir)
    with _input_errors(language):
        before = read_system(load_descriptor_or_report, first, kb=kb, lang=language)
        after = read_system(load_descriptor_or_report, second, kb=kb, lang=language)
        comparison = compare_systems(kb=kb, before=before, after=after, lang=language)
    if format == "json":
        typer.echo(to_json(comparison.to_dict()))
    else:
        print_comparison(out, kb, comparison, language, names=_names(first, second))
    if fail_on_change and comparison.regimes_differ:
        raise typer.Exit(1)


def _names(first: Path, second: Path) -> tuple[str, str]:
    """The columns' headings: the files' names, or their paths when the names are the same."""
    return (first.name, second.name) if first.name != second.name else (str(first), str(second))


def print_comparison(
    out: Console, kb: KnowledgeBase, comparison: Comparison, lang: Lang, *, names: tuple[str, str]
) -> None:
    before, after = comparison.before.system, comparison.after.system
    out.print(
        f"[bold]{escape(before.name)}[/] ({escape(names[0])}) ↔ [bold]{escape(after.name)}[/] ({escape(names[1])})"
    )
    if not comparison.differs:
        out.print(f"[green]{translate('compare.same', lang)}[/]")
    ranked = comparison.ranked()
    regimes = [p for p in ranked if p.regime_differs or p.change == "reason"]
    if regimes:
        table = Table(title=translate("compare.regimes", lang), title_justify="left", show_lines=True)
        for column in (translate("col.phase", lang), *names):
            table.add_column(escape(column), overflow="fold")
        for phase in regimes:
            title = escape(phase.title)
            if phase.renamed_from:
                title += f"\n[dim]({escape(translate('compare.renamed_from', lang, name=phase.renamed_from))})[/]"
            title += f"\n[yellow]{escape(translate('compare.change.' + phase.change, lang))}[/]"
            table.add_row(title, _side(phase.before, lang), _side(phase.after, lang))
        out.print(table)
    groups = [(translate("phase.system", lang), comparison.system_answers)] + [(p.title, p.answers) for p in ranked]
    if any(answers for _, answers in groups):
        heading(out, translate("compare.answers", lang))
        for title, answers in groups:
            if answers:
                out.print(_answers_table(title, answers, names, lang))
    same = [p for p in ranked if not p.regime_differs and p.change != "reason" and p.after is not None]
    if same:
        heading(out, translate("compare.unchanged", lang))
        headlines = [(p.title, p.after.headline) for p in same if p.after is not None]
        out.print(
            marked([f"{escape(title)}{colon(lang)}[bold]{escape(line)}[/]" for title, line in headlines], indent=0)
        )
    version = comparison.after.rule_set_version
    out.print(f"[dim]{escape(translate('compare.rules', lang, version=version))} {escape(kb.disclaimer.get(lang))}[/]")


def _side(side: Side | None, lang: Lang) -> str:
    if side is None:
        return f"[dim]{escape(translate('compare.absent', lang))}[/]"
    return f"[bold]{escape(side.headline)}[/]\n{escape(side.reason)}"


def _answers_table(title: str, answers: tuple[AnswerDifference, ...], names: tuple[str, str], lang: Lang) -> Table:
    table = Table(title=escape(title), title_justify="left", show_lines=False)
    for column in (translate("compare.question", lang), *names):
        table.add_column(escape(column), overflow="fold")
    for answer in answers:
        table.add_row(escape(answer.short), escape(answer.before_label), f"[bold]{escape(answer.after_label)}[/]")
    return table
