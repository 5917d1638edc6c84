"""The interview, one question at a time (the engine's next_question decides which: the system's,
then each development processing's, then each deployment context's), changing any earlier answer,
and the development processings and deployment contexts (add, rename, remove). ``router`` shows
(any role), ``writes`` changes (editors)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AliasChoices, BaseModel, Field

from airegime.edge.deps import EDITOR, KbDep, RepoDep
from airegime.edge.inputs import MAX_ID, AssessmentId, RecordId
from airegime.i18n import translator
from airegime.interview_words import PlacedQuestion, placed_question
from airegime.kb.models import UNKNOWN, KnowledgeBase, Lang, Phase, Scope
from airegime.render.report_data import citations
from airegime.render.summary import answer_label
from airegime.storage import Repository, Saved
from airegime.web import views
from airegime.web.pages import PageLangDep, form_problems, is_htmx, render, see_other

router = APIRouter()
writes = APIRouter(dependencies=[EDITOR])
Short = Annotated[str, Field(max_length=200)]
Long = Annotated[str, Form(max_length=20_000)]
SCOPES: dict[str, Scope] = {"system": "system", "development": "development", "deployment": "deployment"}
INHERIT = "inherit"  # the answer "same as the system", for a system question a phase may answer otherwise


@dataclass(frozen=True)
class Page:
    """What the interview's pages are drawn with: the request (for ``render``), the rules, the language."""

    request: Request
    kb: KnowledgeBase
    lang: Lang


async def interview_page(request: Request, kb: KbDep, lang: PageLangDep) -> Page:
    return Page(request, kb, lang)


PageDep = Annotated[Page, Depends(interview_page)]


class AnswerFields(BaseModel):
    """An answer form: the question (its scope, the context's id for a phase, its id), the answer's
    code, and where to go next (``then``: "result" when the change came from the result page)."""

    scope: Short = ""
    question: Short = ""
    value: Short = ""
    ctx: Short = ""
    then: Short = ""


@router.get("/a/{assessment_id}/interview", response_class=HTMLResponse)
def interview(
    assessment_id: AssessmentId,
    repo: RepoDep,
    page: PageDep,
    scope: str = "",
    ctx: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    q: str = "",
    then: str = "",
) -> Response:
    """A question at its own address (scope/ctx/q): the next one, or an earlier one shown with its answer.
    Without a question: the next question worth asking, or the review page when none is left."""
    saved = repo.get(assessment_id)
    if q:
        return _interview_page(page, saved, _requested_step(page.kb, saved, scope, ctx, q), then=then)
    here = _next_address(saved, page.kb)
    if _is_navigation(page.request):
        return see_other(here)  # the browser's history then holds the question's own address
    found = views.next_step(saved, page.kb)
    response = _interview_page(page, saved, found[0]) if found else _review_page(page, saved)
    if is_htmx(page.request):
        response.headers["HX-Push-Url"] = here
    return response


@router.get("/a/{assessment_id}/review", response_class=HTMLResponse)
def review(assessment_id: AssessmentId, repo: RepoDep, page: PageDep) -> HTMLResponse:
    """Every answer, phase by phase, with links to change them, before the result."""
    return _review_page(page, repo.get(assessment_id))


@writes.post("/a/{assessment_id}/answer", response_class=HTMLResponse)
def answer(
    assessment_id: AssessmentId, repo: RepoDep, page: PageDep, form: Annotated[AnswerFields, Form()]
) -> Response:
    """Record one answer, then go on: to the result page when the change came from there, else to the
    next question (or the review page). A redirect (303), or for htmx the next page with its address."""
    kb, scope, question, value, ctx, then = page.kb, form.scope, form.question, form.value, form.ctx, form.then
    known = kb.question_by_id.get(question)
    if scope not in SCOPES or known is None or SCOPES[scope] not in known.scope:
        raise HTTPException(status_code=404)
    inherit = value == INHERIT and scope != "system" and "system" in known.scope
    if value not in (*known.codes, UNKNOWN) and not inherit:
        saved = repo.get(assessment_id)
        step = _requested_step(kb, saved, scope, _int_or_none(ctx), question)
        return _interview_page(page, saved, step, problem="interview.choose", status=422, then=then)
    context = _int_or_none(ctx) if scope != "system" else None  # a development's: None is the first one
    if scope == "deployment" and context is None:
        raise HTTPException(status_code=404)
    # The repository checks that the assessment and the context exist (NotFoundError: a 404 page).
    # "Same as the system" withdraws the phase's own answer: the system's applies again.
    saved = repo.set_answer(
        assessment_id, scope=SCOPES[scope], context_id=context, question=question, value=None if inherit else value
    )
    if then == "result":
        return see_other(f"/a/{assessment_id}/result")
    here = _next_address(saved, kb)
    if not is_htmx(page.request):
        return see_other(here)
    found = views.next_step(saved, kb)
    response = _interview_page(page, saved, found[0]) if found else _review_page(page, saved)
    response.headers["HX-Push-Url"] = here
    return response


