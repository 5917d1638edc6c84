"""The action plan pages: an assessment's plan (made from its result's next steps, free actions
added, owner, due date and state changed), and its export (CSV, XLSX), one assessment's or the
whole organisation's. ``router`` shows (any role), ``writes`` changes (editors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from airegime.edge.deps import EDITOR, AccountsDep, CurrentUser, KbDep, RepoDep
from airegime.edge.inputs import AssessmentId, RecordId
from airegime.errors import DescriptorError
from airegime.i18n import N_
from airegime.kb import KnowledgeBase, Lang
from airegime.storage.actions import (
    EXPORT_FORMATS,
    Action,
    Actions,
    ExportFormat,
    export_file,
    origin,
    parse_due,
    plan_steps,
    today_utc,
)
from airegime.web import downloads
from airegime.web.pages import PageLangDep, error, render, see_other, text_problems

router = APIRouter()
writes = APIRouter(dependencies=[EDITOR])
Short = Annotated[str, Form(max_length=2_000)]
# Ids the plan's template builds from a value (actions.html).
DYNAMIC_IDS = (
    N_("actions.state.open"),
    N_("actions.state.done"),
    N_("actions.state.dropped"),
    N_("actions.download.csv"),
    N_("actions.download.xlsx"),
    N_("actions.field.title"),
    N_("actions.field.owner"),
    N_("actions.field.due_on"),
)


def export_response(
    actions: tuple[Action, ...], fmt: ExportFormat, lang: Lang, kb: KnowledgeBase, stem: str
) -> Response:
    return downloads.attachment(export_file(actions, fmt, lang, kb), fmt=fmt, filename=f"{stem}.{fmt}")


def plan_page(
    request: Request,
    assessment_id: int,
    repo: RepoDep,
    kb: KbDep,
    lang: Lang,
    accounts: AccountsDep,
    status: int = 200,
    problems: dict[str, str] | None = None,
) -> HTMLResponse:
    saved, result = repo.get_with_result(assessment_id)
    actions = Actions(repo).list(assessment_id)
    planned = {a.source for a in actions}
    missing = [step for step in plan_steps(kb, result, lang) if step.source not in planned]
    members = [name for name, _role, disabled in accounts.members(repo.organisation_id) if not disabled]
    return render(
        request,
        "actions.html",
        status,
        saved=saved,
        actions=actions,
        missing=missing,
        members=members,
        today=today_utc(),
        formats=EXPORT_FORMATS,
        problems=problems or {},
        origin=lambda source: origin(kb, source, lang),
    )


@router.get("/a/{assessment_id}/actions", response_class=HTMLResponse)
def plan(
    request: Request, assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: PageLangDep, accounts: AccountsDep
) -> HTMLResponse:
    return plan_page(request, assessment_id, repo, kb, lang, accounts)


@writes.post("/a/{assessment_id}/actions/plan")
def make_plan(assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: PageLangDep) -> Response:
    """Turn the result's current next steps into actions (those already in the plan are kept as they are)."""
    _saved, result = repo.get_with_result(assessment_id)
    added = Actions(repo).make_plan(assessment_id, plan_steps(kb, result, lang))
    return see_other(f"/a/{assessment_id}/actions?added={len(added)}")


def _problems_of(change: Callable[[], None], texts: dict[str, str | None]) -> dict[str, str]:
    """Make ``change`` when the form's ``texts`` are acceptable; the problems of each refused field
    (a text, or what ``change`` refused), none when it was made."""
    problems = text_problems(texts)
    try:
        if not problems:
            change()
    except DescriptorError as refused:
        problems = {refused_field(refused): PROBLEMS.get(refused_field(refused), "form.invalid")}
    return problems


@writes.post("/a/{assessment_id}/actions", response_class=HTMLResponse)
def add_action(
    request: Request,
    assessment_id: AssessmentId,
    repo: RepoDep,
    kb: KbDep,
    lang: PageLangDep,
    accounts: AccountsDep,
    title: Short = "",
    owner: Short = "",
    due_on: Short = "",
) -> Response:
    def add() -> None:
        Actions(repo).add(assessment_id, title=title, owner=owner, due_on=parse_due(due_on))

    problems = _problems_of(add, {"title": title, "owner": owner})
    if problems:
        return plan_page(request, assessment_id, repo, kb, lang, accounts, 400, problems)
    return see_other(f"/a/{assessment_id}/actions")


@writes.post("/a/{assessment_id}/actions/{action_id}", response_class=HTMLResponse)
def change_action(
    request: Request,
    assessment_id: AssessmentId,
    action_id: RecordId,
    repo: RepoDep,
    kb: KbDep,
    lang: PageLangDep,
    accounts: AccountsDep,
    owner: Short = "",
    due_on: Short = "",
    state: Short = "open",
) -> Response:
    def update() -> None:
        Actions(repo).update(assessment_id, action_id, owner=owner, due_on=parse_due(due_on), state=state)

    problems = _problems_of(update, {"owner": owner})
    if problems:
        return plan_page(request, assessment_id, repo, kb, lang, accounts, 400, problems)
    return see_other(f"/a/{assessment_id}/actions#action-{action_id}")


@writes.post("/a/{assessment_id}/actions/{action_id}/delete")
def delete_action(assessment_id: AssessmentId, action_id: RecordId, repo: RepoDep) -> Response:
    Actions(repo).delete(assessment_id, action_id)
    return see_other(f"/a/{assessment_id}/actions")


@router.get("/a/{assessment_id}/actions.{fmt}")
def export_plan(
    request: Request, assessment_id: AssessmentId, fmt: str, repo: RepoDep, kb: KbDep, lang: PageLangDep
) -> Response:
    if fmt not in EXPORT_FORMATS:
        return error(request, 404, "not_found")
    actions = Actions(repo)
    listed = actions.list(assessment_id)
    actions.record_export(fmt, assessment_id)
    return export_response(listed, "csv" if fmt == "csv" else "xlsx", lang, kb, f"airegime-actions-{assessment_id}")


@router.get("/actions.{fmt}")
def export_organisation(
    request: Request, fmt: str, repo: RepoDep, kb: KbDep, principal: CurrentUser, lang: PageLangDep
) -> Response:
    if fmt not in EXPORT_FORMATS:
        return error(request, 404, "not_found")
    actions = Actions(repo)
    listed = actions.list()
    actions.record_export(fmt)
    stem = downloads.safe_filename(f"airegime-actions-{principal.organisation}", "airegime-actions")
    return export_response(listed, "csv" if fmt == "csv" else "xlsx", lang, kb, stem)


# What the plan's forms say of a value storage refuses, by field.
PROBLEMS = {"title": N_("actions.problem.title"), "owner": N_("form.too_long"), "due_on": N_("actions.problem.due")}


def refused_field(refused: DescriptorError) -> str:
    return refused.location.rsplit(".", 1)[-1] if refused.location else "state"


def overdue(repo: RepoDep) -> tuple[Action, ...]:
    """For the home page: the organisation's open actions past their due date."""
    return Actions(repo).overdue()
