"""Saved assessments: list, create, read, replace, set answers, delete, history, re-check, reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from airegime.api import deps
from airegime.api.changes import set_answers
from airegime.api.deps import DESCRIPTOR_BODY, AssessmentId, DescriptorBody, LangQuery, StrictJsonRoute
from airegime.api.errors import ApiError
from airegime.api.models import AnswersPatch, AssessmentListOut, AssessmentOut, ErrorBody, HistoryEntryOut, RecheckOut
from airegime.api.views import assessment_out, history_out, list_out, recheck_out
from airegime.kb.models import Lang
from airegime.render.reports import MEDIA_TYPES, REPORT_FORMATS, ReportFormat
from airegime.storage.repository import SORTS, Sort
from airegime.system import parse_system

router = APIRouter(prefix="/assessments", tags=["assessments"], route_class=StrictJsonRoute)
NO_NUL = r"^[^\x00]*$"


@router.get("")
def list_assessments(
    request: Request,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL, description="words in the name or organisation")] = "",
    sort: Annotated[Sort, Query(description="order: " + ", ".join(SORTS))] = "updated",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> AssessmentListOut:
    """Saved assessments, most recently changed first by default, with each phase's latest result."""
    found = deps.repo(request).list(search=q, sort=sort, page=page, per_page=per_page)
    return list_out(found, deps.kb(request))


@router.post("", status_code=201, openapi_extra=DESCRIPTOR_BODY)
def create_assessment(
    request: Request, response: Response, descriptor: DescriptorBody, lang: LangQuery = None
) -> AssessmentOut:
    """Save a descriptor as a new assessment (evaluated at once); its address is in the Location header."""
    repo = deps.repo(request)
    system = parse_system(deps.clean_text(descriptor), kb=repo.kb)
    saved, result = repo.add_system(system, detail="API")
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/assessments/{saved.id}"
    return assessment_out(saved, result, deps.kb(request), deps.lang(request, lang), sent=system)


@router.get("/{assessment_id}")
def read_assessment(request: Request, assessment_id: AssessmentId, lang: LangQuery = None) -> AssessmentOut:
    """The assessment: its descriptor, its latest stored result, and whether the rule set changed since."""
    return _current(request, assessment_id, lang)


@router.put("/{assessment_id}", openapi_extra=DESCRIPTOR_BODY)
def replace_assessment(
    request: Request, assessment_id: AssessmentId, descriptor: DescriptorBody, lang: LangQuery = None
) -> AssessmentOut:
    """Replace the whole descriptor (development processings and contexts matched by position); only the
    differences enter the history."""
    repo = deps.repo(request)
    system = parse_system(deps.clean_text(descriptor), kb=repo.kb)
    saved, result = repo.replace_system(assessment_id, system)
    return assessment_out(saved, result, deps.kb(request), deps.lang(request, lang), sent=system)


@router.patch("/{assessment_id}")
def patch_answers(
    request: Request, assessment_id: AssessmentId, patch: AnswersPatch, lang: LangQuery = None
) -> AssessmentOut:
    """Set some answers (all or none are stored): a code, a label, "unknown"; null withdraws an answer."""
    deps.clean_text(patch.model_dump(), "")
    saved, result = set_answers(deps.repo(request), assessment_id, patch.answers)
    return assessment_out(saved, result, deps.kb(request), deps.lang(request, lang))


@router.delete("/{assessment_id}", status_code=204, response_class=Response)
def delete_assessment(request: Request, assessment_id: AssessmentId) -> Response:
    """Delete the assessment, its history and its results."""
    deps.repo(request).delete(assessment_id)
    return Response(status_code=204)


@router.get("/{assessment_id}/history")
def assessment_history(request: Request, assessment_id: AssessmentId) -> list[HistoryEntryOut]:
    """Every change, oldest first, with the answer each change replaced."""
    return history_out(deps.repo(request).history(assessment_id))


@router.post("/{assessment_id}/recheck")
def recheck_assessment(request: Request, assessment_id: AssessmentId) -> RecheckOut:
    """Evaluate again under the loaded rule set and say, phase by phase, what changed."""
    return recheck_out(deps.repo(request).recheck(assessment_id))


REPORT_SCHEMAS: dict[str, dict[str, str]] = {
    "json": {"type": "object"},
    "md": {"type": "string"},
    "html": {"type": "string"},
}
REPORT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The report file (md, html, pdf, docx or json).",
        "content": {
            MEDIA_TYPES[f].split(";")[0]: {"schema": REPORT_SCHEMAS.get(f, {"type": "string", "format": "binary"})}
            for f in REPORT_FORMATS
        },
    },
    409: {"model": ErrorBody, "description": "No current result: POST .../recheck first."},
}


@router.get(
    "/{assessment_id}/report.{fmt}",
    response_class=Response,
    responses=REPORT_RESPONSES,
)
def assessment_report(
    request: Request, assessment_id: AssessmentId, fmt: ReportFormat, lang: LangQuery = None
) -> Response:
    """The report of the latest stored result, in any format the command line writes."""
    from airegime.render.reports import render_report, report_filename

    repo, kb = deps.repo(request), deps.kb(request)
    result = repo.last_result(assessment_id)
    if result is None:
        repo.get(assessment_id)  # a missing assessment: 404
        raise ApiError(409, "no_result", "this assessment has no stored result yet", hint="POST .../recheck")
    if result.rule_set_hash != kb.hash:
        raise ApiError(
            409,
            "stale_result",
            f"the stored result comes from rule set {result.rule_set_version}, not the loaded {kb.version}",
            hint=f"POST /assessments/{assessment_id}/recheck, then ask for the report again",
        )
    body = render_report(kb=kb, assessment=result, fmt=fmt, lang=deps.lang(request, lang))
    repo.record("report.downloaded", assessment_id, fmt)
    name = report_filename(assessment=result, fmt=fmt)
    return Response(
        body, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _current(request: Request, assessment_id: int, lang: Lang | None) -> AssessmentOut:
    saved, result = deps.repo(request).get_with_result(assessment_id)
    return assessment_out(saved, result, deps.kb(request), deps.lang(request, lang))
