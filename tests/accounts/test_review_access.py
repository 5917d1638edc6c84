"""Review, approval and archive through the pages and the API (issue 16, parts 2 and 7): the full
cycle, freezing, role checks, isolation across organisations, the audit log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.storage.audit import AuditLog
from airegime.storage.reviews import Reviews
from airegime.system import load_system
from airegime.web.app import create_app

from .helpers import SECRET, Browser, Org

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"


def token(repo: Repository, username: str, org: str, role: str) -> TestClient:
    made = Accounts(repo.engine).create_token(username, org, name=role, role=role, days=None, actor="t")
    return TestClient(create_api_app(repo), headers={"Authorization": f"Bearer {made}"}, raise_server_exceptions=False)


def create_api_app(repo: Repository) -> FastAPI:
    from airegime.api import create_api

    return create_api(repository=repo)


def test_the_api_cycle_submit_approve_edit_keeps_the_approved_snapshot(repo: Repository, orgs: dict[str, Org]) -> None:
    a = orgs["Org A"]
    editor, admin = token(repo, "anna", "Org A", "editor"), token(repo, "alice", "Org A", "admin")
    path = f"/assessments/{a.assessment}"
    assert editor.get(f"{path}/review").json()["status"] == "draft"
    assert editor.get(f"{path}/approved").status_code == 404  # never approved
    sent = editor.post(f"{path}/review", json={"action": "submit", "opinion": "please check"})
    assert sent.status_code == 200 and sent.json()["status"] == "in_review"
    refused = editor.post(f"{path}/review", json={"action": "approve", "opinion": "I approve myself"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    no_opinion = admin.post(f"{path}/review", json={"action": "approve"})
    assert no_opinion.status_code == 400 and "opinion is required" in no_opinion.json()["error"]["message"]
    done = admin.post(f"{path}/review", json={"action": "approve", "opinion": "Agreed: GDPR."})
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["approval"]["actor"], body["approval"]["opinion"]) == (
        "approved",
        "alice",
        "Agreed: GDPR.",
    )
    again = admin.post(f"{path}/review", json={"action": "approve", "opinion": "twice"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "review_state"
    snapshot = editor.get(f"{path}/approved").json()
    report = editor.get(f"{path}/report.json?lang=en").json()
    assert (report["review"]["status"], report["review"]["reviewer"]) == ("approved", "alice")
    assert report["review"]["approved_at"] == body["approval"]["at"].replace("Z", "+00:00")
    assert snapshot["descriptor"]["name"].startswith(SECRET) and snapshot["approval"]["actor"] == "alice"

    changed = editor.patch(
        path, json={"answers": [{"scope": "development", "question": "personal_data", "value": "no"}]}
    )
    assert changed.status_code == 200, changed.text
    review = editor.get(f"{path}/review").json()
    assert review["status"] == "draft" and review["approval"]["opinion"] == "Agreed: GDPR."
    assert editor.get(f"{path}/approved").json() == snapshot  # unchanged by the edit
    assert editor.get(path).json()["descriptor"] != snapshot["descriptor"]
    steps = [(s["step"], s["actor"]) for s in review["steps"]]
    assert steps == [("submitted", "anna"), ("approved", "alice")]
    logged = [(e.actor, e.action) for e in AuditLog(repo.engine).entries(a.id) if e.action.startswith("review.")]
    assert logged == [("anna", "review.submitted"), ("alice", "review.approved"), ("anna", "review.reopened")]


def test_a_reader_cannot_send_and_the_api_refuses_bad_steps(repo: Repository, orgs: dict[str, Org]) -> None:
    a = orgs["Org A"]
    reader = token(repo, "amy", "Org A", "reader")
    path = f"/assessments/{a.assessment}/review"
    assert reader.get(path).status_code == 200
    assert reader.post(path, json={"action": "submit"}).status_code == 403
    editor = token(repo, "anna", "Org A", "editor")
    assert editor.post(path, json={"action": "publish"}).status_code == 422
    assert editor.post(path, json={"action": "submit", "extra": 1}).status_code == 422
    assert editor.post(path, json={"action": "submit", "opinion": "bell\x07"}).json()["error"]["code"] == "invalid_text"
    assert editor.post(path, json={"action": "return", "opinion": "no"}).status_code == 403
    assert Reviews(repo.scoped(a.id, actor="t")).state(a.assessment).steps == ()


def test_another_organisation_gets_404_for_every_review_and_archive_call(
    repo: Repository, orgs: dict[str, Org]
) -> None:
    a = orgs["Org A"]
    Reviews(repo.scoped(a.id, actor="anna")).submit(a.assessment)
    bob = token(repo, "bob", "Org B", "admin")
    path = f"/assessments/{a.assessment}"
    for method, url, body in (
        ("GET", f"{path}/review", None),
        ("GET", f"{path}/approved", None),
        ("POST", f"{path}/review", {"action": "approve", "opinion": "x"}),
        ("POST", f"{path}/review", {"action": "submit"}),
        ("DELETE", path, None),
        ("POST", f"/archive/{a.assessment}/restore", None),
        ("DELETE", f"/archive/{a.assessment}?confirm=true", None),
    ):
        response = bob.request(method, url, json=body)
        assert response.status_code == 404, (method, url, response.text)
        assert SECRET not in response.text
    assert Reviews(repo.scoped(a.id, actor="t")).state(a.assessment).status == "in_review"
    ben = token(repo, "ben", "Org B", "editor")  # an editor of B: 404 before the role, so nothing leaks
    assert ben.post(f"{path}/review", json={"action": "approve", "opinion": "x"}).status_code == 404


def test_the_api_archives_on_delete_and_only_admins_restore_or_purge(repo: Repository, orgs: dict[str, Org]) -> None:
    a = orgs["Org A"]
    editor, admin = token(repo, "anna", "Org A", "editor"), token(repo, "alice", "Org A", "admin")
    assert editor.delete(f"/assessments/{a.assessment}").status_code == 204
    assert editor.get(f"/assessments/{a.assessment}").status_code == 404
    assert editor.get("/assessments").json()["total"] == 0
    assert editor.get("/archive").status_code == 403
    assert editor.post(f"/archive/{a.assessment}/restore").status_code == 403
    assert editor.delete(f"/archive/{a.assessment}?confirm=true").status_code == 403
    listed = admin.get("/archive").json()
    assert [(i["id"], i["name"]) for i in listed] == [(a.assessment, f"{SECRET} system")]
    assert admin.post(f"/archive/{a.assessment}/restore").status_code == 204
    assert editor.get(f"/assessments/{a.assessment}").status_code == 200
    assert admin.delete(f"/archive/{a.assessment}?confirm=true").status_code == 404  # not archived
    editor.delete(f"/assessments/{a.assessment}")
    unconfirmed = admin.delete(f"/archive/{a.assessment}")
    assert unconfirmed.status_code == 400 and unconfirmed.json()["error"]["code"] == "confirm_required"
    assert admin.delete(f"/archive/{a.assessment}?confirm=true").status_code == 204
    assert admin.get("/archive").json() == []
    assert admin.post(f"/archive/{a.assessment}/restore").status_code == 404
    entries = [(e.actor, e.action, e.target) for e in AuditLog(repo.engine).entries(a.id)]
    assert ("alice", "assessment.purged", f"#{a.assessment} {SECRET} system") in entries
    assert ("anna", "assessment.archived", f"#{a.assessment} {SECRET} system") in entries


def test_the_pages_cycle_with_roles_and_the_approved_version(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    a = orgs["Org A"]
    amy, anna, alice = browser_for("amy"), browser_for("anna"), browser_for("alice")
    base = f"/a/{a.assessment}/approval"
    assert amy.get(base).status_code == 200 and "/approval/submit" not in amy.get(base).text
    assert amy.form(f"{base}/submit").status_code == 403
    assert anna.form(f"{base}/submit", {"opinion": "ready"}).status_code == 303
    assert anna.form(f"{base}/approve", {"opinion": "mine"}).status_code == 403
    assert anna.form(f"{base}/return", {"opinion": "mine"}).status_code == 403
    empty = alice.form(f"{base}/approve", {"opinion": "  "})
    assert empty.status_code == 400
    assert alice.form(f"{base}/approve", {"opinion": "Sound and complete."}).status_code == 303
    assert alice.form(f"{base}/approve", {"opinion": "again"}).status_code == 409
    page = anna.get(base).text
    assert "Sound and complete." in page and "alice" in page
    result = anna.get(f"/a/{a.assessment}/result").text
    assert "review-approved" in result and f"/a/{a.assessment}/approved" in result
    home = anna.get("/").text
    assert "review-badge review-approved" in home
    report = anna.get(f"/a/{a.assessment}/report.md").text
    today = Reviews(repo.scoped(a.id, actor="t")).state(a.assessment).approval.at.date().isoformat()  # type: ignore[union-attr]
    assert f"Approuvée par alice le {today}." in report or f"Approved by alice on {today}." in report

    context = repo.scoped(a.id, actor="anna").get(a.assessment).contexts[0].id
    repo.scoped(a.id, actor="anna").rename_context(a.assessment, context, name="Renamed site", description="")
    approved = anna.get(f"/a/{a.assessment}/approved")
    assert approved.status_code == 200
    assert "Sound and complete." in approved.text and "Org A context" in approved.text
    assert "Renamed site" not in approved.text  # the snapshot, not the current state
    assert "review-draft" in anna.get(f"/a/{a.assessment}/result").text
    bob = browser_for("bob")
    for url in (base, f"/a/{a.assessment}/approved"):
        assert bob.get(url).status_code == 404
    assert bob.form(f"{base}/submit").status_code == 404


def test_the_pages_archive_restore_and_purge_for_admins_only(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    a = orgs["Org A"]
    anna, alice = browser_for("anna"), browser_for("alice")
    assert "/archive" not in anna.get("/").text and "/archive" in alice.get("/").text
    assert anna.form(f"/a/{a.assessment}/delete").status_code == 303
    assert SECRET not in anna.get("/").text
    assert anna.get(f"/a/{a.assessment}/result").status_code == 404
    assert alice.get(f"/a/{a.assessment}/result").status_code == 404  # archived: read from nowhere but the archive
    assert anna.get("/archive").status_code == 403
    assert anna.form(f"/archive/{a.assessment}/restore").status_code == 403
    archive = alice.get("/archive")
    assert archive.status_code == 200 and SECRET in archive.text
    assert alice.form(f"/archive/{a.assessment}/restore").status_code == 303
    assert SECRET in anna.get("/").text
    anna.form(f"/a/{a.assessment}/delete")
    confirm = alice.get(f"/archive/{a.assessment}/purge")
    assert confirm.status_code == 200 and SECRET in confirm.text
    assert anna.form(f"/archive/{a.assessment}/purge").status_code == 403
    assert alice.form(f"/archive/{a.assessment}/purge").status_code == 303
    assert SECRET not in alice.get("/archive").text
    assert alice.get(f"/archive/{a.assessment}/purge").status_code == 404
    bob = browser_for("bob")
    assert SECRET not in bob.get("/archive").text


def test_a_recheck_under_changed_rules_flags_the_approval_on_the_home_and_result_pages(
    repo: Repository, orgs: dict[str, Org], changed_kb: KnowledgeBase
) -> None:
    a = orgs["Org A"]
    scoped = repo.scoped(a.id, actor="anna")
    example = scoped.import_system(load_system(EXAMPLE, kb=repo.kb))  # its shopping centre: GDPR, then not
    Reviews(scoped).submit(example)
    Reviews(repo.scoped(a.id, actor="alice")).approve(example, "GDPR by default.")
    changed = Repository(repo.engine, changed_kb)
    with Browser(create_app(repository=changed, kb=changed_kb), follow_redirects=False) as anna:
        anna.login("anna")
        assert "review-flag" not in anna.get("/").text
        assert anna.form(f"/a/{example}/recheck").status_code == 200
        assert "review-flag" in anna.get("/").text
        result = anna.get(f"/a/{example}/result").text
        assert "review-flag" in result and changed_kb.version in result
        approved = anna.get(f"/a/{example}/approved").text  # approved under rules no longer loaded
        assert kb_version_of(repo) in approved and "GDPR by default." in approved
    state = Reviews(repo.scoped(a.id, actor="t")).state(example)
    assert (state.status, state.steps[-1].step) == ("approved", "flagged")


def kb_version_of(repo: Repository) -> str:
    return repo.kb.version
