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
    ├── RefusedValue              a value a pydantic validator refuses (also a ValueError)
    └── MissingExtraError         a command needs an extra that is not installed (``extra``)

Outside the tree on purpose: the web edge's three refusals of a request as it is read (a body over
its limit, ``edge.limits.BodyTooLarge``; a body that cannot be read, ``edge.inputs.BodyRefused``; a
form without its CSRF token, ``web.security.CsrfError``) are Starlette ``HTTPException``s, the only
kind FastAPI lets through while it reads a body, answered by status; a few private exceptions
steer control flow inside one module and never leave it.

Library errors carry their context as attributes; the command line and the web app turn
them into exit codes and HTTP responses at the edge, never inside the library.

Their words are message ids of the interface's catalogues, not English sentences::

    raise DescriptorError(msg("error.descriptor.not_utf8"), source=path, hint=msg("error.descriptor.not_utf8.hint"))

``str(error)`` (and ``error.message``, ``error.hint``) is English, for logs and tests; an edge says
``error.text(lang)`` (or ``message_in``, ``hint_in``) in its reader's language: the command line's
``--lang``, the page's language, the API's ``?lang=`` or ``Accept-Language``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

from airegime.i18n import fill, plural, translate


@dataclass(frozen=True, slots=True)
class Message:
    """Words for people, in any language: a message id of the catalogues (``locale/``, e.g.
    ``error.descriptor.not_utf8``) and the values of its ``{placeholders}``. A value that is a Message
    is said in the same language; any other value is shown as it is (a name, a path, a number, or a
    text another library wrote, which stays in its own language)."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)
    count: int | None = None  # how many things it counts: said in the plural form the language gives that number

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (English when the catalogue of ``lang`` lacks it)."""
        values = {name: _said(value, lang) for name, value in self.values.items()}
        if self.count is not None:
            return plural(self.key, self.count, lang, **values)
        return fill(translate(self.key, lang), lang, values)

    def __str__(self) -> str:
        return self.text()


def msg(key: str, /, **values: object) -> Message:
    """The message ``key`` with its values: ``raise NotFoundError(msg("error.x", id=7))``. Extraction
    (babel.cfg) reads ``key``; tests/core/test_error_messages.py checks that both catalogues have it
    with these placeholders."""
    return Message(key, values)


def msg_plural(key: str, n: int, /, **values: object) -> Message:
    """The message ``key`` counting ``n`` things (its ``{n}``), in the plural form each language gives
    ``n``; the catalogues hold it with its plural id ``key`` + ".plural"."""
    return Message(key, values, count=n)


# What an error or a problem says: a Message; a plain string only for text that is no message of the
# library and that no catalogue holds (a list of codes, a parser's or validator's own words, an error's
# text passed on as it is), shown as it is in every language. tests/core/test_error_messages.py
# refuses a sentence written in the code where a Message belongs.
Said = Message | str


def in_lang(said: Said, lang: str) -> str:
    return said.text(lang) if isinstance(said, Message) else said


@runtime_checkable
class Bilingual(Protocol):
    """Words a data file gives in each language (a knowledge-base label or title)."""

    fr: str
    en: str

    def get(self, lang: Any) -> str: ...


def _said(value: object, lang: str) -> object:
    """A message's value in ``lang``: a Message said, an error's message (another error quoted), a
    knowledge-base text in that language, else as is."""
    if isinstance(value, Message):
        return value.text(lang)
    if isinstance(value, AiregimeError):
        return value.message_in(lang)
    if isinstance(value, Bilingual):
        return value.get(lang)
    return value


def at(where: Said, said: Said | AiregimeError) -> Message:
    """``said`` preceded by where it applies (``deployments[0].name: …``), a colon in the reader's typography."""
    return msg("error.at", where=where, message=said)