def _next_address(saved: Saved, kb: KnowledgeBase) -> str:
    return views.resume_link(saved, kb) or views.review_link(saved.id)


def _is_navigation(request: Request) -> bool:
    """A browser opening the page itself (not htmx, not a script): it can be sent to the question's own
    address. Scripts and the test client, which ask for any type, get the page where they asked."""
    return not is_htmx(request) and "text/html" in request.headers.get("accept", "")


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``render``, with a whole page when htmx restores an address from history (the interview keeps
    no history snapshot, so that Back shows the answers as they are now, not as they were)."""
    if request.headers.get("hx-history-restore-request") == "true":
        context["partial"] = False
    return render(request, template, status, **context)


def _interview_page(
    page: Page,
    saved: Saved,
    step: views.Step,
    *,
    problem: str = "",
    status: int = 200,
    then: str = "",
) -> HTMLResponse:
    request, kb, lang = page.request, page.kb, page.lang
    _ = translator(lang)
    names = views.phase_names(_, lang)
    given = views.answered(saved, kb, lang, names)
    found = views.next_step(saved, kb)
    editing = found is None or found[0] != step
    asked, remaining = (found[1], found[2]) if found else (len(given), 0)
    position = next((i for i, a in enumerate(given) if a.step == step), len(given))
    back = given[position - 1].step.link(saved.id) if position > 0 and then != "result" else ""
    current = views.current_answer(saved, step)
    inherited = (
        answer_label(kb, step.question.id, saved.system_answers[step.question.id], lang)
        if step.scope != "system" and "system" in step.question.scope and step.question.id in saved.system_answers
        else ""
    )
    return _render(
        request,
        "interview.html",
        status,
        saved=saved,
        step=step,
        phase_label=_phase_label(saved, step, names, _),
        placed=_placed(saved, step, names, lang),
        editing=editing,
        then="result" if then == "result" else "",
        current=INHERIT if inherited and current is None else current,
        inherited=inherited,
        # A phase's first question (a context just added): say which system answers it takes, and
        # offer to answer them otherwise for this phase.
        takes=views.inherited_answers(saved, kb, lang, step.scope, step.context)
        if step.context is not None and not saved.answers_of(step.context.id) and not editing
        else (),
        given=given,
        asked=asked,
        remaining=remaining,
        back=back,
        problem=problem,
        sources=citations(kb, step.question.sources, lang),
    )


def _review_page(page: Page, saved: Saved) -> HTMLResponse:
    request, kb, lang = page.request, page.kb, page.lang
    names = views.phase_names(translator(lang), lang)
    return _render(
        request,
        "review.html",
        saved=saved,
        groups=views.review_groups(saved, kb, lang, names),
        resume=views.resume_link(saved, kb),
    )


def _placed(saved: Saved, step: views.Step, names: dict[str, str], lang: Lang) -> PlacedQuestion:
    """The question with the phase it is about, in the words the terminal uses too."""
    name = ""
    if step.context is not None and step.scope == "deployment":
        name = step.context.name
    elif step.context is not None and len(saved.developments) > 1:
        name = views.development_name(saved, step.context, names).split(names["separator"], 1)[-1]
    return placed_question(step.question, lang, scope=step.scope, name=name)


def _phase_label(saved: Saved, step: views.Step, names: dict[str, str], _: Callable[..., str]) -> str:
    """Whose question this is: the system, a development processing, a deployment context."""
    if step.scope == "system" or step.context is None:
        return names["system"]
    if step.scope == "development":
        return views.development_name(saved, step.context, names)
    return f"{_('phase.deployment')}{names['separator']}{step.context.name}"


def _requested_step(kb: KnowledgeBase, saved: Saved, scope: str, ctx: int | None, question: str) -> views.Step:
    step = views.step_for(saved, kb, SCOPES.get(scope, "system"), ctx, question) if scope in SCOPES else None
    if step is None:
        raise HTTPException(status_code=404)
    return step


def _int_or_none(text: str) -> int | None:
    """A context's id from a form, or None (not a number, or no id can be that large: no such context)."""
    number = int(text) if text.strip().isdigit() and len(text.strip()) <= 10 else None
    return number if number is not None and 1 <= number <= MAX_ID else None


def _refused(
    request: Request,
    repo: Repository,
    assessment_id: int,
    values: Mapping[str, str | None],
    required: tuple[str, ...] = ("name",),
) -> HTMLResponse | None:
    """The contexts page again (400) with the first problem of these fields; None when there is none."""
    problem = next(iter(form_problems(values, required).values()), "")
    return render(request, "contexts.html", 400, saved=repo.get(assessment_id), problem=problem) if problem else None


@router.get("/a/{assessment_id}/contexts", response_class=HTMLResponse)
def contexts(request: Request, assessment_id: AssessmentId, repo: RepoDep) -> HTMLResponse:
    return render(request, "contexts.html", saved=repo.get(assessment_id), problem="")


