"""What the pages show, as plain data built from the engine's results (no legal logic here:
the engine decides, these functions only pick the words in the reader's language)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from airegime.engine.explain import explain
from airegime.engine.interview import next_question
from airegime.kb.models import KnowledgeBase, Lang, Question, Scope
from airegime.render.report_data import Json, build_report
from airegime.render.summary import answer_label, colon
from airegime.storage import Context, Saved


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

    def link(self, assessment_id: int, *, then: str = "") -> str:
        """The question's own address. ``then="result"``: saving (or cancelling) goes back to the result
        page, for the result page's "change" links; otherwise saving goes on with the interview."""
        context = f"&ctx={self.context.id}" if self.context else ""
        back = "&then=result" if then == "result" else ""
        return f"/a/{assessment_id}/interview?scope={self.scope}{context}&q={self.question.id}{back}"


@dataclass(frozen=True, slots=True)
class Answered:
    step: Step
    phase: str
    text: str
    answer: str
    code: str


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


def resume_link(saved: Saved, kb: KnowledgeBase) -> str | None:
    """Where an unfinished assessment's interview goes on (its next question), or None when no answer
    can change any phase any more. For "in progress — resume" links (home page, result page)."""
    found = next_step(saved, kb)
    return found[0].link(saved.id) if found else None


def review_link(assessment_id: int) -> str:
    """The page that lists every answer before the result."""
    return f"/a/{assessment_id}/review"


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
        "deployment": _("phase.deployment"),
        "unnamed": _("developments.unnamed", n="{n}"),
        "separator": colon(lang),
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


@dataclass(frozen=True, slots=True)
class Inherited:
    """A system answer a phase takes as its own (the phase may answer otherwise: ``step`` asks it there)."""

    step: Step
    text: str
    answer: str


@dataclass(frozen=True, slots=True)
class ReviewGroup:
    """One phase on the review page: its answers, then the system answers it takes as they are."""

    phase: str
    answers: tuple[Answered, ...]
    inherited: tuple[Inherited, ...]


def review_groups(saved: Saved, kb: KnowledgeBase, lang: Lang, names: dict[str, str]) -> tuple[ReviewGroup, ...]:
    """Every answer, grouped by phase in interview order: the system, each development, each deployment."""
    given = answered(saved, kb, lang, names)
    phases: list[tuple[str, Scope, Context | None]] = [
        (names["system"], "system", None),
        *((development_name(saved, d, names), "development", d) for d in saved.developments),
        *((f"{names['deployment']}{names['separator']}{c.name}", "deployment", c) for c in saved.contexts),
    ]
    groups = []
    for label, scope, context in phases:
        own = tuple(a for a in given if a.step.scope == scope and a.step.context == context)
        groups.append(ReviewGroup(label, own, inherited_answers(saved, kb, lang, scope, context)))
    return tuple(groups)


def inherited_answers(
    saved: Saved, kb: KnowledgeBase, lang: Lang, scope: Scope, context: Context | None
) -> tuple[Inherited, ...]:
    """The system answers this phase takes because it has not answered them itself (the establishment)."""
    if scope == "system" or context is None:
        return ()
    answers = saved.answers_of(context.id)
    return tuple(
        Inherited(
            Step(scope, context, question),
            question.text.get(lang),
            answer_label(kb, question.id, saved.system_answers[question.id], lang),
        )
        for question in kb.questions_for(scope)
        if "system" in question.scope and question.id in saved.system_answers and question.id not in answers
    )


def result_page(saved: Saved, kb: KnowledgeBase, lang: Lang) -> Json:
    """What the result page shows: the report every format reads (one presentation of a result),
    plus the links that answer an open question or change an answer."""
    report = build_report(kb=kb, explanation=explain(kb=kb, system=saved.system()), lang=lang)
    for phase in report["phases"]:
        for question in phase["open_questions"]:
            step = _step_in_phase(saved, kb.question_by_id[question["question"]], phase)
            question["link"] = step.link(saved.id, then="result")
    for group in report["answers"]:
        context = _context_of(saved, group)
        for item in group["items"]:
            step = Step(group["scope"], context, kb.question_by_id[item["question"]])
            item["link"] = step.link(saved.id, then="result")
            item["context_id"] = step.context_id  # names the answer's note and evidence
    return report


def _context_of(saved: Saved, where: Json) -> Context | None:
    """The development processing or deployment context a report member (phase, answer group) is about."""
    scope = where.get("scope") or where["phase"]
    if scope == "system":
        return None
    if scope == "development":
        return saved.developments[where["development_index"] or 0]
    return saved.contexts[where["deployment_index"] or 0]


def _step_in_phase(saved: Saved, question: Question, phase: Json) -> Step:
    if "system" in question.scope:
        return Step("system", None, question)
    return Step(phase["phase"], _context_of(saved, phase), question)
