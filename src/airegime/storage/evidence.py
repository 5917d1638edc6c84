"""Why each answer was given: one short note per answer, and evidence (files and links).

An answer is named by the assessment, its scope (system, development, deployment), the
development processing's or deployment context's id (None for the system) and the question.

Files are kept in the database with the assessment (``attachments``: the bytes, their SHA-256
and the media type read from the bytes themselves). What a file is, is decided from its content
only (:func:`sniff`), never from its name or the type a client claims: PDF, PNG, JPEG, plain
text or CSV, and the zip-based office documents (DOCX, XLSX, ODT) after a bounded look at the
archive's directory (never extracting it: an archive that would inflate beyond the caps is
refused as a zip bomb). Markup (HTML, SVG, XML) is refused: it is not evidence a browser should
ever be given. Names are cleaned (no folders, no control or direction characters) and given the
extension of what the file is, so a PDF named ``.exe`` is kept as ``….exe.pdf``.

Every change is an event of the assessment's history (``note_changed``, ``note_cleared``,
``attachment_added``, ``attachment_removed``) and an audit entry, in the same transaction.
Removing an attachment keeps its row (``removed_at``) so the history still names it.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from airegime.engine.results import Assessment
from airegime.errors import EvidenceRefused, NotFoundError, msg
from airegime.kb.models import Scope
from airegime.storage import evaluation
from airegime.storage.models import AnswerColumns, AssessmentRow, AttachmentRow, ContextRow, NoteRow, as_utc, now
from airegime.storage.records import Context, Saved
from airegime.system import Deployment, Development, EvidenceRef, System
from airegime.text import has_control

if TYPE_CHECKING:  # the repository calls this module's descriptor hook: no import back at run time
    from airegime.storage.repository import Repository

Row = TypeVar("Row", bound=AnswerColumns)  # a note or an attachment, as stored

MAX_NOTE_CHARS = 2_000
MAX_FILE_BYTES = 10_000_000
MAX_FILES = 50  # files kept (not removed) per assessment
MAX_LINKS = 200  # links kept per assessment
MAX_NAME_CHARS = 200
MAX_URL_CHARS = 2_000
# A zip-based document: the caps on what its directory declares (nothing is inflated but a few bytes).
ZIP_MAX_ENTRIES = 5_000
ZIP_MAX_INFLATED = 200_000_000  # all entries together
ZIP_MAX_ENTRY = 100_000_000
ZIP_MAX_RATIO = 100  # inflated / compressed, for an entry over ZIP_RATIO_FROM bytes
ZIP_RATIO_FROM = 1_000_000

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
TEXT, CSV = "text/plain", "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
# Each kept type, with the extensions a name may end with (the first is added when it ends otherwise).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    TEXT: (".txt", ".text", ".md", ".log"),
    CSV: (".csv",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    ODT: (".odt",),
}
# How a kept type is served: text as bytes to save (a browser never renders it), the others as what they are.
SERVED_AS = {TEXT: "application/octet-stream", CSV: "application/octet-stream"}
TYPE_NAMES = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", TEXT: "TXT", CSV: "CSV", DOCX: "DOCX", XLSX: "XLSX", ODT: "ODT"}
MARKUP = re.compile(rb"<\s*(?:script|svg|html|!doctype|\?xml|iframe|object|embed|body|head|meta)\b", re.IGNORECASE)
SCOPES: tuple[Scope, ...] = ("system", "development", "deployment")
# Inside an office document: what runs code (VBA projects, ActiveX controls, OpenDocument Basic and scripts).
MACROS = re.compile(r"(?:^|/)(?:vbaProject\.bin|activeX/|Basic/|Scripts/)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Note:
    scope: str
    context_id: int | None
    question: str
    text: str
    author: str
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "updated_at": self.updated_at.isoformat()}


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file (``kind`` "file": its name, sniffed type, size and SHA-256) or a link (``url``)."""

    id: int
    scope: str
    context_id: int | None
    question: str
    kind: str
    name: str
    media_type: str
    size: int
    sha256: str
    url: str
    added_by: str
    added_at: datetime
    removed_at: datetime | None = None

    @property
    def type_name(self) -> str:
        """The file's type in a word (PDF, DOCX…), "" for a link."""
        return TYPE_NAMES.get(self.media_type, "") if self.kind == "file" else ""

    @property
    def served_as(self) -> str:
        return SERVED_AS.get(self.media_type, self.media_type or "application/octet-stream")

    def to_dict(self) -> dict[str, Any]:
        """Its fields but ``removed_at`` (a removed attachment is no longer listed)."""
        data = {**asdict(self), "added_at": self.added_at.isoformat()}
        del data["removed_at"]
        return data


