"""Evaluating a saved assessment and keeping each result.

After every change the system is evaluated again (``evaluate_and_store``) and the result is
stored with the rule-set version and hash it came from, as an ``evaluations`` row; the
assessment's row keeps a short summary of the latest for the list page. Stored results are read
back as they were computed, possibly under an older rule set (``last_result``).
"""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from airegime.engine.evaluate import evaluate
from airegime.engine.results import Assessment
from airegime.kb.models import KnowledgeBase
from airegime.storage.models import AssessmentRow, EvaluationRow, as_utc, now
from airegime.storage.records import EvaluationRecord, PhaseSummary, Saved
from airegime.storage.state import ASSESSMENT, load


def evaluate_and_store(
    session: Session, kb: KnowledgeBase, row: AssessmentRow, reason: str, *, known: Saved | None = None
) -> tuple[Assessment, Saved]:
    """Evaluate the current answers, store the result; return it with the state it was computed from.

    ``known``: that state, when the caller knows it (then it is not read back)."""
    if known is None:
        session.flush()
    saved = known or load(session, row.organisation_id, row.id)
    assessment = evaluate(kb=kb, system=saved.system())
    moment = now()
    versions = {"rule_set_version": assessment.rule_set_version, "rule_set_hash": assessment.rule_set_hash}
    result = json.dumps(assessment.to_dict(), ensure_ascii=False)
    session.add(EvaluationRow(assessment_id=row.id, at=moment, reason=reason, result_json=result, **versions))
    summary = tuple(PhaseSummary.of(p) for p in assessment.phases)
    summary_json = json.dumps([p.to_dict() for p in summary])
    row.updated_at, row.summary_json = moment, summary_json
    row.rule_set_version, row.rule_set_hash = assessment.rule_set_version, assessment.rule_set_hash
    current = replace(
        saved,
        updated_at=moment,
        rule_set_version=assessment.rule_set_version,
        rule_set_hash=assessment.rule_set_hash,
        summary=summary,
    )
    return assessment, current


def result(stored: str | None) -> Assessment | None:
    """A stored result (an ``evaluations`` row's JSON), or None."""
    return Assessment.from_dict(json.loads(stored)) if stored is not None else None


def last_result(session: Session, organisation_id: int, assessment_id: int) -> Assessment | None:
    """The latest stored result, as computed then (None: none, or no such assessment here)."""
    found = session.execute(_LAST_RESULT, {"assessment": assessment_id, "organisation": organisation_id})
    row = found.first()
    return result(row.result_json if row else None)


def with_result(session: Session, organisation_id: int, assessment_id: int) -> tuple[Saved, Assessment | None]:
    """The current state and the latest stored result, from one snapshot."""
    found = session.execute(_WITH_RESULT, {"assessment": assessment_id, "organisation": organisation_id})
    row = found.first()
    saved = load(session, organisation_id, assessment_id, row=row)
    return saved, result(row.result_json if row else None)


def evaluations(session: Session, assessment_id: int) -> tuple[EvaluationRecord, ...]:
    """Every stored result, oldest first, in short."""
    rows = session.scalars(
        select(EvaluationRow).where(EvaluationRow.assessment_id == assessment_id).order_by(EvaluationRow.id)
    ).all()
    return tuple(
        EvaluationRecord(
            as_utc(r.at),
            r.rule_set_version,
            r.rule_set_hash,
            r.reason,
            tuple(PhaseSummary.of(p) for p in Assessment.from_dict(json.loads(r.result_json)).phases),
        )
        for r in rows
    )


_LAST_RESULT = (
    select(EvaluationRow.result_json)
    .join(AssessmentRow, AssessmentRow.id == EvaluationRow.assessment_id)
    .where(AssessmentRow.id == bindparam("assessment"), AssessmentRow.organisation_id == bindparam("organisation"))
    .where(AssessmentRow.archived_at.is_(None))
    .order_by(EvaluationRow.id.desc())
    .limit(1)
)
_WITH_RESULT = ASSESSMENT.add_columns(  # the row and its latest result, from one snapshot
    select(EvaluationRow.result_json)
    .where(EvaluationRow.assessment_id == AssessmentRow.id)
    .order_by(EvaluationRow.id.desc())
    .limit(1)
    .scalar_subquery()
    .label("result_json")
)
