"""Notes and evidence through the API: per answer, with roles, isolation, hostile files, OpenAPI."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from airegime.edge.limits import EVIDENCE_MAX_BYTES

from .conftest import World
from .files import BOMB_DOCX, HTML, PDF, SVG, TEXT

API = "/api/v1/assessments"
Clients = Callable[[str], TestClient]


def note(world: World, text: str = "Le contrat, art. 3.") -> dict[str, object]:
    return {"scope": "deployment", "context_id": world.context, "question": "purpose", "text": text}


def upload(client: TestClient, world: World, data: bytes, name: str = "c.pdf", claimed: str = "application/pdf"):  # type: ignore[no-untyped-def]
    fields = {"scope": "deployment", "context_id": str(world.context), "question": "purpose"}
    return client.post(f"{API}/{world.assessment}/attachments", data=fields, files={"file": (name, data, claimed)})


def test_an_editor_writes_reads_and_clears_a_note(api_as: Clients, world: World) -> None:
    anna = api_as("anna")
    written = anna.put(f"{API}/{world.assessment}/notes", json=note(world))
    assert written.status_code == 200, written.text
    assert written.json()["text"] == "Le contrat, art. 3." and written.json()["author"] == "anna"
    listed = anna.get(f"{API}/{world.assessment}/notes", params={"question": "purpose"}).json()
    assert [n["text"] for n in listed] == ["Le contrat, art. 3."]
    assert anna.get(f"{API}/{world.assessment}/notes", params={"question": "household"}).json() == []
    where = {"scope": "deployment", "context_id": world.context, "question": "purpose"}
    assert anna.delete(f"{API}/{world.assessment}/notes", params=where).status_code == 204
    assert anna.get(f"{API}/{world.assessment}/evidence").json()["notes"] == []
    history = [e["kind"] for e in anna.get(f"{API}/{world.assessment}/history").json()]
    assert history[-2:] == ["note_changed", "note_cleared"]


def test_bad_notes_are_refused_with_where_and_why(api_as: Clients, world: World) -> None:
    anna = api_as("anna")
    for body, status in [
        (note(world, "x" * 2001), 422),
        (note(world, ""), 422),
        (note(world, "bell\x07"), 422),
        ({**note(world), "question": "no_such_question"}, 404),
        ({**note(world), "context_id": 999_999}, 404),
        ({**note(world), "scope": "galaxy"}, 422),
        ({**note(world), "extra": 1}, 422),
    ]:
        answered = anna.put(f"{API}/{world.assessment}/notes", json=body)
        assert answered.status_code == status, (body, answered.text)
        assert "error" in answered.json()
    assert anna.get(f"{API}/{world.assessment}/evidence").json()["notes"] == []


def test_a_file_is_uploaded_listed_downloaded_as_an_attachment_and_removed(api_as: Clients, world: World) -> None:
    anna = api_as("anna")
    added = upload(anna, world, PDF, name="../../rapport\x1b.exe", claimed="text/html")
    assert added.status_code == 201, added.text
    body = added.json()
    assert (body["name"], body["media_type"], body["size"], body["kind"]) == (
        "rapport.exe.pdf",
        "application/pdf",
        len(PDF),
        "file",
    )
    assert added.headers["location"].endswith(f"/assessments/{world.assessment}/attachments/{body['id']}")
    listed = anna.get(f"{API}/{world.assessment}/attachments", params={"scope": "deployment"}).json()
    assert [a["id"] for a in listed] == [body["id"]]
    download = anna.get(f"{API}/{world.assessment}/attachments/{body['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith('attachment; filename="rapport.exe.pdf"')
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in download.headers["content-security-policy"]
    assert anna.delete(f"{API}/{world.assessment}/attachments/{body['id']}").status_code == 204
    assert anna.get(f"{API}/{world.assessment}/attachments/{body['id']}").status_code == 404
    assert anna.get(f"{API}/{world.assessment}/attachments").json() == []


def test_text_is_served_as_bytes_to_save_never_as_text(api_as: Clients, world: World) -> None:
    anna = api_as("anna")
    added = upload(anna, world, TEXT, name="notes.txt", claimed="text/html").json()
    assert added["media_type"] == "text/plain"
    download = anna.get(f"{API}/{world.assessment}/attachments/{added['id']}")
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("data", "name", "claimed", "status", "code"),
    [
        (HTML, "page.pdf", "application/pdf", 422, "markup"),
        (SVG, "logo.png", "image/png", 422, "markup"),
        (BOMB_DOCX, "bomb.docx", "application/octet-stream", 422, "archive"),
        (b"MZ\x00\x00", "setup.pdf", "application/pdf", 422, "file_type"),
        (b"%PDF-" + b"0" * 10_000_001, "huge.pdf", "application/pdf", 413, "file_too_large"),
    ],
)
def test_hostile_files_are_refused_with_a_clear_code(
    api_as: Clients, world: World, data: bytes, name: str, claimed: str, status: int, code: str
) -> None:
    anna = api_as("anna")
    refused = upload(anna, world, data, name=name, claimed=claimed)
    assert refused.status_code == status, refused.text
    assert refused.json()["error"]["code"] == code and refused.json()["error"]["hint"]
    assert anna.get(f"{API}/{world.assessment}/attachments").json() == []


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(api_as: Clients, world: World) -> None:
    refused = upload(api_as("anna"), world, b"%PDF-" + b"0" * EVIDENCE_MAX_BYTES)
    assert refused.status_code == 413


def test_links_are_added_and_listed_with_their_address(api_as: Clients, world: World) -> None:
    anna = api_as("anna")
    fields = {"scope": "system", "question": "establishment", "url": "https://www.cnil.fr/x", "title": "Fiche"}
    added = anna.post(f"{API}/{world.assessment}/attachments", data=fields)
    assert added.status_code == 201, added.text
    assert (added.json()["kind"], added.json()["url"], added.json()["name"]) == (
        "link",
        "https://www.cnil.fr/x",
        "Fiche",
    )
    assert anna.get(f"{API}/{world.assessment}/attachments/{added.json()['id']}").status_code == 409
    bad = anna.post(f"{API}/{world.assessment}/attachments", data={**fields, "url": "javascript:alert(1)"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "url")
    nothing = anna.post(f"{API}/{world.assessment}/attachments", data={"scope": "system", "question": "establishment"})
    assert nothing.status_code == 422


def test_a_reader_reads_and_downloads_but_cannot_write(api_as: Clients, world: World) -> None:
    anna, amy = api_as("anna"), api_as("amy")
    anna.put(f"{API}/{world.assessment}/notes", json=note(world))
    added = upload(anna, world, PDF).json()
    assert amy.get(f"{API}/{world.assessment}/evidence").json()["notes"][0]["text"] == "Le contrat, art. 3."
    assert amy.get(f"{API}/{world.assessment}/attachments/{added['id']}").content == PDF
    where = {"scope": "deployment", "context_id": world.context, "question": "purpose"}
    assert amy.put(f"{API}/{world.assessment}/notes", json=note(world, "mine")).status_code == 403
    assert amy.delete(f"{API}/{world.assessment}/notes", params=where).status_code == 403
    assert upload(amy, world, PDF).status_code == 403
    assert amy.delete(f"{API}/{world.assessment}/attachments/{added['id']}").status_code == 403
    assert amy.post(f"{API}/{world.assessment}/duplicate", json={}).status_code == 403
    found = anna.get(f"{API}/{world.assessment}/evidence").json()
    assert [n["text"] for n in found["notes"]] == ["Le contrat, art. 3."] and len(found["attachments"]) == 1


def test_another_organisation_cannot_read_list_download_or_change_the_evidence(api_as: Clients, world: World) -> None:
    anna, ben = api_as("anna"), api_as("ben")
    anna.put(f"{API}/{world.assessment}/notes", json=note(world, "SECRET NOTE"))
    added = upload(anna, world, PDF).json()
    a = world.assessment
    where = {"scope": "deployment", "context_id": world.context, "question": "purpose"}
    for response in (
        ben.get(f"{API}/{a}/evidence"),
        ben.get(f"{API}/{a}/notes"),
        ben.get(f"{API}/{a}/attachments"),
        ben.get(f"{API}/{a}/attachments/{added['id']}"),
        ben.get(f"{API}/{world.b_assessment}/attachments/{added['id']}"),  # A's file through B's assessment
        ben.put(f"{API}/{a}/notes", json=note(world, "B")),
        ben.delete(f"{API}/{a}/notes", params=where),
        upload(ben, world, PDF),
        ben.delete(f"{API}/{a}/attachments/{added['id']}"),
        ben.delete(f"{API}/{world.b_assessment}/attachments/{added['id']}"),
        ben.post(f"{API}/{a}/duplicate", json={"keep_evidence": True}),
    ):
        assert response.status_code == 404, response.request.url
        assert "SECRET NOTE" not in response.text
    found = anna.get(f"{API}/{a}/evidence").json()
    assert [n["text"] for n in found["notes"]] == ["SECRET NOTE"] and [x["id"] for x in found["attachments"]] == [
        added["id"]
    ]


def test_duplicating_keeps_notes_and_evidence_only_when_asked(api_as: Clients, world: World) -> None:
    anna = api_as("anna")
    anna.put(f"{API}/{world.assessment}/notes", json=note(world))
    upload(anna, world, PDF)
    plain = anna.post(f"{API}/{world.assessment}/duplicate", json={"name": "Copy"})
    assert plain.status_code == 201, plain.text
    assert anna.get(f"{API}/{plain.json()['id']}").json()["descriptor"]["name"] == "Copy"
    assert anna.get(f"{API}/{plain.json()['id']}/evidence").json() == {"notes": [], "attachments": []}
    kept = anna.post(f"{API}/{world.assessment}/duplicate", json={"keep_evidence": True}).json()["id"]
    found = anna.get(f"{API}/{kept}/evidence").json()
    assert [n["text"] for n in found["notes"]] == ["Le contrat, art. 3."]
    [copy] = found["attachments"]
    assert anna.get(f"{API}/{kept}/attachments/{copy['id']}").content == PDF


def test_the_openapi_document_describes_the_evidence_endpoints(api_as: Clients) -> None:
    paths = api_as("anna").get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/assessments/{assessment_id}/notes"]) == {"get", "put", "delete"}
    assert set(paths["/assessments/{assessment_id}/attachments"]) == {"get", "post"}
    assert set(paths["/assessments/{assessment_id}/attachments/{attachment_id}"]) == {"get", "delete"}
    upload_body = paths["/assessments/{assessment_id}/attachments"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload_body
    assert "post" in paths["/assessments/{assessment_id}/duplicate"]


def test_a_put_of_the_descriptor_leaves_notes_and_evidence_as_they_are(api_as: Clients, world: World) -> None:
    anna = api_as("anna")
    anna.put(f"{API}/{world.assessment}/notes", json=note(world))
    upload(anna, world, PDF)
    descriptor = anna.get(f"{API}/{world.assessment}").json()["descriptor"]
    bare = {
        **descriptor,
        "deployments": [
            {k: v for k, v in d.items() if k not in ("notes", "evidence")} for d in descriptor["deployments"]
        ],
    }
    assert anna.put(f"{API}/{world.assessment}", json=bare).status_code == 200
    found = anna.get(f"{API}/{world.assessment}/evidence").json()
    assert [n["text"] for n in found["notes"]] == ["Le contrat, art. 3."] and len(found["attachments"]) == 1
