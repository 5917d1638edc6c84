"""Home (saved assessments), new, import/export of descriptors, duplicate, delete, history.
``router`` shows (any role), ``writes`` changes (editors)."""

from __future__ import annotations

import json
from typing import Annotated

import yaml
from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from airegime.edge.deps import EDITOR, KbDep, RepoDep
from airegime.edge.inputs import AssessmentId, BodyRefused, SearchText, strict_json
from airegime.errors import DescriptorError
from airegime.i18n import translate, translator
from airegime.kb import KnowledgeBase, Lang
from airegime.kb.models import Question
from airegime.render.report_data import is_report, load_report_json
from airegime.storage import evidence
from airegime.storage.format1 import UPGRADE_DETAIL, upgrade_notes
from airegime.storage.repository import SORTS
from airegime.storage.reviews import Reviews
from airegime.storage.versions import regime_changes
from airegime.system import MAX_DESCRIPTOR_BYTES, System, parse_system_text
from airegime.upgrade import format1_questions
from airegime.web import routes_actions, routes_profile, views
from airegime.web.pages import PageLangDep, form_problems, render, see_other

router = APIRouter()
writes = APIRouter(dependencies=[EDITOR])
Text = Annotated[str, Field(max_length=20_000)]
Pasted = Annotated[str, Form(max_length=MAX_DESCRIPTOR_BYTES)]  # a pasted JSON report runs to tens of kB


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    repo: RepoDep,
    kb: KbDep,
    q: Annotated[SearchText, Query(max_length=200)] = "",
    sort: str = "updated",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    sort = sort if sort in SORTS else "updated"
    listing = repo.list(search=q, sort=sort, page=page)
    # Only a phase not yet determined can have a question left: finished lists cost no extra query.
    unfinished = [item.id for item in listing.items if any(p.status != "determined" for p in item.summary)]
    resume = {i: link for i in unfinished if (link := views.resume_link(repo.get(i), kb))}
    badges = Reviews(repo).badges([item.id for item in listing.items])  # review status and flag
    overdue = routes_actions.overdue(repo)
    return render(
        request,
        "home.html",
        listing=listing,
        q=q,
        sort=sort,
        sorts=SORTS,
        resume=resume,
        badges=badges,
        overdue=overdue,
    )


@router.get("/new", response_class=HTMLResponse)
def new_form(request: Request, repo: RepoDep, kb: KbDep, lang: PageLangDep) -> HTMLResponse:
    first = translator(lang)("new.first_context_default")
    profile_answers = routes_profile.summary(repo, kb, lang)  # pre-filled unless unticked
    return render(request, "new.html", values={"first_context": first}, problems={}, profile_answers=profile_answers)


class NewAssessment(BaseModel):
    """The new-assessment form: what ``Repository.create`` takes, and whether to pre-fill the profile."""

    name: Text = ""
    organisation: Text = ""
    description: Text = ""
    development_description: Text = ""
    first_context: Text = ""
    use_profile: Annotated[str, Field(max_length=10)] = ""


@writes.post("/new", response_class=HTMLResponse)
def create(
    request: Request, repo: RepoDep, kb: KbDep, lang: PageLangDep, form: Annotated[NewAssessment, Form()]
) -> Response:
    values = form.model_dump(exclude={"use_profile"})
    problems = form_problems(values, required=("name", "first_context"))
    if problems:
        profile_answers = routes_profile.summary(repo, kb, lang)
        return render(request, "new.html", 400, values=values, problems=problems, profile_answers=profile_answers)
    new = repo.create(**values, profile=bool(form.use_profile))  # its answers are tagged as the profile's
    return see_other(f"/a/{new}/interview")


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request) -> HTMLResponse:
    return render(request, "import.html", text="")


@writes.post("/import", response_class=HTMLResponse)
async def import_descriptor(
    request: Request, repo: RepoDep, kb: KbDep, lang: PageLangDep, file: UploadFile | None = None, text: Pasted = ""
) -> Response:
    """Read a descriptor (uploaded file or pasted text); a bad one changes nothing and says where it is wrong."""
    content = text
    if file is not None and file.filename:
        raw = await file.read(MAX_DESCRIPTOR_BYTES + 1)
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError:
            content = "\x00"  # reported below as unreadable
    if not content.strip():
        return render(request, "import.html", 400, text=text, problem="import.empty")
    try:
        system = read_system(content, kb, file.filename if file and file.filename else "")
    except DescriptorError as error:
        return render(request, "import.html", 400, text=text, error=error)
    new = repo.import_system(system)
    if system.upgrade_notes:  # a format-1 descriptor: say what its reading guessed before moving on
        notes = [(n.location, n.text(lang)) for n in system.upgrade_notes]
        return render(request, "import.html", text="", imported=new, notes=notes)
    return see_other(f"/a/{new}/result")


