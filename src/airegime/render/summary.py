"""Words for a result, shared by every view: a phase's title, regime label and one-line reason."""

from __future__ import annotations

import re
from functools import lru_cache

from airegime.engine.results import PhaseResult
from airegime.i18n import N_, fill, translate
from airegime.kb.models import NOT_ASKED, UNKNOWN, Citation, KnowledgeBase, Lang, Outcome

_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_UNNAMED_DEVELOPMENT = re.compile(r"development( \d+)?")  # the engine's name for an unnamed development


def file_size(size: int, lang: Lang) -> str:
    """A file's size as people read it: 12 KB, 1.4 MB (12 ko, 1,4 Mo), never broken across lines."""
    if size < 1_000_000:
        amount, unit = str(max(1, round(size / 1000))), translate("file_size.kb", lang)
    else:
        amount, unit = fill("{n:,.1f}", lang, {"n": size / 1_000_000}), translate("file_size.mb", lang)
    return f"{amount}\u00a0{unit}"


# The headings of the one-line-per-phase table (``phase_title``, ``outcome_label``, ``status_label``,
# ``short_reason``) that the terminal, the Markdown summary and the reports show.
PHASE_TABLE_COLUMNS = (N_("col.phase"), N_("col.regime"), N_("col.status"), N_("col.reason"))


def phase_table_headings(lang: Lang) -> list[str]:
    return [translate(key, lang) for key in PHASE_TABLE_COLUMNS]


def colon(lang: Lang) -> str:
    """What follows a label ("Statut : ", "Status: "): French puts a non-breaking space before the
    colon, English none. A label that ends the text takes it without the last space
    (``colon(lang).rstrip()``)."""
    return translate("punct.colon", lang)


def semicolon(lang: Lang) -> str:
    """What separates items that hold commas ("A, B ; C"): French puts a non-breaking space before it."""
    return translate("punct.semicolon", lang)


def quoted(text: str, lang: Lang) -> str:
    """``text`` in the language's quotation marks (the catalogue's ``quoted``): « text », “text”."""
    return translate("quoted", lang, words=text)


def phase_title(result: PhaseResult, lang: Lang, *, developments: int | None = None) -> str:
    """ "Development" (the only one), "Development: Training" or "Development 2" (one of several),
    "Deployment: Shopping centre".

    ``developments`` is the number of development processings of the system (``len(system.developments)``);
    without it, it is read from the name the engine gave the phase.
    """
    separator = colon(lang)
    if result.phase == "development":
        unnamed = _UNNAMED_DEVELOPMENT.fullmatch(result.name)
        if developments == 1 or (developments is None and result.name == "development"):
            return translate("phase.development", lang)
        if unnamed:
            return f"{translate('phase.development', lang)} {result.position + 1}"
        return f"{translate('phase.development', lang)}{separator}{result.name}"
    return f"{translate('phase.deployment', lang)}{separator}{result.name}"


def split_parts(kb: KnowledgeBase, outcome: Outcome, lang: Lang) -> list[tuple[str, str]]:
    """A split outcome's regimes, each with the purposes it governs: [(regime label, purposes)]."""
    return [(kb.outcome_by_id[part.outcome].label.get(lang), part.purposes.get(lang)) for part in outcome.parts]


def citation_with_summary(kb: KnowledgeBase, citation: Citation, lang: Lang) -> str:
    """ "GDPR, art. 2(2)(a) — The default regime for…": the rule's source beside what the law says."""
    return f"{kb.citation_label(citation, lang)} — {kb.source_by_id[citation.source].summary.get(lang)}"


