"""The reason that decided: the fewest given answers forcing the outcome, checked against the
table itself; and open questions ranked by how much each narrows an undetermined phase."""

from __future__ import annotations

import random
from itertools import product
from pathlib import Path

import airegime
from airegime.engine.reasons import deciding_reason, ranked_questions
from airegime.engine.tables import compiled
from airegime.kb import KnowledgeBase
from airegime.kb.models import UNKNOWN

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_sheet_example_is_decided_by_case_2_and_four_answers(kb: KnowledgeBase) -> None:
    system = airegime.load_system(EXAMPLES / "zone-crossing-detector.yaml", kb=kb)
    development = airegime.explain(kb=kb, system=system).phases[0]
    assert development.reason is not None
    assert development.reason.rule == "development_case2_gdpr"
    assert dict(development.reason.answers) == {
        "establishment": "eu",
        "personal_data": "yes",
        "organisation_kind": "private_body",
        "development_uses": "various",
    }


def test_every_reason_forces_its_outcome_and_none_smaller_does(kb: KnowledgeBase) -> None:
    rng = random.Random(7)
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
            assert (
                table.rules[[r.id for r in table.rules].index(reason.rule)].outcome
                == table.outcomes[bits.bit_length() - 1]
            )
            kept = dict(reason.answers)
            assert table.outcome_sets[table.index({}, kept)] == bits  # sufficient
            for question in kept:  # minimal: dropping any one answer opens the outcome
                fewer = {q: a for q, a in kept.items() if q != question}
                assert table.outcome_sets[table.index({}, fewer)] != bits


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
    ranked = ranked_questions(table, flat)
    assert [r.question for r in ranked][:1] == ["purpose"]
    expected = [r.expected_outcomes for r in ranked]
    assert expected == sorted(expected)
    for item in ranked:  # the figure is the mean number of outcomes left by each answer
        axis = next(a for a in table.axes if a.id == item.question)
        counts = [table.outcome_sets[table.with_answer(flat, axis, c)].bit_count() for c in axis.question.codes]
        assert item.expected_outcomes == sum(counts) / len(counts)


def test_a_determined_phase_has_no_open_question_to_rank(kb: KnowledgeBase) -> None:
    table = compiled(kb).deployment
    for answers in product(["eu"], ["no"]):
        flat = table.index({"establishment": answers[0]}, {"personal_data": answers[1]})
        assert ranked_questions(table, flat) == ()
