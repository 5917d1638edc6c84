"""Library objects to response bodies: results, saved assessments, the knowledge base."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from airegime.api import models as m
from airegime.compare import Comparison
from airegime.engine.counterfactuals import Counterfactual
from airegime.engine.explain import ConditionTrace, Explanation
from airegime.engine.results import Assessment, PhaseResult
from airegime.kb.models import AllOf, AnyOf, Atom, Citation, Condition, KnowledgeBase, Lang, Not
from airegime.render.summary import deciding_title, outcome_label, phase_title, short_reason
from airegime.storage.records import HistoryEntry, ListItem, Page, PhaseSummary, Recheck, Saved
from airegime.storage.versions import RegimeChange, Version
from airegime.system import System


def phase_fields(
    kb: KnowledgeBase, result: PhaseResult, lang: Lang, *, developments: int | None = None
) -> dict[str, Any]:
    data = result.to_dict()
    data["depends_on"] = [m.DependencyOut(**d) for d in data["depends_on"]]
    reason = data.pop("reason")
    return {
        **data,
        "deciding": m.DecidingOut(title=deciding_title(kb, result, lang), **reason) if reason else None,
        "title": phase_title(result, lang, developments=developments),
        "label": outcome_label(kb, result, lang),
        "reason": short_reason(kb, result, lang),
        "parts": parts_out(kb, result, lang),
    }


def parts_out(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> list[m.PartOut]:
    """A split outcome's regimes, each with the purposes it governs (none for any other outcome)."""
    outcome = kb.outcome_by_id.get(result.outcome) if result.outcome is not None else None
    if outcome is None:
        return []
    return [
        m.PartOut(outcome=p.outcome, label=kb.outcome_by_id[p.outcome].label.get(lang), purposes=p.purposes.get(lang))
        for p in outcome.parts
    ]


def phases_out(kb: KnowledgeBase, assessment: Assessment, lang: Lang) -> list[m.PhaseOut]:
    developments = len(assessment.developments)
    return [m.PhaseOut(**phase_fields(kb, p, lang, developments=developments)) for p in assessment.phases]


def upgrade_notes_out(system: System) -> list[m.UpgradeNoteOut]:
    """What reading a format-1 descriptor had to guess (empty for a format-2 one)."""
    return [m.UpgradeNoteOut(**note.to_dict()) for note in system.upgrade_notes]


def evaluation_out(kb: KnowledgeBase, explanation: Explanation, lang: Lang) -> m.EvaluationOut:
    assessment = explanation.assessment
    phases = []
    for phase in explanation.phases:
        deciding = phase.result.reason.rule if phase.result.reason else None
        traces = [
            m.RuleTraceOut(
                rule=r.rule,
                title=kb.rule_by_id[r.rule].title.get(lang),
                truth=r.truth,
                condition=condition_out(r.condition),
                deciding=r.rule == deciding,
            )
            for r in sorted(phase.rules, key=lambda trace: trace.rule != deciding)
        ]
        counterfactuals = [counterfactual_out(c) for c in phase.counterfactuals]
        fields = phase_fields(kb, phase.result, lang, developments=len(assessment.developments))
        phases.append(
            m.ExplainedPhaseOut(**fields, answers=phase.answers, rule_traces=traces, counterfactuals=counterfactuals)
        )
    return m.EvaluationOut(
        rule_set=m.RuleSetOut(version=assessment.rule_set_version, hash=assessment.rule_set_hash),
        system=assessment.system.to_dict(),
        complete=assessment.complete,
        phases=phases,
        disclaimer=kb.disclaimer.get(lang),
        upgrade_notes=upgrade_notes_out(assessment.system),
    )


@lru_cache(maxsize=4096)  # the same rules under the same answers come back often; the outputs are frozen
def condition_out(node: ConditionTrace) -> m.ConditionOut:
    return m.ConditionOut(
        kind=node.kind,
        truth=node.truth,
        children=[condition_out(c) for c in node.children],
        question=node.question,
        expected=list(node.expected),
        answer=node.answer,
    )


