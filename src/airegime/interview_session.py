"""An interview in progress, independent of any user interface.

The terminal interview needs this bookkeeping around the engine's ``next_question``: the answers
so far, an undo stack, deployment contexts that come and go, and a descriptor to save. This module
holds that, and nothing about how questions are shown.

Every change is checked by ``parse_system`` before it is kept, so a rejected change leaves the
session exactly as it was. The state is an immutable ``System``; the undo stack keeps the
previous ``System`` objects, so undoing any change (answer, new context, rename, removal) is
the same operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from airegime.answers import normalise_answer
from airegime.engine.interview import NextQuestion, next_question
from airegime.errors import SessionError, msg, msg_plural
from airegime.kb.models import KnowledgeBase, Phase, Question, Scope
from airegime.system import System, parse_system

ChangeKind = Literal["answer", "add_deployment", "rename_deployment", "remove_deployment"]
MAX_UNDO = 1_000  # a long session stays small: each entry is one frozen System


@dataclass(frozen=True, slots=True)
class Change:
    """What a change did, so an interface can say what was undone."""

    kind: ChangeKind
    scope: Scope | None = None
    deployment_index: int | None = None
    question_id: str = ""
    name: str = ""
    development_index: int | None = None


@dataclass(frozen=True, slots=True)
class AnsweredQuestion:
    """One answer given so far, with where it belongs."""

    scope: Scope
    deployment_index: int | None
    question: Question
    answer: str
    development_index: int | None = None  # for a development's answer: which development processing


class InterviewSession:
    """The answers so far, with undo. Build with ``start`` or ``from_system``."""

    def __init__(self, kb: KnowledgeBase, system: System) -> None:
        self.kb = kb
        self._system = system
        self._undo: list[tuple[System, Change]] = []

    @classmethod
    def start(
        cls, kb: KnowledgeBase, *, name: str, first_deployment: str, organisation: str = "", description: str = ""
    ) -> InterviewSession:
        """A new system with one deployment context and no answers yet."""
        data = {
            "name": name,
            "organisation": organisation,
            "description": description,
            "deployments": [{"name": first_deployment}],
        }
        return cls(kb, parse_system(data, kb=kb))

    @classmethod
    def from_system(cls, kb: KnowledgeBase, system: System) -> InterviewSession:
        """Continue from a saved descriptor: the next question follows from its answers."""
        return cls(kb, system)

    # Reading

    @property
    def system(self) -> System:
        return self._system

    def next_question(self) -> NextQuestion | None:
        return next_question(kb=self.kb, system=self._system)

    def deployment_names(self) -> list[str]:
        return [deployment.name for deployment in self._system.deployments]

    def answered(self) -> list[AnsweredQuestion]:
        """Every answer so far, in interview order: system, each development, each deployment."""
        system = self._system
        groups: list[tuple[Scope, int | None, int | None, Mapping[str, str]]] = [
            ("system", None, None, system.answers),
            *(("development", None, i, d.answers) for i, d in enumerate(system.developments)),
            *(("deployment", i, None, d.answers) for i, d in enumerate(system.deployments)),
        ]
        return [
            AnsweredQuestion(scope, index, question, answers[question.id], development)
            for scope, index, development, answers in groups
            for question in self.kb.questions_for(scope)
            if question.id in answers
        ]

    def to_descriptor(self) -> dict[str, Any]:
        """The descriptor (YAML/JSON-ready) that ``airegime assess`` reads."""
        return self._system.to_dict()

    # Changing

    def answer(
        self,
        scope: Scope,
        deployment_index: int | None,
        question_id: str,
        value: Any,
        *,
        development_index: int | None = None,
    ) -> str:
        """Record an answer (a code, label, alias, boolean or "unknown"); returns its code.

        ``development_index``: which development processing, for a development's answer (the first by default).
        """
        question = self.kb.question_by_id.get(question_id)
        development = self._index("development", development_index) if scope == "development" else None
        location = _location(scope, deployment_index if scope == "deployment" else development)
        if question is None or scope not in question.scope:
            raise SessionError(
                "no_question",
                msg("error.session.no_question", question=question_id),
                location=location,
                hint=msg("error.session.no_question.hint"),
            )
        code = normalise_answer(question, value, location=f"{location}.{question_id}")
        data = self._data()
        index = self._checked_index(scope, deployment_index) if scope == "deployment" else development
        _answers_at(data, scope, index)[question_id] = code
        self._apply(data, Change("answer", scope, deployment_index, question_id, development_index=development))
        return code

    def add_deployment(self, name: str, description: str = "") -> int:
        """Add a deployment context; returns its index. Names must be distinct."""
        name = self._new_name(name)
        data = self._data()
        data["deployments"].append({"name": name, "description": description, "answers": {}})
        self._apply(data, Change("add_deployment", "deployment", len(data["deployments"]) - 1, name=name))
        return len(self._system.deployments) - 1

    def rename_deployment(self, index: int, name: str) -> None:
        index = self._index("deployment", index)
        name = self._new_name(name, ignore=index)
        data = self._data()
        data["deployments"][index]["name"] = name
        self._apply(data, Change("rename_deployment", "deployment", index, name=name))

    def remove_deployment(self, index: int) -> None:
        index = self._index("deployment", index)
        if len(self._system.deployments) == 1:
            raise SessionError(
                "last_deployment",
                msg("error.session.last_deployment"),
                location="deployments",
                hint=msg("error.session.last_deployment.hint"),
            )
        data = self._data()
        removed = data["deployments"].pop(index)
        self._apply(data, Change("remove_deployment", "deployment", index, name=removed["name"]))

    def undo(self) -> Change | None:
        """Take back the last change; returns it, or None when there is nothing to undo."""
        if not self._undo:
            return None
        self._system, change = self._undo.pop()
        return change

    # Internals

    def _data(self) -> dict[str, Any]:
        return self._system.to_dict()  # a fresh copy: editing it does not touch the session

    def _apply(self, data: dict[str, Any], change: Change) -> None:
        new = parse_system(data, kb=self.kb)  # raises before anything is kept
        self._undo.append((self._system, change))
        del self._undo[:-MAX_UNDO]
        self._system = new

    def _checked_index(self, scope: Scope, index: int | None) -> int | None:
        return self._index("deployment", index) if scope == "deployment" else None

    def _index(self, phase: Phase, index: int | None) -> int:
        """``index`` checked against the phases of that kind; none names the first development processing."""
        development = phase == "development"
        count = len(self._system.developments if development else self._system.deployments)
        if index is None and development:
            return 0
        if index is None or not 0 <= index < count:
            raise SessionError(
                f"no_{phase}",
                msg("error.session.no_development" if development else "error.session.no_deployment", index=index),
                location=f"{phase}s",
                hint=msg_plural(
                    "error.session.no_development.hint" if development else "error.session.no_deployment.hint", count
                ),
            )
        return index

    def _new_name(self, name: str, ignore: int | None = None) -> str:
        name = " ".join(name.split())
        if not name:
            raise SessionError(
                "empty_name",
                msg("error.session.empty_name"),
                location="deployments",
                hint=msg("error.session.empty_name.hint"),
            )
        taken = {d.name.casefold() for i, d in enumerate(self._system.deployments) if i != ignore}
        if name.casefold() in taken:
            raise SessionError(
                "duplicate_name",
                msg("error.session.duplicate_name", name=name),
                location="deployments",
                hint=msg("error.session.duplicate_name.hint"),
                name=name,
            )
        return name


def _location(scope: Scope, index: int | None) -> str:
    """Where an answer sits in the descriptor: answers, developments[i].answers or deployments[i].answers."""
    if scope == "system":
        return "answers"
    return f"{scope}s[{index}].answers"


def _answers_at(data: dict[str, Any], scope: Scope, index: int | None) -> dict[str, Any]:
    if scope == "system":
        answers: dict[str, Any] = data["answers"]
    elif scope == "development":
        answers = data["developments"][index or 0]["answers"]
    else:
        answers = data["deployments"][index]["answers"]
    return answers
