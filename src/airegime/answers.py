"""Answers as codes: what a descriptor, a format-1 descriptor (:mod:`airegime.upgrade`), an
inventory row or a typed reply says, read as the code of its question's option.

Accepted: codes, French or English labels (whole, or without their bracketed examples), aliases,
yes/no booleans, and "unknown" / "je ne sais pas" / null (all meaning "I don't know"). Both
:mod:`airegime.system` and :mod:`airegime.upgrade` read answers through this module, which
imports neither.
"""

from __future__ import annotations

import re
import reprlib
import unicodedata
from collections.abc import Mapping
from functools import partial
from typing import Any

from airegime.errors import AnswerError, Problem, Problems, Said, msg
from airegime.kb.models import UNKNOWN, KnowledgeBase, Question, Scope

UNKNOWN_WORDS = frozenset(
    {
        "unknown",
        "je ne sais pas",
        "inconnu",
        "ne sait pas",
        "nsp",
        "?",
        "",
        "i don't know",
        "i do not know",
        "dont know",
        "don't know",
    }
)


def shown(value: Any) -> str:
    """A value found in a file, short enough to quote in a message whatever its size."""
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}…'"
    return _SHORT_REPR.repr(value)


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()  # keyword arguments only from Python 3.12
    short.maxlevel, short.maxdict, short.maxlist, short.maxstring, short.maxother, short.maxlong = 2, 4, 4, 60, 60, 40
    return short


_SHORT_REPR = _short_repr()


def path_key(key: object) -> str:
    """A key as written in a path, cut short: a path names a place, it does not copy a long key."""
    text = str(key)
    return text if len(text) <= 60 else f"{text[:57]}…"


def normalise_answers_with(
    questions: Mapping[str, Question],
    answers: Any,
    *,
    location: str,
    source: str = "",
    problems: Problems | None = None,
) -> dict[str, str]:
    """Every answer of a mapping as a code of ``questions`` (a question id to its question).

    With ``problems``, what is wrong is added there and left out of the result; without, the
    problems of the mapping are raised together.
    """
    found = Problems() if problems is None else problems
    codes = answers_to_codes(questions, answers, location, found)
    if problems is None:
        found.raise_if_any(source=source)
    return codes


def answers_to_codes(
    questions: Mapping[str, Question],
    answers: Any,
    location: str,
    problems: Problems,
    *,
    scope: Scope | None = None,
    kb: KnowledgeBase | None = None,
) -> dict[str, str]:
    if not isinstance(answers, Mapping):
        problems.add(
            lambda: Problem(
                location,
                msg("error.answers.not_mapping"),
                found=shown(answers),
                allowed=msg("error.answers.not_mapping.allowed"),
                advice=msg("error.answers.not_mapping.hint", example='answers: {personal_data: "yes"}'),
            )
        )
        return {}
    normalised: dict[str, str] = {}
    for question_id, value in answers.items():
        where = f"{location}.{path_key(question_id)}"
        question = questions.get(str(question_id))
        if question is None:
            problems.add(partial(_no_question, question_id, where, questions, scope, kb), answer=True)
        elif scope is not None and scope not in question.scope:
            problems.add(partial(_wrong_level, question, where), answer=True)
        elif isinstance(code := _code_of(question, value), str):
            normalised[question.id] = code
        else:
            problems.add(partial(_answer_problem, question, value, where, code), answer=True)
    return normalised


def _no_question(
    question_id: object, where: str, questions: Mapping[str, Question], scope: Scope | None, kb: KnowledgeBase | None
) -> Problem:
    here = [q.id for q in kb.questions_for(scope)] if kb is not None and scope is not None else list(questions)
    return Problem(
        where,
        msg("error.answers.no_question", question=shown(str(question_id))),
        found=shown(str(question_id)),
        allowed=", ".join(here),
        advice=msg("error.answers.no_question.hint", questions=", ".join(here)),
    )


