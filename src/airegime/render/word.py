"""The report as an editable Word document (.docx), with real headings, lists and tables."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

from airegime.i18n import translate
from airegime.kb.models import Lang
from airegime.render.report_data import unknown_answers
from airegime.render.report_markdown import (
    if_answer,
    in_annex,
    more_changes_note,
    open_points,
    other_rules,
    whatif_split,
)
from airegime.render.sentences import TRUTH_MARK, condition_lines
from airegime.render.summary import colon, phase_table_headings

# XML 1.0 forbids most control characters: a descriptor may hold them, a .docx may not.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def report_docx(report: dict[str, Any]) -> bytes:
    from docx import Document  # heavy: imported only when a Word file is asked for
    from docx.shared import Pt

    lang: Lang = report["lang"]
    document = Document()
    document.styles["Normal"].font.name = "DejaVu Sans"
    document.styles["Normal"].font.size = Pt(10)
    _properties(document, report)
    _head(document, report, lang)
    _summary(document, report, lang)
    document.add_heading(translate("report.phases", lang), level=1)
    for phase in report["phases"]:
        _phase(document, phase, lang)
    _answers(document, report, lang)
    _evidence(document, report, lang)
    _closing(document, report, lang)
    _annex(document, report, lang)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _properties(document: Any, report: dict[str, Any]) -> None:
    """Fixed metadata (title, date): the same report gives the same document properties."""
    properties = document.core_properties
    properties.title = clean(f"{translate('report.title', report['lang'])} — {report['system']['name']}")[:255]
    properties.author = "airegime"
    stamp = datetime.fromisoformat(report["generated"])
    properties.created = stamp
    properties.modified = stamp


def _table(document: Any, header: list[str] | None, rows: list[list[str]]) -> Any:
    table = document.add_table(rows=0, cols=len(rows[0]) if rows else len(header or []))
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(clean(text)).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = clean(text)
    return table


def _para(document: Any, text: str, *, bold_prefix: str = "", style: str | None = None) -> Any:
    paragraph = document.add_paragraph(style=style)
    if bold_prefix:
        paragraph.add_run(clean(bold_prefix)).bold = True
    paragraph.add_run(clean(text))
    return paragraph


def _head(document: Any, report: dict[str, Any], lang: Lang) -> None:
    system = report["system"]
    document.add_heading(translate("report.title", lang), level=0)
    _para(document, report["title"])
    rows = [[translate("system", lang), system["name"]]]
    if system["organisation"]:
        rows.append([translate("organisation", lang), system["organisation"]])
    rows += [
        [translate("report.generated", lang), report["generated"]],
        [translate("rule_set", lang), f"{report['rule_set']['version']} ({report['rule_set']['hash']})"],
    ]
    if "review" in report:  # a saved assessment's review status, reviewer and date
        rows.append([report["review"]["label"], report["review"]["line"]])
    _table(document, None, rows)


def _summary(document: Any, report: dict[str, Any], lang: Lang) -> None:
    """Page 1: the system, each phase's regime and why, what is open, what to do next."""
    document.add_heading(translate("report.summary", lang), level=1)
    if report["system"]["description"]:
        _para(document, report["system"]["description"])
    document.add_heading(translate("report.at_a_glance", lang), level=2)
    header = phase_table_headings(lang)
    rows = [[r["title"], r["outcome_label"], r["status_label"], r["reason"]] for r in report["summary"]]
    _table(document, header, rows)
    document.add_heading(translate("report.open_points", lang), level=2)
    for point in open_points(report):
        _para(document, point, bold_prefix="⚠ ", style="List Bullet")
    if not open_points(report):
        _para(document, translate("report.no_open_points", lang))
    if report["next_steps"]:
        document.add_heading(translate("explain.next_steps", lang), level=2)
        for group in report["next_steps"]:
            _para(document, ", ".join(group["phases"]), bold_prefix=f"{group['label']} — ")
            for step in group["steps"]:
                _para(document, step["text"] + (f" <{step['url']}>" if step["url"] else ""), style="List Bullet")
    _para(document, report["disclaimer"], bold_prefix=translate("disclaimer", lang) + ". ")
    document.add_page_break()  # the summary is page 1, the details follow


def _answers(document: Any, report: dict[str, Any], lang: Lang) -> None:
    document.add_heading(translate("report.answers", lang), level=1)
    unknown = unknown_answers(report)
    if unknown:
        _para(document, translate("report.unknown_called_out", lang), bold_prefix="⚠ ")
        for text in unknown:
            _para(document, text, style="List Bullet")
    for group in report["answers"]:
        document.add_heading(clean(group["title"]), level=2)
        rows = [[i["text"], ("⚠ " if i["unknown"] else "") + i["answer_label"]] for i in group["items"]]
        if rows:
            _table(document, None, rows)
        else:
            _para(document, translate("report.no_answers", lang))


def _evidence(document: Any, report: dict[str, Any], lang: Lang) -> None:
    """Each answer's note and evidence (files by name, type and size; links with their address)."""
    if not report.get("evidence"):
        return
    document.add_heading(translate("evidence.report_title", lang), level=1)
    for group in report["evidence"]:
        document.add_heading(clean(group["title"]), level=2)
        for item in group["items"]:
            _para(document, item["text"], bold_prefix="")
            if item["note"]:
                _para(document, item["note"], bold_prefix=translate("evidence.report_note", lang) + colon(lang))
            for ref in item["evidence"]:
                shown = f"{ref['label']} — {ref['address']}" if ref.get("address") else ref["label"]
                _para(document, shown, bold_prefix=translate("evidence.report_items", lang) + colon(lang))