def read_system(content: str, kb: KnowledgeBase, source: str) -> System:
    """A descriptor (YAML or JSON), or a JSON report of airegime (its ``system`` member is the descriptor)."""
    if content.lstrip().startswith("{"):
        try:
            data = strict_json(content)
        except (ValueError, BodyRefused):
            data = None  # not JSON after all, a key given twice, too deep: the descriptor reader says so
        if is_report(data):
            return load_report_json(data, kb=kb)
    return parse_system_text(content, kb=kb, source=source)


@router.get("/a/{assessment_id}")
def assessment(assessment_id: AssessmentId) -> Response:
    return see_other(f"/a/{assessment_id}/result")


@router.get("/a/{assessment_id}/export.{fmt}")
def export(assessment_id: AssessmentId, fmt: str, repo: RepoDep) -> Response:
    """The descriptor, readable by `airegime assess` and by the import form."""
    if fmt not in ("yaml", "json"):
        return see_other(f"/a/{assessment_id}/result")
    saved, _result, found = evidence.read_with_evidence(repo, assessment_id)
    system = evidence.with_evidence(saved.system(), saved, found)
    repo.record("assessment.exported", assessment_id, fmt)
    data = system.to_dict()
    if fmt == "json":
        body, media = json.dumps(data, ensure_ascii=False, indent=2) + "\n", "application/json"
    else:
        body, media = yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "application/yaml"
    filename = f"assessment-{assessment_id}.{fmt}"
    return Response(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@writes.post("/a/{assessment_id}/duplicate")
def duplicate(
    assessment_id: AssessmentId, repo: RepoDep, lang: PageLangDep, keep_evidence: Annotated[str, Form()] = ""
) -> Response:
    """A copy (``keep_evidence`` ticked: with the notes and evidence of its answers)."""
    original = repo.get(assessment_id)
    suffix = translator(lang)("copy.suffix")
    name = f"{original.name[: 200 - len(suffix) - 1]} {suffix}"
    new = evidence.duplicate(repo, assessment_id, name=name, keep_evidence=bool(keep_evidence))
    return see_other(f"/a/{new}/result")


@router.get("/a/{assessment_id}/delete", response_class=HTMLResponse)
def confirm_delete(request: Request, assessment_id: AssessmentId, repo: RepoDep) -> HTMLResponse:
    return render(request, "delete.html", saved=repo.get(assessment_id))


@writes.post("/a/{assessment_id}/delete")
def delete(assessment_id: AssessmentId, repo: RepoDep) -> Response:
    repo.delete(assessment_id)
    return see_other("/?deleted=1")


@router.get("/a/{assessment_id}/history", response_class=HTMLResponse)
def history(request: Request, assessment_id: AssessmentId, repo: RepoDep, kb: KbDep, lang: PageLangDep) -> HTMLResponse:
    saved = repo.get(assessment_id)
    entries = repo.history(assessment_id)
    marks = regime_changes(repo, assessment_id)
    return render(
        request,
        "history.html",
        saved=saved,
        # (its position, for "compare with now"; the entry; the phases whose regime it changed), latest first.
        # The marks are read apart: a change stored in between may leave the last entries unmarked.
        entries=list(reversed([(i, e, marks[i] if i < len(marks) else ()) for i, e in enumerate(entries)])),
        evaluations=list(reversed(repo.evaluations(assessment_id))),
        label=lambda question, code: safe_answer_label(kb, lang, question, code),
        question_text=lambda question: question_text(kb, lang, question),
        notes=lambda detail: [note[lang] for note in upgrade_notes(detail) if lang in note],
        upgrade_detail=UPGRADE_DETAIL,
    )


def _question(kb: KnowledgeBase, question: str) -> Question | None:
    """The question of this rule set, or of format 1 (the questions before 2026.12) for older answers."""
    return kb.question_by_id.get(question) or format1_questions().get(question)


def question_text(kb: KnowledgeBase, lang: Lang, question: str | None) -> str:
    found = _question(kb, question or "")
    return found.text.get(lang) if found else (question or "")


def safe_answer_label(kb: KnowledgeBase, lang: Lang, question: str, code: str) -> str:
    """An answer's words (in format 1's words for its questions); the bare code when no rule set knows it."""
    if code == "unknown":
        return translate("answer.unknown", lang)
    found = _question(kb, question)
    try:
        return found.option(code).label.get(lang) if found else code
    except KeyError:
        older = format1_questions().get(question)  # an answer only format 1 allowed
        try:
            return older.option(code).label.get(lang) if older else code
        except KeyError:
            return code
