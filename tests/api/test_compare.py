"""GET /assessments/{id}/compare: two assessments, or two versions of one, side by side; and the
history's marks of the changes that changed a regime."""

from __future__ import annotations

import copy
from typing import Any

from airegime.kb import KnowledgeBase

from .helpers import Api, assert_error


def created(api: Api, descriptor: dict[str, Any]) -> int:
    response = api.post("/assessments", json=descriptor)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_two_assessments_side_by_side(api: Api, kb: KnowledgeBase, descriptor: dict[str, Any]) -> None:
    first = created(api, descriptor)
    other = copy.deepcopy(descriptor)
    other["name"] = "Other detector"
    other["deployments"][1]["answers"]["purpose"] = "other"
    second = created(api, other)
    response = api.get(f"/assessments/{first}/compare", params={"with": second, "lang": "en"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rule_set"] == {"version": kb.version, "hash": kb.hash}
    assert body["before"] == {"id": first, "name": descriptor["name"], "version": None, "at": None}
    assert body["after"]["id"] == second and body["after"]["name"] == "Other detector"
    assert body["differs"] and body["regimes_differ"] and body["system_answers"] == []
    assert [p["change"] for p in body["phases"]] == ["same", "same", "regime"]
    police = body["phases"][2]
    assert (police["before"]["outcome"], police["after"]["outcome"]) == ("police_justice", "gdpr")
    assert police["after"]["headline"] == "GDPR"
    assert police["before"]["deciding"]["rule"] != police["after"]["deciding"]["rule"]
    assert police["after"]["deciding"]["answers"]["purpose"] == "other"
    assert police["answers"] == [
        {
            "question": "purpose",
            "short": "Purpose",
            "text": kb.question_by_id["purpose"].text.en,
            "before": "criminal_law",
            "after": "other",
            "before_label": kb.question_by_id["purpose"].option("criminal_law").label.en,
            "after_label": kb.question_by_id["purpose"].option("other").label.en,
        }
    ]
    french = api.get(f"/assessments/{first}/compare", params={"with": second}).json()
    assert french["phases"][2]["after"]["headline"] == "RGPD"
    same = api.get(f"/assessments/{first}/compare", params={"with": first}).json()
    assert not same["differs"] and {p["change"] for p in same["phases"]} == {"same"}


def test_a_version_beside_now_and_the_history_marks_what_changed_a_regime(api: Api, descriptor: dict[str, Any]) -> None:
    assessment = created(api, descriptor)
    history = api.get(f"/assessments/{assessment}/history").json()
    made = len(history) - 1
    assert all(entry["changed_regimes"] == [] for entry in history)
    change = {"answers": [{"scope": "deployment", "deployment": 1, "question": "purpose", "value": "other"}]}
    assert api.patch(f"/assessments/{assessment}", json=change).status_code == 200
    response = api.get(f"/assessments/{assessment}/compare", params={"version": made, "lang": "en"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["before"]["version"] == made and body["before"]["at"] == history[made]["at"]
    assert body["after"]["version"] is None
    assert [p["change"] for p in body["phases"]] == ["same", "same", "regime"]
    marked = api.get(f"/assessments/{assessment}/history").json()[-1]
    assert marked["question"] == "purpose"
    assert [
        (c["before"]["name"], c["before"]["outcome"], c["after"]["outcome"]) for c in marked["changed_regimes"]
    ] == [("National police", "police_justice", "gdpr")]


def test_what_to_compare_with_is_checked(api: Api, descriptor: dict[str, Any]) -> None:
    assessment = created(api, descriptor)
    base = f"/assessments/{assessment}/compare"
    assert_error(api.get(base), 422, "invalid_request", "with")
    assert_error(api.get(base, params={"with": assessment, "version": 0}), 422, "invalid_request", "with")
    assert_error(api.get(base, params={"with": 0}), 422, "invalid_request", "with")
    assert_error(api.get(base, params={"with": "x"}), 422, "invalid_request", "with")
    assert_error(api.get(base, params={"version": -1}), 422, "invalid_request", "version")
    assert_error(api.get(base, params={"version": 10_000}), 404, "not_found")
    assert_error(api.get(base, params={"with": assessment + 100}), 404, "not_found")
    assert_error(api.get(f"/assessments/{assessment + 100}/compare", params={"with": assessment}), 404, "not_found")
    assert_error(api.get(f"/assessments/{assessment + 100}/compare", params={"version": 0}), 404, "not_found")


def test_compare_is_in_the_openapi_document(api: Api) -> None:
    document = api.get("/openapi.json").json()
    operation = document["paths"]["/assessments/{assessment_id}/compare"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"assessment_id", "with", "version", "lang"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ComparisonOut"
    }
    assert "changed_regimes" in document["components"]["schemas"]["HistoryEntryOut"]["properties"]
