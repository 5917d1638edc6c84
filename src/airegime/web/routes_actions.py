"""The action plan pages: an assessment's plan (made from its result's next steps, free actions
added, owner, due date and state changed), and its export (CSV, XLSX), one assessment's or the
whole organisation's. ``router`` shows (any role), ``writes`` changes (editors)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from airegime.edge.deps import EDITOR, AccountsDep, CurrentUser, KbDep, RepoDep
from airegime.edge.inputs import AssessmentId, RecordId
from airegime.errors import DescriptorError
from airegime.i18n import N_
from airegime.kb import KnowledgeBase, Lang
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
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
    request: Request, repo: Repository, kb: KnowledgeBase, lang: Lang, fmt: str, stem: str, assessment_id: int | None
) -> Response:
    """The plan of one assessment (or, with no id, the whole organisation's) as a CSV or XLSX file named
    ``stem``, its export written to the audit log; 404 for another format."""
    if fmt not in EXPORT_FORMATS:
        return error(request, 404, "not_found")
    actions = Actions(repo)
    listed = actions.list(assessment_id)
    actions.record_export(fmt, assessment_id)
    kind: ExportFormat = "csv" if fmt == "csv" else "xlsx"
    return downloads.attachment(export_file(listed, kind, lang, kb), fmt=kind, filename=f"{stem}.{kind}")


@dataclass(frozen=True)
class PlanPage:
    """What the plan page is drawn with (a dependency: the routes that may show it again take it whole)."""

    request: Request
    repo: Repository
    kb: KnowledgeBase
    lang: Lang
    accounts: Accounts

    def show(self, assessment_id: int, status: int = 200, problems: dict[str, str] | None = None) -> HTMLResponse:
        repo, kb, lang = self.repo, self.kb, self.lang
        saved, result = repo.get_with_result(assessment_id)
        actions = Actions(repo).list(assessment_id)
        planned = {a.source for a in actions}
        missing = [step for step in plan_steps(kb, result, lang) if step.source not in planned]
        members = [name for name, _role, disabled in self.accounts.members(repo.organisation_id) if not disabled]
        return render(
            self.request,
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

    def changed(
        self, assessment_id: int, change: Callable[[], None], texts: dict[str, str | None], then: str
    ) -> Response:
        """Make ``change`` when the form's ``texts`` are acceptable, then go to ``then``; else the plan
        again (400) with the problem of each refused field (a text, or what ``change`` refused)."""
        problems = text_problems(texts)
        try:
            if not problems:
                change()
        except DescriptorError as refused:
            problems = {refused_field(refused): PROBLEMS.get(refused_field(refused), "form.invalid")}
        return self.show(assessment_id, 400, problems) if problems else see_other(then)


async def plan_page(request: Request, repo: RepoDep, kb: KbDep, lang: PageLangDep, accounts: AccountsDep) -> PlanPage:
    return PlanPage(request, repo, kb, lang, accounts)


PlanPageDep = Annotated[PlanPage, Depends(plan_page)]


@router.get("/a/{assessment_id}/actions", response_class=HTMLResponse)
def plan(assessment_id: AssessmentId, page: PlanPageDep) -> HTMLResponse:
    return page.show(assessment_id)


@writes.post("/a/{assessment_id}/actions/plan")
def make_plan(assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: PageLangDep) -> Response:
    """Turn the result's current next steps into actions (those already in the plan are kept as they are)."""
    _saved, result = repo.get_with_result(assessment_id)
    added = Actions(repo).make_plan(assessment_id, plan_steps(kb, result, lang))
    return see_other(f"/a/{assessment_id}/actions?added={len(added)}")


@writes.post("/a/{assessment_id}/actions", response_class=HTMLResponse)
def add_action(
    assessment_id: AssessmentId, page: PlanPageDep, title: Short = "", owner: Short = "", due_on: Short = ""
) -> Response:
    def add() -> None:
        Actions(page.repo).add(assessment_id, title=title, owner=owner, due_on=parse_due(due_on))

    return page.changed(assessment_id, add, {"title": title, "owner": owner}, f"/a/{assessment_id}/actions")


@writes.post("/a/{assessment_id}/actions/{action_id}", response_class=HTMLResponse)
def change_action(
    assessment_id: AssessmentId,
    action_id: RecordId,
    page: PlanPageDep,
    owner: Short = "",
    due_on: Short = "",
    state: Short = "open",
) -> Response:
    def update() -> None:
        Actions(page.repo).update(assessment_id, action_id, owner=owner, due_on=parse_due(due_on), state=state)

    return page.changed(assessment_id, update, {"owner": owner}, f"/a/{assessment_id}/actions#action-{action_id}")


@writes.post("/a/{assessment_id}/actions/{action_id}/delete")
def delete_action(assessment_id: AssessmentId, action_id: RecordId, repo: RepoDep) -> Response:
    Actions(repo).delete(assessment_id, action_id)
    return see_other(f"/a/{assessment_id}/actions")


@router.get("/a/{assessment_id}/actions.{fmt}")
def export_plan(
    request: Request, assessment_id: AssessmentId, fmt: str, repo: RepoDep, kb: KbDep, lang: PageLangDep
) -> Response:
    return export_response(request, repo, kb, lang, fmt, f"airegime-actions-{assessment_id}", assessment_id)


@router.get("/actions.{fmt}")
def export_organisation(
    request: Request, fmt: str, repo: RepoDep, kb: KbDep, principal: CurrentUser, lang: PageLangDep
) -> Response:
    stem = downloads.safe_filename(f"airegime-actions-{principal.organisation}", "airegime-actions")
    return export_response(request, repo, kb, lang, fmt, stem, None)


# What the plan's forms say of a value storage refuses, by field.
PROBLEMS = {"title": N_("actions.problem.title"), "owner": N_("form.too_long"), "due_on": N_("actions.problem.due")}


def refused_field(refused: DescriptorError) -> str:
    return refused.location.rsplit(".", 1)[-1] if refused.location else "state"


def overdue(repo: RepoDep) -> tuple[Action, ...]:
    """For the home page: the organisation's open actions past their due date."""
    return Actions(repo).overdue()
