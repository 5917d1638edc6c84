"""Scenarios: a rule author's tests in YAML, run against a knowledge base and failing in legal words.

A scenario file holds a list of scenarios. Each gives answers (or names a descriptor file) and
what each phase must come out as::

    scenarios:
      - name: "Sheet example 2: ..."
        example: zone-crossing-detector.yaml        # or: system / development / deployments answers
        expect:
          development: {outcome: gdpr, status: determined, rules: [development_case2_gdpr], cites: [cnil_sheet_1]}
          National police: {outcome: police_justice}  # a deployment context, by name
        interview_next: household                     # optional: the next question asked (null: none)

``example`` is looked for next to the scenario file first, then in the project's examples/ folder.
``airegime test`` and the project's own pytest plugin both run scenarios through this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from airegime.engine.evaluate import evaluate
from airegime.engine.interview import next_question
from airegime.engine.results import Assessment, PhaseResult
from airegime.errors import DescriptorError, Message, Said, ScenarioError, msg, msg_plural
from airegime.kb import KnowledgeBase, Lang
from airegime.kb.loader import SAFE_LOADER, yaml_problem
from airegime.system import System, load_system, parse_system, read_utf8

EXPECTATIONS = ("outcome", "status", "rules", "cites", "possible", "depends_on")
STATUSES = ("determined", "undetermined", "case_by_case")
SCENARIO_KEYS = ("name", "example", "system", "development", "deployments", "expect", "interview_next")
PROJECT_EXAMPLES = Path(__file__).resolve().parents[2] / "examples"  # in a source checkout only


@dataclass(frozen=True, slots=True)
class Expectation:
    """What one phase must come out as; None (or empty ``cites``) checks nothing."""

    outcome: str | None = None
    status: str | None = None
    rules: tuple[str, ...] | None = None
    cites: tuple[str, ...] = ()
    possible: tuple[str, ...] | None = None
    depends_on: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    """One scenario: the system (an example file or answers) and what each phase must give."""

    name: str
    expect: dict[str, Expectation]
    example: str | None = None
    system: dict[str, Any] = field(default_factory=dict)
    development: dict[str, Any] = field(default_factory=dict)
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks_next: bool = False  # whether ``interview_next`` was given (None: no question left)
    interview_next: str | None = None
    source: str = ""  # the scenario file, for messages
    location: str = ""  # e.g. scenarios[3]
    line: int | None = None
    folder: Path | None = None  # where ``example`` is looked for first


@dataclass(frozen=True, slots=True)
class Failure:
    """One expectation the engine does not meet, said in the reader's language."""

    phase: str  # the phase's name; "" for the interview
    expectation: str  # outcome, status, rules, cites, possible, depends_on, phase or interview_next
    said: Message

    def message(self, lang: Lang) -> str:
        return self.said.text(lang)

    def to_dict(self, lang: Lang) -> dict[str, str]:
        return {"phase": self.phase, "expectation": self.expectation, "message": self.message(lang)}


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    scenario: Scenario
    assessment: Assessment
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        return not self.failures

    def explanation(self, lang: Lang) -> str:
        """Every failure, one a line."""
        return "\n".join(failure.message(lang) for failure in self.failures)


