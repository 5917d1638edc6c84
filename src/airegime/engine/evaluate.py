"""Deciding the regime of each phase of a system."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from airegime.engine.reasons import deciding_reason
from airegime.engine.results import Assessment, Dependency, PhaseResult, Reason, Status
from airegime.engine.tables import PhaseTable, compiled
from airegime.errors import AnswerError, msg
from airegime.kb.models import KnowledgeBase, Phase
from airegime.system import System


def evaluate(*, kb: KnowledgeBase, system: System) -> Assessment:
    """The regime of each development processing and each deployment context, with their reasons."""
    tables = compiled(kb)
    several = len(system.developments) > 1
    developments = tuple(
        evaluate_phase(
            tables.development,
            system.answers,
            development.answers,
            name=development.name or ("development" if not several else f"development {i + 1}"),
            deployment_index=None,
            development_index=i,
        )
        for i, development in enumerate(system.developments)
    )
    deployments = tuple(
        evaluate_phase(tables.deployment, system.answers, deployment.answers, name=deployment.name, deployment_index=i)
        for i, deployment in enumerate(system.deployments)
    )
    return Assessment(
        system=system,
        rule_set_version=kb.version,
        rule_set_hash=kb.hash,
        developments=developments,
        deployments=deployments,
    )


def evaluate_phase(
    table: PhaseTable,
    system_answers: Mapping[str, str],
    phase_answers: Mapping[str, str],
    *,
    name: str,
    deployment_index: int | None,
    development_index: int | None = None,
) -> PhaseResult:
    try:
        flat = table.index(system_answers, phase_answers)
    except KeyError as error:
        if table.phase == "development":
            where = f"developments[{development_index or 0}]"
        else:
            where = f"deployments[{deployment_index}]"
        raise AnswerError(
            msg("error.evaluate.not_allowed", answer=repr(error.args[0])),
            location=f"{where}.answers",
            hint=msg("error.evaluate.not_allowed.hint"),
        ) from None
    status, outcome, possible, rules, questions, sources, depends_on, unanswered, reason = _decided(table, flat)
    return PhaseResult(
        phase=table.phase,
        name=name,
        status=status,
        outcome=outcome,
        possible=possible,
        rules=rules,
        questions=questions,
        sources=sources,
        depends_on=depends_on,
        deployment_index=deployment_index,
        unanswered=unanswered,
        development_index=development_index if table.phase == "development" else None,
        reason=reason,
    )


Decision = tuple[
    Status,
    str | None,
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[Dependency, ...],
    tuple[str, ...],
    Reason | None,
]


@lru_cache(maxsize=4096)  # a pure function of the answer set (its flat index), asked again and again
def _decided(table: PhaseTable, flat: int) -> Decision:
    """Everything a phase's result says that its answers decide (not its name nor its position)."""
    outcome_set = table.outcome_sets[flat]
    rules, questions, sources = _trace(table, table.rule_sets[flat])
    possible = table.outcome_ids(outcome_set)
    if len(possible) == 1:
        outcome: str | None = possible[0]
        status: Status = "case_by_case" if outcome in table.case_by_case else "determined"
        depends_on: tuple[Dependency, ...] = ()
    else:
        outcome, status, depends_on = None, "undetermined", _dependencies(table, flat, outcome_set)
    unanswered = _unanswered(table, flat, questions) if len(rules) > 1 else ()
    reason = deciding_reason(table, flat) if outcome is not None else None
    return status, outcome, possible, rules, questions, sources, depends_on, unanswered, reason


@lru_cache(maxsize=4096)
def _trace(table: PhaseTable, rule_set: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Rule ids, the questions they read (in interview order) and the sources they cite."""
    rules = [rule for j, rule in enumerate(table.rules) if rule_set >> j & 1]
    read = set().union(*(rule.questions for rule in rules))
    questions = tuple(axis.id for axis in table.axes if axis.id in read)
    sources = tuple(dict.fromkeys(citation.source for rule in rules for citation in rule.sources))
    return tuple(rule.id for rule in rules), questions, sources


def _unanswered(table: PhaseTable, flat: int, questions: tuple[str, ...]) -> tuple[str, ...]:
    """The open questions whose answer would narrow which rule applies (one that cannot, such as
    a household question for a company, is left out)."""
    rules = table.rule_sets[flat]
    return tuple(
        axis.id
        for axis in table.open_axes(flat)
        if axis.id in questions
        and any(table.rule_sets[table.with_answer(flat, axis, code)] != rules for code in axis.question.codes)
    )


def _dependencies(table: PhaseTable, flat: int, outcome_set: int) -> tuple[Dependency, ...]:
    """Each open question whose answer would narrow the outcome, with what each answer gives, the
    one expected to leave the fewest outcomes first (interview order on ties)."""
    found = []
    for axis in table.open_axes(flat):
        by_answer = [(code, table.outcome_sets[table.with_answer(flat, axis, code)]) for code in axis.question.codes]
        if any(bits != outcome_set for _, bits in by_answer):
            expected = sum(bits.bit_count() for _, bits in by_answer) / len(by_answer)
            outcomes = tuple((code, table.outcome_ids(bits)) for code, bits in by_answer)
            found.append(Dependency(axis.id, outcomes, expected))
    return tuple(sorted(found, key=lambda dependency: dependency.expected_outcomes))


def phase_answers(
    system: System, phase: Phase, deployment_index: int | None = None, development_index: int | None = None
) -> dict[str, str]:
    """The answers a phase reads: the system's, then the phase's own (which win where both are given)."""
    if phase == "development":
        own = system.developments[development_index or 0].answers
    else:
        own = system.deployments[deployment_index or 0].answers
    return {**system.answers, **own}
