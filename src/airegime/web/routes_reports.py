"""Reports of a saved assessment (Markdown, HTML, PDF, Word, JSON), its decision diagram with the
path it took, and the method page (the full rule diagram and the methodology document).

Thin: the render library lays everything out; these routes pick the assessment and the language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from airegime.edge.deps import KbDep, RepoDep
from airegime.edge.inputs import AssessmentId
from airegime.engine.evaluate import evaluate
from airegime.engine.results import Assessment
from airegime.errors import AiregimeError
from airegime.i18n import translate
from airegime.kb import KnowledgeBase
from airegime.render.diagram import decision_diagram
from airegime.render.methodology import render_methodology
from airegime.render.reports import REPORT_FORMATS, render_report, report_filename
from airegime.storage import Repository
from airegime.storage.evidence import read_with_evidence, with_evidence
from airegime.storage.reviews import Reviews
from airegime.web import downloads
from airegime.web.pages import PageLangDep, error, render

router = APIRouter()
log = logging.getLogger("airegime.web")
METHODOLOGY_FORMATS = ("html", "pdf", "md")


def current_assessment(repo: Repository, kb: KnowledgeBase, assessment_id: int) -> Assessment:
    """The saved assessment evaluated under the loaded rules (as the result page shows it), its
    descriptor carrying the notes and evidence of its answers (for the reports' appendix)."""
    saved, _result, found = read_with_evidence(repo, assessment_id)
    return evaluate(kb=kb, system=with_evidence(saved.system(), saved, found))


@router.get("/a/{assessment_id}/report.{fmt}")
def report(
    request: Request, assessment_id: AssessmentId, fmt: str, repo: RepoDep, kb: KbDep, lang: PageLangDep
) -> Response:
    if fmt not in REPORT_FORMATS:
        return error(request, 404, "not_found")
    assessment = current_assessment(repo, kb, assessment_id)
    try:
        review = Reviews(repo).state(assessment_id).to_report()  # status, reviewer, date on the summary page
        body = render_report(kb=kb, assessment=assessment, fmt=fmt, lang=lang, review=review)
    except Exception as failure:  # a report that cannot be drawn must not look like a crash
        return render_failed(request, failure)
    repo.record("report.downloaded", assessment_id, fmt)
    return downloads.attachment(body, fmt=fmt, filename=report_filename(assessment=assessment, fmt=fmt))


@router.get("/a/{assessment_id}/diagram.svg")
def assessment_diagram(
    request: Request, assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: PageLangDep, full: bool = False
) -> Response:
    """The decision diagram with this assessment's paths in orange (``full``: every branch, not only the path)."""
    assessment = current_assessment(repo, kb, assessment_id)
    return svg(request, lambda: decision_diagram(kb=kb, assessment=assessment, fmt="svg", lang=lang, focus=not full))


@router.get("/method", response_class=HTMLResponse)
def method(request: Request) -> HTMLResponse:
    return render(request, "method.html", formats=METHODOLOGY_FORMATS)


@router.get("/method/diagram.svg")
def rules_diagram(request: Request, kb: KbDep, lang: PageLangDep) -> Response:
    return svg(request, lambda: decision_diagram(kb=kb, fmt="svg", lang=lang))


@router.get("/method/methodology.{fmt}")
def methodology(request: Request, fmt: str, kb: KbDep, lang: PageLangDep) -> Response:
    if fmt not in METHODOLOGY_FORMATS:
        return error(request, 404, "not_found")
    chosen: Literal["html", "pdf", "md"] = "html" if fmt == "html" else "pdf" if fmt == "pdf" else "md"
    try:
        body = render_methodology(kb=kb, fmt=chosen, lang=lang)
    except Exception as failure:
        return render_failed(request, failure)
    name = f"airegime-{translate('file.methodology', lang)}-{kb.version}.{fmt}"
    return downloads.attachment(body, fmt=fmt, filename=name)


def svg(request: Request, draw: Callable[[], bytes]) -> Response:
    try:
        body = draw()
    except Exception as failure:
        return render_failed(request, failure)
    # Shown through <img>, so nothing in the SVG runs in the page. Not cached: the path changes with
    # every answer, and the words with the language cookie, at the same address; and it shows the answers.
    return Response(body, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


def render_failed(request: Request, failure: Exception) -> HTMLResponse:
    """A clear page when a document cannot be produced (e.g. an extra not installed), logged for the admin."""
    log.exception("could not render %s", request.url.path, exc_info=failure)
    known = failure if isinstance(failure, AiregimeError) else None
    return error(request, 500, "render", error=known)
