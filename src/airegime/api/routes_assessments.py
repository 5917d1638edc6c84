"""Saved assessments: list, create, read, replace, set answers, delete, history, re-check, reports.

``router`` reads (any role), ``writes`` changes them (editors: ``EDITOR``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator

from airegime.api.changes import set_answers
from airegime.api.deps import DESCRIPTOR_BODY, DescriptorBody, StrictJsonRoute
from airegime.api.models import (
    AnswersPatch,
    AssessmentListOut,
    AssessmentOut,
    ComparisonOut,
    ErrorBody,
    HistoryEntryOut,
    RecheckOut,
)
from airegime.api.views import assessment_out, comparison_out, history_out, list_out, recheck_out
from airegime.edge.deps import EDITOR, ApiLangDep, KbDep, RepoDep
from airegime.edge.inputs import MAX_ID, AssessmentId, checked_tree
from airegime.errors import ApiError, msg
from airegime.render.reports import MEDIA_TYPES, REPORT_FORMATS, ReportFormat
from airegime.storage import versions
from airegime.storage.evidence import read_with_evidence, with_evidence
from airegime.storage.repository import SORTS, Sort
from airegime.storage.reviews import Reviews
from airegime.system import parse_system

router = APIRouter(prefix="/assessments", tags=["assessments"], route_class=StrictJsonRoute)
writes = APIRouter(prefix="/assessments", tags=["assessments"], route_class=StrictJsonRoute, dependencies=[EDITOR])
NO_NUL = r"^[^\x00]*$"


def _checked(patch: AnswersPatch) -> AnswersPatch:
    """Its texts (question ids, answers) through the one text rule, as a descriptor's."""
    checked_tree(patch.model_dump())
    return patch


CheckedPatch = Annotated[AnswersPatch, AfterValidator(_checked)]


@router.get("")
def list_assessments(
    repo: RepoDep,
    kb: KbDep,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL, description="words in the name or organisation")] = "",
    sort: Annotated[Sort, Query(description="order: " + ", ".join(SORTS))] = "updated",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> AssessmentListOut:
    """Saved assessments, most recently changed first by default, with each phase's latest result."""
    found = repo.list(search=q, sort=sort, page=page, per_page=per_page)
    return list_out(found, kb)


@writes.post("", status_code=201, openapi_extra=DESCRIPTOR_BODY)
def create_assessment(
    request: Request,
    response: Response,
    descriptor: DescriptorBody,
    repo: RepoDep,
    kb: KbDep,
    lang: ApiLangDep,
    profile: Annotated[bool, Query(description="pre-fill the organisation profile's answers")] = True,
) -> AssessmentOut:
    """Save a descriptor as a new assessment (evaluated at once); its address is in the Location header.
    The organisation profile answers the questions the descriptor leaves open (``profile=false``: not)."""
    system = parse_system(descriptor, kb=repo.kb)
    saved, result = repo.add_system(system, detail="API", profile=profile)
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/assessments/{saved.id}"
    return assessment_out(saved, result, kb, lang, sent=system)


@router.get("/{assessment_id}")
def read_assessment(assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: ApiLangDep) -> AssessmentOut:
    """The assessment: its descriptor, its latest stored result, and whether the rule set changed since."""
    saved, result, found = read_with_evidence(repo, assessment_id)
    descriptor = with_evidence(saved.system(), saved, found).to_dict()  # with its notes and evidence
    return assessment_out(saved, result, kb, lang).model_copy(update={"descriptor": descriptor})


@writes.put("/{assessment_id}", openapi_extra=DESCRIPTOR_BODY)
def replace_assessment(
    assessment_id: AssessmentId, descriptor: DescriptorBody, repo: RepoDep, kb: KbDep, lang: ApiLangDep
) -> AssessmentOut:
    """Replace the whole descriptor (development processings and contexts matched by position); only the
    differences enter the history. Notes and evidence are left as they are (see .../notes, .../attachments)."""
    system = parse_system(descriptor, kb=repo.kb)
    saved, result = repo.replace_system(assessment_id, system)
    return assessment_out(saved, result, kb, lang, sent=system)


