"""Explanations as data: for each phase, the deciding rules with every condition's truth value
under the answers (Kleene logic: met, not met, or open), plus what would change the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from airegime.engine.counterfactuals import Counterfactual, counterfactuals
from airegime.engine.evaluate import evaluate, phase_answers
from airegime.engine.results import Assessment, PhaseResult
from airegime.kb.models import NOT_ASKED, UNKNOWN, AllOf, AnyOf, Atom, Condition, KnowledgeBase, Not
from airegime.system import System

Truth = Literal["met", "not_met", "open"]


@dataclass(frozen=True, slots=True)
class ConditionTrace:
    """One node of a rule's condition, with its truth value and, for a question, the answer given
    (``unknown`` when answered "I don't know", ``not_asked`` when never asked)."""

    kind: Literal["all", "any", "not", "question"]
    truth: Truth
    children: tuple[ConditionTrace, ...] = ()
    question: str = ""
    expected: tuple[str, ...] = ()
    answer: str = ""


@dataclass(frozen=True, slots=True)
class RuleTrace:
    rule: str
    truth: Truth
    condition: ConditionTrace


@dataclass(frozen=True, slots=True)
class PhaseExplanation:
    """Why a phase came out as it did: ``result.reason`` is the reason that decided; ``rules``
    traces every rule still possible, the deciding one included."""

    result: PhaseResult
    answers: dict[str, str]
    rules: tuple[RuleTrace, ...]
    counterfactuals: tuple[Counterfactual, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    assessment: Assessment
    phases: tuple[PhaseExplanation, ...]


def explain(*, kb: KnowledgeBase, system: System, max_changes: int = 3) -> Explanation:
    """Evaluate the system and trace, rule by rule, why each phase came out as it did."""
    assessment = evaluate(kb=kb, system=system)
    changes = counterfactuals(kb=kb, system=system, max_changes=max_changes)
    phases = []
    for result in assessment.phases:
        answers = phase_answers(system, result.phase, result.deployment_index, result.development_index)
        traces = tuple(trace_rule(kb, rule_id, answers) for rule_id in result.rules)
        mine = tuple(
            c
            for c in changes
            if c.phase == result.phase
            and c.deployment_index == result.deployment_index
            and c.development_index == result.development_index
        )
        phases.append(PhaseExplanation(result, answers, traces, mine))
    return Explanation(assessment, tuple(phases))


def trace_rule(kb: KnowledgeBase, rule_id: str, answers: dict[str, str]) -> RuleTrace:
    read = _questions_read.get((kb.hash, rule_id))
    if read is None:
        read = _questions_read[kb.hash, rule_id] = tuple(sorted(kb.rule_by_id[rule_id].questions))
    key = (kb.hash, rule_id, tuple(answers.get(question, NOT_ASKED) for question in read))
    trace = _traces.get(key)
    if trace is None:
        if len(_traces) >= MAX_TRACES:
            _traces.clear()
        node = trace_condition(kb.rule_by_id[rule_id].when, answers)
        trace = _traces[key] = RuleTrace(rule_id, node.truth, node)
    return trace


# A rule's trace depends only on the answers to the questions it reads, so traces are kept by rule
# set (its content hash), rule and those answers: the same few combinations come back again and again.
MAX_TRACES = 20_000
_traces: dict[tuple[str, str, tuple[str, ...]], RuleTrace] = {}
_questions_read: dict[tuple[str, str], tuple[str, ...]] = {}


def trace_condition(condition: Condition, answers: dict[str, str]) -> ConditionTrace:
    if isinstance(condition, Atom):
        answer = answers.get(condition.question, NOT_ASKED)
        truth: Truth = "met" if answer in condition.values else "not_met"
        if answer in (UNKNOWN, NOT_ASKED):
            truth = "open"
        return ConditionTrace("question", truth, question=condition.question, expected=condition.values, answer=answer)
    if isinstance(condition, Not):
        child = trace_condition(condition.item, answers)
        flipped: dict[Truth, Truth] = {"met": "not_met", "not_met": "met", "open": "open"}
        return ConditionTrace("not", flipped[child.truth], (child,))
    children = tuple(trace_condition(item, answers) for item in condition.items)
    truths = {child.truth for child in children}
    if isinstance(condition, AllOf):
        truth = "not_met" if "not_met" in truths else ("open" if "open" in truths else "met")
        return ConditionTrace("all", truth, children)
    assert isinstance(condition, AnyOf)
    truth = "met" if "met" in truths else ("open" if "open" in truths else "not_met")
    return ConditionTrace("any", truth, children)
