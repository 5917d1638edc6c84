"""The full report in Markdown, read from the report dict (deterministic: same dict, same text)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from airegime.i18n import plural, translate
from airegime.kb.models import Lang
from airegime.render.report_data import unknown_answers, without_controls
from airegime.render.sentences import TRUTH_MARK, condition_lines
from airegime.render.summary import colon, phase_table_headings

_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~&!"})
BREAKING_SPACES = re.compile(r"[ \t\r\n\x85\u2028\u2029]+")  # not the no-break spaces of French typography
_ORDERED = re.compile(r"^(\d+)([.)])")


@lru_cache(maxsize=4096)  # knowledge-base texts recur in every phase of every report
def md(text: str, *, block: bool = True) -> str:
    """Any text as one inert Markdown line: no markup, no HTML, no list or heading it did not ask for.

    ``block=False`` for table cells, where a leading "1." or "-" starts nothing.
    """
    flat = BREAKING_SPACES.sub(" ", without_controls(text)).strip(" ").translate(_ESCAPES)
    if not block or not flat:
        return flat
    if flat[0] in "-+=>":
        return "\\" + flat
    return _ORDERED.sub(r"\1\\\2", flat) if flat[0].isdigit() else flat


def md_link(title: str, url: str) -> str:
    return f"[{md(title)}](<{url}>)" if url else md(title)


# Shared by the Markdown, HTML, Word and PDF views (the PDF template receives it as whatif_shown).
WHATIF_SHOWN = 6  # the "what would change" table stays short; the other scenarios go to the annex


def whatif_split(phase: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The counterfactuals shown beside the reason (fewest changed answers first), and the rest."""
    changes = phase["counterfactuals"]
    return changes[:WHATIF_SHOWN], changes[WHATIF_SHOWN:]


def if_answer(change: dict[str, Any], lang: Lang) -> str:
    """ "Controller: A competent authority… and Purpose: Criminal-law ends" (the answers to change)."""
    return f" {translate('report.and', lang)} ".join(change["if_answer"])


