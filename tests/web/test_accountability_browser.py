"""The action plan, share links and the organisation profile in a real browser (issue 16, parts
3, 5, 6): the plan made from the result page, and every new page free of serious accessibility
problems (axe-core, WCAG 2.1 A/AA) in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from airegime.kb import KnowledgeBase, Lang
from airegime.storage import Repository
from airegime.storage.actions import Actions
from airegime.storage.profiles import Profiles
from airegime.storage.sharing import ShareLinks
from airegime.system import parse_system
from airegime.web.app import create_app

from .helpers import Serve, check_accessibility

pytestmark = pytest.mark.browser

CHATBOT = {
    "name": "Chatbot",
    "answers": {"establishment": "eu"},
    "development": {"answers": {"personal_data": "yes", "organisation_kind": "private_body", "purpose": "other"}},
    "deployments": [
        {
            "name": "Support",
            "answers": {"personal_data": "yes", "organisation_kind": "private_body", "purpose": "other"},
        }
    ],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase, serve: Serve) -> Iterator[tuple[str, int, str]]:
    repository = Repository.open(f"sqlite:///{tmp_path_factory.mktemp('plan') / 'plan.sqlite3'}", kb)
    assessment = repository.import_system(parse_system(CHATBOT, kb=kb))
    Actions(repository).add(assessment, title="Sign the processing agreement", owner="Legal", due_on=date(2026, 1, 5))
    token, _link = ShareLinks(repository).create(assessment, days=7)
    Profiles(repository).set({"system": {"establishment": "eu"}, "deployment": {"organisation_kind": "public_body"}})
    with serve(create_app(repository=repository)) as address:
        yield address, assessment, token
    repository.engine.dispose()


def open_page(browser: Any, address: str, lang: Lang) -> Any:
    context = browser.new_context(base_url=address, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "airegime_lang", "value": lang, "url": address}])
    return context.new_page()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_plan_is_made_from_the_result_page(browser: Any, site: tuple[str, int, str], lang: Lang) -> None:
    address, assessment, _token = site
    page = open_page(browser, address, lang)
    page.goto(f"/a/{assessment}/result")
    page.locator(f"form[action='/a/{assessment}/actions/plan'] button").first.click()
    page.wait_for_url(f"**/a/{assessment}/actions?added=*")
    rows = page.locator("table.action-plan tbody tr")
    assert rows.count() >= 4  # the overdue action and the GDPR's next steps
    check_accessibility(page)
    page.goto("/")
    assert page.locator("ul.overdue-actions li").count() == 1
    check_accessibility(page)
    page.context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_new_pages_are_accessible(browser: Any, site: tuple[str, int, str], lang: Lang) -> None:
    address, assessment, token = site
    page = open_page(browser, address, lang)
    for path in (f"/a/{assessment}/share", f"/shared/{token}", "/shared/" + "A" * 43, "/admin/profile", "/new"):
        response = page.goto(path)
        assert response is not None and response.status in (200, 404), path
        check_accessibility(page)
    page.goto("/new")
    assert page.locator("#use_profile").is_checked()
    page.context.close()


def test_reloading_the_page_of_a_new_share_link_makes_no_second_link(
    browser: Any, site: tuple[str, int, str], kb: KnowledgeBase
) -> None:
    address, assessment, _token = site
    page = open_page(browser, address, "en")
    page.goto(f"/a/{assessment}/share")
    before = page.locator("section[aria-labelledby='links-title'] tbody tr").count()
    page.get_by_role("button", name="Make the link").click()
    shown = page.locator("#new-link").input_value()
    assert "/shared/" in shown
    page.reload()  # a plain visit now: the form is not posted again
    assert page.locator("#new-link").count() == 0  # the address was shown once
    assert page.locator("section[aria-labelledby='links-title'] tbody tr").count() == before + 1
