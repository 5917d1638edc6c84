"""Sharing an assessment with someone outside the organisation: editors make read-only links that
expire (1 to 30 days) and revoke them (``writes``); members see them (``router``); the public
page ``/shared/{token}`` shows the result, read-only, without a login (``public``), and offers
the self-contained HTML report. Expired or revoked links get a clear 410 page, unknown ones 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from airegime.edge.access import client_address
from airegime.edge.deps import EDITOR, KbDep, RepoDep
from airegime.edge.inputs import AssessmentId, RecordId
from airegime.engine.evaluate import evaluate
from airegime.engine.explain import explain
from airegime.errors import DescriptorError
from airegime.i18n import N_
from airegime.render.report_data import build_report
from airegime.render.reports import render_report, report_filename
from airegime.storage import Repository
from airegime.storage.sharing import MAX_DAYS, MIN_DAYS, SHARED_ACTOR, Opened, ShareLinks, open_link
from airegime.web import downloads
from airegime.web.pages import PageLangDep, render

router = APIRouter()
writes = APIRouter(dependencies=[EDITOR])
public = APIRouter()  # no login: the token is the key (edge.access.PUBLIC lists /shared/)
NOINDEX = {"X-Robots-Tag": "noindex, nofollow"}  # and a robots meta tag; the referrer stays same-origin
DEFAULT_DAYS = 7


def share_page(
    request: Request, assessment_id: int, repo: Repository, *, status: int = 200, new: str = "", problem: str = ""
) -> HTMLResponse:
    saved = repo.get(assessment_id)
    return render(
        request,
        "share.html",
        status,
        saved=saved,
        links=ShareLinks(repo).list(assessment_id),
        new_link=str(request.base_url).rstrip("/") + f"/shared/{new}" if new else "",
        min_days=MIN_DAYS,
        max_days=MAX_DAYS,
        default_days=DEFAULT_DAYS,
        problem=problem,
    )


@router.get("/a/{assessment_id}/share", response_class=HTMLResponse)
def share(request: Request, assessment_id: AssessmentId, repo: RepoDep) -> HTMLResponse:
    return share_page(request, assessment_id, repo)


@writes.post("/a/{assessment_id}/share", response_class=HTMLResponse)
def create_link(
    request: Request, assessment_id: AssessmentId, repo: RepoDep, days: Annotated[str, Form(max_length=10)] = ""
) -> HTMLResponse:
    """A new link, shown this once (only its digest is kept)."""
    try:
        token, _link = ShareLinks(repo).create(assessment_id, days=int(days) if days.strip().isdigit() else 0)
    except DescriptorError:
        return share_page(request, assessment_id, repo, status=400, problem="sharing.bad_days")
    return share_page(request, assessment_id, repo, new=token)


@writes.post("/a/{assessment_id}/share/{link_id}/revoke", response_class=HTMLResponse)
def revoke_link(request: Request, assessment_id: AssessmentId, link_id: RecordId, repo: RepoDep) -> HTMLResponse:
    ShareLinks(repo).revoke(assessment_id, link_id)
    return share_page(request, assessment_id, repo)


async def opened(request: Request, token: str) -> tuple[Opened | None, Repository | None]:
    """The link and a repository scoped to its organisation (acting as the link), or Nones."""
    base: Repository = request.app.state.repo
    found = await run_in_threadpool(open_link, base.engine, token, address=client_address(request))
    if found is None or found.state != "active":
        return found, None
    return found, base.scoped(found.organisation_id, actor=SHARED_ACTOR, address=client_address(request))


def gone(request: Request, found: Opened | None) -> HTMLResponse:
    """404 for no such link; 410 for one expired or revoked, saying which."""
    state = found.state if found else "unknown"
    response = render(request, "shared_gone.html", 404 if found is None else 410, state=state)
    response.headers.update(NOINDEX)
    return response


@public.get("/shared/{token}", response_class=HTMLResponse)
async def shared(request: Request, token: str, kb: KbDep, lang: PageLangDep) -> HTMLResponse:
    found, repo = await opened(request, token)
    if found is None or repo is None:
        return gone(request, found)
    saved = await run_in_threadpool(repo.get, found.assessment_id)
    report = build_report(kb=kb, explanation=explain(kb=kb, system=saved.system()), lang=lang)
    response = render(request, "shared.html", saved=saved, report=report, token=token, expires_at=found.link.expires_at)
    response.headers.update(NOINDEX)
    return response


@public.get("/shared/{token}/report.html")
async def shared_report(request: Request, token: str, kb: KbDep, lang: PageLangDep) -> Response:
    """The self-contained HTML report of the shared assessment, to keep."""
    found, repo = await opened(request, token)
    if found is None or repo is None:
        return gone(request, found)
    saved = await run_in_threadpool(repo.get, found.assessment_id)
    assessment = evaluate(kb=kb, system=saved.system())
    body = await run_in_threadpool(render_report, kb=kb, assessment=assessment, fmt="html", lang=lang)
    response = downloads.attachment(body, fmt="html", filename=report_filename(assessment=assessment, fmt="html"))
    response.headers.update(NOINDEX)
    return response


# Ids the sharing templates build from a value (share.html, shared_gone.html).
DYNAMIC_IDS = (
    N_("sharing.bad_days"),
    N_("sharing.state.active"),
    N_("sharing.state.expired"),
    N_("sharing.state.revoked"),
    N_("sharing.gone.unknown"),
    N_("sharing.gone.expired"),
    N_("sharing.gone.revoked"),
)
