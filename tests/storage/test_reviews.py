"""Review and approval (issue 16, part 2) and archiving instead of deleting (part 7), in storage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from airegime.api import create_api
from airegime.errors import NotFoundError, ReviewStateError, StorageError
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.audit import AuditLog
from airegime.storage.evidence import EvidenceStore
from airegime.storage.models import DEFAULT_ORGANISATION_ID, OrganisationRow, ReviewRow, now
from airegime.storage.reviews import RULES_ACTOR, Reviews, flag_approvals_the_rules_change
from airegime.system import load_system

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"


def approved(repo: Repository, kb: KnowledgeBase) -> tuple[int, Reviews]:
    new = repo.import_system(load_system(EXAMPLE, kb=kb))
    editor = Reviews(repo.scoped(repo.organisation_id, actor="edith"))
    editor.submit(new, "ready for you")
    Reviews(repo.scoped(repo.organisation_id, actor="ada")).approve(new, "Sound reasoning; GDPR applies.")
    return new, Reviews(repo)


def actions(repo: Repository) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.detail) for e in AuditLog(repo.engine).entries(repo.organisation_id)]


def test_the_full_cycle_records_each_step_with_its_actor_and_the_audit_log(repo: Repository, kb: KnowledgeBase) -> None:
    new = repo.create(name="S", first_context="C")
    reviews = Reviews(repo.scoped(DEFAULT_ORGANISATION_ID, actor="edith"))
    assert reviews.state(new).status == "draft"
    assert reviews.submit(new, "  please look  ").status == "in_review"
    admin = Reviews(repo.scoped(DEFAULT_ORGANISATION_ID, actor="ada"))
    back = admin.return_to_draft(new, "answer the purpose first")
    assert (back.status, [s.step for s in back.steps]) == ("draft", ["submitted", "returned"])
    reviews.submit(new)
    state = admin.approve(new, "Approved: the regime is settled.")
    assert state.status == "approved"
    assert [(s.step, s.actor, s.opinion) for s in state.steps] == [
        ("submitted", "edith", "please look"),
        ("returned", "ada", "answer the purpose first"),
        ("submitted", "edith", ""),
        ("approved", "ada", "Approved: the regime is settled."),
    ]
    assert state.approval is not None and state.approval.rule_set_hash == kb.hash
    report = state.to_report()
    assert (report["status"], report["reviewer"], report["opinion"]) == ("approved", "ada", state.approval.opinion)
    assert report["approved_at"] == state.approval.at.isoformat()
    logged = [(actor, action) for actor, action, _ in actions(repo) if action.startswith("review.")]
    assert logged == [
        ("edith", "review.submitted"),
        ("ada", "review.returned"),
        ("edith", "review.submitted"),
        ("ada", "review.approved"),
    ]


def test_steps_the_status_does_not_allow_are_refused_and_change_nothing(repo: Repository) -> None:
    new = repo.create(name="S", first_context="C")
    reviews = Reviews(repo)
    with pytest.raises(ReviewStateError):
        reviews.approve(new, "not sent yet")
    with pytest.raises(ReviewStateError):
        reviews.return_to_draft(new, "not sent yet")
    reviews.submit(new)
    with pytest.raises(ReviewStateError):
        reviews.submit(new)
    with pytest.raises(StorageError, match="opinion is required"):
        reviews.approve(new, "   ")
    with pytest.raises(StorageError, match="reason is required"):
        reviews.return_to_draft(new, "")
    with pytest.raises(StorageError, match="longer than"):
        reviews.approve(new, "x" * 10_001)
    state = reviews.state(new)
    assert (state.status, [s.step for s in state.steps]) == ("in_review", ["submitted"])


def test_approval_keeps_a_snapshot_and_an_edit_makes_a_draft_again(repo: Repository, kb: KnowledgeBase) -> None:
    new, reviews = approved(repo, kb)
    before = repo.get(new).system().to_dict()
    snapshot = reviews.approved_version(new)
    assert snapshot.descriptor == before
    assert [p.outcome for p in snapshot.result.phases] == ["gdpr", "gdpr", "police_justice"]

    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="no")
    state = reviews.state(new)
    assert state.status == "draft" and state.approval is not None
    assert state.to_report()["reviewer"] == ""  # a draft: no longer approved
    after = reviews.approved_version(new)
    assert after.descriptor == before and after.descriptor != repo.get(new).system().to_dict()
    assert after.result.to_dict() == snapshot.result.to_dict()
    assert ("local", "review.reopened", "answer") in actions(repo)


@pytest.mark.parametrize(
    "edit",
    [
        lambda repo, i: repo.update_details(i, name="Renamed", organisation="", description=""),
        lambda repo, i: repo.add_context(i, name="Another site"),
        lambda repo, i: repo.replace_system(i, repo.get(i).system().model_copy(update={"description": "new"})),
        lambda repo, i: EvidenceStore(repo).set_note(
            i, scope="system", context_id=None, question="establishment", text="Registered in Lyon"
        ),
        lambda repo, i: EvidenceStore(repo).add_link(
            i, scope="system", context_id=None, question="establishment", url="https://example.org/kbis"
        ),
    ],
    ids=["details", "context", "descriptor", "note", "link"],
)
def test_every_kind_of_edit_unfreezes_an_approved_assessment(repo: Repository, kb: KnowledgeBase, edit: object) -> None:
    new, reviews = approved(repo, kb)
    edit(repo, new)  # type: ignore[operator]
    assert reviews.state(new).status == "draft"


def test_an_edit_that_changes_nothing_and_a_recheck_keep_the_approval(repo: Repository, kb: KnowledgeBase) -> None:
    new, reviews = approved(repo, kb)
    repo.replace_system(new, repo.get(new).system())
    repo.recheck(new)
    state = reviews.state(new)
    assert (state.status, state.flag) == ("approved", "")


def test_a_rule_set_change_that_alters_the_approved_result_flags_it(
    database_url: str, kb: KnowledgeBase, changed_kb: KnowledgeBase
) -> None:
    old = Repository.open(database_url, kb)
    new, _ = approved(old, kb)
    untouched, _ = approved(old, kb)
    old.engine.dispose()
    repo = Repository.open(database_url, changed_kb)
    reviews = Reviews(repo)
    repo.recheck(new)
    state = reviews.state(new)
    assert state.status == "approved" and "changed-" in state.flag
    assert [s.step for s in state.steps][-1] == "flagged"
    assert any(action == "review.flagged" for _, action, _ in actions(repo))
    assert reviews.state(untouched).flag == ""  # not re-checked yet: not flagged
    with TestClient(create_api(repository=repo)) as api:  # the API says why in the reader's language
        french = api.get(f"/assessments/{new}/review", params={"lang": "fr"}).json()["flag"]
        english = api.get(f"/assessments/{new}/review", params={"lang": "en"}).json()["flag"]
    assert french.startswith("Les règles ont changé") and english.startswith("The rules changed")
    assert "changed-" in french and "changed-" in english
    again = reviews.approve(new, "Checked under the new rules.")
    assert (again.status, again.flag, again.approval and again.approval.rule_set_hash) == (
        "approved",
        "",
        changed_kb.hash,
    )
    repo.engine.dispose()


def test_reviews_of_another_organisation_are_not_found(repo: Repository, kb: KnowledgeBase) -> None:
    new, _ = approved(repo, kb)
    with repo._sessions.begin() as session:
        other = OrganisationRow(name="Other", created_at=now())
        session.add(other)
        session.flush()
        other_id = other.id
    theirs = Reviews(repo.scoped(other_id, actor="eve"))
    for attempt in (
        lambda: theirs.state(new),
        lambda: theirs.approved_version(new),
        lambda: theirs.submit(new),
        lambda: theirs.approve(new, "x"),
        lambda: theirs.return_to_draft(new, "x"),
        lambda: theirs.archive(new),
        lambda: theirs.restore(new),
        lambda: theirs.purge(new),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert Reviews(repo).state(new).status == "approved"


def test_archive_hides_restore_brings_back_purge_deletes_and_the_log_keeps_the_name(repo: Repository) -> None:
    kept = repo.create(name="Kept", first_context="C")
    gone = repo.create(name="Secret project", first_context="C")
    reviews = Reviews(repo)
    with pytest.raises(NotFoundError):
        reviews.purge(gone)  # only an archived assessment is purged
    repo.delete(gone)
    assert [i.id for i in repo.list().items] == [kept] and repo.count() == 1
    assert repo.list(search="Secret").total == 0
    for read in (repo.get, repo.history, repo.last_result, repo.get_with_result):
        with pytest.raises(NotFoundError):
            read(gone)  # type: ignore[operator]
    with pytest.raises(NotFoundError):
        repo.set_answer(gone, scope="development", context_id=None, question="personal_data", value="no")
    with pytest.raises(NotFoundError):
        reviews.submit(gone)
    assert [(i.id, i.name) for i in reviews.archived()] == [(gone, "Secret project")]

    reviews.restore(gone)
    assert repo.count() == 2 and repo.get(gone).name == "Secret project" and reviews.archived() == ()
    repo.delete(gone)
    assert reviews.purge(gone) == "Secret project"
    assert reviews.archived() == ()
    with pytest.raises(NotFoundError):
        reviews.restore(gone)
    with repo.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(ReviewRow)) == 0
    logged = [action for _, action, _ in actions(repo) if action.startswith("assessment.")]
    assert [action for action in logged if action != "assessment.created"] == [
        "assessment.archived",
        "assessment.restored",
        "assessment.archived",
        "assessment.purged",
    ]
    purged = [e for e in AuditLog(repo.engine).entries(repo.organisation_id) if e.action == "assessment.purged"]
    assert purged[0].target == f"#{gone} Secret project"


def test_the_snapshot_is_the_descriptor_export_and_the_stored_json_reads_back(
    repo: Repository, kb: KnowledgeBase
) -> None:
    new, _ = approved(repo, kb)
    with repo.engine.connect() as connection:
        row = connection.execute(select(ReviewRow).where(ReviewRow.step == "approved")).one()
    assert json.loads(row.descriptor_json) == repo.get(new).system().to_dict()
    assert json.loads(row.result_json)["rule_set"] == {"version": kb.version, "hash": kb.hash}
    assert (row.rule_set_version, row.rule_set_hash) == (kb.version, kb.hash)


def test_a_server_started_under_new_rules_flags_the_approvals_they_change(
    database_url: str, kb: KnowledgeBase, changed_kb: KnowledgeBase
) -> None:
    old = Repository.open(database_url, kb)
    changed, _ = approved(old, kb)  # its shopping-centre deployment leaves the GDPR under the new rules
    steady = old.create(name="Undetermined whatever the rules", first_context="C")
    Reviews(old).submit(steady)
    Reviews(old).approve(steady, "Nothing to decide yet.")
    assert flag_approvals_the_rules_change(old) == 0  # approved under these very rules: nothing evaluated
    old.engine.dispose()

    repo = Repository.open(database_url, changed_kb)
    assert flag_approvals_the_rules_change(repo) == 1
    reviews = Reviews(repo)
    flagged = reviews.state(changed)
    assert flagged.status == "approved" and "changed-" in flagged.flag
    assert (flagged.steps[-1].step, flagged.steps[-1].actor) == ("flagged", RULES_ACTOR)
    assert reviews.state(steady).flag == ""
    assert (RULES_ACTOR, "review.flagged") in [(actor, action) for actor, action, _ in actions(repo)]
    assert flag_approvals_the_rules_change(repo) == 0  # flagged once: a second start adds nothing
