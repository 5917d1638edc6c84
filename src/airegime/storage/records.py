"""Plain, immutable views of what is stored, handed to the web app and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from airegime.engine.results import Assessment, PhaseResult
from airegime.system import System


@dataclass(frozen=True, slots=True)
class Context:
    """A deployment context as it is now (``id`` is stable across renames)."""

    id: int
    name: str
    description: str
    position: int


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
        return {
            "phase": self.phase,
            "name": self.name,
            "status": self.status,
            "outcome": self.outcome,
            "possible": list(self.possible),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PhaseSummary:
        return cls(data["phase"], data["name"], data["status"], data["outcome"], tuple(data["possible"]))


@dataclass(frozen=True, slots=True)
class Saved:
    """A saved assessment's current state: details, contexts in order, current answers."""

    id: int
    name: str
    organisation: str
    description: str
    development_description: str
    contexts: tuple[Context, ...]
    system_answers: dict[str, str]
    development_answers: dict[str, str]
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
                "development": {"description": self.development_description, "answers": self.development_answers},
                "deployments": [
                    {"name": c.name, "description": c.description, "answers": self.context_answers.get(c.id, {})}
                    for c in self.contexts
                ],
            }
        )

    def context_at(self, index: int) -> Context:
        return self.contexts[index]

    def index_of(self, context_id: int) -> int | None:
        return next((i for i, c in enumerate(self.contexts) if c.id == context_id), None)

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
    context_name: str
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
    """Pair phases by position (contexts do not move during a re-check) and compare them."""
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
