"""`airegime test` runs a rule author's scenarios against the knowledge base of their choice, failing
in legal words; `--knowledge-dir` reaches verify, assess, explain and serve too."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import airegime
from airegime.kb import load_knowledge_base
from airegime.kb.loader import default_knowledge_dir
from airegime.scenarios import ScenarioError, load_scenarios, parse_scenarios_text

pytestmark = pytest.mark.slow  # runs airegime in a subprocess

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "scenarios"

POLICE = """\
scenarios:
  - name: The police deploying for criminal-law ends
    system: {establishment: eu}
    development: {personal_data: "yes", organisation_kind: private_body, development_uses: various}
    deployments:
      National police: {personal_data: "yes", organisation_kind: competent_authority, purpose: criminal_law}
    expect:
      National police: {outcome: police_justice, rules: [deployment_police_justice]}
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AIREGIME_")}
    environment.update({"COLUMNS": "200", "NO_COLOR": "1"})
    return subprocess.run(
        [sys.executable, "-m", "airegime", *args], capture_output=True, text=True, env=environment, timeout=120
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), target)
    return target


def amend(kb_dir: Path) -> None:
    """The organisation's amendment: the police-justice rule for deployments now gives the GDPR."""
    rules = kb_dir / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    start = text.index("  - id: deployment_police_justice\n")
    at = text.index("    outcome: police_justice\n", start)
    assert at < text.index("  - id: ", start + 1)  # the outcome line of that rule, not of the next one
    rules.write_text(text[:at] + "    outcome: gdpr\n" + text[at + len("    outcome: police_justice\n") :], "utf-8")


