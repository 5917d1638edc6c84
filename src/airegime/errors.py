"""Every error airegime raises on purpose.

    AiregimeError                 base: catch this to catch them all
    ├── KnowledgeBaseError        the YAML knowledge base is malformed (file, id, field)
    ├── DescriptorError           a system descriptor is malformed (path inside the file)
    │   └── AnswerError           an answer names an unknown question or value
    │                             (both carry every problem found: ``problems``, ``count``)
    └── VerificationError         the rule set is incomplete or ambiguous (raised on demand)

Library errors carry their context as attributes; the command line and the web app turn
them into exit codes and HTTP responses at the edge, never inside the library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Self


class AiregimeError(Exception):
    """Base class: a message for people, plus a hint saying what to do."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


class KnowledgeBaseError(AiregimeError):
    """A knowledge-base file is wrong: names the file, the entry id and the field."""

    def __init__(self, message: str, *, file: str, id: str = "", field: str = "", hint: str = ""):
        where = file + (f", id '{id}'" if id else "") + (f", field '{field}'" if field else "")
        super().__init__(f"{where}: {message}", hint=hint)
        self.file = file
        self.id = id
        self.field = field


class DescriptorError(AiregimeError):
    """A system descriptor is wrong: `location` is the path inside it, e.g. deployments[1].answers.purpose.

    ``problems`` lists what is wrong (at most :data:`MAX_LISTED`), ``count`` how many problems were
    found in all. Raised with a single problem, it reads as it always did; with several, ``location``,
    ``found`` and ``allowed`` are the first one's and the message lists them all.
    """

    def __init__(
        self,
        message: str,
        *,
        location: str = "",
        source: str = "",
        hint: str = "",
        found: str = "",
        allowed: str = "",
    ) -> None:
        where = ": ".join(part for part in (source, location) if part)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.location = location
        self.source = source
        self.reason = message
        self.problems: tuple[Problem, ...] = (Problem(location, message, found=found, allowed=allowed, hint=hint),)
        self.count = 1

    @classmethod
    def listing(cls, problems: Sequence[Problem], *, count: int, source: str = "") -> Self:
        """One error for every problem found (``problems`` the first ones, ``count`` all of them)."""
        first = problems[0]
        if count == 1:
            return cls(
                first.message,
                location=first.path,
                source=source,
                hint=first.hint,
                found=first.found,
                allowed=first.allowed,
            )
        error = cls(
            f"{count:,} problems in the descriptor, the first: {first.message}",
            location=first.path,
            source=source,
            hint="correct each of them; nothing is read until all are",
            found=first.found,
            allowed=first.allowed,
        )
        lines = [f"  {problem.line()}" for problem in problems]
        if count > len(problems):
            lines.append(f"  … and {count - len(problems):,} more")
        heading = f"{source}: " if source else ""
        error.message = f"{heading}{count:,} problems in the descriptor:\n" + "\n".join(lines)
        error.problems, error.count = tuple(problems), count
        return error


class AnswerError(DescriptorError):
    """An answer names a question that does not exist here, or a value the question does not allow."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a descriptor: where (``deployments[1].answers.purpose``, "" for the whole
    document), what is wrong, the value found there, what is allowed there, and what to do."""

    path: str
    message: str
    found: str = ""
    allowed: str = ""
    hint: str = ""

    def line(self) -> str:
        said = f"{self.path}: {self.message}" if self.path else self.message
        return f"{said} → {self.hint}" if self.hint else said

    def to_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "found": self.found,
            "allowed": self.allowed,
            "message": self.message,
            "hint": self.hint,
        }


MAX_LISTED = 50  # problems kept and shown: a hostile file costs its reading time, not a huge error


class Problems:
    """Problems found while reading a descriptor: the first :data:`MAX_LISTED` kept, the rest counted."""

    def __init__(self) -> None:
        self.listed: list[Problem] = []
        self.count = 0
        self.answers_only = True  # AnswerError when every problem is an answer's

    def add(self, make: Callable[[], Problem], *, answer: bool = False) -> None:
        """Count a problem; ``make`` builds it only while the list has room (it may format a large value)."""
        self.count += 1
        self.answers_only = self.answers_only and answer
        if len(self.listed) < MAX_LISTED:
            self.listed.append(make())

    def raise_if_any(self, *, source: str = "", order: Callable[[Problem], Any] | None = None) -> None:
        if not self.count:
            return
        listed = sorted(self.listed, key=order) if order else self.listed
        kind = AnswerError if self.answers_only else DescriptorError
        raise kind.listing(listed, count=self.count, source=source)


class VerificationError(AiregimeError):
    """The rule set has a gap, an overlap, an unreachable rule or a question without effect."""
