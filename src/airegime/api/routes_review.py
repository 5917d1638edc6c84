"""Review and approval of a saved assessment, and its archive.

``router`` reads the review (any role); ``writes`` takes a step (editors send; approving and
returning need an admin, checked here: 403); ``archive`` lists, restores and purges archived
assessments (admins: ``/archive`` is admin-only in ``edge.access``). Deleting an assessment
(``DELETE /assessments/{id}``) archives it. Another organisation's assessment is 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from airegime.api.deps import StrictJsonRoute
from airegime.api.models import ErrorBody, _In, _Out
from airegime.edge.deps import ADMIN, EDITOR, ApiLangDep, CurrentUser, KbDep, RepoDep
from airegime.edge.inputs import MAX_ID, AssessmentId, CleanText
from airegime.errors import AccessDenied, ApiError, ReviewStateError, msg
from airegime.kb import KnowledgeBase
from airegime.storage.reviews import Reviews, ReviewState, ReviewStep

router = APIRouter(prefix="/assessments", tags=["review"], route_class=StrictJsonRoute)
writes = APIRouter(prefix="/assessments", tags=["review"], route_class=StrictJsonRoute, dependencies=[EDITOR])
archive = APIRouter(prefix="/archive", tags=["archive"], route_class=StrictJsonRoute, dependencies=[ADMIN])

ReviewStatus = Literal["draft", "in_review", "approved"]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The assessment's status does not allow this step (`review_state`)."}
}


class ReviewStepOut(_Out):
    id: int
    step: Literal["submitted", "approved", "returned", "flagged"]
    actor: str
    at: datetime
    opinion: str = Field(description="the message, the opinion (approved), the reason (returned) or why (flagged)")
    rule_set_version: str = Field(description="approved and flagged: the rule set then")
    rule_set_hash: str


class ReviewOut(_Out):
    status: ReviewStatus
    flag: str = Field(
        description="why an approved assessment needs another look (a rule-set change), in the reader's language, "
        "or empty"
    )
    approval: ReviewStepOut | None = Field(description="the latest approval (kept after later edits), or null")
    steps: list[ReviewStepOut] = Field(description="every step, oldest first")


class ReviewIn(_In):
    action: Literal["submit", "approve", "return"] = Field(
        description="submit (editors: draft → in review), approve or return (admins: → approved, → draft)"
    )
    opinion: CleanText = Field(
        default="",
        max_length=10_000,
        description="submit: an optional message; approve: the written opinion (required); return: the reason",
    )


class ApprovedOut(_Out):
    approval: ReviewStepOut
    descriptor: dict[str, Any] = Field(description="the descriptor as approved (as the descriptor export writes it)")
    result: dict[str, Any] = Field(description="the result as approved, under the rule set named in `approval`")


class ArchivedOut(_Out):
    id: int
    name: str
    organisation: str
    archived_at: datetime


def _step_out(step: ReviewStep) -> ReviewStepOut:
    return ReviewStepOut.model_validate(step.to_dict())


def review_out(state: ReviewState, kb: KnowledgeBase, lang: str) -> ReviewOut:
    """The review in the reader's language: a flag says which rule sets differ, as the pages do."""
    old = state.approval.rule_set_version if state.approval else ""
    return ReviewOut(
        status=state.status,
        flag=msg("review.flag_text", old=old, new=kb.version).text(lang) if state.flag else "",
        approval=_step_out(state.approval) if state.approval else None,
        steps=[_step_out(s) for s in state.steps],
    )


@router.get("/{assessment_id}/review")
def read_review(assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: ApiLangDep) -> ReviewOut:
    """The review status, why it is flagged, and every step with its actor, time and opinion."""
    return review_out(Reviews(repo).state(assessment_id), kb, lang)


@writes.post("/{assessment_id}/review", responses=CONFLICT)
def review_step(
    assessment_id: AssessmentId, step: ReviewIn, repo: RepoDep, principal: CurrentUser, kb: KbDep, lang: ApiLangDep
) -> ReviewOut:
    """Send for review (editors), approve with an opinion or return with a reason (admins)."""
    reviews = Reviews(repo)
    if step.action != "submit" and not principal.can("admin"):
        reviews.state(assessment_id)  # another organisation's: 404 before 403
        raise AccessDenied(403, "role")
    try:
        if step.action == "submit":
            state = reviews.submit(assessment_id, step.opinion)
        elif step.action == "approve":
            state = reviews.approve(assessment_id, step.opinion)
        else:
            state = reviews.return_to_draft(assessment_id, step.opinion)
    except ReviewStateError as refused:
        raise ApiError(409, "review_state", refused.said, hint=refused.advice) from refused
    return review_out(state, kb, lang)


@router.get("/{assessment_id}/approved", responses={404: {"model": ErrorBody, "description": "Never approved."}})
def approved_version(
    assessment_id: AssessmentId,
    repo: RepoDep,
    review: Annotated[int | None, Query(ge=1, le=MAX_ID, description="an approval's id (default: the latest)")] = None,
) -> ApprovedOut:
    """The approved snapshot: readable and unchanged after the assessment is edited again."""
    version = Reviews(repo).approved_version(assessment_id, review)
    return ApprovedOut(approval=_step_out(version.step), descriptor=version.descriptor, result=version.result.to_dict())


@archive.get("")
def list_archive(repo: RepoDep) -> list[ArchivedOut]:
    """The organisation's archived (deleted) assessments, most recent first (admins)."""
    archived = Reviews(repo).archived()
    return [ArchivedOut(id=a.id, name=a.name, organisation=a.organisation, archived_at=a.archived_at) for a in archived]


@archive.post("/{assessment_id}/restore", status_code=204, response_class=Response)
def restore(assessment_id: AssessmentId, repo: RepoDep) -> Response:
    """Bring an archived assessment back (admins)."""
    Reviews(repo).restore(assessment_id)
    return Response(status_code=204)


@archive.delete("/{assessment_id}", status_code=204, response_class=Response)
def purge(
    assessment_id: AssessmentId,
    repo: RepoDep,
    confirm: Annotated[bool, Query(description="must be true: purging cannot be undone")] = False,
) -> Response:
    """Delete an archived assessment for good, with its history, results and reviews (admins; the audit
    log keeps its name). Needs ``?confirm=true``."""
    if not confirm:
        raise ApiError(
            400, "confirm_required", msg("error.review.purge_confirm"), hint=msg("error.review.purge_confirm.hint")
        )
    Reviews(repo).purge(assessment_id)
    return Response(status_code=204)