def outcome_label(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> str:
    """The regime, or "Undetermined" (what it depends on is the reason's to say, not a list of regimes)."""
    if result.outcome is not None:
        return kb.outcome_by_id[result.outcome].label.get(lang)
    return translate("outcome.undetermined", lang)


def short_reason(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> str:
    """One line: the reason that decided, or the questions it depends on, the one to settle first first."""
    if result.status == "undetermined":
        return translate("undetermined.depends", lang) + depends_on(kb, result, lang)
    if result.reason is not None:
        return reason_sentence(kb, result, lang)
    return kb.rule_by_id[result.rules[0]].title.get(lang)  # a result stored before reasons were recorded


def headline(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> str:
    """The regime; for an undetermined phase, "Undetermined — depends on: Controller, Purpose"."""
    if result.status == "undetermined":
        return translate("undetermined.headline", lang) + depends_on(kb, result, lang)
    return outcome_label(kb, result, lang)


def depends_on(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> str:
    return ", ".join(kb.question_by_id[d.question].short.get(lang) for d in result.depends_on)


def reason_sentence(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> str:
    """ "Controller: A company…; Uses of the development: Various uses → Case 2: …": the answers that
    decided (without those that only bring the processing within the law's reach), then the rule
    that states the outcome, or the outcome "whatever the answer to …" when no single rule does."""
    reason = result.reason
    assert reason is not None
    shown = [(q, a) for q, a in reason.answers if a not in kb.question_by_id[q].background] or reason.answers
    answers = semicolon(lang).join(change_label(kb, q, a, lang, short=True) for q, a in shown)
    conclusion = deciding_title(kb, result, lang)
    return f"{answers} → {conclusion}" if answers else conclusion


def deciding_title(kb: KnowledgeBase, result: PhaseResult, lang: Lang) -> str:
    """The title of the rule that states the outcome, else "GDPR, whatever the answer to: Purpose"."""
    assert result.reason is not None
    if result.reason.rule is not None:
        return kb.rule_by_id[result.reason.rule].title.get(lang)
    whatever = ", ".join(kb.question_by_id[q].short.get(lang) for q in result.unanswered)
    label = outcome_label(kb, result, lang)
    return f"{label} — {translate('settled.whatever', lang)}{whatever}" if whatever else label


def answer_label(kb: KnowledgeBase, question_id: str, code: str, lang: Lang) -> str:
    if code in (UNKNOWN, NOT_ASKED):
        return translate(f"answer.{code}", lang)
    return kb.question_by_id[question_id].option(code).label.get(lang)


def status_label(result: PhaseResult, lang: Lang) -> str:
    return translate(f"status.{result.status}", lang)


def expected_label(kb: KnowledgeBase, question_id: str, expected: tuple[str, ...], lang: Lang) -> str:
    """What a condition requires, by the answers' labels (``accepted_answers``)."""
    excluded = [code for code in kb.question_by_id[question_id].codes if code not in expected]
    accepted_labels = [answer_label(kb, question_id, code, lang) for code in expected]
    excluded_labels = [answer_label(kb, question_id, code, lang) for code in excluded]
    return accepted_answers(accepted_labels, excluded_labels, lang)


def accepted_answers(expected: list[str], excluded: list[str], lang: Lang) -> str:
    """What a condition accepts, said the short way: "Yes", "A or B", or, when more than two answers
    fit and fewer do not, "any answer except: C"."""
    if len(expected) > 2 and len(excluded) < len(expected):
        return translate("cond.except", lang) + ", ".join(excluded)
    return f" {translate('cond.or', lang)} ".join(expected)


def change_label(kb: KnowledgeBase, question_id: str, code: str, lang: Lang, *, short: bool = False) -> str:
    """One answer: "Controller: Competent authority for criminal matters (...)"; ``short`` leaves
    out the label's parenthesised examples."""
    separator = colon(lang)
    label = answer_label(kb, question_id, code, lang)
    return kb.question_by_id[question_id].short.get(lang) + separator + (short_label(label) if short else label)


@lru_cache(maxsize=4096)  # a knowledge base has a few hundred labels, shortened again and again
def short_label(label: str) -> str:
    """An answer's label without its parenthesised examples (the answers section gives them in full)."""
    return _PARENTHESES.sub("", label).strip() or label
