"""The methodology document, generated from the knowledge base alone (no assessment, no date).
It speaks in words only: ids and answer codes are data, for the JSON, the API and descriptors.

A legal reviewer reads every question with its help and allowed answers, every rule in plain
words beside its sources, the outcomes, and what is deliberately left to case-by-case analysis.
The same input always gives the same bytes, so docs/methodology.md is checked by a test.
"""

from __future__ import annotations

from typing import Any, Literal

from airegime.engine.explain import trace_condition
from airegime.i18n import translate
from airegime.kb.models import PHASES, KnowledgeBase, Lang, Phase, Rule
from airegime.render.report_data import citations, condition_dict
from airegime.render.report_markdown import cited_lines, md, md_link
from airegime.render.sentences import condition_lines
from airegime.render.summary import answer_label, colon, split_parts

MethodologyFormat = Literal["md", "html", "pdf"]


def methodology_data(*, kb: KnowledgeBase, lang: Lang) -> dict[str, Any]:
    """Everything the document says, resolved in ``lang``."""
    return {
        "lang": lang,
        "title": kb.title.get(lang),
        "rule_set": {"version": kb.version, "hash": kb.hash},
        "disclaimer": kb.disclaimer.get(lang),
        "questions": [_question(kb, q.id, lang) for q in kb.questions],
        "phases": _rule_groups(kb, lang),
        "outcomes": [_outcome(kb, o.id, lang) for o in kb.outcomes if not o.retired],
        "case_by_case": [_rule(kb, r, lang) for r in kb.rules if kb.outcome_by_id[r.outcome].kind == "case_by_case"],
        "caveats": [c.get(lang) for c in kb.caveats],
        "sources": [
            {"id": s.id, "title": s.title.get(lang), "url": s.link(lang), "summary": s.summary.get(lang)}
            for s in kb.sources
        ],
    }


def _rule_groups(kb: KnowledgeBase, lang: Lang) -> list[dict[str, Any]]:
    """Rules for both phases first, then each phase's own: each rule is written once."""
    groups: list[tuple[str, tuple[Phase, ...]]] = [
        (translate("method.rules_both", lang), PHASES),
        *((f"{translate('method.rules_for', lang)} — {translate(f'phase.{p}', lang)}", (p,)) for p in PHASES),
    ]
    return [
        {"title": title, "rules": [_rule(kb, r, lang) for r in kb.rules if r.phases == phases]}
        for title, phases in groups
        if any(r.phases == phases for r in kb.rules)
    ]


def _question(kb: KnowledgeBase, question_id: str, lang: Lang) -> dict[str, Any]:
    question = kb.question_by_id[question_id]
    answers = [{"code": code, "label": answer_label(kb, question.id, code, lang)} for code in question.codes]
    return {
        "id": question.id,
        "text": question.text.get(lang),
        "help": question.help.get(lang),
        "scope": translate("method.scope.overridable", lang)
        if question.overridable
        else ", ".join(translate(f"method.scope.{scope}", lang) for scope in question.scope),
        "answers": [*answers, {"code": "unknown", "label": answer_label(kb, question.id, "unknown", lang)}],
        "examples": [e.get(lang) for e in question.examples],
        "sources": citations(kb, question.sources, lang),
    }


def _rule(kb: KnowledgeBase, rule: Rule, lang: Lang) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title.get(lang),
        "phases": ", ".join(translate(f"phase.{phase}", lang) for phase in rule.phases),
        "condition": condition_dict(kb, trace_condition(rule.when, {}), lang),
        "outcome": kb.outcome_by_id[rule.outcome].label.get(lang),
        "explanation": rule.explanation.get(lang),
        "caveat": rule.caveat.get(lang) if rule.caveat else "",
        "sources": citations(kb, rule.sources, lang),
    }


def _outcome(kb: KnowledgeBase, outcome_id: str, lang: Lang) -> dict[str, Any]:
    outcome = kb.outcome_by_id[outcome_id]
    return {
        "id": outcome.id,
        "label": outcome.label.get(lang),
        "kind": translate(f"method.kind.{outcome.kind}", lang),
        "summary": outcome.summary.get(lang),
        "authority": outcome.authority.get(lang) if outcome.authority else "",
        "competing": [kb.outcome_by_id[o].label.get(lang) for o in outcome.competing],
        "parts": [
            {"outcome": o, "label": label, "purposes": purposes}
            for o, (label, purposes) in zip(
                (part.outcome for part in outcome.parts), split_parts(kb, outcome, lang), strict=True
            )
        ],
        "sources": citations(kb, outcome.sources, lang),
    }


