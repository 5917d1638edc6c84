"""The verifier proves the packaged rules complete, and catches gaps, overlaps and dead questions when they exist."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from airegime.engine.verify import verify
from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.kb.loader import default_knowledge_dir


def test_packaged_rules_are_complete_and_unambiguous(kb: KnowledgeBase) -> None:
    report = verify(kb=kb)
    assert report.ok, report.problems
    # 2 × 4 × 9 × 2 × 5 × 7 × 2 full answer sets for development, 2 × 4 × 9 × 2 × 7 × 2 for a deployment
    assert report.combinations == 10080 + 2016
    assert {p.phase: p.rules for p in report.phases} == {"development": 25, "deployment": 21}


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_gap_is_found_with_an_example(kb_dir: Path) -> None:
    # Narrow the event-safety rule: crowd safety without a competent authority is then decided by no rule.
    _replace(
        kb_dir / "rules.yaml",
        "when: {all: [*applies, *not_competent, {question: purpose, is: crowd_safety}]}",
        'when: {all: [*applies, *not_competent, {question: purpose, is: crowd_safety}, {question: legal_mission, is: "yes"}]}',
    )
    report = verify(kb=load_knowledge_base(kb_dir))
    gaps = [p for p in report.problems if p.kind == "gap"]
    assert gaps and gaps[0].phase == "deployment"
    assert (
        gaps[0].example["purpose"] == "crowd_safety" and gaps[0].example["organisation_kind"] != "competent_authority"
    )


def test_an_overlap_is_found_with_the_rules_involved(kb_dir: Path) -> None:
    _replace(
        kb_dir / "rules.yaml",
        "{question: organisation_kind, is: competent_authority}, {question: purpose, is: other}]}",
        "{question: organisation_kind, is: competent_authority}, {question: purpose, in: [other, criminal_law]}]}",
    )
    report = verify(kb=load_knowledge_base(kb_dir))
    overlaps = [p for p in report.problems if p.kind == "overlap"]
    assert overlaps and "deployment_police_justice" in str(overlaps[0].message)
    assert "combinaisons de réponses relèvent de plusieurs règles" in overlaps[0].message.text("fr")


def test_a_question_without_effect_is_reported(kb_dir: Path) -> None:
    # Send the household exemption to the GDPR, like every other branch an individual reaches:
    # the household question then never changes anything.
    _replace(kb_dir / "rules.yaml", "    outcome: not_applicable_household\n", "    outcome: gdpr\n")
    _replace(
        kb_dir / "outcomes.yaml",
        "  - id: not_applicable_household\n    kind: not_applicable\n",
        "  - id: not_applicable_household\n    kind: not_applicable\n    retired: true\n",
    )
    report = verify(kb=load_knowledge_base(kb_dir))
    assert any(p.kind == "question_without_effect" and "household" in str(p.message) for p in report.problems)


def test_the_verify_command_says_each_problem_in_the_readers_language(kb_dir: Path) -> None:
    """A rule author reads the phase, the problem and an answer set that shows it in words, in French
    as in English, and the command fails."""
    _replace(
        kb_dir / "rules.yaml",
        "{question: organisation_kind, is: competent_authority}, {question: purpose, is: other}]}",
        "{question: organisation_kind, is: competent_authority}, {question: purpose, in: [other, criminal_law]}]}",
    )
    command = [sys.executable, "-m", "airegime", "verify", "--knowledge-dir", str(kb_dir), "--lang"]
    french = subprocess.run([*command, "fr"], capture_output=True, text=True, env={"COLUMNS": "300"}, check=False)
    english = subprocess.run([*command, "en"], capture_output=True, text=True, env={"COLUMNS": "300"}, check=False)
    assert french.returncode == english.returncode == 1
    assert "• Déploiement\u00a0: 8 combinaisons de réponses relèvent de plusieurs règles, par exemple" in french.stdout
    assert "p. ex. establishment = eu, personal_data = yes" in french.stdout
    assert "• Deployment: 8 answer combinations match several rules, for instance" in english.stdout
    assert "e.g. establishment = eu" in english.stdout and "combinaisons" not in english.stdout
