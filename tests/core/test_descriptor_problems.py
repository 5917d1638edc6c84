"""Every problem of a descriptor in one run (parse_system, the command line, the API, the import
page), capped for hostile files; short forms of answer labels, refused when ambiguous."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from web.helpers import Client

from airegime.answers import normalise_answer, normalise_answers_with
from airegime.api import create_api
from airegime.errors import MAX_LISTED, AnswerError, DescriptorError
from airegime.kb import KnowledgeBase
from airegime.kb.models import Question
from airegime.storage import Repository
from airegime.system import parse_system, parse_system_text
from airegime.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]

# Three different problems: an unknown question, an answer not allowed, an unknown key of a phase.
THREE = {
    "name": "Bad system",
    "answers": {"establishment": "eu", "colour": "blue"},
    "developments": [{"answers": {"personal_data": "yes", "development_uses": "various"}}],
    "deployments": [
        {"name": "Shopping centre", "answers": {"purpose": "other"}},
        {"name": "Police", "owner": "Ministry", "answers": {"organisation_kind": "police", "purpose": "fun"}},
    ],
}
THREE_PATHS = ["answers.colour", "deployments[1].answers.purpose", "deployments[1].owner"]


def three_problems(kb: KnowledgeBase) -> DescriptorError:
    with pytest.raises(DescriptorError) as caught:
        parse_system(THREE, kb=kb, source="bad.yaml")
    return caught.value


def test_three_problems_are_reported_together_in_the_order_of_the_file(kb: KnowledgeBase) -> None:
    error = three_problems(kb)
    assert not isinstance(error, AnswerError)  # one of them is not an answer's
    assert error.count == 3 and [p.path for p in error.problems] == THREE_PATHS
    colour, purpose, owner = error.problems
    assert colour.found == "'colour'" and "establishment" in colour.allowed.split(", ")
    assert "purpose" not in colour.allowed  # only the questions asked at the system's level
    assert purpose.found == "'fun'" and purpose.allowed.split(", ")[-1] == "unknown"
    assert "criminal_law" in purpose.allowed and purpose.message == "'fun' is not an answer to 'purpose'"
    assert owner.found == "'Ministry'" and owner.allowed == "name, description, answers"
    assert error.location == "answers.colour"  # the first, for callers that read one problem
    assert str(error).startswith("bad.yaml: 3 problems in the descriptor:\n")
    for problem in error.problems:
        assert f"  {problem.path}: {problem.message} → {problem.hint}" in str(error)


def test_answer_problems_alone_raise_an_answer_error_listing_each(kb: KnowledgeBase) -> None:
    data = {
        "name": "S",
        "developments": [{"answers": {"purpose": "x", "development_uses": "sometimes"}}],
        "deployments": [{"name": "A", "answers": {"development_uses": "various", "household": "maybe"}}],
    }
    with pytest.raises(AnswerError) as caught:
        parse_system(data, kb=kb)
    assert [(p.path, p.found) for p in caught.value.problems] == [
        ("developments[0].answers.purpose", "'x'"),
        ("developments[0].answers.development_uses", "'sometimes'"),
        ("deployments[0].answers.development_uses", "development_uses"),  # at the wrong level
        ("deployments[0].answers.household", "'maybe'"),
    ]
    assert caught.value.problems[2].hint == "move it under developments[…].answers"


def test_a_single_problem_reads_as_before(kb: KnowledgeBase) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_system({"name": "S", "deployments": [{"name": "A", "answers": {"purpose": "fun"}}]}, kb=kb, source="f")
    error = caught.value
    assert (
        error.count == 1
        and str(error).splitlines()[0] == "f: deployments[0].answers.purpose: 'fun' is not an answer to 'purpose'"
    )
    assert error.reason == "'fun' is not an answer to 'purpose'" and error.hint.startswith("expected one of: ")


def test_wrong_items_of_a_list_do_not_also_report_the_list_too_short(kb: KnowledgeBase) -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_system({"name": "S", "deployments": ["police", {"owner": "x"}]}, kb=kb)
    assert [p.path for p in caught.value.problems] == ["deployments[0]", "deployments[1].name", "deployments[1].owner"]
    with pytest.raises(DescriptorError) as caught:
        parse_system({"name": "S", "deployments": []}, kb=kb)
    assert [p.path for p in caught.value.problems] == ["deployments"]  # truly empty: that is the problem


def test_problems_that_leave_nothing_to_read_stop_at_once(kb: KnowledgeBase) -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_system({**THREE, "airegime": 3}, kb=kb)
    assert caught.value.count == 1 and caught.value.location == "airegime" and caught.value.problems[0].found == "3"
    with pytest.raises(DescriptorError) as caught:
        parse_system_text("name: S\nname: T\nanswers: {colour: blue}\n", kb=kb)
    assert caught.value.count == 1 and "given twice" in caught.value.message


def test_format1_descriptors_report_every_wrong_answer_too(kb: KnowledgeBase) -> None:
    old = {
        "name": "Old",
        "answers": {"household": "perhaps"},
        "development": {"answers": {"use_defined": "yes", "same_purpose_only": "sometimes"}},
        "deployments": [{"name": "A", "answers": {"controller_kind": "alien"}}],
    }
    with pytest.raises(AnswerError) as caught:
        parse_system(old, kb=kb)
    assert [p.path for p in caught.value.problems] == [
        "answers.household",
        "development.answers.same_purpose_only",
        "deployments[0].answers.controller_kind",
    ]


# Hostile files: bounded time, bounded error


def test_100_000_bad_answers_are_counted_but_only_the_first_listed(kb: KnowledgeBase) -> None:
    answers = {f"q{i}": "x" for i in range(100_000)}
    started = time.perf_counter()
    with pytest.raises(AnswerError) as caught:
        parse_system({"name": "S", "deployments": [{"name": "A", "answers": answers}]}, kb=kb)
    elapsed = time.perf_counter() - started
    error = caught.value
    assert error.count == 100_000 and len(error.problems) == MAX_LISTED == 50
    assert error.problems[0].path == "deployments[0].answers.q0"
    assert str(error).splitlines()[-2] == f"  … and {100_000 - MAX_LISTED:,} more"
    assert len(str(error)) < 20_000
    assert elapsed < 5, f"{elapsed:.1f} s"  # about 0.1 s here


@pytest.mark.slow
def test_100_000_wrong_values_and_unknown_keys_stay_bounded(kb: KnowledgeBase) -> None:
    deployments = [{"name": "A", "answers": {"purpose": "fun"}} for _ in range(100_000)]
    started = time.perf_counter()
    with pytest.raises(DescriptorError) as caught:
        parse_system({"name": "S", "deployments": deployments, **{f"k{i}": i for i in range(100_000)}}, kb=kb)
    assert time.perf_counter() - started < 20
    assert caught.value.count == 200_001  # every answer, every key, and the list over 200 deployments
    assert len(caught.value.problems) == MAX_LISTED and len(str(caught.value)) < 30_000


def test_huge_values_and_keys_are_quoted_short(kb: KnowledgeBase) -> None:
    big = "x" * 500_000
    with pytest.raises(AnswerError) as caught:
        parse_system({"name": "S", "deployments": [{"name": "A", "answers": {"purpose": big, big: 1}}]}, kb=kb)
    assert len(str(caught.value)) < 2_000
    assert caught.value.problems[0].found == "'" + "x" * 57 + "…'"
    assert caught.value.problems[1].path == "deployments[0].answers." + "x" * 57 + "…"


# Short forms of labels


@pytest.mark.parametrize(
    ("question", "given", "code"),
    [
        ("purpose", "Any other purpose", "other"),
        ("purpose", "Toute autre finalité", "other"),
        ("purpose", "  toute   AUTRE finalite ", "other"),
        ("purpose", "Sauvegarder la défense nationale ou la sûreté de l'État", "national_security"),
        ("purpose", "Safeguarding national defence or State security", "national_security"),
        ("organisation_kind", "Un particulier", "natural_person"),
        ("organisation_kind", "A private individual", "natural_person"),
        ("organisation_kind", "The European Public Prosecutor’s Office", "eppo"),
        ("organisation_kind", "une autorite competente en matiere penale", "competent_authority"),
        ("development_uses", "Des usages variés ou encore inconnus", "various"),
        # whole labels and codes are still read
        ("organisation_kind", "A private individual (natural person)", "natural_person"),
        ("purpose", "national_security", "national_security"),
    ],
)
def test_labels_without_their_bracketed_part_are_accepted(
    kb: KnowledgeBase, question: str, given: str, code: str
) -> None:
    assert normalise_answer(kb.question_by_id[question], given) == code
    scope = "development" if question == "development_uses" else "deployment"
    data: dict[str, Any] = {"name": "S", "deployments": [{"name": "A"}]}
    data[f"{scope}s"] = [{"name": "P", "answers": {question: given}}]
    assert parse_system(data, kb=kb).model_dump()[f"{scope}s"][0]["answers"][question] == code


@pytest.mark.parametrize(
    "given", ["Any other", "other purpose (commercial service)", "Un particulier (", "particuliers"]
)
def test_nothing_else_is_guessed(kb: KnowledgeBase, given: str) -> None:
    with pytest.raises(AnswerError, match="is not an answer"):
        normalise_answer(kb.question_by_id["purpose" if "other" in given else "organisation_kind"], given)


def made_up_question() -> Question:
    def option(code: str, label: str) -> dict[str, Any]:
        return {"code": code, "label": {"fr": label, "en": label}}

    return Question.model_validate(
        {
            "id": "authority",
            "scope": ["deployment"],
            "short": {"fr": "a", "en": "a"},
            "text": {"fr": "a", "en": "a"},
            "help": {"fr": "a", "en": "a"},
            "type": "choice",
            "options": [
                option("local", "Local authority (a town)"),
                option("region", "Local authority (a region)"),
                option("public", "Any public body"),
                option("state", "Public (the State)"),
            ],
            "sources": [{"source": "s"}],
        }
    )


def test_an_ambiguous_short_form_is_refused_with_its_candidates() -> None:
    question = made_up_question()
    with pytest.raises(AnswerError) as caught:
        normalise_answer(question, "local AUTHORITY", location="deployments[0].answers.authority")
    problem = caught.value.problems[0]
    assert problem.message == "'local AUTHORITY' could mean several answers to 'authority': local, region"
    assert problem.allowed == "local, region" and problem.path == "deployments[0].answers.authority"
    with pytest.raises(AnswerError, match="could mean several answers") as listed:
        normalise_answers_with({"authority": question}, {"authority": "Local authority"}, location="answers")
    assert listed.value.problems[0].allowed == "local, region"
    # the whole labels tell them apart
    assert normalise_answer(question, "Local authority (a region)") == "region"


def test_a_code_wins_over_a_short_form() -> None:
    question = made_up_question()
    assert normalise_answer(question, "public") == "public"  # not "state", whose short label is "Public"
    assert normalise_answer(question, "Public (the State)") == "state"


# The surfaces: command line, API, import page


def test_the_command_line_prints_every_problem_one_a_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(THREE), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "airegime", "assess", str(path), "--lang", "en"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"Error: {path}: 3 problems in the descriptor"
    assert [line.split(": ")[1] for line in lines[1:]] == THREE_PATHS  # one a line, however narrow the terminal
    assert all(line.startswith(f"{path}: ") and " → " in line for line in lines[1:])


def test_the_command_line_caps_the_list(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(
        json.dumps({"name": "S", "deployments": [{"name": "A", "answers": {f"q{i}": 1 for i in range(1_000)}}]})
    )
    result = subprocess.run(
        [sys.executable, "-m", "airegime", "assess", str(path), "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = result.stderr.splitlines()
    assert result.returncode == 2 and len(lines) == 1 + MAX_LISTED + 1
    assert lines[0].endswith("1,000 problems in the descriptor") and lines[-1] == f"{path}: … and 950 more"


def test_the_api_returns_every_problem(repo: Repository) -> None:
    with TestClient(create_api(repository=repo), raise_server_exceptions=False) as api:
        for method, path in (("post", "/evaluate"), ("post", "/assessments")):
            response = api.request(method, path, json=THREE)
            assert response.status_code == 422
            error = response.json()["error"]
            assert error["code"] == "invalid_descriptor" and error["count"] == 3
            assert [p["path"] for p in error["problems"]] == THREE_PATHS
            assert error["problems"][1] == {
                "path": "deployments[1].answers.purpose",
                "found": "'fun'",
                "allowed": "criminal_law, crowd_safety, administrative_enforcement, mixed_separable, "
                "mixed_inseparable, national_security, other, unknown",
                "message": "'fun' is not an answer to 'purpose'",
                "hint": "expected one of: criminal_law, crowd_safety, administrative_enforcement, mixed_separable, "
                "mixed_inseparable, national_security, other, unknown",
            }
            # the fields clients read before `problems` describe the first problem
            assert error["where"] == "answers.colour" and error["hint"] == error["problems"][0]["hint"]
            assert error["message"] == "3 problems in the descriptor, the first: no question 'colour'"
        assert repo.count() == 0
        one = api.post(
            "/evaluate", json={**THREE, "answers": {}, "deployments": [{"name": "A", "answers": {"purpose": "fun"}}]}
        )
        assert one.json()["error"]["count"] == 1 and one.json()["error"]["where"] == "deployments[0].answers.purpose"


def test_the_import_page_lists_every_problem(repo: Repository) -> None:
    with Client(create_app(repository=repo), raise_server_exceptions=False, follow_redirects=False) as client:
        refused = client.submit("/import", {"text": yaml.safe_dump(THREE)})
    assert refused.status_code == 400 and repo.count() == 0
    for path in THREE_PATHS:
        assert f"<li><code>{path}</code> — " in refused.text
    many = {"name": "S", "deployments": [{"name": "A", "answers": {f"q{i:02d}": 1 for i in range(60)}}]}
    with Client(create_app(repository=repo), raise_server_exceptions=False, follow_redirects=False) as client:
        capped = client.submit("/import", {"text": yaml.safe_dump(many)}).text
    assert capped.count("<li><code>deployments[0].answers.q") == MAX_LISTED
    assert "answers.q49</code>" in capped and "answers.q50</code>" not in capped
    assert "<p>… (+10)</p>" in capped
