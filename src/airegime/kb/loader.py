"""Strict loading of the YAML knowledge base.

Every problem is reported as a :class:`KnowledgeBaseError` naming the file, the entry id and
the field, with a hint. References are cross-checked: cited sources, outcomes, questions and
answer values must exist, and a rule may only read questions asked in each of its phases.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from airegime.errors import KnowledgeBaseError, Message, RefusedValue, Said, msg, msg_plural
from airegime.kb.models import (
    AllOf,
    AnswerOption,
    AnyOf,
    Atom,
    Citation,
    Condition,
    KnowledgeBase,
    Not,
    Outcome,
    Question,
    Rule,
    Source,
    Text,
)

FILES = ("meta.yaml", "sources.yaml", "outcomes.yaml", "questions.yaml", "rules.yaml")
BOOLEAN_OPTIONS = (
    AnswerOption(code="yes", label=Text(fr="Oui", en="Yes"), aliases=("oui", "true", "1", "y", "o")),
    AnswerOption(code="no", label=Text(fr="Non", en="No"), aliases=("non", "false", "0", "n")),
)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Model = TypeVar("Model", bound=BaseModel)


def default_knowledge_dir() -> Path:
    return Path(str(resources.files("airegime") / "knowledge"))


@lru_cache(maxsize=4)
def load_knowledge_base(directory: Path | None = None) -> KnowledgeBase:
    """Load and cross-check the knowledge base (the packaged one by default). Cached."""
    directory = directory or default_knowledge_dir()
    raw = {name: _read_yaml(directory / name) for name in FILES}
    meta = _mapping(raw["meta.yaml"], "meta.yaml")
    sources = tuple(_entries(raw, "sources.yaml", "sources", Source))
    outcomes = tuple(_entries(raw, "outcomes.yaml", "outcomes", Outcome))
    questions = tuple(_entries(raw, "questions.yaml", "questions", Question, _with_boolean_options))
    rules = tuple(_rules(raw["rules.yaml"]))
    kb = KnowledgeBase(
        version=_meta_str(meta, "version"),
        hash=_content_hash(raw),
        title=_meta_model(meta, "title", Text),
        disclaimer=_meta_model(meta, "disclaimer", Text),
        caveats=tuple(_meta_model({"c": c}, "c", Text) for c in meta.get("caveats", [])),
        questions=questions,
        rules=rules,
        outcomes=outcomes,
        sources=sources,
    )
    _cross_check(kb)
    return kb


def load_questions(path: Path) -> tuple[Question, ...]:
    """The questions of one questions file, checked like the knowledge base's own (no cross-checks)."""
    file = path.name
    return tuple(_entries({file: _read_yaml(path)}, file, "questions", Question, _with_boolean_options))


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise KnowledgeBaseError(
            msg("error.file.unreadable", reason=error.strerror),
            file=path.name,
            hint=msg("error.kb.unreadable.hint", files=", ".join(FILES), folder=str(path.parent)),
        ) from None
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(yaml_problem(error, text), file=path.name, hint=msg("error.kb.syntax.hint")) from None


def yaml_problem(error: yaml.YAMLError, text: str) -> Message:
    """ "not valid YAML at line 3, column 7: <the parser's words>" (``text``: the document read)."""
    problem, place = parser_problem(error, text)
    if place is None:
        return msg("error.yaml", reason=problem)
    return msg("error.yaml_at", line=place[0], column=place[1], reason=problem)


def parser_problem(error: Exception, text: str) -> tuple[str, tuple[int, int] | None]:
    """What a YAML or JSON parser refused in ``text``, in its own words (English), and where: line
    and column from 1, counted in characters as an editor shows them (None: no place given)."""
    if isinstance(error, json.JSONDecodeError):
        return error.msg, (error.lineno, error.colno)
    if isinstance(error, yaml.reader.ReaderError) and isinstance(error.character, int):
        # A character YAML refuses (a control character): libyaml (CSafeLoader) gives its offset in
        # bytes of UTF-8, PyYAML's own reader in characters, neither a line.
        offset = error.position
        before = text.encode()[:offset].decode(errors="ignore") if SAFE_LOADER is not yaml.SafeLoader else text[:offset]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        return f"unacceptable character #x{error.character:04x}: {error.reason}", (line, column)
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    return problem, ((mark.line + 1, mark.column + 1) if mark else None)


