"""What the pages show, as plain data built from the engine's results (no legal logic here:
the engine decides, these functions only pick the words in the reader's language)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from airegime.engine.counterfactuals import Counterfactual
from airegime.engine.explain import PhaseExplanation, explain
from airegime.engine.interview import next_question
from airegime.engine.results import PhaseResult
from airegime.kb.models import Citation, KnowledgeBase, Lang, Question, Scope
from airegime.render.summary import answer_label, outcome_label, phase_title, split_parts, status_label
from airegime.storage import Context, Saved


@dataclass(frozen=True, slots=True)
class Cite:
    title: str
    pinpoint: str
    url: str
    summary: str = ""  # what the text says, in a line


@dataclass(frozen=True, slots=True)
class Step:
    """Where a question sits: its scope and, for a phase, the development processing or
    deployment context it belongs to."""

    scope: Scope
    context: Context | None
    question: Question

    @property
    def context_id(self) -> int | None:
        return self.context.id if self.context else None

    def link(self, assessment_id: int) -> str:
        context = f"&ctx={self.context.id}" if self.context else ""
        return f"/a/{assessment_id}/interview?scope={self.scope}{context}&q={self.question.id}"


@dataclass(frozen=True, slots=True)
class Answered:
    step: Step
    phase: str
    text: str
    answer: str
    code: str


@dataclass(frozen=True, slots=True)
class Reason:
    title: str
    explanation: str
    caveat: str
    sources: tuple[Cite, ...]


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """An unanswered question an undetermined phase depends on, and what each answer would give."""

    text: str
    link: str
    outcomes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class WhatIf:
    changes: tuple[tuple[str, str, str], ...]  # question, current answer, new answer
    outcome: str


@dataclass(frozen=True, slots=True)
class PhaseView:
    title: str
    status: str
    status_label: str
    regime: str
    summary: str
    authority: str
    reasons: tuple[Reason, ...]
    reasons_settled: bool  # False: no rule is fully met yet, but every rule still possible gives this regime
    open_questions: tuple[OpenQuestion, ...]
    what_ifs: tuple[WhatIf, ...]
    next_steps: tuple[tuple[str, str], ...]
    answers: tuple[tuple[str, str], ...]
    competing: tuple[str, ...] = field(default=())
    parts: tuple[tuple[str, str], ...] = field(default=())  # a split outcome: (regime, the purposes it governs)


def cite(kb: KnowledgeBase, citation: Citation, lang: Lang) -> Cite:
    source = kb.source_by_id[citation.source]
    return Cite(source.title.get(lang), citation.pinpoint_in(lang), source.url, source.summary.get(lang))


def step_for(saved: Saved, kb: KnowledgeBase, scope: Scope, context_id: int | None, question_id: str) -> Step | None:
    """The step a link names, or None if the question, scope or phase does not fit this assessment.
    A development question without ``context_id`` is the first development processing's."""
    question = kb.question_by_id.get(question_id)
    if question is None or scope not in question.scope:
        return None
    if scope == "system":
        return Step(scope, None, question) if context_id is None else None
    if scope == "development":
        index = saved.development_index_of(context_id) if context_id is not None else 0
        return Step(scope, saved.developments[index], question) if index is not None else None
    index = saved.index_of(context_id) if context_id is not None else None
    return Step(scope, saved.contexts[index], question) if index is not None else None


def next_step(saved: Saved, kb: KnowledgeBase) -> tuple[Step, int, int] | None:
    """The interview's next question (shared engine function), with progress counts."""
    found = next_question(kb=kb, system=saved.system())
    if found is None:
        return None
    context = (
        saved.contexts[found.deployment_index]
        if found.deployment_index is not None
        else saved.developments[found.development_index or 0]
        if found.scope == "development"
        else None
    )
    return Step(found.scope, context, found.question), found.asked, found.remaining


def current_answer(saved: Saved, step: Step) -> str | None:
    if step.scope == "system" or step.context is None:
        return saved.system_answers.get(step.question.id)
    return saved.answers_of(step.context.id).get(step.question.id)


def development_name(saved: Saved, development: Context, names: dict[str, str]) -> str:
    """How a development processing is called on the pages: "Development" when it is the only one,
    else its name, or "Development processing 2" when it has none (``names``: those words, translated)."""
    if len(saved.developments) == 1:
        return names["development"]
    if development.name:
        return f"{names['development']}{names['separator']}{development.name}"
    index = saved.development_index_of(development.id) or 0
    return names["unnamed"].format(n=index + 1)


def phase_names(_: Callable[..., str], lang: Lang) -> dict[str, str]:
    """The words ``development_name`` and ``answered`` use, in the reader's language."""
    return {
        "system": _("phase.system"),
        "development": _("phase.development"),
        "unnamed": _("developments.unnamed", n="{n}"),
        "separator": " : " if lang == "fr" else ": ",
    }


