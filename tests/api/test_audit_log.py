"""GET /audit: the organisation's audit log a page at a time, each entry with exactly its six fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .helpers import Api


def test_audit_page_lists_each_entry_with_its_six_fields(api: Api, descriptor: dict[str, Any]) -> None:
    api.post("/assessments", json=descriptor)
    api.post("/assessments", json={**descriptor, "name": "Second"})
    body = api.get("/audit?per_page=1").json()
    assert list(body) == ["total", "page", "per_page", "entries"]
    assert (body["total"], body["page"], body["per_page"]) == (2, 1, 1)
    [entry] = body["entries"]
    assert list(entry) == ["at", "actor", "action", "target", "detail", "address"]  # no row id
    assert entry["at"].endswith("Z") and datetime.fromisoformat(entry["at"]).tzinfo is not None
    assert (entry["action"], entry["target"], entry["detail"]) == ("assessment.imported", "#2 Second", "API")