def _mapping(value: Any, file: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise KnowledgeBaseError(msg("error.kb.not_mapping"), file=file, hint=msg("error.kb.not_mapping.hint"))
    return value


def _meta_str(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value:
        raise KnowledgeBaseError(
            msg("error.kb.meta_missing"), file="meta.yaml", field=key, hint=msg("error.kb.meta_missing.hint", key=key)
        )
    return value


def _meta_model(meta: dict[str, Any], key: str, model: type[Model]) -> Model:
    return _validate(model, meta.get(key), file="meta.yaml", id="", prefix=key)


def _entries(
    raw: dict[str, Any],
    file: str,
    key: str,
    model: type[Model],
    prepare: Callable[[dict[str, Any]], dict[str, Any]] = lambda entry: entry,
) -> Iterable[Model]:
    for entry in _list(raw[file], file, key):
        yield _validate(model, prepare(entry), file=file, id=str(entry.get("id", "")), prefix="")


def _list(document: Any, file: str, key: str) -> list[dict[str, Any]]:
    document = _mapping(document, file)
    unexpected = set(document) - {key}
    if unexpected:
        raise KnowledgeBaseError(
            msg_plural("error.kb.top_keys", len(unexpected), keys=sorted(unexpected)),
            file=file,
            hint=msg("error.kb.top_keys.hint", key=f"{key}:"),
        )
    entries = document.get(key)
    if not isinstance(entries, list):
        raise KnowledgeBaseError(
            msg("error.kb.not_list", key=key),
            file=file,
            hint=msg("error.kb.not_list.hint", key=f"{key}:", item="- id: ..."),
        )
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise KnowledgeBaseError(
                msg("error.kb.item_not_mapping", position=position + 1, key=key),
                file=file,
                hint=msg("error.kb.item_not_mapping.hint", item="- id: ..."),
            )
    return entries


def _validate(model: type[Model], data: Any, *, file: str, id: str, prefix: str) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in (prefix, *first["loc"]) if part != "")
        refused = (first.get("ctx") or {}).get("error")
        said: Said = refused.said if isinstance(refused, RefusedValue) else first["msg"]  # else pydantic's English
        raise KnowledgeBaseError(said, file=file, id=id, field=field, hint=_hint(first)) from None


def _hint(error: Any) -> Message:
    kind = error["type"]
    loc = [str(part) for part in error["loc"]]
    if "url" in loc:
        return msg("error.kb.url.hint", one="url: https://...", both="url: {fr: https://..., en: https://...}")
    if kind == "missing" and loc and loc[-1] in ("fr", "en"):
        return msg("error.kb.french_text.hint" if loc[-1] == "fr" else "error.kb.english_text.hint")
    if kind == "extra_forbidden":
        return msg("error.kb.unknown_key.hint")
    if kind == "missing":
        return msg("error.kb.missing.hint")
    return msg("error.kb.value.hint")


def _with_boolean_options(entry: dict[str, Any]) -> dict[str, Any]:
    if entry.get("type") == "boolean" and "options" not in entry:
        return {**entry, "options": BOOLEAN_OPTIONS}
    return entry


RULE_KEYS = {"id", "phases", "when", "outcome", "title", "explanation", "sources", "caveat"}


def _rules(document: Any) -> Iterable[Rule]:
    for entry in _list(document, "rules.yaml", "rules"):
        rule_id = str(entry.get("id", ""))

        def fail(message: Message, field: str, hint: Message, rule_id: str = rule_id) -> KnowledgeBaseError:
            return KnowledgeBaseError(message, file="rules.yaml", id=rule_id, field=field, hint=hint)

        unknown = set(entry) - RULE_KEYS
        if unknown:
            raise fail(
                msg_plural("error.kb.rule_keys", len(unknown), keys=sorted(unknown)),
                sorted(unknown)[0],
                msg("error.kb.rule_keys.hint", keys=", ".join(sorted(RULE_KEYS))),
            )
        for key in ("id", "phases", "when", "outcome", "title", "explanation", "sources"):
            if key not in entry:
                raise fail(msg("error.kb.missing"), key, msg("error.kb.missing.hint"))
        phases = entry["phases"]
        if not isinstance(phases, list) or not phases or any(p not in ("development", "deployment") for p in phases):
            raise fail(
                msg("error.kb.phases"),
                "phases",
                msg("error.kb.phases.hint", example="phases: [development, deployment]"),
            )
        sources = entry["sources"]
        if not isinstance(sources, list) or not sources:
            raise fail(msg("error.kb.no_source"), "sources", msg("error.kb.no_source.hint", item="- source: <id>"))
        yield Rule(
            id=rule_id,
            phases=tuple(phases),
            when=_condition(entry["when"], "when", fail),
            outcome=str(entry["outcome"]),
            title=_validate(Text, entry["title"], file="rules.yaml", id=rule_id, prefix="title"),
            explanation=_validate(Text, entry["explanation"], file="rules.yaml", id=rule_id, prefix="explanation"),
            sources=tuple(_validate(Citation, s, file="rules.yaml", id=rule_id, prefix="sources") for s in sources),
            caveat=(
                _validate(Text, entry["caveat"], file="rules.yaml", id=rule_id, prefix="caveat")
                if "caveat" in entry
                else None
            ),
        )


CONDITION_HINT = msg(
    "error.kb.condition.hint",
    forms="{all: [...]}, {any: [...]}, {not: ...}, {question: id, is: value}",
    last="{question: id, in: [values]}",
)


def _condition(node: Any, path: str, fail: Callable[[Message, str, Message], KnowledgeBaseError]) -> Condition:
    if not isinstance(node, dict):
        raise fail(msg("error.kb.condition"), path, CONDITION_HINT)
    keys = set(node)
    if keys in ({"all"}, {"any"}):
        (key,) = keys
        items = node[key]
        if not isinstance(items, list) or not items:
            raise fail(msg("error.kb.condition.empty", key=key), f"{path}.{key}", CONDITION_HINT)
        parsed = tuple(_condition(item, f"{path}.{key}[{i}]", fail) for i, item in enumerate(items))
        return AllOf(parsed) if key == "all" else AnyOf(parsed)
    if keys == {"not"}:
        return Not(_condition(node["not"], f"{path}.not", fail))
    if keys in ({"question", "is"}, {"question", "in"}):
        values = [node["is"]] if "is" in node else node["in"]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise fail(msg("error.kb.condition.values"), path, CONDITION_HINT)
        return Atom(str(node["question"]), tuple(values))
    raise fail(msg("error.kb.condition.keys", keys=sorted(keys)), path, CONDITION_HINT)


def _require(holds: bool, message: Message, hint: Message, *, file: str, entry_id: str, field: str) -> None:
    """Refuse the knowledge base, naming the entry and field at fault, unless ``holds``."""
    if not holds:
        raise KnowledgeBaseError(message, file=file, id=entry_id, field=field, hint=hint)


def _cross_check(kb: KnowledgeBase) -> None:
    for file, entries in (
        ("sources.yaml", kb.sources),
        ("outcomes.yaml", kb.outcomes),
        ("questions.yaml", kb.questions),
        ("rules.yaml", kb.rules),
    ):
        seen: set[str] = set()
        for entry in entries:
            where = {"file": file, "entry_id": entry.id, "field": "id"}
            _require(entry.id not in seen, msg("error.kb.duplicate_id"), msg("error.kb.duplicate_id.hint"), **where)
            seen.add(entry.id)
    for question in kb.questions:
        _check_citations(kb, question.sources, "questions.yaml", question.id)
        where = {"file": "questions.yaml", "entry_id": question.id, "field": "options"}
        holds = question.type != "choice" or len(question.options) >= 2
        _require(holds, msg("error.kb.options"), msg("error.kb.options.hint"), **where)
    for outcome in kb.outcomes:
        _check_outcome(kb, outcome)
    for rule in kb.rules:
        _check_citations(kb, rule.sources, "rules.yaml", rule.id)
        where = {"file": "rules.yaml", "entry_id": rule.id, "field": "outcome"}
        known = rule.outcome in kb.outcome_by_id
        _require(known, msg("error.kb.unknown_outcome", outcome=rule.outcome), msg("error.kb.outcome.hint"), **where)
        retired = kb.outcome_by_id[rule.outcome].retired
        hint = msg("error.kb.retired.hint", retired="retired: true")
        _require(not retired, msg("error.kb.retired", outcome=rule.outcome), hint, **where)
        _check_atoms(kb, rule, rule.when)


def _check_outcome(kb: KnowledgeBase, outcome: Outcome) -> None:
    _check_citations(kb, outcome.sources, "outcomes.yaml", outcome.id)
    competing = {"file": "outcomes.yaml", "entry_id": outcome.id, "field": "competing"}
    parts = {**competing, "field": "parts"}
    for other in outcome.competing:
        known = other in kb.outcome_by_id
        _require(known, msg("error.kb.unknown_outcome", outcome=other), msg("error.kb.competing.hint"), **competing)
    for part in outcome.parts:
        is_regime = kb.outcome_by_id.get(part.outcome, outcome).kind == "regime"
        hint = msg("error.kb.part.hint", kind="kind: regime")
        _require(is_regime, msg("error.kb.part", outcome=part.outcome), hint, **parts)
    split = (outcome.kind == "split") == (len(outcome.parts) >= 2)
    _require(split, msg("error.kb.parts"), msg("error.kb.parts.hint"), **parts)
    open_case = (outcome.kind == "case_by_case") == bool(outcome.competing)
    _require(open_case, msg("error.kb.competing"), msg("error.kb.competing_regimes.hint"), **competing)


def _check_citations(kb: KnowledgeBase, citations: Iterable[Citation], file: str, entry_id: str) -> None:
    for citation in citations:
        known = citation.source in kb.source_by_id
        message = msg("error.kb.unknown_source", source=citation.source)
        hint = msg("error.kb.unknown_source.hint")
        _require(known, message, hint, file=file, entry_id=entry_id, field="sources")


def _check_atoms(kb: KnowledgeBase, rule: Rule, condition: Condition) -> None:
    if isinstance(condition, Not):
        _check_atoms(kb, rule, condition.item)
    elif isinstance(condition, AllOf | AnyOf):
        for item in condition.items:
            _check_atoms(kb, rule, item)
    else:
        where = {"file": "rules.yaml", "entry_id": rule.id, "field": "when"}
        question = kb.question_by_id.get(condition.question)
        if question is None:
            message = msg("error.kb.unknown_question", question=condition.question)
            hint = msg("error.kb.unknown_question.hint")
            raise KnowledgeBaseError(message, file="rules.yaml", id=rule.id, field="when", hint=hint)
        for value in condition.values:
            message = msg("error.kb.unknown_answer", question=question.id, answer=value)
            hint = msg("error.kb.unknown_answer.hint", answers=", ".join(question.codes))
            _require(value in question.codes, message, hint, **where)
        for phase in rule.phases:
            if phase == "development":
                message = msg("error.kb.wrong_phase.development", question=question.id)
            else:
                message = msg("error.kb.wrong_phase.deployment", question=question.id)
            _require(question.applies_to(phase), message, msg("error.kb.wrong_phase.hint"), **where)


def _content_hash(raw: dict[str, Any]) -> str:
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