class AiregimeError(Exception):
    """Base class: a message for people, plus a hint saying what to do, both message ids with values
    (:class:`Message`). ``str(error)`` is English; ``error.text(lang)`` says it in ``lang``."""

    def __init__(self, message: Said, *, hint: Said = "") -> None:
        super().__init__(message.key if isinstance(message, Message) else message)
        self.said = message
        self.advice = hint

    def message_in(self, lang: str) -> str:
        return in_lang(self.said, lang)

    def hint_in(self, lang: str) -> str:
        return in_lang(self.advice, lang)

    def text(self, lang: str = "en") -> str:
        """The message, and the hint on a line of its own, in ``lang``."""
        message, hint = self.message_in(lang), self.hint_in(lang)
        return f"{message}\n  → {hint}" if hint else message

    @property
    def message(self) -> str:
        """The message in English."""
        return self.message_in("en")

    @property
    def hint(self) -> str:
        """The hint in English ("" when there is none)."""
        return self.hint_in("en")

    def __str__(self) -> str:
        return self.text()


class KnowledgeBaseError(AiregimeError):
    """A knowledge-base file is wrong: names the file, the entry id and the field."""

    def __init__(self, message: Said, *, file: str, id: str = "", field: str = "", hint: Said = ""):
        super().__init__(message, hint=hint)
        self.file = file
        self.id = id
        self.field = field

    def at_path(self, path: str) -> KnowledgeBaseError:
        """The same error, its file named by ``path`` (the loader names the file alone)."""
        return KnowledgeBaseError(self.said, file=path, id=self.id, field=self.field, hint=self.advice)

    def message_in(self, lang: str) -> str:
        where: Said = self.file
        if self.id:
            where = msg("error.kb.entry", file=where, id=self.id)
        if self.field:
            where = msg("error.kb.field", where=where, field=self.field)
        return at(in_lang(where, lang), self.said).text(lang)


class DescriptorError(AiregimeError):
    """A system descriptor is wrong: `location` is the path inside it, e.g. deployments[1].answers.purpose.

    ``problems`` lists what is wrong (at most :data:`MAX_LISTED`), ``count`` how many problems were
    found in all. Raised with a single problem, it reads as it always did; with several, ``location``,
    ``found`` and ``allowed`` are the first one's and the message lists them all.
    """

    def __init__(
        self,
        message: Said,
        *,
        location: str = "",
        source: str = "",
        hint: Said = "",
        found: str = "",
        allowed: Said = "",
    ) -> None:
        super().__init__(message, hint=hint)
        self.location = location
        self.source = source
        self.problems: tuple[Problem, ...] = (Problem(location, message, found=found, allowed=allowed, advice=hint),)
        self.count = 1

    @classmethod
    def listing(cls, problems: Sequence[Problem], *, count: int, source: str = "") -> Self:
        """One error for every problem found (``problems`` the first ones, ``count`` all of them)."""
        first = problems[0]
        error = cls(
            first.said,
            location=first.path,
            source=source,
            hint=first.advice,
            found=first.found,
            allowed=first.allowed,
        )
        if count > 1:
            error.advice = msg("error.descriptor.problems.hint")
            error.problems, error.count = tuple(problems), count
        return error

    @property
    def reason(self) -> str:
        """What is wrong, in English, without where (for several problems: how many, and the first)."""
        return self.reason_in("en")

    def reason_in(self, lang: str) -> str:
        if self.count > 1:
            return msg("error.descriptor.problems_first", count=self.count, first=self.problems[0].said).text(lang)
        return in_lang(self.said, lang)

    def message_in(self, lang: str) -> str:
        if self.count > 1:
            heading = msg("error.descriptor.problems_listed", count=self.count)
            lines = [f"  {problem.line(lang)}" for problem in self.problems]
            if self.count > len(self.problems):
                lines.append("  " + msg("error.descriptor.more", count=self.count - len(self.problems)).text(lang))
            return (at(self.source, heading) if self.source else heading).text(lang) + "\n" + "\n".join(lines)
        said = self.said
        for where in (self.location, self.source):
            if where:
                said = at(where, said)
        return in_lang(said, lang)

    def heading_in(self, lang: str) -> str:
        """ "N problems in the descriptor", in ``lang`` (for a listing printed one problem a line)."""
        return msg("error.descriptor.problems", count=self.count).text(lang)

    def more_in(self, lang: str) -> str:
        """ "… and N more" when more problems were found than listed, else ""."""
        hidden = self.count - len(self.problems)
        return msg("error.descriptor.more", count=hidden).text(lang) if hidden > 0 else ""


