"""Terminal views (rich) and JSON shapes of the command-line outputs."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from airegime.engine.explain import ConditionTrace, Explanation, PhaseExplanation
from airegime.engine.results import Assessment
from airegime.engine.verify import VerificationReport
from airegime.i18n import t
from airegime.kb.models import Citation, KnowledgeBase, Lang
from airegime.render.summary import (
    answer_label,
    change_label,
    citation_with_summary,
    expected_label,
    outcome_label,
    phase_title,
    short_reason,
    split_sentences,
    status_label,
)

STATUS_STYLE = {"determined": "green", "undetermined": "yellow", "case_by_case": "magenta"}
TRUTH_MARK = {"met": "[green]✓[/]", "not_met": "[red]✗[/]", "open": "[yellow]?[/]"}


def print_assessment(
    out: Console, kb: KnowledgeBase, assessment: Assessment, lang: Lang, *, disclaimer: bool = True
) -> None:
    system = assessment.system
    out.print(f"[bold]{escape(system.name)}[/]" + (f" — {escape(system.organisation)}" if system.organisation else ""))
    table = Table(show_lines=True)
    for key in ("col.phase", "col.regime", "col.status", "col.reason"):
        table.add_column(t(key, lang), overflow="fold")
    developments = len(assessment.developments)
    for phase in assessment.phases:
        style = STATUS_STYLE[phase.status]
        table.add_row(
            escape(phase_title(phase, lang, developments=developments)),
            f"[bold]{escape(outcome_label(kb, phase, lang))}[/]",
            f"[{style}]{status_label(phase, lang)}[/]",
            escape(short_reason(kb, phase, lang)),
        )
    out.print(table)
    said = f" {escape(kb.disclaimer.get(lang))}" if disclaimer else ""  # said once per session
    out.print(f"[dim]{t('rule_set', lang)} {assessment.rule_set_version} ({assessment.rule_set_hash}).{said}[/]")


def print_explanation(
    out: Console, kb: KnowledgeBase, explanation: Explanation, lang: Lang, *, disclaimer: bool = True
) -> None:
    print_assessment(out, kb, explanation.assessment, lang, disclaimer=disclaimer)
    developments = len(explanation.assessment.developments)
    for phase in explanation.phases:
        _print_phase(out, kb, phase, lang, developments)
    out.rule(t("explain.caveats", lang))
    for caveat in kb.caveats:
        out.print(f"• {escape(caveat.get(lang))}")


def _print_phase(out: Console, kb: KnowledgeBase, phase: PhaseExplanation, lang: Lang, developments: int) -> None:
    result = phase.result
    title = phase_title(result, lang, developments=developments)
    out.rule(f"[bold]{escape(title)}[/] → {escape(outcome_label(kb, result, lang))}")
    if result.outcome:
        outcome = kb.outcome_by_id[result.outcome]
        out.print(escape(outcome.summary.get(lang)))
        for sentence in split_sentences(kb, outcome, lang):
            out.print(f"  • {escape(sentence)}")
    if result.outcome and result.unanswered:
        out.print(f"[bold]{escape(short_reason(kb, result, lang))}[/]")
    for trace in phase.rules:
        rule = kb.rule_by_id[trace.rule]
        out.print(
            f"\n{TRUTH_MARK[trace.truth]} [bold]{t('explain.rule', lang)}[/] — {escape(rule.title.get(lang))}"
        )
        out.print(escape(rule.explanation.get(lang)))
        _print_condition(out, kb, trace.condition, lang, depth=1)
        if rule.caveat:
            out.print(f"[magenta]{t('explain.caveat', lang)}:[/] {escape(rule.caveat.get(lang))}")
        print_citations(out, kb, rule.sources, lang)
    for dependency in result.depends_on:
        question = kb.question_by_id[dependency.question]
        out.print(f"\n[yellow]?[/] {escape(question.text.get(lang))}")
        for answer, outcomes in dependency.outcomes_by_answer:
            labels = " / ".join(kb.outcome_by_id[o].label.get(lang) for o in outcomes)
            out.print(f"    {escape(answer_label(kb, question.id, answer, lang))} → {escape(labels)}")
    if phase.counterfactuals:
        out.print(f"\n[bold]{t('explain.would_change', lang)}[/]")
        for change in phase.counterfactuals:
            answers = " + ".join(change_label(kb, c.question, c.new, lang) for c in change.changes)
            out.print(
                f"  • [bold]{escape(kb.outcome_by_id[change.outcome].label.get(lang))}[/] "
                f"{t('explain.if', lang)} {escape(answers)}"
            )
    if result.outcome:
        steps = kb.outcome_by_id[result.outcome].next_steps
        if steps:
            out.print(f"\n[bold]{t('explain.next_steps', lang)}[/]")
            for step in steps:
                out.print(f"  • {escape(step.text.get(lang))}" + (f" [dim]{step.url}[/]" if step.url else ""))
    out.print()


def _print_condition(out: Console, kb: KnowledgeBase, node: ConditionTrace, lang: Lang, depth: int) -> None:
    indent = "    " * depth
    if node.kind == "question":
        question = kb.question_by_id[node.question]
        expected = expected_label(kb, node.question, node.expected, lang)
        given = answer_label(kb, node.question, node.answer, lang)
        out.print(
            f"{indent}{TRUTH_MARK[node.truth]} {escape(question.short.get(lang))}: {escape(given)} "
            f"[dim]({t('explain.required', lang)} {escape(expected)})[/]"
        )
        return
    label = {"all": ("toutes :", "all of:"), "any": ("l’une de :", "any of:"), "not": ("pas :", "not:")}[node.kind]
    if depth > 1 or node.kind != "all":
        out.print(f"{indent}{TRUTH_MARK[node.truth]} {label[0] if lang == 'fr' else label[1]}")
    for child in node.children:
        _print_condition(out, kb, child, lang, depth + (1 if depth > 1 or node.kind != "all" else 0))


def print_citations(out: Console, kb: KnowledgeBase, citations: tuple[Citation, ...], lang: Lang) -> None:
    """ "Sources:" then one citation a line, with what the text says beside it."""
    out.print(f"[dim]{t('explain.sources', lang)}:[/]")
    for citation in citations:
        out.print(f"[dim]  • {escape(citation_with_summary(kb, citation, lang))}[/]")


def print_verification(out: Console, report: VerificationReport, lang: Lang) -> None:
    table = Table(title=f"{t('rule_set', lang)} {report.rule_set_version} ({report.rule_set_hash})")
    for header in ("phase", "questions", "rules", "combinations", "partial answer sets"):
        table.add_column(header, justify="right" if header != "phase" else "left")
    for figures in report.phases:
        table.add_row(
            figures.phase,
            str(figures.questions),
            str(figures.rules),
            f"{figures.combinations:,}",
            f"{figures.partial_answer_sets:,}",
        )
    out.print(table)
    if report.ok:
        out.print(
            f"[green]✓[/] {t('verify.ok', lang)} ({report.combinations:,} combinations, {report.seconds * 1000:.0f} ms)"
        )
        return
    out.print(f"[red]✗[/] {t('verify.failed', lang)}")
    for problem in report.problems:
        out.print(f"  • [{problem.kind}] {problem.phase or ''} {escape(problem.message)}")
        if problem.example:
            out.print(f"    e.g. {escape(str(problem.example))}")


def print_questions(out: Console, kb: KnowledgeBase, lang: Lang, scope: str | None) -> None:
    for question in kb.questions:
        if scope and scope not in question.scope:
            continue
        out.rule(f"[bold]{question.id}[/] [dim]({', '.join(question.scope)})[/]")
        out.print(f"[bold]{escape(question.text.get(lang))}[/]")
        out.print(escape(question.help.get(lang)))
        for option in question.options:
            out.print(f"  • [cyan]{option.code}[/]: {escape(option.label.get(lang))}")
        out.print(f"  • [cyan]unknown[/]: {t('answer.unknown', lang)}")
        for example in question.examples:
            out.print(f"  [dim]{escape(example.get(lang))}[/]")
        print_citations(out, kb, question.sources, lang)


def print_sources(out: Console, kb: KnowledgeBase, lang: Lang) -> None:
    table = Table(show_lines=False)
    for header in ("id", "source", t("sources.says", lang), "url"):
        table.add_column(header, overflow="fold")
    for source in kb.sources:
        table.add_row(source.id, escape(source.title.get(lang)), escape(source.summary.get(lang)), source.url)
    out.print(table)


def explanation_dict(explanation: Explanation) -> dict[str, Any]:
    """The assessment's JSON, with each phase's rule traces and counterfactuals added."""
    data = explanation.assessment.to_dict()
    for phase_data, phase in zip(data["phases"], explanation.phases, strict=True):
        phase_data["answers"] = phase.answers
        phase_data["rule_traces"] = [
            {"rule": r.rule, "truth": r.truth, "condition": _trace_dict(r.condition)} for r in phase.rules
        ]
        phase_data["counterfactuals"] = [c.to_dict() for c in phase.counterfactuals]
    return data


def _trace_dict(node: ConditionTrace) -> dict[str, Any]:
    if node.kind == "question":
        return {"question": node.question, "expected": list(node.expected), "answer": node.answer, "truth": node.truth}
    return {node.kind: [_trace_dict(child) for child in node.children], "truth": node.truth}


def verification_dict(report: VerificationReport) -> dict[str, Any]:
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
            {"kind": p.kind, "phase": p.phase, "message": p.message, "example": p.example} for p in report.problems
        ],
    }
