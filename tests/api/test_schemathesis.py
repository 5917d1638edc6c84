"""Schemathesis against the API's own OpenAPI document: generated requests (valid and invalid)
to every operation; no server error, and every response matches the document (status, media
type, schema). A short bounded run here; `stress/schemathesis.sh` runs the long one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from databases import empty_postgres, postgres_url
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from airegime.api import create_api
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.storage.audit import AuditLog
from airegime.storage.models import DEFAULT_ORGANISATION_ID

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("AIREGIME_SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "sqlite-with-accounts"],
)
def api_schema(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase
) -> Iterator[tuple[Any, dict[str, str], Repository]]:
    if request.param.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'api.sqlite3'}"
    else:
        url = empty_postgres(postgres_url())
    repository = Repository.open(url, kb)
    # A few saved assessments, so that generated ids sometimes hit one.
    for name in ("Un", "Deux", "Trois"):
        repository.create(name=name, first_context="Contexte")
    headers = {}
    if request.param.endswith("accounts"):  # every call with an admin's token, as once accounts are on
        accounts = Accounts(repository.engine)
        accounts.add_user("admin", "a long enough password", organisation="default", role="admin", actor="test")
        token = accounts.create_token("admin", "default", name="ci", role="admin", days=None, actor="test")
        headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_api(repository=repository))
    # A generated body over the size limit is refused with 413 before it is read: a rejection too.
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    yield schema, headers, repository
    repository.engine.dispose()


# schemathesis' own pytest plug-in does not run under pytest 9: drive its strategies with hypothesis.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_api_matches_its_openapi_document(
    api_schema: tuple[Any, dict[str, str], Repository], mode: GenerationMode
) -> None:
    schema, headers, repository = api_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14, "every endpoint is in the document"
    for operation in operations:
        if mode == GenerationMode.NEGATIVE and not _has_inputs(operation):
            continue  # nothing to make invalid

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            case.call_and_validate(checks=CHECKS, headers=headers)

        try:
            call()
        except Exception as error:
            raise AssertionError(f"{operation.label} ({mode.value}): {error}") from error
    if headers and mode == GenerationMode.POSITIVE:  # the token opened the doors: the admin saved things
        actions = {(e.actor, e.action) for e in AuditLog(repository.engine).entries(DEFAULT_ORGANISATION_ID)}
        assert ("admin", "assessment.imported") in actions


def _has_inputs(operation: Any) -> bool:
    return bool(operation.definition.raw.get("parameters") or operation.definition.raw.get("requestBody"))
