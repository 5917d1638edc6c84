"""Sharing (issue 16, part 6): a link to batch results or an assessment works for any member of
its organisation, in any browser; a read-only link for someone outside opens one assessment's
result without a login until it expires or is revoked."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from airegime.storage import Repository
from airegime.storage.audit import AuditLog
from airegime.storage.models import ShareLinkRow, now
from airegime.storage.sharing import ShareLinks

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


def made_link(browser: Browser, assessment: int, days: str = "7") -> str:
    page = browser.form(f"/a/{assessment}/share", {"days": days})
    assert page.status_code == 200, page.text
    found = re.search(r'value="https?://[^"]*/shared/([A-Za-z0-9_-]{43})"', page.text)
    assert found, "the new link is shown once"
    return found.group(1)


def test_a_share_link_opens_the_result_read_only_until_revoked(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    org_a, org_b = orgs["Org A"], orgs["Org B"]
    anna = browser_for("anna")
    token = made_link(anna, org_a.assessment)
    outsider = browser_for()  # nobody logged in
    page = outsider.get(f"/shared/{token}")
    assert page.status_code == 200 and SECRET in page.text
    assert page.headers["x-robots-tag"] == "noindex, nofollow" and 'name="robots" content="noindex' in page.text
    assert repo.kb.disclaimer.get("fr") in page.text or repo.kb.disclaimer.get("en") in page.text
    assert "/interview" not in page.text and "<form" not in page.text.split("<main", 1)[1].split("</main>")[0]
    report = outsider.get(f"/shared/{token}/report.html")
    assert report.status_code == 200 and report.headers["content-disposition"].startswith("attachment")
    assert SECRET in report.text
    # The link reaches nothing else: not the assessment's pages, not Org B's.
    assert outsider.get(f"/a/{org_a.assessment}/result").status_code == 303
    assert outsider.post(f"/a/{org_a.assessment}/answer", data={"csrf_token": outsider.csrf}).status_code in (303, 403)
    links = ShareLinks(repo.scoped(org_a.id, actor="t")).list(org_a.assessment)
    assert len(links) == 1 and links[0].created_by == "anna" and links[0].state() == "active"
    with repo.engine.connect() as connection:  # only the digest is stored
        stored = connection.execute(select(ShareLinkRow.token_hash)).scalars().all()
    assert token not in stored and len(stored[0]) == 64
    # Another organisation cannot list or revoke it; a reader cannot make or revoke one.
    assert browser_for("bob").get(f"/a/{org_a.assessment}/share").status_code == 404
    assert browser_for("bob").form(f"/a/{org_a.assessment}/share/{links[0].id}/revoke").status_code == 404
    amy = browser_for("amy")
    assert amy.get(f"/a/{org_a.assessment}/share").status_code == 200
    assert amy.form(f"/a/{org_a.assessment}/share", {"days": "3"}).status_code == 403
    assert amy.form(f"/a/{org_a.assessment}/share/{links[0].id}/revoke").status_code == 403
    assert outsider.get(f"/shared/{token}").status_code == 200
    revoked = anna.form(f"/a/{org_a.assessment}/share/{links[0].id}/revoke")
    assert revoked.status_code == 200
    after = outsider.get(f"/shared/{token}")
    assert after.status_code == 410 and SECRET not in after.text
    assert outsider.get(f"/shared/{token}/report.html").status_code == 410
    unknown = outsider.get("/shared/" + "A" * 43)
    assert unknown.status_code == 404 and SECRET not in unknown.text
    assert outsider.get("/shared/short").status_code == 404
    actions = [e.action for e in AuditLog(repo.engine).entries(org_a.id) if e.action.startswith("share.")]
    assert actions == ["share.created", "share.opened", "share.opened", "share.opened", "share.revoked",
                       "share.refused_revoked", "share.refused_revoked"]  # fmt: skip
    assert not [e for e in AuditLog(repo.engine).entries(org_b.id) if e.action.startswith("share.")]


def test_a_share_link_expires_and_its_length_is_bounded(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    org_a, org_b = orgs["Org A"], orgs["Org B"]
    anna = browser_for("anna")
    for days in ("0", "31", "x", ""):
        assert anna.form(f"/a/{org_a.assessment}/share", {"days": days}).status_code == 400
    token = made_link(anna, org_a.assessment, "1")
    b_token, _link = ShareLinks(repo.scoped(org_b.id, actor="ben")).create(org_b.assessment, days=30)
    with repo.engine.begin() as connection:  # a day later
        connection.execute(
            update(ShareLinkRow).where(ShareLinkRow.assessment_id == org_a.assessment).values(expires_at=now())
        )
    outsider = browser_for()
    expired = outsider.get(f"/shared/{token}")
    assert expired.status_code == 410 and SECRET not in expired.text
    other = outsider.get(f"/shared/{b_token}")  # another organisation's link is unaffected
    assert other.status_code == 200 and "Plain B" in other.text and SECRET not in other.text


def test_the_api_makes_lists_and_revokes_share_links(app: FastAPI, repo: Repository, orgs: dict[str, Org]) -> None:
    org_a, org_b = orgs["Org A"], orgs["Org B"]
    api = TestClient(app, headers={"Authorization": f"Bearer {org_a.token}"})
    base = f"/api/v1/assessments/{org_a.assessment}/share-links"
    made = api.post(base, json={"days": 5})
    assert made.status_code == 201
    body = made.json()
    assert body["url"].endswith(f"/shared/{body['token']}") and body["state"] == "active"
    listed = api.get(base).json()
    assert [link["id"] for link in listed] == [body["id"]] and "token" not in listed[0]
    assert api.post(base, json={"days": 31}).status_code == 422
    assert api.post(base, json={"days": 5, "extra": 1}).status_code == 422
    other = TestClient(app, headers={"Authorization": f"Bearer {org_b.token}"})
    assert other.get(base).status_code == 404 and other.post(base, json={"days": 1}).status_code == 404
    assert other.delete(f"{base}/{body['id']}").status_code == 404
    assert TestClient(app).get(f"/shared/{body['token']}").status_code == 200
    assert api.delete(f"{base}/{body['id']}").status_code == 204
    assert api.get(base).json()[0]["state"] == "revoked"
    assert TestClient(app).get(f"/shared/{body['token']}").status_code == 410