@lru_cache(maxsize=4096)  # the engine keeps them by answer set, so the same ones come back; the outputs are frozen
def counterfactual_out(counterfactual: Counterfactual) -> m.CounterfactualOut:
    return m.CounterfactualOut(
        outcome=counterfactual.outcome,
        changes=[m.ChangeOut(question=c.question, current=c.current, new=c.new) for c in counterfactual.changes],
    )


@lru_cache(maxsize=1024)  # a few outcomes per phase: the same summaries recur in every list
def summary_out(summary: PhaseSummary) -> m.SummaryOut:
    return m.SummaryOut(**summary.to_dict())


def list_out(page: Page, kb: KnowledgeBase) -> m.AssessmentListOut:
    return m.AssessmentListOut(
        items=[list_item_out(item, kb) for item in page.items],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
        pages=page.pages,
    )


def list_item_out(item: ListItem, kb: KnowledgeBase) -> m.ListItemOut:
    return m.ListItemOut(
        id=item.id,
        name=item.name,
        organisation=item.organisation,
        updated_at=item.updated_at,
        stale=item.rule_set_hash != kb.hash,
        phases=[summary_out(s) for s in item.summary],
    )


def assessment_out(
    saved: Saved, result: Assessment | None, kb: KnowledgeBase, lang: Lang, *, sent: System | None = None
) -> m.AssessmentOut:
    """``sent``: the descriptor of the request, whose upgrade notes (if it was of format 1) are returned."""
    return m.AssessmentOut(
        id=saved.id,
        name=saved.name,
        organisation=saved.organisation,
        created_at=saved.created_at,
        updated_at=saved.updated_at,
        descriptor=saved.system().to_dict(),
        developments=[
            m.DevelopmentOut(id=d.id, index=i, name=d.name, description=d.description)
            for i, d in enumerate(saved.developments)
        ],
        contexts=[
            m.ContextOut(id=c.id, index=i, name=c.name, description=c.description) for i, c in enumerate(saved.contexts)
        ],
        rule_set=m.RuleSetOut(version=saved.rule_set_version, hash=saved.rule_set_hash),
        stale=saved.is_stale(kb.hash),
        phases=phases_out(kb, result, lang) if result is not None else [],
        upgrade_notes=upgrade_notes_out(sent) if sent is not None else [],
    )


def history_out(
    entries: tuple[HistoryEntry, ...], marks: tuple[tuple[RegimeChange, ...], ...] = ()
) -> list[m.HistoryEntryOut]:
    """The entries, each with the phases whose regime it changed (``marks``, in the same order; read
    apart, so a change stored in between may leave the last entries without one)."""
    return [
        m.HistoryEntryOut(
            at=e.at,
            kind=e.kind,
            scope=e.scope,
            context=e.context_name,
            question=e.question,
            value=e.value,
            previous=e.previous,
            detail=e.detail,
            changed_regimes=[
                m.RegimeChangeOut(before=summary_out(c.before), after=summary_out(c.after)) for c in changed
            ],
        )
        for e, changed in zip(entries, (*marks, *((),) * len(entries)), strict=False)
    ]


def comparison_out(comparison: Comparison, first: Version, second: Version) -> m.ComparisonOut:
    """Two sides compared; ``first`` and ``second`` say which assessments, as of when."""
    data = comparison.to_dict()
    return m.ComparisonOut(
        rule_set=m.RuleSetOut(**data["rule_set"]),
        before=_compared(first),
        after=_compared(second),
        differs=data["differs"],
        regimes_differ=data["regimes_differ"],
        system_answers=[m.AnswerDifferenceOut(**a) for a in data["system_answers"]],
        phases=[
            m.ComparedPhaseOut(
                phase=p["phase"],
                title=p["title"],
                renamed_from=p["renamed_from"],
                change=p["change"],
                before=_compared_side(p["before"]),
                after=_compared_side(p["after"]),
                answers=[m.AnswerDifferenceOut(**a) for a in p["answers"]],
            )
            for p in data["phases"]
        ],
    )


def _compared(side: Version) -> m.ComparedOut:
    return m.ComparedOut(id=side.assessment_id, name=side.system.name, version=side.index, at=side.at)


