"""The result page in headless Chromium, read as a DPO would: the reason that decided comes first,
rules that were merely still possible stay folded away, an undetermined phase says which question
to settle first with a button to answer it, and a 390 px phone needs no sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airegime.kb import KnowledgeBase, Lang
from airegime.storage import Repository
from airegime.system import load_system, parse_system
from airegime.web.app import create_app

from .helpers import Serve, check_accessibility

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).parents[2] / "examples"
# A company deploying with its purpose left open ("I don't know") and no mission given by law: every
# rule still possible gives the GDPR, among them rules about criminal-law ends and crowd safety.
PURPOSE_LEFT_OPEN = {
    "airegime": 2,
    "name": "Visitor counter",
    "answers": {"establishment": "eu"},
    "developments": [
        {"answers": {"personal_data": "yes", "organisation_kind": "private_body", "development_uses": "various"}}
    ],
    "deployments": [
        {
            "name": "Shop",
            "answers": {
                "personal_data": "yes",
                "organisation_kind": "private_body",
                "purpose": "unknown",
                "legal_mission": "no",
            },
        }
    ],
}


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase, serve: Serve
) -> Iterator[tuple[str, dict[str, int]]]:
    repository = Repository.open(f"sqlite:///{tmp_path_factory.mktemp('result') / 'result.sqlite3'}", kb)
    ids = {
        "zone": repository.import_system(load_system(EXAMPLES / "zone-crossing-detector.yaml", kb=kb)),
        "startup": repository.import_system(load_system(EXAMPLES / "startup-foundation-model.yaml", kb=kb)),
        "open_purpose": repository.import_system(parse_system(PURPOSE_LEFT_OPEN, kb=kb)),
        "customs": repository.import_system(load_system(EXAMPLES / "customs-fraud-detection.yaml", kb=kb)),
    }
    with serve(create_app(repository=repository)) as address:
        yield address, ids
    repository.engine.dispose()


def open_page(browser: Any, address: str, lang: Lang, width: int = 1280) -> Any:
    context = browser.new_context(base_url=address, viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "airegime_lang", "value": lang, "url": address}])
    return context.new_page()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_sheet_example_shows_the_deciding_reason_first_and_nothing_about_defence(
    browser: Any, site: tuple[str, dict[str, int]], kb: KnowledgeBase, lang: Lang
) -> None:
    address, ids = site
    page = open_page(browser, address, lang)
    page.goto(f"/a/{ids['zone']}/result")
    development = page.locator("#phase-1")
    reason = development.locator(".reason")
    assert reason.locator("h3").inner_text() == (
        "La raison qui a décidé" if lang == "fr" else "The reason that decided"
    )
    case_2 = kb.rule_by_id["development_case2_gdpr"].title.get(lang)
    assert reason.locator(".reason-sentence").inner_text() == case_2
    # The reason comes before anything else that names a rule, and no other rule shows.
    visible = development.inner_text()
    assert visible.index(case_2) < visible.index(reason.locator("p").nth(1).inner_text())
    for rule in kb.rules:
        if rule.id != "development_case2_gdpr":
            assert rule.title.get(lang) not in visible, rule.id
    # The answers that decided, in words; the glance table carries the one-line reason.
    answers = reason.locator(".deciding-answers li").all_inner_texts()
    assert any(kb.question_by_id["development_uses"].short.get(lang) in a for a in answers)
    assert case_2 in page.locator("table.glance tbody tr").first.inner_text()
    # Actions come first: the download menu and edit button are above the glance table.
    actions_y = page.locator(".result-actions").bounding_box()["y"]
    assert actions_y < page.locator("table.glance").bounding_box()["y"]
    page.context.close()


def test_rules_that_were_merely_possible_stay_folded_until_opened(
    browser: Any, site: tuple[str, dict[str, int]], kb: KnowledgeBase
) -> None:
    address, ids = site
    page = open_page(browser, address, "en")
    page.goto(f"/a/{ids['open_purpose']}/result")
    shop = page.locator("#phase-2")
    crowd = kb.rule_by_id["deployment_crowd_safety_not_competent"].title.en
    criminal = kb.rule_by_id["deployment_criminal_not_competent"].title.en
    assert "GDPR — Same regime whatever the answer to: Purpose" in shop.locator(".reason-sentence").inner_text()
    assert crowd not in shop.inner_text() and criminal not in shop.inner_text()
    others = shop.locator("details.other-rules")
    assert others.get_attribute("open") is None
    others.locator("summary").click()
    assert crowd in shop.inner_text() and criminal in shop.inner_text()
    check_accessibility(page)
    page.context.close()


def test_an_undetermined_phase_names_what_it_depends_on_and_offers_the_first_question(
    browser: Any, site: tuple[str, dict[str, int]], kb: KnowledgeBase
) -> None:
    address, ids = site
    page = open_page(browser, address, "en")
    page.goto(f"/a/{ids['startup']}/result")
    undetermined = page.locator("section.phase.status-undetermined").first
    headline = undetermined.locator(".verdict .regime").inner_text()
    purpose, mission = kb.question_by_id["purpose"], kb.question_by_id["legal_mission"]
    assert headline == f"Undetermined — depends on: {purpose.short.en}, {mission.short.en}"
    regimes = [o.label.en for o in kb.outcomes if o.kind == "regime"]
    assert not any(label in headline for label in regimes)  # the headline no longer lists five regimes
    first = undetermined.locator(".next-question")
    assert purpose.text.en in first.inner_text()
    first.get_by_role("link", name="Answer this question").click()
    page.wait_for_load_state()
    assert page.locator("form.question input[name=question]").get_attribute("value") == "purpose"
    page.context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_phone_never_scrolls_sideways(browser: Any, site: tuple[str, dict[str, int]], lang: Lang) -> None:
    address, ids = site
    page = open_page(browser, address, lang, width=390)
    for path in ("/", f"/a/{ids['startup']}/interview", *(f"/a/{i}/result" for i in ids.values())):
        page.goto(path)
        for details in page.locator("main details").all():  # folded sections too, opened
            details.evaluate("element => element.open = true")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide at 390 px"
    check_accessibility(page)
    page.context.close()


def test_a_case_by_case_regime_is_named_once_in_the_summary(
    browser: Any, site: tuple[str, dict[str, int]], kb: KnowledgeBase
) -> None:
    """The outcome's label says "case by case" already: the summary does not say it again after it."""
    address, ids = site
    page = open_page(browser, address, "fr")
    page.goto(f"/a/{ids['customs']}/result")
    label = kb.outcome_by_id["case_by_case_police_justice_or_gdpr"].label.fr
    assert page.locator("table.glance td").all_inner_texts()[::2] == [label, label]
    page.context.close()
