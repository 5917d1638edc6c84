"""The command line, run as a user runs it: a real process, its output and its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs airegime in a subprocess

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "zone-crossing-detector.yaml")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "AIREGIME_LANG"}
    environment.update({"COLUMNS": "200", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "airegime", *args], capture_output=True, text=True, env=environment, timeout=60
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("airegime ")


def test_assess_text_in_french_by_default() -> None:
    result = run("assess", EXAMPLE)
    assert result.returncode == 0
    assert "Développement" in result.stdout and "Police-justice" in result.stdout and "RGPD" in result.stdout
    assert "pas un conseil juridique" in result.stdout


def test_assess_in_english_by_option_and_by_setting() -> None:
    assert "Development" in run("assess", EXAMPLE, "--lang", "en").stdout
    assert "Development" in run("assess", EXAMPLE, env={"AIREGIME_LANG": "en"}).stdout


def test_assess_json_is_the_documented_format() -> None:
    result = run("assess", EXAMPLE, "--format", "json")
    data = json.loads(result.stdout)
    assert data["format"] == "airegime.assessment/2"
    assert [(p["phase"], p["development_index"], p["deployment_index"]) for p in data["phases"]] == [
        ("development", 0, None),
        ("deployment", None, 0),
        ("deployment", None, 1),
    ]
    assert [p["outcome"] for p in data["phases"]] == ["gdpr", "gdpr", "police_justice"]


def test_assess_markdown() -> None:
    result = run("assess", EXAMPLE, "-f", "markdown", "--lang", "en")
    assert "| Deployment: National police | Police-justice" in result.stdout


def test_fail_on_open_exits_1_only_when_something_is_open(tmp_path: Path) -> None:
    assert run("assess", EXAMPLE, "--fail-on-open").returncode == 0
    open_example = str(ROOT / "examples" / "startup-foundation-model.yaml")
    assert run("assess", open_example).returncode == 0
    assert run("assess", open_example, "--fail-on-open").returncode == 1
    unsettled = str(ROOT / "examples" / "customs-fraud-detection.yaml")
    assert run("assess", unsettled, "--fail-on-open").returncode == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: S\ndeployments:\n  - name: A\n    answers: {purpose: fun}\n", "deployments[0].answers.purpose"),
        ("name: [\n", "not valid YAML"),
        ("deployments: []\n", "name"),
    ],
)
def test_invalid_input_exits_2_with_where_and_what_to_do(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "system.yaml"
    path.write_text(content, encoding="utf-8")
    result = run("assess", str(path), "--lang", "en")
    assert result.returncode == 2
    assert message in result.stderr and "→" in result.stderr
    assert "Traceback" not in result.stderr


def test_explain_shows_rules_sources_and_counterfactuals() -> None:
    result = run("explain", EXAMPLE, "--lang", "en")
    assert result.returncode == 0
    assert "Case 2: use not fixed, development falls under the GDPR" in result.stdout
    assert "development_case2_gdpr" not in result.stdout  # rules are named in words, ids stay in JSON
    assert "CNIL, AI how-to sheet no. 1" in result.stdout
    # the law beside the rule: each citation with what the text says
    assert "Cas n°2 — Development and deployment are two processing operations" in result.stdout
    assert "What would change the outcome" in result.stdout
    assert "subject to a case-by-case analysis" in result.stdout


def test_explain_json_has_traces_and_counterfactuals() -> None:
    data = json.loads(run("explain", EXAMPLE, "-f", "json").stdout)
    police = data["phases"][2]
    assert police["rule_traces"][0]["truth"] == "met"
    assert any(c["outcome"] == "gdpr" for c in police["counterfactuals"])


def test_verify_command_reports_its_figures() -> None:
    from math import prod

    from airegime.kb import load_knowledge_base

    kb = load_knowledge_base()
    result = run("verify", "--format", "json")
    data = json.loads(result.stdout)
    # every full set of answers of each phase: the product of the numbers of answers of its questions
    expected = {phase: prod(len(q.codes) for q in kb.phase_questions(phase)) for phase in ("development", "deployment")}
    assert result.returncode == 0 and data["ok"]
    assert {p["phase"]: p["combinations"] for p in data["phases"]} == expected
    assert data["combinations"] == sum(expected.values())


def test_questions_sources_and_schema() -> None:
    deployment = run("questions", "--phase", "deployment", "--lang", "en").stdout
    assert "organisation_kind" in deployment and "legal_mission" in deployment
    assert "development_uses" not in deployment  # asked of development processings only
    assert "development_uses" in run("questions", "--phase", "development").stdout
    system = run("questions", "--phase", "system").stdout
    assert "establishment" in system and "purpose" not in system
    assert run("questions", "--phase", "nowhere").returncode == 2
    sources = run("sources", "--lang", "en").stdout
    assert "eur-lex.europa.eu" in sources
    assert "The default regime for any processing of personal data" in " ".join(sources.split())  # what it says
    assert json.loads(run("schema").stdout)["title"] == "airegime system descriptor"


# A format-1 descriptor whose reading is a guess: "use defined, but not exclusively that purpose".
FORMAT1 = """\
name: Forensics tool
answers: {household: "no"}
development:
  answers: {personal_data: "yes", eu_link: "yes", for_client: "no", controller_kind: competent_authority,
            purpose: criminal_law, use_defined: "yes", same_purpose_only: "no"}
