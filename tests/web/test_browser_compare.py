"""The compare page and the marked history in headless Chromium: accessible (axe-core), in both
languages, and on a 390 px phone the tables stack with no sideways scrolling."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airegime.kb import KnowledgeBase, Lang
from airegime.storage import Repository
from airegime.system import load_system, parse_system
from airegime.web.app import create_app

from .helpers import Serve, assert_no_csp_violation, check_accessibility, shot

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase, serve: Serve) -> Iterator[tuple[str, int, int]]:
    """The example; a copy where the police's purpose is ordinary and an airport is added; the
    example's police purpose then changed in place (a change of regime in its history)."""
    repository = Repository.open(f"sqlite:///{tmp_path_factory.mktemp('compare') / 'compare.sqlite3'}", kb)
    system = load_system(EXAMPLE, kb=kb)
    data = copy.deepcopy(system.to_dict())
    data["name"] = "Zone-crossing detector, ordinary purposes"
    data["deployments"][1]["answers"]["purpose"] = "other"
    data["deployments"].append({"name": "Airport", "answers": {"personal_data": "no"}})
    first = repository.import_system(system)
    second = repository.import_system(parse_system(data, kb=kb))
    police = repository.get(first).contexts[1].id
    repository.set_answer(first, scope="deployment", context_id=police, question="purpose", value="other")
    with serve(create_app(repository=repository)) as address:
        yield address, first, second
    repository.engine.dispose()


def open_page(browser: Any, address: str, lang: Lang, width: int) -> Any:
    context = browser.new_context(base_url=address, viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "airegime_lang", "value": lang, "url": address}])
    page = context.new_page()
    page.problems = []  # what the console says went wrong (assert_no_csp_violation reads it)
    page.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    return page


@pytest.mark.parametrize(("lang", "width"), [("fr", 1280), ("en", 390)])
def test_compare_pages_are_accessible_and_fit_a_phone(
    browser: Any, site: tuple[str, int, int], lang: Lang, width: int, screenshots: Path
) -> None:
    address, first, second = site
    page = open_page(browser, address, lang, width)
    page.goto(f"/a/{first}/result")
    page.click(f"a[href='/a/{first}/compare']")
    options = page.locator("select#with option")  # the other assessment, not this one
    assert options.count() == 1 and options.get_attribute("value") == str(second)
    shot(page, screenshots / f"compare-choose-{lang}-{width}.png")
    check_accessibility(page)
    page.click("form:has(select#with) button[type=submit]")
    page.wait_for_selector("table.compare-regimes")
    regimes = page.locator("table.compare-regimes tbody tr")
    assert regimes.count() == 1 and "Airport" in regimes.inner_text()  # the police's purpose is now the same
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, screenshots / f"compare-{lang}-{width}.png")
    check_accessibility(page)
    page.goto(f"/a/{first}/history")
    marked = page.locator("table.history tr.changed")
    assert marked.count() == 1 and "National police" in marked.inner_text()
    page.locator("table.history tbody tr").nth(1).locator("a.compare-link").click()
    page.wait_for_selector("table.compare-regimes")
    assert "National police" in page.locator("table.compare-regimes").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check_accessibility(page)
    assert_no_csp_violation(page)
    page.context.close()