def _phase(document: Any, phase: dict[str, Any], lang: Lang) -> None:
    """A phase, reason first (an undetermined one: the questions to settle first)."""
    document.add_heading(clean(f"{phase['title']} — {phase['headline']}"), level=2)
    _para(document, phase["status_label"], bold_prefix=translate("col.status", lang) + colon(lang))
    if phase["description"]:
        _para(document, phase["description"])
    if phase["outcome_summary"]:
        _para(document, phase["outcome_summary"])
    if phase["parts"]:
        _para(document, "", bold_prefix=translate("report.parts", lang) + colon(lang).rstrip())
        for part in phase["parts"]:
            _para(document, part["purposes"], bold_prefix=part["label"] + colon(lang), style="List Bullet")
    if phase["authority"]:
        _para(document, phase["authority"], bold_prefix=translate("report.authority", lang) + colon(lang))
    if phase["competing"]:
        _para(document, " / ".join(phase["competing"]), bold_prefix=translate("report.competing", lang) + colon(lang))
    deciding = phase["deciding"]
    if deciding:
        document.add_heading(translate("reason.title", lang), level=3)
        _para(document, "", bold_prefix=deciding["sentence"])
        _para(document, deciding["explanation"])
        if deciding["caveat"]:
            _para(document, deciding["caveat"], bold_prefix=translate("explain.caveat", lang) + colon(lang))
        _sources(document, deciding["sources"], lang)
        document.add_heading(translate("reason.answers", lang), level=3)
        for answer in deciding["answers"]:
            _para(document, answer["answer_label"], bold_prefix=answer["short"] + colon(lang), style="List Bullet")
    else:
        _para(document, translate("report.undetermined_lead", lang))
        for index, question in enumerate(phase["open_questions"]):
            if index < 2:
                title = translate("next.title" if index == 0 else "next.others", lang)
                document.add_heading(("⚠ " if index == 0 else "") + title, level=3)
            _para(document, "", bold_prefix=question["text"])
            for branch in question["outcomes_by_answer"]:
                _para(document, f"{branch['answer_label']} → {' / '.join(branch['outcomes'])}", style="List Bullet")
    document.add_heading(translate("explain.would_change", lang), level=3)
    shown, rest = whatif_split(phase)
    if shown:
        _whatif_table(document, shown, lang)
    else:
        _para(document, translate("report.none_would_change", lang))
    if rest:
        _para(document, more_changes_note(len(rest), lang))


def _whatif_table(document: Any, changes: list[dict[str, Any]], lang: Lang) -> None:
    header = [translate("whatif.if_answer", lang), translate("whatif.regime", lang)]
    _table(document, header, [[if_answer(change, lang), change["outcome_label"]] for change in changes])


def _sources(document: Any, sources: list[dict[str, Any]], lang: Lang) -> None:
    _para(document, "", bold_prefix=translate("explain.sources", lang) + colon(lang).rstrip())
    for s in sources:
        place = f"{s['title']}{', ' + s['pinpoint'] if s['pinpoint'] else ''}"
        _para(document, f"{place} — {s['summary']} <{s['url']}>", style="List Bullet")


def _annex(document: Any, report: dict[str, Any], lang: Lang) -> None:
    """Last: the rules that did not decide and the other scenarios, for whoever wants the whole reasoning."""
    phases = [phase for phase in report["phases"] if in_annex(phase)]
    if not phases:
        return
    document.add_heading(translate("report.annex", lang), level=1)
    _para(document, translate("report.annex_lead", lang))
    for phase in phases:
        document.add_heading(clean(phase["title"]), level=2)
        rules = other_rules(phase)
        if rules:
            document.add_heading(translate("reason.others", lang), level=3)
            _para(document, translate("reason.others_lead", lang))
            _para(document, translate("report.legend", lang))
            for _, rule in rules:
                _rule(document, rule, lang)
        rest = whatif_split(phase)[1]
        if rest:
            document.add_heading(translate("report.more_changes", lang), level=3)
            _whatif_table(document, rest, lang)


def _rule(document: Any, rule: dict[str, Any], lang: Lang) -> None:
    _para(document, "", bold_prefix=f"{TRUTH_MARK[rule['truth']]} {rule['title']}")
    _para(document, rule["explanation"])
    for depth, text in condition_lines(rule["condition"], lang, traced=True):
        _para(document, text, style="List Bullet" if depth == 0 else "List Bullet 2" if depth == 1 else "List Bullet 3")
    if rule["caveat"]:
        _para(document, rule["caveat"], bold_prefix=translate("explain.caveat", lang) + colon(lang))
    _sources(document, rule["sources"], lang)


def _closing(document: Any, report: dict[str, Any], lang: Lang) -> None:
    document.add_heading(translate("report.caveats", lang), level=1)
    for text in report["caveats"] + report["rule_caveats"]:
        _para(document, text, style="List Bullet")
    document.add_heading(translate("report.citations", lang), level=1)
    for source in report["sources"]:
        _para(document, f"{source['title']} — {source['summary']} <{source['url']}>", style="List Bullet")
