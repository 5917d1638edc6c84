"""An option offers only the values its command can honour, and refuses the others before doing anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from airegime.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "zone-crossing-detector.yaml")
SCENARIOS = str(ROOT / "tests" / "scenarios")


@pytest.mark.parametrize(
    "args",
    [
        ["explain", EXAMPLE],
        ["verify"],
        ["compare", EXAMPLE, EXAMPLE],
        ["test", SCENARIOS],
    ],
    ids=lambda args: args[0],
)
def test_a_text_or_json_command_refuses_markdown(args: list[str]) -> None:
    outcome = CliRunner().invoke(app, [*args, "--format", "markdown"], env={"COLUMNS": "200"})
    assert outcome.exit_code == 2
    assert "Invalid value for '--format'" in outcome.output and "'text', 'json'" in outcome.output


def test_assess_writes_markdown() -> None:
    outcome = CliRunner().invoke(app, ["assess", EXAMPLE, "--format", "markdown", "--lang", "en"])
    assert outcome.exit_code == 0 and outcome.output.startswith("#")


@pytest.mark.parametrize("args", [["assess", EXAMPLE], ["methodology"], ["sources"]], ids=lambda args: args[0])
def test_only_the_knowledge_base_languages_are_offered(args: list[str]) -> None:
    outcome = CliRunner().invoke(app, [*args, "--lang", "de"], env={"COLUMNS": "200"})
    assert outcome.exit_code == 2
    assert "Invalid value for '--lang'" in outcome.output and "'fr', 'en'" in outcome.output


@pytest.mark.parametrize(
    ("command", "wrong", "offered"),
    [("report", "odt", "'md', 'html', 'pdf', 'docx', 'json'"), ("diagram", "jpg", "'svg', 'png', 'dot'")],
)
def test_document_formats_are_those_the_renderers_write(command: str, wrong: str, offered: str) -> None:
    args = [command, EXAMPLE] if command == "report" else [command]
    outcome = CliRunner().invoke(app, [*args, "--format", wrong], env={"COLUMNS": "200"})
    assert outcome.exit_code == 2 and offered in outcome.output


@pytest.mark.parametrize(
    ("args", "option", "offered"),
    [
        (["actions", "export", "--org", "A", "--lang", "de"], "--lang", "'fr', 'en'"),
        (["audit", "export", "--org", "A", "--format", "xml"], "--format", "'csv', 'jsonl'"),
        (["users", "add", "alice", "--org", "A", "--role", "owner"], "--role", "'reader', 'editor', 'admin'"),
    ],
    ids=["actions", "audit", "users"],
)
def test_admin_commands_refuse_a_choice_before_opening_the_database(
    args: list[str], option: str, offered: str, tmp_path: Path
) -> None:
    database = tmp_path / "never.db"
    outcome = CliRunner().invoke(
        app,
        [*args, "--database-url", f"sqlite:///{database}"],
        env={"COLUMNS": "200"},
    )
    assert outcome.exit_code == 2
    assert f"Invalid value for '{option}'" in outcome.output and offered in outcome.output
    assert not database.exists()


def test_questions_are_listed_for_the_scopes_of_the_knowledge_base() -> None:
    refused = CliRunner().invoke(app, ["questions", "--phase", "nowhere"], env={"COLUMNS": "200"})
    assert refused.exit_code == 2 and "'system', 'development', 'deployment'" in refused.output
    listed = CliRunner().invoke(app, ["questions", "--phase", "system", "--lang", "en"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "Where is the organisation responsible" in " ".join(listed.output.split())