def answered(saved: Saved, kb: KnowledgeBase, lang: Lang, names: dict[str, str]) -> tuple[Answered, ...]:
    """Every answer given so far, in interview order, for the 'your answers' list."""
    groups: list[tuple[Scope, Context | None, dict[str, str], str]] = [
        ("system", None, saved.system_answers, names["system"]),
        *(("development", d, saved.answers_of(d.id), development_name(saved, d, names)) for d in saved.developments),
        *(("deployment", c, saved.answers_of(c.id), c.name) for c in saved.contexts),
    ]
    found = []
    for scope, context, answers, phase in groups:
        for question in kb.questions_for(scope):
            if question.id in answers:
                code = answers[question.id]
                found.append(
                    Answered(
                        Step(scope, context, question),
                        phase,
                        question.text.get(lang),
                        answer_label(kb, question.id, code, lang),
                        code,
                    )
                )
    return tuple(found)


def result_views(saved: Saved, kb: KnowledgeBase, lang: Lang) -> tuple[PhaseView, ...]:
    system = saved.system()
    explanation = explain(kb=kb, system=system, max_changes=2)
    developments = len(system.developments)
    return tuple(_phase_view(saved, kb, lang, phase, developments) for phase in explanation.phases)


def _phase_view(
    saved: Saved, kb: KnowledgeBase, lang: Lang, explained: PhaseExplanation, developments: int
) -> PhaseView:
    result = explained.result
    outcome = kb.outcome_by_id[result.outcome] if result.outcome else None
    return PhaseView(
        title=phase_title(result, lang, developments=developments),
        status=result.status,
        status_label=status_label(result, lang),
        regime=outcome_label(kb, result, lang),
        summary=outcome.summary.get(lang) if outcome else "",
        authority=outcome.authority.get(lang) if outcome and outcome.authority else "",
        reasons=_reasons(kb, explained, lang) if result.status != "undetermined" else (),
        reasons_settled=any(trace.truth == "met" for trace in explained.rules),
        open_questions=_open_questions(saved, kb, result, lang),
        what_ifs=tuple(_what_if(kb, c, lang) for c in explained.counterfactuals),
        next_steps=tuple((s.text.get(lang), s.url) for s in outcome.next_steps) if outcome else (),
        answers=tuple(
            (kb.question_by_id[q].text.get(lang), answer_label(kb, q, code, lang))
            for q, code in explained.answers.items()
        ),
        competing=tuple(kb.outcome_by_id[o].label.get(lang) for o in outcome.competing) if outcome else (),
        parts=tuple(split_parts(kb, outcome, lang)) if outcome else (),
    )


def _reasons(kb: KnowledgeBase, explained: PhaseExplanation, lang: Lang) -> tuple[Reason, ...]:
    """The rules that decide the phase: those met when some are, else every rule still possible."""
    met = [trace.rule for trace in explained.rules if trace.truth == "met"]
    reasons = []
    for rule_id in met or explained.result.rules:
        rule = kb.rule_by_id[rule_id]
        reasons.append(
            Reason(
                rule.title.get(lang),
                rule.explanation.get(lang),
                rule.caveat.get(lang) if rule.caveat else "",
                tuple(cite(kb, c, lang) for c in rule.sources),
            )
        )
    return tuple(reasons)


def _open_questions(saved: Saved, kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> tuple[OpenQuestion, ...]:
    found = []
    for dependency in result.depends_on:
        question = kb.question_by_id[dependency.question]
        step = _step_in_phase(saved, question, result)
        outcomes = tuple(
            (
                answer_label(kb, question.id, answer, lang),
                " / ".join(kb.outcome_by_id[o].label.get(lang) for o in outcome_ids),
            )
            for answer, outcome_ids in dependency.outcomes_by_answer
        )
        found.append(OpenQuestion(question.text.get(lang), step.link(saved.id), outcomes))
    return tuple(found)


def _what_if(kb: KnowledgeBase, counterfactual: Counterfactual, lang: Lang) -> WhatIf:
    changes = tuple(
        (
            kb.question_by_id[c.question].text.get(lang),
            answer_label(kb, c.question, c.current, lang),
            answer_label(kb, c.question, c.new, lang),
        )
        for c in counterfactual.changes
    )
    return WhatIf(changes, kb.outcome_by_id[counterfactual.outcome].label.get(lang))


def _step_in_phase(saved: Saved, question: Question, result: PhaseResult) -> Step:
    if "system" in question.scope:
        return Step("system", None, question)
    if result.phase == "development":
        return Step("development", saved.developments[result.development_index or 0], question)
    return Step("deployment", saved.contexts[result.deployment_index or 0], question)
