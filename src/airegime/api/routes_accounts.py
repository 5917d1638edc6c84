"""Who am I (the token's owner, organisation and role), and the organisation's audit log (``admin``:
admins only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from airegime.api.deps import StrictJsonRoute
from airegime.edge.access import audit_download, client_address
from airegime.edge.deps import ADMIN, CurrentUser, RepoDep
from airegime.storage.accounts import Role
from airegime.storage.audit import AuditEntry, AuditLog

router = APIRouter(tags=["accounts"], route_class=StrictJsonRoute)
admin = APIRouter(tags=["accounts"], route_class=StrictJsonRoute, dependencies=[ADMIN])


class MeOut(BaseModel):
    username: str
    organisation: str
    role: Role
    accounts: bool  # False: no account exists, the server answers on loopback to anyone there


class AuditPageOut(BaseModel):
    total: int
    page: int
    per_page: int
    entries: list[AuditEntry]


@router.get("/me")
def me(principal: CurrentUser) -> MeOut:
    """Who the request acts as: the token's owner, organisation and role."""
    return MeOut(
        username=principal.username,
        organisation=principal.organisation,
        role=principal.role,
        accounts=principal.user_id is not None,
    )


@admin.get("/audit")
def audit_log(
    principal: CurrentUser,
    repo: RepoDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPageOut:
    """The organisation's audit log, newest first (admins only)."""
    organisation = principal.organisation_id
    log = AuditLog(repo.engine)
    return AuditPageOut(
        total=log.count(organisation),
        page=page,
        per_page=per_page,
        entries=list(log.page(organisation, page=page, per_page=per_page)),
    )


@admin.get(
    "/audit/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            }
        }
    },
)
def export_audit_log(
    request: Request, principal: CurrentUser, repo: RepoDep, format: Literal["csv", "jsonl"] = "csv"
) -> StreamingResponse:
    """The organisation's whole audit log, oldest first, as CSV or JSON Lines (admins only)."""
    return audit_download(AuditLog(repo.engine), principal, format, address=client_address(request))