@router.get("/a/{assessment_id}/contexts/{context_id}/remove", response_class=HTMLResponse)
def confirm_remove_context(
    request: Request, assessment_id: AssessmentId, context_id: RecordId, repo: RepoDep
) -> HTMLResponse:
    saved = repo.get(assessment_id)
    index = saved.index_of(context_id)
    if index is None:
        raise HTTPException(status_code=404)
    return render(request, "remove_context.html", saved=saved, context=saved.contexts[index])


@router.get("/a/{assessment_id}/developments/{development_id}/remove", response_class=HTMLResponse)
def confirm_remove_development(
    request: Request, assessment_id: AssessmentId, development_id: RecordId, repo: RepoDep, lang: PageLangDep
) -> HTMLResponse:
    """The contexts page, asking there to confirm (the last development processing cannot go: 404)."""
    saved = repo.get(assessment_id)
    index = saved.development_index_of(development_id)
    if index is None or len(saved.developments) == 1:
        raise HTTPException(status_code=404)
    names = views.phase_names(translator(lang), lang)
    removing = saved.developments[index]
    label = removing.name or views.development_name(saved, removing, names)
    return render(request, "contexts.html", saved=saved, problem="", removing=removing, removing_name=label)


@dataclass(frozen=True)
class Kind:
    """A kind of record the contexts page lists: added at ``/a/{id}/{segment}``, renamed at
    ``.../{id_name}``, removed at ``.../{id_name}/remove`` (``_record_routes``)."""

    phase: Phase
    segment: str
    id_name: str  # the name of the record's id in the addresses
    rename_requires: tuple[str, ...]  # the fields a rename may not leave empty

    def check_held(self, saved: Saved, record_id: int) -> None:
        """404 unless ``record_id`` is one of the assessment's records of this kind."""
        index = saved.index_of(record_id) if self.phase == "deployment" else saved.development_index_of(record_id)
        if index is None:
            raise HTTPException(status_code=404)


# A deployment context needs a name; a development processing may go unnamed (when it is the only one).
KINDS = (
    Kind("deployment", "contexts", "context_id", ("name",)),
    Kind("development", "developments", "development_id", ()),
)
# A record's id in either kind's addresses (``{context_id}``, ``{development_id}``), as a route reads it.
KindRecordId = Annotated[int, Path(ge=1, le=MAX_ID, validation_alias=AliasChoices("context_id", "development_id"))]


def _record_routes(kind: Kind) -> None:
    """The same add, rename and remove routes for each kind of record, at the kind's own addresses."""
    at = f"/a/{{assessment_id}}/{kind.segment}"
    record = f"{at}/{{{kind.id_name}}}"

    @writes.post(at)
    def add(
        request: Request, assessment_id: AssessmentId, repo: RepoDep, name: Long = "", description: Long = ""
    ) -> Response:
        """A new one (named: a development processing added is one of several), then its questions
        (or the contexts page again, refused)."""
        refused = _refused(request, repo, assessment_id, {"name": name, "description": description})
        if refused:
            return refused
        repo.add_context(assessment_id, name=name, description=description, phase=kind.phase)
        return see_other(f"/a/{assessment_id}/interview")

    @writes.post(record)
    def rename(
        request: Request,
        assessment_id: AssessmentId,
        record_id: KindRecordId,
        repo: RepoDep,
        name: Long = "",
        description: Long = "",
    ) -> Response:
        """Rename one, then back to the list (or the contexts page again, refused)."""
        texts = {"name": name, "description": description}
        refused = _refused(request, repo, assessment_id, texts, kind.rename_requires)
        if refused:
            return refused
        kind.check_held(repo.get(assessment_id), record_id)
        repo.rename_context(assessment_id, record_id, name=name, description=description)
        return see_other(f"/a/{assessment_id}/contexts")

    @writes.post(f"{record}/remove")
    def remove(assessment_id: AssessmentId, record_id: KindRecordId, repo: RepoDep) -> Response:
        kind.check_held(repo.get(assessment_id), record_id)
        repo.remove_context(assessment_id, record_id)  # refused (a clear error page) for the last one
        return see_other(f"/a/{assessment_id}/contexts")


for _kind in KINDS:
    _record_routes(_kind)


@writes.post("/a/{assessment_id}/details")
def update_details(
    request: Request,
    assessment_id: AssessmentId,
    repo: RepoDep,
    name: Long = "",
    organisation: Long = "",
    description: Long = "",
    development_description: Annotated[str | None, Form(max_length=20_000)] = None,
) -> Response:
    fields = {
        "name": name,
        "organisation": organisation,
        "description": description,
        "development_description": development_description,
    }
    refused = _refused(request, repo, assessment_id, fields)
    if refused:
        return refused
    repo.update_details(
        assessment_id,
        name=name,
        organisation=organisation,
        description=description,
        development_description=development_description,
    )
    return see_other(f"/a/{assessment_id}/contexts")
