"""Properties of the engine over random answer sets (hypothesis)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from random_systems import KB, open_questions, own_answers, phase_at, systems, with_answer

from airegime.engine.evaluate import evaluate
from airegime.engine.explain import trace_rule
from airegime.engine.results import Assessment
from airegime.kb import KnowledgeBase
from airegime.system import System

pytestmark = pytest.mark.slow  # hundreds of random systems per property


@settings(max_examples=300, deadline=None)
@given(systems(), st.data())
def test_answering_an_open_question_never_changes_a_settled_phase(system: System, data: st.DataObject) -> None:
    before = evaluate(kb=KB, system=system)
    for index, phase in enumerate(before.phases):
        candidates = open_questions(system, index)
        if phase.status == "undetermined" or not candidates:
            continue
        question = data.draw(st.sampled_from(candidates))
        value = data.draw(st.sampled_from(KB.question_by_id[question].codes))
        after = evaluate(kb=KB, system=with_answer(system, index, question, value))
        assert after.phases[index].outcome == phase.outcome, (question, value)


@settings(max_examples=300, deadline=None)
@given(systems(), st.data())
def test_changing_an_answer_the_explanation_did_not_use_never_changes_the_outcome(
    system: System, data: st.DataObject
) -> None:
    before = evaluate(kb=KB, system=system)
    for index, phase in enumerate(before.phases):
        if phase.status == "undetermined":
            continue
        kind, _ = phase_at(system, index)
        unused = [q.id for q in KB.phase_questions(kind) if q.id not in phase.questions]
        if not unused:
            continue
        question = data.draw(st.sampled_from(unused))
        value = data.draw(st.sampled_from([*KB.question_by_id[question].codes, "unknown"]))
        after = evaluate(kb=KB, system=with_answer(system, index, question, value))
        assert after.phases[index].outcome == phase.outcome, (question, value)


@settings(max_examples=200, deadline=None)
@given(systems())
def test_json_output_round_trips(system: System) -> None:
    assessment = evaluate(kb=KB, system=system)
    text = json.dumps(assessment.to_dict(), ensure_ascii=False)
    again = Assessment.from_dict(json.loads(text))
    assert again == assessment
    assert json.dumps(again.to_dict(), ensure_ascii=False) == text


@settings(max_examples=200, deadline=None)
@given(systems(), st.data())
def test_every_completion_of_the_answers_lands_in_the_possible_outcomes(system: System, data: st.DataObject) -> None:
    before = evaluate(kb=KB, system=system)
    for index, phase in enumerate(before.phases):
        completed = system
        for question in open_questions(system, index):
            value = data.draw(st.sampled_from(KB.question_by_id[question].codes))
            completed = with_answer(completed, index, question, value)
        result = evaluate(kb=KB, system=completed).phases[index]
        assert result.status != "undetermined"
        assert result.outcome in phase.possible


@settings(max_examples=200, deadline=None)
@given(systems())
def test_a_rule_met_in_kleene_logic_decides_its_phase(system: System) -> None:
    assessment = evaluate(kb=KB, system=system)
    for index, phase in enumerate(assessment.phases):
        kind, _ = phase_at(system, index)
        answers = {**system.answers, **own_answers(system, index)}
        met = [r.id for r in KB.rules_for(kind) if trace_rule(KB, r.id, answers).truth == "met"]
        assert len(met) <= 1
        if met:
            assert phase.outcome == KB.rule_by_id[met[0]].outcome
            assert phase.rules == tuple(met)


@settings(max_examples=100, deadline=None)
@given(systems())
def test_each_development_processing_is_decided_on_its_own_answers(system: System) -> None:
    assessment = evaluate(kb=KB, system=system)
    assert len(assessment.developments) == len(system.developments)
    assert [p.development_index for p in assessment.developments] == list(range(len(system.developments)))
    for development in assessment.developments:  # the same as if it were the system's only development
        alone = system.model_copy(update={"developments": (system.developments[development.position],)})
        single = evaluate(kb=KB, system=alone).development
        assert (single.status, single.outcome, single.possible) == (
            development.status,
            development.outcome,
            development.possible,
        )


def test_kb_fixture_is_the_packaged_rule_set(kb: KnowledgeBase) -> None:
    assert kb is KB
