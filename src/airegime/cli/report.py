"""Commands for documents: `report`, `import-report`, `methodology` and `diagram`.

Each loads its input, calls one function of :mod:`airegime.render` and writes the bytes it returns.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, cast, get_args

import typer

from airegime.cli.app import (
    KnowledgeDirArg,
    LangArg,
    _fail,
    _input_errors,
    _language_and_rules,
    app,
    read_system,
    written,
)
from airegime.errors import AiregimeError, msg
from airegime.kb import Lang
from airegime.render.diagram import DiagramFormat
from airegime.render.methodology import MethodologyFormat
from airegime.render.reports import ReportFormat

InputArg = Annotated[Path, typer.Argument(help="system descriptor (YAML or JSON), or a JSON report")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="file to write (default: standard output)")]


BINARY = {"pdf", "docx", "png"}
SAME_FORMAT = {"htm": "html", "markdown": "md"}  # other extensions of a format


def _format(given: str | None, output: Path | None, choices: tuple[str, ...], default: str, lang: Lang) -> str:
    """The format asked for, else the one the output file's extension names, else ``default``. A
    format that contradicts the extension is refused: a file named .pdf holding Markdown helps nobody."""
    named = output.suffix.lower().removeprefix(".") if output is not None else ""
    named = SAME_FORMAT.get(named, named)
    if given is None:
        return named if named in choices else default
    if named in choices and named != given:
        _fail(
            AiregimeError(
                msg("error.cli.format_mismatch", format=given, file=str(output), named=named),
                hint=msg("error.cli.format_mismatch.hint", format=given, named=named),
            ),
            lang,
        )
    return given


def _write(data: bytes, output: Path | None, fmt: str, lang: Lang) -> None:
    """Write to the file, or to standard output unless that is a terminal and the format binary."""
    if output is None:
        if fmt in BINARY and sys.stdout.isatty():
            _fail(AiregimeError(msg("error.cli.binary", format=fmt.upper()), hint=msg("error.cli.binary.hint")), lang)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with written(output, lang) as temporary:
        temporary.write_bytes(data)
    typer.echo(f"{output} ({len(data):,} bytes)", err=True)


def _parse_date(value: str | None, lang: Lang) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(AiregimeError(msg("error.cli.date", value=value), hint=msg("error.cli.date.hint")), lang)


@app.command()
def report(
    file: InputArg,
    format: Annotated[
        ReportFormat | None,
        typer.Option("--format", "-f", help="md, html, pdf, docx or json (default: the output's extension, else md)"),
    ] = None,
    output: OutputOpt = None,
    lang: LangArg = None,
    knowledge_dir: KnowledgeDirArg = None,
    on: Annotated[
        str | None, typer.Option("--date", help="the report's date, YYYY-MM-DD (default: today or SOURCE_DATE_EPOCH)")
    ] = None,
    diagram: Annotated[bool, typer.Option(help="include the decision diagram (HTML and PDF)")] = True,
) -> None:
    """A full report of an assessment, to file and share: answers, regimes, reasons, sources, next steps."""
    from airegime.engine.evaluate import evaluate
    from airegime.render.report_data import load_descriptor_or_report
    from airegime.render.reports import render_report

    language, kb = _language_and_rules(lang, knowledge_dir)
    fmt = cast(ReportFormat, _format(format, output, get_args(ReportFormat), "md", language))
    generated = _parse_date(on, language)
    with _input_errors(language):
        system = read_system(load_descriptor_or_report, file, kb=kb, lang=language)
        assessment = evaluate(kb=kb, system=system)
        data = render_report(kb=kb, assessment=assessment, fmt=fmt, lang=language, generated=generated, diagram=diagram)
    _write(data, output, fmt, language)


@app.command("import-report")
def import_report(
    file: Annotated[Path, typer.Argument(help="a JSON report written by `airegime report --format json`")],
    output: OutputOpt = None,
    lang: LangArg = None,
    knowledge_dir: KnowledgeDirArg = None,
) -> None:
    """Turn a JSON report back into a system descriptor (YAML), to assess or edit it again."""
    import yaml

    from airegime.render.report_data import load_report_json

    language, kb = _language_and_rules(lang, knowledge_dir)
    with _input_errors(language):
        system = read_system(load_report_json, file, kb=kb, lang=language)
    text = yaml.safe_dump(system.to_dict(), allow_unicode=True, sort_keys=False, width=100)
    _write(text.encode("utf-8"), output, "yaml", language)


@app.command()
def methodology(
    format: Annotated[
        MethodologyFormat | None,
        typer.Option("--format", "-f", help="md, html or pdf (default: the output's extension, else md)"),
    ] = None,
    output: OutputOpt = None,
    lang: LangArg = None,
    knowledge_dir: KnowledgeDirArg = None,
) -> None:
    """The whole method, from the knowledge base alone: questions, rules in plain words, sources, outcomes."""
    from airegime.render.methodology import render_methodology

    language, kb = _language_and_rules(lang, knowledge_dir)
    fmt = cast(MethodologyFormat, _format(format, output, get_args(MethodologyFormat), "md", language))
    _write(render_methodology(kb=kb, fmt=fmt, lang=language), output, fmt, language)


@app.command()
def diagram(
    file: Annotated[
        Path | None, typer.Argument(help="descriptor or JSON report whose paths to highlight (optional)")
    ] = None,
    format: Annotated[
        DiagramFormat | None,
        typer.Option("--format", "-f", help="svg, png or dot (default: the output's extension, else svg)"),
    ] = None,
    output: OutputOpt = None,
    lang: LangArg = None,
    knowledge_dir: KnowledgeDirArg = None,
    focus: Annotated[bool, typer.Option(help="with FILE: draw only the questions on the paths taken")] = False,
    ppi: Annotated[
        float, typer.Option(min=18, max=600, help="PNG only: pixels per inch (72: one pixel per point; 96: dot's size)")
    ] = 72,
) -> None:
    """The decision diagram of the rule set (Graphviz), with an assessment's paths highlighted if given."""
    from airegime.render.diagram import decision_diagram

    language, kb = _language_and_rules(lang, knowledge_dir)
    fmt = cast(DiagramFormat, _format(format, output, get_args(DiagramFormat), "svg", language))
    with _input_errors(language):
        assessment = None
        if file is not None:
            from airegime.engine.evaluate import evaluate
            from airegime.render.report_data import load_descriptor_or_report

            system = read_system(load_descriptor_or_report, file, kb=kb, lang=language)
            assessment = evaluate(kb=kb, system=system)
        data = decision_diagram(kb=kb, assessment=assessment, fmt=fmt, lang=language, focus=focus, ppi=ppi)
    _write(data, output, fmt, language)
