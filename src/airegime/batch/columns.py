"""The inventory's columns: which column holds which answer, and answers to integer codes.

Column names are fixed identifiers, whatever the language of the answers (a column may also
be headed by its label in French or English, "Finalité (déploiement)", as ``column_label`` gives it):

* ``system_id`` (required) groups the rows of one system; ``system_name`` and
  ``deployment_name`` are optional labels;
* ``system.<question>`` for system-level questions, ``development.<question>`` and
  ``deployment.<question>`` for the phases' questions. A question asked in only one of these
  may also be written without its prefix (``development_uses``…);
* a question asked for the system that a phase may override (``establishment``) has a column
  for each: ``system.establishment``, and ``development.establishment`` /
  ``deployment.establishment`` where a phase's controller is established elsewhere. A blank
  phase cell means "the system's answer";
* any other column is carried through to the results unchanged.

Inventories written for descriptor format 1 (columns ``household``, ``eu_link``,
``controller_kind``, ``use_defined``…) are recognised by those columns: their answers are read
with the format-1 questions and mapped to format 2 by :mod:`airegime.batch.format1`.

Answers are normalised like descriptors (``airegime.answers.normalise_answer``): codes, French
or English labels and aliases, yes/no booleans; blank means "I don't know". Each column's
distinct values are normalised once, then mapped to codes for the whole column.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import polars as pl

from airegime.answers import normalise_answer
from airegime.errors import AnswerError, LayoutError, Message, msg
from airegime.i18n import N_, translate
from airegime.kb.models import LANGS, PHASES, KnowledgeBase, Lang, Phase, Question, Scope
from airegime.render.summary import quoted
from airegime.upgrade import format1_questions

SYSTEM_ID = "system_id"
INVALID = 255  # code of a cell that is not an allowed answer
SCOPES: tuple[Scope, ...] = ("system", "development", "deployment")
SCOPE_WORDS: dict[Scope, str] = {  # as a column label ends: "Purpose (deployment)"
    "system": N_("column.scope.system"),
    "development": N_("column.scope.development"),
    "deployment": N_("column.scope.deployment"),
}


@dataclass(frozen=True)
class AnswerColumn:
    name: str  # as written in the file
    scope: Scope
    question: Question

    @property
    def canonical(self) -> str:
        return canonical_name(self.scope, self.question.id)

    @property
    def unknown_code(self) -> int:
        return len(self.question.codes)

    @property
    def phases(self) -> tuple[Phase, ...]:
        """The phases that read this column: a system-level answer is read by both."""
        return PHASES if self.scope == "system" else (self.scope,)


def canonical_name(scope: Scope, question_id: str) -> str:
    return f"{scope}.{question_id}"


def column_label(scope: Scope, question: Question, lang: Lang) -> str:
    """A column in words, for people: "Finalité (déploiement)", "Purpose (deployment)"."""
    return f"{question.short.get(lang)} ({translate(SCOPE_WORDS[scope], lang)})"


def header_key(name: str) -> str:
    """How headers are matched: case, accents, apostrophes and repeated spaces do not matter."""
    folded = unicodedata.normalize("NFKD", " ".join(name.split()).casefold().replace("’", "'"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def inventory_columns(kb: KnowledgeBase) -> list[tuple[Scope, Question]]:
    """Every answer column of an inventory, in interview order: system, development, deployment."""
    return [(scope, q) for scope in SCOPES for q in kb.questions_for(scope)]


def format1_columns() -> list[tuple[Scope, Question]]:
    """Every answer column of a format-1 inventory (the format-1 questions), in the same order."""
    questions = format1_questions().values()
    return [(scope, q) for scope in SCOPES for q in questions if scope in q.scope]


@dataclass(frozen=True)
class UnreadColumn:
    """A column carried through unread that looks like an answer column (a typo, or a question
    asked in both phases headed without its phase): ``suggestions``, the columns it may mean."""

    name: str  # as written in the file
    suggestions: tuple[str, ...]  # canonical names: one, or the column of each phase

    def message(self) -> Message:
        if len(self.suggestions) == 1:
            return msg("batch.unread.near", column=self.name, suggestion=self.suggestions[0])
        return msg("batch.unread.phases", column=self.name, columns=", ".join(self.suggestions))


@dataclass(frozen=True)
class Layout:
    system_id: str
    answers: tuple[AnswerColumn, ...]
    passthrough: tuple[str, ...]
    format: int = 2  # 1: the answer columns are format-1 questions, mapped to format 2 when assessed
    unread: tuple[UnreadColumn, ...] = ()  # passthrough columns that look like answer columns

    def column(self, scope: Scope, question_id: str) -> AnswerColumn | None:
        for column in self.answers:
            if column.scope == scope and column.question.id == question_id:
                return column
        return None


def _names(columns: list[tuple[Scope, Question]]) -> dict[str, tuple[Scope, Question]]:
    by_name: dict[str, tuple[Scope, Question]] = {}
    for scope, question in columns:
        by_name[canonical_name(scope, question.id)] = (scope, question)
        if len(question.scope) == 1:  # unambiguous without its prefix
            by_name.setdefault(question.id, (scope, question))
        for lang in LANGS:
            by_name.setdefault(header_key(column_label(scope, question, lang)), (scope, question))
    return by_name


def read_layout(columns: list[str], kb: KnowledgeBase) -> Layout:
    """Recognise the answer columns of a header; raise LayoutError if it is not an inventory."""
    current, old = _names(inventory_columns(kb)), _names(format1_columns())
    keys = [header_key(name) for name in columns]
    old_only = [name for name, key in zip(columns, keys, strict=True) if key in old and key not in current]
    new_only = [name for name, key in zip(columns, keys, strict=True) if key in current and key not in old]
    if old_only and new_only:
        raise LayoutError(
            msg("error.layout.mixed", old=", ".join(old_only[:4]), new=", ".join(new_only[:4])),
            hint=msg("error.layout.mixed.hint"),
        )
    by_name = old if old_only else current
    system_id = next((c for c in columns if c.strip().casefold() == SYSTEM_ID), None)
    if system_id is None:
        raise LayoutError(
            msg("error.layout.no_id", column=SYSTEM_ID, found=", ".join(columns[:12]) or msg("error.layout.none")),
            hint=msg("error.layout.no_id.hint"),
        )
    answers: list[AnswerColumn] = []
    passthrough: list[str] = []
    seen: dict[str, str] = {}
    for name, key in zip(columns, keys, strict=True):
        found = by_name.get(key)
        if found is None:
            if "." in key and key.split(".", 1)[0] in SCOPES:
                raise LayoutError(msg("error.layout.no_question", name=name), hint=msg("error.layout.no_question.hint"))
            if name != system_id:
                passthrough.append(name)
            continue
        column = AnswerColumn(name, *found)
        if column.canonical in seen:
            raise LayoutError(
                msg("error.layout.twice", first=seen[column.canonical], second=name, question=column.canonical),
                hint=msg("error.layout.twice.hint"),
            )
        seen[column.canonical] = name
        answers.append(column)
    unread = () if old_only else tuple(_unread(passthrough, kb))
    return Layout(system_id, tuple(answers), tuple(passthrough), 1 if old_only else 2, unread)


NEAR = 0.85  # difflib's similarity from which a header is taken for a misspelt answer column


def _unread(passthrough: list[str], kb: KnowledgeBase) -> list[UnreadColumn]:
    meant = _meant_columns(kb)
    found = []
    for name in passthrough:
        key = header_key(name)
        if len(key) > 100:  # longer than any answer column's name or label: not worth comparing
            continue
        close = [key] if key in meant else difflib.get_close_matches(key, meant, n=1, cutoff=NEAR)
        if close:
            found.append(UnreadColumn(name, meant[close[0]]))
    return found


def _meant_columns(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Headers a person may write for an answer column, each with the column(s) it means: names,
    labels, and a question's bare id or short name (the system's column where it has one, else
    each phase's)."""
    meant: dict[str, tuple[str, ...]] = {}
    for question in kb.questions:
        scopes = [scope for scope in SCOPES if scope in question.scope]
        canonical = tuple(canonical_name(scope, question.id) for scope in scopes)
        bare = canonical[:1] if scopes[0] == "system" else canonical
        meant[header_key(question.id)] = bare
        for lang in LANGS:
            meant.setdefault(header_key(question.short.get(lang)), bare)
        for scope, name in zip(scopes, canonical, strict=True):
            meant[header_key(name)] = (name,)
            for lang in LANGS:
                meant[header_key(column_label(scope, question, lang))] = (name,)
    return meant