def _compared_side(side: dict[str, Any] | None) -> m.ComparedSideOut | None:
    if side is None:
        return None
    deciding = side["deciding"]
    return m.ComparedSideOut(
        **{key: value for key, value in side.items() if key != "deciding"},
        deciding=m.DecidingOut(
            rule=deciding["rule"],
            title=deciding["title"],
            answers={a["question"]: a["answer"] for a in deciding["answers"]},
        )
        if deciding
        else None,
    )


def recheck_out(recheck: Recheck) -> m.RecheckOut:
    return m.RecheckOut(
        old=m.RuleSetOut(version=recheck.old_version, hash=recheck.old_hash),
        new=m.RuleSetOut(version=recheck.new_version, hash=recheck.new_hash),
        changed=recheck.changed,
        phases=[
            m.RecheckPhaseOut(
                name=p.name,
                phase=p.phase,
                changed=p.changed,
                before=summary_out(p.before) if p.before else None,
                after=summary_out(p.after),
            )
            for p in recheck.phases
        ],
    )


# Knowledge base


def kb_out(kb: KnowledgeBase, lang: Lang) -> m.KbOut:
    return m.KbOut(
        version=kb.version,
        hash=kb.hash,
        title=kb.title.get(lang),
        disclaimer=kb.disclaimer.get(lang),
        caveats=[c.get(lang) for c in kb.caveats],
        questions=len(kb.questions),
        rules=len(kb.rules),
        outcomes=len(kb.outcomes),
        sources=len(kb.sources),
    )


def citations(items: tuple[Citation, ...]) -> list[m.CitationOut]:
    return [m.CitationOut(source=c.source, pinpoint=c.pinpoint) for c in items]


def questions_out(kb: KnowledgeBase, lang: Lang) -> list[m.QuestionOut]:
    return [
        m.QuestionOut(
            id=q.id,
            scope=list(q.scope),
            short=q.short.get(lang),
            text=q.text.get(lang),
            help=q.help.get(lang),
            examples=[e.get(lang) for e in q.examples],
            type=q.type,
            options=[m.OptionOut(code=o.code, label=o.label.get(lang), aliases=list(o.aliases)) for o in q.options],
            sources=citations(q.sources),
        )
        for q in kb.questions
    ]


def condition_dict(condition: Condition) -> dict[str, Any]:
    if isinstance(condition, Atom):
        return {"question": condition.question, "is": list(condition.values)}
    if isinstance(condition, Not):
        return {"not": condition_dict(condition.item)}
    key = "all" if isinstance(condition, AllOf) else "any"
    assert isinstance(condition, AllOf | AnyOf)
    return {key: [condition_dict(item) for item in condition.items]}


def rules_out(kb: KnowledgeBase, lang: Lang) -> list[m.RuleOut]:
    return [
        m.RuleOut(
            id=r.id,
            phases=list(r.phases),
            when=condition_dict(r.when),
            outcome=r.outcome,
            title=r.title.get(lang),
            explanation=r.explanation.get(lang),
            caveat=r.caveat.get(lang) if r.caveat else None,
            sources=citations(r.sources),
        )
        for r in kb.rules
    ]


def outcomes_out(kb: KnowledgeBase, lang: Lang) -> list[m.OutcomeOut]:
    return [
        m.OutcomeOut(
            id=o.id,
            kind=o.kind,
            label=o.label.get(lang),
            summary=o.summary.get(lang),
            competing=list(o.competing),
            parts=[m.OutcomePartOut(outcome=p.outcome, purposes=p.purposes.get(lang)) for p in o.parts],
            retired=o.retired,
            authority=o.authority.get(lang) if o.authority else None,
            next_steps=[m.NextStepOut(text=s.text.get(lang), url=s.link(lang)) for s in o.next_steps],
            sources=citations(o.sources),
        )
        for o in kb.outcomes
    ]


def sources_out(kb: KnowledgeBase, lang: Lang) -> list[m.SourceOut]:
    return [
        m.SourceOut(id=s.id, title=s.title.get(lang), summary=s.summary.get(lang), url=s.link(lang), kind=s.kind)
        for s in kb.sources
    ]
