"""The organisation profile (issue 16, part 5): an admin sets the organisation's usual answers,
checked against the knowledge base; new assessments (page and API) get them for the questions
they leave open, recorded in the history as coming from the profile, unless the creator opts out;
another organisation's profile never leaks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from airegime.errors import DescriptorError
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.storage.audit import AuditLog
from airegime.storage.profiles import PROFILE_DETAIL, Profiles

from .helpers import Browser, Org

USUAL = {
    "system": {"establishment": "eu"},
    "development": {"organisation_kind": "public_body", "legal_mission": "yes"},
    "deployment": {"organisation_kind": "public_body"},
}


def test_a_profile_is_checked_against_the_knowledge_base(repo: Repository, orgs: dict[str, Org]) -> None:
    profiles = Profiles(repo.scoped(orgs["Org A"].id, actor="alice"))
    assert profiles.get().empty
    for wrong in (
        {"system": {"purpose": "other"}},  # describes the processing, not the organisation
        {"system": {"organisation_kind": "public_body"}},  # a phase question, not the system's
        {"system": {"establishment": "mars"}},  # no such answer
        {"everywhere": {"establishment": "eu"}},
        ["establishment"],
    ):
        with pytest.raises(DescriptorError):
            profiles.set(wrong)
    assert profiles.get().empty
    saved = profiles.set({**USUAL, "deployment": {"organisation_kind": "public_body", "legal_mission": ""}})
    assert saved.answers == USUAL and saved.updated_by == "alice"
    assert Profiles(repo.scoped(orgs["Org B"].id, actor="bob")).get().empty
    assert [e.action for e in AuditLog(repo.engine).entries(orgs["Org A"].id)].count("profile.changed") == 1


def test_a_new_assessment_is_prefilled_unless_its_creator_opts_out(
    repo: Repository, orgs: dict[str, Org], browser_for: Callable[..., Browser]
) -> None:
    org_a = orgs["Org A"]
    alice = browser_for("alice")
    form = {"system.establishment": "eu", "development.organisation_kind": "public_body",
            "development.legal_mission": "yes", "deployment.organisation_kind": "public_body"}  # fmt: skip
    assert alice.form("/admin/profile", form).status_code == 303
    assert alice.form("/admin/profile", {"system.establishment": "mars"}).status_code == 400
    assert Profiles(repo.scoped(org_a.id, actor="t")).get().answers == USUAL
    anna = browser_for("anna")
    new_page = anna.get("/new")
    assert 'name="use_profile"' in new_page.text and "checked" in new_page.text
    made = anna.form("/new", {"name": "Prefilled", "first_context": "Use", "use_profile": "1"})
    assert made.status_code == 303
    new_id = int(made.headers["location"].split("/")[2])
    scoped = repo.scoped(org_a.id, actor="t")
    saved = scoped.get(new_id)
    assert saved.system_answers == {"establishment": "eu"}
    assert saved.answers_of(saved.developments[0].id) == {"organisation_kind": "public_body", "legal_mission": "yes"}
    assert saved.answers_of(saved.contexts[0].id) == {"organisation_kind": "public_body"}
    answered = [e for e in scoped.history(new_id) if e.kind == "answer"]
    assert len(answered) == 4 and all(e.detail == PROFILE_DETAIL for e in answered)
    # Given in the transaction that creates it: one evaluation, with them; audited after the creation.
    assert [e.reason for e in scoped.evaluations(new_id)] == ["created"]
    audited = [e.action for e in AuditLog(repo.engine).entries(org_a.id) if e.target.startswith(f"#{new_id} ")]
    assert audited[-2:] == ["assessment.created", "assessment.prefilled"]
    history = anna.get(f"/a/{new_id}/history")
    assert history.text.count('class="profile-tag"') == 4
    plain = anna.form("/new", {"name": "Not prefilled", "first_context": "Use"})
    bare = scoped.get(int(plain.headers["location"].split("/")[2]))
    assert bare.system_answers == {} and bare.answers_of(bare.contexts[0].id) == {}
    # Org B's new assessments get nothing of Org A's profile.
    ben = browser_for("ben")
    assert 'name="use_profile"' not in ben.get("/new").text
    theirs = ben.form("/new", {"name": "B's", "first_context": "Use", "use_profile": "1"})
    b_saved = repo.scoped(orgs["Org B"].id, actor="t").get(int(theirs.headers["location"].split("/")[2]))
    assert b_saved.system_answers == {}


def test_only_an_admin_sets_the_profile(orgs: dict[str, Org], browser_for: Callable[..., Browser]) -> None:
    for name in ("anna", "amy"):
        browser = browser_for(name)
        assert browser.get("/admin/profile").status_code == 403
        assert browser.form("/admin/profile", {"system.establishment": "eu"}).status_code == 403
    assert 'href="/admin/profile"' in browser_for("alice").get("/admin").text


def test_the_api_reads_and_replaces_the_profile_and_prefills_created_assessments(
    app: FastAPI, repo: Repository, orgs: dict[str, Org]
) -> None:
    org_a, org_b = orgs["Org A"], orgs["Org B"]
    api = TestClient(app, headers={"Authorization": f"Bearer {org_a.token}"})
    empty = api.get("/api/v1/profile").json()
    assert empty["answers"] == {} and empty["questions"]["system"] == ["establishment"]
    refused = api.put("/api/v1/profile", json={"system": {"purpose": "other"}})
    assert refused.status_code == 422 and refused.json()["error"]["where"] == "system.purpose"
    assert api.put("/api/v1/profile", json={"system": {"establishment": "\x00"}}).status_code == 422
    put = api.put("/api/v1/profile", json={**USUAL, "development": {**USUAL["development"], "legal_mission": True}})
    assert put.status_code == 200 and put.json()["answers"] == USUAL
    descriptor = {"name": "Via API", "deployments": [{"name": "D", "answers": {"organisation_kind": "private_body"}}]}
    made = api.post("/api/v1/assessments", json=descriptor)
    assert made.status_code == 201
    system = made.json()["descriptor"]
    assert system["answers"] == {"establishment": "eu"}
    assert system["deployments"][0]["answers"] == {"organisation_kind": "private_body"}  # the sent answer stays
    bare = api.post("/api/v1/assessments?profile=false", json=descriptor).json()
    assert bare["descriptor"].get("answers", {}) == {}
    editor_token = Accounts(repo.engine).create_token("anna", "Org A", name="e", role="editor", days=None, actor="t")
    editor = TestClient(app, headers={"Authorization": f"Bearer {editor_token}"})
    assert editor.get("/api/v1/profile").status_code == 403
    assert editor.put("/api/v1/profile", json={}).status_code == 403
    other = TestClient(app, headers={"Authorization": f"Bearer {org_b.token}"})
    assert other.get("/api/v1/profile").json()["answers"] == {}