deployments:
  - name: Forensics lab
    answers: {personal_data: "yes", eu_link: "yes", controller_kind: competent_authority, purpose: criminal_law}
"""
FORMAT2 = """\
name: Forensics tool
answers: {establishment: eu}
developments:
  - answers: {personal_data: "yes", organisation_kind: competent_authority, purpose: criminal_law,
              development_uses: single_use_with_other_ends}
deployments:
  - name: Forensics lab
    answers: {personal_data: "yes", organisation_kind: competent_authority, purpose: criminal_law}
"""


@pytest.mark.parametrize(
    "command", [("assess", "-f", "json"), ("assess",), ("explain",), ("report", "--date", "2026-01-15")]
)
def test_a_format1_descriptor_is_read_with_its_notes_on_stderr(tmp_path: Path, command: tuple[str, ...]) -> None:
    from airegime.i18n import translate
    from airegime.upgrade import OTHER_ENDS_NOTE

    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(FORMAT1, encoding="utf-8")
    new.write_text(FORMAT2, encoding="utf-8")
    for lang, note in (("fr", translate(OTHER_ENDS_NOTE, "fr")), ("en", translate(OTHER_ENDS_NOTE, "en"))):
        upgraded, current = (
            run(*command[:1], str(old), *command[1:], "--lang", lang),
            run(*command[:1], str(new), *command[1:], "--lang", lang),
        )
        assert upgraded.returncode == 0, upgraded.stderr
        assert upgraded.stderr == f"note: development.answers.development_uses: {note}\n"
        assert current.stderr == ""  # nothing to guess in a format-2 descriptor
        assert upgraded.stdout == current.stdout  # the result is said as for the descriptor it was read as
    if command[-1] == "json":
        data = json.loads(upgraded.stdout)
        assert [p["outcome"] for p in data["phases"]] == ["split_police_justice_gdpr", "police_justice"]


def test_a_split_outcome_is_explained_with_each_regime_and_its_purposes(tmp_path: Path) -> None:
    from airegime.kb import load_knowledge_base

    kb = load_knowledge_base()
    path = tmp_path / "new.yaml"
    path.write_text(FORMAT2, encoding="utf-8")
    text = " ".join(run("explain", str(path), "--lang", "en").stdout.split())
    split = kb.outcome_by_id["split_police_justice_gdpr"]
    assert split.label.en in text  # "Police-justice for the criminal-law purposes; GDPR for the others"
    for part in split.parts:
        assert f"{kb.outcome_by_id[part.outcome].label.en}: for {part.purposes.en}" in text


def test_explain_leads_with_the_reason_and_says_how_to_answer_the_question_to_settle_first() -> None:
    undetermined = run("explain", str(ROOT / "examples" / "startup-foundation-model.yaml"), "--lang", "en")
    assert undetermined.returncode == 0, undetermined.stderr
    text = " ".join(undetermined.stdout.split())
    assert "Question to settle first: What is the purpose of the operational use" in text
    assert "airegime interview --resume" in text and "startup-foundation-model.yaml, then c to change" in text
    assert "The reason that decided: Case 2: use not fixed, development falls under the GDPR" in text
    assert "Other rules considered: 10 — see them with --all-rules" in text  # the undetermined phase's rules
    settled = run("explain", str(ROOT / "examples" / "zone-crossing-detector.yaml"), "--lang", "en")
    assert "Question to settle first" not in settled.stdout and "--resume" not in settled.stdout
    every_rule = run("explain", str(ROOT / "examples" / "startup-foundation-model.yaml"), "--lang", "en", "--all-rules")
    assert "Other rules considered" not in every_rule.stdout and every_rule.stdout.count("Rule —") >= 10
