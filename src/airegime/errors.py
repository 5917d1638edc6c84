"""Every error airegime raises on purpose.

    AiregimeError                 base: catch this to catch them all
    ├── KnowledgeBaseError        the YAML knowledge base is malformed (file, id, field)
    ├── DescriptorError           a system descriptor is malformed (path inside the file)
    │   ├── AnswerError           an answer names an unknown question or value
    │   │                         (both carry every problem found: ``problems``, ``count``)
    │   ├── SessionError          an interview session refuses a change (``code`` says which)
    │   ├── ScenarioError         a rule author's scenario file cannot be read or run
    │   └── DuplicateKeyError     a key given twice in a JSON or YAML mapping
    ├── InventoryError            an inventory cannot be assessed (batch)
    │   ├── InventoryReadError    the file is no table
    │   └── LayoutError           its columns are no inventory
    ├── StorageError              the saved assessments cannot honour a request
    │   ├── NotFoundError         no such assessment, development or deployment context
    │   ├── TransferError         a database export or import cannot go ahead
    │   ├── ReviewStateError      a review step the assessment's status does not allow
    │   ├── EvidenceRefused       a note, file or link refused for an answer (``reason``)
    │   └── QuotaExceeded         the organisation keeps its most uploaded inventories
    ├── AccountError              an account operation cannot be done
    │   ├── LoginRefused          wrong name or password, disabled account, no organisation
    │   ├── WeakPassword          a password refused (``reason``)
    │   └── LoginThrottled        too many failed logins (``retry_after``)
    ├── AccessDenied              a web or API request may not go on (401, 403, 503)
    ├── ApiError                  the REST API refuses a request (status, stable code)
    ├── VerificationError         the rule set is incomplete or ambiguous (raised on demand)
    └── MissingExtraError         a command needs an extra that is not installed (``extra``)

Library errors carry their context as attributes; the command line and the web app turn
them into exit codes and HTTP responses at the edge, never inside the library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self


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


class SessionError(DescriptorError):
    """A change an interview session refuses. ``code`` lets an interface say it in its own words:
    ``no_question``, ``no_deployment``, ``no_development``, ``last_deployment``,
    ``empty_name``, ``duplicate_name``.
    """

    def __init__(self, code: str, message: str, *, location: str = "", hint: str = "", name: str = "") -> None:
        super().__init__(message, location=location, hint=hint)
        self.code = code
        self.name = name


class ScenarioError(DescriptorError):
    """A scenario file (``airegime test``) that cannot be read, or a scenario that cannot be run:
    ``source`` is the file, ``location`` the place in it (e.g. ``scenarios[3].expect.development.status``)."""


class DuplicateKeyError(DescriptorError):
    """A key given twice in one mapping of a JSON or YAML document (``where``: its line, if known)."""

    def __init__(self, key: object, where: str = "") -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key, self.where = key, where


class InventoryError(AiregimeError):
    """An inventory (CSV, XLSX, ODS, Parquet) that cannot be assessed: nothing was assessed."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint=hint)


class InventoryReadError(InventoryError):
    """The file cannot be read as a table."""


class LayoutError(InventoryError):
    """The file's columns cannot be read as an inventory."""


class StorageError(AiregimeError):
    """A request the saved assessments cannot honour (the message says why, the hint what to do)."""


class NotFoundError(StorageError):
    """No saved assessment (or development processing, or deployment context) with this id."""


class TransferError(StorageError):
    """An export or import that cannot go ahead: the message says where, the hint what to do."""


class ReviewStateError(StorageError):
    """A review step the assessment's status does not allow (approving a draft, sending one in review…)."""


class EvidenceRefused(StorageError):
    """A note, file or link that cannot be kept with an answer; ``reason`` says why in a word
    (``note_too_long``, ``file_type``, ``file_too_large``, ``too_many``, ``empty``, ``archive``, ``macro``,
    ``markup``, ``url``, ``text``), for the pages' words and the API's code."""

    def __init__(self, reason: str, message: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class QuotaExceeded(StorageError):
    """The organisation holds its most uploaded inventories: nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the organisation already keeps {limit} uploaded inventories",
            hint="wait for older uploads to expire, or delete some",
        )
        self.limit = limit


class AccountError(AiregimeError):
    """An account operation that cannot be done (the message says why, the hint what to do)."""


class LoginRefused(AccountError):
    """Wrong name or password (never says which), a disabled account, or no organisation."""


class WeakPassword(AccountError):
    """A password refused for ``reason``: blank, length, name (the account's name) or common."""

    def __init__(self, reason: str, message: str, *, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class LoginThrottled(AccountError):
    """Too many failed logins lately; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            "too many failed logins", hint=f"wait {minutes} minute(s), or ask an administrator to reset the password"
        )
        self.retry_after = retry_after


class AccessDenied(AiregimeError):
    """A request that may not go on: 401 (who are you?), 403 (not allowed) or 503 (no accounts yet);
    ``reason`` says which in a word (``login``, ``role``, ``no_accounts``)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ApiError(AiregimeError):
    """An error the REST API answers itself, with its HTTP status, stable code and where in the request."""

    def __init__(self, status: int, code: str, message: str, *, where: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status, self.code, self.where = status, code, where


class VerificationError(AiregimeError):
    """The rule set has a gap, an overlap, an unreachable rule or a question without effect."""


class MissingExtraError(AiregimeError):
    """A command needs an optional part of airegime that is not installed: ``extra`` names it
    (``pip install 'airegime[EXTRA]'``), ``module`` is the package found missing."""

    # The top-level modules each extra brings (pyproject.toml); the core needs none of them.
    MODULES: ClassVar[dict[str, tuple[str, ...]]] = {
        "reports": ("jinja2", "markupsafe", "typst", "docx", "pygraphviz"),
        "batch": ("polars", "pyarrow", "openpyxl", "fastexcel", "defusedxml"),
        "web": (
            *("fastapi", "starlette", "uvicorn", "multipart", "python_multipart"),
            *("sqlalchemy", "alembic", "argon2", "zxcvbn"),  # storage and accounts
        ),
    }

    def __init__(self, extra: str, *, module: str = "") -> None:
        missing = f" ({module} is not installed)" if module else ""
        super().__init__(f"this command needs the {extra} extra{missing}", hint=f"pip install 'airegime[{extra}]'")
        self.extra = extra
        self.module = module

    @classmethod
    def of(cls, error: ImportError) -> Self | None:
        """The error to show for a failed import, or None when no extra brings the module (a bug, a broken install)."""
        module = (error.name or "").partition(".")[0]
        extra = next((name for name, modules in cls.MODULES.items() if module in modules), None)
        return cls(extra, module=module) if extra else None
