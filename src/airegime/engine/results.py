"""What the engine returns: plain, immutable data that every view (text, JSON, HTML…) reads.

The JSON form (``Assessment.to_dict``) is versioned by ``ASSESSMENT_FORMAT`` and documented in
``docs/json.md``; ``Assessment.from_dict`` reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from airegime.kb.models import Phase
from airegime.system import System

Status = Literal["determined", "undetermined", "case_by_case"]
ASSESSMENT_FORMAT = "airegime.assessment/2"
READABLE_FORMATS = ("airegime.assessment/1", ASSESSMENT_FORMAT)


class Dependency(NamedTuple):
    """An unanswered question that would narrow the outcome, with what each answer would give and
    how many outcomes are expected to remain once it is answered (the mean over its answers)."""

    question: str
    outcomes_by_answer: tuple[tuple[str, tuple[str, ...]], ...]
    expected_outcomes: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "outcomes_by_answer": {answer: list(outcomes) for answer, outcomes in self.outcomes_by_answer},
            "expected_outcomes": self.expected_outcomes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Dependency:
        by_answer = tuple((a, tuple(o)) for a, o in data["outcomes_by_answer"].items())
        return cls(data["question"], by_answer, float(data.get("expected_outcomes", 0.0)))


class Reason(NamedTuple):
    """The reason that decided a phase: the fewest of the given answers that force its outcome
    whatever the other questions' answers (``answers``: (question, answer code), in interview
    order), and the rule that states it (None when several rules remain possible, each leading to
    the outcome, and the open questions would only say which)."""

    answers: tuple[tuple[str, str], ...]
    rule: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"answers": dict(self.answers), "rule": self.rule}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reason:
        return cls(tuple(data["answers"].items()), data["rule"])


class PhaseResult(NamedTuple):  # a named tuple: immutable, and cheap to build on the hot path
    """The regime of one phase: the development, or one deployment context.

    ``outcome`` is set when ``status`` is determined or case_by_case; when undetermined it is
    None and ``possible`` lists what the open questions (``depends_on``) can still lead to.
    ``rules`` are the rules that decide it (for an undetermined phase: those still possible),
    ``questions`` the questions those rules read, ``sources`` the sources they cite, and
    ``unanswered`` those of the questions still unanswered: when several rules remain possible
    but lead to one outcome, the outcome holds whatever the answers to them. ``reason`` is the
    reason that decided (None while undetermined); ``depends_on`` is ranked, the question that
    narrows the outcome most first.
    """

    phase: Phase
    name: str
    status: Status
    outcome: str | None
    possible: tuple[str, ...]
    rules: tuple[str, ...]
    questions: tuple[str, ...]
    sources: tuple[str, ...]
    depends_on: tuple[Dependency, ...] = ()
    deployment_index: int | None = None
    unanswered: tuple[str, ...] = ()
    development_index: int | None = None
    reason: Reason | None = None

    @property
    def position(self) -> int:
        """Its position among the phases of its kind (developments, or deployments)."""
        return (self.development_index if self.phase == "development" else self.deployment_index) or 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "name": self.name,
            "deployment_index": self.deployment_index,
            "development_index": self.development_index,
            "status": self.status,
            "outcome": self.outcome,
            "possible": list(self.possible),
            "rules": list(self.rules),
            "questions": list(self.questions),
            "sources": list(self.sources),
            "depends_on": [d.to_dict() for d in self.depends_on],
            "unanswered": list(self.unanswered),
            "reason": self.reason.to_dict() if self.reason else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PhaseResult:
        return cls(
            phase=data["phase"],
            name=data["name"],
            status=data["status"],
            outcome=data["outcome"],
            possible=tuple(data["possible"]),
            rules=tuple(data["rules"]),
            questions=tuple(data["questions"]),
            sources=tuple(data["sources"]),
            depends_on=tuple(Dependency.from_dict(d) for d in data["depends_on"]),
            deployment_index=data["deployment_index"],
            unanswered=tuple(data.get("unanswered", ())),
            development_index=data.get("development_index", 0 if data["phase"] == "development" else None),
            reason=Reason.from_dict(data["reason"]) if data.get("reason") else None,
        )


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result for a whole system: one result per development processing and per deployment context."""

    system: System
    rule_set_version: str
    rule_set_hash: str
    developments: tuple[PhaseResult, ...]
    deployments: tuple[PhaseResult, ...]

    @property
    def development(self) -> PhaseResult:
        """The first (usually the only) development processing."""
        return self.developments[0]

    @property
    def phases(self) -> tuple[PhaseResult, ...]:
        """The development processings, then each deployment context."""
        return (*self.developments, *self.deployments)

    @property
    def complete(self) -> bool:
        """True when every phase is determined (no open question, no case-by-case)."""
        return all(phase.status == "determined" for phase in self.phases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": ASSESSMENT_FORMAT,
            "rule_set": {"version": self.rule_set_version, "hash": self.rule_set_hash},
            "system": self.system.to_dict(),
            "phases": [phase.to_dict() for phase in self.phases],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        """Read an assessment's JSON back (format 1 too: its system is then kept as it was written)."""
        if data.get("format") not in READABLE_FORMATS:
            raise ValueError(f"not an {ASSESSMENT_FORMAT} document (format: {data.get('format')!r})")
        phases = [PhaseResult.from_dict(p) for p in data["phases"]]
        return cls(
            system=System.model_validate(data["system"]),
            rule_set_version=data["rule_set"]["version"],
            rule_set_hash=data["rule_set"]["hash"],
            developments=tuple(p for p in phases if p.phase == "development"),
            deployments=tuple(p for p in phases if p.phase == "deployment"),
        )
