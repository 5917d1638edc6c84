"""Notes and evidence per answer, in storage: what is kept, what is refused, the history, duplicates."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from airegime.errors import EvidenceRefused, NotFoundError
from airegime.storage import Repository
from airegime.storage import evidence as ev
from airegime.storage.audit import AuditLog
from airegime.storage.evidence import EvidenceStore, duplicate
from airegime.storage.models import AttachmentRow

from .files import (
    BOMB_DOCX,
    DOCX,
    EXE,
    HIDDEN_SCRIPT,
    HTML,
    JPEG,
    MACRO_DOCX,
    MACRO_ODT,
    ODT,
    PDF,
    PLAIN_ZIP,
    PNG,
    SVG,
    TEXT,
    XLSX,
)


def new_assessment(repo: Repository) -> tuple[int, int, int]:
    """An assessment, its development processing's id and its deployment context's id."""
    made = repo.create(name="S", first_context="Shop")
    saved = repo.get(made)
    return made, saved.developments[0].id, saved.contexts[0].id


def test_a_note_is_written_replaced_and_cleared_each_change_in_the_history_and_the_audit_log(
    repo: Repository,
) -> None:
    made, _, context = new_assessment(repo)
    store = EvidenceStore(repo)
    where = {"scope": "deployment", "context_id": context, "question": "purpose"}
    note = store.set_note(made, text="  Le contrat le dit (art. 3).  ", **where)
    assert note is not None and note.text == "Le contrat le dit (art. 3)." and note.author == "local"
    store.set_note(made, text="Avenant du 4 mai.", **where)
    store.set_note(made, text="Avenant du 4 mai.", **where)  # unchanged: no new event
    assert store.evidence(made).note("deployment", context, "purpose").text == "Avenant du 4 mai."  # type: ignore[union-attr]
    assert store.set_note(made, text="   ", **where) is None
    assert store.evidence(made).notes == ()
    kinds = [(e.kind, e.question, e.context_name) for e in repo.history(made) if e.kind.startswith("note")]
    assert kinds == [
        ("note_changed", "purpose", "Shop"),
        ("note_changed", "purpose", "Shop"),
        ("note_cleared", "purpose", "Shop"),
    ]
    actions = [e.action for e in AuditLog(repo.engine).entries(repo.organisation_id)]
    assert actions.count("note.changed") == 2 and actions.count("note.cleared") == 1


def test_a_note_over_two_thousand_characters_is_refused_and_nothing_is_kept(repo: Repository) -> None:
    made, _, _ = new_assessment(repo)
    store = EvidenceStore(repo)
    store.set_note(made, scope="system", context_id=None, question="establishment", text="x" * 2000)
    with pytest.raises(EvidenceRefused) as refused:
        store.set_note(made, scope="system", context_id=None, question="establishment", text="y" * 2001)
    assert refused.value.reason == "note_too_long"
    assert store.evidence(made).notes[0].text == "x" * 2000


@pytest.mark.parametrize(
    ("data", "name", "media_type", "kept_as"),
    [
        (PDF, "contrat.pdf", ev.PDF, "contrat.pdf"),
        (PNG, "schema.png", ev.PNG, "schema.png"),
        (JPEG, "photo.JPG", ev.JPEG, "photo.JPG"),
        (TEXT, "notes.txt", ev.TEXT, "notes.txt"),
        (b"a;b\n1;2\n", "table.csv", ev.CSV, "table.csv"),
        (DOCX, "dpa.docx", ev.DOCX, "dpa.docx"),
        (XLSX, "registre.xlsx", ev.XLSX, "registre.xlsx"),
        (ODT, "arrete.odt", ev.ODT, "arrete.odt"),
        (PDF, "invoice.exe", ev.PDF, "invoice.exe.pdf"),  # the content decides, the name follows
        (PDF, "../../etc/passwd", ev.PDF, "passwd.pdf"),
        (TEXT, "C:\\Users\\x\\..\\secret.txt", ev.TEXT, "secret.txt"),
        (PDF, "re\x00port\u202etxt.pdf", ev.PDF, "reporttxt.pdf"),
        (DOCX, "dpa.pdf", ev.DOCX, "dpa.pdf.docx"),
        (PDF, "", ev.PDF, "file.pdf"),
        (PDF, "..", ev.PDF, "file.pdf"),
    ],
)
def test_files_are_kept_with_the_type_read_from_their_bytes_and_a_clean_name(
    repo: Repository, data: bytes, name: str, media_type: str, kept_as: str
) -> None:
    made, development, _ = new_assessment(repo)
    store = EvidenceStore(repo)
    added = store.add_file(
        made, scope="development", context_id=development, question="personal_data", filename=name, data=data
    )
    assert (added.media_type, added.name, added.size) == (media_type, kept_as, len(data))
    assert added.sha256 == hashlib.sha256(data).hexdigest()
    found, body = store.attachment(made, added.id)
    assert body == data and found == added


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (HTML, "page.pdf", "markup"),
        (SVG, "logo.svg", "markup"),
        (HIDDEN_SCRIPT, "notes.txt", "markup"),
        (EXE, "setup.exe", "file_type"),
        (EXE, "setup.pdf", "file_type"),
        (PLAIN_ZIP, "archive.docx", "file_type"),
        (BOMB_DOCX, "bomb.docx", "archive"),
        (MACRO_DOCX, "macro.docx", "macro"),
        (MACRO_ODT, "macro.odt", "macro"),
        (b"PK\x03\x04 not really a zip", "broken.docx", "file_type"),
        (b"", "empty.pdf", "empty"),
        (b"%PDF-" + b"0" * ev.MAX_FILE_BYTES, "huge.pdf", "file_too_large"),
    ],
)
def test_hostile_or_unknown_files_are_refused_with_a_reason_and_nothing_is_kept(
    repo: Repository, data: bytes, name: str, reason: str
) -> None:
    made, _, _ = new_assessment(repo)
    store = EvidenceStore(repo)
    with pytest.raises(EvidenceRefused) as refused:
        store.add_file(made, scope="system", context_id=None, question="establishment", filename=name, data=data)
    assert refused.value.reason == reason
    assert refused.value.hint
    with repo._reads() as session:
        assert session.scalars(select(AttachmentRow)).all() == []
    assert not [e for e in repo.history(made) if e.kind.startswith("attachment")]


def test_links_are_http_or_https_only(repo: Repository) -> None:
    made, _, _ = new_assessment(repo)
    store = EvidenceStore(repo)
    where = {"scope": "system", "context_id": None, "question": "establishment"}
    link = store.add_link(made, url=" https://www.legifrance.gouv.fr/x ", title="Arrêté\x07 du 3 mai", **where)
    assert (link.kind, link.url, link.name, link.media_type) == (
        "link",
        "https://www.legifrance.gouv.fr/x",
        "Arrêté du 3 mai",
        "",
    )
    assert store.add_link(made, url="http://intranet/dpa", **where).name == "http://intranet/dpa"
    for bad in (
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>",
        "https://",
        "ftp://x/y",
        "https://a b",
        "https://x/\x00",
        "https://x/" + "a" * 2000,
    ):
        with pytest.raises(EvidenceRefused) as refused:
            store.add_link(made, url=bad, **where)
        assert refused.value.reason == "url"


def test_removing_keeps_the_row_for_the_history_and_erases_the_bytes(repo: Repository) -> None:
    made, _, context = new_assessment(repo)
    store = EvidenceStore(repo)
    added = store.add_file(made, scope="deployment", context_id=context, question="purpose", filename="c.pdf", data=PDF)
    store.remove(made, added.id)
    assert store.evidence(made).attachments == ()
    removed = store.evidence(made, removed=True).attachments
    assert [(a.name, a.removed_at is not None) for a in removed] == [("c.pdf", True)]
    with pytest.raises(NotFoundError):
        store.attachment(made, added.id)
    with pytest.raises(NotFoundError):
        store.remove(made, added.id)  # once only
    with repo._reads() as session:
        assert session.get(AttachmentRow, added.id).data is None  # type: ignore[union-attr]
    kinds = [(e.kind, e.detail) for e in repo.history(made) if e.kind.startswith("attachment")]
    assert kinds == [("attachment_added", "c.pdf"), ("attachment_removed", "c.pdf")]
    actions = [e.action for e in AuditLog(repo.engine).entries(repo.organisation_id)]
    assert "attachment.added" in actions and "attachment.removed" in actions


def test_at_most_fifty_files_are_kept_per_assessment(repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ev, "MAX_FILES", 3)
    made, _, _ = new_assessment(repo)
    store = EvidenceStore(repo)
    where = {"scope": "system", "context_id": None, "question": "establishment"}
    kept = [store.add_file(made, filename=f"{i}.pdf", data=PDF, **where) for i in range(3)]
    with pytest.raises(EvidenceRefused) as refused:
        store.add_file(made, filename="4.pdf", data=PDF, **where)
    assert refused.value.reason == "too_many"
    store.remove(made, kept[0].id)  # a removed file no longer counts
    store.add_file(made, filename="4.pdf", data=PDF, **where)
    assert ev.MAX_FILES == 3 and len(store.evidence(made).attachments) == 3


def test_an_answer_that_is_not_there_is_not_found(repo: Repository) -> None:
    made, development, context = new_assessment(repo)
    other, _, other_context = new_assessment(repo)
    store = EvidenceStore(repo)
    for scope, context_id, question in [
        ("system", None, "no_such_question"),
        ("system", context, "establishment"),  # a system answer has no phase
        ("deployment", None, "purpose"),
        ("deployment", other_context, "purpose"),  # another assessment's context
        ("deployment", development, "purpose"),  # a development is no deployment context
        ("galaxy", None, "purpose"),
    ]:
        with pytest.raises(NotFoundError):
            store.set_note(made, scope=scope, context_id=context_id, question=question, text="x")
    with pytest.raises(NotFoundError):
        store.set_note(999_999, scope="system", context_id=None, question="establishment", text="x")
    # A development's answer without an id is the first development processing's.
    note = store.set_note(made, scope="development", context_id=None, question="personal_data", text="x")
    assert note is not None and note.context_id == development
    added = store.add_link(other, scope="system", context_id=None, question="establishment", url="https://x.fr")
    with pytest.raises(NotFoundError):
        store.attachment(made, added.id)  # another assessment's attachment
    with pytest.raises(NotFoundError):
        store.remove(made, added.id)


def test_another_organisation_neither_reads_nor_changes_the_evidence(repo: Repository) -> None:
    made, _, context = new_assessment(repo)
    store = EvidenceStore(repo)
    added = store.add_file(made, scope="deployment", context_id=context, question="purpose", filename="a.pdf", data=PDF)
    other = EvidenceStore(repo.scoped(42, actor="mallory"))
    for attempt in (
        lambda: other.evidence(made),
        lambda: other.attachment(made, added.id),
        lambda: other.remove(made, added.id),
        lambda: other.set_note(made, scope="deployment", context_id=context, question="purpose", text="x"),
        lambda: other.add_link(made, scope="deployment", context_id=context, question="purpose", url="https://x.fr"),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert ev.evidence_of(repo.scoped(42, actor="mallory"), [made]) == {made: ev.Evidence()}
    assert store.evidence(made).attachments == (added,)


def test_duplicating_copies_notes_and_evidence_only_when_asked(repo: Repository) -> None:
    made, development, context = new_assessment(repo)
    store = EvidenceStore(repo)
    store.set_note(made, scope="deployment", context_id=context, question="purpose", text="why")
    store.set_note(made, scope="development", context_id=development, question="personal_data", text="dev")
    kept = store.add_file(made, scope="deployment", context_id=context, question="purpose", filename="a.pdf", data=PDF)
    gone = store.add_link(made, scope="system", context_id=None, question="establishment", url="https://x.fr")
    store.remove(made, gone.id)
    plain = duplicate(repo, made, name="copy")
    assert not store.evidence(plain)
    copied = duplicate(repo, made, name="copy with evidence", keep_evidence=True)
    new = repo.get(copied)
    found = store.evidence(copied)
    assert store.evidence(copied, removed=True) == found  # a removed attachment is not copied
    assert [(n.scope, n.context_id, n.text) for n in found.notes] == [
        ("deployment", new.contexts[0].id, "why"),
        ("development", new.developments[0].id, "dev"),
    ]
    [attachment] = found.attachments
    assert (attachment.name, attachment.context_id, attachment.sha256) == (kept.name, new.contexts[0].id, kept.sha256)
    assert store.attachment(copied, attachment.id)[1] == PDF
    assert "evidence_copied" in [e.kind for e in repo.history(copied)]
    # The copies are the duplicate's own: removing one leaves the original's.
    store.remove(copied, attachment.id)
    assert store.attachment(made, kept.id)[1] == PDF


def test_a_duplicate_whose_evidence_cannot_be_copied_is_not_made(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    made, _, context = new_assessment(repo)
    EvidenceStore(repo).set_note(made, scope="deployment", context_id=context, question="purpose", text="why")
    before = repo.count()

    def fail(*_: object, **__: object) -> None:
        raise RuntimeError("the copy failed half-way")

    monkeypatch.setattr(ev, "_same_answer", fail)  # after the duplicate's rows are written
    with pytest.raises(RuntimeError):
        duplicate(repo, made, name="copy with evidence", keep_evidence=True)
    assert repo.count() == before  # the copy is whole or not at all: no duplicate without its evidence
