"""Words for a result, shared by every view: a phase's title, regime label and one-line reason."""

from __future__ import annotations

import re

from airegime.engine.results import PhaseResult
from airegime.i18n import t
from airegime.kb.models import NOT_ASKED, UNKNOWN, Citation, KnowledgeBase, Lang, Outcome

_UNNAMED_DEVELOPMENT = re.compile(r"development( \d+)?")  # the engine's name for an unnamed development


def phase_title(result: PhaseResult, lang: Lang, *, developments: int | None = None) -> str:
    """ "Development" (the only one), "Development: Training" or "Development 2" (one of several),
    "Deployment: Shopping centre".

    ``developments`` is the number of development processings of the system (``len(system.developments)``);
    without it, it is read from the name the engine gave the phase.
    """
    separator = " : " if lang == "fr" else ": "
    if result.phase == "development":
        unnamed = _UNNAMED_DEVELOPMENT.fullmatch(result.name)
        if developments == 1 or (developments is None and result.name == "development"):
            return t("phase.development", lang)
        if unnamed:
            return f"{t('phase.development', lang)} {result.position + 1}"
        return f"{t('phase.development', lang)}{separator}{result.name}"
    return f"{t('phase.deployment', lang)}{separator}{result.name}"


def split_parts(kb: KnowledgeBase, outcome: Outcome, lang: Lang) -> list[tuple[str, str]]:
    """A split outcome's regimes, each with the purposes it governs: [(regime label, purposes)]."""
    return [(kb.outcome_by_id[part.outcome].label.get(lang), part.purposes.get(lang)) for part in outcome.parts]


def split_sentences(kb: KnowledgeBase, outcome: Outcome, lang: Lang) -> list[str]:
    """ "GDPR: for the other purposes (…)", one per regime of a split outcome."""
    word = "pour" if lang == "fr" else "for"
    separator = " : " if lang == "fr" else ": "
    return [f"{label}{separator}{word} {purposes}" for label, purposes in split_parts(kb, outcome, lang)]


def citation_with_summary(kb: KnowledgeBase, citation: Citation, lang: Lang) -> str:
    """ "GDPR, art. 2(2)(a) — The default regime for…": the rule's source beside what the law says."""
    return f"{kb.citation_label(citation, lang)} — {kb.source_by_id[citation.source].summary.get(lang)}"


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
    if code in (UNKNOWN, NOT_ASKED):
        return t(f"answer.{code}", lang)
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
