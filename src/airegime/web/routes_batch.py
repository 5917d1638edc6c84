"""The batch page: upload an inventory, see its results with filters and a chart of the regimes
per phase, download them; and the ready-to-fill template. The batch library does the work."""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from airegime.batch import InventoryReadError, LayoutError, write_template
from airegime.batch.io import READ_FORMATS
from airegime.edge.access import client_address
from airegime.edge.deps import CurrentUser, KbDep
from airegime.errors import QuotaExceeded
from airegime.i18n import number, translate
from airegime.storage.batch_uploads import BatchUploads
from airegime.web import batch_views, downloads
from airegime.web.batch_runs import BatchRuns, assess_upload
from airegime.web.pages import PageLangDep, error, lang_of, render, see_other

router = APIRouter()
log = logging.getLogger("airegime.web")
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
RESULT_FORMATS = ("csv", "xlsx")
Choice = Annotated[str, Query(max_length=100)]
# The batch library's words the results page shows (its own words come through `_` in the template).
BATCH_WORDS = ("web.not_assessed", "web.problems", "phases.development", "phases.deployment", "phases.both")


async def run_owner(request: Request, principal: CurrentUser) -> str:
    """Who uploads (the browser, the person, the organisation): each owner's uploads count against
    its own quota. Any member of the organisation sees the results (a link works in a colleague's
    browser); another organisation's members get 404."""
    return f"{request.state.csrf}|{principal.username}|{principal.organisation_id}"


async def get_runs(request: Request) -> BatchRuns:
    runs: BatchRuns = request.app.state.batch_runs
    return runs


OwnerDep = Annotated[str, Depends(run_owner)]
RunsDep = Annotated[BatchRuns, Depends(get_runs)]


@router.get("/batch", response_class=HTMLResponse)
def batch_form(request: Request) -> HTMLResponse:
    return upload_page(request)


async def get_upload_limit(request: Request) -> int:
    limit: int = request.app.state.batch_max_body
    return limit


UploadLimitDep = Annotated[int, Depends(get_upload_limit)]


def upload_page(request: Request, status: int = 200, **problem: str) -> HTMLResponse:
    """The upload form, with a problem (``problem``: message key; ``detail``/``hint``: the library's words).
    Reads the request itself: the app's 413 handler, outside any route, draws it too."""
    formats = sorted(set(READ_FORMATS))
    state = request.app.state
    uploads: BatchUploads = state.batch_runs.uploads
    lang = lang_of(request)
    days = uploads.retention.days
    return render(
        request,
        "batch.html",
        status,
        formats=formats,
        limit_mb=number(state.batch_max_body / 1_000_000, lang),
        kept_note=translate("web.kept_note", lang, keep=uploads.keep, days=days),
        **problem,
    )


@router.post("/batch", response_class=HTMLResponse)
async def upload(
    request: Request,
    principal: CurrentUser,
    owner: OwnerDep,
    runs: RunsDep,
    kb: KbDep,
    lang: PageLangDep,
    limit: UploadLimitDep,
    file: UploadFile | None = None,
) -> Response:
    """Assess an uploaded inventory; a file that is no inventory gets the reason and nothing is kept."""
    if file is None or not file.filename:
        return upload_page(request, 400, problem="batch.no_file")
    suffix = Path(file.filename).suffix.lower()
    if suffix not in READ_FORMATS:
        return upload_page(request, 400, problem="batch.bad_extension")
    data = await file.read(limit + 1)
    if len(data) > limit:
        return upload_page(request, 413, problem="batch.too_large")
    if not data.strip():
        return upload_page(request, 400, problem="batch.empty")
    try:
        # In a worker thread: a few MB take a fraction of a second the other requests need not wait for.
        # The sheet's extent and inflated size are checked before any reader allocates it.
        table, result = await run_in_threadpool(assess_upload, kb, data, file.filename, lang)
    except (InventoryReadError, LayoutError) as refused:
        return upload_page(
            request, 400, problem="batch.unreadable", detail=refused.message_in(lang), hint=refused.hint_in(lang)
        )
    except Exception:  # a damaged file can trip the readers in ways they do not word: still a clear page
        log.exception("could not read an uploaded inventory (%s)", suffix)
        return upload_page(request, 400, problem="batch.unreadable")
    if result.table is None or result.table.height == 0:
        return upload_page(request, 400, problem="batch.no_rows")
    del data  # the table read from it is what is kept
    try:
        token = await run_in_threadpool(
            runs.add,
            owner=owner,
            by=principal,
            address=client_address(request),
            filename=file.filename,
            table=table,
            lang=lang,
            result=result,
        )
    except QuotaExceeded as full:
        return upload_page(request, 429, message=translate("web.organisation_full", lang, limit=full.limit))
    return see_other(f"/batch/{token}")


@router.get("/batch/template.xlsx")
def template(kb: KbDep, lang: PageLangDep) -> Response:
    with tempfile.TemporaryDirectory(prefix="airegime-template-") as folder:
        body = write_template(Path(folder) / "template.xlsx", kb=kb, lang=lang).read_bytes()
    name = f"airegime-{translate('file.inventory', lang)}.xlsx"
    return downloads.attachment(body, fmt="xlsx", filename=name)


@router.get("/batch/{token}", response_class=HTMLResponse)
def results(
    request: Request,
    token: str,
    principal: CurrentUser,
    owner: OwnerDep,
    runs: RunsDep,
    kb: KbDep,
    lang: PageLangDep,
    development: Choice = "",
    deployment: Choice = "",
    status: Choice = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    run = runs.get(token, principal.organisation_id, owner=owner) if TOKEN.fullmatch(token) else None
    if run is None:
        return error(request, 404, "batch_gone")
    kept = run.kept(kb, lang)
    result = kept.result
    filters = batch_views.clean_filters(development, deployment, status, kb)
    # Only the filtered columns of every row, and every column of the page's rows, are read.
    columns = kept.columns(batch_views.FILTER_COLUMNS)
    positions, page, pages, matching = batch_views.filter_positions(columns, filters, lang, page)
    rows = batch_views.rows_of(kept.rows(positions))
    return render(
        request,
        "batch_result.html",
        run=run,
        result=result,
        filters=filters,
        rows=rows,
        matching=matching,
        page=page,
        pages=pages,
        charts=batch_views.charts(result.summary, kb, lang),
        choices=batch_views.outcome_choices(result.summary, kb, lang),
        invalid_note=batch_views.invalid_note(result.summary, lang),
        words={key: translate(key, lang) for key in BATCH_WORDS},
        statuses=batch_views.status_choices(lang),
        formats=RESULT_FORMATS,
    )


@router.get("/batch/{token}/results.{fmt}")
def download_results(
    request: Request,
    token: str,
    fmt: str,
    principal: CurrentUser,
    owner: OwnerDep,
    runs: RunsDep,
    kb: KbDep,
    lang: PageLangDep,
) -> Response:
    run = runs.get(token, principal.organisation_id, owner=owner) if TOKEN.fullmatch(token) else None
    if run is None or fmt not in RESULT_FORMATS:
        return error(request, 404, "batch_gone" if run is None else "not_found")
    body = run.export(kb, lang, fmt)
    stem = downloads.safe_filename(Path(run.filename).stem, "inventory")
    return downloads.attachment(body, fmt=fmt, filename=f"airegime-results-{stem}.{fmt}")
