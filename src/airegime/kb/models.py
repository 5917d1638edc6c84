"""The knowledge base as typed, immutable objects.

Everything here is loaded from the YAML files under ``airegime/knowledge/`` by
:mod:`airegime.kb.loader`, which also cross-checks references. Conditions are a small,
closed vocabulary (``all``, ``any``, ``not``, ``question`` + ``is``/``in``): no code in data.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from airegime.errors import RefusedValue, msg
from airegime.i18n import N_, translate
from airegime.text import french_spacing

T = TypeVar("T")

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
Phase = Literal["development", "deployment"]
PHASES: tuple[Phase, ...] = ("development", "deployment")
Scope = Literal["system", "development", "deployment"]
UNKNOWN = "unknown"  # answered "I don't know"
NOT_ASKED = "not_asked"  # in explanations: never asked, as no answer to it could change the outcome


def as_lang(code: object) -> Lang | None:
    """``code`` as one of our languages, or None: the one check of a language code from outside."""
    return next((lang for lang in LANGS if lang == code), None)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in both languages; neither may be empty. French keeps its marks on the line (the
    knowledge base is written with plain spaces; its content hash is of what is written)."""

    fr: Annotated[str, AfterValidator(french_spacing)] = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en


class Link(_Strict):
    """An address in each language (the French page for French readers, the English one for the
    others). A plain string means the same address in both, for texts published in one language."""

    fr: str = Field(pattern=r"^https://\S+$")
    en: str = Field(pattern=r"^https://\S+$")

    @model_validator(mode="before")
    @classmethod
    def _one_for_both(cls, value: object) -> object:
        return {"fr": value, "en": value} if isinstance(value, str) else value

    def get(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en


# Pinpoints are written with English words ("art. 2(2)(c), recital 18") or, for French sources,
# with the source's own headings ("Cas n°1"), which stay as they are in both languages.
PINPOINT_WORDS = {"and": N_("pinpoint.and"), "recital": N_("pinpoint.recital"), "recitals": N_("pinpoint.recitals")}
_PINPOINT_WORD = re.compile(r"[^\W\d_]+")


class Citation(_Strict):
    """A pointer into a source: the source id and, optionally, the exact place (article, §)."""

    source: str
    pinpoint: str = ""

    def pinpoint_in(self, lang: Lang) -> str:
        """The pinpoint as a reader of ``lang`` expects it ("recital 18" is "considérant 18" in French)."""

        def said(word: str) -> str:
            return translate(PINPOINT_WORDS[word], lang) if word in PINPOINT_WORDS else word

        return _PINPOINT_WORD.sub(lambda m: said(m.group(0)), self.pinpoint)


class Source(_Strict):
    id: str
    title: Text
    short: Text  # the source as people cite it where room is short ("GDPR", "CJEU C-817/19")
    summary: Text  # what the text says that matters here, in a line (the law beside the rule)
    url: Link
    kind: Literal["cnil", "eu_law", "french_law", "case_law", "opinion"]

    def link(self, lang: Lang) -> str:
        """The address a reader of ``lang`` should follow."""
        return self.url.get(lang)


class AnswerOption(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    aliases: tuple[str, ...] = ()  # other words accepted in files and spreadsheets


class Question(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scope: tuple[Scope, ...] = Field(min_length=1)
    short: Text  # a few words, for tables, column headers and counterfactuals
    text: Text
    help: Text
    examples: tuple[Text, ...] = ()
    type: Literal["boolean", "choice"]
    options: tuple[AnswerOption, ...] = ()
    sources: tuple[Citation, ...] = Field(min_length=1)
    # Answers that only bring the processing within the law's reach (established in the Union,
    # personal data): a one-line reason leaves them out, the full list of deciding answers keeps them.
    background: tuple[str, ...] = ()

    @field_validator("scope")
    @classmethod
    def _system_scope_alone_or_with_both_phases(cls, scope: tuple[Scope, ...]) -> tuple[Scope, ...]:
        if "system" in scope and len(scope) not in (1, 3):
            raise RefusedValue(msg("error.kb.system_scope"))
        return scope

    @model_validator(mode="after")
    def _background_answers_exist(self) -> Question:
        unknown = [code for code in self.background if code not in self.codes]
        if unknown:
            raise RefusedValue(msg("error.kb.background", answers=unknown))
        return self

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """The allowed answers, without "unknown" (always allowed on top)."""
        return tuple(option.code for option in self.options)

    def option(self, code: str) -> AnswerOption:
        for option in self.options:
            if option.code == code:
                return option
        raise KeyError(code)

    def applies_to(self, phase: Phase) -> bool:
        return "system" in self.scope or phase in self.scope

    @property
    def system_only(self) -> bool:
        """Answered once for the whole system, never per phase."""
        return self.scope == ("system",)

    @property
    def overridable(self) -> bool:
        """Asked once for the system, and a phase's own answer, when given, wins."""
        return "system" in self.scope and len(self.scope) > 1


class NextStep(_Strict):
    text: Text
    url: Link | None = None

    def link(self, lang: Lang) -> str:
        """The address a reader of ``lang`` should follow, or "" for a step without one."""
        return self.url.get(lang) if self.url else ""


class SplitPart(_Strict):
    """One regime of a split outcome, and the purposes it governs."""

    outcome: str
    purposes: Text


class Outcome(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["regime", "split", "not_applicable", "case_by_case"]
    label: Text
    summary: Text
    competing: tuple[str, ...] = ()  # for case_by_case: the regimes in balance
    parts: tuple[SplitPart, ...] = ()  # for split: each regime, for its own purposes
    authority: Text | None = None
    next_steps: tuple[NextStep, ...] = ()
    sources: tuple[Citation, ...] = ()
    retired: bool = False  # no rule leads here any more; kept so that older saved results still read

    @property
    def regimes(self) -> tuple[str, ...]:
        """The regimes this outcome names: itself, its parts, or the competing regimes."""
        if self.parts:
            return tuple(part.outcome for part in self.parts)
        return self.competing or (self.id,)


# Conditions: parsed by the loader into these small immutable nodes.


@dataclass(frozen=True, slots=True)
class Atom:
    """``question`` has one of ``values``."""

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


Condition = Atom | AllOf | AnyOf | Not


def condition_questions(condition: Condition) -> frozenset[str]:
    """The questions a condition reads."""
    if isinstance(condition, Atom):
        return frozenset((condition.question,))
    if isinstance(condition, Not):
        return condition_questions(condition.item)
    return frozenset().union(*(condition_questions(item) for item in condition.items))


@dataclass(frozen=True)
class Rule:
    id: str
    phases: tuple[Phase, ...]
    when: Condition
    outcome: str
    title: Text
    explanation: Text
    sources: tuple[Citation, ...]
    caveat: Text | None = None

    @cached_property
    def questions(self) -> frozenset[str]:
        return condition_questions(self.when)


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole rule set, cross-checked. ``version`` is the editors' label, ``hash`` its content."""

    version: str
    hash: str
    title: Text
    disclaimer: Text
    caveats: tuple[Text, ...]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    outcomes: tuple[Outcome, ...]
    sources: tuple[Source, ...]

    @cached_property
    def question_by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    @cached_property
    def rule_by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def outcome_by_id(self) -> dict[str, Outcome]:
        return {outcome.id: outcome for outcome in self.outcomes}

    @cached_property
    def source_by_id(self) -> dict[str, Source]:
        return {source.id: source for source in self.sources}

    def citation_label(self, citation: Citation, lang: Lang) -> str:
        """ "Source title, pinpoint" in one language."""
        title = self.source_by_id[citation.source].title.get(lang)
        return f"{title}, {citation.pinpoint_in(lang)}" if citation.pinpoint else title

    def questions_for(self, scope: Scope) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if scope in q.scope)

    def phase_questions(self, phase: Phase) -> tuple[Question, ...]:
        """Questions a phase's outcome may read (the system's and the phase's own), in interview order."""
        return tuple(q for q in self.questions if q.applies_to(phase))

    def rules_for(self, phase: Phase) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if phase in rule.phases)


class per_rule_set(Generic[T]):  # lower case: a decorator, like functools.cache
    """``build(kb)`` done once per rule set (its version and content hash) and kept; a caller that
    comes while another thread builds it waits for that build rather than doing it again."""

    def __init__(self, build: Callable[[KnowledgeBase], T]) -> None:
        self._build = build
        self._built: dict[tuple[str, str], T] = {}
        self._building = threading.Lock()
        functools.update_wrapper(self, build)

    def __call__(self, kb: KnowledgeBase) -> T:
        key = (kb.version, kb.hash)  # the hash covers the whole content
        if key not in self._built:
            with self._building:
                if key not in self._built:
                    self._built[key] = self._build(kb)
        return self._built[key]

    def is_built(self, kb: KnowledgeBase) -> bool:
        return (kb.version, kb.hash) in self._built
