"""Versions of a saved assessment, rebuilt from its history, and the entries that changed a regime."""

from __future__ import annotations

from pathlib import Path

import pytest

from airegime.errors import NotFoundError
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.versions import regime_changes, version
from airegime.system import System, load_system

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"


def last_entry(repo: Repository, assessment_id: int) -> int:
    return len(repo.history(assessment_id)) - 1


def test_each_version_is_the_state_the_assessment_had_then(repo: Repository, kb: KnowledgeBase) -> None:
    new = repo.import_system(load_system(EXAMPLE, kb=kb))
    states: list[tuple[int, System]] = [(last_entry(repo, new), repo.get(new).system())]

    def keep() -> None:
        states.append((last_entry(repo, new), repo.get(new).system()))

    shop, police = (c.id for c in repo.get(new).contexts)
    described = repo.get(new).contexts[0].description  # descriptions are not versioned: kept as they are
    repo.set_answer(new, scope="deployment", context_id=shop, question="purpose", value="criminal_law")
    keep()
    repo.rename_context(new, shop, name="Mall", description=described)
    keep()
    added = repo.add_context(new, name="Airport")
    repo.set_answer(new, scope="deployment", context_id=added.id, question="personal_data", value="no")
    keep()
    repo.remove_context(new, police)
    keep()
    repo.set_answer(new, scope="system", context_id=None, question="establishment", value=None)
    keep()
    repo.add_context(new, phase="development", name="Fine-tuning")
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="no")
    keep()
    repo.rename_context(new, shop, name="Shopping centre", description=described)
    for index, state in states:
        rebuilt = version(repo, new, index)
        assert rebuilt.system == state, index
        assert rebuilt.index == index and rebuilt.assessment_id == new
    # an entry in the middle of a change of several answers: those stored by then
    first = version(repo, new, 1).system
    assert first.answers == {"establishment": "eu"} and first.development.answers == {}
    assert [d.name for d in version(repo, new, states[1][0] - 1).system.deployments] == [
        "Shopping centre",
        "National police",
    ]


def test_a_version_of_another_organisation_or_past_the_history_is_not_found(
    repo: Repository, kb: KnowledgeBase
) -> None:
    new = repo.import_system(load_system(EXAMPLE, kb=kb))
    with pytest.raises(NotFoundError):
        version(repo, new, last_entry(repo, new) + 1)
    with pytest.raises(NotFoundError):
        version(repo.scoped(repo.organisation_id + 1, actor="other"), new, 0)
    with pytest.raises(NotFoundError):
        regime_changes(repo.scoped(repo.organisation_id + 1, actor="other"), new)


def test_only_the_entries_that_changed_a_regime_are_marked(repo: Repository, kb: KnowledgeBase) -> None:
    new = repo.import_system(load_system(EXAMPLE, kb=kb))
    made = last_entry(repo, new)
    shop, police = (c.id for c in repo.get(new).contexts)
    repo.set_answer(new, scope="deployment", context_id=shop, question="organisation_kind", value="public_body")
    repo.set_answer(new, scope="deployment", context_id=police, question="purpose", value="other")
    repo.add_context(new, name="Airport")
    repo.set_answer(new, scope="system", context_id=None, question="establishment", value="unknown")
    marks = regime_changes(repo, new)
    assert len(marks) == len(repo.history(new))
    assert marks[: made + 1] == ((),) * (made + 1)  # what it was imported with is the start, not a change
    same_regime, police_changed, context_added, system_changed = marks[made + 1 :]
    assert same_regime == () and context_added == ()
    [change] = police_changed
    assert (change.before.name, change.before.outcome, change.after.outcome) == (
        "National police",
        "police_justice",
        "gdpr",
    )
    # every phase determined before becomes undetermined; the new context, undetermined already, is not a change
    assert [(c.before.name, c.after.status) for c in system_changed] == [
        ("development", "undetermined"),
        ("Shopping centre", "undetermined"),
        ("National police", "undetermined"),
    ]


def test_answers_the_loaded_rules_cannot_read_are_left_out_of_a_version(repo: Repository, kb: KnowledgeBase) -> None:
    from sqlalchemy import update

    from airegime.storage.models import EventRow

    new = repo.create(name="S", first_context="C")
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="yes")
    with repo.engine.begin() as connection:  # as a format-1 answer reads under today's rules
        connection.execute(update(EventRow).where(EventRow.question == "personal_data").values(value="maybe"))
    assert version(repo, new, last_entry(repo, new)).system.development.answers == {}
    assert regime_changes(repo, new)[-1] == ()