# Reading


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, a folder standing for the *.yaml files inside it (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.yaml") if p.is_file())
            if not found:
                raise ScenarioError(msg("error.scenario.empty_folder"), source=str(path))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise ScenarioError(msg("error.scenario.no_file"), source=str(path), hint=msg("error.check_path.hint"))
    return files


def load_scenarios(path: Path | str) -> tuple[Scenario, ...]:
    """Read and check a scenario file (examples it names are read when the scenario runs)."""
    path = Path(path)
    text = read_utf8(path, ScenarioError, not_utf8_hint=msg("error.scenario.not_utf8.hint"))
    return parse_scenarios_text(text, source=str(path), folder=path.parent)


def parse_scenarios_text(text: str, *, source: str = "", folder: Path | None = None) -> tuple[Scenario, ...]:
    """The scenarios of a scenario file's text; a problem names its place and line."""
    try:
        loader = SAFE_LOADER(text)
        try:
            node = loader.get_single_node()
            lines: dict[str, int] = {}
            data = _plain(loader, node, "", lines, source) if node is not None else None
        finally:
            loader.dispose()
    except RecursionError:
        raise ScenarioError(msg("error.descriptor.too_deep"), source=source) from None
    except yaml.YAMLError as error:
        raise ScenarioError(yaml_problem(error, text), source=source, hint=msg("error.scenario.syntax.hint")) from None
    check = _Checker(source, lines)
    if not isinstance(data, dict) or set(data) != {"scenarios"}:
        raise check.fail(
            "", msg("error.scenario.not_mapping"), msg("error.scenario.not_mapping.hint", start="scenarios:")
        )
    items = data["scenarios"]
    if not isinstance(items, list) or not items:
        raise check.fail(
            "scenarios", msg("error.scenario.no_list"), msg("error.scenario.no_list.hint", item="- name: ...")
        )
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        scenario = _scenario(item, f"scenarios[{index}]", check, folder)
        if scenario.name in seen:
            raise check.fail(
                f"scenarios[{index}].name",
                msg("error.scenario.same_name", name=scenario.name),
                msg("error.scenario.same_name.hint"),
            )
        seen.add(scenario.name)
        scenarios.append(scenario)
    return tuple(scenarios)


def parse_scenario(data: Any, *, source: str = "", location: str = "", folder: Path | None = None) -> Scenario:
    """One scenario from its decoded mapping (as in a scenario file's list)."""
    return _scenario(data, location, _Checker(source, {}), folder)


class _Checker:
    """Builds errors at a path of the file, with the line the path starts at when known."""

    def __init__(self, source: str, lines: dict[str, int]) -> None:
        self.source, self.lines = source, lines

    def fail(self, path: str, message: Message, hint: Said = "") -> ScenarioError:
        probe = path
        while probe and probe not in self.lines:
            probe = probe.rpartition("[")[0] if probe.endswith("]") else probe.rpartition(".")[0]
        line = self.lines.get(probe)
        said = msg("error.scenario.at_line", message=message, line=line) if line else message
        return ScenarioError(said, location=path, source=self.source, hint=hint)


def _plain(loader: Any, node: yaml.Node, path: str, lines: dict[str, int], source: str) -> Any:
    """The node's value, noting the line each path starts at and refusing a key given twice."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # merged keys (<<: *anchor) may be overridden
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (dict, list)):
                raise ScenarioError(
                    msg("error.scenario.at_line", message=msg("error.scenario.key_not_word"), line=line),
                    location=path,
                    source=source,
                )
            if key in seen:
                raise ScenarioError(
                    msg("error.scenario.at_line", message=msg("error.descriptor.key_twice", key=key), line=line),
                    location=f"{path}.{key}" if path else str(key),
                    source=source,
                    hint=msg("error.key_twice.hint"),
                )
            seen.add(key)
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            result[key] = _plain(loader, value_node, f"{path}.{key}" if path else str(key), lines, source)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(loader, item, f"{path}[{i}]", lines, source) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _scenario(item: Any, path: str, check: _Checker, folder: Path | None) -> Scenario:
    if not isinstance(item, dict):
        raise check.fail(path, msg("error.scenario.item_not_mapping"), msg("error.scenario.item_not_mapping.hint"))
    at = f"{path}." if path else ""
    _only(item, SCENARIO_KEYS, at, check, lambda key: msg("error.scenario.unknown_key", key=key))
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise check.fail(f"{at}name", msg("error.scenario.no_name"), msg("error.scenario.add", item="name: ..."))
    example = item.get("example")
    if example is not None and (not isinstance(example, str) or not example.strip()):
        raise check.fail(
            f"{at}example", msg("error.scenario.example"), msg("error.scenario.eg", example="example: my-system.yaml")
        )
    answers = [key for key in ("system", "development", "deployments") if key in item]
    if example is not None and answers:
        raise check.fail(f"{at}{answers[0]}", msg("error.scenario.example_and_answers"), msg("error.scenario.keep_one"))
    deployments: dict[str, dict[str, Any]] = {}
    for context, given in _mapping(item.get("deployments"), f"{at}deployments", check).items():
        if not isinstance(context, str):
            raise check.fail(f"{at}deployments", msg("error.scenario.context_name", found=repr(context)))
        deployments[context] = _mapping(given, f"{at}deployments.{context}", check)
    expect = item.get("expect")
    if not isinstance(expect, dict) or not expect:
        raise check.fail(f"{at}expect", msg("error.scenario.no_expect"), msg("error.scenario.no_expect.hint"))
    return Scenario(
        name=name,
        expect={str(phase): _expectation(given, f"{at}expect.{phase}", check) for phase, given in expect.items()},
        example=example,
        system=_mapping(item.get("system"), f"{at}system", check),
        development=_mapping(item.get("development"), f"{at}development", check),
        deployments=deployments,
        checks_next="interview_next" in item,
        interview_next=_text_or_none(item.get("interview_next"), f"{at}interview_next", check),
        source=check.source,
        location=path,
        line=check.lines.get(path),
        folder=folder,
    )


def _only(
    given: dict[Any, Any], allowed: tuple[str, ...], at: str, check: _Checker, unknown: Callable[[str], Message]
) -> None:
    """Refuse the first key (in sorted order) that is not one of ``allowed``, naming those."""
    extra = sorted(str(key) for key in given if key not in allowed)
    if extra:
        raise check.fail(f"{at}{extra[0]}", unknown(extra[0]), msg("error.scenario.use", keys=", ".join(allowed)))


def _mapping(value: Any, path: str, check: _Checker) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise check.fail(
            path,
            msg("error.scenario.not_a_mapping"),
            msg("error.scenario.not_a_mapping.hint", pairs="key: value", flow="{key: value, ...}"),
        )
    return dict(value)


def _text_or_none(value: Any, path: str, check: _Checker) -> str | None:
    if value is not None and not isinstance(value, str):
        raise check.fail(
            path, msg("error.scenario.next"), msg("error.scenario.eg", example="interview_next: household")
        )
    return value


def _expectation(given: Any, path: str, check: _Checker) -> Expectation:
    if not isinstance(given, dict) or not given:
        raise check.fail(path, msg("error.scenario.expectation"), msg("error.scenario.eg", example="{outcome: gdpr}"))
    _only(given, EXPECTATIONS, f"{path}.", check, lambda key: msg("error.scenario.unknown_expectation", key=key))
    status = given.get("status")
    if status is not None and status not in STATUSES:
        raise check.fail(
            f"{path}.status",
            msg("error.scenario.status", status=status),
            msg("error.scenario.use", keys=", ".join(STATUSES)),
        )
    outcome = given.get("outcome")
    if outcome is not None and not isinstance(outcome, str):
        raise check.fail(
            f"{path}.outcome", msg("error.scenario.outcome"), msg("error.scenario.eg", example="outcome: gdpr")
        )

    def ids(key: str) -> tuple[str, ...] | None:
        if key not in given:
            return None
        value = given[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise check.fail(
                f"{path}.{key}",
                msg("error.scenario.ids"),
                msg("error.scenario.eg", example=f"{key}: [first_id, second_id]"),
            )
        return tuple(value)

    return Expectation(
        outcome=outcome,
        status=status,
        rules=ids("rules"),
        cites=ids("cites") or (),
        possible=ids("possible"),
        depends_on=ids("depends_on"),
    )


# Running


def scenario_system(*, kb: KnowledgeBase, scenario: Scenario) -> System:
    """The system a scenario describes; a ScenarioError when its example or answers are refused."""
    try:
        if scenario.example is not None:
            return load_system(_example_path(scenario), kb=kb)
        return parse_system(
            {
                "name": scenario.name,
                "answers": scenario.system,
                "development": {"answers": scenario.development},
                "deployments": [{"name": name, "answers": answers} for name, answers in scenario.deployments.items()],
            },
            kb=kb,
        )
    except ScenarioError:
        raise
    except DescriptorError as error:
        what = msg(
            "error.scenario.example_refused" if scenario.example is not None else "error.scenario.answers_refused"
        )
        said = msg("error.at", where=_at_line(scenario, what), message=error)
        raise ScenarioError(said, location=scenario.location, source=scenario.source, hint=error.advice) from None


def _example_path(scenario: Scenario) -> Path:
    assert scenario.example is not None
    folders = [scenario.folder] if scenario.folder is not None else []
    candidates = [folder / scenario.example for folder in [*folders, PROJECT_EXAMPLES]]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ScenarioError(
        _at_line(scenario, msg("error.scenario.no_example", example=scenario.example)),
        location=f"{scenario.location}.example" if scenario.location else "example",
        source=scenario.source,
        hint=msg("error.scenario.no_example.hint", paths=_both([str(c) for c in candidates])),
    )


def _both(items: Sequence[Said]) -> Said:
    """ "a and b" (and "a and b and c"), in the reader's words."""
    return _chained(items, lambda first, second: msg("error.and", first=first, second=second))


def _chained(items: Sequence[Said], join: Callable[[Said, Said], Message]) -> Said:
    """The items joined two by two by ``join`` (a message of a ``{first}`` and a ``{second}``)."""
    said: Said = items[0] if items else ""
    for item in items[1:]:
        said = join(said, item)
    return said


def _at_line(scenario: Scenario, said: Message) -> Message:
    return msg("error.scenario.at_line", message=said, line=scenario.line) if scenario.line else said


def run_scenario(*, kb: KnowledgeBase, scenario: Scenario) -> ScenarioResult:
    """Evaluate the scenario's system and compare each phase with what the scenario expects."""
    assessment = evaluate(kb=kb, system=scenario_system(kb=kb, scenario=scenario))
    by_name = {phase.name: phase for phase in assessment.phases}
    failures: list[Failure] = []
    for name, expected in scenario.expect.items():
        if name not in by_name:
            failures.append(Failure(name, "phase", msg("scenario.failure.no_phase", phase=name)))
            continue
        failures.extend(_compare(kb, name, by_name[name], expected))
    if scenario.checks_next:
        question = next_question(kb=kb, system=assessment.system)
        asked = question.question.id if question else None
        want = scenario.interview_next
        if asked != want:
            should = msg("scenario.should_ask", question=want) if want else msg("scenario.should_ask_nothing")
            does = msg("scenario.asks", question=asked) if asked else msg("scenario.asks_nothing")
            said = msg("scenario.failure.interview_next", should=should, does=does)
            failures.append(Failure("", "interview_next", said))
    return ScenarioResult(scenario=scenario, assessment=assessment, failures=tuple(failures))


def _compare(kb: KnowledgeBase, name: str, result: PhaseResult, expected: Expectation) -> Iterator[Failure]:
    phase, gives = _label(name, result), _describe(kb, result)
    if expected.outcome is not None and result.outcome != expected.outcome:
        outcome = kb.outcome_by_id.get(expected.outcome)
        if outcome is None:
            said = msg("scenario.failure.unknown_outcome", phase=phase, outcome=expected.outcome)
        else:
            said = msg("scenario.failure.outcome", phase=phase, outcome=outcome.label, gives=gives)
        yield Failure(name, "outcome", said)
    if expected.status is not None and result.status != expected.status:
        status = _status(expected.status)
        yield Failure(name, "status", msg("scenario.failure.status", phase=phase, status=status, gives=gives))
    if expected.rules is not None and list(result.rules) != list(expected.rules):
        want, got = list(expected.rules), list(result.rules)
        yield Failure(name, "rules", msg_plural("scenario.failure.rules", len(want), phase=phase, want=want, got=got))
    for source_id in expected.cites:
        if source_id in result.sources:
            continue
        source = kb.source_by_id.get(source_id)
        if source is None:
            said = msg("scenario.failure.unknown_source", phase=phase, source=source_id)
        else:
            said = msg("scenario.failure.cites", phase=phase, source=source.title, cited=list(result.sources))
        yield Failure(name, "cites", said)
    if expected.possible is not None and sorted(result.possible) != sorted(expected.possible):
        want, got = sorted(expected.possible), sorted(result.possible)
        yield Failure(name, "possible", msg("scenario.failure.possible", phase=phase, want=want, got=got))
    if expected.depends_on is not None:
        want, got = list(expected.depends_on), [d.question for d in result.depends_on]
        if got != want:
            yield Failure(name, "depends_on", msg("scenario.failure.depends_on", phase=phase, want=want, got=got))


def _label(name: str, result: PhaseResult) -> Message:
    if result.phase == "deployment":
        return msg("scenario.phase.deployment", name=name)
    if name == "development":
        return msg("scenario.phase.development")
    return msg("scenario.phase.development_named", name=name)


def _status(status: str) -> Message:
    if status == "determined":
        return msg("status.determined")
    return msg("status.case_by_case") if status == "case_by_case" else msg("status.undetermined")


def _describe(kb: KnowledgeBase, result: PhaseResult) -> Message:
    """What the engine gives, in words: the outcome, its status and the rules that decided it."""

    def outcome(outcome_id: str) -> Message:
        found = kb.outcome_by_id.get(outcome_id)
        return msg("quoted", words=found.label if found else outcome_id)

    if result.outcome is None:
        between = _chained(
            [outcome(o) for o in result.possible],
            lambda first, second: msg("scenario.comma_list", first=first, second=second),
        )
        return msg("scenario.gives.undetermined", outcomes=between)
    rules = [msg("scenario.rule", rule=r, title=kb.rule_by_id[r].title) for r in result.rules]
    return msg(
        "scenario.gives",
        outcome=outcome(result.outcome),
        status=_status(result.status),
        rules=_chained(rules, lambda first, second: msg("scenario.rule_list", first=first, second=second)),
    )
