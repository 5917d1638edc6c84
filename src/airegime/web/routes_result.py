"""The result page (each phase's regime with reasons, citations and what would change it) and
the re-check of a result saved under an older rule set."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from airegime.edge.deps import EDITOR, KbDep, RepoDep
from airegime.edge.inputs import AssessmentId
from airegime.i18n import translate
from airegime.kb import KnowledgeBase, Lang
from airegime.storage import PhaseSummary
from airegime.storage.reviews import Reviews
from airegime.web import downloads, views
from airegime.web.pages import PageLangDep, render

router = APIRouter()
writes = APIRouter(dependencies=[EDITOR])


@router.get("/a/{assessment_id}/result", response_class=HTMLResponse)
def result(request: Request, assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: PageLangDep) -> HTMLResponse:
    saved = repo.get(assessment_id)
    return render(
        request,
        "result.html",
        saved=saved,
        report=views.result_page(saved, kb, lang),
        stale=saved.is_stale(kb.hash),
        resume=views.resume_link(saved, kb),
        downloads=downloads.links(saved.id),
        review=Reviews(repo).state(assessment_id),  # the review's status and flag (_review.html)
    )


@writes.post("/a/{assessment_id}/recheck", response_class=HTMLResponse)
def recheck(request: Request, assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: PageLangDep) -> HTMLResponse:
    """Evaluate again under the current rules, record it, and show what changed phase by phase."""
    outcome = repo.recheck(assessment_id)
    return render(
        request,
        "recheck.html",
        saved=repo.get(assessment_id),
        recheck=outcome,
        label=lambda summary: summary_label(kb, summary, lang),
    )


def summary_label(kb: KnowledgeBase, summary: PhaseSummary, lang: Lang) -> str:
    """'Regime (status)' for a stored phase; an outcome the current rules no longer know shows its id."""
    outcome = kb.outcome_by_id.get(summary.outcome or "")
    words = outcome.label.get(lang) if outcome else (summary.outcome or "?")
    return f"{words} ({translate('status.' + summary.status, lang)})"
