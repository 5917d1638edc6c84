"""Saved assessments answered with the format-1 questions are brought to format 2 by migration 0004
(and by `db import` of an export made before it): events appended, the history kept, the result stale."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Connection, Engine, select, text

from airegime.engine.evaluate import evaluate
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.database import open_engine
from airegime.storage.format1 import UPGRADE_DETAIL, UPGRADED, upgrade_notes
from airegime.storage.models import EventRow
from airegime.storage.transfer import import_database
from airegime.system import parse_system

from .helpers import export_as_is

FORMAT1 = Path(__file__).parents[1] / "format1"
OLD_HASH = "0" * 64


def _save_format1(connection: Connection, descriptor: dict[str, Any]) -> int:
    """What airegime up to 2026.11 stored for a format-1 descriptor: rows, answer events, a result."""
    moment = "2026-11-01 10:00:00"
    assessment_id = connection.execute(
        text(
            "INSERT INTO assessments (organisation_id, name, organisation, description, development_description,"
            " created_at, updated_at, rule_set_version, rule_set_hash, summary_json)"
            " VALUES (1, :name, '', '', '', :at, :at, '2026.11', :hash, '[]') RETURNING id"
        ),
        {"name": descriptor["name"], "at": moment, "hash": OLD_HASH},
    ).scalar_one()
    events = [("imported", None, None, None, None)]
    events += [("answer", "system", None, q, str(v)) for q, v in descriptor.get("answers", {}).items()]
    events += [("answer", "development", None, q, str(v)) for q, v in descriptor["development"]["answers"].items()]
    for position, deployment in enumerate(descriptor["deployments"]):
        context_id = connection.execute(
            text(
                "INSERT INTO deployment_contexts (assessment_id, position, name, description)"
                " VALUES (:a, :p, :n, '') RETURNING id"
            ),
            {"a": assessment_id, "p": position, "n": deployment["name"]},
        ).scalar_one()
        events += [("answer", "deployment", context_id, q, str(v)) for q, v in deployment["answers"].items()]
    for kind, scope, context_id, question, value in events:
        connection.execute(
            text(
                "INSERT INTO events (assessment_id, at, kind, scope, context_id, question, value, detail)"
                " VALUES (:a, :at, :k, :s, :c, :q, :v, '')"
            ),
            {"a": assessment_id, "at": moment, "k": kind, "s": scope, "c": context_id, "q": question, "v": value},
        )
    result = {"format": "airegime.assessment/1", "rule_set": {"version": "2026.11", "hash": OLD_HASH}}
    result |= {"system": {**descriptor, "airegime": 1}, "phases": []}
    connection.execute(
        text(
            "INSERT INTO evaluations (assessment_id, at, rule_set_version, rule_set_hash, reason, result_json)"
            " VALUES (:a, :at, '2026.11', :hash, 'imported', :r)"
        ),
        {"a": assessment_id, "at": moment, "hash": OLD_HASH, "r": json.dumps(result)},
    )
    return int(assessment_id)


def _descriptor(name: str) -> dict[str, Any]:
    data = yaml.safe_load((FORMAT1 / f"{name}.yaml").read_text(encoding="utf-8"))
    # Saved answers are codes: booleans as yes/no, as the repository stored them.
    for answers in (
        data.get("answers", {}),
        data["development"]["answers"],
        *(d["answers"] for d in data["deployments"]),
    ):
        for question, value in answers.items():
            if isinstance(value, bool):
                answers[question] = "yes" if value else "no"
    return dict(data)


def _outcomes(assessment: Any) -> list[tuple[str, str, str | None]]:
    return [(p.phase, p.status, p.outcome) for p in assessment.phases]


@pytest.mark.parametrize("example", ["gendarmerie-contractor", "household-photo-sorter", "startup-foundation-model"])
def test_migration_0004_gives_format1_assessments_the_new_answers_and_keeps_the_history(
    empty_database_url: str, kb: KnowledgeBase, example: str, migrated_to: Callable[[str, str], Engine]
) -> None:
    descriptor = _descriptor(example)
    engine = migrated_to(empty_database_url, "0003")
    with engine.begin() as connection:
        old_id = _save_format1(connection, descriptor)
        events_before = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    engine.dispose()

    repo = Repository.open(empty_database_url, kb)  # migrates to the head: 0004 upgrades the answers
    try:
        saved = repo.get(old_id)
        expected = parse_system(descriptor, kb=kb)  # the same upgrade the command line makes
        system = saved.system()
        assert system.answers == expected.answers
        assert system.development.answers == expected.development.answers
        assert [d.answers for d in system.deployments] == [d.answers for d in expected.deployments]
        # The legal outcome is the one of the upgraded descriptor.
        assert _outcomes(evaluate(kb=kb, system=system)) == _outcomes(evaluate(kb=kb, system=expected))
        # Stale: the stored result still comes from the older rule set.
        assert saved.is_stale(kb.hash)
        assert repo.recheck(old_id).new_hash == kb.hash
        assert not repo.get(old_id).is_stale(kb.hash)

        # Append-only: the old events are all there, the upgrade's come after them.
        history = repo.history(old_id)
        assert len(history) > events_before
        upgraded = [e for e in history if e.kind == UPGRADED]
        assert len(upgraded) == 1
        position = history.index(upgraded[0])
        assert all(e.kind != UPGRADED for e in history[:position])
        notes = upgrade_notes(upgraded[0].detail)
        assert [(n["location"], n["en"]) for n in notes] == [(n.location, n.text("en")) for n in expected.upgrade_notes]
        changes = [e for e in history[position + 1 :] if e.kind == "answer"]
        assert changes and all(e.detail == UPGRADE_DETAIL for e in changes)
        withdrawn = {e.question for e in changes if e.value is None}
        assert withdrawn & {"controller_kind", "eu_link", "household"}
        assert all(e.previous is not None for e in changes if e.value is None)
    finally:
        repo.engine.dispose()

    # Opening again changes nothing more.
    repo = Repository.open(empty_database_url, kb)
    try:
        assert len(repo.history(old_id)) == len(history)
    finally:
        repo.engine.dispose()


def test_migration_0004_leaves_format2_assessments_alone(
    empty_database_url: str, kb: KnowledgeBase, migrated_to: Callable[[str, str], Engine]
) -> None:
    engine = migrated_to(empty_database_url, "0003")
    with engine.begin() as connection:
        new_style = {
            "name": "Already new",
            "answers": {"establishment": "eu"},
            "development": {"answers": {"personal_data": "yes", "organisation_kind": "private_body"}},
            "deployments": [{"name": "Shop", "answers": {"personal_data": "yes", "purpose": "other"}}],
        }
        assessment_id = _save_format1(connection, new_style)
        before = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    engine.dispose()
    engine = open_engine(empty_database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == before
        kinds = connection.execute(select(EventRow.kind).where(EventRow.assessment_id == assessment_id)).scalars()
        assert UPGRADED not in set(kinds)
    engine.dispose()


def test_an_export_made_before_0004_imports_and_its_answers_are_upgraded(
    empty_database_url: str, kb: KnowledgeBase, tmp_path: Path, migrated_to: Callable[[str, str], Engine]
) -> None:
    descriptor = _descriptor("gendarmerie-contractor")
    source_url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = migrated_to(source_url, "0003")
    with engine.begin() as connection:
        old_id = _save_format1(connection, descriptor)
    export = tmp_path / "old.jsonl.gz"
    export_as_is(engine, export, "0003")  # what an older airegime wrote: the same file format, at 0003
    engine.dispose()

    target = open_engine(empty_database_url)
    import_database(target, export)
    target.dispose()
    repo = Repository.open(empty_database_url, kb)
    try:
        system = repo.get(old_id).system()
        expected = parse_system(descriptor, kb=kb)
        assert system.development.answers == expected.development.answers
        assert [d.answers for d in system.deployments] == [d.answers for d in expected.deployments]
        assert any(e.kind == UPGRADED for e in repo.history(old_id))
    finally:
        repo.engine.dispose()
