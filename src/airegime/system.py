"""The system descriptor: how a user describes an AI system, in YAML or JSON.

    name: Zone-crossing detector
    organisation: Acme Vision
    description: Image classifier that detects people crossing into a zone.
    airegime: 2                              # descriptor format
    answers: {establishment: eu}             # system-level questions (a phase may override some)
    notes: {establishment: "Registered in Lyon (Kbis of 2024)."}   # optional: why an answer, per question
    developments:                            # one per development processing (usually one)
      - answers: {personal_data: "yes", organisation_kind: private_body, development_uses: various}
    deployments:                             # one per deployer and use
      - name: Shopping centre
        answers: {organisation_kind: private_body, purpose: other, ...}

A single ``development:`` (a mapping) is accepted in place of ``developments``. Descriptors of
format 1 are read too (:mod:`airegime.upgrade`), with a note wherever the reading is a guess.

Answers may be codes, French or English labels (whole, or without their bracketed examples),
aliases, yes/no booleans, or "unknown" / "je ne sais pas" / null (all meaning "I don't know").
They are normalised to codes (:mod:`airegime.answers`). Every problem of a file is reported at once, each with its path
inside the file, e.g. ``deployments[1].answers.purpose``, what was found and what is allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from airegime.answers import answers_to_codes, path_key, shown
from airegime.answers import normalise_answer as normalise_answer  # still read from here by storage
from airegime.errors import (
    DescriptorError,
    DuplicateKeyError,
    Message,
    Problem,
    Problems,
    RefusedValue,
    Said,
    msg,
    msg_plural,
)
from airegime.kb.loader import SAFE_LOADER, parser_problem
from airegime.kb.models import UNKNOWN, KnowledgeBase, Scope
from airegime.text import problem as text_problem
from airegime.upgrade import UpgradeNote, is_format1, upgrade

FORMAT = 2
MAX_DEVELOPMENTS = 20
MAX_DESCRIPTOR_BYTES = 1_000_000
MAX_NOTE_CHARS = 2_000  # a note: why an answer was given (beside ``answers``, by question id)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _shown_as_written(cls, value: Any) -> Any:
        # Names and texts are shown, stored and exported: see airegime.text for the rule.
        if isinstance(value, str) and (found := text_problem(value)):
            raise RefusedValue(found)
        return value


Notes = dict[str, Annotated[str, Field(max_length=MAX_NOTE_CHARS)]]
NOTES_FIELD = "why an answer was given, by question id (at most 2,000 characters each)"
EVIDENCE_FIELD = (
    "what supports an answer, by question id: links (re-created on import) and the names of files "
    "(the files themselves travel with `airegime db export`)"
)


class EvidenceRef(BaseModel):
    """A file (name, type, size) or a link (url) kept as evidence of an answer."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=300)
    url: str = Field(default="", max_length=2_000, pattern=r"^(?:https?://\S+)?$")
    type: str = Field(default="", max_length=10)
    size: int = Field(default=0, ge=0)

    @field_validator("name", "type")
    @classmethod
    def _shown_as_written(cls, value: str) -> str:
        if found := text_problem(value):
            raise ValueError(found)
        return value


EvidenceRefs = dict[str, tuple[EvidenceRef, ...]]


def _checked_notes(notes: dict[str, str]) -> dict[str, str]:
    """Notes as texts, each shown as written: no control characters (line breaks and tabs are allowed)."""
    for text in notes.values():
        if found := text_problem(text):
            raise ValueError(f"a note {found}")
    return {question: text.strip() for question, text in notes.items() if text.strip()}


class Development(_Strict):
    """One development processing: building the dataset, training, fine-tuning, under one controller."""

    name: str = Field(default="", max_length=200)  # needed only to tell several apart
    description: str = Field(default="", max_length=10_000)
    answers: dict[str, str] = Field(default_factory=dict)
    notes: Annotated[Notes, AfterValidator(_checked_notes)] = Field(default_factory=dict, description=NOTES_FIELD)
    evidence: EvidenceRefs = Field(default_factory=dict, description=EVIDENCE_FIELD)


