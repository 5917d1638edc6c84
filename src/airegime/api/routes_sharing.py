"""Read-only links to an assessment for someone outside the organisation: list (any role), make
and revoke (editors). A link's token is in the answer that makes it, and never again (only its
digest is stored); ``/shared/{token}`` (a page of the web app, no login) shows the result."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from airegime.api.deps import StrictJsonRoute
from airegime.edge.deps import EDITOR, RepoDep
from airegime.edge.inputs import AssessmentId, RecordId
from airegime.storage.sharing import MAX_DAYS, MIN_DAYS, ShareLink, ShareLinks

router = APIRouter(prefix="/assessments", tags=["sharing"], route_class=StrictJsonRoute)
writes = APIRouter(prefix="/assessments", tags=["sharing"], route_class=StrictJsonRoute, dependencies=[EDITOR])


class ShareLinkOut(BaseModel):
    id: int
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    state: Literal["active", "expired", "revoked"]


class NewShareLinkOut(ShareLinkOut):
    token: str = Field(description="the link's secret: shown this once, never again")
    url: str = Field(description="the read-only page, for whoever should see the result (no login)")


class ShareLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: Annotated[int, Field(ge=MIN_DAYS, le=MAX_DAYS, description="how long the link works")] = 7


def link_out(link: ShareLink) -> ShareLinkOut:
    return ShareLinkOut(**asdict(link), state=link.state())


@router.get("/{assessment_id}/share-links")
def list_links(assessment_id: AssessmentId, repo: RepoDep) -> list[ShareLinkOut]:
    """The assessment's read-only links, newest first (without their tokens)."""
    return [link_out(link) for link in ShareLinks(repo).list(assessment_id)]


@writes.post("/{assessment_id}/share-links", status_code=201)
def make_link(request: Request, assessment_id: AssessmentId, body: ShareLinkIn, repo: RepoDep) -> NewShareLinkOut:
    """A read-only link valid ``days`` days (1 to 30)."""
    token, link = ShareLinks(repo).create(assessment_id, days=body.days)
    site = f"{request.url.scheme}://{request.url.netloc}"
    return NewShareLinkOut(**link_out(link).model_dump(), token=token, url=f"{site}/shared/{token}")


@writes.delete("/{assessment_id}/share-links/{link_id}", status_code=204, response_class=Response)
def revoke_link(assessment_id: AssessmentId, link_id: RecordId, repo: RepoDep) -> Response:
    """Revoke the link: its next use gets 410."""
    ShareLinks(repo).revoke(assessment_id, link_id)
    return Response(status_code=204)
