"""What the web tests share besides fixtures: a CSRF-aware test client, reading a hidden input,
and, for the browser tests, axe-core, screenshots and reading a page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
Serve = Callable[[FastAPI], AbstractContextManager[str]]  # the `serve` fixture


class Client(TestClient):
    """A test client that fills in this browser's CSRF token on every form it posts."""

    def token(self) -> str:
        if "airegime_csrf" not in self.cookies:
            self.get("/")
        return str(self.cookies.get("airegime_csrf"))

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.post(url, data={"csrf_token": self.token(), **(data or {})}, **kwargs)

    def read_in(self, lang: str) -> None:
        """Switch the pages' language as a reader does: the language link sets this browser's cookie."""
        assert self.get(f"/lang/{lang}", follow_redirects=False).status_code == 303


def hidden(html: str, name: str) -> str:
    """The value of a hidden input in a page (the interview's scope, ctx and question)."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden input {name!r} in the page"
    return match.group(1)


# Browser tests (Playwright pages)


def check_accessibility(page: Any) -> None:
    """axe-core in the page: no serious or critical WCAG 2.1 A/AA violation."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` at the repository root")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})).violations"
    )
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(
        [{"id": v["id"], "help": v["help"], "nodes": [n["html"][:120] for n in v["nodes"][:3]]} for v in serious],
        indent=1,
    )


def answer_interview(page: Any, answers_by_phase: dict[str, dict[str, str]]) -> list[str]:
    """Answer every question the interview asks (by the phase it names) until it says it is done."""
    asked = []
    for _ in range(60):
        if page.locator("form.question").count() == 0:
            return asked
        phase = " ".join(page.locator(".phase-label").text_content().split())
        given = page.locator(".answers li").count()
        question = page.locator("form.question input[name=question]").get_attribute("value")
        answers = next(a for label, a in answers_by_phase.items() if label in phase)
        page.check(f"#answer-{answers[question]}")
        page.click("form.question button[type=submit]")
        page.wait_for_function("n => document.querySelectorAll('.answers li').length > n", arg=given)
        asked.append(f"{phase}/{question}")
    raise AssertionError(f"the interview did not end: {asked}")


@contextmanager
def french_tab(browser: Any, live_server: str) -> Iterator[Any]:
    """A page of a new browser context on ``live_server``, in French, that accepts downloads; its
    ``problems`` collect the console errors and uncaught page errors."""
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, locale="fr-FR", accept_downloads=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    page.goto("/lang/fr?next=/")
    try:
        yield page
    finally:
        context.close()


def shot(page: Any, path: Path) -> None:
    # caret="initial": Playwright would otherwise inject a <style> to hide the caret, which our CSP blocks.
    page.screenshot(path=path, full_page=True, caret="initial")


def assert_no_csp_violation(page: Any) -> None:
    blocked = [p for p in page.problems if "Content Security Policy" in p]
    assert not blocked, blocked


def glance(page: Any) -> dict[str, str]:
    rows = page.locator("table.glance tbody tr")
    return {
        rows.nth(i).locator("th").inner_text().strip(): rows.nth(i).locator("td").first.inner_text().strip()
        for i in range(rows.count())
    }
