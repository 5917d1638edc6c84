"""The API with the legal model v2: several development processings evaluated (not saved), split
outcomes with their parts, format-1 descriptors read with their upgrade notes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from airegime.engine.evaluate import evaluate
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.system import parse_system

from .conftest import Api, assert_error

FORMAT1 = Path(__file__).parents[1] / "format1"
SEPARABLE = {"personal_data": "yes", "organisation_kind": "competent_authority", "legal_mission": "yes"}
TWO_DEVELOPMENTS: dict[str, Any] = {
    "name": "Customs risk scoring",
    "answers": {"establishment": "eu"},
    "developments": [
        {
            "name": "Customs training",
            "answers": {**SEPARABLE, "development_uses": "single_use", "purpose": "mixed_separable"},
        },
        {
            "name": "Vendor reuse",
            "answers": {"personal_data": "yes", "organisation_kind": "private_body", "development_uses": "various"},
        },
    ],
    "deployments": [{"name": "Customs checks", "answers": {**SEPARABLE, "purpose": "mixed_separable"}}],
}


def test_evaluate_returns_every_development_and_deployment_with_split_parts(api: Api, kb: KnowledgeBase) -> None:
    body = api.post("/evaluate", params={"lang": "en"}, json=TWO_DEVELOPMENTS).json()
    expected = evaluate(kb=kb, system=parse_system(TWO_DEVELOPMENTS, kb=kb))
    got = [(p["phase"], p["name"], p["development_index"], p["deployment_index"], p["outcome"]) for p in body["phases"]]
    assert got == [(p.phase, p.name, p.development_index, p.deployment_index, p.outcome) for p in expected.phases]
    assert [p["development_index"] for p in body["phases"]] == [0, 1, None]
    # With several developments, each phase's heading names its development.
    assert "Customs training" in body["phases"][0]["title"] and "Vendor reuse" in body["phases"][1]["title"]
    split = body["phases"][0]
    outcome = kb.outcome_by_id[split["outcome"]]
    assert outcome.kind == "split"
    assert [(p["outcome"], p["label"], p["purposes"]) for p in split["parts"]] == [
        (part.outcome, kb.outcome_by_id[part.outcome].label.en, part.purposes.en) for part in outcome.parts
    ]
    assert body["phases"][1]["parts"] == []  # a single regime has no parts
    assert body["upgrade_notes"] == []


def test_saving_several_developments_is_refused_and_nothing_is_dropped(
    api: Api, repo: Repository, descriptor: dict[str, Any]
) -> None:
    error = assert_error(api.post("/assessments", json=TWO_DEVELOPMENTS), 422, "invalid_descriptor", "developments")
    assert "one development processing" in error["message"] and "POST /api/v1/evaluate" in error["message"]
    assert repo.count() == 0
    saved = api.post("/assessments", json=descriptor).json()
    history = api.get(f"/assessments/{saved['id']}/history").json()
    refused = api.put(f"/assessments/{saved['id']}", json=TWO_DEVELOPMENTS)
    assert_error(refused, 422, "invalid_descriptor", "developments")
    assert api.get(f"/assessments/{saved['id']}/history").json() == history
    assert api.get(f"/assessments/{saved['id']}").json()["descriptor"] == saved["descriptor"]


def test_a_format1_descriptor_is_read_with_its_upgrade_notes(api: Api, kb: KnowledgeBase) -> None:
    old = yaml.safe_load((FORMAT1 / "household-photo-sorter.yaml").read_text(encoding="utf-8"))
    system = parse_system(copy.deepcopy(old), kb=kb)
    assert system.upgrade_notes, "the household answer is a guess worth a note"
    notes = [note.to_dict() for note in system.upgrade_notes]

    evaluated = api.post("/evaluate", params={"lang": "en"}, json=old).json()
    assert evaluated["upgrade_notes"] == notes
    assert evaluated["system"] == system.to_dict()
    assert [p["outcome"] for p in evaluated["phases"]] == [p.outcome for p in evaluate(kb=kb, system=system).phases]

    created = api.post("/assessments", json=old)
    assert created.status_code == 201, created.text
    assert created.json()["upgrade_notes"] == notes
    assert created.json()["descriptor"]["developments"][0]["answers"] == system.development.answers
    replaced = api.put(f"/assessments/{created.json()['id']}", json=old).json()
    assert replaced["upgrade_notes"] == notes
    read = api.get(f"/assessments/{created.json()['id']}").json()
    assert read["upgrade_notes"] == []  # what is stored is of format 2: nothing left to guess


def test_the_knowledge_base_publishes_split_parts_and_source_summaries(api: Api, kb: KnowledgeBase) -> None:
    outcomes = {o["id"]: o for o in api.get("/kb/outcomes", params={"lang": "en"}).json()}
    for outcome in kb.outcomes:
        published = outcomes[outcome.id]
        assert published["kind"] == outcome.kind and published["retired"] == outcome.retired
        assert [(p["outcome"], p["purposes"]) for p in published["parts"]] == [
            (p.outcome, p.purposes.en) for p in outcome.parts
        ]
    sources = api.get("/kb/sources", params={"lang": "fr"}).json()
    assert [s["summary"] for s in sources] == [s.summary.fr for s in kb.sources]
