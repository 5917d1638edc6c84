"""Counterfactuals: the vectorised search equals a plain brute-force search, and each one really changes the outcome."""

from __future__ import annotations

from itertools import combinations, product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from random_systems import KB, systems, with_answer

from airegime.engine.counterfactuals import counterfactuals
from airegime.engine.evaluate import evaluate
from airegime.engine.tables import PhaseTable, compiled
from airegime.kb.models import NOT_ASKED
from airegime.system import System


def brute_force(table: PhaseTable, flat: int, max_changes: int) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Try every set of up to `max_changes` questions and every new answer; keep minimal sets per outcome."""
    current = table.outcome_sets[flat]
    reached: dict[int, list[frozenset[str]]] = {}
    found = []
    for size in range(1, max_changes + 1):
        first: dict[tuple[int, frozenset[str]], tuple[tuple[str, str], ...]] = {}
        for axes in combinations(table.axes, size):
            names = frozenset(a.id for a in axes)
            options = [[c for c in a.question.codes if c != table.answer_at(flat, a)] for a in axes]
            for codes in product(*options):
                target = flat
                for axis, code in zip(axes, codes, strict=True):
                    target = table.with_answer(target, axis, code)
                bits = table.outcome_sets[target]
                if bits == current or bits & (bits - 1) or any(s <= names for s in reached.get(bits, ())):
                    continue
                first.setdefault((bits, names), tuple(zip([a.id for a in axes], codes, strict=True)))
        for (bits, names), changes in first.items():
            reached.setdefault(bits, []).append(names)
            found.append((table.outcome_ids(bits)[0], changes))
    return found


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(systems(), st.integers(min_value=1, max_value=4))
def test_vectorised_search_equals_brute_force(system: System, max_changes: int) -> None:
    tables = compiled(KB)
    got = counterfactuals(kb=KB, system=system, max_changes=max_changes)
    expected = []
    for development in system.developments:
        expected += brute_force(
            tables.development, tables.development.index(system.answers, development.answers), max_changes
        )
    for deployment in system.deployments:
        expected += brute_force(
            tables.deployment, tables.deployment.index(system.answers, deployment.answers), max_changes
        )
    assert [(c.outcome, tuple((x.question, x.new) for x in c.changes)) for c in got] == expected


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(systems())
def test_each_counterfactual_really_gives_its_outcome(system: System) -> None:
    for counterfactual in counterfactuals(kb=KB, system=system, max_changes=2):
        if counterfactual.phase == "development":
            assert counterfactual.development_index is not None
            index = counterfactual.development_index
        else:
            assert counterfactual.deployment_index is not None
            index = len(system.developments) + counterfactual.deployment_index
        changed = system
        for change in counterfactual.changes:
            changed = with_answer(changed, index, change.question, change.new)
        result = evaluate(kb=KB, system=changed).phases[index]
        assert result.outcome == counterfactual.outcome and result.status != "undetermined"


@settings(max_examples=60, deadline=None)
@given(systems())
def test_each_change_starts_from_the_answer_given_or_from_not_asked(system: System) -> None:
    """A question the phase was never asked starts from "not asked", never from "I don't know"; the
    same answer set reached with the question asked (as "unknown") starts from "unknown"."""
    for counterfactual in counterfactuals(kb=KB, system=system, max_changes=2):
        if counterfactual.phase == "development":
            assert counterfactual.development_index is not None
            own = system.developments[counterfactual.development_index].answers
        else:
            assert counterfactual.deployment_index is not None
            own = system.deployments[counterfactual.deployment_index].answers
        given = {**system.answers, **own}
        for change in counterfactual.changes:
            assert change.current == given.get(change.question, NOT_ASKED)
