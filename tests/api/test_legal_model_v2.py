"""The API with the legal model v2: several development processings evaluated and saved, split
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

from .helpers import Api, assert_error

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


def test_an_assessment_with_several_developments_is_saved_read_replaced_and_patched(
    api: Api, repo: Repository, kb: KnowledgeBase, descriptor: dict[str, Any]
) -> None:
    expected = parse_system(TWO_DEVELOPMENTS, kb=kb)
    created = api.post("/assessments", json=TWO_DEVELOPMENTS)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["descriptor"] == expected.to_dict()
    assert [(d["index"], d["name"]) for d in body["developments"]] == [(0, "Customs training"), (1, "Vendor reuse")]
    outcomes = [(p["phase"], p["development_index"], p["outcome"]) for p in body["phases"]]
    assert outcomes == [(p.phase, p.development_index, p.outcome) for p in evaluate(kb=kb, system=expected).phases]
    assert api.get(f"/assessments/{body['id']}").json()["descriptor"] == expected.to_dict()
    assert repo.get(body["id"]).system().to_dict() == expected.to_dict()

    # PATCH: a development's answer by index, another by id; all or nothing.
    reuse = body["developments"][1]["id"]
    patched = api.patch(
        f"/assessments/{body['id']}",
        json={
            "answers": [
                {"scope": "development", "development": 1, "question": "development_uses", "value": "single_use"},
                {"scope": "development", "development_id": reuse, "question": "purpose", "value": "other"},
            ]
        },
    )
    assert patched.status_code == 200, patched.text
    answers = patched.json()["descriptor"]["developments"][1]["answers"]
    assert (answers["development_uses"], answers["purpose"]) == ("single_use", "other")
    assert patched.json()["descriptor"]["developments"][0] == body["descriptor"]["developments"][0]
    history = api.get(f"/assessments/{body['id']}/history").json()
    assert {(e["scope"], e["context"], e["question"]) for e in history if e["question"] == "purpose"} >= {
        ("development", "Vendor reuse", "purpose")
    }
    before = api.get(f"/assessments/{body['id']}").json()
    for wrong, where in [
        ({"development": 2}, "answers[1].development"),
        ({"development_id": body["contexts"][0]["id"]}, "answers[1].development_id"),
        ({"development": 0, "development_id": reuse}, "answers[1].development_id"),
        ({"deployment": 0}, "answers[1].deployment"),
    ]:
        change = {"scope": "development", "question": "purpose", "value": "criminal_law", **wrong}
        first = {"scope": "system", "question": "establishment", "value": "outside"}
        refused = api.patch(f"/assessments/{body['id']}", json={"answers": [first, change]})
        assert_error(refused, 422, refused.json()["error"]["code"], where)
    assert api.get(f"/assessments/{body['id']}").json()["descriptor"] == before["descriptor"]

    # PUT: back to one development (the second one removed), then two again.
    saved = api.post("/assessments", json=descriptor).json()
    two = api.put(f"/assessments/{saved['id']}", json=TWO_DEVELOPMENTS).json()
    assert two["descriptor"] == expected.to_dict()
    one = api.put(f"/assessments/{saved['id']}", json=descriptor).json()
    assert len(one["developments"]) == 1 and one["descriptor"] == parse_system(descriptor, kb=kb).to_dict()


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
