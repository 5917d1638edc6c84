"""The action plan in the pages and the API: the plan made once from the result's next steps,
free actions changed by editors, overdue actions on the home page, exports (CSV, XLSX) that
parse back with formulas made inert, readers refused, other organisations' plans out of reach."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from airegime.storage import Repository
from airegime.storage.actions import Actions
from airegime.storage.audit import AuditLog

from .helpers import SECRET, Browser, Org


def gdpr_assessment(repo: Repository, org: Org) -> int:
    """Org's assessment answered so that the GDPR applies (its result names next steps)."""
    scoped = repo.scoped(org.id, actor="test")
    for scope, context in (("development", None), ("deployment", org.context)):
        for question, value in (("organisation_kind", "private_body"), ("purpose", "other")):
            scoped.set_answer(org.assessment, scope=scope, context_id=context, question=question, value=value)  # type: ignore[arg-type]
    scoped.set_answer(org.assessment, scope="system", context_id=None, question="establishment", value="eu")
    return org.assessment


def test_the_plan_is_made_once_and_edited_by_an_editor(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    org_a = orgs["Org A"]
    assessment = gdpr_assessment(repo, org_a)
    anna = browser_for("anna")
    result = anna.get(f"/a/{assessment}/result")
    assert f'action="/a/{assessment}/actions/plan"' in result.text
    made = anna.form(f"/a/{assessment}/actions/plan")
    assert made.status_code == 303
    actions = Actions(repo.scoped(org_a.id, actor="t")).list(assessment)
    assert len(actions) >= 3 and all(a.source for a in actions)
    assert anna.form(f"/a/{assessment}/actions/plan").headers["location"].endswith("added=0")
    assert len(Actions(repo.scoped(org_a.id, actor="t")).list(assessment)) == len(actions)
    page = anna.get(f"/a/{assessment}/actions")
    assert page.status_code == 200 and actions[0].title in page.text
    changed = anna.form(
        f"/a/{assessment}/actions/{actions[0].id}", {"owner": "anna", "due_on": "2020-01-31", "state": "open"}
    )
    assert changed.status_code == 303
    bad = anna.form(f"/a/{assessment}/actions/{actions[0].id}", {"owner": "x", "due_on": "31/01/2020"})
    assert bad.status_code == 400 and "2027-03-31" in bad.text
    added = anna.form(f"/a/{assessment}/actions", {"title": "Sign the DPA", "owner": "Legal", "due_on": ""})
    assert added.status_code == 303
    empty = anna.form(f"/a/{assessment}/actions", {"title": "  "})
    assert empty.status_code == 400
    now = Actions(repo.scoped(org_a.id, actor="t")).list(assessment)
    assert [a.title for a in now].count("Sign the DPA") == 1
    first = next(a for a in now if a.id == actions[0].id)
    assert (first.owner, first.due_on, first.state) == ("anna", date(2020, 1, 31), "open")
    logged = [e.action for e in AuditLog(repo.engine).entries(org_a.id)]
    assert {"actions.planned", "action.changed", "action.added"} <= set(logged)


def test_the_home_page_shows_overdue_actions_of_the_organisation_only(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    org_a = orgs["Org A"]
    actions = Actions(repo.scoped(org_a.id, actor="t"))
    yesterday = date.today() - timedelta(days=1)
    late = actions.add(org_a.assessment, title="Late for A", due_on=yesterday)
    actions.add(org_a.assessment, title="Not yet due", due_on=date.today() + timedelta(days=30))
    finished = actions.add(org_a.assessment, title="Finished late", due_on=yesterday)
    actions.update(org_a.assessment, finished.id, state="done")
    home = browser_for("amy").get("/")  # a reader sees them too
    assert "Late for A" in home.text and f"/a/{org_a.assessment}/actions#action-{late.id}" in home.text
    assert "Not yet due" not in home.text and "Finished late" not in home.text
    assert "Late for A" not in browser_for("bob").get("/").text


def test_exports_parse_back_with_formulas_inert(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    org_a = orgs["Org A"]
    actions = Actions(repo.scoped(org_a.id, actor="t"))
    actions.add(org_a.assessment, title='=HYPERLINK("http://evil")', owner="@owner", due_on=date(2027, 1, 2))
    amy = browser_for("amy")
    one = amy.get(f"/a/{org_a.assessment}/actions.csv")
    assert one.status_code == 200 and one.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(one.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Assessment", "Action"] or rows[0][:2] == ["Analyse", "Action"]
    assert rows[1][0] == f"{SECRET} system" and rows[1][1:4] == ['\'=HYPERLINK("http://evil")', "'@owner", "2027-01-02"]
    everything = amy.get("/actions.xlsx")
    sheet = load_workbook(io.BytesIO(everything.content)).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[1][1] == '\'=HYPERLINK("http://evil")'
    assert amy.get(f"/a/{org_a.assessment}/actions.pdf").status_code == 404
    bob = browser_for("bob")
    assert bob.get(f"/a/{org_a.assessment}/actions.csv").status_code == 404
    theirs = bob.get("/actions.csv")
    assert theirs.status_code == 200 and SECRET not in theirs.text and "HYPERLINK" not in theirs.text
    logged = [(e.action, e.target) for e in AuditLog(repo.engine).entries(org_a.id) if e.action == "actions.exported"]
    assert len(logged) == 2


def test_readers_and_other_organisations_cannot_change_a_plan(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    org_a = orgs["Org A"]
    action = Actions(repo.scoped(org_a.id, actor="t")).add(org_a.assessment, title="Keep me")
    amy, bob = browser_for("amy"), browser_for("bob")
    for browser, status in ((amy, 403), (bob, 404)):
        assert browser.form(f"/a/{org_a.assessment}/actions", {"title": "x"}).status_code == status
        assert browser.form(f"/a/{org_a.assessment}/actions/{action.id}", {"state": "done"}).status_code == status
        assert browser.form(f"/a/{org_a.assessment}/actions/{action.id}/delete").status_code == status
        assert browser.form(f"/a/{org_a.assessment}/actions/plan").status_code == status
    assert bob.get(f"/a/{org_a.assessment}/actions").status_code == 404
    assert SECRET in amy.get(f"/a/{org_a.assessment}/actions").text
    assert Actions(repo.scoped(org_a.id, actor="t")).list() == (action,)


def test_the_api_makes_lists_changes_and_exports_the_plan(app: FastAPI, repo: Repository, orgs: dict[str, Org]) -> None:
    org_a, org_b = orgs["Org A"], orgs["Org B"]
    assessment = gdpr_assessment(repo, org_a)
    api = TestClient(app, headers={"Authorization": f"Bearer {org_a.token}"})
    base = f"/api/v1/assessments/{assessment}/actions"
    made = api.post(f"{base}/plan?lang=en")
    assert made.status_code == 201 and len(made.json()) >= 3
    assert made.json()[0]["title"].startswith("Sheet 2") and made.json()[0]["source"].startswith("gdpr:")
    assert api.post(f"{base}/plan").json() == []
    free = api.post(base, json={"title": "Sign the DPA", "owner": "Legal", "due_on": "2020-02-01"})
    assert free.status_code == 201 and free.json()["overdue"] is True
    action_id = free.json()["id"]
    changed = api.patch(f"{base}/{action_id}", json={"state": "done"})
    assert changed.json()["state"] == "done" and changed.json()["due_on"] == "2020-02-01"
    cleared = api.patch(f"{base}/{action_id}", json={"due_on": None})
    assert cleared.json()["due_on"] is None and cleared.json()["owner"] == "Legal"
    assert api.patch(f"{base}/{action_id}", json={"state": "finished"}).status_code == 422
    assert api.post(base, json={"title": "bad\x00text"}).status_code == 422
    assert api.post(base, json={"title": ""}).status_code == 422
    assert api.post(base, json={"title": "x", "extra": 1}).status_code == 422
    assert len(api.get(base).json()) == len(made.json()) + 1
    overdue = api.post(base, json={"title": "Late", "due_on": "2020-01-01"}).json()
    assert [a["id"] for a in api.get("/api/v1/actions?overdue=true").json()] == [overdue["id"]]
    exported = api.get(f"/api/v1/assessments/{assessment}/actions.csv?lang=en")
    assert exported.status_code == 200 and exported.content.decode("utf-8-sig").startswith("Assessment,Action,")
    book = load_workbook(io.BytesIO(api.get("/api/v1/actions.xlsx").content))
    assert book.active is not None and book.active.max_row == len(made.json()) + 3
    assert api.get("/api/v1/actions.pdf").status_code == 422
    assert api.delete(f"{base}/{action_id}").status_code == 204
    assert api.delete(f"{base}/{action_id}").status_code == 404
    other = TestClient(app, headers={"Authorization": f"Bearer {org_b.token}"})
    assert other.get(base).status_code == 404
    assert other.patch(f"{base}/{overdue['id']}", json={"state": "done"}).status_code == 404
    assert other.get("/api/v1/actions").json() == []
    b_base = f"/api/v1/assessments/{org_b.assessment}/actions"
    assert (
        other.patch(f"{b_base}/{overdue['id']}", json={"state": "done"}).status_code == 404
    )  # A's action via B's assessment
