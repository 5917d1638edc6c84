"""The verifier proves the packaged rules complete, and catches gaps, overlaps and dead questions when they exist."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from airegime.engine.verify import verify
from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.kb.loader import default_knowledge_dir


def test_packaged_rules_are_complete_and_unambiguous(kb: KnowledgeBase) -> None:
    report = verify(kb=kb)
    assert report.ok, report.problems
    assert report.combinations == 4800 + 200
    assert {p.phase: p.rules for p in report.phases} == {"development": 17, "deployment": 13}


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
    # Narrow the stadium rule: private crowd-safety deployments are then decided by no rule.
    _replace(
        kb_dir / "rules.yaml",
        '        - {question: controller_kind, is: private_body}\n        - {question: purpose, is: crowd_safety}\n    outcome: gdpr\n    title: {fr: "Sécurité des foules par un organisme privé"',
        '        - {question: controller_kind, is: private_body}\n        - {question: purpose, is: crowd_safety}\n        - {question: household, is: "yes"}\n    outcome: gdpr\n    title: {fr: "Sécurité des foules par un organisme privé"',
    )
    report = verify(kb=load_knowledge_base(kb_dir))
    gaps = [p for p in report.problems if p.kind == "gap"]
    assert gaps and gaps[0].phase == "deployment"
    assert gaps[0].example["controller_kind"] == "private_body" and gaps[0].example["purpose"] == "crowd_safety"


def test_an_overlap_is_found_with_the_rules_involved(kb_dir: Path) -> None:
    _replace(
        kb_dir / "rules.yaml",
        "        - {question: controller_kind, in: [private_body, public_body, defence_security_body]}\n        - {question: purpose, is: criminal_law}\n    outcome: gdpr",
        "        - {question: controller_kind, in: [private_body, public_body, defence_security_body, competent_authority]}\n        - {question: purpose, is: criminal_law}\n    outcome: gdpr",
    )
    report = verify(kb=load_knowledge_base(kb_dir))
    overlaps = [p for p in report.problems if p.kind == "overlap"]
    assert overlaps and "deployment_police_justice" in overlaps[0].message


def test_a_question_without_effect_is_reported(kb_dir: Path) -> None:
    # for_client only matters for defence contracting; make both branches give the same outcome.
    _replace(
        kb_dir / "rules.yaml",
        '    outcome: case_by_case_national_security_or_gdpr\n    title: {fr: "Développement de défense confié',
        '    outcome: national_security\n    title: {fr: "Développement de défense confié',
    )
    report = verify(kb=load_knowledge_base(kb_dir))
    assert any(p.kind == "question_without_effect" and "for_client" in p.message for p in report.problems)
