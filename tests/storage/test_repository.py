"""Saved assessments: state, append-only history, evaluations, contexts, listing, re-checks."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from airegime.errors import AnswerError, DescriptorError, NotFoundError, StorageError
from airegime.kb import KnowledgeBase
from airegime.storage import Repository, Saved
from airegime.storage.database import sessions
from airegime.storage.models import EventRow
from airegime.storage.reviews import Reviews
from airegime.system import System, load_system

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"


def outcomes(repo: Repository, assessment_id: int) -> list[tuple[str, str, str | None]]:
    return [(p.name, p.status, p.outcome) for p in repo.get(assessment_id).summary]


def test_a_new_assessment_has_its_details_one_context_and_a_result_with_the_rule_set(
    repo: Repository, kb: KnowledgeBase
) -> None:
    new = repo.create(name=" Détecteur ", organisation="Acme", description="d", first_context="Centre commercial")
    saved = repo.get(new)
    assert (saved.name, saved.organisation, saved.description) == ("Détecteur", "Acme", "d")
    assert [c.name for c in saved.contexts] == ["Centre commercial"]
    assert (saved.rule_set_version, saved.rule_set_hash) == (kb.version, kb.hash)
    assert [p.status for p in saved.summary] == ["undetermined", "undetermined"]
    assert not saved.is_stale(kb.hash)


def test_imported_example_gives_the_sheets_regimes_and_exports_back_unchanged(
    repo: Repository, kb: KnowledgeBase
) -> None:
    system = load_system(EXAMPLE, kb=kb)
    new = repo.import_system(system)
    assert outcomes(repo, new) == [
        ("development", "determined", "gdpr"),
        ("Shopping centre", "determined", "gdpr"),
        ("National police", "determined", "police_justice"),
    ]
    assert repo.get(new).system() == system


def test_answers_are_appended_never_overwritten_and_history_shows_each_change(repo: Repository) -> None:
    new = repo.create(name="S", first_context="C")
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="yes")
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="no")
    repo.set_answer(new, scope="system", context_id=None, question="establishment", value="je ne sais pas")
    saved = repo.get(new)
    assert saved.development_answers == {"personal_data": "no"}
    assert saved.system_answers == {"establishment": "unknown"}
    answers = [e for e in repo.history(new) if e.kind == "answer"]
    assert [(e.question, e.previous, e.value) for e in answers] == [
        ("personal_data", None, "yes"),
        ("personal_data", "yes", "no"),
        ("establishment", None, "unknown"),
    ]
    assert all(a.at <= b.at for a, b in itertools.pairwise(answers))
    with repo.engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(EventRow).where(EventRow.kind == "answer"))
    assert stored == 3


def test_withdrawing_an_answer_makes_the_question_open_again(repo: Repository) -> None:
    new = repo.create(name="S", first_context="C")
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="no")
    assert repo.get(new).summary[0].outcome == "not_applicable_no_personal_data"
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value=None)
    assert repo.get(new).development_answers == {}
    assert repo.get(new).summary[0].status == "undetermined"


def test_every_change_stores_an_evaluation_with_version_and_hash(repo: Repository, kb: KnowledgeBase) -> None:
    new = repo.create(name="S", first_context="C")
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="no")
    records = repo.evaluations(new)
    assert len(records) == 2
    assert {(r.rule_set_version, r.rule_set_hash) for r in records} == {(kb.version, kb.hash)}
    assert records[-1].summary[0].outcome == "not_applicable_no_personal_data"


@pytest.mark.parametrize(
    ("scope", "question", "value", "error"),
    [
        ("development", "personal_data", "perhaps", AnswerError),
        ("development", "no_such_question", "yes", AnswerError),
        ("system", "personal_data", "yes", AnswerError),
        ("deployment", "development_uses", "various", AnswerError),
        ("system", "household", "no", AnswerError),
    ],
)
def test_a_bad_answer_is_refused_and_changes_nothing(
    repo: Repository, scope: str, question: str, value: str, error: type[Exception]
) -> None:
    new = repo.create(name="S", first_context="C")
    before = (repo.get(new), repo.history(new), repo.evaluations(new))
    context = repo.get(new).contexts[0].id if scope == "deployment" else None
    with pytest.raises(error):
        repo.set_answer(new, scope=scope, context_id=context, question=question, value=value)  # type: ignore[arg-type]
    assert (repo.get(new), repo.history(new), repo.evaluations(new)) == before


def test_an_answer_for_another_assessments_context_is_refused(repo: Repository) -> None:
    first = repo.create(name="A", first_context="C")
    other = repo.create(name="B", first_context="D")
    foreign = repo.get(other).contexts[0].id
    with pytest.raises(NotFoundError):
        repo.set_answer(first, scope="deployment", context_id=foreign, question="purpose", value="other")
    assert all(answers == {} for answers in repo.get(first).context_answers.values())


def test_contexts_are_added_renamed_and_removed_with_history(repo: Repository) -> None:
    new = repo.create(name="S", first_context="Centre")
    police = repo.add_context(new, name="Police", description="poursuites")
    repo.set_answer(new, scope="deployment", context_id=police.id, question="purpose", value="criminal_law")
    repo.rename_context(new, police.id, name="Police nationale", description="")
    saved = repo.get(new)
    assert [c.name for c in saved.contexts] == ["Centre", "Police nationale"]
    assert saved.system().deployments[1].answers == {"purpose": "criminal_law"}
    first = saved.contexts[0].id
    repo.remove_context(new, first)
    saved = repo.get(new)
    assert [c.name for c in saved.contexts] == ["Police nationale"]
    assert [p.name for p in saved.summary] == ["development", "Police nationale"]
    kinds = [e.kind for e in repo.history(new)]
    assert kinds == ["created", "context_added", "answer", "context_renamed", "context_removed"]
    with pytest.raises(StorageError, match="at least one deployment context"):
        repo.remove_context(new, police.id)


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_bad_names_are_refused(repo: Repository, name: str) -> None:
    with pytest.raises(DescriptorError):
        repo.create(name=name, first_context="C")
    new = repo.create(name="S", first_context="C")
    with pytest.raises(DescriptorError):
        repo.add_context(new, name=name)
    assert repo.count() == 1
    assert len(repo.get(new).contexts) == 1


def test_duplicate_is_independent_delete_archives_and_purge_removes_everything(
    repo: Repository, kb: KnowledgeBase
) -> None:
    original = repo.import_system(load_system(EXAMPLE, kb=kb))
    copy = repo.duplicate(original, name="Copie")
    repo.set_answer(copy, scope="development", context_id=None, question="personal_data", value="no")
    assert repo.get(original).development_answers["personal_data"] == "yes"
    assert repo.get(copy).name == "Copie"
    first = repo.history(copy)[0]
    assert (first.kind, first.detail) == ("duplicated", "Zone-crossing detector")
    repo.delete(original)
    with pytest.raises(NotFoundError):
        repo.get(original)
    with pytest.raises(NotFoundError):
        repo.history(original)
    assert repo.count() == 1

    def events() -> int:
        with repo.engine.connect() as connection:
            query = select(func.count()).select_from(EventRow).where(EventRow.assessment_id == original)
            return connection.scalar(query) or 0

    assert events() > 0  # archived, not deleted: restorable
    Reviews(repo).purge(original)
    assert events() == 0
    assert repo.count() == 1


def test_listing_searches_sorts_and_paginates(repo: Repository) -> None:
    for i in range(25):
        repo.create(name=f"Système {i:02d}", organisation="Ville" if i % 2 else "Police", first_context="C")
    repo.create(name="100% _special", first_context="C")
    page = repo.list(sort="name", per_page=10)
    assert (page.total, page.pages, page.page) == (26, 3, 1)
    assert page.items[0].name == "100% _special"
    assert repo.list(sort="name", page=3, per_page=10).items[-1].name == "Système 24"
    assert repo.list(sort="name", page=99, per_page=10).page == 3
    assert repo.list(search="VILLE").total == 12
    assert [i.name for i in repo.list(search="0% _").items] == ["100% _special"]
    assert repo.list(search="%").total == 1
    newest = repo.list(sort="updated").items[0]
    assert newest.name == "100% _special"


def test_changed_rules_make_the_result_stale_and_a_recheck_says_what_changed(
    database_url: str, kb: KnowledgeBase, changed_kb: KnowledgeBase
) -> None:
    old = Repository.open(database_url, kb)
    saved_id = old.import_system(load_system(EXAMPLE, kb=kb))
    old.engine.dispose()
    new = Repository.open(database_url, changed_kb)
    assert new.get(saved_id).is_stale(changed_kb.hash)
    recheck = new.recheck(saved_id)
    assert (recheck.old_hash, recheck.new_hash) == (kb.hash, changed_kb.hash)
    assert recheck.new_version.startswith("changed-")
    changed = {p.name: (p.before.outcome if p.before else None, p.after.outcome) for p in recheck.phases if p.changed}
    assert changed == {"Shopping centre": ("gdpr", "eudpr")}
    assert not new.get(saved_id).is_stale(changed_kb.hash)
    assert new.history(saved_id)[-1].kind == "rechecked"
    new.engine.dispose()


def test_unknown_ids_raise_not_found(repo: Repository) -> None:
    with pytest.raises(NotFoundError):
        repo.get(12345)
    new = repo.create(name="S", first_context="C")
    with pytest.raises(NotFoundError):
        repo.rename_context(new, 999, name="x", description="")


def test_on_sqlite_an_edit_holds_the_write_lock_while_it_reads_what_it_changes(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    """Another server process (here, another connection that will not wait) cannot write between
    the reads an edit bases its changes on and its writes."""
    path = tmp_path / "locked.sqlite3"
    repo = Repository.open(f"sqlite:///{path}", kb)
    saved = repo.create(name="Locked", first_context="Site")
    attempts: list[str] = []

    def change(current: Saved) -> System:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            attempts.append("written meanwhile")
        except sqlite3.OperationalError as refused:
            attempts.append(str(refused))
        finally:
            other.close()
        return current.system()

    repo.edit(saved, change)
    assert attempts == ["database is locked"]
    repo.engine.dispose()


EXAMPLES = sorted(EXAMPLE.parent.glob("*.yaml"))


def test_a_save_returns_exactly_what_reading_it_back_gives(repo: Repository, kb: KnowledgeBase) -> None:
    """add_system and edit build the state they stored instead of reading it back: it must be the same."""
    loaded = [load_system(path, kb=kb) for path in EXAMPLES]
    # Saved assessments hold one development processing (and not its name, needed only to tell several apart).
    systems = [_unnamed_development(s) for s in loaded if len(s.developments) == 1]
    assert systems
    for system in systems:
        saved, result = repo.add_system(system)
        assert (saved, result) == repo.get_with_result(saved.id)
    first = repo.add_system(systems[0])[0].id
    for step, other in enumerate(systems[1:]):  # each edit: answers set, changed and withdrawn, contexts kept or not
        if step % 2:  # the same contexts (names, descriptions), another system's deployment answers
            kept = repo.get(first).system().deployments
            answers = itertools.cycle(d.answers for d in other.deployments)
            deployments = tuple(d.model_copy(update={"answers": next(answers)}) for d in kept)
            other = other.model_copy(update={"deployments": deployments})
        saved, result = repo.replace_system(first, other)
        assert (saved, result) == repo.get_with_result(first)
        assert saved.system().to_dict() == other.to_dict() | {"name": other.name}


def _unnamed_development(system: System) -> System:
    return system.model_copy(update={"developments": (system.development.model_copy(update={"name": ""}),)})


@pytest.mark.slow
def test_on_sqlite_a_writer_waits_for_another_process_to_commit(tmp_path: Path, kb: KnowledgeBase) -> None:
    """A save that finds SQLite's write lock taken (here, by another connection's BEGIN IMMEDIATE)
    waits for it (the busy timeout), and goes on as soon as it is released."""
    path = tmp_path / "turns.sqlite3"
    repo = Repository.open(f"sqlite:///{path}", kb)
    saved = repo.create(name="Turns", first_context="Site")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    writer = threading.Thread(
        target=repo.set_answer,
        args=(saved,),
        kwargs={"scope": "development", "context_id": None, "question": "personal_data", "value": "yes"},
    )
    writer.start()
    writer.join(timeout=0.5)
    waited = writer.is_alive()
    other.execute("ROLLBACK")
    other.close()
    writer.join(timeout=10)
    assert waited and not writer.is_alive()
    assert repo.get(saved).development_answers == {"personal_data": "yes"}
    repo.engine.dispose()


def test_on_sqlite_the_writers_of_a_process_take_one_connection_in_turn(tmp_path: Path, kb: KnowledgeBase) -> None:
    """They queue for the writing pool's one connection, handed on at each commit, instead of each
    polling SQLite's lock with ever longer sleeps."""
    repo = Repository.open(f"sqlite:///{tmp_path / 'queue.sqlite3'}", kb)
    saved = repo.create(name="Queue", first_context="Site")
    writing = sessions(repo.engine)[1].kw["bind"]
    assert writing is sessions(repo.engine)[1].kw["bind"]  # one queue per database, whoever asks
    inside, release = threading.Event(), threading.Event()

    def held(current: Saved) -> System:
        inside.set()
        release.wait(timeout=10)
        return current.system()

    first = threading.Thread(target=repo.edit, args=(saved, held))
    second = threading.Thread(
        target=repo.set_answer,
        args=(saved,),
        kwargs={"scope": "development", "context_id": None, "question": "personal_data", "value": "yes"},
    )
    first.start()
    assert inside.wait(timeout=10)
    second.start()
    second.join(timeout=0.3)
    assert second.is_alive() and writing.pool.checkedout() == 1  # waiting for the connection, not in SQLite
    release.set()
    first.join(timeout=10)
    second.join(timeout=10)
    assert repo.get(saved).development_answers == {"personal_data": "yes"}
    repo.engine.dispose()


def test_on_sqlite_disposing_the_engine_leaves_every_save_in_the_database_file(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    """The writers' connection closes with the engine, moving the write-ahead log into the file: a
    copy of the file alone (as a backup script makes) holds the last save."""
    repo = Repository.open(f"sqlite:///{tmp_path / 'a.sqlite3'}", kb)
    saved = repo.create(name="Kept", first_context="Site")
    repo.engine.dispose()
    shutil.copy(tmp_path / "a.sqlite3", tmp_path / "copy.sqlite3")
    copy = Repository.open(f"sqlite:///{tmp_path / 'copy.sqlite3'}", kb)
    assert copy.get(saved).name == "Kept"
    copy.engine.dispose()
