"""The web app in real headless Chromium, used as a person would: the CNIL sheet's
zone-crossing example in French with two deployment contexts, English, "I don't know",
going back, reloading; axe-core in the page; screenshots under test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airegime.kb import KnowledgeBase

from .helpers import answer_interview, assert_no_csp_violation, check_accessibility, glance, shot

pytestmark = pytest.mark.browser

DEVELOPMENT = {
    "establishment": "eu",
    "personal_data": "yes",
    "organisation_kind": "private_body",
    "development_uses": "various",
}
SHOPPING = {"personal_data": "yes", "organisation_kind": "private_body", "purpose": "other", "legal_mission": "no"}
POLICE = {
    "personal_data": "yes",
    "organisation_kind": "competent_authority",
    "purpose": "criminal_law",
    "legal_mission": "yes",
}


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="fr-FR")
    tab = context.new_page()
    problems: list[str] = []
    tab.on(
        "console",
        lambda message: problems.append(f"{tab.url}: {message.text}") if message.type == "error" else None,
    )
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.problems = problems
    yield tab
    context.close()


def test_zone_crossing_example_in_french_then_english_unknown_back_and_reload(
    page: Any, kb: KnowledgeBase, screenshots: Path
) -> None:
    label = {o.id: o.label for o in kb.outcomes}
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.click("text=Nouvelle analyse >> nth=0")
    page.fill("#name", "Détecteur de franchissement de zone")
    page.fill("#organisation", "Acme Vision")
    page.fill("#description", "Classifieur d’images vendu à plusieurs clients.")
    page.fill("#first_context", "Centre commercial")
    shot(page, screenshots / "new-fr.png")
    page.click("button[type=submit]")
    page.wait_for_selector("form.question")
    shot(page, screenshots / "interview-fr.png")
    check_accessibility(page)

    asked = answer_interview(page, {"Système": DEVELOPMENT, "Développement": DEVELOPMENT, "Centre": SHOPPING})
    assert asked[0] == "Système/establishment"
    page.click(".answers li:first-child a")  # change the first answer, in place (htmx)
    page.wait_for_selector("#answer-eu:checked")
    # Focus moves once htmx has settled the swapped question: give it up to 5 s, then check.
    for _ in range(50):
        if page.evaluate("document.activeElement.tagName") == "H1":
            break
        page.wait_for_timeout(100)
    assert page.evaluate("document.activeElement.tagName") == "H1", "focus should move to the question"
    page.click("text=Reprendre le questionnaire")
    page.wait_for_selector("h1:has-text('Questionnaire terminé')")
    assert_no_csp_violation(page)
    assert page.locator("h1").inner_text() == "Questionnaire terminé"
    page.fill("#context-name", "Police nationale")
    page.fill("#context-description", "Détecter les personnes entrant dans des zones interdites, pour poursuivre.")
    page.click("form.add-context button[type=submit]")
    page.wait_for_selector("form.question")
    asked = answer_interview(page, {"Police": POLICE})
    assert asked and all(step.startswith("Déploiement : Police nationale/") for step in asked)

    assert_no_csp_violation(page)
    page.click("text=Voir le résultat")
    page.wait_for_selector("table.glance")
    assert glance(page) == {
        "Développement": label["gdpr"].fr,
        "Déploiement\u00a0: Centre commercial": label["gdpr"].fr,
        "Déploiement\u00a0: Police nationale": label["police_justice"].fr,
    }
    assert page.locator("text=" + kb.disclaimer.fr[:40]).count() == 1
    assert page.locator("section.phase .sources a[href^='https://']").count() > 3
    shot(page, screenshots / "result-fr.png")
    page.emulate_media(media="print")
    shot(page, screenshots / "result-print.png")
    page.emulate_media(media="screen")
    check_accessibility(page)

    page.click("#lang-switch a")
    page.wait_for_selector("html[lang=en]")
    assert glance(page)["Deployment: Police nationale"] == label["police_justice"].en
    assert page.locator("details.what-if summary", has_text="What would change the outcome").count() >= 1
    shot(page, screenshots / "result-en.png")
    assert_no_csp_violation(page)

    # "I don't know" for the police's controller: the result names the missing answer.
    page.click("a[aria-current=page] >> xpath=../../li[1]/a")
    page.wait_for_selector(".answers")
    police_controller = page.locator(".answers li", has_text="Police nationale").filter(
        has_text=kb.question_by_id["organisation_kind"].text.en
    )
    police_controller.locator("a").click()
    page.wait_for_selector("#answer-competent_authority:checked")
    shot(page, screenshots / "interview-edit-en.png")
    assert_no_csp_violation(page)
    page.check("#answer-unknown")
    page.click("form.question button[type=submit]")
    page.wait_for_selector(".answers li .a.unknown")
    page.goto(result_address(page))
    assert glance(page)["Deployment: Police nationale"] == "Undetermined"
    missing = page.locator("section.phase.status-undetermined .next-question")
    assert kb.question_by_id["organisation_kind"].text.en in missing.inner_text()
    shot(page, screenshots / "result-undetermined-en.png")

    # The question to settle first opens with its answer, and Cancel goes back to the result unchanged.
    missing.locator("a").first.click()
    page.wait_for_selector("#answer-unknown:checked")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_selector("table.glance")
    assert glance(page)["Deployment: Police nationale"] == "Undetermined"

    # Going back in the interview: "Previous question" opens the one before.
    page.click("a[aria-current=page] >> xpath=../../li[1]/a")
    page.wait_for_selector(".answers")
    police_controller.locator("a").click()
    page.wait_for_selector("#answer-unknown:checked")
    page.click("text=← Previous question")
    page.wait_for_selector("form.question input[name=question][value=personal_data]", state="attached")
    assert page.locator("#answer-yes").is_checked()
    assert "Police nationale" in page.locator(".phase-label").text_content()
    police_controller.locator("a").click()
    page.wait_for_selector("#answer-unknown:checked")
    page.check("#answer-competent_authority")
    with page.expect_navigation():  # the answer is saved before the result is read again
        page.click("form.question button[type=submit]")

    # Reload: everything was saved.
    result_url = result_address(page)
    page.goto(result_url)
    page.reload()
    page.wait_for_selector(
        "table.glance th:has-text('Deployment: Police nationale')"
    )  # the page read again, in English
    assert glance(page)["Deployment: Police nationale"] == label["police_justice"].en
    page.goto("/")
    assert page.locator(".card h3", has_text="Détecteur de franchissement de zone").count() == 1
    page.locator("#q").press_sequentially("no such system")  # live search (htmx), keeps the focus
    page.wait_for_selector("text=No assessment matches this search.")
    assert page.evaluate("document.activeElement.id") == "q"
    assert "q=no+such+system" in page.url or "q=no%20such%20system" in page.url
    page.goto("/")
    shot(page, screenshots / "home-en.png")
    check_accessibility(page)
    page.goto(result_url.replace("/result", "/history"))
    assert page.locator("table.history tbody tr").count() > 10
    shot(page, screenshots / "history-en.png")
    check_accessibility(page)
    assert_no_csp_violation(page)


def test_the_interview_works_without_javascript(browser: Any, live_server: str, screenshots: Path) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/lang/fr?next=/new")
    page.fill("#name", "Sans JavaScript")
    page.click("button[type=submit]")
    page.check("#answer-eu")
    page.click("form.question button[type=submit]")
    assert page.locator("form.question input[name=question]").get_attribute("value") == "personal_data"
    page.check("#answer-no")
    page.click("form.question button[type=submit]")
    page.click("text=← Question précédente")
    assert page.locator("#answer-no").is_checked()
    page.goto(page.url.split("/interview")[0] + "/result")
    assert "Développement" in page.locator("table.glance").inner_text()
    shot(page, screenshots / "result-nojs-fr.png")
    context.close()


def test_the_other_pages_are_accessible(page: Any, kb: KnowledgeBase, screenshots: Path) -> None:
    page.goto("/lang/fr?next=/new")
    page.fill("#name", "Pages secondaires")
    page.click("button[type=submit]")
    page.wait_for_selector("form.question")
    assessment = page.url.split("/a/")[1].split("/")[0]
    for name, url in [
        ("new-empty-fr", "/new"),
        ("contexts-fr", f"/a/{assessment}/contexts"),
        ("delete-fr", f"/a/{assessment}/delete"),
        ("not-found-fr", "/a/999999/result"),
    ]:
        page.goto(url)
        shot(page, screenshots / f"{name}.png")
        check_accessibility(page)
    page.goto("/import")
    page.fill("#text", "name: Broken\ndeployments:\n  - name: X\n    answers: {purpose: spying}\n")
    page.click("button[type=submit]")
    page.wait_for_selector(".notice.error")
    assert "deployments[0].answers.purpose" in page.locator(".notice.error").inner_text()
    shot(page, screenshots / "import-error-fr.png")
    check_accessibility(page)
    page.goto("/new")
    page.fill("#first_context", "")
    page.evaluate("document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))")
    page.click("button[type=submit]")
    assert page.locator(".problem").count() == 2
    shot(page, screenshots / "new-invalid-fr.png")
    check_accessibility(page)
    assert_no_csp_violation(page)


def result_address(page: Any) -> str:
    """The result page of the assessment that ``page`` shows (whichever of its pages that is)."""
    found = re.search(r"^(.*/a/\d+)(/|$)", page.url)
    assert found, page.url
    return f"{found.group(1)}/result"
