"""Sharing (issue 16, part 6): a link to batch results or an assessment works for any member of
its organisation, in any browser; a read-only link for someone outside opens one assessment's
result without a login until it expires or is revoked."""

from __future__ import annotations

from collections.abc import Callable

from .helpers import SECRET, Browser, Org

INVENTORY = f"system_id,system_name,deployment_name,household\nS1,{SECRET} batch,Police,non\n".encode()


def test_a_batch_results_link_works_for_any_member_of_the_organisation_only(
    orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    anna = browser_for("anna")
    uploaded = anna.post("/batch", data={"csrf_token": anna.csrf}, files={"file": ("i.csv", INVENTORY, "text/csv")})
    assert uploaded.status_code == 303
    link = uploaded.headers["location"]
    for colleague in ("amy", "alice"):  # a reader and an admin, each in their own browser
        browser = browser_for(colleague)
        page = browser.get(link)
        assert page.status_code == 200 and SECRET in page.text, colleague
        download = browser.get(f"{link}/results.csv")
        assert download.status_code == 200 and SECRET in download.text
    for stranger in ("bob", "bea"):
        browser = browser_for(stranger)
        for url in (link, f"{link}/results.csv", f"{link}/results.xlsx"):
            refused = browser.get(url)
            assert refused.status_code == 404 and SECRET not in refused.text, (stranger, url)
    assert browser_for().get(link).status_code == 303  # nobody logged in: to the login page


def test_an_assessment_link_works_for_any_member(orgs: dict[str, Org], browser_for: Callable[..., Browser]) -> None:
    org_a = orgs["Org A"]
    for path in ("result", "history", "actions", "report.html"):
        url = f"/a/{org_a.assessment}/{path}"
        assert browser_for("amy").get(url).status_code == 200, url
        assert browser_for("bob").get(url).status_code == 404, url
