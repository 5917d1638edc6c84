"""Hypothesis fuzzing of the descriptor endpoints and of the batch upload: whatever arrives,
the answer is a result or one of the project's own clear errors, never a crash."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airegime.api import create_api
from airegime.kb import KnowledgeBase
from airegime.storage import Repository

from .helpers import Api, assert_error

pytestmark = pytest.mark.slow  # hundreds of random requests per test

EXAMPLES = int(os.environ.get("AIREGIME_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
DESCRIPTOR_ERRORS = {
    "invalid_descriptor",
    "invalid_request",
    "invalid_text",
    "malformed_json",
    "not_json",
    "bad_request",
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=4),
    max_leaves=25,
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[tuple[Api, Repository]]:
    repository = Repository.open(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}", kb)
    with Api(create_api(repository=repository), raise_server_exceptions=False) as api:
        yield api, repository
    repository.engine.dispose()


def paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document, to replace one of them."""
    found = [here]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*here, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*here, index))
    return found


def replaced(document: Any, where: tuple[Any, ...], new: Any) -> Any:
    if not where:
        return new
    copied = copy.deepcopy(document)
    node = copied
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = new
    return copied


def check_descriptor_response(response: Any) -> None:
    if response.status_code == 200:
        assert response.json()["phases"], "a result has phases"
        return
    error = assert_error(response, response.status_code, response.json()["error"]["code"])
    assert response.status_code in (400, 422), response.text
    assert error["code"] in DESCRIPTOR_ERRORS, error


@FUZZ
@given(document=json_values)
def test_any_json_document_gets_a_result_or_a_clear_error(client: tuple[Api, Repository], document: Any) -> None:
    api, repo = client
    before = repo.count()
    check_descriptor_response(api.post("/evaluate", json=document))
    response = api.post("/assessments", json=document)
    if response.status_code == 201:
        api.delete(f"/assessments/{response.json()['id']}")
    else:
        check_descriptor_response(response)
    assert repo.count() == before


@FUZZ
@given(data=st.data())
def test_a_descriptor_with_one_part_replaced_gets_a_result_or_a_clear_error(
    client: tuple[Api, Repository], zone_crossing: dict[str, Any], data: st.DataObject
) -> None:
    api, _ = client
    where = data.draw(st.sampled_from(paths(zone_crossing)))
    document = replaced(zone_crossing, where, data.draw(json_values))
    check_descriptor_response(api.post("/evaluate", json=document))


@FUZZ
@given(body=st.binary(max_size=300))
def test_any_bytes_get_a_clear_error(client: tuple[Api, Repository], body: bytes) -> None:
    api, _ = client
    check_descriptor_response(api.post("/evaluate", content=body, headers={"content-type": "application/json"}))


def kb_columns(kb: KnowledgeBase) -> list[str]:
    return ["system_id", "system_name", "deployment_name", "colour"] + [
        f"{scope}.{q.id}" for q in kb.questions for scope in q.scope
    ]


def check_batch_response(response: Any) -> None:
    if response.status_code == 200:
        body = response.json()
        assert body["summary"]["rows"] == len(body["rows"])
        return
    error = assert_error(response, 422, "unreadable_inventory", "file")
    assert error["hint"]


@FUZZ
@given(data=st.data())
def test_any_csv_inventory_gets_results_or_a_clear_error(
    client: tuple[Api, Repository], kb: KnowledgeBase, data: st.DataObject
) -> None:
    api, _ = client
    columns = data.draw(st.lists(st.sampled_from(kb_columns(kb)), min_size=1, max_size=6, unique=True))
    words = st.sampled_from(["yes", "no", "oui", "non", "", "unknown", "other", "criminal_law", "=1+1", "s1", "s2"])
    cell = words | st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8)
    rows = data.draw(st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns)), max_size=8))
    separator = data.draw(st.sampled_from([",", ";", "\t"]))
    text = "\n".join(separator.join(json.dumps(c) if separator in c else c for c in line) for line in [columns, *rows])
    response = api.post("/batch", files={"file": ("inventory.csv", text.encode())})
    check_batch_response(response)


@FUZZ
@given(content=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".ods", ".jsonl", ".parquet"]))
def test_any_file_gets_results_or_a_clear_error(client: tuple[Api, Repository], content: bytes, suffix: str) -> None:
    api, _ = client
    check_batch_response(api.post("/batch", files={"file": (f"inventory{suffix}", content)}))


def test_real_spreadsheets_with_damaged_bytes_get_a_clear_error(
    client: tuple[Api, Repository], kb: KnowledgeBase, tmp_path: Path
) -> None:
    from airegime.batch.template import write_template

    api, _ = client
    template = tmp_path / "template.xlsx"
    write_template(template, kb=kb, lang="fr")
    content = template.read_bytes()
    for cut in (10, len(content) // 2, len(content) - 10):
        check_batch_response(api.post("/batch", files={"file": ("inventory.xlsx", content[:cut])}))
    flipped = bytearray(content)
    for position in range(100, len(flipped), 997):
        flipped[position] ^= 0xFF
    check_batch_response(api.post("/batch", files={"file": ("inventory.xlsx", bytes(flipped))}))
