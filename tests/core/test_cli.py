"""The command line, run as a user runs it: a real process, its output and its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert data["format"] == "airegime.assessment/1"
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
    result = run("assess", str(path))
    assert result.returncode == 2
    assert message in result.stderr and "→" in result.stderr
    assert "Traceback" not in result.stderr


def test_explain_shows_rules_sources_and_counterfactuals() -> None:
    result = run("explain", EXAMPLE, "--lang", "en")
    assert result.returncode == 0
    assert "development_case2_gdpr" in result.stdout
    assert "CNIL, AI how-to sheet no. 1" in result.stdout
    assert "What would change the outcome" in result.stdout
    assert "subject to a case-by-case analysis" in result.stdout


def test_explain_json_has_traces_and_counterfactuals() -> None:
    data = json.loads(run("explain", EXAMPLE, "-f", "json").stdout)
    police = data["phases"][2]
    assert police["rule_traces"][0]["truth"] == "met"
    assert any(c["outcome"] == "gdpr" for c in police["counterfactuals"])


def test_verify_command_reports_its_figures() -> None:
    result = run("verify", "--format", "json")
    data = json.loads(result.stdout)
    assert result.returncode == 0 and data["ok"] and data["combinations"] == 5000


def test_questions_sources_and_schema() -> None:
    assert "controller_kind" in run("questions", "--phase", "deployment").stdout
    assert "use_defined" not in run("questions", "--phase", "deployment").stdout
    assert run("questions", "--phase", "nowhere").returncode == 2
    assert "eur-lex.europa.eu" in run("sources").stdout
    assert json.loads(run("schema").stdout)["title"] == "airegime system descriptor"
