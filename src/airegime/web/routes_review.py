"""Review and approval pages, the approved version, and the archive.

``router`` shows (any role); ``writes`` takes a review step (editors send; approving and returning
need an admin, checked here: 403); ``archive`` lists, restores and purges archived assessments
(admins: ``/archive`` is admin-only in ``edge.access``). Archived assessments open nowhere else:
every other page answers 404 until an admin restores them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from airegime.edge.deps import ADMIN, EDITOR, CurrentUser, KbDep, RepoDep
from airegime.edge.inputs import AssessmentId
from airegime.engine.explain import explain
from airegime.errors import AccessDenied, NotFoundError, ReviewStateError, StorageError
from airegime.i18n import N_
from airegime.render.report_data import build_report
from airegime.storage import PhaseSummary, Repository
from airegime.storage.accounts import Principal
from airegime.storage.reviews import Reviews
from airegime.system import System
from airegime.web.pages import PageLangDep, error, render, see_other

router = APIRouter()
writes = APIRouter(dependencies=[EDITOR])
archive = APIRouter(dependencies=[ADMIN])
Opinion = Annotated[str, Form(max_length=20_000)]


@router.get("/a/{assessment_id}/approval", response_class=HTMLResponse)
def approval_page(request: Request, assessment_id: AssessmentId, repo: RepoDep) -> HTMLResponse:
    return _page(request, repo, assessment_id)


def _page(request: Request, repo: Repository, assessment_id: int, status: int = 200, problem: str = "") -> HTMLResponse:
    return render(
        request,
        "approval.html",
        status,
        saved=repo.get(assessment_id),
        review=Reviews(repo).state(assessment_id),
        problem=problem,
    )


@writes.post("/a/{assessment_id}/approval/submit", response_class=HTMLResponse)
def submit(
    request: Request, assessment_id: AssessmentId, repo: RepoDep, principal: CurrentUser, opinion: Opinion = ""
) -> Response:
    """Send a draft for review (editors), with an optional message."""
    return _step(request, repo, principal, assessment_id, "submit", opinion)


@writes.post("/a/{assessment_id}/approval/approve", response_class=HTMLResponse)
def approve(
    request: Request, assessment_id: AssessmentId, repo: RepoDep, principal: CurrentUser, opinion: Opinion = ""
) -> Response:
    """Approve with a written opinion (admins)."""
    return _step(request, repo, principal, assessment_id, "approve", opinion)


@writes.post("/a/{assessment_id}/approval/return", response_class=HTMLResponse)
def return_to_draft(
    request: Request, assessment_id: AssessmentId, repo: RepoDep, principal: CurrentUser, opinion: Opinion = ""
) -> Response:
    """Return to draft with a reason (admins)."""
    return _step(request, repo, principal, assessment_id, "return", opinion)


def _step(
    request: Request, repo: RepoDep, principal: Principal, assessment_id: int, action: str, opinion: str
) -> Response:
    reviews = Reviews(repo)
    if action != "submit" and not principal.can("admin"):
        reviews.state(assessment_id)  # another organisation's: 404 before 403
        raise AccessDenied(403, "role")
    try:
        if action == "submit":
            reviews.submit(assessment_id, opinion)
        elif action == "approve":
            reviews.approve(assessment_id, opinion)
        else:
            reviews.return_to_draft(assessment_id, opinion)
    except ReviewStateError:
        return _page(request, repo, assessment_id, 409, N_("review.problem.state"))
    except NotFoundError:
        raise
    except StorageError:  # no opinion, or too long
        return _page(request, repo, assessment_id, 400, N_("review.problem.opinion"))
    return see_other(f"/a/{assessment_id}/approval")


@router.get("/a/{assessment_id}/approved", response_class=HTMLResponse)
def approved_page(
    request: Request, assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: PageLangDep, review: int = 0
) -> HTMLResponse:
    """The approved version (the latest, or ``?review=`` an earlier approval), as it was approved."""
    version = Reviews(repo).approved_version(assessment_id, review or None)
    system = System.model_validate(version.descriptor)
    same_rules = version.result.rule_set_hash == kb.hash
    report = build_report(kb=kb, explanation=explain(kb=kb, system=system), lang=lang) if same_rules else None
    return render(
        request,
        "approved.html",
        saved=repo.get(assessment_id),
        version=version,
        system=system,
        report=report,
        summary=[PhaseSummary.of(p) for p in version.result.phases],
    )


@archive.get("/archive", response_class=HTMLResponse)
def archive_page(request: Request, repo: RepoDep) -> HTMLResponse:
    return render(request, "archive.html", archived=Reviews(repo).archived())


@archive.post("/archive/{assessment_id}/restore")
def restore(assessment_id: AssessmentId, repo: RepoDep) -> Response:
    Reviews(repo).restore(assessment_id)
    return see_other(f"/a/{assessment_id}/result")


@archive.get("/archive/{assessment_id}/purge", response_class=HTMLResponse)
def confirm_purge(request: Request, assessment_id: AssessmentId, repo: RepoDep) -> HTMLResponse:
    found = next((a for a in Reviews(repo).archived() if a.id == assessment_id), None)
    if found is None:
        return error(request, 404, "not_found")
    return render(request, "purge.html", item=found)


@archive.post("/archive/{assessment_id}/purge")
def purge(assessment_id: AssessmentId, repo: RepoDep) -> Response:
    Reviews(repo).purge(assessment_id)
    return see_other("/archive?purged=1")
