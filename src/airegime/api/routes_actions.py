"""The action plan: an assessment's actions (made from its result's next steps, or added),
changed and deleted by editors; the organisation's actions (``?overdue=true``: open and past
due); exports as CSV or XLSX (cells a spreadsheet could run as formulas are made inert).
``router`` reads (any role), ``writes`` changes (editors)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from airegime.api.deps import StrictJsonRoute
from airegime.edge.deps import EDITOR, ApiLangDep, KbDep, RepoDep
from airegime.edge.inputs import AssessmentId, CleanText, RecordId
from airegime.kb import KnowledgeBase, Lang
from airegime.storage.actions import (
    EXPORT_MEDIA_TYPES,
    OWNER_LIMIT,
    TITLE_LIMIT,
    Action,
    Actions,
    ExportFormat,
    export_file,
    plan_steps,
)

router = APIRouter(tags=["actions"], route_class=StrictJsonRoute)
writes = APIRouter(tags=["actions"], route_class=StrictJsonRoute, dependencies=[EDITOR])
State = Literal["open", "done", "dropped"]


class ActionOut(BaseModel):
    id: int
    assessment_id: int
    assessment: str = Field(description="the assessment's name")
    source: str = Field(description="the next step's stable key (outcome:digest), empty for a free action")
    title: str = Field(description="in the words of whoever made it, at creation")
    owner: str
    due_on: date | None
    state: State
    overdue: bool = Field(description="open and past its due date")
    created_at: datetime
    updated_at: datetime


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[CleanText, Field(min_length=1, max_length=TITLE_LIMIT)]
    owner: Annotated[CleanText, Field(max_length=OWNER_LIMIT)] = ""
    due_on: date | None = None
    state: State = "open"


class ActionPatch(BaseModel):
    """Only the fields given change; ``due_on: null`` clears the date."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[CleanText, Field(min_length=1, max_length=TITLE_LIMIT)] | None = None
    owner: Annotated[CleanText, Field(max_length=OWNER_LIMIT)] | None = None
    due_on: date | None = None
    state: State | None = None


def action_out(action: Action) -> ActionOut:
    return ActionOut(**asdict(action), assessment=action.assessment_name, overdue=action.overdue())


EXPORT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The actions as a spreadsheet (formulas made inert).",
        "content": {media.split(";")[0]: {"schema": {"type": "string"}} for media in EXPORT_MEDIA_TYPES.values()},
    }
}


def exported(actions: tuple[Action, ...], fmt: ExportFormat, lang: Lang, kb: KnowledgeBase, stem: str) -> Response:
    return Response(
        export_file(actions, fmt, lang, kb),
        media_type=EXPORT_MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )


@router.get("/actions")
def organisation_actions(
    repo: RepoDep,
    overdue: Annotated[bool, Query(description="only open actions past their due date")] = False,
) -> list[ActionOut]:
    """The organisation's actions, every assessment's (or only the overdue ones)."""
    actions = Actions(repo)
    return [action_out(a) for a in (actions.overdue() if overdue else actions.list())]


@router.get("/actions.{fmt}", response_class=Response, responses=EXPORT_RESPONSES)
def export_organisation(fmt: ExportFormat, repo: RepoDep, kb: KbDep, lang: ApiLangDep) -> Response:
    """Every action of the organisation as CSV or XLSX (the export is in the audit log)."""
    actions = Actions(repo)
    listed = actions.list()
    actions.record_export(fmt)
    return exported(listed, fmt, lang, kb, "airegime-actions")


@router.get("/assessments/{assessment_id}/actions")
def assessment_actions(assessment_id: AssessmentId, repo: RepoDep) -> list[ActionOut]:
    """The assessment's action plan."""
    return [action_out(a) for a in Actions(repo).list(assessment_id)]


@router.get("/assessments/{assessment_id}/actions.{fmt}", response_class=Response, responses=EXPORT_RESPONSES)
def export_assessment(
    assessment_id: AssessmentId, fmt: ExportFormat, repo: RepoDep, kb: KbDep, lang: ApiLangDep
) -> Response:
    """The assessment's action plan as CSV or XLSX."""
    actions = Actions(repo)
    listed = actions.list(assessment_id)
    actions.record_export(fmt, assessment_id)
    return exported(listed, fmt, lang, kb, f"airegime-actions-{assessment_id}")


@writes.post("/assessments/{assessment_id}/actions/plan", status_code=201)
def make_plan(assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: ApiLangDep) -> list[ActionOut]:
    """Turn the latest result's next steps into actions, in ``lang``; a step already in the plan
    (by its key) is left as it is. Returns the actions added (none when called again)."""
    _saved, result = repo.get_with_result(assessment_id)
    return [action_out(a) for a in Actions(repo).make_plan(assessment_id, plan_steps(kb, result, lang))]


@writes.post("/assessments/{assessment_id}/actions", status_code=201)
def add_action(assessment_id: AssessmentId, body: ActionIn, repo: RepoDep) -> ActionOut:
    """A free action (no next step behind it)."""
    added = Actions(repo).add(assessment_id, title=body.title, owner=body.owner, due_on=body.due_on, state=body.state)
    return action_out(added)


@writes.patch("/assessments/{assessment_id}/actions/{action_id}")
def change_action(assessment_id: AssessmentId, action_id: RecordId, body: ActionPatch, repo: RepoDep) -> ActionOut:
    """Change an action's title, owner, due date or state."""
    given = body.model_fields_set
    changed = Actions(repo).update(
        assessment_id,
        action_id,
        title=body.title,
        owner=body.owner,
        due_on=body.due_on if "due_on" in given else "keep",
        state=body.state,
    )
    return action_out(changed)


@writes.delete("/assessments/{assessment_id}/actions/{action_id}", status_code=204, response_class=Response)
def delete_action(assessment_id: AssessmentId, action_id: RecordId, repo: RepoDep) -> Response:
    Actions(repo).delete(assessment_id, action_id)
    return Response(status_code=204)