AnswerKey = tuple[str, int | None, str]  # scope, development or context id (None: the system), question


@dataclass(frozen=True, slots=True)
class Evidence:
    """An assessment's notes and kept attachments (removed ones left out)."""

    notes: tuple[Note, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    def note(self, scope: str, context_id: int | None, question: str) -> Note | None:
        return next(
            (n for n in self.notes if (n.scope, n.context_id, n.question) == (scope, context_id, question)), None
        )

    def of(self, scope: str, context_id: int | None, question: str) -> tuple[Attachment, ...]:
        key = (scope, context_id, question)
        return tuple(a for a in self.attachments if (a.scope, a.context_id, a.question) == key)

    def keys(self) -> set[AnswerKey]:
        return {(n.scope, n.context_id, n.question) for n in self.notes} | {
            (a.scope, a.context_id, a.question) for a in self.attachments
        }

    def __bool__(self) -> bool:
        return bool(self.notes or self.attachments)


# What a file is


def sniff(data: bytes, name: str = "") -> str:
    """The media type of ``data``, read from its bytes; refused (:class:`EvidenceRefused`) when it
    is none of the kept types. ``name`` only tells CSV from plain text (both served as bytes)."""
    if not data:
        raise EvidenceRefused("empty", msg("error.evidence.file_empty"), hint=msg("error.evidence.file_empty.hint"))
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return _text_type(data, name)


def _refuse_type() -> EvidenceRefused:
    return EvidenceRefused(
        "file_type",
        msg("error.evidence.file_type", types=msg("error.evidence.allowed_types")),
        hint=msg("error.evidence.file_type.hint"),
    )


def _office_type(data: bytes) -> str:
    """DOCX, XLSX or ODT, from the archive's directory (and its few-byte ``mimetype`` entry)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise _refuse_bomb()
            inflated = 0
            for entry in entries:
                inflated += entry.file_size
                too_dense = entry.file_size > ZIP_RATIO_FROM and entry.file_size > ZIP_MAX_RATIO * max(
                    entry.compress_size, 1
                )
                if entry.file_size > ZIP_MAX_ENTRY or too_dense or inflated > ZIP_MAX_INFLATED:
                    raise _refuse_bomb()
            names = {entry.filename for entry in entries}
            if any(MACROS.search(name) for name in names):
                raise EvidenceRefused(
                    "macro",
                    msg("error.evidence.macro"),
                    hint=msg("error.evidence.macro.hint"),
                )
            if "mimetype" in names:
                with archive.open("mimetype") as stream:
                    declared = stream.read(100).strip()
                if declared == ODT.encode():
                    return ODT
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return DOCX
                if any(n.startswith("xl/") for n in names):
                    return XLSX
    except EvidenceRefused:
        raise
    except Exception:  # a damaged archive, an unknown compression, a lying header: not a document
        raise _refuse_type() from None
    raise _refuse_type()


def _refuse_bomb() -> EvidenceRefused:
    return EvidenceRefused(
        "archive",
        msg("error.evidence.archive"),
        hint=msg("error.evidence.archive.hint"),
    )


def _text_type(data: bytes, name: str) -> str:
    """Plain text or CSV: UTF-8 (or Windows-1252) without control characters and without markup."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise _refuse_type() from None
    if has_control(text.replace("\f", "").replace("\v", "")):
        raise _refuse_type()
    if text.lstrip().startswith("<") or MARKUP.search(data):
        raise EvidenceRefused(
            "markup",
            msg("error.evidence.markup"),
            hint=msg("error.evidence.markup.hint"),
        )
    return CSV if name.lower().endswith(".csv") else TEXT


def clean_name(name: str, media_type: str) -> str:
    """A file's name without any folder, control or invisible characters, at most 200 characters,
    ending with an extension of its sniffed type (added when it ends otherwise)."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")  # controls, format (bidi), unassigned
    base = " ".join(base.split()).strip(" .")
    extensions = EXTENSIONS.get(media_type, ())
    if not base:
        base = "file"
    suffix = PurePosixPath(base).suffix.lower()
    if extensions and suffix not in extensions:
        base += extensions[0]
        suffix = extensions[0]
    if len(base) > MAX_NAME_CHARS:
        base = base[: MAX_NAME_CHARS - len(suffix)].rstrip(" .") + suffix
    return base


def check_url(url: str) -> str:
    """A link's address: http or https, with a host, no spaces or control characters."""
    url = url.strip()
    parts = urlsplit(url) if len(url) <= MAX_URL_CHARS and not has_control(url) and " " not in url else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EvidenceRefused(
            "url",
            msg("error.evidence.url"),
            hint=msg("error.evidence.url.hint"),
        )
    return url


def check_note(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_NOTE_CHARS:
        raise EvidenceRefused(
            "note_too_long", msg("error.evidence.note_too_long", limit=MAX_NOTE_CHARS), hint=msg("error.shorten")
        )
    if has_control(text.replace("\n", "").replace("\t", "").replace("\r", "")):
        raise EvidenceRefused("text", msg("error.evidence.control"), hint=msg("error.evidence.control.hint"))
    return text


# Stored


class EvidenceStore:
    """Notes and attachments of one organisation's assessments (through its scoped repository:
    another organisation's assessment is not found)."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def evidence(self, assessment_id: int, *, removed: bool = False) -> Evidence:
        """The notes and attachments (``removed``: those removed too) of an assessment."""
        with self.repo._reads() as session:
            self.repo._row(session, assessment_id)
            found = _read(session, (assessment_id,), self.repo.organisation_id, removed=removed)
            return found.get(assessment_id, Evidence())

    def set_note(
        self, assessment_id: int, *, scope: str, context_id: int | None, question: str, text: str
    ) -> Note | None:
        """Write (or, with blank ``text``, clear) the note of one answer."""
        text = check_note(text)
        with self.repo._sessions.begin() as session:
            row = self.repo._row(session, assessment_id, for_update=True)
            context_id, where = self._answer(session, assessment_id, scope, context_id, question)
            found = session.scalars(_note_query(assessment_id, scope, context_id, question)).first()
            if not text:
                if found is None:
                    return None
                session.delete(found)
                self._changed(session, row, "note_cleared", scope, context_id, question, "")
                self.repo._audit(session, "note.cleared", row, f"{where}: {question}")
                return None
            if found is not None and found.text == text:
                return _note(found)
            if found is None:
                found = NoteRow(assessment_id=assessment_id, scope=scope, context_id=context_id, question=question)
                session.add(found)
            found.text, found.author, found.updated_at = text, self.repo.actor[:100], now()
            self._changed(session, row, "note_changed", scope, context_id, question, text[:300])
            self.repo._audit(session, "note.changed", row, f"{where}: {question}")
            session.flush()
            return _note(found)

    def add_file(
        self, assessment_id: int, *, scope: str, context_id: int | None, question: str, filename: str, data: bytes
    ) -> Attachment:
        """Keep a file as evidence of one answer (refused: :class:`EvidenceRefused`, nothing kept)."""
        if len(data) > MAX_FILE_BYTES:
            raise EvidenceRefused(
                "file_too_large",
                msg("error.evidence.too_large", megabytes=MAX_FILE_BYTES // 1_000_000),
                hint=msg("error.evidence.too_large.hint"),
            )
        media_type = sniff(data, filename)
        name = clean_name(filename, media_type)
        digest = hashlib.sha256(data).hexdigest()
        values = {"kind": "file", "name": name, "media_type": media_type, "size": len(data), "sha256": digest}
        return self._add(assessment_id, scope, context_id, question, {**values, "data": data, "url": ""})

    def add_link(
        self, assessment_id: int, *, scope: str, context_id: int | None, question: str, url: str, title: str = ""
    ) -> Attachment:
        url = check_url(url)
        name = " ".join("".join(c for c in title if unicodedata.category(c)[0] != "C").split())[:MAX_NAME_CHARS]
        values = {"kind": "link", "name": name or url[:MAX_NAME_CHARS], "media_type": "", "size": 0, "sha256": ""}
        return self._add(assessment_id, scope, context_id, question, {**values, "data": None, "url": url})

    def remove(self, assessment_id: int, attachment_id: int) -> None:
        """Remove an attachment (its row stays, marked, for the history)."""
        with self.repo._sessions.begin() as session:
            row = self.repo._row(session, assessment_id, for_update=True)
            found = session.get(AttachmentRow, attachment_id)
            if found is None or found.assessment_id != assessment_id or found.removed_at is not None:
                raise NotFoundError(msg("error.evidence.none", id=attachment_id), hint=msg("error.storage.reload"))
            found.removed_at = now()
            found.data = None  # the bytes go (a removed file holds no space); name, size and hash stay
            self._changed(session, row, "attachment_removed", found.scope, found.context_id, found.question, found.name)
            self.repo._audit(session, "attachment.removed", row, f"{found.question}: {found.name}")

    def attachment(self, assessment_id: int, attachment_id: int) -> tuple[Attachment, bytes | None]:
        """A kept attachment and its bytes (None for a link)."""
        with self.repo._reads() as session:
            self.repo._row(session, assessment_id)
            found = session.get(AttachmentRow, attachment_id)
            if found is None or found.assessment_id != assessment_id or found.removed_at is not None:
                raise NotFoundError(msg("error.evidence.none", id=attachment_id), hint=msg("error.storage.reload"))
            return _attachment(found), found.data

    def copy_into(self, session: Session, source: Saved, row: AssessmentRow, phases: tuple[Context, ...]) -> int:
        """Copy the notes and kept attachments of ``source`` to its duplicate ``row`` (whose phases are
        ``phases``, matched by position), inside the caller's transaction; return how many were copied."""
        pairs = {
            **{s.id: t.id for s, t in zip(source.developments, _of(phases, "development"), strict=False)},
            **{s.id: t.id for s, t in zip(source.contexts, _of(phases, "deployment"), strict=False)},
        }
        moment = now()
        notes = session.scalars(select(NoteRow).where(NoteRow.assessment_id == source.id).order_by(NoteRow.id))
        kept = select(AttachmentRow).where(AttachmentRow.assessment_id == source.id, AttachmentRow.removed_at.is_(None))
        copies: list[NoteRow | AttachmentRow] = [
            NoteRow(**answer, text=note.text, author=note.author, updated_at=note.updated_at)
            for note, answer in _same_answers(notes, row.id, pairs)
        ]
        copies += [
            AttachmentRow(
                **answer,
                kind=item.kind,
                name=item.name,
                media_type=item.media_type,
                size=item.size,
                sha256=item.sha256,
                data=item.data,
                url=item.url,
                added_by=self.repo.actor[:100],
                added_at=moment,
            )
            for item, answer in _same_answers(session.scalars(kept.order_by(AttachmentRow.id)), row.id, pairs)
        ]
        session.add_all(copies)
        copied = len(copies)
        if copied:
            self.repo._event(session, row.id, "evidence_copied", detail=source.name)
            self.repo._audit(session, "evidence.copied", row, f"from #{source.id}: {copied}")
        return copied

    # Inside a transaction

    def _add(
        self, assessment_id: int, scope: str, context_id: int | None, question: str, values: dict[str, Any]
    ) -> Attachment:
        with self.repo._sessions.begin() as session:
            row = self.repo._row(session, assessment_id, for_update=True)
            context_id, where = self._answer(session, assessment_id, scope, context_id, question)
            limit = MAX_FILES if values["kind"] == "file" else MAX_LINKS
            count = session.scalar(
                select(func.count()).where(
                    AttachmentRow.assessment_id == assessment_id,
                    AttachmentRow.kind == values["kind"],
                    AttachmentRow.removed_at.is_(None),
                )
            )
            if (count or 0) >= limit:
                raise EvidenceRefused(
                    "too_many",
                    msg(
                        "error.evidence.too_many_files"
                        if values["kind"] == "file"
                        else "error.evidence.too_many_links",
                        limit=limit,
                    ),
                    hint=msg("error.evidence.too_many.hint"),
                )
            found = AttachmentRow(
                assessment_id=assessment_id,
                scope=scope,
                context_id=context_id,
                question=question,
                added_by=self.repo.actor[:100],
                added_at=now(),
                **values,
            )
            session.add(found)
            self._changed(session, row, "attachment_added", scope, context_id, question, found.name)
            self.repo._audit(session, "attachment.added", row, f"{where}: {question}: {found.name}")
            session.flush()
            return _attachment(found)

    def _answer(
        self, session: Session, assessment_id: int, scope: str, context_id: int | None, question: str
    ) -> tuple[int | None, str]:
        """The answer's development or context id (a development's: None is the first) and where it
        is, in words for the audit log; NotFoundError for a question or phase that is not there."""
        known = self.repo.kb.question_by_id.get(question)
        if scope not in SCOPES or known is None or scope not in known.scope:
            raise NotFoundError(
                msg("error.storage.no_question", question=question, scope=scope), hint=msg("error.storage.reload")
            )
        if scope == "system":
            if context_id is not None:
                raise NotFoundError(msg("error.evidence.system_phase"), hint=msg("error.storage.no_context"))
            return None, "system"
        query = select(ContextRow).where(
            ContextRow.assessment_id == assessment_id, ContextRow.phase == scope, ContextRow.removed_at.is_(None)
        )
        if context_id is not None:
            query = query.where(ContextRow.id == context_id)
        elif scope == "deployment":
            raise NotFoundError(msg("error.evidence.deployment_context"), hint=msg("error.storage.reload"))
        context = session.scalars(query.order_by(ContextRow.position, ContextRow.id)).first()
        if context is None:
            raise NotFoundError(msg("error.evidence.no_phase", scope=scope), hint=msg("error.storage.reload"))
        return context.id, f"{scope} {context.name}".strip()

    def _changed(
        self,
        session: Session,
        row: AssessmentRow,
        kind: str,
        scope: str,
        context_id: int | None,
        question: str,
        detail: str,
    ) -> None:
        self.repo._event(session, row.id, kind, scope=scope, context_id=context_id, question=question, detail=detail)
        row.updated_at = now()


def evidence_of(repo: Repository, assessment_ids: Iterable[int]) -> dict[int, Evidence]:
    """The evidence of several assessments of the repository's organisation, without checking that
    each exists (another organisation's, or a missing one, has none): for pages that have read it."""
    ids = tuple(assessment_ids)
    with repo._reads() as session:
        return _read(session, ids, repo.organisation_id, removed=False)


def read_with_evidence(repo: Repository, assessment_id: int) -> tuple[Saved, Assessment | None, Evidence]:
    """An assessment's current state, its latest stored result and its notes and evidence, read in
    one session."""
    with repo._reads() as session:
        saved, result = evaluation.with_result(session, repo.organisation_id, assessment_id)
        return saved, result, _read(session, (saved.id,), repo.organisation_id, removed=False)[saved.id]


def duplicate(repo: Repository, assessment_id: int, *, name: str, keep_evidence: bool = False) -> int:
    """Duplicate an assessment; with ``keep_evidence``, its notes and attachments too."""
    if not keep_evidence:
        return repo.duplicate(assessment_id, name=name)
    source, store = repo.get(assessment_id), EvidenceStore(repo)

    def keep(session: Session, row: AssessmentRow, phases: tuple[Context, ...]) -> None:
        store.copy_into(session, source, row, phases)

    return repo.duplicate(assessment_id, name=name, also=keep)  # one transaction: the copy whole, or nothing


def store_descriptor_evidence(
    session: Session,
    assessment_id: int,
    system: System,
    phases: tuple[Context, ...],
    *,
    actor: str,
) -> None:
    """A new assessment's notes and links, from its descriptor (``phases``: its development
    processings then its deployment contexts, as stored). Files named there are not re-created:
    a descriptor holds no file's bytes (``airegime db export`` carries them)."""
    moment = now()
    parts: list[tuple[System | Development | Deployment, str, int | None]] = [(system, "system", None)]
    parts += [
        (d, "development", c.id) for d, c in zip(system.developments, phases[: len(system.developments)], strict=True)
    ]
    parts += [
        (d, "deployment", c.id) for d, c in zip(system.deployments, phases[len(system.developments) :], strict=True)
    ]
    links = sum(1 for part, _, _ in parts for refs in part.evidence.values() for ref in refs if ref.url)
    if links > MAX_LINKS:
        raise EvidenceRefused(
            "too_many",
            msg("error.evidence.descriptor_links", links=links, limit=MAX_LINKS),
            hint=msg("error.evidence.descriptor_links.hint"),
        )
    for part, scope, context_id in parts:
        for question, text in part.notes.items():
            session.add(
                NoteRow(
                    assessment_id=assessment_id,
                    scope=scope,
                    context_id=context_id,
                    question=question,
                    text=text,
                    author=actor[:100],
                    updated_at=moment,
                )
            )
        for question, refs in part.evidence.items():
            for ref in refs:
                if ref.url:
                    session.add(
                        AttachmentRow(
                            assessment_id=assessment_id,
                            scope=scope,
                            context_id=context_id,
                            question=question,
                            kind="link",
                            name=ref.name[:MAX_NAME_CHARS],
                            media_type="",
                            size=0,
                            sha256="",
                            data=None,
                            url=check_url(ref.url),
                            added_by=actor[:100],
                            added_at=moment,
                        )
                    )


def with_evidence(system: System, saved: Saved, found: Evidence) -> System:
    """``system`` (the saved assessment's descriptor) with its notes and evidence, as a descriptor
    carries them: notes by question, files by name, type and size, links by name and address."""

    def part(scope: str, context_id: int | None) -> dict[str, Any]:
        notes = {n.question: n.text for n in found.notes if (n.scope, n.context_id) == (scope, context_id)}
        refs: dict[str, list[EvidenceRef]] = {}
        for a in found.attachments:
            if (a.scope, a.context_id) == (scope, context_id):
                ref = EvidenceRef(name=a.name, url=a.url, type=a.type_name, size=a.size)
                refs.setdefault(a.question, []).append(ref)
        return {"notes": notes, "evidence": {q: tuple(r) for q, r in refs.items()}}

    return system.model_copy(
        update={
            **part("system", None),
            "developments": tuple(
                d.model_copy(update=part("development", c.id))
                for d, c in zip(system.developments, saved.developments, strict=False)
            ),
            "deployments": tuple(
                d.model_copy(update=part("deployment", c.id))
                for d, c in zip(system.deployments, saved.contexts, strict=False)
            ),
        }
    )


def _read(session: Session, ids: tuple[int, ...], organisation_id: int, *, removed: bool) -> dict[int, Evidence]:
    """The evidence of the assessments ``ids`` that ``organisation_id`` owns (others' read as none):
    two queries of plain rows, the files' bytes left out."""
    if not ids:
        return {}
    given = {"ids": ids, "organisation": organisation_id}
    notes = session.execute(_NOTES, given).all()
    attachments = session.execute(_ALL_ATTACHMENTS if removed else _ATTACHMENTS, given).all()
    found: dict[int, tuple[list[Note], list[Attachment]]] = {i: ([], []) for i in ids}
    for note in notes:
        found[note.assessment_id][0].append(_note(note))
    for item in attachments:
        found[item.assessment_id][1].append(_attachment(item))
    return {i: Evidence(tuple(n), tuple(a)) for i, (n, a) in found.items()}


# Built once, like storage.state's queries: reading evidence is part of most reads of an assessment.
_OWNED = select(AssessmentRow.id).where(
    AssessmentRow.id.in_(bindparam("ids", expanding=True)), AssessmentRow.organisation_id == bindparam("organisation")
)
_NOTES = select(*NoteRow.__table__.columns).where(NoteRow.assessment_id.in_(_OWNED)).order_by(NoteRow.id)
_ALL_ATTACHMENTS = (
    select(*[c for c in AttachmentRow.__table__.columns if c.name != "data"])  # never the bytes
    .where(AttachmentRow.assessment_id.in_(_OWNED))
    .order_by(AttachmentRow.id)
)
_ATTACHMENTS = _ALL_ATTACHMENTS.where(AttachmentRow.removed_at.is_(None))  # those not removed


def _note_query(assessment_id: int, scope: str, context_id: int | None, question: str) -> Any:
    where_context = NoteRow.context_id.is_(None) if context_id is None else NoteRow.context_id == context_id
    return select(NoteRow).where(
        NoteRow.assessment_id == assessment_id, NoteRow.scope == scope, where_context, NoteRow.question == question
    )


def _of(phases: tuple[Context, ...], phase: str) -> list[Context]:
    return [p for p in phases if p.phase == phase]


def _same_answers(
    rows: Iterable[Row], target_id: int, contexts: dict[int, int]
) -> Iterator[tuple[Row, dict[str, Any]]]:
    """Each of ``rows`` whose phase the target has, with the answer columns of its copy there."""
    for row in rows:
        if (answer := _same_answer(row, target_id, contexts)) is not None:
            yield row, answer


def _same_answer(row: AnswerColumns, target_id: int, contexts: dict[int, int]) -> dict[str, Any] | None:
    """The answer columns of ``row`` for its copy in assessment ``target_id`` (``contexts`` maps a
    phase of the source to the same phase of the target), or None when the target has no such phase."""
    if row.context_id is not None and row.context_id not in contexts:
        return None
    return {
        "assessment_id": target_id,
        "scope": row.scope,
        "context_id": contexts.get(row.context_id) if row.context_id is not None else None,
        "question": row.question,
    }


def _note(row: Any) -> Note:
    return Note(row.scope, row.context_id, row.question, row.text, row.author, as_utc(row.updated_at))


def _attachment(row: Any) -> Attachment:
    return Attachment(
        id=row.id,
        scope=row.scope,
        context_id=row.context_id,
        question=row.question,
        kind=row.kind,
        name=row.name,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        url=row.url,
        added_by=row.added_by,
        added_at=as_utc(row.added_at),
        removed_at=as_utc(row.removed_at) if row.removed_at else None,
    )