def test_the_projects_own_scenarios_all_pass() -> None:
    total = sum(len(load_scenarios(path)) for path in sorted(SCENARIOS.glob("*.yaml")))
    result = run("test", str(SCENARIOS), "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert sum(line.startswith("  ✓ ") for line in lines) == total >= 40
    assert "✗" not in result.stdout
    assert lines[-1] == f"{total} scenarios: {total} passed, 0 failed"
    assert str(SCENARIOS / "sheet-examples.yaml") in lines


def test_a_wrong_expectation_fails_with_exit_1_in_legal_words(tmp_path: Path) -> None:
    scenario = write(tmp_path, "wrong.yaml", POLICE.replace("{outcome: police_justice,", "{outcome: gdpr,"))
    result = run("test", str(scenario), "--lang", "en")
    assert result.returncode == 1
    assert "  ✗ The police deploying for criminal-law ends" in result.stdout
    assert (
        "the deployment 'National police' should fall under “GDPR”, but the engine gives “Police-justice"
        in result.stdout
    )
    assert "by rule 'deployment_police_justice': Criminal-law ends, by a competent authority" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 scenario: 0 passed, 1 failed"
    french = run("test", str(scenario))  # French by default
    assert french.returncode == 1
    said = "le déploiement «\u00a0National police\u00a0» devrait relever de «\u00a0RGPD\u00a0», mais le moteur donne"
    assert said in french.stdout
    assert french.stdout.splitlines()[-1] == "1 scénario\u00a0: 0 réussi, 1 en échec"


def test_an_amended_knowledge_base_is_tested_with_knowledge_dir(tmp_path: Path, kb_copy: Path) -> None:
    amend(kb_copy)
    scenario = write(tmp_path, "police.yaml", POLICE)
    assert run("test", str(scenario)).returncode == 0
    amended = run("test", str(scenario), "--knowledge-dir", str(kb_copy), "--lang", "en", "--format", "json")
    assert amended.returncode == 1
    report = json.loads(amended.stdout)
    assert (report["passed"], report["failed"], report["errors"]) == (0, 1, 0)
    [failure] = report["scenarios"][0]["failures"]
    assert failure["phase"] == "National police" and failure["expectation"] == "outcome"
    assert failure["message"].startswith(
        "the deployment 'National police' should fall under “Police-justice (Directive 2016/680, Titre III of the "
        "French Act)”, but the engine gives “GDPR” (determined) by rule 'deployment_police_justice'"
    )
    assert (
        report["knowledge_base"]["hash"]
        != json.loads(run("test", str(scenario), "-f", "json").stdout)["knowledge_base"]["hash"]
    )


def test_assess_explain_and_verify_read_the_knowledge_dir(kb_copy: Path) -> None:
    amend(kb_copy)
    example = str(ROOT / "examples" / "zone-crossing-detector.yaml")
    assessed = run("assess", example, "--knowledge-dir", str(kb_copy), "--format", "json")
    assert assessed.returncode == 0, assessed.stderr
    assert [p["outcome"] for p in json.loads(assessed.stdout)["phases"]] == ["gdpr", "gdpr", "gdpr"]
    explained = run("explain", example, "--knowledge-dir", str(kb_copy), "--format", "json")
    assert explained.returncode == 0, explained.stderr
    assert [p["outcome"] for p in json.loads(explained.stdout)["phases"]] == ["gdpr", "gdpr", "gdpr"]
    verified = run("verify", "--knowledge-dir", str(kb_copy), "--lang", "en")
    amended_hash = load_knowledge_base(kb_copy).hash
    assert verified.returncode == 0 and f"({amended_hash})" in verified.stdout  # still complete, but another set
    assert amended_hash != load_knowledge_base().hash


def test_schema_describes_the_knowledge_dir(kb_copy: Path) -> None:
    meta = kb_copy / "meta.yaml"
    meta.write_text(re.sub(r'(?m)^version: ".*"$', 'version: "2099.1"', meta.read_text(encoding="utf-8")), "utf-8")
    amended = run("schema", "--knowledge-dir", str(kb_copy))
    assert amended.returncode == 0, amended.stderr
    assert "(rule set 2099.1)" in json.loads(amended.stdout)["description"]
    assert "(rule set 2099.1)" not in run("schema").stdout


def test_import_report_speaks_the_language_asked(tmp_path: Path) -> None:
    report = write(tmp_path, "r.json", '{"a": 1}')
    english, french = run("import-report", str(report), "--lang", "en"), run("import-report", str(report), "-l", "fr")
    assert english.returncode == french.returncode == 2
    assert "not an airegime JSON report" in english.stderr and "n’est pas un rapport JSON" in french.stderr


@pytest.mark.parametrize("command", [["verify"], ["assess", "examples/zone-crossing-detector.yaml"], ["test", "."]])
def test_a_broken_knowledge_dir_exits_2_naming_the_file(command: list[str], kb_copy: Path) -> None:
    rules = kb_copy / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n  - id: [broken\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "airegime", *command, "--knowledge-dir", str(kb_copy), "--lang", "en"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
    )
    assert result.returncode == 2
    assert f"{rules}: not valid YAML at line" in result.stderr.replace("\n", "")
    assert "Traceback" not in result.stderr


def test_a_missing_knowledge_dir_exits_2(tmp_path: Path) -> None:
    result = run("verify", "--knowledge-dir", str(tmp_path / "nowhere"), "--lang", "en")
    assert result.returncode == 2
    said = result.stderr.replace("\n", "")
    assert f"the knowledge base {tmp_path / 'nowhere'} does not exist" in said
    packaged = Path(airegime.__file__).parent / "knowledge"  # where a copy comes from, installed or not
    assert f"e.g.acopyof{packaged}" in "".join(result.stderr.split()) and (packaged / "rules.yaml").is_file()


def test_a_malformed_scenario_exits_2_with_its_location(tmp_path: Path) -> None:
    scenario = write(tmp_path, "typo.yaml", POLICE.replace("{outcome: police_justice,", "{outcom: police_justice,"))
    result = run("test", str(scenario), "--lang", "en")
    assert result.returncode == 2
    said = result.stderr.replace("\n", "")
    assert f"{scenario}: scenarios[0].expect.National police.outcom: unknown expectation 'outcom' (line 8)" in said
    assert result.stdout == ""
    french = run("test", str(scenario)).stderr.replace("\n", "")  # without --lang nor AIREGIME_LANG: French
    where = f"{scenario}\u00a0: scenarios[0].expect.National police.outcom"
    assert f"{where}\u00a0: attente inconnue\u00a0: «\u00a0outcom\u00a0» (ligne 8)" in french


def test_an_example_is_found_next_to_the_scenario_first(tmp_path: Path) -> None:
    project = (ROOT / "examples" / "zone-crossing-detector.yaml").read_text(encoding="utf-8")
    write(tmp_path, "zone-crossing-detector.yaml", project.replace("National police", "Municipal police"))
    scenario = write(
        tmp_path,
        "local.yaml",
        "scenarios:\n"
        "  - name: the local copy\n"
        "    example: zone-crossing-detector.yaml\n"
        "    expect: {Municipal police: {outcome: police_justice}}\n"
        "  - name: the project's example\n"
        "    example: hospital-triage.yaml\n"
        "    expect: {development: {status: determined}}\n",
    )
    result = run("test", str(scenario), "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_scenario_that_cannot_run_exits_2_and_the_others_still_run(tmp_path: Path) -> None:
    scenario = write(
        tmp_path,
        "mixed.yaml",
        POLICE + "  - name: a missing example\n    example: nowhere.yaml\n    expect: {development: {outcome: gdpr}}\n",
    )
    result = run("test", str(scenario), "--lang", "en")
    assert result.returncode == 2
    assert "  ✓ The police deploying for criminal-law ends" in result.stdout
    assert "  ✗ a missing example" in result.stdout
    assert "scenarios[1].example: the example 'nowhere.yaml' is not found (line 9)" in result.stdout
    assert result.stdout.splitlines()[-1] == "2 scenarios: 1 passed, 0 failed, 1 in error"


def test_unreadable_paths_exit_2(tmp_path: Path) -> None:
    missing = run("test", str(tmp_path / "nowhere.yaml"), "--lang", "en")
    assert missing.returncode == 2 and f"{tmp_path / 'nowhere.yaml'}: no such file or folder" in missing.stderr
    empty = run("test", str(tmp_path), "--lang", "en")
    assert empty.returncode == 2 and "the folder holds no scenario file" in empty.stderr


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("- name: x\n", ": a scenario file is a mapping with one key, 'scenarios'"),
        ("scenarios: []\n", ": scenarios: 'scenarios' must be a non-empty list (line 1)"),
        ("scenarios:\n  - name: x\n    expct: {}\n", ": scenarios[0].expct: unknown key 'expct' (line 3)"),
        ("scenarios:\n  - expect: {d: {outcome: gdpr}}\n", ": scenarios[0].name: every scenario needs a name (line 2)"),
        (
            "scenarios:\n  - name: x\n    expect:\n      d: {status: decided}\n",
            ": scenarios[0].expect.d.status: 'decided' is not a status (line 4)",
        ),
        (
            "scenarios:\n  - name: x\n    expect:\n      d: {rules: one_rule}\n",
            ": scenarios[0].expect.d.rules: must be a list of ids (line 4)",
        ),
        (
            "scenarios:\n  - name: x\n    example: a.yaml\n    system: {}\n    expect: {d: {outcome: gdpr}}\n",
            ": scenarios[0].system: a scenario gives an example or answers, not both (line 4)",
        ),
        (
            "scenarios:\n  - name: x\n    expect: {d: {outcome: gdpr}}\n  - name: x\n    expect: {d: {outcome: gdpr}}\n",
            ": scenarios[1].name: a second scenario is named 'x' (line 4)",
        ),
        (
            "scenarios:\n  - name: x\n    development: {purpose: other}\n    development: {}\n    expect: {}\n",
            ": scenarios[0].development: the key 'development' is given twice in one mapping (line 4)",
        ),
        ("scenarios:\n  - name: [x\n", ": not valid YAML at line 3, column 1"),
        (
            'scenarios:\n  - name: "ça\x07"\n',
            ": not valid YAML at line 2, column 14: unacceptable character #x0007: control characters are not allowed",
        ),
    ],
)
def test_malformed_scenario_files_are_refused_with_the_place(text: str, where: str) -> None:
    with pytest.raises(ScenarioError) as refused:
        parse_scenarios_text(text, source="s.yaml")
    assert str(refused.value).startswith("s.yaml" + where)


