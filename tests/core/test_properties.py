"""Properties of the engine over random answer sets (hypothesis)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from airegime.engine.evaluate import evaluate
from airegime.engine.explain import trace_rule
from airegime.engine.results import Assessment
from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.kb.models import Scope
from airegime.system import System, parse_system

KB = load_knowledge_base()
MISSING = object()


def answers_for(scope: Scope) -> st.SearchStrategy[dict[str, str]]:
    """Each question of the scope: missing, "unknown" or one of its answers."""
    fields = {q.id: st.sampled_from([MISSING, "unknown", *q.codes]) for q in KB.questions_for(scope)}
    return st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not MISSING})


@st.composite
def systems(draw: st.DrawFn) -> System:
    deployments = draw(st.lists(answers_for("deployment"), min_size=1, max_size=3))
    return parse_system(
        {
            "name": draw(st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=30).filter(str.strip)),
            "answers": draw(answers_for("system")),
            "development": {"answers": draw(answers_for("development"))},
            "deployments": [{"name": f"context {i}", "answers": a} for i, a in enumerate(deployments)],
        },
        kb=KB,
    )


def with_answer(system: System, phase_index: int, question: str, value: str) -> System:
    data: dict[str, Any] = system.to_dict()
    scope = KB.question_by_id[question].scope
    if "system" in scope:
        data["answers"][question] = value
    elif phase_index == 0:
        data["development"]["answers"][question] = value
    else:
        data["deployments"][phase_index - 1]["answers"][question] = value
    return parse_system(data, kb=KB)


def open_questions(system: System, phase_index: int) -> list[str]:
    phase = "development" if phase_index == 0 else "deployment"
    own = system.development.answers if phase_index == 0 else system.deployments[phase_index - 1].answers
    return [q.id for q in KB.phase_questions(phase) if ({**system.answers, **own}).get(q.id, "unknown") == "unknown"]


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
        kind = "development" if index == 0 else "deployment"
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
        kind = "development" if index == 0 else "deployment"
        own = system.development.answers if index == 0 else system.deployments[index - 1].answers
        answers = {**system.answers, **own}
        met = [r.id for r in KB.rules_for(kind) if trace_rule(KB, r.id, answers).truth == "met"]
        assert len(met) <= 1
        if met:
            assert phase.outcome == KB.rule_by_id[met[0]].outcome
            assert phase.rules == tuple(met)


def test_kb_fixture_is_the_packaged_rule_set(kb: KnowledgeBase) -> None:
    assert kb is KB
