"""The interview session model: answers, undo, deployment contexts, descriptor."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from airegime.engine.evaluate import evaluate
from airegime.errors import AnswerError, DescriptorError, SessionError
from airegime.interview_session import InterviewSession
from airegime.kb import KnowledgeBase
from airegime.system import load_system, parse_system

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"


def new_session(kb: KnowledgeBase) -> InterviewSession:
    return InterviewSession.start(kb, name="Zone-crossing detector", first_deployment="Shopping centre")


def answer_all(
    session: InterviewSession, answers_by_place: dict[tuple[str, int | None], dict[str, str]]
) -> list[tuple[str, int | None, str]]:
    """Answer every question the interview asks from the given answers; returns where and what was asked."""
    asked: list[tuple[str, int | None, str]] = []
    while (pending := session.next_question()) is not None:
        asked.append((pending.scope, pending.deployment_index, pending.question.id))
        value = answers_by_place[(pending.scope, pending.deployment_index)][pending.question.id]
        session.answer(
            pending.scope,
            pending.deployment_index,
            pending.question.id,
            value,
            development_index=pending.development_index,
        )
    return asked


def example_answers() -> dict[tuple[str, int | None], dict[str, str]]:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    places: dict[tuple[str, int | None], dict[str, str]] = {
        ("system", None): data["answers"],
        ("development", None): data["developments"][0]["answers"],
    }
    for index, deployment in enumerate(data["deployments"]):
        places[("deployment", index)] = deployment["answers"]
    return places


def test_a_new_session_asks_the_system_question_first(kb: KnowledgeBase) -> None:
    pending = new_session(kb).next_question()
    assert pending is not None
    assert (pending.scope, pending.question.id, pending.asked) == ("system", "establishment", 0)


def test_the_sheet_example_answered_through_the_session_gives_the_example_result(kb: KnowledgeBase) -> None:
    session = new_session(kb)
    session.add_deployment("National police")
    answer_all(session, example_answers())
    expected = evaluate(kb=kb, system=load_system(EXAMPLE, kb=kb))
    got = evaluate(kb=kb, system=session.system)
    assert [(p.status, p.outcome) for p in got.phases] == [(p.status, p.outcome) for p in expected.phases]
    assert [p.outcome for p in got.phases] == ["gdpr", "gdpr", "police_justice"]


def test_the_descriptor_round_trips_through_parse_system(kb: KnowledgeBase) -> None:
    session = new_session(kb)
    session.answer("system", None, "establishment", "Union européenne")  # labels and aliases are normalised to codes
    session.answer("development", None, "personal_data", "oui")
    descriptor = session.to_descriptor()
    assert descriptor["airegime"] == 2 and descriptor["answers"] == {"establishment": "eu"}
    assert descriptor["developments"][0]["answers"] == {"personal_data": "yes"}
    assert parse_system(yaml.safe_load(yaml.safe_dump(descriptor)), kb=kb) == session.system


def test_undo_takes_back_the_last_answer_and_asks_it_again(kb: KnowledgeBase) -> None:
    session = new_session(kb)
    session.answer("system", None, "establishment", "eu")
    session.answer("development", None, "personal_data", "yes")
    second = session.next_question()
    change = session.undo()
    assert change is not None and (change.kind, change.question_id) == ("answer", "personal_data")
    again = session.next_question()
    assert again is not None and again.question.id == "personal_data" and again.scope == "development"
    assert second is not None and second.question.id != again.question.id
    assert session.undo() is not None and session.undo() is None  # nothing left
    assert session.system.answers == {}


def test_changing_an_earlier_answer_reopens_the_questions_it_now_matters_for(kb: KnowledgeBase) -> None:
    session = new_session(kb)
    answers = example_answers()
    asked = answer_all(session, answers)
    assert ("deployment", 0, "purpose") in asked
    assert ("deployment", 0, "legal_mission") not in asked  # a company's ordinary purpose: GDPR, whatever the law
    session.answer("deployment", 0, "purpose", "criminal_law")
    pending = session.next_question()  # a company pursuing criminal-law ends: is it entrusted with them by law?
    assert pending is not None and (pending.scope, pending.question.id) == ("deployment", "legal_mission")
    session.undo()
    assert session.next_question() is None


def test_unknown_counts_as_answered_and_leaves_the_phase_undetermined(kb: KnowledgeBase) -> None:
    session = new_session(kb)
    answers = example_answers()
    unsure = {"organisation_kind": "je ne sais pas", "household": "no", "legal_mission": "no"}
    answers[("deployment", 0)] = {**answers[("deployment", 0)], **unsure}
    answer_all(session, answers)
    assert session.system.deployments[0].answers["organisation_kind"] == "unknown"
    assessment = evaluate(kb=kb, system=session.system)
    assert assessment.deployments[0].status == "undetermined"
    assert "organisation_kind" in {d.question for d in assessment.deployments[0].depends_on}


def test_a_bad_answer_is_refused_and_changes_nothing(kb: KnowledgeBase) -> None:
    session = new_session(kb)
    before = session.system
    with pytest.raises(AnswerError) as error:
        session.answer("system", None, "establishment", "perhaps")
    assert error.value.location == "answers.establishment"
    with pytest.raises(SessionError):
        session.answer("system", None, "purpose", "other")  # not a system-level question
    with pytest.raises(SessionError):
        session.answer("deployment", 3, "purpose", "other")
    assert session.system is before and session.undo() is None


def test_deployment_contexts_can_be_added_renamed_and_removed_with_undo(kb: KnowledgeBase) -> None:
    session = new_session(kb)
    assert session.add_deployment("  National   police ") == 1
    session.rename_deployment(0, "Mall")
    assert session.deployment_names() == ["Mall", "National police"]
    session.remove_deployment(0)
    assert session.deployment_names() == ["National police"]
    assert [session.undo() is not None for _ in range(3)] == [True, True, True]
    assert session.deployment_names() == ["Shopping centre"]


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (lambda s: s.add_deployment("shopping CENTRE"), "duplicate_name"),
        (lambda s: s.add_deployment("   "), "empty_name"),
        (lambda s: s.rename_deployment(0, ""), "empty_name"),
        (lambda s: s.remove_deployment(0), "last_deployment"),
        (lambda s: s.remove_deployment(5), "no_deployment"),
    ],
)
def test_refused_context_changes_say_why_and_change_nothing(kb: KnowledgeBase, action: object, code: str) -> None:
    session = new_session(kb)
    before = session.system
    with pytest.raises(SessionError) as error:
        action(session)  # type: ignore[operator]
    assert error.value.code == code and isinstance(error.value, DescriptorError)
    assert session.system is before and session.undo() is None


def test_answers_are_listed_in_interview_order(kb: KnowledgeBase) -> None:
    session = InterviewSession.from_system(kb, load_system(EXAMPLE, kb=kb))
    listed = [(a.scope, a.deployment_index, a.question.id) for a in session.answered()]
    assert listed[0] == ("system", None, "establishment")
    assert listed[1:3] == [("development", None, "personal_data"), ("development", None, "organisation_kind")]
    assert listed[-1] == ("deployment", 1, "purpose")
    assert len(listed) == 1 + 3 + 3 + 3