def test_merge_keys_may_be_overridden() -> None:
    text = (
        "scenarios:\n"
        "  - name: x\n"
        "    deployments:\n"
        "      A: &police {personal_data: 'yes', organisation_kind: competent_authority, purpose: criminal_law}\n"
        "      B: {<<: *police, purpose: other}\n"
        "    expect: {A: {outcome: police_justice}}\n"
    )
    [scenario] = parse_scenarios_text(text)
    assert scenario.deployments["B"] == {
        "personal_data": "yes",
        "organisation_kind": "competent_authority",
        "purpose": "other",
    }


def test_serve_passes_the_knowledge_dir_to_the_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kb_copy: Path
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from airegime.cli.app import app

    meta = kb_copy / "meta.yaml"
    meta.write_text(re.sub(r"^version: .*$", 'version: "9.9-ours"', meta.read_text("utf-8"), flags=re.M), "utf-8")
    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app_, **kwargs: served.append(app_))
    monkeypatch.setenv("AIREGIME_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AIREGIME_DATABASE_URL", raising=False)
    # serve sets it for its workers (undone after the test); the option wins over it
    monkeypatch.setenv("AIREGIME_KNOWLEDGE_DIR", str(default_knowledge_dir()))
    outcome = CliRunner().invoke(app, ["serve", "--knowledge-dir", str(kb_copy)])
    assert outcome.exit_code == 0, outcome.output
    assert f"knowledge base: {kb_copy}" in outcome.output
    assert served[0].state.kb.version == "9.9-ours"  # type: ignore[attr-defined]
    missing = CliRunner().invoke(app, ["serve", "--knowledge-dir", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "nowhere does not exist" in " ".join(missing.output.split())


def test_every_command_that_reads_the_rules_takes_knowledge_dir() -> None:
    """The admin groups (accounts, database, audit, actions, review) read the server's rules
    (AIREGIME_KNOWLEDGE_DIR); every other command takes --knowledge-dir."""
    import typer
    from typer.core import TyperGroup

    from airegime.cli.app import app

    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    commands = {name: command for name, command in root.commands.items() if not isinstance(command, TyperGroup)}
    assert {"assess", "batch", "interview", "questions", "schema", "serve", "sources"} <= set(commands)
    lacking = [name for name, command in commands.items() if "knowledge_dir" not in {p.name for p in command.params}]
    assert lacking == []


@pytest.mark.parametrize(
    "command", [["questions"], ["sources"], ["schema"], ["batch", "--template", "t.xlsx"], ["interview"]]
)
def test_a_missing_knowledge_dir_stops_each_command_with_exit_2(command: list[str], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from airegime.cli.app import app

    result = CliRunner().invoke(
        app, [*command, "--knowledge-dir", str(tmp_path / "nowhere")], env={"AIREGIME_LANG": "en"}
    )
    assert result.exit_code == 2, result.output
    said = "".join(result.stderr.split())  # folded at the terminal's width, even inside a path
    assert f"theknowledgebase{tmp_path / 'nowhere'}doesnotexist" in said
    assert not (tmp_path / "t.xlsx").exists()
