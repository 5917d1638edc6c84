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
from airegime.kb.models import Phase, Scope
from airegime.system import System, parse_system

KB = load_knowledge_base()
MISSING = object()


def answers_for(scope: Scope) -> st.SearchStrategy[dict[str, str]]:
    """Each question of the scope: missing, "unknown" or one of its answers."""
    fields = {q.id: st.sampled_from([MISSING, "unknown", *q.codes]) for q in KB.questions_for(scope)}
    return st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not MISSING})


@st.composite
def systems(draw: st.DrawFn) -> System:
    """One or two development processings, one to three deployment contexts, any answers at any level."""
    developments = draw(st.lists(answers_for("development"), min_size=1, max_size=2))
    deployments = draw(st.lists(answers_for("deployment"), min_size=1, max_size=3))
    return parse_system(
        {
            "name": draw(st.text(st.characters(categories=("L", "N", "P")), min_size=1, max_size=30)),
            "answers": draw(answers_for("system")),
            "developments": [{"answers": a} for a in developments],
            "deployments": [{"name": f"context {i}", "answers": a} for i, a in enumerate(deployments)],
        },
        kb=KB,
    )


def phase_at(system: System, phase_index: int) -> tuple[Phase, int]:
    """A position in ``Assessment.phases`` (developments, then deployments) as (kind, index among its kind)."""
    count = len(system.developments)
    return ("development", phase_index) if phase_index < count else ("deployment", phase_index - count)


def own_answers(system: System, phase_index: int) -> dict[str, str]:
    kind, index = phase_at(system, phase_index)
    return (system.developments if kind == "development" else system.deployments)[index].answers


def with_answer(system: System, phase_index: int, question: str, value: str) -> System:
    """The system with one phase's answer set: in the phase itself (its own answer wins over the system's)."""
    data: dict[str, Any] = system.to_dict()
    kind, index = phase_at(system, phase_index)
    if KB.question_by_id[question].system_only:
        data["answers"][question] = value
    else:
        data[f"{kind}s"][index]["answers"][question] = value
    return parse_system(data, kb=KB)


def open_questions(system: System, phase_index: int) -> list[str]:
    kind, _ = phase_at(system, phase_index)
    answers = {**system.answers, **own_answers(system, phase_index)}
    return [q.id for q in KB.phase_questions(kind) if answers.get(q.id, "unknown") == "unknown"]


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
