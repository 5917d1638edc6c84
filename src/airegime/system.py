"""The system descriptor: how a user describes an AI system, in YAML or JSON.

    name: Zone-crossing detector
    organisation: Acme Vision
    description: Image classifier that detects people crossing into a zone.
    airegime: 2                              # descriptor format
    answers: {establishment: eu}             # system-level questions (a phase may override some)
    developments:                            # one per development processing (usually one)
      - answers: {personal_data: "yes", organisation_kind: private_body, development_uses: various}
    deployments:                             # one per deployer and use
      - name: Shopping centre
        answers: {organisation_kind: private_body, purpose: other, ...}

A single ``development:`` (a mapping) is accepted in place of ``developments``. Descriptors of
format 1 are read too (:mod:`airegime.upgrade`), with a note wherever the reading is a guess.

Answers may be codes, French or English labels (whole, or without their bracketed examples),
aliases, yes/no booleans, or "unknown" / "je ne sais pas" / null (all meaning "I don't know").
They are normalised to codes. Every problem of a file is reported at once, each with its path
inside the file, e.g. ``deployments[1].answers.purpose``, what was found and what is allowed.
"""

from __future__ import annotations

import json
import re
import reprlib
import unicodedata
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from airegime.errors import (
    AnswerError,
    DescriptorError,
    DuplicateKeyError,
    Message,
    Problem,
    Problems,
    RefusedValue,
    Said,
    msg,
)
from airegime.kb.models import UNKNOWN, KnowledgeBase, Question, Scope
from airegime.text import problem as text_problem
from airegime.upgrade import UpgradeNote, is_format1, upgrade

