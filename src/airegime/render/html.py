"""HTML views (report and methodology) from Jinja2 templates, every value escaped.

The words (headings, labels) are shared with the PDF views (templates/*.typ, see pdf.py).
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from airegime.i18n import translate
from airegime.kb.models import Lang
from airegime.render.report_data import unknown_answers, without_controls
from airegime.render.report_markdown import WHATIF_SHOWN, if_answer, open_points, other_rules
from airegime.render.sentences import TRUTH_MARK, condition_lines
from airegime.render.summary import colon

TEMPLATES = Path(__file__).parent / "templates"
REPORT_WORDS = {
    "title": "report.title",
    "generated": "report.generated",
    "description": "report.description",
    "summary": "report.summary",
    "answers": "report.answers",
    "unknown_called_out": "report.unknown_called_out",
    "no_answers": "report.no_answers",
    "phases": "report.phases",
    "authority": "report.authority",
    "competing": "report.competing",
    "parts": "report.parts",
    "open_questions": "report.open_questions",
    "reasons": "report.reasons",
    "legend": "report.legend",
    "none_would_change": "report.none_would_change",
    "citations": "report.citations",
    "caveats": "report.caveats",
    "rule_caveats": "report.rule_caveats",
    "diagram": "report.diagram",
    "page": "report.page",
    "system": "system",
    "organisation": "organisation",
    "rule_set": "rule_set",
    "disclaimer": "disclaimer",
    "phase": "col.phase",
    "regime": "col.regime",
    "status": "col.status",
    "reason": "col.reason",
    "caveat": "explain.caveat",
    "sources": "explain.sources",
    "would_change": "explain.would_change",
    "next_steps": "explain.next_steps",
    "if_": "explain.if",
    "at_a_glance": "report.at_a_glance",
    "open_points": "report.open_points",
    "no_open_points": "report.no_open_points",
    "unknown_point": "report.unknown_point",
    "and_": "report.and",
    "more_changes": "report.more_changes",
    "annex": "report.annex",
    "annex_lead": "report.annex_lead",
    "undetermined_lead": "report.undetermined_lead",
    "reason_title": "reason.title",
    "reason_answers": "reason.answers",
    "others": "reason.others",
    "others_lead": "reason.others_lead",
    "settle_first": "next.title",
    "other_questions": "next.others",
    "if_answer": "whatif.if_answer",
    "would_be": "whatif.regime",
    "evidence": "evidence.report_title",
    "evidence_note": "evidence.report_note",
    "evidence_items": "evidence.report_items",
}


def _printable(value: object) -> object:
    """Control characters (a bell in a description…) have no glyph: drop them from every value."""
    if isinstance(value, Markup):  # the template's own markup (a macro's output): already safe
        return value
    return without_controls(value) if isinstance(value, str) else value


@cache
def environment() -> Environment:
    return Environment(
        finalize=_printable,
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def words(keys: dict[str, str], lang: Lang) -> dict[str, str]:
    found = {name: translate(key, lang) for name, key in keys.items()}
    found["colon"] = colon(lang).rstrip()
    return found


def svg_data_uri(svg: str) -> str:
    """An SVG as an image address: shown by browsers, never run as part of the page."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def report_html(report: dict[str, Any], *, diagram_svgs: list[str] | None = None) -> str:
    """The report as a standalone HTML page (inline styles; the diagram as an embedded image)."""
    lang: Lang = report["lang"]
    return _page(
        "report.html.j2",
        REPORT_WORDS,
        lang,
        diagram_svgs,
        r=report,
        marks=TRUTH_MARK,
        unknown=unknown_answers(report),
        points=open_points(report),
        shown=WHATIF_SHOWN,
        if_answer=lambda change: if_answer(change, lang),
        other_rules=other_rules,
        conditions=lambda node: condition_lines(node, lang, traced=True),
    )


METHOD_WORDS = {
    "title": "method.title",
    "intro": "method.intro",
    "how": "method.how",
    "how_text": "method.how_text",
    "questions": "method.questions",
    "scope": "method.scope",
    "allowed": "method.allowed",
    "examples": "method.examples",
    "rules": "method.rules",
    "rules_for": "method.rules_for",
    "applies_when": "method.applies_when",
    "leads_to": "method.leads_to",
    "outcomes": "method.outcomes",
    "case_by_case": "method.case_by_case",
    "case_by_case_text": "method.case_by_case_text",
    "general_caveats": "method.general_caveats",
    "sources_title": "method.sources",
    "diagram": "method.diagram",
    "authority": "report.authority",
    "competing": "report.competing",
    "parts": "report.parts",
    "page": "report.page",
    "rule_set": "rule_set",
    "disclaimer": "disclaimer",
    "caveat": "explain.caveat",
    "sources": "explain.sources",
}


def methodology_html(data: dict[str, Any], *, diagram_svgs: list[str] | None = None) -> str:
    lang: Lang = data["lang"]
    return _page(
        "methodology.html.j2",
        METHOD_WORDS,
        lang,
        diagram_svgs,
        m=data,
        conditions=lambda node: condition_lines(node, lang, traced=False),
    )


def _page(template: str, keys: dict[str, str], lang: Lang, diagram_svgs: list[str] | None, **context: Any) -> str:
    """A standalone page: ``template`` with its words in ``lang`` and the diagrams as embedded images."""
    uris = [svg_data_uri(svg) for svg in diagram_svgs or []]
    return environment().get_template(template).render(words=words(keys, lang), diagram_uris=uris, **context)
