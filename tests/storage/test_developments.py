"""Saved assessments hold several development processings, like deployment contexts: each with
its name, description and answers, added, renamed and removed with their history, moved by
migration 0005 from the one development of before, exported and imported."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from airegime.engine.evaluate import evaluate
from airegime.errors import NotFoundError, StorageError
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.database import open_engine
from airegime.storage.transfer import export_database, import_database
from airegime.system import System, load_system, parse_system

from .helpers import export_as_is

EXAMPLE = Path(__file__).parents[2] / "examples" / "police-contractor-reuse.yaml"


@pytest.fixture
def reuse(kb: KnowledgeBase) -> System:
    system = load_system(EXAMPLE, kb=kb)
    assert len(system.developments) == 2 and all(d.name for d in system.developments)
    return system


def regimes(assessment: object) -> list[tuple[str, str, str | None]]:
    return [(p.phase, p.name, p.outcome) for p in assessment.phases]  # type: ignore[attr-defined]


def test_a_descriptor_with_two_developments_is_saved_and_read_back_identically(
    repo: Repository, kb: KnowledgeBase, reuse: System
) -> None:
    saved, result = repo.add_system(reuse)
    assert repo.get(saved.id).system().to_dict() == reuse.to_dict()
    assert [d.name for d in repo.get(saved.id).developments] == [d.name for d in reuse.developments]
    expected = evaluate(kb=kb, system=reuse)
    assert regimes(result) == regimes(expected)
    assert regimes(repo.last_result(saved.id)) == regimes(expected)
    # The two controllers' processings fall under different regimes: both are kept, none is dropped.
    development_outcomes = [p.outcome for p in expected.developments]
    assert len(set(development_outcomes)) == 2
    assert [s.outcome for s in repo.get(saved.id).summary][:2] == development_outcomes


def test_each_development_has_its_own_answers_and_history_names_it(
    repo: Repository, kb: KnowledgeBase, reuse: System
) -> None:
    new = repo.import_system(reuse)
    first, second = repo.get(new).developments
    repo.set_answer(new, scope="development", context_id=second.id, question="purpose", value="criminal_law")
    saved = repo.get(new)
    assert saved.answers_of(second.id)["purpose"] == "criminal_law"
    assert saved.answers_of(first.id) == dict(reuse.developments[0].answers)
    # Without an id a development answer goes to the first one, as before several could be saved.
    repo.set_answer(new, scope="development", context_id=None, question="purpose", value="other")
    assert repo.get(new).answers_of(first.id)["purpose"] == "other"
    changes = [(e.context_name, e.previous, e.value) for e in repo.history(new) if e.question == "purpose"]
    assert (second.name, "other", "criminal_law") in changes
    assert (first.name, "criminal_law", "other") in changes


def test_an_answer_cannot_go_to_a_phase_of_the_other_kind_or_of_another_assessment(
    repo: Repository, reuse: System
) -> None:
    new = repo.import_system(reuse)
    other = repo.import_system(reuse)
    saved = repo.get(new)
    before = (saved, repo.history(new))
    with pytest.raises(NotFoundError, match="development processing"):
        repo.set_answer(new, scope="development", context_id=saved.contexts[0].id, question="purpose", value="other")
    with pytest.raises(NotFoundError, match="deployment context"):
        repo.set_answer(new, scope="deployment", context_id=saved.developments[1].id, question="purpose", value="other")
    foreign = repo.get(other).developments[1].id
    with pytest.raises(NotFoundError):
        repo.set_answer(new, scope="development", context_id=foreign, question="purpose", value="other")
    assert (repo.get(new), repo.history(new)) == before


def test_developments_are_added_renamed_and_removed_and_one_always_remains(repo: Repository) -> None:
    new = repo.create(name="S", development_description="Training", first_context="Use")
    (first,) = repo.get(new).developments
    assert (first.name, first.description) == ("", "Training")
    added = repo.add_context(new, name="Reuse by the provider", description="Its own product", phase="development")
    repo.set_answer(new, scope="development", context_id=added.id, question="personal_data", value="yes")
    repo.rename_context(new, added.id, name="Provider's reuse", description="")
    saved = repo.get(new)
    assert [(d.name, d.description) for d in saved.developments] == [("", "Training"), ("Provider's reuse", "")]
    assert [d.name for d in saved.system().developments] == ["", "Provider's reuse"]
    assert [p.phase for p in saved.summary] == ["development", "development", "deployment"]
    repo.remove_context(new, first.id)
    assert [d.id for d in repo.get(new).developments] == [added.id]
    assert repo.get(new).development_answers == {"personal_data": "yes"}
    with pytest.raises(StorageError, match="at least one development processing"):
        repo.remove_context(new, added.id)
    kinds = [(e.kind, e.scope, e.context_name) for e in repo.history(new) if e.kind.startswith("development_")]
    assert kinds == [
        ("development_added", "development", "Provider's reuse"),
        ("development_renamed", "development", "Provider's reuse"),
        ("development_removed", "development", ""),
    ]
    # A deployment context is never counted as a development, nor the reverse.
    assert len(repo.get(new).contexts) == 1


def test_replacing_the_descriptor_adds_renames_and_removes_developments_by_position(
    repo: Repository, kb: KnowledgeBase, reuse: System
) -> None:
    new = repo.create(name="S", first_context="Gendarmerie road checks")
    saved, result = repo.replace_system(new, reuse)
    assert saved.system().to_dict() == reuse.to_dict() == repo.get(new).system().to_dict()
    assert regimes(result) == regimes(evaluate(kb=kb, system=reuse))
    renamed = reuse.model_copy(
        update={"developments": (reuse.developments[1].model_copy(update={"name": "Reuse only"}),)}
    )
    saved, _ = repo.replace_system(new, renamed)
    assert [(d.name, saved.answers_of(d.id)) for d in saved.developments] == [
        ("Reuse only", dict(reuse.developments[1].answers))
    ]
    assert repo.get(new).system().to_dict() == renamed.to_dict()
    history = repo.history(new)
    repo.replace_system(new, renamed)
    assert len(repo.history(new)) == len(history), "an unchanged descriptor records no change"


def test_a_duplicate_keeps_every_development(repo: Repository, reuse: System) -> None:
    new = repo.import_system(reuse)
    copy = repo.duplicate(new, name="Copy")
    assert repo.get(copy).system().model_copy(update={"name": reuse.name}).to_dict() == reuse.to_dict()


def _save_at_0004(engine) -> int:  # type: ignore[no-untyped-def]
    """An assessment as airegime stored it before 0005: the development in the assessment's row."""
    moment = "2026-12-01 10:00:00"
    with engine.begin() as connection:
        assessment = connection.execute(
            text(
                "INSERT INTO assessments (organisation_id, name, organisation, description, development_description,"
                " created_at, updated_at, rule_set_version, rule_set_hash, summary_json)"
                " VALUES (1, 'Old', '', '', 'Training on the archive', :at, :at, '', '', '[]') RETURNING id"
            ),
            {"at": moment},
        ).scalar_one()
        context = connection.execute(
            text(
                "INSERT INTO deployment_contexts (assessment_id, position, name, description)"
                " VALUES (:a, 0, 'Use', '') RETURNING id"
            ),
            {"a": assessment},
        ).scalar_one()
        events = [
            ("created", None, None, None, None),
            ("answer", "system", None, "establishment", "eu"),
            ("answer", "development", None, "personal_data", "no"),
            ("answer", "development", None, "personal_data", "yes"),
            ("answer", "deployment", context, "personal_data", "yes"),
        ]
        for kind, scope, context_id, question, value in events:
            connection.execute(
                text(
                    "INSERT INTO events (assessment_id, at, kind, scope, context_id, question, value, detail)"
                    " VALUES (:a, :at, :k, :s, :c, :q, :v, '')"
                ),
                {"a": assessment, "at": moment, "k": kind, "s": scope, "c": context_id, "q": question, "v": value},
            )
    return int(assessment)


