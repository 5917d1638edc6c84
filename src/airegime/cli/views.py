"""Terminal views (rich) and JSON shapes of the command-line outputs."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from typing import Any

from rich.align import AlignMethod
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from airegime.engine.explain import ConditionTrace, Explanation, PhaseExplanation, RuleTrace
from airegime.engine.results import Assessment
from airegime.engine.verify import VerificationReport
from airegime.i18n import N_, number, plural, translate
from airegime.kb.models import UNKNOWN, Citation, KnowledgeBase, Lang
from airegime.render.report_data import Json, build_report
from airegime.render.summary import (
    answer_label,
    citation_with_summary,
    colon,
    expected_label,
    outcome_label,
    phase_table_headings,
    phase_title,
    short_reason,
    status_label,
)

STATUS_STYLE = {"determined": "green", "undetermined": "yellow", "case_by_case": "magenta"}
IN_WORD = r"\S\u00a0\u202f"  # what a word is made of on the terminal: no-break spaces hold its parts together
WORD = re.compile(rf"[{IN_WORD}]+")
WIDTH_SHARES = (3, 3, 2, 6)  # of the phase table's columns (render.summary.PHASE_TABLE_COLUMNS)
VERIFY_COLUMNS = (
    N_("verify.col.phase"),
    N_("verify.col.questions"),
    N_("verify.col.rules"),
    N_("verify.col.combinations"),
    N_("verify.col.partial"),
)
TRUTH_MARK = {"met": "[green]✓[/]", "not_met": "[red]✗[/]", "open": "[yellow]?[/]"}


def print_assessment(
    out: Console, kb: KnowledgeBase, assessment: Assessment, lang: Lang, *, disclaimer: bool = True
) -> None:
    system = assessment.system
    out.print(f"[bold]{escape(system.name)}[/]" + (f" — {escape(system.organisation)}" if system.organisation else ""))
    developments = len(assessment.developments)
    rows: list[PhaseRow] = [
        (
            phase_title(phase, lang, developments=developments),
            outcome_label(kb, phase, lang),
            status_label(phase, lang),
            short_reason(kb, phase, lang),
            STATUS_STYLE[phase.status],
        )
        for phase in assessment.phases
    ]
    headings = phase_table_headings(lang)
    widths = _word_widths(headings, rows)
    if _table_width(widths) <= out.width:
        out.print(_phase_table(headings, widths, rows))
    else:  # a table would cut words in two: each phase a block instead
        _print_phase_blocks(out, headings, rows, lang)
    said = f" {escape(kb.disclaimer.get(lang))}" if disclaimer else ""  # said once per session
    out.print(
        f"[dim]{translate('rule_set', lang)} {assessment.rule_set_version} ({assessment.rule_set_hash}).{said}[/]"
    )


PhaseRow = tuple[str, str, str, str, str]  # title, regime, status, reason, the status's style


def _phase_table(headings: list[str], widths: list[int], rows: list[PhaseRow]) -> Table:
    """The columns share the terminal's width by their shares (``WIDTH_SHARES``), so that the reason, the
    longest text, is not squeezed to the width of the others (as Rich's own shrinking does); none is
    narrower than its longest word."""
    table = Table(show_lines=True, expand=True)
    for name, share, width in zip(headings, WIDTH_SHARES, widths, strict=True):
        table.add_column(name, overflow="fold", ratio=share, width=width)
    for title, regime, status, reason, style in rows:
        table.add_row(escape(title), f"[bold]{escape(regime)}[/]", f"[{style}]{status}[/]", escape(reason))
    return table


def _print_phase_blocks(out: Console, headings: list[str], rows: list[PhaseRow], lang: Lang) -> None:
    for title, regime, status, reason, style in rows:
        out.print(f"\n[bold]{escape(title)}[/]")
        regime_line = f"{headings[1]}{colon(lang)}[bold]{escape(regime)}[/] · [{style}]{status}[/]"
        for line in (regime_line, f"{headings[3]}{colon(lang)}{escape(reason)}"):
            out.print(Padding(line, (0, 0, 0, 2), expand=False))  # wrapped lines keep the indent
    out.print()


def marked(
    items: Sequence[str], *, numbered: bool = False, indent: int = 2, style: str = "", mark_style: str = ""
) -> Padding:
    """``items`` (markup) as a list, each after a bullet (``numbered``: its number, from 1, aligned on
    the right), wrapped lines under their item's first word."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, justify="right", style=mark_style or style)
    grid.add_column(style=style, overflow="fold")  # a long address folds, never cut short
    for position, item in enumerate(items, start=1):
        grid.add_row(f"{position}." if numbered else "•", item)
    return Padding(grid, (0, 0, 0, indent), expand=False)


def heading(out: Console, title: str, *, align: AlignMethod = "center") -> None:
    """A rule across the terminal with ``title`` (markup) in it; a title too long for the line is
    printed whole over a plain rule, where Rich's rule would cut it short with "…"."""
    if cell_len(Text.from_markup(title).plain) <= out.width - 4:  # the room rich.rule.Rule keeps for it
        out.rule(title, align=align)
    else:
        out.print(title)
        out.rule()


def _word_widths(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's narrowest width that cuts no word in two: its longest word, heading included."""
    return [_longest_word(name, *(row[i] for row in rows)) for i, name in enumerate(headings)]


def _table_width(widths: Sequence[int]) -> int:
    """A table's width with columns this wide: each also takes a space either side and a rule."""
    return sum(widths) + 3 * len(widths) + 1


def _longest_word(*texts: str) -> int:
    """The width of the longest word of ``texts``, as the terminal keeps it whole (``WORD``)."""
    return max(cell_len(word) for text in texts for word in WORD.findall(text))


def print_explanation(
    out: Console,
    kb: KnowledgeBase,
    explanation: Explanation,
    lang: Lang,
    *,
    disclaimer: bool = True,
    all_rules: bool = False,
    source: str = "",
) -> None:
    """The summary table, then for each phase the reason that decided, what would change it and the
    next steps; the other rules considered (and every rule's conditions) with ``all_rules``.
    ``source``: the descriptor's path, for the command that answers an open question."""
    print_assessment(out, kb, explanation.assessment, lang, disclaimer=disclaimer)
    report = build_report(kb=kb, explanation=explanation, lang=lang)
    for phase, traced in zip(report["phases"], explanation.phases, strict=True):
        _print_phase(out, kb, phase, traced, lang, all_rules=all_rules, source=source)
    heading(out, translate("explain.caveats", lang))
    out.print(marked([escape(caveat) for caveat in report["caveats"]], indent=0))


def _print_phase(
    out: Console,
    kb: KnowledgeBase,
    phase: Json,
    traced: PhaseExplanation,
    lang: Lang,
    *,
    all_rules: bool,
    source: str = "",
) -> None:
    heading(out, f"[bold]{escape(phase['title'])}[/] → {escape(phase['headline'])}")
    if phase["outcome_summary"]:
        out.print(escape(phase["outcome_summary"]))
    for_ = translate("explain.for", lang)
    out.print(marked([f"{escape(p['label'])}{colon(lang)}{for_} {escape(p['purposes'])}" for p in phase["parts"]]))
    if phase["open_questions"]:
        first, *others = phase["open_questions"]
        out.print(f"\n[bold yellow]{translate('next.title', lang)}[/]{colon(lang)}{escape(first['text'])}")
        for answer in first["outcomes_by_answer"]:
            out.print(f"    {escape(answer['answer_label'])} → {escape(' / '.join(answer['outcomes']))}")
        if source:
            out.print(f"[dim]{escape(translate('next.command', lang, file=shlex.quote(source)))}[/]")
        if others:
            shorts = ", ".join(question["short"] for question in others)
            out.print(f"[bold]{translate('next.others', lang)}[/]{colon(lang)}{escape(shorts)}")
    deciding = phase["deciding"]
    if deciding:
        out.print(f"\n[bold]{translate('reason.title', lang)}[/]{colon(lang)}{escape(deciding['title'])}")
        out.print(escape(deciding["explanation"]))
        out.print(f"[dim]{translate('reason.answers', lang)}{colon(lang)}[/]")
        answers = deciding["answers"]
        out.print(marked([f"{escape(a['short'])}{colon(lang)}{escape(a['answer_label'])}" for a in answers]))
        if deciding["caveat"]:
            out.print(f"[magenta]{translate('explain.caveat', lang)}{colon(lang)}[/]{escape(deciding['caveat'])}")
        _print_sources(out, deciding["sources"], lang)
    if phase["counterfactuals"]:
        table = Table(title=translate("explain.would_change", lang), title_justify="left", show_lines=False)
        table.add_column(translate("whatif.if_answer", lang), overflow="fold")
        table.add_column(translate("whatif.regime", lang), overflow="fold")
        for change in phase["counterfactuals"]:
            joined = f" {translate('explain.and', lang)} ".join(change["if_answer"])
            table.add_row(escape(joined), escape(change["outcome_label"]))
        out.print(table)
    _print_next_steps(out, phase, lang, kb)
    others = [rule for rule in traced.rules if rule.rule != (deciding or {}).get("rule")]
    if all_rules:
        for trace in traced.rules:
            _print_rule_trace(out, kb, trace, lang)
    elif others:
        hint = translate("explain.all_rules_hint", lang)
        out.print(f"[dim]{translate('reason.others', lang)}{colon(lang)}{len(others)} — {hint}[/]")
    out.print()


def _print_rule_trace(out: Console, kb: KnowledgeBase, trace: RuleTrace, lang: Lang) -> None:
    rule = kb.rule_by_id[trace.rule]
    out.print(
        f"\n{TRUTH_MARK[trace.truth]} [bold]{translate('explain.rule', lang)}[/] — {escape(rule.title.get(lang))}"
    )
    out.print(escape(rule.explanation.get(lang)))
    _print_condition(out, kb, trace.condition, lang, depth=1)
    print_citations(out, kb, rule.sources, lang)


def _print_next_steps(out: Console, phase: Json, lang: Lang, kb: KnowledgeBase) -> None:
    steps = kb.outcome_by_id[phase["outcome"]].next_steps if phase["outcome"] else ()
    if steps:
        out.print(f"\n[bold]{translate('explain.next_steps', lang)}[/]")
        out.print(marked([escape(s.text.get(lang)) + (f" [dim]{s.link(lang)}[/]" if s.url else "") for s in steps]))


def _print_sources(out: Console, sources: list[Json], lang: Lang) -> None:
    out.print(f"[dim]{translate('explain.sources', lang)}{colon(lang)}[/]")
    cited = [(s["title"] + (f", {s['pinpoint']}" if s["pinpoint"] else ""), s["summary"]) for s in sources]
    out.print(marked([f"{escape(title)} — {escape(summary)}" for title, summary in cited], style="dim"))


def _print_condition(out: Console, kb: KnowledgeBase, node: ConditionTrace, lang: Lang, depth: int) -> None:
    indent = "    " * depth
    if node.kind == "question":
        question = kb.question_by_id[node.question]
        expected = expected_label(kb, node.question, node.expected, lang)
        given = answer_label(kb, node.question, node.answer, lang)
        out.print(
            f"{indent}{TRUTH_MARK[node.truth]} {escape(question.short.get(lang))}{colon(lang)}{escape(given)} "
            f"[dim]({translate('explain.required', lang)} {escape(expected)})[/]"
        )
        return
    if depth > 1 or node.kind != "all":
        out.print(f"{indent}{TRUTH_MARK[node.truth]} {translate(f'cond.{node.kind}', lang)}")  # ids marked in i18n
    for child in node.children:
        _print_condition(out, kb, child, lang, depth + (1 if depth > 1 or node.kind != "all" else 0))


def print_citations(out: Console, kb: KnowledgeBase, citations: tuple[Citation, ...], lang: Lang) -> None:
    """ "Sources:" then one citation a line, with what the text says beside it."""
    out.print(f"[dim]{translate('explain.sources', lang)}{colon(lang).rstrip()}[/]")
    out.print(marked([escape(citation_with_summary(kb, citation, lang)) for citation in citations], style="dim"))


def print_verification(out: Console, report: VerificationReport, lang: Lang) -> None:
    headings = [translate(key, lang) for key in VERIFY_COLUMNS]
    rows = [
        [
            translate(f"phase.{figures.phase}", lang),
            str(figures.questions),
            str(figures.rules),
            number(figures.combinations, lang),
            number(figures.partial_answer_sets, lang),
        ]
        for figures in report.phases
    ]
    title = f"{translate('rule_set', lang)} {report.rule_set_version} ({report.rule_set_hash})"
    widths = _word_widths(headings, rows)
    spare = out.width - _table_width(widths)
    if spare >= 0:
        for i, name in enumerate(headings):  # then as wide as its text, while there is room
            grow = min(spare, max(cell_len(text) for text in (name, *(row[i] for row in rows))) - widths[i])
            widths[i], spare = widths[i] + grow, spare - grow
        table = Table(title=title)
        for i, (name, width) in enumerate(zip(headings, widths, strict=True)):
            table.add_column(name, justify="right" if i else "left", width=width, overflow="fold")
        for row in rows:
            table.add_row(*row)
        out.print(table)
    else:  # each phase a block instead
        out.print(title)
        for phase, *figures in rows:
            out.print(f"\n[bold]{escape(phase)}[/]")
            out.print(
                marked([f"{name}{colon(lang)}{value}" for name, value in zip(headings[1:], figures, strict=True)])
            )
    if report.ok:
        checked = plural("verify.checked", report.combinations, lang, ms=f"{report.seconds * 1000:.0f}")
        out.print(f"[green]✓[/] {translate('verify.ok', lang)} ({checked})")
        return
    out.print(f"[red]✗[/] {translate('verify.failed', lang)}")
    for problem in report.problems:
        phase = translate(f"phase.{problem.phase}", lang) if problem.phase else ""
        said = f"{phase}{colon(lang)}{problem.message.text(lang)}" if phase else problem.message.text(lang)
        out.print(marked([escape(said)]))
        if problem.example:
            answers = ", ".join(f"{question} = {answer}" for question, answer in problem.example.items())
            out.print(f"    {translate('verify.example', lang)} {escape(answers)}")


def print_questions(out: Console, kb: KnowledgeBase, lang: Lang, scope: str | None) -> None:
    for question in kb.questions:
        if scope and scope not in question.scope:
            continue
        heading(out, f"[bold]{question.id}[/] [dim]({', '.join(question.scope)})[/]")
        out.print(f"[bold]{escape(question.text.get(lang))}[/]")
        out.print(escape(question.help.get(lang)))
        answers = [(option.code, escape(option.label.get(lang))) for option in question.options]
        answers.append((UNKNOWN, translate("answer.unknown", lang)))
        out.print(marked([f"[cyan]{code}[/]{colon(lang)}{label}" for code, label in answers]))
        for example in question.examples:
            out.print(f"  [dim]{escape(example.get(lang))}[/]")
        print_citations(out, kb, question.sources, lang)


def print_sources(out: Console, kb: KnowledgeBase, lang: Lang) -> None:
    table = Table(show_lines=False)
    for header in ("id", "source", translate("sources.says", lang), "url"):
        table.add_column(header, overflow="fold")
    for source in kb.sources:
        table.add_row(source.id, escape(source.title.get(lang)), escape(source.summary.get(lang)), source.link(lang))
    out.print(table)


def explanation_dict(explanation: Explanation) -> dict[str, Any]:
    """The assessment's JSON, with each phase's rule traces and counterfactuals added."""
    data = explanation.assessment.to_dict()
    for phase_data, phase in zip(data["phases"], explanation.phases, strict=True):
        phase_data["answers"] = phase.answers
        deciding = phase.result.reason.rule if phase.result.reason else None
        phase_data["rule_traces"] = [
            {"rule": r.rule, "deciding": r.rule == deciding, "truth": r.truth, "condition": _trace_dict(r.condition)}
            for r in sorted(phase.rules, key=lambda trace: trace.rule != deciding)
        ]
        phase_data["counterfactuals"] = [c.to_dict() for c in phase.counterfactuals]
    return data


def _trace_dict(node: ConditionTrace) -> dict[str, Any]:
    if node.kind == "question":
        return {"question": node.question, "expected": list(node.expected), "answer": node.answer, "truth": node.truth}
    return {node.kind: [_trace_dict(child) for child in node.children], "truth": node.truth}


def verification_dict(report: VerificationReport, lang: Lang) -> dict[str, Any]:
    return {
        "rule_set": {"version": report.rule_set_version, "hash": report.rule_set_hash},
        "ok": report.ok,
        "combinations": report.combinations,
        "seconds": report.seconds,
        "phases": [
            {
                "phase": p.phase,
                "questions": p.questions,
                "rules": p.rules,
                "combinations": p.combinations,
                "partial_answer_sets": p.partial_answer_sets,
            }
            for p in report.phases
        ],
        "problems": [
            {"kind": p.kind, "phase": p.phase, "message": p.message.text(lang), "example": p.example}
            for p in report.problems
        ],
    }
