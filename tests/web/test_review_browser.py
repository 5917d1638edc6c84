"""Review, approval and the archive in real headless Chromium (issue 16, parts 2 and 7): a DPO sends
the zone-crossing example for review, it is approved with an opinion, the PDF report names the
reviewer, an edit makes it a draft and keeps the approved version; deleting archives, and the
archive restores. axe-core finds no serious violation on the new pages; screenshots are saved."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import assert_no_csp_violation, check_accessibility, french_tab, shot

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"
OPINION = "Analyse solide : RGPD pour le centre commercial, police-justice pour la police."


@pytest.fixture
def tab(browser: Any, live_server: str) -> Iterator[Any]:
    with french_tab(browser, live_server) as page:
        yield page


def test_send_approve_report_edit_and_the_approved_version_stays(tab: Any, screenshots: Path, tmp_path: Path) -> None:
    tab.goto("/import")
    tab.fill("#text", EXAMPLE.read_text(encoding="utf-8"))
    tab.click("form button[type=submit]")
    tab.wait_for_selector("table.glance")
    result = tab.url
    assert "brouillon" in tab.locator(".review-status").inner_text()

    tab.click(".review-status >> text=Revue")
    tab.fill("#submit-message", "Prête pour relecture.")
    tab.click("form[action$='/approval/submit'] button")
    tab.wait_for_selector(".review-badge.review-in_review")
    tab.fill("#approve-opinion", OPINION)
    tab.click("form[action$='/approval/approve'] button")
    tab.wait_for_selector(".review-badge.review-approved")
    assert OPINION in tab.locator(".review-steps").inner_text()
    shot(tab, screenshots / "review-approved-fr.png")
    check_accessibility(tab)

    tab.goto(result)
    tab.locator(".result-actions .menu summary").click()
    with tab.expect_download() as download:
        tab.click("a[href$='/report.pdf']")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "Approuvée par local le" in text

    tab.goto(result.replace("/result", "/contexts"))
    tab.fill("#d-name", "Détecteur modifié")
    with tab.expect_navigation():
        tab.press("#d-name", "Enter")
    tab.goto(result)
    assert "brouillon" in tab.locator(".review-status").inner_text()
    tab.click(".review-status >> text=Version approuvée du")
    tab.wait_for_selector("h1:has-text('Version approuvée du')")
    assert OPINION in tab.locator("main").inner_text()
    assert "Zone-crossing detector" in tab.locator("main .meta").inner_text()
    shot(tab, screenshots / "review-approved-version-fr.png")
    check_accessibility(tab)
    assert_no_csp_violation(tab)


def test_delete_archives_and_the_archive_restores(tab: Any, screenshots: Path) -> None:
    tab.goto("/new")
    tab.fill("#name", "À archiver")
    tab.click("button[type=submit]")
    tab.wait_for_selector("form.question")
    assessment = tab.url.split("/a/")[1].split("/")[0]
    tab.goto(f"/a/{assessment}/delete")
    tab.click("form[action$='/delete'] button")
    tab.wait_for_selector("text=elle est archivée")
    assert tab.locator(f"a[href='/a/{assessment}/result']").count() == 0
    tab.click("text=Analyses archivées")
    tab.wait_for_selector("table.archive")
    shot(tab, screenshots / "archive-fr.png")
    check_accessibility(tab)
    tab.click(f"form[action='/archive/{assessment}/restore'] button")
    tab.wait_for_selector("table.glance")
    assert tab.url.endswith(f"/a/{assessment}/result")
    assert_no_csp_violation(tab)
