"""Words for a result, shared by every view: a phase's title, regime label and one-line reason."""

from __future__ import annotations

from airegime.engine.results import PhaseResult
from airegime.i18n import t
from airegime.kb.models import KnowledgeBase, Lang


def phase_title(result: PhaseResult, lang: Lang) -> str:
    if result.phase == "development":
        return t("phase.development", lang)
    return (
        f"{t('phase.deployment', lang)} : {result.name}"
        if lang == "fr"
        else f"{t('phase.deployment', lang)}: {result.name}"
    )


def outcome_label(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> str:
    """The regime, or for an undetermined phase the regimes still possible."""
    if result.outcome is not None:
        return kb.outcome_by_id[result.outcome].label.get(lang)
    labels = " / ".join(kb.outcome_by_id[o].label.get(lang) for o in result.possible)
    return f"? ({labels})"


def short_reason(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> str:
    """One line: the deciding rule's title, or which answers are missing."""
    if result.status == "undetermined":
        missing = ", ".join(kb.question_by_id[d.question].text.get(lang) for d in result.depends_on)
        return t("undetermined.depends", lang) + missing
    if result.unanswered:
        questions = ", ".join(kb.question_by_id[q].short.get(lang) for q in result.unanswered)
        return t("settled.whatever", lang) + questions
    return kb.rule_by_id[result.rules[0]].title.get(lang)


def answer_label(kb: KnowledgeBase, question_id: str, code: str, lang: Lang) -> str:
    if code == "unknown":
        return t("answer.unknown", lang)
    return kb.question_by_id[question_id].option(code).label.get(lang)


def status_label(result: PhaseResult, lang: Lang) -> str:
    return t(f"status.{result.status}", lang)


def expected_label(kb: KnowledgeBase, question_id: str, expected: tuple[str, ...], lang: Lang) -> str:
    """What a condition requires, said the short way: "yes", "A or B", or "anything but C"."""
    question = kb.question_by_id[question_id]
    excluded = [code for code in question.codes if code not in expected]
    if len(expected) > 1 and len(excluded) < len(expected):
        names = (" ou " if lang == "fr" else " or ").join(answer_label(kb, question_id, c, lang) for c in excluded)
        return ("tout sauf : " if lang == "fr" else "anything but: ") + names
    return (" ou " if lang == "fr" else " or ").join(answer_label(kb, question_id, c, lang) for c in expected)


def change_label(kb: KnowledgeBase, question_id: str, code: str, lang: Lang) -> str:
    """One answer of a counterfactual: "Controller: Competent authority for criminal matters (...)"."""
    separator = " : " if lang == "fr" else ": "
    return kb.question_by_id[question_id].short.get(lang) + separator + answer_label(kb, question_id, code, lang)