def _check_moved(repo: Repository, assessment: int) -> None:
    saved = repo.get(assessment)
    (development,) = saved.developments
    assert (development.name, development.description) == ("", "Training on the archive")
    assert saved.development_answers == {"personal_data": "yes"}
    assert saved.system_answers == {"establishment": "eu"} and [c.name for c in saved.contexts] == ["Use"]
    answers = [(e.scope, e.previous, e.value) for e in repo.history(assessment) if e.question == "personal_data"]
    assert answers == [("development", None, "no"), ("development", "no", "yes"), ("deployment", None, "yes")]
    repo.add_context(assessment, name="Second", phase="development")  # and it takes more
    assert [d.name for d in repo.get(assessment).developments] == ["", "Second"]


def test_migration_0005_moves_the_one_development_into_a_row_with_its_answers(
    empty_database_url: str, kb: KnowledgeBase, migrated_to: Callable[[str, str], Engine]
) -> None:
    engine = migrated_to(empty_database_url, "0004")
    assessment = _save_at_0004(engine)
    engine.dispose()
    repo = Repository.open(empty_database_url, kb)  # opening migrates to the newest
    try:
        _check_moved(repo, assessment)
    finally:
        repo.engine.dispose()


def test_an_export_made_at_0004_imports_and_its_development_is_moved(
    empty_database_url: str, kb: KnowledgeBase, tmp_path: Path, migrated_to: Callable[[str, str], Engine]
) -> None:
    source = migrated_to(f"sqlite:///{tmp_path / 'old.sqlite3'}", "0004")
    assessment = _save_at_0004(source)
    export = tmp_path / "old.jsonl.gz"
    export_as_is(source, export, "0004")
    source.dispose()
    header = json.loads(gzip.decompress(export.read_bytes()).splitlines()[0])
    assert "phase" not in next(t for t in header["tables"] if t["name"] == "deployment_contexts")["columns"]
    target = open_engine(empty_database_url)
    import_database(target, export)
    target.dispose()
    repo = Repository.open(empty_database_url, kb)
    try:
        _check_moved(repo, assessment)
    finally:
        repo.engine.dispose()


def test_several_developments_travel_through_export_and_import(
    database_url: str, kb: KnowledgeBase, reuse: System, tmp_path: Path
) -> None:
    source = Repository.open(f"sqlite:///{tmp_path / 'source.sqlite3'}", kb)
    new = source.import_system(reuse)
    source.add_context(new, phase="development", name="Third", description="A third controller")
    before = (source.get(new), source.history(new))
    export_database(source.engine, tmp_path / "export.jsonl.gz")
    source.engine.dispose()
    target = open_engine(database_url)
    import_database(target, tmp_path / "export.jsonl.gz")
    repo = Repository(target, kb)
    try:
        assert (repo.get(new), repo.history(new)) == before
        added = repo.add_context(new, phase="development", name="Fourth")  # ids go on past the imported ones
        assert added.id > max(d.id for d in before[0].developments + before[0].contexts)
    finally:
        target.dispose()


def test_parse_system_accepts_what_a_saved_assessment_exports(
    repo: Repository, kb: KnowledgeBase, reuse: System
) -> None:
    new = repo.import_system(reuse)
    exported = repo.get(new).system().to_dict()
    assert parse_system(exported, kb=kb).to_dict() == reuse.to_dict()
