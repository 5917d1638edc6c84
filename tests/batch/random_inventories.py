"""Random inventories for the batch tests (hypothesis), and the results the scalar engine gives them."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import strategies as st

from airegime.batch.columns import canonical_name, column_label, inventory_columns
from airegime.engine.evaluate import evaluate
from airegime.kb import load_knowledge_base
from airegime.kb.models import Question, Scope
from airegime.render.summary import outcome_label, short_reason, status_label
from airegime.system import parse_system

KB = load_knowledge_base()
COLUMNS = inventory_columns(KB)
SHARED: tuple[Scope, ...] = ("system", "development")


def spellings(question: Question) -> st.SearchStrategy[tuple[str, str | None]]:
    """(code, how it is written in the cell): a code, a French or English label, an alias or blank."""
    written = [(o.code, w) for o in question.options for w in (o.code, o.label.fr, o.label.en.upper(), *o.aliases)]
    unknown = [("unknown", None), ("unknown", "je ne sais pas"), ("unknown", " I don't know "), ("unknown", "")]
    return st.sampled_from(written + unknown)


def answers(
    scope: Scope, columns: list[tuple[Scope, Question]] = COLUMNS
) -> st.SearchStrategy[dict[str, tuple[str, str | None]]]:
    return st.fixed_dictionaries({q.id: spellings(q) for s, q in columns if s == scope})


def descriptor_answers(scope: Scope, answers: dict[str, tuple[str, str | None]], old: bool) -> dict[str, str]:
    """A phase's answers as a descriptor gives them. In an inventory a blank (or unknown) phase cell
    of an overridable question means "the system's answer", i.e. no answer of the phase's own."""
    return {
        q: code
        for q, (code, _) in answers.items()
        if old or scope == "system" or code != "unknown" or not KB.question_by_id[q].overridable
    }


@st.composite
def inventories(
    draw: st.DrawFn, columns: list[tuple[Scope, Question]] = COLUMNS, old: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of an inventory, and the descriptor of each system it describes (of format 1 if ``old``)."""
    rows: list[dict[str, Any]] = []
    systems: list[dict[str, Any]] = []
    given_once = draw(st.booleans())
    for number in range(draw(st.integers(1, 4))):
        shared = {"system": draw(answers("system", columns)), "development": draw(answers("development", columns))}
        deployments = draw(st.lists(answers("deployment", columns), min_size=1, max_size=3))
        holder = draw(st.integers(0, len(deployments) - 1))  # the row giving shared answers, if once
        for i, own in enumerate(deployments):
            row: dict[str, Any] = {"system_id": f"S{number}", "deployment_name": f"context {i}"}
            for scope, question in columns:
                source = own if scope == "deployment" else shared[scope]
                if given_once and scope in SHARED and i != holder:
                    row[canonical_name(scope, question.id)] = None
                else:
                    row[canonical_name(scope, question.id)] = source[question.id][1]
            rows.append(row)
        systems.append(
            {
                **({"airegime": 1} if old else {}),
                "name": f"S{number}",
                "answers": descriptor_answers("system", shared["system"], old),
                "development": {"answers": descriptor_answers("development", shared["development"], old)},
                "deployments": [
                    {"name": f"context {i}", "answers": descriptor_answers("deployment", d, old)}
                    for i, d in enumerate(deployments)
                ],
            }
        )
    if draw(st.booleans()):
        rows = draw(st.permutations(rows))  # one chunk: a system's rows need not follow each other
    return rows, systems


def expected_rows(systems: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, str]]:
    expected = {}
    for data in systems:
        assessment = evaluate(kb=KB, system=parse_system(data, kb=KB))
        for result in assessment.deployments:
            row = {}
            for phase, phase_result in (("development", assessment.development), ("deployment", result)):
                row[f"{phase}_outcome"] = phase_result.outcome or "undetermined"
                row[f"{phase}_status"] = status_label(phase_result, "en")
                row[f"{phase}_regime"] = outcome_label(KB, phase_result, "en")
                row[f"{phase}_questions"] = ", ".join(  # the columns in words, never by code
                    column_label(
                        "system" if "system" in KB.question_by_id[d.question].scope else phase,
                        KB.question_by_id[d.question],
                        "en",
                    )
                    for d in phase_result.depends_on
                )
                row[f"{phase}_reason"] = short_reason(KB, phase_result, "en")
            expected[(data["name"], result.name)] = row
    return expected


def frame_of(rows: list[dict[str, Any]], columns: list[tuple[Scope, Question]] = COLUMNS) -> pl.DataFrame:
    names = ["system_id", "deployment_name", *(canonical_name(s, q.id) for s, q in columns)]
    return pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String))
