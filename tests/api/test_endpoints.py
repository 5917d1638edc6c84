"""Every endpoint through HTTP, over the API alone and mounted in the web app, on SQLite and
PostgreSQL: results equal the library's, saves are stored, reports come in every format."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import yaml

from airegime.engine.evaluate import evaluate
from airegime.engine.explain import explain
from airegime.kb import KnowledgeBase
from airegime.render.summary import outcome_label
from airegime.storage import Repository
from airegime.system import parse_system

from .helpers import EXAMPLES, Api, assert_error


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_evaluate_gives_the_engines_result_for_every_example(
    api: Api, repo: Repository, kb: KnowledgeBase, example: str
) -> None:
    data = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
    response = api.post("/evaluate", params={"lang": "en"}, json=data)
    assert response.status_code == 200, response.text
    body = response.json()
    system = parse_system(data, kb=kb)
    expected = explain(kb=kb, system=system, max_changes=3)
    assert body["rule_set"] == {"version": kb.version, "hash": kb.hash}
    assert body["system"] == system.to_dict()
    assert body["complete"] == expected.assessment.complete
    for got, want in zip(body["phases"], expected.phases, strict=True):
        assert (got["phase"], got["status"], got["outcome"]) == (
            want.result.phase,
            want.result.status,
            want.result.outcome,
        )
        assert got["rules"] == list(want.result.rules)
        assert got["label"] == outcome_label(kb, want.result, "en")
        assert [t["rule"] for t in got["rule_traces"]] == [t.rule for t in want.rules]
        assert len(got["counterfactuals"]) == len(want.counterfactuals)
    assert body["disclaimer"] == kb.disclaimer.en
    assert repo.count() == 0, "evaluating must not save anything"


def test_language_follows_lang(api: Api, kb: KnowledgeBase, descriptor: dict[str, Any]) -> None:
    french = api.post("/evaluate", json=descriptor).json()
    english = api.post("/evaluate", params={"lang": "en"}, json=descriptor).json()
    assert french["disclaimer"] == kb.disclaimer.fr
    assert english["disclaimer"] == kb.disclaimer.en
    assert french["phases"][0]["title"] != english["phases"][0]["title"]
    assert api.get("/kb/questions", params={"lang": "en"}).json()[0]["text"] == kb.questions[0].text.en
    assert api.get("/kb/questions").json()[0]["text"] == kb.questions[0].text.fr


def test_create_read_list_and_delete(api: Api, repo: Repository, kb: KnowledgeBase, descriptor: dict[str, Any]) -> None:
    created = api.post("/assessments", json=descriptor)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"].endswith(f"/assessments/{body['id']}")
    assert api.get(created.headers["location"].removeprefix(api.prefix)).json() == body
    system = parse_system(descriptor, kb=kb)
    assert body["descriptor"] == system.to_dict()
    assert [p["outcome"] for p in body["phases"]] == [p.outcome for p in evaluate(kb=kb, system=system).phases]
    assert body["stale"] is False and body["rule_set"]["hash"] == kb.hash
    assert [c["name"] for c in body["contexts"]] == [d["name"] for d in descriptor["deployments"]]
    assert repo.get(body["id"]).system() == system

    other = api.post("/assessments", json={**descriptor, "name": "Autre", "organisation": "Mairie"}).json()
    listed = api.get("/assessments", params={"sort": "name"}).json()
    assert [i["name"] for i in listed["items"]] == ["Autre", descriptor["name"]]
    assert listed["total"] == 2 and listed["pages"] == 1
    found = api.get("/assessments", params={"q": "mairie"}).json()
    assert [i["id"] for i in found["items"]] == [other["id"]]
    paged = api.get("/assessments", params={"per_page": 1, "page": 2, "sort": "name"}).json()
    assert [i["name"] for i in paged["items"]] == [descriptor["name"]] and paged["pages"] == 2

    assert api.delete(f"/assessments/{other['id']}").status_code == 204
    assert_error(api.get(f"/assessments/{other['id']}"), 404, "not_found")
    assert_error(api.delete(f"/assessments/{other['id']}"), 404, "not_found")
    assert repo.count() == 1


def test_put_replaces_the_descriptor_and_records_only_differences(
    api: Api, repo: Repository, kb: KnowledgeBase, descriptor: dict[str, Any]
) -> None:
    assessment_id = api.post("/assessments", json=descriptor).json()["id"]
    before = len(repo.history(assessment_id))
    same = api.put(f"/assessments/{assessment_id}", json=descriptor)
    assert same.status_code == 200
    assert len(repo.history(assessment_id)) == before, "an unchanged descriptor records no change"

    descriptor["deployments"][0]["answers"]["purpose"] = "criminal_law"
    descriptor["deployments"][0]["answers"]["organisation_kind"] = "competent_authority"
    del descriptor["deployments"][1]
    descriptor["deployments"].append({"name": "Stade", "answers": {"purpose": "crowd_safety"}})
    descriptor["developments"][0]["answers"].pop("development_uses")
    replaced = api.put(f"/assessments/{assessment_id}", json=descriptor).json()
    system = parse_system(descriptor, kb=kb)
    assert replaced["descriptor"] == system.to_dict()
    assert repo.get(assessment_id).system() == system
    assert [p["outcome"] for p in replaced["phases"]] == [p.outcome for p in evaluate(kb=kb, system=system).phases]
    kinds = [e["kind"] for e in api.get(f"/assessments/{assessment_id}/history").json()[before:]]
    # Contexts match by position: the second ("National police") becomes "Stade", its three answers
    # replaced by one (2 withdrawn, 1 changed); plus 2 changes in the first and 1 withdrawn in development.
    assert sorted(kinds) == sorted(["answer"] * 6 + ["context_renamed"])


def test_patch_sets_and_withdraws_answers_together(api: Api, repo: Repository, descriptor: dict[str, Any]) -> None:
    assessment_id = api.post("/assessments", json=descriptor).json()["id"]
    changes = [
        {"scope": "deployment", "deployment": 0, "question": "purpose", "value": "Law Enforcement"},
        {"scope": "development", "question": "development_uses", "value": None},
        {"scope": "system", "question": "establishment", "value": "unknown"},
    ]
    patched = api.patch(f"/assessments/{assessment_id}", json={"answers": changes})
    assert patched.status_code == 200, patched.text
    saved = repo.get(assessment_id)
    assert saved.context_answers[saved.contexts[0].id]["purpose"] == "criminal_law"
    assert "development_uses" not in saved.development_answers
    assert saved.system_answers["establishment"] == "unknown"
    history = api.get(f"/assessments/{assessment_id}/history").json()
    last = {(e["question"], e["value"], e["previous"]) for e in history[-3:]}
    assert last == {
        ("purpose", "criminal_law", "other"),
        ("development_uses", None, "various"),
        ("establishment", "unknown", "eu"),
    }


@pytest.mark.parametrize("fmt", ["md", "html", "pdf", "docx", "json"])
def test_reports_in_every_format(api: Api, descriptor: dict[str, Any], fmt: str) -> None:
    assessment_id = api.post("/assessments", json=descriptor).json()["id"]
    response = api.get(f"/assessments/{assessment_id}/report.{fmt}", params={"lang": "en"})
    assert response.status_code == 200, response.text
    assert f'.{fmt}"' in response.headers["content-disposition"]
    signature = {"md": b"#", "html": b"<!DOCTYPE html", "pdf": b"%PDF", "docx": b"PK", "json": b"{"}[fmt]
    assert response.content.lstrip().startswith(signature)
    if fmt == "json":
        assert json.loads(response.content)["lang"] == "en"
    assert_error(api.get(f"/assessments/{assessment_id + 1}/report.{fmt}"), 404, "not_found")


def test_a_stale_result_is_refused_for_reports_until_rechecked(
    api: Api, repo: Repository, descriptor: dict[str, Any], changed_kb: KnowledgeBase
) -> None:
    assessment_id = api.post("/assessments", json=descriptor).json()["id"]
    for app in _apps(api):  # the server now runs with an edited rule set
        app.state.kb = changed_kb
    repo.kb = changed_kb
    read = api.get(f"/assessments/{assessment_id}").json()
    assert read["stale"] is True
    assert api.get("/assessments").json()["items"][0]["stale"] is True
    assert_error(api.get(f"/assessments/{assessment_id}/report.md"), 409, "stale_result")
    recheck = api.post(f"/assessments/{assessment_id}/recheck").json()
    assert recheck["new"]["hash"] == changed_kb.hash and recheck["changed"] is True
    assert api.get(f"/assessments/{assessment_id}").json()["stale"] is False
    assert api.get(f"/assessments/{assessment_id}/report.md").status_code == 200


def _apps(api: Api) -> list[Any]:
    """The API application(s) behind the client: the app itself, or the one mounted in the web app."""
    app: Any = api.app
    mounted = [r.app for r in getattr(app, "routes", []) if getattr(r, "path", "") == "/api/v1"]
    return mounted or [app]


def test_batch_returns_json_or_a_file(api: Api, kb: KnowledgeBase) -> None:
    inventory = "system_id,deployment_name,personal_data,eu_link,controller_kind,purpose\n" + (
        "s1,centre,yes,yes,private_body,other\ns2,police,yes,yes,competent_authority,criminal_law\n"
    )
    response = api.post("/batch", params={"lang": "en"}, files={"file": ("inventory.csv", inventory.encode())})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["valid"] is True and body["summary"]["rows"] == 2 and body["summary"]["systems"] == 2
    assert [row["system_id"] for row in body["rows"]] == ["s1", "s2"]
    assert body["rule_set"]["hash"] == kb.hash
    polars = pytest.importorskip("polars")
    as_file = api.post("/batch", params={"output": "parquet"}, files={"file": ("inventory.csv", inventory.encode())})
    assert as_file.status_code == 200
    table = polars.read_parquet(io.BytesIO(as_file.content))
    assert table.get_column("deployment_outcome").to_list() == [row["deployment_outcome"] for row in body["rows"]]


def test_batch_carries_other_columns_through_as_text(api: Api) -> None:
    polars = pytest.importorskip("polars")
    table = polars.DataFrame(
        {
            "system_id": ["s1", "s2"],
            "deployment.purpose": ["other", "criminal_law"],
            "score": [float("nan"), float("inf")],
            "blob": [b"\xff\x00", b"ok"],
            "count": [1, 2],
            "tags": [["a", "b"], []],
        }
    )
    buffer = io.BytesIO()
    table.write_parquet(buffer)
    response = api.post("/batch", files={"file": ("inventory.parquet", buffer.getvalue())})
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert [r["count"] for r in rows] == ["1", "2"]
    assert rows[0]["score"].lower() == "nan"
    assert rows[1]["blob"] == "b2s="  # bytes in base64
    assert "a" in rows[0]["tags"]


def test_batch_reports_invalid_cells_without_failing(api: Api) -> None:
    inventory = b"system_id,deployment.purpose\ns1,other\ns2,nonsense\n"
    body = api.post("/batch", files={"file": ("inventory.csv", inventory)}).json()
    assert body["valid"] is False and body["error_count"] == 1
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["value"] == "nonsense"


def test_batch_names_columns_carried_through_that_look_like_answer_columns(api: Api) -> None:
    inventory = b"system_id,deployment.organisation_kind,purpose,owner\ns1,private_body,other,Legal\n"
    for lang, said in (("en", "This question has a column for each phase"), ("fr", "une colonne par phase")):
        body = api.post("/batch", params={"lang": lang}, files={"file": ("inventory.csv", inventory)}).json()
        [unread] = body["unread_columns"]
        assert unread["column"] == "purpose"
        assert unread["suggestions"] == ["development.purpose", "deployment.purpose"] and said in unread["message"]
        assert body["rows"][0]["purpose"] == "other"  # still carried through


def test_knowledge_base_is_published_read_only(api: Api, kb: KnowledgeBase) -> None:
    summary = api.get("/kb").json()
    assert (summary["version"], summary["hash"]) == (kb.version, kb.hash)
    assert summary["questions"] == len(kb.questions)
    assert [q["id"] for q in api.get("/kb/questions").json()] == [q.id for q in kb.questions]
    rules = api.get("/kb/rules").json()
    assert [r["id"] for r in rules] == [r.id for r in kb.rules]
    assert all({"question", "all", "any", "not"} & set(r["when"]) for r in rules)
    assert [o["id"] for o in api.get("/kb/outcomes").json()] == [o.id for o in kb.outcomes]
    assert [s["url"] for s in api.get("/kb/sources?lang=en").json()] == [s.link("en") for s in kb.sources]
    for method in ("post", "put", "delete"):
        assert_error(getattr(api, method)("/kb/rules"), 405, "method_not_allowed")


def test_openapi_document_describes_every_endpoint(api: Api) -> None:
    document = api.get("/openapi.json").json()
    paths = set(document["paths"])
    assert {"/evaluate", "/assessments", "/assessments/{assessment_id}", "/batch", "/kb/rules"} <= paths
    assert "Descriptor" in document["components"]["schemas"]
    deployment = document["components"]["schemas"]["Descriptor"]["properties"]["deployments"]["items"]
    assert "criminal_law" in deployment["properties"]["answers"]["properties"]["purpose"]["enum"]
    for path in document["paths"].values():
        for operation in path.values():
            assert "422" in operation["responses"] or (
                not operation.get("parameters") and "requestBody" not in operation
            )