@dataclass(frozen=True)
class EncodedColumn:
    codes: npt.NDArray[np.uint8]  # unknown = number of answers (also for invalid cells)
    invalid: npt.NDArray[np.bool_]  # cells that are not an answer
    expected: str  # what they should have held, in words


def encode_columns(columns: tuple[AnswerColumn, ...], frame: pl.DataFrame, lang: Lang = "en") -> list[EncodedColumn]:
    """Map every answer column's cells to answer codes.

    Each distinct value is normalised once (in Python); polars then turns every column into
    the indices of its distinct values, all columns at once, and a small table gives the codes.
    """
    if not columns:
        return []
    texts = frame.select(_as_text(frame.get_column(c.name)).alias(str(i)) for i, c in enumerate(columns))
    distinct = texts.select(pl.all().drop_nulls().unique().implode()).row(0)
    positions = texts.select(
        pl.col(str(i)).cast(pl.Enum(values)).to_physical().fill_null(len(values)) for i, values in enumerate(distinct)
    )
    encoded = []
    for i, column in enumerate(columns):
        table = np.array([*(_code(column, value) for value in distinct[i]), column.unknown_code], dtype=np.uint8)
        codes = table[positions.get_column(str(i)).to_numpy()]
        invalid = codes == INVALID
        if invalid.any():
            codes[invalid] = column.unknown_code
        encoded.append(EncodedColumn(codes, invalid, allowed_answers(column.question, lang)))
    return encoded


@lru_cache(maxsize=256)
def allowed_answers(question: Question, lang: Lang) -> str:
    """The answers a cell may hold, by their labels: "« Oui », « Non » ou « je ne sais pas » (ou une
    cellule vide)". Codes and the other language's labels are accepted too, but people type labels."""
    labels = [quoted(option.label.get(lang), lang) for option in question.options]
    return translate("allowed", lang, labels=", ".join(labels), unknown=quoted(translate("answer.unknown", lang), lang))


def _code(column: AnswerColumn, value: str) -> int:
    return _answer_code(column.question, value)


@lru_cache(maxsize=1 << 16)  # the same few spellings recur in every chunk of a file
def _answer_code(question: Question, value: str) -> int:
    try:
        answer = normalise_answer(question, value)
    except AnswerError:
        return INVALID
    return question.codes.index(answer) if answer in question.codes else len(question.codes)


def _as_text(values: pl.Series) -> pl.Series:
    """Cells as text; booleans from JSON or Parquet read as yes/no."""
    if values.dtype == pl.Boolean:
        return values.replace_strict({True: "yes", False: "no"}, return_dtype=pl.String)
    if values.dtype != pl.String:
        return values.cast(pl.String)
    return values
