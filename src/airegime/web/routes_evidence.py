"""Notes and evidence per answer on the pages: write or clear the note, attach a file or a link,
remove one, download a file (always as an attachment). ``router`` shows (any role), ``writes``
changes (editors).

The interview and result pages show an answer's evidence through the ``answer_evidence``
template function (read once per request), so their routes need not know about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from airegime.edge.deps import EDITOR, RepoDep
from airegime.edge.files import evidence_download
from airegime.edge.inputs import MAX_ID, AssessmentId, RecordId
from airegime.errors import EvidenceRefused, msg
from airegime.i18n import N_
from airegime.render.summary import file_size
from airegime.storage.evidence import (
    MAX_FILE_BYTES,
    MAX_NOTE_CHARS,
    Attachment,
    Evidence,
    EvidenceStore,
    evidence_of,
)
from airegime.web.pages import render, see_other, templates
from airegime.web.security import safe_next

router = APIRouter()
writes = APIRouter(dependencies=[EDITOR])
Short = Annotated[str, Form(max_length=200)]
Back = Annotated[str, Form(max_length=2_000)]  # the page the form was on
# Why something was refused, in the reader's words (EvidenceRefused.reason -> message id).
REFUSALS = {
    "note_too_long": N_("evidence.refused.note_too_long"),
    "text": N_("evidence.refused.text"),
    "file_type": N_("evidence.refused.file_type"),
    "file_too_large": N_("evidence.refused.file_too_large"),
    "too_many": N_("evidence.refused.too_many"),
    "empty": N_("evidence.refused.empty"),
    "archive": N_("evidence.refused.archive"),
    "macro": N_("evidence.refused.macro"),
    "markup": N_("evidence.refused.markup"),
    "url": N_("evidence.refused.url"),
}
# The history's words for the events of this module (history.html: _('event.' ~ kind)).
EVENTS = (
    N_("event.note_changed"),
    N_("event.note_cleared"),
    N_("event.attachment_added"),
    N_("event.attachment_removed"),
    N_("event.evidence_copied"),
)


def answer_evidence(request: Request, assessment_id: int) -> Evidence:
    """The evidence of an assessment, read once per request (for the templates, on pages that have
    already read the assessment: another organisation's would read as none)."""
    cached: dict[int, Evidence] | None = getattr(request.state, "evidence", None)
    if cached is None:
        cached = request.state.evidence = {}
    if assessment_id not in cached:
        cached[assessment_id] = evidence_of(request.state.repo, (assessment_id,))[assessment_id]
    return cached[assessment_id]


templates.env.globals["answer_evidence"] = answer_evidence
templates.env.globals["file_size"] = file_size
templates.env.globals["note_limit"] = MAX_NOTE_CHARS


def back_to(assessment_id: int, back: str) -> RedirectResponse:
    """Back to the page the form was on (this assessment's interview or result), else the result."""
    target = safe_next(back)
    if not target.startswith((f"/a/{assessment_id}/interview", f"/a/{assessment_id}/result")):
        target = f"/a/{assessment_id}/result"
    return see_other(target)


def refused(request: Request, assessment_id: int, error: EvidenceRefused, back: str) -> HTMLResponse:
    status = 413 if error.reason == "file_too_large" else 400
    return render(
        request,
        "evidence_refused.html",
        status,
        message=REFUSALS.get(error.reason, "evidence.refused.file_type"),
        back=back_to(assessment_id, back).headers["location"],
    )


def answer_of(scope: str, ctx: str) -> int | None:
    """The context id a form names ("" for none; not a number: no such context, a 404)."""
    if not ctx.strip():
        return None
    if not ctx.strip().isdigit() or not 1 <= int(ctx) <= MAX_ID:
        raise HTTPException(status_code=404)
    return int(ctx)


@dataclass(frozen=True, slots=True)
class AnswerForm:
    """The answer a form is about: its scope, the context its ``ctx`` field names, its question."""

    scope: str
    ctx: str
    question: str

    @property
    def context_id(self) -> int | None:
        """Read when used, as a route's own check would be (not a number: a 404)."""
        return answer_of(self.scope, self.ctx)


def answer_form(scope: Short = "", ctx: Short = "", question: Short = "") -> AnswerForm:
    return AnswerForm(scope, ctx, question)


AnswerDep = Annotated[AnswerForm, Depends(answer_form)]


class AnswerChange(Protocol):
    """A change to one answer's note or evidence: an ``EvidenceStore`` method with its own values bound."""

    def __call__(self, assessment_id: int, *, scope: str, context_id: int | None, question: str) -> object: ...


async def stored(request: Request, assessment_id: int, answer: AnswerForm, back: str, change: AnswerChange) -> Response:
    """Make the change (in a worker thread: a file is checked from its bytes), then back to the page the
    form was on; the reason when it is refused."""
    try:
        await run_in_threadpool(
            lambda: change(assessment_id, scope=answer.scope, context_id=answer.context_id, question=answer.question)
        )
    except EvidenceRefused as error:
        return refused(request, assessment_id, error, back)
    return back_to(assessment_id, back)


@writes.post("/a/{assessment_id}/evidence/note", response_class=HTMLResponse)
async def write_note(
    request: Request,
    assessment_id: AssessmentId,
    repo: RepoDep,
    answer: AnswerDep,
    text: Annotated[str, Form(max_length=20_000)] = "",
    back: Back = "",
) -> Response:
    """Write, replace or (empty) clear the note of one answer."""
    return await stored(request, assessment_id, answer, back, partial(EvidenceStore(repo).set_note, text=text))


@writes.post("/a/{assessment_id}/evidence/file", response_class=HTMLResponse)
async def add_file(
    request: Request,
    assessment_id: AssessmentId,
    repo: RepoDep,
    answer: AnswerDep,
    back: Back = "",
    file: UploadFile | None = None,
) -> Response:
    """Attach an uploaded file to one answer (checked from its bytes; refused with the reason)."""
    if file is None or not file.filename:
        return refused(request, assessment_id, EvidenceRefused("empty", msg("error.evidence.no_file")), back)
    data = await file.read(MAX_FILE_BYTES + 1)
    add = partial(EvidenceStore(repo).add_file, filename=file.filename, data=data)
    return await stored(request, assessment_id, answer, back, add)


@writes.post("/a/{assessment_id}/evidence/link", response_class=HTMLResponse)
async def add_link(
    request: Request,
    assessment_id: AssessmentId,
    repo: RepoDep,
    answer: AnswerDep,
    url: Annotated[str, Form(max_length=4_000)] = "",
    title: Short = "",
    back: Back = "",
) -> Response:
    return await stored(
        request, assessment_id, answer, back, partial(EvidenceStore(repo).add_link, url=url, title=title)
    )


@writes.post("/a/{assessment_id}/evidence/{attachment_id}/remove")
def remove(
    assessment_id: AssessmentId,
    attachment_id: RecordId,
    repo: RepoDep,
    back: Back = "",
) -> Response:
    EvidenceStore(repo).remove(assessment_id, attachment_id)
    return back_to(assessment_id, back)


@router.get("/a/{assessment_id}/evidence/{attachment_id}")
def download(assessment_id: AssessmentId, attachment_id: RecordId, repo: RepoDep) -> Response:
    """A kept file, to save (a link's address is on the page itself: no file here, 404)."""
    found, data = EvidenceStore(repo).attachment(assessment_id, attachment_id)
    if data is None:
        raise HTTPException(status_code=404)
    return evidence_download(found, data)


def kind_label(attachment: Attachment) -> str:
    return attachment.type_name or "URL"


templates.env.globals["evidence_kind"] = kind_label
