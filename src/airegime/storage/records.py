"""Plain, immutable views of what is stored, handed to the web app and the API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from airegime.engine.results import Assessment, PhaseResult
from airegime.system import System

Phase = Literal["development", "deployment"]  # a Context's kind: development processing or deployment context


@dataclass(frozen=True, slots=True)
class Context:
    """A development processing or a deployment context as it is now (``id`` is stable across
    renames, and unique among both kinds)."""

    id: int
    name: str
    description: str
    position: int
    phase: str = "deployment"  # or "development"


@dataclass(frozen=True, slots=True)
class PhaseSummary:
    """One phase of the latest result, enough to show the regimes at a glance."""

    phase: str
    name: str
    status: str
    outcome: str | None
    possible: tuple[str, ...] = ()

    @classmethod
    def of(cls, result: PhaseResult) -> PhaseSummary:
        return cls(result.phase, result.name, result.status, result.outcome, result.possible)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "possible": list(self.possible)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PhaseSummary:
        return cls(data["phase"], data["name"], data["status"], data["outcome"], tuple(data["possible"]))


@dataclass(frozen=True, slots=True)
class Saved:
    """A saved assessment's current state: details, development processings and deployment
    contexts in order, current answers (``context_answers``: by the id of either kind)."""

    id: int
    name: str
    organisation: str
    description: str
    developments: tuple[Context, ...]
    contexts: tuple[Context, ...]
    system_answers: dict[str, str]
    context_answers: dict[int, dict[str, str]]
    created_at: datetime
    updated_at: datetime
    rule_set_version: str
    rule_set_hash: str
    summary: tuple[PhaseSummary, ...]

    def system(self) -> System:
        """The descriptor the engine reads (answers were checked when they were stored)."""
        return System.model_validate(
            {
                "name": self.name,
                "organisation": self.organisation,
                "description": self.description,
                "answers": self.system_answers,
                "developments": [self._phase(d) for d in self.developments],
                "deployments": [self._phase(c) for c in self.contexts],
            }
        )

    def _phase(self, context: Context) -> dict[str, Any]:
        return {"name": context.name, "description": context.description, "answers": self.answers_of(context.id)}

    def answers_of(self, context_id: int) -> dict[str, str]:
        """The answers of a development processing or a deployment context."""
        return self.context_answers.get(context_id, {})

    @property
    def development_answers(self) -> dict[str, str]:
        """The first development processing's answers."""
        return self.answers_of(self.developments[0].id)

    @property
    def development_description(self) -> str:
        """The first development processing's description."""
        return self.developments[0].description

    def index_of(self, context_id: int) -> int | None:
        """A deployment context's position (None: no such context)."""
        return next((i for i, c in enumerate(self.contexts) if c.id == context_id), None)

    def development_index_of(self, development_id: int) -> int | None:
        """A development processing's position (None: no such development processing)."""
        return next((i for i, d in enumerate(self.developments) if d.id == development_id), None)

    def is_stale(self, kb_hash: str) -> bool:
        """True when the stored result was computed with another rule set than ``kb_hash``."""
        return self.rule_set_hash != kb_hash


@dataclass(frozen=True, slots=True)
class ListItem:
    id: int
    name: str
    organisation: str
    updated_at: datetime
    rule_set_hash: str
    summary: tuple[PhaseSummary, ...]


@dataclass(frozen=True, slots=True)
class Page:
    items: tuple[ListItem, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change. For an answer: ``question``, the new ``value`` (None: withdrawn) and ``previous``."""

    at: datetime
    kind: str
    scope: str | None
    context_name: str  # the development processing's or the deployment context's name ("" for the system)
    question: str | None
    value: str | None
    previous: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class EvaluationRecord:
    at: datetime
    rule_set_version: str
    rule_set_hash: str
    reason: str
    summary: tuple[PhaseSummary, ...]


@dataclass(frozen=True, slots=True)
class PhaseChange:
    """A phase before and after a re-check under the current rule set."""

    name: str
    phase: str
    before: PhaseSummary | None
    after: PhaseSummary
    rules_before: tuple[str, ...]
    rules_after: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return (
            self.before is None
            or (self.before.status, self.before.outcome) != (self.after.status, self.after.outcome)
            or self.rules_before != self.rules_after
        )


@dataclass(frozen=True, slots=True)
class Recheck:
    old_version: str
    old_hash: str
    new_version: str
    new_hash: str
    phases: tuple[PhaseChange, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return any(p.changed for p in self.phases)


def phase_changes(before: Assessment | None, after: Assessment) -> tuple[PhaseChange, ...]:
    """Pair phases by position (phases do not move during a re-check) and compare them."""
    old = before.phases if before is not None else ()
    changes = []
    for i, new in enumerate(after.phases):
        prior = old[i] if i < len(old) else None
        changes.append(
            PhaseChange(
                name=new.name,
                phase=new.phase,
                before=PhaseSummary.of(prior) if prior else None,
                after=PhaseSummary.of(new),
                rules_before=prior.rules if prior else (),
                rules_after=new.rules,
            )
        )
    return tuple(changes)
