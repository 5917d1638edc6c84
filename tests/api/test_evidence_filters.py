"""GET .../notes and .../attachments narrowed to one answer: each of scope, context_id and question
narrows the list, a part left out matches any, and both lists read the query alike."""

from __future__ import annotations

from typing import Any

from .helpers import Api, assert_error


def test_notes_and_attachments_narrow_to_one_answer_alike(api: Api, descriptor: dict[str, Any]) -> None:
    saved = api.post("/assessments", json=descriptor).json()
    base = f"/assessments/{saved['id']}"
    shop, police = (c["id"] for c in saved["contexts"])
    answers = [
        {"scope": "system", "question": "establishment"},
        {"scope": "deployment", "context_id": shop, "question": "purpose"},
        {"scope": "deployment", "context_id": police, "question": "purpose"},
        {"scope": "deployment", "context_id": police, "question": "personal_data"},
    ]
    for number, answer in enumerate(answers):
        assert api.put(f"{base}/notes", json={**answer, "text": f"n{number}"}).status_code == 200
        form = {k: str(v) for k, v in answer.items()} | {"url": f"https://example.org/{number}"}
        assert api.post(f"{base}/attachments", data=form).status_code == 201
    for query, expected in [
        ({}, [0, 1, 2, 3]),
        ({"scope": "deployment"}, [1, 2, 3]),
        ({"context_id": police}, [2, 3]),
        ({"question": "purpose"}, [1, 2]),
        ({"scope": "deployment", "context_id": police, "question": "purpose"}, [2]),
        ({"scope": "system", "context_id": police}, []),
    ]:
        notes = api.get(f"{base}/notes", params=query).json()
        links = api.get(f"{base}/attachments", params=query).json()
        assert sorted(n["text"] for n in notes) == [f"n{i}" for i in expected], query
        assert sorted(a["url"] for a in links) == [f"https://example.org/{i}" for i in expected], query
    for listing in ("notes", "attachments"):
        assert_error(api.get(f"{base}/{listing}", params={"scope": "galaxy"}), 422, "invalid_request")
        assert_error(api.get(f"{base}/{listing}", params={"question": "q" * 61}), 422, "invalid_request")
