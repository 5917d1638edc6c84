"""The report as an editable Word document (.docx), with real headings, lists and tables."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

from airegime.kb.models import Lang
from airegime.render.report_data import unknown_answers
from airegime.render.sentences import TRUTH_MARK, condition_lines
from airegime.render.words import w

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
    _answers(document, report, lang)
    document.add_heading(w("report.phases", lang), level=1)
    for phase in report["phases"]:
        _phase(document, report, phase, lang)
    _closing(document, report, lang)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _properties(document: Any, report: dict[str, Any]) -> None:
    """Fixed metadata (title, date): the same report gives the same document properties."""
    properties = document.core_properties
    properties.title = clean(f"{w('report.title', report['lang'])} — {report['system']['name']}")[:255]
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


def _colon(lang: Lang) -> str:
    return " : " if lang == "fr" else ": "


def _head(document: Any, report: dict[str, Any], lang: Lang) -> None:
    system = report["system"]
    document.add_heading(w("report.title", lang), level=0)
    _para(document, report["title"])
    rows = [[w("system", lang), system["name"]]]
    if system["organisation"]:
        rows.append([w("organisation", lang), system["organisation"]])
    rows += [
        [w("report.generated", lang), report["generated"]],
        [w("rule_set", lang), f"{report['rule_set']['version']} ({report['rule_set']['hash']})"],
    ]
    _table(document, None, rows)
    _para(document, report["disclaimer"], bold_prefix=w("disclaimer", lang) + ". ")
    if system["description"]:
        document.add_heading(w("report.description", lang), level=1)
        _para(document, system["description"])


def _summary(document: Any, report: dict[str, Any], lang: Lang) -> None:
    document.add_heading(w("report.summary", lang), level=1)
    header = [w(k, lang) for k in ("col.phase", "col.regime", "col.status", "col.reason")]
    rows = [[r["title"], r["outcome_label"], r["status_label"], r["reason"]] for r in report["summary"]]
    _table(document, header, rows)


def _answers(document: Any, report: dict[str, Any], lang: Lang) -> None:
    document.add_heading(w("report.answers", lang), level=1)
    unknown = unknown_answers(report)
    if unknown:
        _para(document, w("report.unknown_called_out", lang), bold_prefix="⚠ ")
        for text in unknown:
            _para(document, text, style="List Bullet")
    for group in report["answers"]:
        document.add_heading(clean(group["title"]), level=2)
        rows = [[i["text"], ("⚠ " if i["unknown"] else "") + i["answer_label"]] for i in group["items"]]
        if rows:
            _table(document, None, rows)
        else:
            _para(document, w("report.no_answers", lang))


def _phase(document: Any, report: dict[str, Any], phase: dict[str, Any], lang: Lang) -> None:
    document.add_heading(clean(f"{phase['title']} → {phase['outcome_label']}"), level=2)
    _para(document, phase["status_label"], bold_prefix=w("col.status", lang) + _colon(lang))
    if phase["description"]:
        _para(document, phase["description"])
    if phase["outcome_summary"]:
        _para(document, phase["outcome_summary"])
    if phase["parts"]:
        _para(document, "", bold_prefix=w("report.parts", lang) + _colon(lang).rstrip())
        for part in phase["parts"]:
            _para(document, part["purposes"], bold_prefix=part["label"] + _colon(lang), style="List Bullet")
    if phase["authority"]:
        _para(document, phase["authority"], bold_prefix=w("report.authority", lang) + _colon(lang))
    if phase["competing"]:
        _para(document, " / ".join(phase["competing"]), bold_prefix=w("report.competing", lang) + _colon(lang))
    if phase["open_questions"]:
        document.add_heading(w("report.open_questions", lang), level=3)
        for question in phase["open_questions"]:
            _para(document, question["text"], style="List Bullet")
            for branch in question["outcomes_by_answer"]:
                _para(document, f"{branch['answer_label']} → {' / '.join(branch['outcomes'])}", style="List Bullet 2")
    document.add_heading(w("report.reasons", lang), level=3)
    _para(document, w("report.legend", lang))
    for rule in phase["rules"]:
        _rule(document, rule, lang)
    document.add_heading(w("explain.would_change", lang), level=3)
    for change in phase["counterfactuals"]:
        ifs = " ; ".join(f"{c['text']} {c['from_label']} → {c['to_label']}" for c in change["changes"])
        _para(document, f"{w('explain.if', lang)} {ifs} ⇒ {change['outcome_label']}", style="List Bullet")
    if not phase["counterfactuals"]:
        _para(document, w("report.none_would_change", lang))


def _rule(document: Any, rule: dict[str, Any], lang: Lang) -> None:
    _para(document, "", bold_prefix=f"{TRUTH_MARK[rule['truth']]} {rule['title']}")
    _para(document, rule["explanation"])
    for depth, text in condition_lines(rule["condition"], lang, traced=True):
        _para(document, text, style="List Bullet" if depth == 0 else "List Bullet 2" if depth == 1 else "List Bullet 3")
    if rule["caveat"]:
        _para(document, rule["caveat"], bold_prefix=w("explain.caveat", lang) + _colon(lang))
    _para(document, "", bold_prefix=w("explain.sources", lang) + _colon(lang).rstrip())
    for s in rule["sources"]:
        place = f"{s['title']}{', ' + s['pinpoint'] if s['pinpoint'] else ''}"
        _para(document, f"{place} — {s['summary']} <{s['url']}>", style="List Bullet")


def _closing(document: Any, report: dict[str, Any], lang: Lang) -> None:
    if report["next_steps"]:
        document.add_heading(w("explain.next_steps", lang), level=1)
        for group in report["next_steps"]:
            document.add_heading(clean(group["label"]), level=2)
            _para(document, ", ".join(group["phases"]))
            for step in group["steps"]:
                _para(document, step["text"] + (f" <{step['url']}>" if step["url"] else ""), style="List Bullet")
    document.add_heading(w("report.caveats", lang), level=1)
    for text in report["caveats"] + report["rule_caveats"]:
        _para(document, text, style="List Bullet")
    document.add_heading(w("report.citations", lang), level=1)
    for source in report["sources"]:
        _para(document, f"{source['title']} — {source['summary']} <{source['url']}>", style="List Bullet")
