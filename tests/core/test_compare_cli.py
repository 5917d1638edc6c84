"""`airegime compare A B`: the regimes that differ and why, then the answers; JSON; exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from airegime.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "zone-crossing-detector.yaml"


@pytest.fixture
def changed(tmp_path: Path) -> Path:
    """The example where the national police's purpose is ordinary, and an airport added."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["deployments"][1]["answers"]["purpose"] = "other"
    data["deployments"].append({"name": "Airport", "answers": {"personal_data": "no"}})
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


BOX = re.compile("[\u2500-\u257f]")  # the tables' lines


def run(*args: str) -> tuple[int, str]:
    """The exit code and the output as words (without the tables' lines; wide enough that no cell wraps)."""
    outcome = CliRunner().invoke(app, ["compare", *args], env={"COLUMNS": "1000", "NO_COLOR": "1"})
    return outcome.exit_code, " ".join(BOX.sub(" ", outcome.output).split())


def test_text_says_which_regimes_differ_and_why_then_the_answers(changed: Path) -> None:
    code, text = run(str(EXAMPLE), str(changed), "--lang", "en")
    assert code == 0, text
    assert text.index("Regimes that differ") < text.index("Answers that differ") < text.index("Same regime")
    assert "Deployment: National police" in text and "other regime" in text
    assert "Deployment: Airport" in text and "added" in text and "Not on this side" in text
    assert "Criminal-law ends, by a competent authority" in text  # the reason on the first side
    assert "Any other purpose" in text
    assert "• Development: GDPR" in text
    assert "zone-crossing-detector.yaml" in text and "changed.yaml" in text
    for code_word in ("police_justice", "criminal_law", "deployment_police_justice", "personal_data"):
        assert code_word not in text


def test_french_and_identical_files(changed: Path) -> None:
    code, text = run(str(changed), str(changed), "--lang", "fr", "--fail-on-change")
    assert code == 0
    assert "Les deux ont les mêmes réponses et les mêmes régimes." in text
    assert "Régimes qui diffèrent" not in text


def test_json_keeps_the_ids_and_fail_on_change_exits_1(changed: Path) -> None:
    outcome = CliRunner().invoke(app, ["compare", str(EXAMPLE), str(changed), "-f", "json", "--fail-on-change"])
    assert outcome.exit_code == 1
    data = json.loads(outcome.output)
    assert data["format"] == "airegime.comparison/1" and data["regimes_differ"]
    assert [(p["phase"], p["after"]["name"], p["change"]) for p in data["phases"]] == [
        ("development", "development", "same"),
        ("deployment", "Shopping centre", "same"),
        ("deployment", "National police", "regime"),
        ("deployment", "Airport", "added"),
    ]
    assert data["phases"][2]["answers"][0]["question"] == "purpose"


def test_a_bad_file_is_named_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndeployments: [{name: d, answers: {purpose: nonsense}}]\n", encoding="utf-8")
    code, text = run(str(EXAMPLE), str(bad))
    assert code == 2 and "purpose" in text
