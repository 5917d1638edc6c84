"""`airegime batch`: assess a whole inventory file, or write a ready-to-fill template."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from airegime.cli.app import KnowledgeDirArg, LangArg, _fail, _language_and_rules, app, err, out, unwritable
from airegime.cli.views import marked
from airegime.errors import AiregimeError, msg
from airegime.i18n import number, plural
from airegime.text import escaped

if TYPE_CHECKING:
    from airegime.batch.inventory import BatchResult
    from airegime.kb.models import KnowledgeBase, Lang

SHOWN_ERRORS = 20


@app.command()
def batch(
    inventory: Annotated[
        Path | None, typer.Argument(help="inventory: .csv, .xlsx, .ods, .jsonl or .parquet, one row per deployment")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="results file: .csv, .xlsx, .jsonl or .parquet")
    ] = None,
    template: Annotated[
        Path | None, typer.Option("--template", help="write a ready-to-fill .xlsx inventory here instead")
    ] = None,
    lang: LangArg = None,
    knowledge_dir: KnowledgeDirArg = None,
) -> None:
    """Assess every system of an inventory at once (exit 1 if a row is invalid, 2 if the file is unreadable)."""
    language, kb = _language_and_rules(lang, knowledge_dir)
    if template is not None:
        _write_template(kb, template, language)
        return
    if inventory is None:
        _fail(
            AiregimeError(msg("error.cli.no_inventory"), hint=msg("error.cli.see", command="airegime batch --help")),
            language,
        )
    result = _assess(kb, inventory, output, language)
    _print_report(kb, result, language)
    if not result.valid:
        raise typer.Exit(1)


def _write_template(kb: KnowledgeBase, path: Path, lang: Lang) -> None:
    from airegime.batch.template import write_template
    from airegime.i18n import translate

    if path.suffix.lower() != ".xlsx":
        _fail(AiregimeError(msg("error.cli.not_xlsx", name=path.name), hint=msg("error.cli.not_xlsx.hint")), lang)
    try:
        write_template(path, kb=kb, lang=lang)
    except OSError as error:
        _fail(unwritable(path, error), lang)
    out.print(translate("template.written", lang, path=escape(str(path))))


def _assess(kb: KnowledgeBase, inventory: Path, output: Path | None, lang: Lang) -> BatchResult:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from airegime.batch.inventory import assess_inventory
    from airegime.errors import InventoryReadError, LayoutError
    from airegime.i18n import translate

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(translate("batch.progress", lang), total=None)

        def advance(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        try:
            return assess_inventory(kb=kb, source=inventory, output=output, lang=lang, progress=advance)
        except (InventoryReadError, LayoutError) as error:
            _fail(error, lang)
        except OSError as error:
            _fail(unwritable(output, error), lang)


def _print_report(kb: KnowledgeBase, result: BatchResult, lang: Lang) -> None:
    from airegime.i18n import translate

    if result.errors:
        _print_errors(result, lang)
    if result.format == 1:
        _print_format1(result, lang)
    for column in result.unread_columns:  # its name comes from the file: control characters escaped
        err.print(f"[yellow]{escape(escaped(column.message().text(lang)))}[/]")
    if not result.summary.rows:
        err.print(f"[yellow]{escape(translate('batch.no_rows', lang))}[/]")
    if result.split_system_count:
        examples = ", ".join(
            f"{escaped(system)} ({translate('row', lang)} {row})" for system, row in result.split_systems[:3]
        )
        err.print(f"[yellow]{escape(plural('split', result.split_system_count, lang, examples=examples))}[/]")
    out.print(_summary_table(kb, result, lang))
    summary = result.summary
    out.print(f"{plural('batch.rows', summary.rows, lang)}, {plural('batch.systems', summary.systems, lang)}")
    if result.output is not None:
        out.print(translate("written", lang, path=escape(str(result.output))))
    out.print(f"[dim]{escape(kb.disclaimer.get(lang))}[/]")


def _print_errors(result: BatchResult, lang: Lang) -> None:
    from airegime.i18n import translate

    table = Table(title=translate("invalid.title", lang), title_justify="left", show_lines=False)
    for heading in (translate("row", lang), translate("column", lang), translate("value", lang), ""):
        table.add_column(heading, overflow="fold")
    for error in result.errors[:SHOWN_ERRORS]:
        # The column's heading and the value come from the file: control characters escaped.
        table.add_row(str(error.row), escape(escaped(error.column)), escape(repr(error.value)), escape(error.expected))
    err.print(table)
    if result.error_count > SHOWN_ERRORS:
        err.print(translate("invalid.more", lang, count=result.error_count - SHOWN_ERRORS))


def _print_format1(result: BatchResult, lang: Lang) -> None:
    """Old columns: say so, and list each guess the reading made, with the rows it concerns."""
    from airegime.i18n import translate

    lead, notes = result.format1_said(lang)
    err.print(f"[yellow]{escape(lead)}[/]")
    if notes:
        err.print(marked([escape(note) for note in notes]))
    err.print(escape(translate("format1.template", lang)))


def _summary_table(kb: KnowledgeBase, result: BatchResult, lang: Lang) -> Table:
    from airegime.batch.assess import UNDETERMINED_KEY
    from airegime.i18n import translate

    summary = result.summary
    table = Table(title=translate("summary.title", lang), title_justify="left")
    table.add_column(translate("summary.regime", lang))
    table.add_column(translate("summary.development", lang), justify="right")
    table.add_column(translate("summary.deployment", lang), justify="right")
    development, deployment = summary.outcomes["development"], summary.outcomes["deployment"]
    styles = {"case_by_case": "magenta", "split": "cyan"}
    for outcome in kb.outcomes:
        if development[outcome.id] or deployment[outcome.id]:
            style = styles.get(outcome.kind, "")
            table.add_row(
                f"[{style}]{escape(outcome.label.get(lang))}[/]" if style else escape(outcome.label.get(lang)),
                number(development[outcome.id], lang),
                number(deployment[outcome.id], lang),
            )
    table.add_section()
    table.add_row(
        f"[yellow]{translate('summary.undetermined', lang)}[/]",
        number(development[UNDETERMINED_KEY], lang),
        number(deployment[UNDETERMINED_KEY], lang),
    )
    statuses = summary.statuses
    table.add_row(
        f"[magenta]{translate('summary.case_by_case', lang)}[/]",
        number(statuses["development"]["case_by_case"], lang),
        number(statuses["deployment"]["case_by_case"], lang),
    )
    table.add_row(f"[red]{translate('summary.invalid', lang)}[/]", "", number(summary.invalid_rows, lang))
    if any(summary.outcomes[phase][o.id] for phase in ("development", "deployment") for o in kb.outcomes if o.parts):
        # A split outcome names several regimes: how many phases each regime governs, at least in part.
        regimes = summary.regimes
        table.add_section()
        table.add_row(f"[cyan]{translate('summary.regimes', lang)}[/]", "", "")
        for outcome in kb.outcomes:
            if regimes["development"][outcome.id] or regimes["deployment"][outcome.id]:
                table.add_row(
                    f"  {escape(outcome.label.get(lang))}",
                    number(regimes["development"][outcome.id], lang),
                    number(regimes["deployment"][outcome.id], lang),
                )
    return table