def other_rules(phase: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The rules still possible that did not decide, with their index in ``phase["rules"]``."""
    return [(i, rule) for i, rule in enumerate(phase["rules"]) if not rule["deciding"]]


def in_annex(phase: dict[str, Any]) -> bool:
    return bool(other_rules(phase) or whatif_split(phase)[1])


def open_points(report: dict[str, Any]) -> list[str]:
    """What is still open, for the summary: the question to settle first of each undetermined phase,
    then the other "I don't know" answers (a question that was simply not asked is not open)."""
    lang: Lang = report["lang"]
    unknown = {
        (group["title"] if group["scope"] != "system" else "", item["question"])
        for group in report["answers"]
        for item in group["items"]
        if item["unknown"]
    }
    points, said = [], set()
    for phase in report["phases"]:
        if phase["status"] == "undetermined" and phase["open_questions"]:
            first = phase["open_questions"][0]
            point = f"{phase['title']} — {translate('next.title', lang)}{colon(lang)}{first['text']}"
            for where in (phase["title"], ""):  # its own "I don't know", else the system's
                if (where, first["question"]) in unknown:
                    point += f" ({translate('report.unknown_point', lang)})"
                    said.add((where, first["question"]))
                    break
            points.append(point)
    for group in report["answers"]:
        where = group["title"] if group["scope"] != "system" else ""
        for item in group["items"]:
            if item["unknown"] and (where, item["question"]) not in said:
                points.append(f"{group['title']} — {item['text']} ({translate('report.unknown_point', lang)})")
    return points


def more_changes_note(count: int, lang: Lang) -> str:
    """ "3 other combinations of answers would also change the regime: see the annex." """
    return plural("report.more_changes_note", count, lang)


def report_markdown(report: dict[str, Any]) -> str:
    lang: Lang = report["lang"]
    lines = _head(report, lang)
    lines += [f"## {translate('report.phases', lang)}", ""]
    for phase in report["phases"]:
        lines += _phase(phase, lang)
    lines += _answers(report, lang)
    lines += evidence_lines(report, lang)
    lines += _caveats(report, lang)
    lines += [f"## {translate('report.citations', lang)}", ""]
    lines += [f"- {md_link(s['title'], s['url'])} — {md(s['summary'], block=False)}" for s in report["sources"]] + [""]
    lines += _annex(report, lang)
    return "\n".join(lines)


def _head(report: dict[str, Any], lang: Lang) -> list[str]:
    """The one-page summary: the system, the outcome of each phase, what is open, what to do next."""
    system = report["system"]
    rows = [(translate("system", lang), system["name"])]
    if system["organisation"]:
        rows.append((translate("organisation", lang), system["organisation"]))
    rows += [
        (translate("report.generated", lang), report["generated"]),
        (translate("rule_set", lang), f"{report['rule_set']['version']} ({report['rule_set']['hash']})"),
    ]
    if "review" in report:  # a saved assessment's review status, reviewer and date
        rows.append((report["review"]["label"], report["review"]["line"]))
    lines = [f"# {translate('report.title', lang)}", "", md(report["title"]), "", "| | |", "|---|---|"]
    lines += [f"| {md(key)} | {md(value, block=False)} |" for key, value in rows]
    lines += ["", f"## {translate('report.summary', lang)}", ""]
    if system["description"]:
        lines += [md(system["description"]), ""]
    header = " | ".join(phase_table_headings(lang))
    lines += [f"### {translate('report.at_a_glance', lang)}", "", f"| {header} |", "|---|---|---|---|"]
    for row in report["summary"]:
        cells = (row["title"], row["outcome_label"], row["status_label"], row["reason"])
        lines.append("| " + " | ".join(md(cell, block=False) for cell in cells) + " |")
    lines += ["", f"### {translate('report.open_points', lang)}", ""]
    points = open_points(report)
    lines += [f"- ⚠ {md(point, block=False)}" for point in points] or [md(translate("report.no_open_points", lang))]
    lines.append("")
    if report["next_steps"]:
        lines += [f"### {translate('explain.next_steps', lang)}", ""]
        for group in report["next_steps"]:
            lines += [f"**{md(group['label'])}** — *{md(', '.join(group['phases']), block=False)}*", ""]
            lines += [f"- {md_link(step['text'], step['url'])}" for step in group["steps"]] + [""]
    return [*lines, f"> **{translate('disclaimer', lang)}.** {md(report['disclaimer'])}", ""]


def evidence_lines(report: dict[str, Any], lang: Lang) -> list[str]:
    """Each answer's note and evidence (files by name, type and size; links with their address)."""
    if not report.get("evidence"):
        return []
    lines = [f"## {translate('evidence.report_title', lang)}", ""]
    for group in report["evidence"]:
        lines += [f"### {md(group['title'])}", ""]
        for item in group["items"]:
            lines.append(f"- **{md(item['text'], block=False)}**")
            if item["note"]:
                lines.append(
                    f"  - {translate('evidence.report_note', lang)}{colon(lang)}{md(item['note'], block=False)}"
                )
            for ref in item["evidence"]:
                shown = md_link(ref["label"], ref["url"]) if ref["url"] else md(ref["label"], block=False)
                lines.append(f"  - {translate('evidence.report_items', lang)}{colon(lang)}{shown}")
        lines.append("")
    return lines


def _answers(report: dict[str, Any], lang: Lang) -> list[str]:
    lines = [f"## {translate('report.answers', lang)}", ""]
    unknown = unknown_answers(report)
    if unknown:
        lines += [f"> ⚠ {md(translate('report.unknown_called_out', lang))}", ">"]
        lines += [f"> - {md(text)}" for text in unknown] + [""]
    for group in report["answers"]:
        lines += [f"### {md(group['title'])}", ""]
        for item in group["items"]:
            answer = f"**⚠ {md(item['answer_label'])}**" if item["unknown"] else f"**{md(item['answer_label'])}**"
            lines.append(f"- {md(item['text'])} {answer}")
        if not group["items"]:
            lines.append(f"- {translate('report.no_answers', lang)}")
        lines.append("")
    return lines


def _phase(phase: dict[str, Any], lang: Lang) -> list[str]:
    """A phase, reason first: the regime, the reason that decided, the answers enough for it, what
    would change it, and for an undetermined phase the questions to settle, best first."""
    lines = [f"### {md(phase['title'])} — {md(phase['headline'])}", ""]
    lines += [f"**{translate('col.status', lang)}{colon(lang).rstrip()}** {md(phase['status_label'])}", ""]
    if phase["description"]:
        lines += [md(phase["description"]), ""]
    if phase["outcome_summary"]:
        lines += [md(phase["outcome_summary"]), ""]
    if phase["parts"]:
        lines += [f"**{translate('report.parts', lang)}{colon(lang).rstrip()}**", ""]
        lines += [
            f"- **{md(part['label'])}**{colon(lang)}{md(part['purposes'], block=False)}" for part in phase["parts"]
        ]
        lines.append("")
    if phase["authority"]:
        lines += [f"**{translate('report.authority', lang)}{colon(lang).rstrip()}** {md(phase['authority'])}", ""]
    if phase["competing"]:
        lines += [
            f"**{translate('report.competing', lang)}{colon(lang).rstrip()}** {md(' / '.join(phase['competing']))}",
            "",
        ]
    # An undetermined phase has no deciding reason: the questions to settle take its place.
    lines += _deciding(phase, lang) if phase["deciding"] else _open_questions(phase, lang)
    return lines + _whatif(phase, lang)


def _deciding(phase: dict[str, Any], lang: Lang) -> list[str]:
    deciding = phase["deciding"]
    lines = [f"#### {translate('reason.title', lang)}", ""]
    lines += [f"**{md(deciding['sentence'])}**", "", md(deciding["explanation"]), ""]
    if deciding["caveat"]:
        lines += [f"*{translate('explain.caveat', lang)}{colon(lang).rstrip()}* {md(deciding['caveat'])}", ""]
    lines += [f"{translate('explain.sources', lang)}{colon(lang).rstrip()}", "", *cited_lines(deciding["sources"]), ""]
    lines += [f"#### {translate('reason.answers', lang)}", ""]
    lines += [f"- {md(a['short'])}{colon(lang)}**{md(a['answer_label'])}**" for a in deciding["answers"]]
    return [*lines, ""]


def _whatif(phase: dict[str, Any], lang: Lang) -> list[str]:
    shown, rest = whatif_split(phase)
    lines = [f"#### {translate('explain.would_change', lang)}", ""]
    if not shown:
        return [*lines, md(translate("report.none_would_change", lang)), ""]
    lines += _whatif_table(shown, lang)
    if rest:
        lines += [md(more_changes_note(len(rest), lang)), ""]
    return lines


def _whatif_table(changes: list[dict[str, Any]], lang: Lang) -> list[str]:
    lines = [f"| {translate('whatif.if_answer', lang)} | {translate('whatif.regime', lang)} |", "|---|---|"]
    for change in changes:
        lines.append(f"| {md(if_answer(change, lang), block=False)} | {md(change['outcome_label'], block=False)} |")
    return [*lines, ""]


def _open_questions(phase: dict[str, Any], lang: Lang) -> list[str]:
    if not phase["open_questions"]:
        return [md(translate("report.undetermined_lead", lang)), ""]
    first, *others = phase["open_questions"]
    lines = [
        md(translate("report.undetermined_lead", lang)),
        "",
        f"#### ⚠ {translate('next.title', lang)}",
        "",
        f"> **{md(first['text'])}**",
        ">",
    ]
    lines += [f"> - {_branch(branch)}" for branch in first["outcomes_by_answer"]] + [""]
    if others:
        lines += [f"#### {translate('next.others', lang)}", ""]
        for question in others:
            lines.append(f"- {md(question['text'])}")
            lines += [f"  - {_branch(branch)}" for branch in question["outcomes_by_answer"]]
        lines.append("")
    return lines


def _branch(branch: dict[str, Any]) -> str:
    return f"{md(branch['answer_label'])} → {md(' / '.join(branch['outcomes']))}"


def _annex(report: dict[str, Any], lang: Lang) -> list[str]:
    """Last, for whoever wants the whole reasoning: the rules still possible that did not decide, and
    the scenarios the short tables left out. Nothing here changes an outcome."""
    phases = [phase for phase in report["phases"] if in_annex(phase)]
    if not phases:
        return []
    lines = [f"## {translate('report.annex', lang)}", "", f"*{md(translate('report.annex_lead', lang))}*", ""]
    for phase in phases:
        lines += [f"### {md(phase['title'])}", ""]
        rules = other_rules(phase)
        if rules:
            lines += [f"#### {translate('reason.others', lang)}", "", md(translate("reason.others_lead", lang)), ""]
            lines += [f"*{md(translate('report.legend', lang))}*", ""]
            for _, rule in rules:
                lines += _rule(rule, lang)
        rest = whatif_split(phase)[1]
        if rest:
            lines += [f"#### {translate('report.more_changes', lang)}", "", *_whatif_table(rest, lang)]
    return lines


def _rule(rule: dict[str, Any], lang: Lang) -> list[str]:
    lines = [f"**{TRUTH_MARK[rule['truth']]} {md(rule['title'])}**", "", md(rule["explanation"]), ""]
    for depth, text in condition_lines(rule["condition"], lang, traced=True, escape=md):
        lines.append("  " * depth + f"- {text}")
    lines.append("")
    if rule["caveat"]:
        lines += [f"*{translate('explain.caveat', lang)}{colon(lang).rstrip()}* {md(rule['caveat'])}", ""]
    return [
        *lines,
        f"{translate('explain.sources', lang)}{colon(lang).rstrip()}",
        "",
        *cited_lines(rule["sources"]),
        "",
    ]


def cited_lines(sources: list[dict[str, Any]]) -> list[str]:
    """One line per citation: the source and its place, then what the text says (the law beside the rule)."""
    return [
        f"- {md_link(s['title'], s['url'])}"
        + (f", {md(s['pinpoint'], block=False)}" if s["pinpoint"] else "")
        + f" — {md(s['summary'], block=False)}"
        for s in sources
    ]


def _caveats(report: dict[str, Any], lang: Lang) -> list[str]:
    lines = [f"## {translate('report.caveats', lang)}", ""]
    lines += [f"- {md(text)}" for text in report["caveats"]]
    if report["rule_caveats"]:
        lines += ["", f"### {translate('report.rule_caveats', lang)}", ""]
        lines += [f"- {md(text)}" for text in report["rule_caveats"]]
    return [*lines, ""]
