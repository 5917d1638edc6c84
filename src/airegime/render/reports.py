"""The report functions the command line and the web app call: one result, many formats.

    render_report(kb=kb, assessment=assessment, fmt="pdf", lang="fr") -> bytes

The report is built once (:func:`airegime.render.report_data.build_report`) from
``explain(kb=, system=assessment.system)``; each format only lays it out.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any, Literal

from airegime.engine.explain import explain
from airegime.engine.results import Assessment
from airegime.errors import AiregimeError, msg
from airegime.kb.models import KnowledgeBase, Lang
from airegime.render.report_data import Json, build_report, report_json

ReportFormat = Literal["md", "html", "pdf", "docx", "json"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("md", "html", "pdf", "docx", "json")
MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "svg": "image/svg+xml",
    "png": "image/png",
}
MAX_CHANGES = 3  # counterfactuals: up to three changed answers, as `explain` does by default


def report_dict(
    *,
    kb: KnowledgeBase,
    assessment: Assessment,
    lang: Lang = "fr",
    generated: date | None = None,
    review: Json | None = None,
) -> Json:
    """The report as data (the JSON report's content); ``review``: a saved assessment's (see ``build_report``)."""
    if assessment.rule_set_hash != kb.hash:
        raise AiregimeError(
            msg(
                "error.report.stale",
                version=assessment.rule_set_version,
                hash=assessment.rule_set_hash,
                loaded=kb.version,
                loaded_hash=kb.hash,
            ),
            hint=msg("error.report.stale.hint"),
        )
    explanation = explain(kb=kb, system=assessment.system, max_changes=MAX_CHANGES)
    return build_report(kb=kb, explanation=explanation, lang=lang, generated=generated, review=review)


def report_filename(*, assessment: Assessment, fmt: str, generated: date | None = None) -> str:
    """A safe download name: "airegime-<system>-<date>.<fmt>", ASCII letters, digits and dashes only."""
    from airegime.render.report_data import report_date

    ascii_name = unicodedata.normalize("NFKD", assessment.system.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "system"
    return f"airegime-{slug}-{report_date(generated).isoformat()}.{fmt}"


def render_report(
    *,
    kb: KnowledgeBase,
    assessment: Assessment,
    fmt: ReportFormat,
    lang: Lang = "fr",
    generated: date | None = None,
    diagram: bool = True,
    review: Json | None = None,
) -> bytes:
    """The assessment's report as a file's bytes. ``generated`` fixes the date (default: today).

    ``diagram`` adds the decision diagram with the path taken to HTML and PDF reports; ``review``
    (a saved assessment's) puts its status, reviewer and date on the summary page.
    """
    if fmt not in REPORT_FORMATS:
        raise AiregimeError(
            msg("error.report.format", format=repr(fmt)),
            hint=msg("error.use_one_of", choices=", ".join(REPORT_FORMATS)),
        )
    report = report_dict(kb=kb, assessment=assessment, lang=lang, generated=generated, review=review)
    return render_report_dict(report, fmt=fmt, kb=kb, assessment=assessment if diagram else None)


def render_report_dict(
    report: dict[str, Any], *, fmt: ReportFormat, kb: KnowledgeBase, assessment: Assessment | None = None
) -> bytes:
    """Lay out an already built report; ``assessment`` (optional) draws its path in HTML and PDF."""
    if fmt == "json":
        return report_json(report)
    if fmt == "md":
        from airegime.render.report_markdown import report_markdown

        return report_markdown(report).encode("utf-8")
    if fmt == "docx":
        from airegime.render.word import report_docx

        return report_docx(report)
    if fmt == "html":
        from airegime.render.html import report_html

        svgs = _diagram_svgs(kb, assessment, report["lang"]) if assessment is not None else []
        return report_html(report, diagram_svgs=svgs).encode("utf-8")
    from airegime.render.html import REPORT_WORDS, words
    from airegime.render.pdf import report_pdf

    # The diagram as Graphviz's SVG: Typst draws it as vectors on the landscape page.
    svg = _diagram_svgs(kb, assessment, report["lang"])[0] if assessment is not None else None
    return report_pdf(report, words=words(REPORT_WORDS, report["lang"]), diagram_svg=svg)


def _diagram_svgs(kb: KnowledgeBase, assessment: Assessment, lang: Lang) -> list[str]:
    """The decision diagram narrowed to the paths taken (the full one: `airegime diagram`)."""
    from airegime.render.diagram import decision_diagram

    return [decision_diagram(kb=kb, assessment=assessment, fmt="svg", lang=lang, focus=True).decode("utf-8")]