def render_methodology(*, kb: KnowledgeBase, fmt: MethodologyFormat = "md", lang: Lang = "fr") -> bytes:
    """The methodology as Markdown, standalone HTML (with the full decision diagram) or PDF."""
    data = methodology_data(kb=kb, lang=lang)
    if fmt == "md":
        return methodology_markdown(data).encode("utf-8")
    from airegime.render.diagram import decision_diagram

    svgs = [decision_diagram(kb=kb, fmt="svg", lang=lang, phase=phase).decode("utf-8") for phase in PHASES]
    if fmt == "html":  # one diagram per phase: each tree stays legible
        from airegime.render.html import methodology_html

        return methodology_html(data, diagram_svgs=svgs).encode("utf-8")
    from airegime.render.html import METHOD_WORDS, words
    from airegime.render.pdf import methodology_pdf

    return methodology_pdf(data, words=words(METHOD_WORDS, lang), diagram_svgs=svgs)


def _cited(sources: list[dict[str, Any]], lang: Lang) -> list[str]:
    """ "Sources:" and one citation a line, each with what the text says."""
    return [f"{translate('explain.sources', lang)}{colon(lang).rstrip()}", "", *cited_lines(sources), ""]


def methodology_markdown(data: dict[str, Any]) -> str:
    lang: Lang = data["lang"]
    mark = colon(lang).rstrip()
    lines = [
        f"# {translate('method.title', lang)} — {md(data['title'])}",
        "",
        f"{translate('rule_set', lang)} **{data['rule_set']['version']}** (`{data['rule_set']['hash']}`)",
        "",
        md(translate("method.intro", lang)),
        "",
        f"> **{translate('disclaimer', lang)}.** {md(data['disclaimer'])}",
        "",
        f"## {translate('method.how', lang)}",
        "",
        md(translate("method.how_text", lang)),
        "",
        f"## {translate('method.questions', lang)}",
        "",
    ]
    for q in data["questions"]:
        lines += [f"### {md(q['text'])}", "", f"{translate('method.scope', lang)}{mark} {md(q['scope'])}", ""]
        lines += [md(q["help"]), "", f"{translate('method.allowed', lang)}{mark}", ""]
        lines += [f"- {md(a['label'])}" for a in q["answers"]] + [""]
        if q["examples"]:
            lines += [f"{translate('method.examples', lang)}{mark}", ""] + [f"- {md(e)}" for e in q["examples"]] + [""]
        lines += _cited(q["sources"], lang)
    lines += [f"## {translate('method.rules', lang)}", ""]
    for phase in data["phases"]:
        lines += [f"### {phase['title']}", ""]
        for rule in phase["rules"]:
            lines += _rule_markdown(rule, lang)
    lines += [f"## {translate('method.outcomes', lang)}", ""]
    for outcome in data["outcomes"]:
        lines += [
            f"### {md(outcome['label'])}",
            "",
            outcome["kind"],
            "",
            md(outcome["summary"]),
            "",
        ]
        if outcome["authority"]:
            lines += [f"{translate('report.authority', lang)}{mark} {md(outcome['authority'])}", ""]
        if outcome["competing"]:
            lines += [f"{translate('report.competing', lang)}{mark} {md(' / '.join(outcome['competing']))}", ""]
        if outcome["parts"]:
            lines += [f"{translate('report.parts', lang)}{mark}", ""]
            lines += [f"- **{md(p['label'])}**{mark} {md(p['purposes'], block=False)}" for p in outcome["parts"]]
            lines.append("")
        if outcome["sources"]:
            lines += _cited(outcome["sources"], lang)
    lines += [f"## {translate('method.case_by_case', lang)}", "", md(translate("method.case_by_case_text", lang)), ""]
    for rule in data["case_by_case"]:
        lines += [f"- **{md(rule['title'])}** → {md(rule['outcome'])}. {md(rule['explanation'])}"]
    lines += ["", f"## {translate('method.general_caveats', lang)}", ""] + [f"- {md(c)}" for c in data["caveats"]]
    lines += ["", f"## {translate('method.sources', lang)}", ""]
    lines += [f"- {md_link(s['title'], s['url'])} — {md(s['summary'], block=False)}" for s in data["sources"]]
    return "\n".join([*lines, ""])


def _rule_markdown(rule: dict[str, Any], lang: Lang) -> list[str]:
    mark = colon(lang).rstrip()
    lines = [f"#### {md(rule['title'])}", "", md(rule["phases"]), ""]
    lines += [f"**{translate('method.applies_when', lang)}{mark}**", ""]
    lines += [
        "  " * depth + f"- {text}" for depth, text in condition_lines(rule["condition"], lang, traced=False, escape=md)
    ]
    lines += [
        "",
        f"**{translate('method.leads_to', lang)}{mark}** {md(rule['outcome'])}",
        "",
        md(rule["explanation"]),
        "",
    ]
    if rule["caveat"]:
        lines += [f"*{translate('explain.caveat', lang)}{mark}* {md(rule['caveat'])}", ""]
    return [*lines, *_cited(rule["sources"], lang)]
