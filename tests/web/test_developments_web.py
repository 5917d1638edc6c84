"""Several development processings in the web app: added, renamed and removed on the "details
and contexts" page (one always remains), asked in the interview one after the other, named on
the result, history and home pages; and the same in real Chromium."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from airegime.engine.evaluate import evaluate
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.system import parse_system

from .helpers import Client, hidden

TRAINING = {
    "personal_data": "yes",
    "organisation_kind": "competent_authority",
    "development_uses": "single_use",
    "purpose": "criminal_law",
    "legal_mission": "yes",
    "household": "no",
}
REUSE = {
    "personal_data": "yes",
    "organisation_kind": "private_body",
    "development_uses": "various",
    "purpose": "other",
    "legal_mission": "no",
    "household": "no",
}
SHOPPING = {
    "personal_data": "yes",
    "organisation_kind": "private_body",
    "purpose": "other",
    "legal_mission": "no",
    "household": "no",
}


def expected_developments(kb: KnowledgeBase) -> list[str | None]:
    system = parse_system(
        {
            "name": "S",
            "answers": {"establishment": "eu"},
            "developments": [{"name": "Training", "answers": TRAINING}, {"name": "Reuse", "answers": REUSE}],
            "deployments": [{"name": "Centre", "answers": SHOPPING}],
        },
        kb=kb,
    )
    outcomes = [p.outcome for p in evaluate(kb=kb, system=system).developments]
    assert len(set(outcomes)) == 2, "the two processings should fall under different regimes"
    return outcomes


def answer_all(client: Client, assessment: int, by_phase: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """Answer the interview through its forms until it is done; return (phase label, question) asked."""
    asked = []
    for _ in range(60):
        page = client.get(f"/a/{assessment}/interview").text
        if 'class="question"' not in page:
            return asked
        label = html.unescape(page.split('<p class="phase-label">', 1)[1].split("</p>", 1)[0])
        question = hidden(page, "question")
        answers = next(a for key, a in by_phase.items() if key in label)
        fields = {"scope": hidden(page, "scope"), "ctx": hidden(page, "ctx"), "question": question}
        response = client.submit(f"/a/{assessment}/answer", {**fields, "value": answers[question]})
        assert response.status_code == 303, response.text
        asked.append((label, question))
    raise AssertionError(f"the interview did not end: {asked}")


def test_developments_are_added_renamed_asked_named_and_removed(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    new = repo.create(name="Lecteur", first_context="Centre")
    answer_all(client, new, {"Système": {"establishment": "eu"}, "Développement": TRAINING, "Centre": SHOPPING})
    (first,) = repo.get(new).developments
    contexts = client.get(f"/a/{new}/contexts").text
    assert "Traitements de développement" in contexts and f"/a/{new}/developments/{first.id}/remove" not in contexts

    renamed = client.submit(f"/a/{new}/developments/{first.id}", {"name": "Training", "description": "Ordered"})
    assert renamed.status_code == 303
    refused = client.submit(f"/a/{new}/developments", {"name": " "})
    assert refused.status_code == 400 and len(repo.get(new).developments) == 1
    added = client.submit(f"/a/{new}/developments", {"name": "Reuse", "description": "Its own product"})
    assert added.status_code == 303 and added.headers["location"] == f"/a/{new}/interview"
    saved = repo.get(new)
    assert [(d.name, d.description) for d in saved.developments] == [
        ("Training", "Ordered"),
        ("Reuse", "Its own product"),
    ]

    asked = answer_all(client, new, {"Reuse": REUSE})
    assert asked and all(label == "Développement\u00a0: Reuse" for label, _ in asked)
    assert repo.get(new).answers_of(saved.developments[1].id) == {q: REUSE[q] for _, q in asked}

    outcomes = expected_developments(kb)
    for lang, word in (("fr", "Développement\u00a0: "), ("en", "Development: ")):
        client.read_in(lang)
        result = html.unescape(client.get(f"/a/{new}/result").text)
        glance = result.split('<table class="glance stack">', 1)[1].split("</table>", 1)[0]
        for name, outcome in zip(("Training", "Reuse"), outcomes, strict=True):
            row = glance.split(f"{word}{name}", 1)[1].split("</tr>", 1)[0]
            assert kb.outcome_by_id[outcome].label.get(lang) in row  # type: ignore[index]
        history = html.unescape(client.get(f"/a/{new}/history").text)
        assert f"{word}Reuse" in history
        assert {"fr": "Traitement de développement ajouté", "en": "Development processing added"}[lang] in history
    client.read_in("fr")  # what follows reads the pages in French

    confirm = client.get(f"/a/{new}/developments/{saved.developments[0].id}/remove")
    assert confirm.status_code == 200 and "Retirer ce traitement de développement\u00a0?" in html.unescape(confirm.text)
    removed = client.submit(f"/a/{new}/developments/{saved.developments[0].id}/remove")
    assert removed.status_code == 303
    assert [d.name for d in repo.get(new).developments] == ["Reuse"]
    # The last one stays: no link to remove it, and a request to do so is refused.
    last = saved.developments[1].id
    assert client.get(f"/a/{new}/developments/{last}/remove").status_code == 404
    assert client.submit(f"/a/{new}/developments/{last}/remove").status_code >= 400
    assert [d.name for d in repo.get(new).developments] == ["Reuse"]
    # A deployment context's id is no development processing.
    context = repo.get(new).contexts[0].id
    assert client.submit(f"/a/{new}/developments/{context}", {"name": "X"}).status_code == 404
    assert client.get(f"/a/{new}/developments/{context}/remove").status_code == 404
    assert client.submit(f"/a/{new}/developments/{context}/remove").status_code == 404
    # Nor is a development processing's id a deployment context (the same routes serve both kinds).
    development = repo.get(new).developments[0].id
    assert client.submit(f"/a/{new}/contexts/{development}", {"name": "X"}).status_code == 404
    assert client.get(f"/a/{new}/contexts/{development}/remove").status_code == 404
    assert client.submit(f"/a/{new}/contexts/{development}/remove").status_code == 404
    assert [d.name for d in repo.get(new).developments] == ["Reuse"]


def test_an_old_link_to_a_development_question_opens_the_first_development(client: Client, repo: Repository) -> None:
    new = repo.create(name="S", first_context="C")
    second = repo.add_context(new, name="Second", phase="development")
    page = client.get(f"/a/{new}/interview?scope=development&q=personal_data")
    assert page.status_code == 200
    assert hidden(page.text, "ctx") == str(repo.get(new).developments[0].id)
    page = client.get(f"/a/{new}/interview?scope=development&ctx={second.id}&q=personal_data")
    assert hidden(page.text, "ctx") == str(second.id)
    assert "Développement\u00a0: Second" in html.unescape(page.text)
    assert client.get(f"/a/{new}/interview?scope=development&ctx=999999&q=personal_data").status_code == 404


@pytest.mark.browser
def test_a_second_development_added_in_the_browser_is_asked_and_shown(
    browser: Any, live_server: str, kb: KnowledgeBase, screenshots: Path
) -> None:
    from .helpers import answer_interview, assert_no_csp_violation, check_accessibility, glance, shot

    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    try:
        page.goto("/new")
        page.fill("#name", "Lecteur de plaques")
        page.fill("#first_context", "Centre commercial")
        page.click("button[type=submit]")
        page.wait_for_selector("form.question")
        answer_interview(page, {"Système": {"establishment": "eu"}, "Développement": TRAINING, "Centre": SHOPPING})

        page.click("nav.tabs >> text=Description et contextes")
        page.wait_for_selector("ol.developments")
        first = page.locator("ol.developments li").first
        first.locator("input[name=name]").fill("Entraînement commandé")
        first.locator("button[type=submit]").click()
        page.wait_for_selector("ol.developments input[value='Entraînement commandé']")
        page.fill("#new-development-name", "Réutilisation par le prestataire")
        page.fill("#new-development-description", "Pour son propre produit")
        shot(page, screenshots / "developments-fr.png")
        check_accessibility(page)
        page.click("text=Ajouter ce traitement")
        page.wait_for_selector("form.question")
        asked = answer_interview(page, {"Réutilisation": REUSE})
        assert asked and all(step.startswith("Développement : Réutilisation par le prestataire/") for step in asked)

        page.click("text=Voir le résultat")
        page.wait_for_selector("table.glance")
        training, reuse = expected_developments(kb)
        shown = glance(page)
        assert shown["Développement\u00a0: Entraînement commandé"] == kb.outcome_by_id[training].label.fr  # type: ignore[index]
        assert shown["Développement\u00a0: Réutilisation par le prestataire"] == kb.outcome_by_id[reuse].label.fr  # type: ignore[index]
        assert shown["Déploiement\u00a0: Centre commercial"] == kb.outcome_by_id["gdpr"].label.fr
        shot(page, screenshots / "developments-result-fr.png")
        assert_no_csp_violation(page)
    finally:
        context.close()
