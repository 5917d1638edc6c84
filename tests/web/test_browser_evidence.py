"""Notes and evidence in real headless Chromium: a DPO justifies the first answer, attaches a PDF and
a link, finds them on the result page and in the history, and the pages stay accessible (axe-core)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import assert_no_csp_violation, check_accessibility, shot

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="en-GB")
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.problems = problems
    yield tab
    context.close()


def test_a_note_a_pdf_and_a_link_for_an_answer(page: Any, tmp_path: Path, screenshots: Path) -> None:
    page.goto("/lang/en?next=/new")
    page.fill("#name", "Evidence in a browser")
    page.fill("#first_context", "Shop")
    page.click("button[type=submit]")
    page.wait_for_selector("form.question")
    made = page.url.split("/a/", 1)[1].split("/", 1)[0]
    first = page.locator("form.question input[name=question]").get_attribute("value")
    page.check("form.question input[name=value] >> nth=0")
    page.click("form.question button[type=submit]")
    page.wait_for_selector("form.question")
    page.goto(f"/a/{made}/interview?scope=system&q={first}")  # back to the answer just given

    page.click("details.evidence > summary")
    page.fill("details.evidence textarea[name=text]", "The Kbis extract of 2024 says so.")
    page.click("details.evidence form[action$='/evidence/note'] button")
    page.wait_for_selector("details.evidence textarea:has-text('Kbis')")
    document = tmp_path / "contract.pdf"
    document.write_bytes(PDF)
    page.set_input_files("details.evidence input[type=file]", str(document))
    page.click("details.evidence form[action$='/evidence/file'] button")
    page.wait_for_selector("details.evidence .evidence-list a:has-text('contract.pdf')")
    page.fill("details.evidence input[name=url]", "https://www.cnil.fr/en")
    page.fill("details.evidence input[name=title]", "CNIL")
    page.click("details.evidence form[action$='/evidence/link'] button")
    page.wait_for_selector("details.evidence .evidence-list a[href='https://www.cnil.fr/en']")
    shot(page, screenshots / "evidence-question-en.png")
    check_accessibility(page)
    assert page.locator(".evidence-list a:has-text('contract.pdf')").get_attribute("download") is not None

    page.goto(f"/a/{made}/result?evidence=1#answers")
    assert page.locator("#answers details.evidence textarea").first.input_value() == "The Kbis extract of 2024 says so."
    assert page.locator("#answers .evidence-list a:has-text('contract.pdf')").count() == 1
    check_accessibility(page)
    page.goto(f"/a/{made}/history")
    assert page.locator("td:has-text('Note changed')").count() == 1
    assert page.locator("td:has-text('Evidence attached')").count() == 2
    assert_no_csp_violation(page)
    assert page.problems == []