class Deployment(_Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    answers: dict[str, str] = Field(default_factory=dict)
    notes: Annotated[Notes, AfterValidator(_checked_notes)] = Field(default_factory=dict, description=NOTES_FIELD)
    evidence: EvidenceRefs = Field(default_factory=dict, description=EVIDENCE_FIELD)


class System(_Strict):
    """An AI system: system-level answers, its development processings, its deployment contexts."""

    airegime: int = Field(default=FORMAT, description="descriptor format version")
    name: str = Field(min_length=1, max_length=200)
    organisation: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=10_000)
    answers: dict[str, str] = Field(default_factory=dict)
    notes: Annotated[Notes, AfterValidator(_checked_notes)] = Field(default_factory=dict, description=NOTES_FIELD)
    evidence: EvidenceRefs = Field(default_factory=dict, description=EVIDENCE_FIELD)
    developments: tuple[Development, ...] = Field(
        default_factory=lambda: (Development(),), min_length=1, max_length=MAX_DEVELOPMENTS
    )
    deployments: tuple[Deployment, ...] = Field(min_length=1, max_length=200)
    # What reading a format-1 descriptor had to guess; not part of the descriptor itself.
    upgrade_notes: tuple[UpgradeNote, ...] = Field(default=(), exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _one_development(cls, data: Any) -> Any:
        """``development: {...}`` is the short form of ``developments: [{...}]``."""
        if isinstance(data, Mapping) and "development" in data:
            data = dict(data)
            if "developments" in data:
                raise RefusedValue(msg("error.descriptor.development_twice"))
            data["developments"] = [data.pop("development")]
        return data

    @property
    def development(self) -> Development:
        """The first (usually the only) development processing."""
        return self.developments[0]

    def to_dict(self) -> dict[str, Any]:
        """The descriptor as data; ``notes`` only where there are some (descriptors without stay as they were)."""
        data = self.model_dump(mode="json")
        for part in (data, *data["developments"], *data["deployments"]):
            for key in ("notes", "evidence"):
                if not part.get(key):
                    part.pop(key, None)
        return data


def load_system(path: Path | str, *, kb: KnowledgeBase) -> System:
    """Read a descriptor file (YAML or JSON) and check every answer against the knowledge base."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # unreadable: reading it says so, with the reason
    if size > MAX_DESCRIPTOR_BYTES:
        raise DescriptorError(
            msg("error.descriptor.file_too_large", size=size, limit=MAX_DESCRIPTOR_BYTES),
            source=str(path),
            hint=msg("error.descriptor.too_large.hint"),
        )
    text = read_utf8(path, DescriptorError, not_utf8_hint=msg("error.descriptor.not_utf8.hint"))
    return parse_system_text(text, kb=kb, source=str(path))


def read_utf8(path: Path, error: type[DescriptorError], *, not_utf8_hint: Message) -> str:
    """A UTF-8 text file's content; a file that cannot be read, or is not UTF-8, raises ``error``
    naming it (descriptors, scenario files)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as problem:
        raise error(
            msg("error.file.unreadable", reason=problem.strerror),
            source=str(path),
            hint=msg("error.file.unreadable.hint"),
        ) from None
    except UnicodeDecodeError:
        raise error(msg("error.file.not_utf8"), source=str(path), hint=not_utf8_hint) from None


def parse_system_text(text: str, *, kb: KnowledgeBase, source: str = "") -> System:
    if len(text.encode("utf-8")) > MAX_DESCRIPTOR_BYTES:
        raise DescriptorError(
            msg("error.descriptor.too_large", limit=MAX_DESCRIPTOR_BYTES),
            source=source,
            hint=msg("error.descriptor.too_large.hint"),
        )
    try:
        if text.lstrip().startswith("{"):
            data = json.loads(text, object_pairs_hook=refuse_duplicate_keys)
        else:
            data = yaml.load(text, Loader=_UniqueKeyLoader)
    except DuplicateKeyError as error:
        said = (
            msg("error.descriptor.key_twice_at", key=error.key, line=error.line, column=error.column)
            if error.line
            else msg("error.descriptor.key_twice", key=error.key)
        )
        raise DescriptorError(said, source=source, hint=msg("error.key_twice.hint")) from None
    except RecursionError:
        raise DescriptorError(
            msg("error.descriptor.too_deep"), source=source, hint=msg("error.descriptor.too_deep.hint")
        ) from None
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise DescriptorError(
            msg("error.descriptor.syntax", reason=syntax_message(error, text)),
            source=source,
            hint=msg("error.descriptor.syntax.hint"),
        ) from None
    return parse_system(data, kb=kb, source=source)


def refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's pairs as a dict, refusing a key given twice (json.loads keeps the last)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKeyError(key)
        found[key] = value
    return found


class _UniqueKeyLoader(SAFE_LOADER):  # type: ignore[misc,valid-type]
    """The safe YAML loader, refusing a key given twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise DuplicateKeyError(key, line=mark.line + 1, column=mark.column + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def syntax_message(error: Exception, text: str = "") -> Said:
    """The parser's own words (English), and where: for descriptors and JSON reports alike."""
    problem, place = parser_problem(error, text)
    return msg("error.syntax_at", problem=problem, line=place[0], column=place[1]) if place else problem


def parse_system(data: Any, *, kb: KnowledgeBase, source: str = "") -> System:
    """Validate a decoded descriptor (a mapping) and normalise its answers to codes.

    Every problem is found in one pass and raised as one :class:`DescriptorError` (``problems``);
    only a document that is not a mapping, or of an unknown format, stops at once.
    A format-1 descriptor is read as format 2; ``System.upgrade_notes`` then lists the guesses.
    """
    if not isinstance(data, Mapping):
        raise DescriptorError(
            msg("error.descriptor.not_mapping"), source=source, hint=msg("error.descriptor.not_mapping.hint")
        )
    keys = [str(key) for key in data]
    problems = Problems()
    notes: tuple[UpgradeNote, ...] = ()
    if is_format1(data):
        data, notes = upgrade(data, source=source, problems=problems)
    data = dict(data)
    if data.get("airegime", FORMAT) != FORMAT:
        raise DescriptorError(
            msg("error.descriptor.format", found=shown(data.get("airegime"))),
            location="airegime",
            source=source,
            hint=msg("error.descriptor.format.hint", format=FORMAT),
            found=shown(data.get("airegime")),
            allowed=f"1, {FORMAT}",
        )
    if "development" in data and "developments" not in data:
        data["developments"] = [data.pop("development")]
    data["answers"] = _normalised(data.get("answers"), kb, "system", "answers", problems)
    _check_note_keys(data.get("notes"), kb, "system", "notes", problems)
    _check_note_keys(data.get("evidence"), kb, "system", "evidence", problems)
    phase_lists: tuple[tuple[str, Scope], ...] = (("developments", "development"), ("deployments", "deployment"))
    for key, scope in phase_lists:
        phases = data.get(key)
        if isinstance(phases, list):
            data[key] = [
                {**p, "answers": _normalised(p.get("answers"), kb, scope, f"{key}[{i}].answers", problems)}
                if isinstance(p, Mapping)
                else p
                for i, p in enumerate(phases)
            ]
            for i, p in enumerate(phases):
                if isinstance(p, Mapping):
                    _check_note_keys(p.get("notes"), kb, scope, f"{key}[{i}].notes", problems)
                    _check_note_keys(p.get("evidence"), kb, scope, f"{key}[{i}].evidence", problems)
    system = None
    try:
        system = System.model_validate(data)
    except ValidationError as error:
        for found in _own_errors(error.errors(include_url=False)):
            problems.add(partial(_structure_problem, found))
    problems.raise_if_any(source=source, order=_document_order(keys))
    assert system is not None  # no problem, hence validated
    return system.model_copy(update={"upgrade_notes": notes}) if notes else system


def _normalised(answers: Any, kb: KnowledgeBase, scope: Scope, location: str, problems: Problems) -> dict[str, str]:
    """The answers as codes; what is wrong goes to ``problems`` and is left out (the rest is still checked)."""
    if answers is None:
        return {}
    return answers_to_codes(kb.question_by_id, answers, location, problems, scope=scope, kb=kb)


def _check_note_keys(notes: Any, kb: KnowledgeBase, scope: Scope, location: str, problems: Problems) -> None:
    """A note names a question of its phase (its text is checked with the rest of the descriptor)."""
    if not isinstance(notes, Mapping):
        return  # absent, or not a mapping: the structure check says so
    for key in notes:
        question = kb.question_by_id.get(str(key))
        if question is None or scope not in question.scope:
            problems.add(partial(_note_problem, kb, scope, location, str(key)))


def _note_problem(kb: KnowledgeBase, scope: Scope, location: str, key: str) -> Problem:
    return Problem(
        f"{location}.{key}",
        msg("error.notes.no_question", question=key, scope=scope),
        found=shown(key),
        allowed=", ".join(q.id for q in kb.questions_for(scope)),
        advice=msg("error.notes.no_question.hint"),
    )


def _document_order(keys: list[str]) -> Callable[[Problem], tuple[int, int]]:
    """Problems in the order of the file: by top-level key as written, then by list index."""
    position = {key: i for i, key in enumerate(keys)}
    position.setdefault("developments", position.get("development", len(keys)))

    def order(problem: Problem) -> tuple[int, int]:
        head = _PATH_HEAD.match(problem.path)
        name, index = (head.group(1), head.group(2)) if head else ("", None)
        return (position.get(name, len(keys)) if name else -1, int(index) if index else -1)

    return order


_PATH_HEAD = re.compile(r"([^.\[]*)(?:\[(\d+)\])?")


def location_of(loc: tuple[int | str, ...]) -> str:
    """('deployments', 1, 'answers', 'purpose') -> 'deployments[1].answers.purpose'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


SYSTEM_KEYS = "airegime, name, organisation, description, answers, developments (or development), deployments"
PHASE_KEYS = "name, description, answers"


def _own_errors(errors: list[Any]) -> list[Any]:
    """Pydantic's errors less a list's "too short after validation" when it comes from its wrong items."""
    lengths = [e["loc"] for e in errors if e["type"] == "too_short"]
    if not lengths:
        return errors
    caused = {loc for loc in lengths if any(len(e["loc"]) > len(loc) and e["loc"][: len(loc)] == loc for e in errors)}
    return [e for e in errors if not (e["type"] == "too_short" and e["loc"] in caused)]


def _structure_problem(error: Any) -> Problem:
    path = location_of(tuple(part if isinstance(part, int) else path_key(part) for part in error["loc"]))
    kind = error["type"]
    found = "" if kind == "missing" else shown(error.get("input"))
    allowed: Said = ""
    context = error.get("ctx") or {}
    unit = "character" if kind.startswith("string") else "item"
    if kind == "extra_forbidden":
        allowed = PHASE_KEYS if len(error["loc"]) > 1 else SYSTEM_KEYS
    elif "max_length" in context:
        allowed = msg("error.descriptor.at_most", count=_count(context["max_length"], unit))
    elif "min_length" in context:
        allowed = msg("error.descriptor.at_least", count=_count(context["min_length"], unit))
    return Problem(path, _expected(error), found=found, allowed=allowed, advice=_descriptor_hint(error))


def _count(number: int, unit: str) -> Message:
    return msg_plural("error.count.character" if unit == "character" else "error.count.item", number)


def _expected(error: Any) -> Said:
    """What is wrong: pydantic's verdicts said in our words (its own English for the rare others)."""
    kind, context = error["type"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        return msg("error.descriptor.unknown_key")
    if kind == "value_error" and isinstance(refused := context.get("error"), RefusedValue):
        return refused.said
    if kind == "string_too_long":
        return msg("error.descriptor.text_too_long", count=_count(context["max_length"], "character"))
    if kind == "string_too_short":
        return msg("error.descriptor.text_too_short", count=_count(context["min_length"], "character"))
    if kind in ("too_long", "too_short"):
        actual = context.get("actual_length", "?")
        if kind == "too_long":
            return msg("error.descriptor.list_too_long", count=_count(context["max_length"], "item"), actual=actual)
        return msg("error.descriptor.list_too_short", count=_count(context["min_length"], "item"), actual=actual)
    expected = _EXPECTED.get(kind)
    if expected is not None:
        return expected
    return str(error["msg"]).removeprefix("Value error, ")


_EXPECTED = {
    "missing": msg("error.descriptor.missing"),
    "string_type": msg("error.descriptor.not_text"),
    "dict_type": msg("error.descriptor.not_a_mapping"),
    "model_type": msg("error.descriptor.not_a_mapping"),
    "list_type": msg("error.descriptor.not_a_list"),
    "tuple_type": msg("error.descriptor.not_a_list"),
    "int_type": msg("error.descriptor.not_an_integer"),
    "int_parsing": msg("error.descriptor.not_an_integer"),
}


def _descriptor_hint(error: Any) -> Message:
    if error["type"] == "extra_forbidden":
        if len(error["loc"]) > 1:
            return msg("error.descriptor.unknown_phase_key.hint", keys=PHASE_KEYS)
        return msg("error.descriptor.unknown_key.hint", keys=SYSTEM_KEYS)
    if error["type"] == "missing":
        return msg("error.descriptor.missing.hint")
    if error["type"] == "too_short" and error["loc"][:1] == ("deployments",):
        return msg("error.descriptor.no_deployment.hint")
    return msg("error.descriptor.value.hint")


def descriptor_schema(kb: KnowledgeBase) -> dict[str, Any]:
    """The JSON Schema of descriptors, with each question's allowed answers as an enum."""

    def answers_schema(scope: Scope) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                q.id: {
                    "description": q.text.en,
                    "enum": [*q.codes, UNKNOWN, None, *((True, False) if q.type == "boolean" else ())],
                }
                for q in kb.questions_for(scope)
            },
        }

    def notes_schema(scope: Scope) -> dict[str, Any]:
        note = {"type": "string", "maxLength": MAX_NOTE_CHARS}
        return {
            "type": "object",
            "description": NOTES_FIELD,
            "additionalProperties": False,
            "properties": {q.id: note for q in kb.questions_for(scope)},
        }

    def evidence_schema(scope: Scope) -> dict[str, Any]:
        ref = {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 300},
                "url": {"type": "string", "maxLength": 2_000, "pattern": "^(https?://\\S+)?$"},
                "type": {"type": "string", "maxLength": 10},
                "size": {"type": "integer", "minimum": 0},
            },
        }
        return {
            "type": "object",
            "description": EVIDENCE_FIELD,
            "additionalProperties": False,
            "properties": {q.id: {"type": "array", "items": ref} for q in kb.questions_for(scope)},
        }

    text = {"type": "string", "maxLength": 10_000}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://airegime.org/schema/descriptor-2.json",
        "title": "airegime system descriptor",
        "description": f"An AI system to assess (rule set {kb.version}). Answers also accept French and English "
        "labels, whole or without their bracketed examples; 'unknown' or null means 'I don't know'.",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "deployments"],
        "properties": {
            "airegime": {"const": FORMAT, "description": "descriptor format (format 1 is read too)"},
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "organisation": {"type": "string", "maxLength": 200},
            "description": text,
            "answers": answers_schema("system"),
            "notes": notes_schema("system"),
            "evidence": evidence_schema("system"),
            "developments": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_DEVELOPMENTS,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "maxLength": 200},
                        "description": text,
                        "answers": answers_schema("development"),
                        "notes": notes_schema("development"),
                        "evidence": evidence_schema("development"),
                    },
                },
            },
            "deployments": {
                "type": "array",
                "minItems": 1,
                "maxItems": 200,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "description": text,
                        "answers": answers_schema("deployment"),
                        "notes": notes_schema("deployment"),
                        "evidence": evidence_schema("deployment"),
                    },
                },
            },
        },
    }
