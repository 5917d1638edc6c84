"""Issue 16's whole scenario in real headless Chromium, with accounts: a DPO (an editor) imports an
assessment, justifies an answer and attaches a real PDF, sends it for review; an admin, in
another browser, approves it with an opinion; the PDF report then names the status, the reviewer,
the date and the attachment; the DPO changes an answer, the assessment is a draft again and the
approved version still reads as approved. The DPO reads French, the admin English; no page and
no report shows a rule id, a question code or a source id. axe-core on each new page."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.storage.evidence import EvidenceStore
from airegime.storage.reviews import Reviews
from airegime.web.app import create_app

from .helpers import Serve, assert_no_csp_violation, check_accessibility, shot

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"
PASSWORD = "correct horse battery"
ORGANISATION = "Métropole de Lyon"
DPO, ADMIN = "camille", "dominique"
NOTE = "Le contrat de sous-traitance signé en 2024 le prévoit, article 4."
OPINION = "Analysis checked against the contract: approved."
ATTACHMENT = "contrat_dpa_2024.pdf"


def real_pdf(text: str) -> bytes:
    """A small, valid one-page PDF showing ``text`` (pdftotext reads it back)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


@cache
def identifiers(kb: KnowledgeBase) -> tuple[str, ...]:
    """The ids a reader must never meet (those with "_": the others are ordinary words, as in
    tests/reports/test_not_asked.py; every rule id has one)."""
    ids = [r.id for r in kb.rules] + [q.id for q in kb.questions] + [s.id for s in kb.sources]
    return tuple(i for i in ids if "_" in i)


def ids_in(text: str, kb: KnowledgeBase) -> list[str]:
    return [i for i in identifiers(kb) if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]


@dataclass
class Site:
    address: str
    repository: Repository
    organisation_id: int


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase, serve: Serve) -> Iterator[Site]:
    repository = Repository.open(f"sqlite:///{tmp_path_factory.mktemp('scenario') / 's.sqlite3'}", kb)
    accounts = Accounts(repository.engine)
    accounts.add_user(DPO, PASSWORD, organisation=ORGANISATION, role="editor", actor="test")
    accounts.add_user(ADMIN, PASSWORD, organisation=ORGANISATION, role="admin", actor="test")
    [organisation_id] = [i for i, name in accounts.organisations() if name == ORGANISATION]
    with serve(create_app(repository=repository)) as address:
        yield Site(address, repository, organisation_id)
    repository.engine.dispose()


