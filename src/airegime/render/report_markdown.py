"""The full report in Markdown, read from the report dict (deterministic: same dict, same text)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from airegime.kb.models import Lang
from airegime.render.report_data import unknown_answers, without_controls
from airegime.render.sentences import TRUTH_MARK, condition_lines
from airegime.render.words import w

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


def colon(lang: Lang) -> str:
    return " :" if lang == "fr" else ":"


def report_markdown(report: dict[str, Any]) -> str:
    lang: Lang = report["lang"]
    lines = _head(report, lang)
    lines += _summary(report, lang)
    lines += _answers(report, lang)
    lines += [f"## {w('report.phases', lang)}", ""]
    for phase in report["phases"]:
        lines += _phase(report, phase, lang)
    lines += _next_steps(report, lang)
    lines += _caveats(report, lang)
    lines += [f"## {w('report.citations', lang)}", ""]
    lines += [f"- {md_link(s['title'], s['url'])} — {md(s['summary'], block=False)}" for s in report["sources"]] + [""]
    return "\n".join(lines)


def _head(report: dict[str, Any], lang: Lang) -> list[str]:
    system = report["system"]
    rows = [(w("system", lang), system["name"])]
    if system["organisation"]:
        rows.append((w("organisation", lang), system["organisation"]))
    rows += [
        (w("report.generated", lang), report["generated"]),
        (w("rule_set", lang), f"{report['rule_set']['version']} ({report['rule_set']['hash']})"),
    ]
    lines = [f"# {w('report.title', lang)}", "", md(report["title"]), "", "| | |", "|---|---|"]
    lines += [f"| {md(key)} | {md(value, block=False)} |" for key, value in rows]
    lines += ["", f"> **{w('disclaimer', lang)}.** {md(report['disclaimer'])}", ""]
    if system["description"]:
        lines += [f"## {w('report.description', lang)}", "", md(system["description"]), ""]
    return lines


def _summary(report: dict[str, Any], lang: Lang) -> list[str]:
    header = " | ".join(w(k, lang) for k in ("col.phase", "col.regime", "col.status", "col.reason"))
    lines = [f"## {w('report.summary', lang)}", "", f"| {header} |", "|---|---|---|---|"]
    for row in report["summary"]:
        cells = (row["title"], row["outcome_label"], row["status_label"], row["reason"])
        lines.append("| " + " | ".join(md(cell) for cell in cells) + " |")
    return [*lines, ""]


def _answers(report: dict[str, Any], lang: Lang) -> list[str]:
    lines = [f"## {w('report.answers', lang)}", ""]
    unknown = unknown_answers(report)
    if unknown:
        lines += [f"> ⚠ {md(w('report.unknown_called_out', lang))}", ">"]
        lines += [f"> - {md(text)}" for text in unknown] + [""]
    for group in report["answers"]:
        lines += [f"### {md(group['title'])}", ""]
        for item in group["items"]:
            answer = f"**⚠ {md(item['answer_label'])}**" if item["unknown"] else f"**{md(item['answer_label'])}**"
            lines.append(f"- {md(item['text'])} {answer}")
        if not group["items"]:
            lines.append(f"- {w('report.no_answers', lang)}")
        lines.append("")
    return lines


def _phase(report: dict[str, Any], phase: dict[str, Any], lang: Lang) -> list[str]:
    lines = [f"### {md(phase['title'])} → {md(phase['outcome_label'])}", ""]
    lines += [f"**{w('col.status', lang)}{colon(lang)}** {md(phase['status_label'])}", ""]
    if phase["description"]:
        lines += [md(phase["description"]), ""]
    if phase["outcome_summary"]:
        lines += [md(phase["outcome_summary"]), ""]
    if phase["parts"]:
        lines += [f"**{w('report.parts', lang)}{colon(lang)}**", ""]
        lines += [
            f"- **{md(part['label'])}**{colon(lang)} {md(part['purposes'], block=False)}" for part in phase["parts"]
        ]
        lines.append("")
    if phase["authority"]:
        lines += [f"**{w('report.authority', lang)}{colon(lang)}** {md(phase['authority'])}", ""]
    if phase["competing"]:
        lines += [f"**{w('report.competing', lang)}{colon(lang)}** {md(' / '.join(phase['competing']))}", ""]
    lines += _open_questions(phase, lang)
    lines += [f"#### {w('report.reasons', lang)}", "", f"*{md(w('report.legend', lang))}*", ""]
    for rule in phase["rules"]:
        lines += _rule(rule, lang)
    return lines + _counterfactuals(phase, lang)


def _open_questions(phase: dict[str, Any], lang: Lang) -> list[str]:
    if not phase["open_questions"]:
        return []
    lines = [f"#### {w('report.open_questions', lang)}", ""]
    for question in phase["open_questions"]:
        lines.append(f"- {md(question['text'])}")
        for branch in question["outcomes_by_answer"]:
            lines.append(f"  - {md(branch['answer_label'])} → {md(' / '.join(branch['outcomes']))}")
    return [*lines, ""]


def _rule(rule: dict[str, Any], lang: Lang) -> list[str]:
    lines = [f"**{TRUTH_MARK[rule['truth']]} {md(rule['title'])}**", "", md(rule["explanation"]), ""]
    for depth, text in condition_lines(rule["condition"], lang, traced=True, escape=md):
        lines.append("  " * depth + f"- {text}")
    lines.append("")
    if rule["caveat"]:
        lines += [f"*{w('explain.caveat', lang)}{colon(lang)}* {md(rule['caveat'])}", ""]
    return [*lines, f"{w('explain.sources', lang)}{colon(lang)}", "", *cited_lines(rule["sources"]), ""]


def cited_lines(sources: list[dict[str, Any]]) -> list[str]:
    """One line per citation: the source and its place, then what the text says (the law beside the rule)."""
    return [
        f"- {md_link(s['title'], s['url'])}"
        + (f", {md(s['pinpoint'], block=False)}" if s["pinpoint"] else "")
        + f" — {md(s['summary'], block=False)}"
        for s in sources
    ]


def _counterfactuals(phase: dict[str, Any], lang: Lang) -> list[str]:
    lines = [f"#### {w('explain.would_change', lang)}", ""]
    for change in phase["counterfactuals"]:
        ifs = " ; ".join(f"{md(c['text'])} {md(c['from_label'])} → **{md(c['to_label'])}**" for c in change["changes"])
        lines.append(f"- {w('explain.if', lang)} {ifs} ⇒ **{md(change['outcome_label'])}**")
    if not phase["counterfactuals"]:
        lines.append(md(w("report.none_would_change", lang)))
    return [*lines, ""]


def _next_steps(report: dict[str, Any], lang: Lang) -> list[str]:
    lines = [f"## {w('explain.next_steps', lang)}", ""]
    for group in report["next_steps"]:
        lines += [f"### {md(group['label'])}", "", f"*{md(', '.join(group['phases']))}*", ""]
        lines += [f"- {md_link(step['text'], step['url'])}" for step in group["steps"]] + [""]
    return lines


def _caveats(report: dict[str, Any], lang: Lang) -> list[str]:
    lines = [f"## {w('report.caveats', lang)}", ""]
    lines += [f"- {md(text)}" for text in report["caveats"]]
    if report["rule_caveats"]:
        lines += ["", f"### {w('report.rule_caveats', lang)}", ""]
        lines += [f"- {md(text)}" for text in report["rule_caveats"]]
    return [*lines, ""]