FORMAT = 2
MAX_DEVELOPMENTS = 20
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DESCRIPTOR_BYTES = 1_000_000
UNKNOWN_WORDS = frozenset(
    {
        "unknown",
        "je ne sais pas",
        "inconnu",
        "ne sait pas",
        "nsp",
        "?",
        "",
        "i don't know",
        "i do not know",
        "dont know",
        "don't know",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _shown_as_written(cls, value: Any) -> Any:
        # Names and texts are shown, stored and exported: see airegime.text for the rule.
        if isinstance(value, str) and (found := text_problem(value)):
            raise RefusedValue(found)
        return value


class Development(_Strict):
    """One development processing: building the dataset, training, fine-tuning, under one controller."""

    name: str = Field(default="", max_length=200)  # needed only to tell several apart
    description: str = Field(default="", max_length=10_000)
    answers: dict[str, str] = Field(default_factory=dict)


class Deployment(_Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    answers: dict[str, str] = Field(default_factory=dict)


class System(_Strict):
    """An AI system: system-level answers, its development processings, its deployment contexts."""

    airegime: int = Field(default=FORMAT, description="descriptor format version")
    name: str = Field(min_length=1, max_length=200)
    organisation: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=10_000)
    answers: dict[str, str] = Field(default_factory=dict)
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
        return self.model_dump(mode="json")


def load_system(path: Path | str, *, kb: KnowledgeBase) -> System:
    """Read a descriptor file (YAML or JSON) and check every answer against the knowledge base."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DESCRIPTOR_BYTES:
            raise DescriptorError(
                msg("error.descriptor.file_too_large", size=size, limit=MAX_DESCRIPTOR_BYTES),
                source=str(path),
                hint=msg("error.descriptor.too_large.hint"),
            )
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DescriptorError(
            msg("error.file.unreadable", reason=error.strerror),
            source=str(path),
            hint=msg("error.file.unreadable.hint"),
        ) from None
    except UnicodeDecodeError:
        raise DescriptorError(
            msg("error.file.not_utf8"), source=str(path), hint=msg("error.descriptor.not_utf8.hint")
        ) from None
    return parse_system_text(text, kb=kb, source=str(path))


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
            msg("error.descriptor.syntax", reason=_syntax_message(error)),
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


def _syntax_message(error: Exception) -> Said:
    """The parser's own words (English), and where."""
    if isinstance(error, json.JSONDecodeError):
        return msg("error.syntax_at", problem=error.msg, line=error.lineno, column=error.colno)
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    return msg("error.syntax_at", problem=problem, line=mark.line + 1, column=mark.column + 1) if mark else str(problem)


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
    return _answers_to_codes(kb.question_by_id, answers, location, problems, scope=scope, kb=kb)


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


def shown(value: Any) -> str:
    """A value found in a file, short enough to quote in a message whatever its size."""
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}…'"
    return _SHORT_REPR.repr(value)


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()  # keyword arguments only from Python 3.12
    short.maxlevel, short.maxdict, short.maxlist, short.maxstring, short.maxother, short.maxlong = 2, 4, 4, 60, 60, 40
    return short


_SHORT_REPR = _short_repr()

SYSTEM_KEYS = "airegime, name, organisation, description, answers, developments (or development), deployments"
PHASE_KEYS = "name, description, answers"


def _own_errors(errors: list[Any]) -> list[Any]:
    """Pydantic's errors less a list's "too short after validation" when it comes from its wrong items."""
    lengths = [e["loc"] for e in errors if e["type"] == "too_short"]
    if not lengths:
        return errors
    caused = {loc for loc in lengths if any(len(e["loc"]) > len(loc) and e["loc"][: len(loc)] == loc for e in errors)}
    return [e for e in errors if not (e["type"] == "too_short" and e["loc"] in caused)]


def _key(key: object) -> str:
    """A key as written in a path, cut short: a path names a place, it does not copy a long key."""
    text = str(key)
    return text if len(text) <= 60 else f"{text[:57]}…"


def _structure_problem(error: Any) -> Problem:
    path = location_of(tuple(part if isinstance(part, int) else _key(part) for part in error["loc"]))
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
    if unit == "character":
        return msg("error.count.character" if number == 1 else "error.count.characters", count=number)
    return msg("error.count.item" if number == 1 else "error.count.items", count=number)


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


def normalise_answers_with(
    questions: Mapping[str, Question],
    answers: Any,
    *,
    location: str,
    source: str = "",
    problems: Problems | None = None,
) -> dict[str, str]:
    """Every answer of a mapping as a code of ``questions`` (a question id to its question).

    With ``problems``, what is wrong is added there and left out of the result; without, the
    problems of the mapping are raised together.
    """
    found = Problems() if problems is None else problems
    codes = _answers_to_codes(questions, answers, location, found)
    if problems is None:
        found.raise_if_any(source=source)
    return codes


def _answers_to_codes(
    questions: Mapping[str, Question],
    answers: Any,
    location: str,
    problems: Problems,
    *,
    scope: Scope | None = None,
    kb: KnowledgeBase | None = None,
) -> dict[str, str]:
    if not isinstance(answers, Mapping):
        problems.add(
            lambda: Problem(
                location,
                msg("error.answers.not_mapping"),
                found=shown(answers),
                allowed=msg("error.answers.not_mapping.allowed"),
                advice=msg("error.answers.not_mapping.hint", example='answers: {personal_data: "yes"}'),
            )
        )
        return {}
    normalised: dict[str, str] = {}
    for question_id, value in answers.items():
        where = f"{location}.{_key(question_id)}"
        question = questions.get(str(question_id))
        if question is None:
            problems.add(partial(_no_question, question_id, where, questions, scope, kb), answer=True)
        elif scope is not None and scope not in question.scope:
            problems.add(partial(_wrong_level, question, where), answer=True)
        elif isinstance(code := _code_of(question, value), str):
            normalised[question.id] = code
        else:
            problems.add(partial(_answer_problem, question, value, where, code), answer=True)
    return normalised


def _no_question(
    question_id: object, where: str, questions: Mapping[str, Question], scope: Scope | None, kb: KnowledgeBase | None
) -> Problem:
    here = [q.id for q in kb.questions_for(scope)] if kb is not None and scope is not None else list(questions)
    return Problem(
        where,
        msg("error.answers.no_question", question=shown(str(question_id))),
        found=shown(str(question_id)),
        allowed=", ".join(here),
        advice=msg("error.answers.no_question.hint", questions=", ".join(here)),
    )


def _wrong_level(question: Question, where: str) -> Problem:
    homes = ["answers"] if question.system_only else [f"{s}s[…].answers" for s in question.scope]
    home: Said = homes[0]
    for other in homes[1:]:
        home = msg("error.or", first=home, second=other)
    return Problem(
        where,
        msg("error.answers.wrong_level", question=question.id),
        found=question.id,
        allowed=home,
        advice=msg("error.answers.wrong_level.hint", home=home),
    )


def _answer_problem(question: Question, value: Any, where: str, candidates: tuple[str, ...] | None) -> Problem:
    if candidates:
        listed = ", ".join(candidates)
        return Problem(
            where,
            msg("error.answers.ambiguous", value=shown(value), question=question.id, answers=listed),
            found=shown(value),
            allowed=listed,
            advice=msg("error.answers.ambiguous.hint", answers=listed),
        )
    allowed = ", ".join((*question.codes, UNKNOWN))
    return Problem(
        where,
        msg("error.answers.not_an_answer", value=shown(value), question=question.id),
        found=shown(value),
        allowed=allowed,
        advice=msg("error.answers.not_an_answer.hint", answers=allowed),
    )


def normalise_answer(question: Question, value: Any, *, location: str = "", source: str = "") -> str:
    """One answer to its code: accepts codes, labels (whole or without their bracketed examples),
    aliases, booleans and "unknown" words."""
    code = _code_of(question, value)
    if isinstance(code, str):
        return code
    raise AnswerError.listing([_answer_problem(question, value, location, code)], count=1, source=source)


def _code_of(question: Question, value: Any) -> str | tuple[str, ...] | None:
    """The code ``value`` designates; the candidates when it could mean several; None when none."""
    if value is None:
        return UNKNOWN
    if isinstance(value, bool) and question.type == "boolean":
        return "yes" if value else "no"
    if not isinstance(value, str):
        return None
    key = _fold(value)
    if key in UNKNOWN_WORDS:
        return UNKNOWN
    codes = _codes_by_word(question).get(key)
    if codes is None:
        return None
    return codes[0] if len(codes) == 1 else codes


def _codes_by_word(question: Question) -> dict[str, tuple[str, ...]]:
    """Every accepted word of a question, folded, to the codes it designates (more than one: ambiguous).

    Words come in three ranks, a word of a higher rank hiding the same word lower down: codes;
    full labels and aliases; labels without their bracketed part ("Any other purpose").
    """
    # Kept by the question's identity: hashing a question (a pydantic model) costs more than the lookup.
    found = _words_of.get(id(question))
    if found is None or found[0] is not question:
        if len(_words_of) >= 1024:
            _words_of.clear()
        ranks = (
            [(option.code, (option.code,)) for option in question.options],
            [(option.code, (option.label.fr, option.label.en, *option.aliases)) for option in question.options],
            [
                (option.code, (_unbracketed(option.label.fr), _unbracketed(option.label.en)))
                for option in question.options
            ],
        )
        words: dict[str, tuple[str, ...]] = {}
        for rank in ranks:
            here: dict[str, tuple[str, ...]] = {}
            for code, written in rank:
                for word in map(_fold, written):
                    if word and word not in words and code not in here.get(word, ()):
                        here[word] = (*here.get(word, ()), code)
            words.update(here)
        found = _words_of[id(question)] = (question, words)
    return found[1]


_words_of: dict[int, tuple[Question, dict[str, tuple[str, ...]]]] = {}
_BRACKETED = re.compile(r"\s*\([^()]*\)")


def _unbracketed(label: str) -> str:
    """A label without its parenthesised parts: "Any other purpose (commercial…)" -> "Any other purpose"."""
    while True:
        shorter = _BRACKETED.sub("", label)
        if shorter == label:
            return shorter.strip()
        label = shorter


def _fold(text: str) -> str:
    """Case, accents, apostrophes and runs of spaces do not matter when matching answers."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


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
                    },
                },
            },
        },
    }
