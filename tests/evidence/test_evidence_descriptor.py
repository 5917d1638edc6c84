"""Notes and evidence in the descriptor: read, checked, stored on import, written on export, in the schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from accounts.helpers import Browser
from fastapi.testclient import TestClient

from airegime.errors import DescriptorError
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.evidence import EvidenceStore, with_evidence
from airegime.system import descriptor_schema, parse_system

from .conftest import World
from .files import PDF

DESCRIPTOR: dict[str, Any] = {
    "name": "Noted",
    "answers": {"establishment": "eu"},
    "notes": {"establishment": "Siège à Lyon (Kbis 2024).\nVoir le registre."},
    "development": {"answers": {"personal_data": "yes"}, "notes": {"personal_data": "Photos de passants."}},
    "deployments": [
        {
            "name": "Shop",
            "answers": {"purpose": "other"},
            "evidence": {
                "purpose": [
                    {"name": "Fiche CNIL", "url": "https://www.cnil.fr/fiche"},
                    {"name": "dpa.pdf", "type": "PDF", "size": 12},
                ]
            },
        }
    ],
}


def test_a_descriptor_without_notes_reads_and_writes_as_before(kb: KnowledgeBase) -> None:
    plain = parse_system({"name": "P", "deployments": [{"name": "D"}]}, kb=kb)
    data = plain.to_dict()
    assert "notes" not in data and "evidence" not in data
    assert "notes" not in data["developments"][0] and "evidence" not in data["deployments"][0]


def test_notes_and_evidence_are_read_and_written_back(kb: KnowledgeBase) -> None:
    system = parse_system(DESCRIPTOR, kb=kb)
    assert system.notes == {"establishment": "Siège à Lyon (Kbis 2024).\nVoir le registre."}
    assert system.developments[0].notes == {"personal_data": "Photos de passants."}
    again = parse_system(yaml.safe_load(yaml.safe_dump(system.to_dict(), allow_unicode=True)), kb=kb)
    assert again == system


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"notes": {"purpose": "x"}}, "notes.purpose"),  # a deployment question, at the system's level
        ({"notes": {"no_such": "x"}}, "notes.no_such"),
        ({"notes": {"establishment": "x" * 2001}}, "notes.establishment"),
        ({"notes": {"establishment": "bell\x07"}}, "notes"),
        (
            {"evidence": {"establishment": [{"name": "x", "url": "javascript:alert(1)"}]}},
            "evidence.establishment[0].url",
        ),
        ({"evidence": {"establishment": [{"url": "https://x.fr"}]}}, "evidence.establishment[0].name"),
    ],
)
def test_wrong_notes_are_refused_with_their_place(kb: KnowledgeBase, change: dict[str, Any], where: str) -> None:
    with pytest.raises(DescriptorError) as refused:
        parse_system({**DESCRIPTOR, **change}, kb=kb)
    assert refused.value.location == where, str(refused.value)


def test_importing_stores_notes_and_links_and_exporting_writes_them_back(repo: Repository, kb: KnowledgeBase) -> None:
    system = parse_system(DESCRIPTOR, kb=kb)
    made = repo.import_system(system)
    saved = repo.get(made)
    found = EvidenceStore(repo).evidence(made)
    assert {(n.scope, n.question) for n in found.notes} == {
        ("system", "establishment"),
        ("development", "personal_data"),
    }
    [link] = found.attachments  # the file named in the descriptor has no bytes there: not re-created
    assert (link.kind, link.url, link.context_id) == ("link", "https://www.cnil.fr/fiche", saved.contexts[0].id)
    EvidenceStore(repo).add_file(
        made, scope="deployment", context_id=saved.contexts[0].id, question="purpose", filename="dpa.pdf", data=PDF
    )
    exported = with_evidence(saved.system(), saved, EvidenceStore(repo).evidence(made)).to_dict()
    assert exported["notes"] == DESCRIPTOR["notes"]
    assert exported["deployments"][0]["evidence"]["purpose"] == [
        {"name": "Fiche CNIL", "url": "https://www.cnil.fr/fiche", "type": "", "size": 0},
        {"name": "dpa.pdf", "url": "", "type": "PDF", "size": len(PDF)},
    ]
    assert parse_system(exported, kb=kb).notes == system.notes  # the export reads back


def test_the_schema_describes_notes_and_evidence(kb: KnowledgeBase) -> None:
    schema = descriptor_schema(kb)
    assert "establishment" in schema["properties"]["notes"]["properties"]
    deployment = schema["properties"]["deployments"]["items"]["properties"]
    assert deployment["notes"]["properties"]["purpose"]["maxLength"] == 2000
    assert deployment["evidence"]["properties"]["purpose"]["items"]["required"] == ["name"]


def test_web_export_and_import_carry_the_notes(
    browser_for: Callable[[str], Browser], world: World, repo: Repository
) -> None:
    anna = browser_for("anna")
    where = {"scope": "deployment", "context_id": world.context, "question": "purpose"}
    EvidenceStore(repo.scoped(world.org_a, actor="anna")).set_note(world.assessment, text="Parce que.", **where)
    exported = anna.get(f"/a/{world.assessment}/export.yaml")
    assert exported.status_code == 200
    data = yaml.safe_load(exported.text)
    assert data["deployments"][0]["notes"] == {"purpose": "Parce que."}
    imported = anna.post("/import", data={"csrf_token": anna.csrf, "text": exported.text})
    assert imported.status_code == 303, imported.text
    new = int(imported.headers["location"].split("/")[2])
    notes = EvidenceStore(repo.scoped(world.org_a, actor="t")).evidence(new).notes
    assert [(n.question, n.text) for n in notes] == [("purpose", "Parce que.")]


def test_api_read_and_create_carry_the_notes(api_as: Callable[[str], TestClient], world: World) -> None:
    anna = api_as("anna")
    anna.put(
        f"/api/v1/assessments/{world.assessment}/notes",
        json={"scope": "system", "question": "establishment", "text": "Lyon."},
    )
    descriptor = anna.get(f"/api/v1/assessments/{world.assessment}").json()["descriptor"]
    assert descriptor["notes"] == {"establishment": "Lyon."}
    created = anna.post("/api/v1/assessments", json={**descriptor, "name": "Copy"})
    assert created.status_code == 201, created.text
    assert anna.get(f"/api/v1/assessments/{created.json()['id']}/notes").json()[0]["text"] == "Lyon."
