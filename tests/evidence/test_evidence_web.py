"""Notes and evidence on the pages (TestClient, no browser): the interview and result pages show
and change them, readers see them, other organisations reach nothing, hostile files are refused."""

from __future__ import annotations

from collections.abc import Callable

from accounts.helpers import Browser

from airegime.storage import Repository
from airegime.storage.evidence import EvidenceStore

from .conftest import World
from .files import BOMB_DOCX, PDF, SVG

Browsers = Callable[[str], Browser]


def question_page(world: World) -> str:
    return f"/a/{world.assessment}/interview?scope=deployment&ctx={world.context}&q=purpose"


def fields(world: World, **more: str) -> dict[str, str]:
    return {
        "scope": "deployment",
        "ctx": str(world.context),
        "question": "purpose",
        "back": question_page(world),
        **more,
    }


def upload(browser: Browser, world: World, data: bytes, name: str, claimed: str = "application/pdf"):  # type: ignore[no-untyped-def]
    return browser.post(
        f"/a/{world.assessment}/evidence/file",
        data={"csrf_token": browser.csrf, **fields(world)},
        files={"file": (name, data, claimed)},
    )


def test_an_editor_writes_a_note_and_attaches_a_file_and_a_link_from_the_question_page(
    browser_for: Browsers, world: World, repo: Repository
) -> None:
    anna = browser_for("anna")
    page = anna.get(question_page(world))
    assert page.status_code == 200 and f'action="/a/{world.assessment}/evidence/note"' in page.text
    saved = anna.form(f"/a/{world.assessment}/evidence/note", fields(world, text="Contrat <b>art. 3</b>"))
    assert saved.status_code == 303 and saved.headers["location"] == question_page(world)
    added = upload(anna, world, PDF, "dpa.pdf")
    assert added.status_code == 303, added.text
    linked = anna.form(
        f"/a/{world.assessment}/evidence/link", fields(world, url="https://www.cnil.fr/fiche", title="Fiche")
    )
    assert linked.status_code == 303
    page = anna.get(question_page(world)).text
    assert "Contrat &lt;b&gt;art. 3&lt;/b&gt;" in page  # the note, escaped, in its textarea
    assert "dpa.pdf" in page and 'href="https://www.cnil.fr/fiche"' in page
    [file] = [
        a
        for a in EvidenceStore(repo.scoped(world.org_a, actor="t")).evidence(world.assessment).attachments
        if a.kind == "file"
    ]
    download = anna.get(f"/a/{world.assessment}/evidence/{file.id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "nosniff" in download.headers["x-content-type-options"]
    history = anna.get(f"/a/{world.assessment}/history").text
    for kind in ("event.note_changed", "event.attachment_added"):
        assert kind not in history  # translated, not shown as ids
    assert "dpa.pdf" in history


def test_the_result_page_shows_each_answer_evidence_and_a_reader_sees_without_forms(
    browser_for: Browsers, world: World
) -> None:
    anna, amy = browser_for("anna"), browser_for("amy")
    anna.form(
        f"/a/{world.assessment}/evidence/note",
        fields(world, text="Pourquoi: le contrat", back=f"/a/{world.assessment}/result"),
    )
    upload(anna, world, PDF, "dpa.pdf")
    result = anna.get(f"/a/{world.assessment}/result").text
    assert "Pourquoi: le contrat" in result and "dpa.pdf" in result
    assert f'action="/a/{world.assessment}/evidence/file"' in result
    seen = amy.get(f"/a/{world.assessment}/result").text
    assert "Pourquoi: le contrat" in seen and "dpa.pdf" in seen
    assert "/evidence/note" not in seen and "/evidence/file" not in seen and "/remove" not in seen
    assert "/evidence/note" not in amy.get(question_page(world)).text


def test_a_reader_cannot_write_remove_or_upload(browser_for: Browsers, world: World, repo: Repository) -> None:
    anna, amy = browser_for("anna"), browser_for("amy")
    upload(anna, world, PDF, "dpa.pdf")
    store = EvidenceStore(repo.scoped(world.org_a, actor="t"))
    [kept] = store.evidence(world.assessment).attachments
    assert amy.form(f"/a/{world.assessment}/evidence/note", fields(world, text="mine")).status_code == 403
    assert upload(amy, world, PDF, "mine.pdf").status_code == 403
    assert amy.form(f"/a/{world.assessment}/evidence/link", fields(world, url="https://x.fr")).status_code == 403
    assert amy.form(f"/a/{world.assessment}/evidence/{kept.id}/remove").status_code == 403
    assert amy.get(f"/a/{world.assessment}/evidence/{kept.id}").content == PDF  # reading is allowed
    assert store.evidence(world.assessment).attachments == (kept,) and store.evidence(world.assessment).notes == ()


def test_another_organisation_reaches_nothing(browser_for: Browsers, world: World, repo: Repository) -> None:
    anna, ben = browser_for("anna"), browser_for("ben")
    anna.form(f"/a/{world.assessment}/evidence/note", fields(world, text="SECRET NOTE"))
    upload(anna, world, PDF, "SECRET-FILE.pdf")
    store = EvidenceStore(repo.scoped(world.org_a, actor="t"))
    before = store.evidence(world.assessment)
    [kept] = before.attachments
    for response in (
        ben.get(f"/a/{world.assessment}/evidence/{kept.id}"),
        ben.get(f"/a/{world.b_assessment}/evidence/{kept.id}"),
        ben.form(f"/a/{world.assessment}/evidence/{kept.id}/remove"),
        ben.form(f"/a/{world.b_assessment}/evidence/{kept.id}/remove"),
        ben.form(f"/a/{world.assessment}/evidence/note", fields(world, text="B")),
        ben.form(f"/a/{world.assessment}/evidence/link", fields(world, url="https://b.fr")),
        upload(ben, world, PDF, "b.pdf"),
    ):
        assert response.status_code == 404, response.request.url
        assert "SECRET" not in response.text
    assert store.evidence(world.assessment) == before


def test_hostile_uploads_are_refused_with_a_clear_page_in_the_readers_language(
    browser_for: Browsers, world: World, repo: Repository
) -> None:
    anna = browser_for("anna")
    anna.get("/lang/fr")
    for data, name, status, words in (
        (SVG, "logo.svg", 400, "balisage"),
        (BOMB_DOCX, "bomb.docx", 400, "bombe"),
        (b"MZ\x00\x00", "setup.pdf", 400, "PDF"),
        (b"%PDF-" + b"0" * 10_000_001, "huge.pdf", 413, "10"),
    ):
        refused = upload(anna, world, data, name)
        assert refused.status_code == status, (name, refused.text[:300])
        assert words in refused.text and question_page(world).replace("&", "&amp;") in refused.text
    bad_link = anna.form(f"/a/{world.assessment}/evidence/link", fields(world, url="javascript:alert(1)"))
    assert bad_link.status_code == 400 and "https://" in bad_link.text
    long_note = anna.form(f"/a/{world.assessment}/evidence/note", fields(world, text="x" * 2001))
    assert long_note.status_code == 400
    assert not EvidenceStore(repo.scoped(world.org_a, actor="t")).evidence(world.assessment)


def test_a_form_without_the_csrf_token_changes_nothing(browser_for: Browsers, world: World, repo: Repository) -> None:
    anna = browser_for("anna")
    response = anna.post(f"/a/{world.assessment}/evidence/note", data=fields(world, text="x"))
    assert response.status_code == 403
    assert not EvidenceStore(repo.scoped(world.org_a, actor="t")).evidence(world.assessment)


def test_back_goes_only_to_this_assessments_pages(browser_for: Browsers, world: World) -> None:
    anna = browser_for("anna")
    for back in ("https://evil.example/", "//evil.example", "/a/999/result", "/admin"):
        response = anna.form(f"/a/{world.assessment}/evidence/note", fields(world, text="x", back=back))
        assert response.headers["location"] == f"/a/{world.assessment}/result"


def test_duplicating_from_the_result_page_keeps_evidence_when_ticked(
    browser_for: Browsers, world: World, repo: Repository
) -> None:
    anna = browser_for("anna")
    anna.form(f"/a/{world.assessment}/evidence/note", fields(world, text="why"))
    upload(anna, world, PDF, "dpa.pdf")
    assert "keep_evidence" in anna.get(f"/a/{world.assessment}/result").text
    store = EvidenceStore(repo.scoped(world.org_a, actor="t"))
    plain = anna.form(f"/a/{world.assessment}/duplicate").headers["location"].split("/")[2]
    assert not store.evidence(int(plain))
    kept = anna.form(f"/a/{world.assessment}/duplicate", {"keep_evidence": "1"}).headers["location"].split("/")[2]
    copied = store.evidence(int(kept))
    assert [n.text for n in copied.notes] == ["why"] and [a.name for a in copied.attachments] == ["dpa.pdf"]