@writes.patch("/{assessment_id}")
def patch_answers(
    assessment_id: AssessmentId, patch: CheckedPatch, repo: RepoDep, kb: KbDep, lang: ApiLangDep
) -> AssessmentOut:
    """Set some answers (all or none are stored): a code, a label, "unknown"; null withdraws an answer."""
    saved, result = set_answers(repo, assessment_id, patch.answers)
    return assessment_out(saved, result, kb, lang)


@writes.delete("/{assessment_id}", status_code=204, response_class=Response)
def delete_assessment(assessment_id: AssessmentId, repo: RepoDep) -> Response:
    """Archive the assessment: out of the lists, restorable by an admin (``/archive``), where an admin
    can also purge it for good."""
    repo.delete(assessment_id)
    return Response(status_code=204)


@router.get("/{assessment_id}/history")
def assessment_history(assessment_id: AssessmentId, repo: RepoDep) -> list[HistoryEntryOut]:
    """Every change, oldest first, with the answer each change replaced and the regimes it changed."""
    return history_out(repo.history(assessment_id), versions.regime_changes(repo, assessment_id))


COMPARE_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorBody, "description": "No such assessment (or another organisation's), or history entry."},
    422: {"model": ErrorBody, "description": "Neither or both of `with` and `version`, or one out of range."},
}


@router.get("/{assessment_id}/compare", responses=COMPARE_RESPONSES)
def compare_assessment(
    assessment_id: AssessmentId,
    repo: RepoDep,
    kb: KbDep,
    lang: ApiLangDep,
    other: Annotated[
        int | None,
        Query(
            alias="with",
            ge=1,
            le=MAX_ID,
            description="another assessment of the organisation: this one now (before) beside that one now (after)",
        ),
    ] = None,
    version: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_ID,
            description="an entry of this assessment's history (its position in .../history, from 0): the "
            "assessment as of then (before) beside it now (after)",
        ),
    ] = None,
) -> ComparisonOut:
    """Two versions of this assessment, or it and another, side by side under the loaded rule set: the
    answers that differ, the regimes that differ, and the reason that decided each. Give `with` or `version`."""
    from airegime.compare import compare

    if (other is None) == (version is None):
        raise ApiError(
            422,
            "invalid_request",
            msg("error.compare.with_or_version"),
            where="with",
            hint=msg("error.compare.with_or_version.hint", example="?with=12, ?version=3"),
        )
    first, second = versions.sides(repo, assessment_id, other=other, index=version)
    comparison = compare(kb=kb, before=first.system, after=second.system, lang=lang)
    return comparison_out(comparison, first, second)


@writes.post("/{assessment_id}/recheck")
def recheck_assessment(assessment_id: AssessmentId, repo: RepoDep) -> RecheckOut:
    """Evaluate again under the loaded rule set and say, phase by phase, what changed."""
    return recheck_out(repo.recheck(assessment_id))


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
    assessment_id: AssessmentId, fmt: ReportFormat, repo: RepoDep, kb: KbDep, lang: ApiLangDep
) -> Response:
    """The report of the latest stored result, in any format the command line writes."""
    from airegime.render.reports import render_report, report_filename

    saved, result, found = read_with_evidence(repo, assessment_id)  # a missing assessment: 404
    if result is None:
        raise ApiError(
            409, "no_result", msg("error.api.no_result"), hint=msg("error.api.no_result.hint", call="POST .../recheck")
        )
    if result.rule_set_hash != kb.hash:
        raise ApiError(
            409,
            "stale_result",
            msg("error.api.stale_result", version=result.rule_set_version, loaded=kb.version),
            hint=msg("error.api.stale_result.hint", call=f"POST /assessments/{assessment_id}/recheck"),
        )
    review = Reviews(repo).state(assessment_id).to_report()  # status, reviewer, date: the report's "review"
    result = replace(result, system=with_evidence(result.system, saved, found))  # the appendix's notes, evidence
    body = render_report(kb=kb, assessment=result, fmt=fmt, lang=lang, review=review)
    repo.record("report.downloaded", assessment_id, fmt)
    name = report_filename(assessment=result, fmt=fmt)
    return Response(
        body, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
