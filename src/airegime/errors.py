"""Every error airegime raises on purpose.

    AiregimeError                 base: catch this to catch them all
    ├── KnowledgeBaseError        the YAML knowledge base is malformed (file, id, field)
    ├── DescriptorError           a system descriptor is malformed (path inside the file)
    │   └── AnswerError           an answer names an unknown question or value
    └── VerificationError         the rule set is incomplete or ambiguous (raised on demand)

Library errors carry their context as attributes; the command line and the web app turn
them into exit codes and HTTP responses at the edge, never inside the library.
"""

from __future__ import annotations


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
    """A system descriptor is wrong: `location` is the path inside it, e.g. deployments[1].answers.purpose."""

    def __init__(self, message: str, *, location: str = "", source: str = "", hint: str = ""):
        where = ": ".join(part for part in (source, location) if part)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.location = location
        self.source = source
        self.reason = message


class AnswerError(DescriptorError):
    """An answer names a question that does not exist here, or a value the question does not allow."""


class VerificationError(AiregimeError):
    """The rule set has a gap, an overlap, an unreachable rule or a question without effect."""
