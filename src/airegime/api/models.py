"""The API's request and response bodies, so the OpenAPI document describes every field.

Descriptors themselves are checked by ``airegime.system.parse_system`` (the same checks as the
command line, with the same error locations); their JSON Schema is published in the document
as the ``Descriptor`` component (see ``airegime.api.app``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from airegime.kb.models import Phase, Scope

Status = Literal["determined", "undetermined", "case_by_case"]
Truth = Literal["met", "not_met", "open"]
AnswerValue = str | bool | None


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Errors


class ErrorDetail(_Out):
    code: str = Field(description="stable machine-readable code, e.g. invalid_descriptor, not_found")
    message: str = Field(description="what is wrong, for people")
    where: str = Field(default="", description="where in the request, e.g. deployments[1].answers.purpose")
    hint: str = Field(default="", description="what to do about it")
    problems: list[ProblemOut] | None = Field(
        default=None, description="invalid_descriptor only: every problem found in the file (the first 50)"
    )
    count: int | None = Field(default=None, description="invalid_descriptor only: how many problems in all")


class ProblemOut(_Out):
    path: str = Field(description="where in the descriptor, e.g. deployments[1].answers.purpose")
    message: str
    found: str = ""
    allowed: str = ""
    hint: str = ""


class ErrorBody(_Out):
    error: ErrorDetail


# Results


class RuleSetOut(_Out):
    version: str
    hash: str


class DependencyOut(_Out):
    question: str
    outcomes_by_answer: dict[str, list[str]] = Field(description="answer code -> outcomes it would leave possible")
    expected_outcomes: float = Field(
        default=0.0, description="outcomes expected to remain once answered (mean over its answers); lowest first"
    )


class DecidingOut(_Out):
    rule: str | None = Field(
        description="the rule that states the outcome; null when every rule still possible leads to it"
    )
    title: str
    answers: dict[str, str] = Field(
        description="question id -> answer code: the fewest of the answers given that force this outcome"
    )


class ConditionOut(_Out):
    kind: Literal["all", "any", "not", "question"]
    truth: Truth
    children: list[ConditionOut] = []
    question: str = ""
    expected: list[str] = []
    answer: str = ""


class RuleTraceOut(_Out):
    rule: str
    title: str
    truth: Truth
    condition: ConditionOut
    deciding: bool = Field(default=False, description="the rule that states the reason that decided")


class ChangeOut(_Out):
    question: str
    current: str
    new: str


class CounterfactualOut(_Out):
    outcome: str
    changes: list[ChangeOut]


class PartOut(_Out):
    outcome: str = Field(description="the regime's outcome id (see /kb/outcomes)")
    label: str = Field(description="the regime, in the chosen language")
    purposes: str = Field(description="the purposes it governs, in the chosen language")


class UpgradeNoteOut(_Out):
    location: str = Field(description="where in the descriptor, e.g. deployments[0].answers.organisation_kind")
    question: str
    fr: str
    en: str


class PhaseOut(_Out):
    phase: Phase
    name: str
    title: str = Field(description="the phase, as a heading in the chosen language")
    deployment_index: int | None = Field(description="the deployment's position (null for a development)")
    development_index: int | None = Field(
        default=None, description="the development processing's position (null for a deployment)"
    )
    status: Status
    outcome: str | None = Field(description="outcome id (see /kb/outcomes); null while undetermined")
    label: str = Field(description="the regime, or the regimes still possible, in the chosen language")
    reason: str = Field(description="one line: the reason that decided, or the questions it depends on")
    deciding: DecidingOut | None = Field(
        default=None, description="the reason that decided, as data (null while undetermined)"
    )
    parts: list[PartOut] = Field(
        default=[], description="for a split outcome: each regime, with the purposes it governs"
    )
    possible: list[str]
    rules: list[str]
    questions: list[str]
    sources: list[str]
    depends_on: list[DependencyOut]
    unanswered: list[str]


class ExplainedPhaseOut(PhaseOut):
    answers: dict[str, str] = Field(description="the answers this phase was decided on (question id -> code)")
    rule_traces: list[RuleTraceOut]
    counterfactuals: list[CounterfactualOut]


class EvaluationOut(_Out):
    rule_set: RuleSetOut
    system: dict[str, Any] = Field(description="the descriptor as understood: every answer as its code")
    complete: bool = Field(description="every phase is determined")
    phases: list[ExplainedPhaseOut] = Field(description="every development processing, then every deployment")
    disclaimer: str
    upgrade_notes: list[UpgradeNoteOut] = Field(
        default=[], description="a format-1 descriptor was read as format 2: where that reading is a guess"
    )


class SummaryOut(_Out):
    phase: Phase
    name: str
    status: Status
    outcome: str | None
    possible: list[str]


class ListItemOut(_Out):
    id: int
    name: str
    organisation: str
    updated_at: datetime
    stale: bool = Field(description="the stored result comes from another rule set than the loaded one")
    phases: list[SummaryOut]


class AssessmentListOut(_Out):
    items: list[ListItemOut]
    total: int
    page: int
    per_page: int
    pages: int


class ContextOut(_Out):
    id: int
    index: int
    name: str
    description: str


class DevelopmentOut(_Out):
    id: int = Field(description="stable across renames; PATCH answers may name it (development_id)")
    index: int = Field(description="position among the development processings (PATCH: development)")
    name: str
    description: str


class AssessmentOut(_Out):
    id: int
    name: str
    organisation: str
    created_at: datetime
    updated_at: datetime
    descriptor: dict[str, Any] = Field(description="the current descriptor (as POST /evaluate takes it)")
    developments: list[DevelopmentOut] = Field(default=[], description="the development processings, in order")
    contexts: list[ContextOut] = Field(description="the deployment contexts, in order")
    rule_set: RuleSetOut = Field(description="the rule set the latest stored result was computed with")
    stale: bool = Field(description="true when that rule set is not the loaded one: POST .../recheck")
    phases: list[PhaseOut] = Field(description="the latest stored result")
    upgrade_notes: list[UpgradeNoteOut] = Field(
        default=[], description="the descriptor sent was of format 1: where reading it as format 2 is a guess"
    )


class RegimeChangeOut(_Out):
    before: SummaryOut
    after: SummaryOut


class HistoryEntryOut(_Out):
    at: datetime
    kind: str
    scope: Scope | None
    context: str = Field(description="the development processing's or deployment context's name")
    question: str | None
    value: str | None
    previous: str | None
    detail: str
    changed_regimes: list[RegimeChangeOut] = Field(
        default=[],
        description="the phases whose status or regime this change changed, under the loaded rule set "
        "(what the assessment was created or imported with is the start, not a change)",
    )


# Comparing


Change = Literal["regime", "added", "removed", "reason", "answers", "same"]


class ComparedOut(_Out):
    id: int = Field(description="the saved assessment")
    name: str
    version: int | None = Field(
        description="the history entry (its position in GET /assessments/{id}/history, from 0) this side is "
        "as of; null: as it is now"
    )
    at: datetime | None = Field(description="when that entry was made; null: now")


class AnswerDifferenceOut(_Out):
    question: str
    short: str = Field(description="the question, in a word or two, in the chosen language")
    text: str = Field(description="the question, in the chosen language")
    before: str | None = Field(description="the answer's code on the first side; null: not answered")
    after: str | None = Field(description="the answer's code on the second side; null: not answered")
    before_label: str
    after_label: str


class ComparedSideOut(_Out):
    title: str = Field(description="the phase, as a heading in the chosen language")
    index: int = Field(description="its position among the development processings or deployment contexts")
    name: str
    status: Status
    status_label: str
    outcome: str | None
    headline: str = Field(description="the regime, or what an undetermined phase depends on")
    reason: str = Field(description="one line: the reason that decided, or the questions it depends on")
    deciding: DecidingOut | None


class ComparedPhaseOut(_Out):
    phase: Phase
    title: str
    renamed_from: str = Field(description="its title on the first side, when it differs (a rename)")
    change: Change = Field(
        description="what differs, the weightiest: regime (status or regime), added or removed (on one side "
        "only), reason (same regime, decided otherwise), answers (only its own answers), same"
    )
    before: ComparedSideOut | None = Field(description="null: only on the second side")
    after: ComparedSideOut | None = Field(description="null: only on the first side")
    answers: list[AnswerDifferenceOut] = Field(description="its own answers that differ")


class ComparisonOut(_Out):
    rule_set: RuleSetOut = Field(description="the loaded rule set, with which both sides are evaluated")
    before: ComparedOut = Field(description="the first side")
    after: ComparedOut = Field(description="the second side")
    differs: bool = Field(description="some answer, phase, regime or reason differs (names aside)")
    regimes_differ: bool
    system_answers: list[AnswerDifferenceOut] = Field(description="system-level answers that differ")
    phases: list[ComparedPhaseOut] = Field(
        description="development processings, then deployment contexts, matched by name, then by position"
    )


class RecheckPhaseOut(_Out):
    name: str
    phase: Phase
    changed: bool
    before: SummaryOut | None
    after: SummaryOut


class RecheckOut(_Out):
    old: RuleSetOut
    new: RuleSetOut
    changed: bool
    phases: list[RecheckPhaseOut]


# Setting answers


class AnswerChange(_In):
    scope: Scope
    deployment: int | None = Field(default=None, ge=0, description="index of the deployment context (scope deployment)")
    deployment_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="or its id (see contexts[].id); give one of the two"
    )
    development: int | None = Field(
        default=None, ge=0, description="index of the development processing (scope development; default: the first)"
    )
    development_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="or its id (see developments[].id); give at most one of the two"
    )
    question: str = Field(min_length=1, max_length=100)
    value: AnswerValue = Field(description='a code, label or alias; "unknown" for I don\'t know; null withdraws it')


class AnswersPatch(_In):
    answers: list[AnswerChange] = Field(min_length=1, max_length=500)


# Batch


class BatchCellError(_Out):
    row: int
    column: str
    value: str
    expected: str


class BatchUnreadColumn(_Out):
    column: str = Field(description="a column carried through unread that looks like an answer column")
    suggestions: list[str] = Field(description="the answer columns it may mean (one per phase for a question of both)")
    message: str = Field(description="what to do, in the chosen language")


class BatchSummaryOut(_Out):
    rows: int
    systems: int
    invalid_rows: int
    outcomes: dict[str, dict[str, int]]
    statuses: dict[str, dict[str, int]]


class BatchOut(_Out):
    rule_set: RuleSetOut
    valid: bool
    summary: BatchSummaryOut
    error_count: int
    errors: list[BatchCellError]
    unread_columns: list[BatchUnreadColumn]
    rows: list[dict[str, Any]]


# Knowledge base


class KbOut(_Out):
    version: str
    hash: str
    title: str
    disclaimer: str
    caveats: list[str]
    questions: int
    rules: int
    outcomes: int
    sources: int


class CitationOut(_Out):
    source: str
    pinpoint: str


class OptionOut(_Out):
    code: str
    label: str
    aliases: list[str]


class QuestionOut(_Out):
    id: str
    scope: list[Scope]
    short: str
    text: str
    help: str
    examples: list[str]
    type: Literal["boolean", "choice"]
    options: list[OptionOut]
    sources: list[CitationOut]


class RuleOut(_Out):
    id: str
    phases: list[Phase]
    when: dict[str, Any] = Field(description='{"question": id, "is": [codes]} or {"all"|"any": [...]} or {"not": ...}')
    outcome: str
    title: str
    explanation: str
    caveat: str | None
    sources: list[CitationOut]


class NextStepOut(_Out):
    text: str
    url: str


class OutcomePartOut(_Out):
    outcome: str
    purposes: str


class OutcomeOut(_Out):
    id: str
    kind: Literal["regime", "split", "not_applicable", "case_by_case"]
    label: str
    summary: str
    competing: list[str]
    parts: list[OutcomePartOut] = Field(default=[], description="for a split outcome: each regime and its purposes")
    retired: bool = Field(default=False, description="no rule leads here any more (kept for older results)")
    authority: str | None
    next_steps: list[NextStepOut]
    sources: list[CitationOut]


class SourceOut(_Out):
    id: str
    title: str
    summary: str = Field(description="what the text says that matters here, in a line")
    url: str
    kind: str
