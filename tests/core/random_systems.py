"""Random systems for the property tests (hypothesis): any answers, at any level, in one to five phases."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from airegime.kb import load_knowledge_base
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