class AnswerError(DescriptorError):
    """An answer names a question that does not exist here, or a value the question does not allow."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a descriptor: where (``deployments[1].answers.purpose``, "" for the whole
    document), what is wrong (``said``), the value found there, what is allowed there, and what to
    do (``advice``). ``message`` and ``hint`` are those in English; ``line`` and ``to_dict`` take a language."""

    path: str
    said: Said
    found: str = ""
    allowed: Said = ""
    advice: Said = ""

    @property
    def message(self) -> str:
        return in_lang(self.said, "en")

    @property
    def hint(self) -> str:
        return in_lang(self.advice, "en")

    def message_in(self, lang: str) -> str:
        return in_lang(self.said, lang)

    def hint_in(self, lang: str) -> str:
        return in_lang(self.advice, lang)

    def line(self, lang: str = "en") -> str:
        said = in_lang(at(self.path, self.said) if self.path else self.said, lang)
        hint = in_lang(self.advice, lang)
        return f"{said} → {hint}" if hint else said

    def to_dict(self, lang: str = "en") -> dict[str, str]:
        return {
            "path": self.path,
            "found": self.found,
            "allowed": in_lang(self.allowed, lang),
            "message": in_lang(self.said, lang),
            "hint": in_lang(self.advice, lang),
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

    def __init__(self, code: str, message: Said, *, location: str = "", hint: Said = "", name: str = "") -> None:
        super().__init__(message, location=location, hint=hint)
        self.code = code
        self.name = name


class ScenarioError(DescriptorError):
    """A scenario file (``airegime test``) that cannot be read, or a scenario that cannot be run:
    ``source`` is the file, ``location`` the place in it (e.g. ``scenarios[3].expect.development.status``)."""


class DuplicateKeyError(DescriptorError):
    """A key given twice in one mapping of a JSON or YAML document (``line`` and ``column``: where, if known)."""

    def __init__(self, key: object, *, line: int = 0, column: int = 0) -> None:
        super().__init__(msg("error.descriptor.duplicate_key", key=repr(key)))
        self.key, self.line, self.column = key, line, column


class InventoryError(AiregimeError):
    """An inventory (CSV, XLSX, ODS, Parquet) that cannot be assessed: nothing was assessed."""

    def __init__(self, message: Said, hint: Said = "") -> None:
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

    def __init__(self, reason: str, message: Said, *, hint: Said = "") -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class QuotaExceeded(StorageError):
    """The organisation holds its most uploaded inventories: nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(msg("error.quota", limit=limit), hint=msg("error.quota.hint"))
        self.limit = limit


class AccountError(AiregimeError):
    """An account operation that cannot be done (the message says why, the hint what to do)."""


class LoginRefused(AccountError):
    """Wrong name or password (never says which), a disabled account, or no organisation."""


class WeakPassword(AccountError):
    """A password refused for ``reason``: blank, length, name (the account's name) or common."""

    def __init__(self, reason: str, message: Said, *, hint: Said) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class LoginThrottled(AccountError):
    """Too many failed logins lately; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(msg("error.login.throttled"), hint=msg("error.login.throttled.hint", minutes=minutes))
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

    def __init__(self, status: int, code: str, message: Said, *, where: str = "", hint: Said = "") -> None:
        super().__init__(message, hint=hint)
        self.status, self.code, self.where = status, code, where


class RefusedValue(AiregimeError, ValueError):
    """A value a pydantic validator refuses (a ValueError, which pydantic turns into its own error):
    pydantic reads the English, a descriptor's or knowledge base's problem ``said``, in its reader's language."""

    def __init__(self, said: Message) -> None:
        super().__init__(said)


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
        said = msg("error.extra.module", extra=extra, module=module) if module else msg("error.extra", extra=extra)
        super().__init__(said, hint=msg("error.extra.hint", extra=extra))
        self.extra = extra
        self.module = module

    @classmethod
    def of(cls, error: ImportError) -> Self | None:
        """The error to show for a failed import, or None when no extra brings the module (a bug, a broken install)."""
        module = (error.name or "").partition(".")[0]
        extra = next((name for name, modules in cls.MODULES.items() if module in modules), None)
        return cls(extra, module=module) if extra else None
