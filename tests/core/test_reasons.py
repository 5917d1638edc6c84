"""The reason that decided: the fewest given answers forcing the outcome, checked against the
table itself; and open questions ranked by how much each narrows an undetermined phase."""

from __future__ import annotations

import random
from itertools import product
from pathlib import Path

import airegime
import airegime.render.summary
from airegime.engine.evaluate import evaluate_phase
from airegime.engine.explain import trace_condition
from airegime.engine.reasons import deciding_reason
from airegime.engine.tables import PhaseTable, compiled
from airegime.kb import KnowledgeBase
from airegime.kb.models import UNKNOWN

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_sheet_example_is_decided_by_case_2_and_four_answers(kb: KnowledgeBase) -> None:
    system = airegime.load_system(EXAMPLES / "zone-crossing-detector.yaml", kb=kb)
    development = airegime.evaluate(kb=kb, system=system).phases[0]
    assert development.reason is not None
    assert development.reason.rule == "development_case2_gdpr"
    assert dict(development.reason.answers) == {
        "establishment": "eu",
        "personal_data": "yes",
        "organisation_kind": "private_body",
        "development_uses": "various",
    }


def _holds_whatever_the_rest(table: PhaseTable, rule_id: str, given: dict[str, str]) -> bool:
    """The rule's condition is true under every answer (``unknown`` excluded) to the questions not given."""
    rule = next(r for r in table.rules if r.id == rule_id)
    open_axes = [a for a in table.axes if a.id not in given]
    for combo in product(*(a.question.codes for a in open_axes)):
        answers = {**given, **{a.id: code for a, code in zip(open_axes, combo, strict=True)}}
        if trace_condition(rule.when, answers).truth != "met":
            return False
    return True


def test_every_reason_forces_its_outcome_and_none_smaller_does(kb: KnowledgeBase) -> None:
    rng = random.Random(7)
    stated_by_none = 0
    for table in (compiled(kb).development, compiled(kb).deployment):
        for _ in range(300):
            answers = {a.id: rng.choice([*a.question.codes, UNKNOWN]) for a in table.axes}
            flat = table.index({}, answers)
            reason = deciding_reason(table, flat)
            bits = table.outcome_sets[flat]
            if bits.bit_count() != 1:
                assert reason is None
                continue
            assert reason is not None
            possible = [r for j, r in enumerate(table.rules) if table.rule_sets[flat] >> j & 1]
            assert {r.outcome for r in possible} == {table.outcomes[bits.bit_length() - 1]}
            given = {q: a for q, a in answers.items() if a != UNKNOWN}
            met = [r.id for r in possible if _holds_whatever_the_rest(table, r.id, given)]
            if reason.rule is None:  # no single rule states it: none holds on the answers given alone
                assert met == []
                stated_by_none += 1
            else:
                assert reason.rule in met
            kept = dict(reason.answers)
            assert table.outcome_sets[table.index({}, kept)] == bits  # sufficient
            for question in kept:  # minimal: dropping any one answer opens the outcome
                fewer = {q: a for q, a in kept.items() if q != question}
                assert table.outcome_sets[table.index({}, fewer)] != bits
    assert stated_by_none > 0, "the sample should include outcomes no single rule states"


def test_a_private_body_without_legal_mission_gets_the_gdpr_whatever_the_purpose(kb: KnowledgeBase) -> None:
    """The interview's own case: purpose left open, every rule still possible gives the GDPR; the
    reason names no rule (the first one, about criminal-law ends, would mislead) but the open question."""
    table = compiled(kb).deployment
    answers = {"personal_data": "yes", "organisation_kind": "private_body", "purpose": UNKNOWN, "legal_mission": "no"}
    result = evaluate_phase(table, {"establishment": "eu"}, answers, name="x", deployment_index=0)
    assert result.outcome == "gdpr" and result.reason is not None and result.reason.rule is None
    sentence = airegime.render.summary.short_reason(kb, result, "en")
    assert sentence.endswith("GDPR — Same regime whatever the answer to: Purpose"), sentence


def test_no_smaller_set_of_given_answers_forces_the_outcome(kb: KnowledgeBase) -> None:
    table = compiled(kb).deployment
    answers = {
        "establishment": "eu",
        "personal_data": "yes",
        "organisation_kind": "private_body",
        "purpose": "crowd_safety",
        "legal_mission": "no",
    }
    flat = table.index({}, answers)
    reason = deciding_reason(table, flat)
    assert reason is not None
    size = len(reason.answers)
    from itertools import combinations

    for subset in combinations(answers, size - 1):
        assert table.outcome_sets[table.index({}, {q: answers[q] for q in subset})] != table.outcome_sets[flat]


def test_open_questions_are_ranked_by_the_outcomes_they_leave(kb: KnowledgeBase) -> None:
    table = compiled(kb).deployment
    flat = table.index({"establishment": "eu"}, {"personal_data": "yes", "organisation_kind": "public_body"})
    result = evaluate_phase(
        table,
        {"establishment": "eu"},
        {"personal_data": "yes", "organisation_kind": "public_body"},
        name="x",
        deployment_index=0,
    )
    ranked = result.depends_on
    assert [r.question for r in ranked][:1] == ["purpose"]
    expected = [r.expected_outcomes for r in ranked]
    assert expected == sorted(expected)
    for item in ranked:  # the figure is the mean number of outcomes left by each answer
        axis = next(a for a in table.axes if a.id == item.question)
        counts = [table.outcome_sets[table.with_answer(flat, axis, c)].bit_count() for c in axis.question.codes]
        assert item.expected_outcomes == sum(counts) / len(counts)


def test_a_determined_phase_has_no_open_question_to_rank(kb: KnowledgeBase) -> None:
    table = compiled(kb).deployment
    for establishment, personal_data in product(["eu", "outside"], ["no"]):
        result = evaluate_phase(
            table, {"establishment": establishment}, {"personal_data": personal_data}, name="x", deployment_index=0
        )
        assert result.status == "determined" and result.depends_on == ()
        assert result.reason is not None