def _wrong_level(question: Question, where: str) -> Problem:
    homes = ["answers"] if question.system_only else [f"{s}s[…].answers" for s in question.scope]
    home: Said = homes[0]
    for other in homes[1:]:
        home = msg("error.or", first=home, second=other)
    return Problem(
        where,
        msg("error.answers.wrong_level", question=question.id),
        found=question.id,
        allowed=home,
        advice=msg("error.answers.wrong_level.hint", home=home),
    )


def _answer_problem(question: Question, value: Any, where: str, candidates: tuple[str, ...] | None) -> Problem:
    if candidates:
        listed = ", ".join(candidates)
        return Problem(
            where,
            msg("error.answers.ambiguous", value=shown(value), question=question.id, answers=listed),
            found=shown(value),
            allowed=listed,
            advice=msg("error.answers.ambiguous.hint", answers=listed),
        )
    allowed = ", ".join((*question.codes, UNKNOWN))
    return Problem(
        where,
        msg("error.answers.not_an_answer", value=shown(value), question=question.id),
        found=shown(value),
        allowed=allowed,
        advice=msg("error.answers.not_an_answer.hint", answers=allowed),
    )


def normalise_answer(question: Question, value: Any, *, location: str = "", source: str = "") -> str:
    """One answer to its code: accepts codes, labels (whole or without their bracketed examples),
    aliases, booleans and "unknown" words."""
    code = _code_of(question, value)
    if isinstance(code, str):
        return code
    raise AnswerError.listing([_answer_problem(question, value, location, code)], count=1, source=source)


def _code_of(question: Question, value: Any) -> str | tuple[str, ...] | None:
    """The code ``value`` designates; the candidates when it could mean several; None when none."""
    if value is None:
        return UNKNOWN
    if isinstance(value, bool) and question.type == "boolean":
        return "yes" if value else "no"
    if not isinstance(value, str):
        return None
    key = _fold(value)
    if key in UNKNOWN_WORDS:
        return UNKNOWN
    codes = _codes_by_word(question).get(key)
    if codes is None:
        return None
    return codes[0] if len(codes) == 1 else codes


def _codes_by_word(question: Question) -> dict[str, tuple[str, ...]]:
    """Every accepted word of a question, folded, to the codes it designates (more than one: ambiguous).

    Words come in three ranks, a word of a higher rank hiding the same word lower down: codes;
    full labels and aliases; labels without their bracketed part ("Any other purpose").
    """
    # Kept by the question's identity: hashing a question (a pydantic model) costs more than the lookup.
    found = _words_of.get(id(question))
    if found is None or found[0] is not question:
        if len(_words_of) >= 1024:
            _words_of.clear()
        ranks = (
            [(option.code, (option.code,)) for option in question.options],
            [(option.code, (option.label.fr, option.label.en, *option.aliases)) for option in question.options],
            [
                (option.code, (_unbracketed(option.label.fr), _unbracketed(option.label.en)))
                for option in question.options
            ],
        )
        words: dict[str, tuple[str, ...]] = {}
        for rank in ranks:
            here: dict[str, tuple[str, ...]] = {}
            for code, written in rank:
                for word in map(_fold, written):
                    if word and word not in words and code not in here.get(word, ()):
                        here[word] = (*here.get(word, ()), code)
            words.update(here)
        found = _words_of[id(question)] = (question, words)
    return found[1]


_words_of: dict[int, tuple[Question, dict[str, tuple[str, ...]]]] = {}
_BRACKETED = re.compile(r"\s*\([^()]*\)")


def _unbracketed(label: str) -> str:
    """A label without its parenthesised parts: "Any other purpose (commercial…)" -> "Any other purpose"."""
    while True:
        shorter = _BRACKETED.sub("", label)
        if shorter == label:
            return shorter.strip()
        label = shorter


def _fold(text: str) -> str:
    """Case, accents, apostrophes and runs of spaces do not matter when matching answers."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
