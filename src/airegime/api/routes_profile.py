"""The organisation profile (admins): the usual answers that describe the organisation, which
new assessments get for the questions they leave open (``POST /assessments?profile=false``: not)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from airegime.api.deps import StrictJsonRoute
from airegime.edge.deps import ADMIN, KbDep, RepoDep
from airegime.edge.inputs import CleanTree
from airegime.storage.profiles import Profile, Profiles, profile_questions

admin = APIRouter(tags=["profile"], route_class=StrictJsonRoute, dependencies=[ADMIN])
Answers = dict[str, dict[str, str]]


class ProfileOut(BaseModel):
    answers: Answers = Field(description="scope (system, development, deployment) -> question -> answer code")
    questions: dict[str, list[str]] = Field(description="the questions a profile may answer, by scope")
    updated_by: str
    updated_at: datetime | None


def profile_out(profile: Profile, kb: KbDep) -> ProfileOut:
    questions: dict[str, list[str]] = {}
    for scope, question in profile_questions(kb):
        questions.setdefault(scope, []).append(question.id)
    return ProfileOut(
        answers=profile.answers, questions=questions, updated_by=profile.updated_by, updated_at=profile.updated_at
    )


@admin.get("/profile")
def read_profile(repo: RepoDep, kb: KbDep) -> ProfileOut:
    """The organisation's usual answers and the questions a profile may answer."""
    return profile_out(Profiles(repo).get(), kb)


@admin.put("/profile")
def replace_profile(
    body: Annotated[dict[str, dict[str, str | bool | None]], CleanTree], repo: RepoDep, kb: KbDep
) -> ProfileOut:
    """Replace the profile: {scope: {question: answer}}, answers as codes, labels or booleans; only
    the questions that describe the organisation (establishment, organisation_kind, legal_mission)."""
    return profile_out(Profiles(repo).set(body), kb)