def logged_in(browser: Any, site: Site, username: str, lang: str) -> Any:
    context = browser.new_context(
        base_url=site.address,
        viewport={"width": 1280, "height": 900},
        locale="fr-FR" if lang == "fr" else "en-GB",
        accept_downloads=True,
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    page.goto(f"/lang/{lang}?next=/")
    assert "/login?next=" in page.url
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_selector("header >> text=" + username)
    return page


@pytest.fixture
def dpo(browser: Any, site: Site) -> Iterator[Any]:
    page = logged_in(browser, site, DPO, "fr")
    yield page
    page.context.close()


@pytest.fixture
def admin(browser: Any, site: Site) -> Iterator[Any]:
    page = logged_in(browser, site, ADMIN, "en")
    yield page
    page.context.close()


def visible(page: Any, kb: KnowledgeBase) -> str:
    """The page's visible text, checked for ids first."""
    text = page.locator("main").inner_text()
    assert ids_in(text, kb) == [], page.url
    return text


def test_note_pdf_review_approval_report_and_an_edit_after_approval(
    dpo: Any, admin: Any, site: Site, kb: KnowledgeBase, tmp_path: Path, screenshots: Path
) -> None:
    # The DPO imports an assessment and justifies its first answer with a note and a PDF.
    dpo.goto("/import")
    dpo.fill("#text", EXAMPLE.read_text(encoding="utf-8"))
    dpo.click("form[action='/import'] button[type=submit]")
    dpo.wait_for_selector("table.glance")
    assessment = int(dpo.url.split("/a/")[1].split("/")[0])
    result = f"/a/{assessment}/result"
    assert "brouillon" in dpo.locator(".review-status").inner_text()

    dpo.goto(f"{result}?evidence=1#answers")
    first = dpo.locator("#answers dl.answers-given dd").first
    first.locator("details.evidence > summary").click()
    first.locator("details.evidence textarea[name=text]").fill(NOTE)
    first.locator("form[action$='/evidence/note'] button").click()
    dpo.wait_for_selector(f"#answers details.evidence textarea:has-text('{NOTE[:20]}')")
    document = tmp_path / ATTACHMENT
    document.write_bytes(real_pdf("Contrat de sous-traitance 2024"))
    assert "Contrat de sous-traitance 2024" in pdf_text(document)  # a real PDF, not just its magic bytes
    first = dpo.locator("#answers dl.answers-given dd").first
    first.locator("input[type=file]").set_input_files(str(document))
    first.locator("form[action$='/evidence/file'] button").click()
    dpo.wait_for_selector(f"#answers .evidence-list a:has-text('{ATTACHMENT}')")
    check_accessibility(dpo)
    visible(dpo, kb)

    # ... and sends it for review.
    dpo.click(".review-status >> text=Revue")
    dpo.fill("#submit-message", "Prête pour relecture, pièce jointe à la première réponse.")
    dpo.click("form[action$='/approval/submit'] button")
    dpo.wait_for_selector(".review-badge.review-in_review")
    assert "en revue" in visible(dpo, kb)
    assert dpo.locator("form[action$='/approval/approve']").count() == 0  # an editor does not approve

    # The admin, in another browser and in English, approves it with an opinion.
    admin.goto("/")
    admin.click(f"a[href='{result}']")
    admin.wait_for_selector("table.glance")
    assert "in review" in admin.locator(".review-status").inner_text()
    admin.click("#answers > summary")
    assert ATTACHMENT in admin.locator("#answers").inner_text()  # the DPO's evidence, seen by the reviewer
    admin.goto(f"/a/{assessment}/approval")
    admin.fill("#approve-opinion", OPINION)
    admin.click("form[action$='/approval/approve'] button")
    admin.wait_for_selector(".review-badge.review-approved")
    steps = admin.locator(".review-steps").inner_text()
    assert OPINION in steps and DPO in steps and ADMIN in steps
    assert "approved" in visible(admin, kb)
    shot(admin, screenshots / "scenario-approved-en.png")
    check_accessibility(admin)

    # The DPO's PDF report names the status, the reviewer, the date and the attachment.
    approval = Reviews(site.repository.scoped(site.organisation_id, actor="test")).state(assessment).approval
    assert approval is not None
    dpo.goto(result)
    assert f"Approuvée par {ADMIN}" in dpo.locator(".review-status").inner_text()
    dpo.locator(".result-actions .menu summary").click()
    with dpo.expect_download() as download:
        dpo.click("a[href$='/report.pdf']")
    report = tmp_path / "report.pdf"
    download.value.save_as(report)
    text = pdf_text(report)
    assert f"Approuvée par {ADMIN} le {approval.at.date().isoformat()}." in text
    assert "Justifications et pièces" in text and ATTACHMENT in text and NOTE in text
    assert ids_in(text, kb) == []

    # The DPO changes an answer: a draft again, and the approved version is as it was approved.
    dpo.goto(f"{result}?evidence=1#answers")
    answers_before = dpo.locator("#answers dl.answers-given").all_inner_texts()
    dpo.goto(f"/a/{assessment}/approved")
    approved = {
        part: dpo.locator(part).inner_text() for part in ("section[aria-labelledby=answers-title]", "table.glance")
    }
    dpo.goto(f"{result}?evidence=1#answers")
    dpo.locator("#answers a.change").nth(1).click()
    dpo.wait_for_selector("form.question")
    dpo.locator("form.question input[name=value]:not(:checked)").first.check()
    with dpo.expect_response(lambda r: r.url.endswith("/answer") and r.request.method == "POST") as answered:
        dpo.click("form.question button[type=submit]")
    assert answered.value.status in (200, 303), answered.value.status
    dpo.goto(f"{result}?evidence=1#answers")
    status = dpo.locator(".review-status").inner_text()
    assert "brouillon" in status and "Version approuvée du" in status
    assert dpo.locator("#answers dl.answers-given").all_inner_texts() != answers_before
    dpo.click(".review-status >> text=Version approuvée du")
    dpo.wait_for_selector("h1:has-text('Version approuvée du')")
    page = visible(dpo, kb)
    assert f"Approuvée par {ADMIN}" in page and OPINION in page
    assert {part: dpo.locator(part).inner_text() for part in approved} == approved  # unchanged by the edit
    check_accessibility(dpo)
    shot(dpo, screenshots / "scenario-approved-version-fr.png")
    assert_no_csp_violation(dpo)
    assert dpo.problems == [] and admin.problems == []
    kept = EvidenceStore(site.repository.scoped(site.organisation_id, actor="test")).evidence(assessment)
    assert [a.name for a in kept.attachments] == [ATTACHMENT] and [n.text for n in kept.notes] == [NOTE]
