"""The interview's path on the web: each question at its own address, the browser's Back, changing an
answer from the result and coming back to it, "in progress — resume" on the home page, the review page
before the result, and a system answer a phase takes as its own unless it answers otherwise."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.system import load_system
from airegime.web import views

from .helpers import Client, hidden

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def question_of(page: str) -> tuple[str, str, str]:
    return hidden(page, "scope"), hidden(page, "ctx"), hidden(page, "question")


def post_answer(client: Client, assessment: int, page: str, value: str, **extra: str) -> Any:
    scope, ctx, question = question_of(page)
    data = {"scope": scope, "ctx": ctx, "question": question, "value": value, **extra}
    return client.submit(f"/a/{assessment}/answer", data)


def test_each_question_has_its_own_address_and_answering_goes_to_the_next_ones(
    client: Client, repo: Repository
) -> None:
    new = repo.create(name="S", first_context="Centre")
    opened = client.get(f"/a/{new}/interview", headers=BROWSER)
    assert opened.status_code == 303  # a browser lands on the question's own address
    first_url = opened.headers["location"]
    assert first_url == f"/a/{new}/interview?scope=system&q=establishment"
    first = client.get(first_url).text
    assert "Question 1 sur" in first and "Vous modifiez" not in first  # the next question, not a change
    answered = post_answer(client, new, first, "eu")
    assert answered.status_code == 303
    development = repo.get(new).developments[0].id
    assert answered.headers["location"] == f"/a/{new}/interview?scope=development&ctx={development}&q=personal_data"
    second = client.get(answered.headers["location"]).text
    assert question_of(second)[2] == "personal_data"

    # Back to the first address: the first question, its answer selected, and the way on.
    again = client.get(first_url).text
    assert question_of(again)[2] == "establishment" and 'value="eu" checked' in again
    assert post_answer(client, new, again, "eu").headers["location"] == answered.headers["location"]

    # htmx gets the next question in place, with its address for the history.
    response = client.submit(
        f"/a/{new}/answer",
        {"scope": "development", "ctx": str(development), "question": "personal_data", "value": "yes"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert (
        response.headers["HX-Push-Url"] == f"/a/{new}/interview?scope=development&ctx={development}&q=organisation_kind"
    )
    assert question_of(response.text)[2] == "organisation_kind"


def test_htmx_restoring_an_address_from_history_gets_the_whole_page(client: Client, repo: Repository) -> None:
    new = repo.create(name="S", first_context="Centre")
    url = f"/a/{new}/interview?scope=system&q=establishment"
    swapped = client.get(url, headers={"HX-Request": "true"}).text
    restored = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}).text
    assert "<html" not in swapped
    assert "<html" in restored and 'hx-history="false"' in restored  # no stale snapshot of the answers


def test_a_change_from_the_result_returns_to_the_result_and_can_be_cancelled(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    new = repo.import_system(load_system(EXAMPLE, kb=kb))
    police = repo.get(new).contexts[1]
    step = views.step_for(repo.get(new), kb, "deployment", police.id, "purpose")
    assert step is not None
    link = step.link(new, then="result")
    assert link.endswith("&then=result")
    page = client.get(link).text
    assert re.search(rf'<a class="button" href="/a/{new}/result"[^>]*>Annuler</a>', page)
    assert 'name="then" value="result"' in page and "Enregistrer et revenir au résultat" in page
    assert "← Question précédente" not in page  # from the result, the way out is the result
    saved = post_answer(client, new, page, "other", then="result")
    assert saved.status_code == 303 and saved.headers["location"] == f"/a/{new}/result"
    assert repo.get(new).answers_of(police.id)["purpose"] == "other"
    refused = post_answer(client, new, page, "nonsense", then="result")
    assert refused.status_code == 422 and 'name="then" value="result"' in refused.text  # still on the way back


def test_home_shows_in_progress_resume_for_an_unfinished_assessment_only(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    finished = repo.import_system(load_system(EXAMPLE, kb=kb))
    unfinished = repo.create(name="Pas fini", first_context="Centre")
    repo.set_answer(unfinished, scope="system", context_id=None, question="establishment", value="eu")
    page = client.get("/").text
    links = re.findall(r'<p class="in-progress"><a href="([^"]+)">en cours — reprendre', page)
    expected = views.resume_link(repo.get(unfinished), kb)
    assert links == [html.escape(expected or "")]
    assert expected and expected.endswith("q=personal_data")
    assert views.resume_link(repo.get(finished), kb) is None
    client.read_in("en")
    english = client.get("/").text
    assert "in progress — resume" in english


def test_the_last_answer_leads_to_the_review_page_then_the_result(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    new = repo.create(name="S", first_context="Centre")
    url = client.get(f"/a/{new}/interview", headers=BROWSER).headers["location"]
    for _ in range(30):
        if not url.startswith(f"/a/{new}/interview?"):
            break
        page = client.get(url).text
        url = post_answer(client, new, page, "unknown").headers["location"]
    assert url == f"/a/{new}/review"
    review = client.get(url).text
    assert "Questionnaire terminé" in review and "Vérifiez vos réponses" in review
    assert f'href="/a/{new}/result"' in review and "Voir le résultat" in review
    groups = re.findall(r'<h3 id="review-phase-\d+">([^<]+)</h3>', review)
    assert groups == ["Système", "Développement", "Déploiement\u00a0: Centre"]
    given = views.answered(repo.get(new), kb, "fr", views.phase_names(lambda key, **_: key, "fr"))
    for answer in given:  # every answer, with a link to change it
        assert html.escape(answer.step.link(new)) in review
    # Unfinished (a new context): the review says so and leads back to the questions.
    client.submit(f"/a/{new}/contexts", {"name": "Police"})
    unfinished = client.get(f"/a/{new}/review").text
    assert "Des questions restent à poser" in unfinished and "Voir le résultat" not in unfinished


def test_a_phase_takes_the_system_establishment_unless_it_answers_otherwise(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    new = repo.import_system(load_system(EXAMPLE, kb=kb))
    shop = repo.get(new).contexts[0]
    review = client.get(f"/a/{new}/review").text
    assert (
        review.count("Comme pour le système\u00a0: Établi dans l’Union européenne") == 3
    )  # 1 development, 2 deployments
    page = client.get(f"/a/{new}/interview?scope=deployment&ctx={shop.id}&q=establishment").text
    assert 'value="inherit" checked' in page and "reprend pour l’instant" in html.unescape(page)  # the default
    assert f"dans ce déploiement\u00a0: {shop.name}" in html.unescape(page)
    post_answer(client, new, page, "outside")
    assert repo.get(new).answers_of(shop.id)["establishment"] == "outside"
    assert repo.get(new).system_answers == {"establishment": "eu"}
    again = client.get(f"/a/{new}/interview?scope=deployment&ctx={shop.id}&q=establishment").text
    assert 'value="outside" checked' in again and 'value="inherit" checked' not in again
    post_answer(client, new, again, "inherit")
    assert "establishment" not in repo.get(new).answers_of(shop.id)
    # A context just added: its first question says it takes the system's establishment, and offers otherwise.
    client.submit(f"/a/{new}/contexts", {"name": "Mairie"})
    town = repo.get(new).contexts[-1]
    first = html.unescape(client.get(f"/a/{new}/interview").text)
    assert question_of(first) == ("deployment", str(town.id), "personal_data")
    assert "Établissement\u00a0: comme pour le système (Établi dans l’Union européenne)." in first
    assert f"/a/{new}/interview?scope=deployment&ctx={town.id}&q=establishment" in first
    older = html.unescape(client.get(f"/a/{new}/interview?scope=deployment&ctx={shop.id}&q=purpose").text)
    assert "comme pour le système (" not in older  # only a phase's first question says it
    system = client.get(f"/a/{new}/interview?scope=system&q=establishment").text
    assert 'value="inherit"' not in system  # the system itself has nothing to inherit from
    refused = client.submit(f"/a/{new}/answer", {"scope": "system", "question": "establishment", "value": "inherit"})
    assert refused.status_code == 422


def test_development_questions_about_the_controller_say_to_answer_for_a_client(
    client: Client, repo: Repository
) -> None:
    new = repo.create(name="S", first_context="Centre")
    for question, noted in (("organisation_kind", True), ("personal_data", False)):
        page = html.unescape(client.get(f"/a/{new}/interview?scope=development&q={question}").text)
        assert ("Répondez pour le client" in page) is noted
        assert "dans le développement du système" in page
    deployment = repo.get(new).contexts[0].id
    page = html.unescape(client.get(f"/a/{new}/interview?scope=deployment&ctx={deployment}&q=organisation_kind").text)
    assert "Répondez pour le client" not in page


# In a real browser


@pytest.mark.browser
def test_back_shows_the_previous_question_with_its_answer_selected(
    browser: Any, live_server: str, screenshots: Path
) -> None:
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/lang/fr?next=/new")
    page.fill("#name", "Retour arrière")
    page.click("button[type=submit]")
    page.wait_for_selector("input[name=question][value=establishment]", state="attached")
    assert page.url.endswith("q=establishment")
    page.check("#answer-eu")
    page.click("form.question button[type=submit]")
    page.wait_for_selector("input[name=question][value=personal_data]", state="attached")
    assert page.url.endswith("q=personal_data")
    page.check("#answer-yes")
    page.click("form.question button[type=submit]")
    page.wait_for_selector("input[name=question][value=organisation_kind]", state="attached")

    page.go_back()
    page.wait_for_selector("input[name=question][value=personal_data]", state="attached")
    page.wait_for_selector("#answer-yes:checked")
    shot = screenshots / "interview-back-fr.png"
    page.screenshot(path=shot, full_page=True, caret="initial")
    page.go_back()
    page.wait_for_selector("input[name=question][value=establishment]", state="attached")
    assert page.locator("#answer-eu").is_checked()
    page.go_forward()
    page.wait_for_selector("input[name=question][value=personal_data]", state="attached")
    assert page.locator("#answer-yes").is_checked()
    assert page.locator("header.site").count() == 1  # a whole page, not the main part alone
    assert not errors, errors
    context.close()


@pytest.mark.browser
def test_change_from_the_result_review_before_result_and_resume_from_home(
    browser: Any, live_server: str, screenshots: Path, kb: KnowledgeBase
) -> None:
    from .helpers import check_accessibility

    context = browser.new_context(base_url=live_server, locale="fr-FR")
    page = context.new_page()
    page.goto("/lang/fr?next=/new")
    page.fill("#name", "Parcours complet")
    page.fill("#first_context", "Centre commercial")
    page.click("button[type=submit]")
    page.wait_for_selector("form.question")
    page.check("#answer-eu")
    page.click("form.question button[type=submit]")
    page.wait_for_selector("input[name=question][value=personal_data]", state="attached")

    # Unfinished: the home page says so and leads to the next question.
    page.goto("/")
    card = page.locator(".card", has_text="Parcours complet")
    card.locator(".in-progress a").click()
    page.wait_for_selector("input[name=question][value=personal_data]", state="attached")
    page.goto("/")
    page.screenshot(path=screenshots / "home-in-progress-fr.png", full_page=True, caret="initial")
    check_accessibility(page)

    # To the end: the review page comes before the result.
    page.locator(".card", has_text="Parcours complet").locator(".in-progress a").click()
    for _ in range(20):
        if page.locator("form.question").count() == 0:
            break
        question = page.locator("form.question input[name=question]").get_attribute("value")
        page.check("#answer-no" if question == "personal_data" else "#answer-unknown")
        before = page.url
        page.click("form.question button[type=submit]")
        page.wait_for_function("url => location.href !== url", arg=before)  # the next address
    page.wait_for_selector("h1:has-text('Questionnaire terminé')")
    assert page.url.endswith("/review")
    assert page.locator("section.review-answers h3").count() == 3
    page.screenshot(path=screenshots / "review-fr.png", full_page=True, caret="initial")
    check_accessibility(page)
    page.click("text=Voir le résultat")
    page.wait_for_url("**/result")
    result_url = page.url

    # A change from the result goes back to the result; Cancel too.
    assessment = int(result_url.split("/a/")[1].split("/")[0])
    change = f"/a/{assessment}/interview?scope=system&q=establishment&then=result"
    page.goto(change)
    page.wait_for_selector("#answer-eu:checked")
    page.screenshot(path=screenshots / "interview-change-from-result-fr.png", full_page=True, caret="initial")
    check_accessibility(page)
    page.click("text=Annuler")
    page.wait_for_url(result_url)
    page.goto(change)
    page.check("#answer-targets_eu")
    page.click("form.question button[type=submit]")
    page.wait_for_url(result_url)
    page.goto(change)
    assert page.locator("#answer-targets_eu").is_checked()
    context.close()
