"""Notes and evidence per answer, and duplicating an assessment (with them, on request).

An answer is named by ``scope`` (system, development, deployment), ``context_id`` (the
development processing's or deployment context's id; none for the system, and for a
development: the first one) and ``question``. Files are sent as multipart form data and
checked from their bytes (``airegime.storage.evidence``); they are downloaded as attachments
only, text as ``application/octet-stream``.

``router`` reads (any role), ``writes`` changes (editors: ``EDITOR``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from airegime.api.deps import StrictJsonRoute
from airegime.api.models import ErrorBody
from airegime.edge.deps import EDITOR, RepoDep
from airegime.edge.files import evidence_download
from airegime.edge.inputs import MAX_ID, AssessmentId, CleanText, RecordId
from airegime.errors import ApiError, EvidenceRefused, msg
from airegime.storage.evidence import (
    MAX_FILE_BYTES,
    MAX_NOTE_CHARS,
    Attachment,
    EvidenceStore,
    Note,
    duplicate,
)

router = APIRouter(prefix="/assessments", tags=["evidence"], route_class=StrictJsonRoute)
writes = APIRouter(prefix="/assessments", tags=["evidence"], route_class=StrictJsonRoute, dependencies=[EDITOR])
ScopeName = Literal["system", "development", "deployment"]
ContextQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="the development processing's or deployment context's id")
]
QuestionQuery = Annotated[str, Query(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")]
STATUS = {"file_too_large": 413, "too_many": 409}
REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The assessment keeps as many files or links as it may."},
    413: {"model": ErrorBody, "description": "The file is over 10 MB."},
    422: {"model": ErrorBody, "description": "Refused: a type not kept, markup, a zip bomb, a bad link or note."},
}


class NoteOut(BaseModel):
    model_config = ConfigDict(frozen=True)
    scope: ScopeName
    context_id: int | None
    question: str
    text: str
    author: str
    updated_at: datetime


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    scope: ScopeName
    context_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    question: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    text: CleanText = Field(min_length=1, max_length=MAX_NOTE_CHARS, description="why this answer (at most 2,000)")


class AttachmentOut(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: int
    scope: ScopeName
    context_id: int | None
    question: str
    kind: Literal["file", "link"]
    name: str
    media_type: str = Field(description="read from the file's bytes; empty for a link")
    size: int
    sha256: str
    url: str
    added_by: str
    added_at: datetime


class EvidenceOut(BaseModel):
    model_config = ConfigDict(frozen=True)
    notes: list[NoteOut]
    attachments: list[AttachmentOut]


class DuplicateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: CleanText = Field(default="", max_length=200, description="the copy's name (default: the original's)")
    keep_evidence: bool = Field(default=False, description="copy the notes, files and links too")


class DuplicateOut(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: int


def note_out(note: Note) -> NoteOut:
    return NoteOut.model_validate(note, from_attributes=True)


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut.model_validate(attachment, from_attributes=True)


def refused(error: EvidenceRefused) -> ApiError:
    return ApiError(STATUS.get(error.reason, 422), error.reason, error.said, hint=error.advice)


async def answer_filter(
    scope: ScopeName | None = None,
    context_id: ContextQuery = None,
    question: Annotated[str | None, Query(max_length=60)] = None,
) -> Callable[[Note | Attachment], bool]:
    """The query narrowing a list of notes or attachments to one answer; a part left out matches any."""

    def of_answer(item: Note | Attachment) -> bool:
        return (
            (scope is None or item.scope == scope)
            and (context_id is None or item.context_id == context_id)
            and (question is None or item.question == question)
        )

    return of_answer


OfAnswer = Annotated[Callable[[Note | Attachment], bool], Depends(answer_filter)]


@router.get("/{assessment_id}/evidence")
def read_evidence(assessment_id: AssessmentId, repo: RepoDep) -> EvidenceOut:
    """Every note and kept attachment of the assessment."""
    found = EvidenceStore(repo).evidence(assessment_id)
    return EvidenceOut(
        notes=[note_out(n) for n in found.notes], attachments=[attachment_out(a) for a in found.attachments]
    )


@router.get("/{assessment_id}/notes")
def read_notes(assessment_id: AssessmentId, repo: RepoDep, of_answer: OfAnswer) -> list[NoteOut]:
    """The notes, or those of one answer (``scope``, ``context_id``, ``question``)."""
    return [note_out(n) for n in EvidenceStore(repo).evidence(assessment_id).notes if of_answer(n)]


@writes.put("/{assessment_id}/notes", responses=REFUSED)
def write_note(assessment_id: AssessmentId, note: NoteIn, repo: RepoDep) -> NoteOut:
    """Write or replace the note of one answer."""
    try:
        written = EvidenceStore(repo).set_note(
            assessment_id, scope=note.scope, context_id=note.context_id, question=note.question, text=note.text
        )
    except EvidenceRefused as error:
        raise refused(error) from None
    if written is None:  # only blanks: refused by the model already; kept for the type checker
        raise ApiError(
            422, "empty", msg("error.evidence.note_empty"), where="text", hint=msg("error.evidence.note_empty.hint")
        )
    return note_out(written)


@writes.delete("/{assessment_id}/notes", status_code=204, response_class=Response)
def clear_note(
    assessment_id: AssessmentId,
    repo: RepoDep,
    scope: ScopeName,
    question: QuestionQuery,
    context_id: ContextQuery = None,
) -> Response:
    """Clear the note of one answer (nothing to clear is no error)."""
    EvidenceStore(repo).set_note(assessment_id, scope=scope, context_id=context_id, question=question, text="")
    return Response(status_code=204)


@router.get("/{assessment_id}/attachments")
def list_attachments(assessment_id: AssessmentId, repo: RepoDep, of_answer: OfAnswer) -> list[AttachmentOut]:
    """The kept files and links, or those of one answer."""
    return [attachment_out(a) for a in EvidenceStore(repo).evidence(assessment_id).attachments if of_answer(a)]


@writes.post("/{assessment_id}/attachments", status_code=201, responses=REFUSED)
def add_attachment(
    request: Request,
    response: Response,
    assessment_id: AssessmentId,
    repo: RepoDep,
    scope: Annotated[ScopeName, Form()],
    question: Annotated[str, Form(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")],
    context_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    file: Annotated[UploadFile | None, File(description="a PDF, PNG, JPEG, text, CSV, DOCX, XLSX or ODT")] = None,
    url: Annotated[CleanText, Form(max_length=2_000, description="or a link (http or https)")] = "",
    title: Annotated[CleanText, Form(max_length=200, description="the link's title")] = "",
) -> AttachmentOut:
    """Attach a file (multipart ``file``, at most 10 MB) or a link (``url``) to one answer."""
    store = EvidenceStore(repo)
    where = {"scope": scope, "context_id": context_id, "question": question}
    try:
        if file is not None and file.filename is not None:
            data = file.file.read(MAX_FILE_BYTES + 1)
            added = store.add_file(assessment_id, filename=file.filename, data=data, **where)  # type: ignore[arg-type]
        elif url:
            added = store.add_link(assessment_id, url=url, title=title, **where)  # type: ignore[arg-type]
        else:
            raise ApiError(
                422,
                "empty",
                msg("error.evidence.nothing_sent"),
                where="file",
                hint=msg("error.evidence.nothing_sent.hint"),
            )
    except EvidenceRefused as error:
        raise refused(error) from None
    root = request.scope.get("root_path", "")
    response.headers["Location"] = f"{root}/assessments/{assessment_id}/attachments/{added.id}"
    return attachment_out(added)


@router.get(
    "/{assessment_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {"description": "The file, as an attachment.", "content": {"application/octet-stream": {}}},
        409: {"model": ErrorBody, "description": "A link: no file to download (its url is in the list)."},
    },
)
def download_attachment(assessment_id: AssessmentId, attachment_id: RecordId, repo: RepoDep) -> Response:
    """The file, to save (never shown inline: text is sent as ``application/octet-stream``)."""
    found, data = EvidenceStore(repo).attachment(assessment_id, attachment_id)
    if data is None:
        raise ApiError(
            409, "link", msg("error.evidence.is_link"), hint=msg("error.evidence.is_link.hint", url=found.url)
        )
    return evidence_download(found, data)


@writes.delete("/{assessment_id}/attachments/{attachment_id}", status_code=204, response_class=Response)
def remove_attachment(assessment_id: AssessmentId, attachment_id: RecordId, repo: RepoDep) -> Response:
    """Remove a file or link (the history keeps its name)."""
    EvidenceStore(repo).remove(assessment_id, attachment_id)
    return Response(status_code=204)


@writes.post("/{assessment_id}/duplicate", status_code=201)
def duplicate_assessment(
    request: Request, response: Response, assessment_id: AssessmentId, repo: RepoDep, body: DuplicateIn
) -> DuplicateOut:
    """A copy of the assessment (details, phases, answers); with ``keep_evidence``, its notes and attachments."""
    name = body.name.strip() or repo.get(assessment_id).name
    new = duplicate(repo, assessment_id, name=name, keep_evidence=body.keep_evidence)
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/assessments/{new}"
    return DuplicateOut(id=new)
