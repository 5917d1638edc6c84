"""The organisation profile page (admins): the usual answers that describe the organisation,
pre-filled into each new assessment; and what the new-assessment form says of them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from airegime.edge.deps import ADMIN, KbDep, RepoDep
from airegime.errors import DescriptorError
from airegime.i18n import N_
from airegime.kb import KnowledgeBase, Lang
from airegime.storage import Repository
from airegime.storage.profiles import PROFILE_DETAIL, Profiles, profile_questions
from airegime.web.pages import PageLangDep, render, see_other, templates

admin_router = APIRouter(dependencies=[ADMIN])
templates.env.globals["profile_detail"] = PROFILE_DETAIL  # history.html tags the answers the profile gave


def fields(kb: KnowledgeBase, lang: Lang, answers: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """One select per (scope, question) a profile may answer, with its current value."""
    return [
        {
            "name": f"{scope}.{question.id}",
            "scope": scope,
            "text": question.text.get(lang),
            "short": question.short.get(lang),
            "options": [(o.code, o.label.get(lang)) for o in question.options],
            "value": answers.get(scope, {}).get(question.id, ""),
        }
        for scope, question in profile_questions(kb)
    ]


def summary(repo: Repository, kb: KnowledgeBase, lang: Lang) -> list[tuple[str, str, str]]:
    """(scope, question's short name, answer's words) of the profile, for the new-assessment form."""
    profile = Profiles(repo).get()
    found: list[tuple[str, str, str]] = []
    for scope, question in profile_questions(kb):
        code = profile.answers.get(scope, {}).get(question.id)
        if code:
            try:
                label = question.option(code).label.get(lang)
            except KeyError:
                continue
            found.append((scope, question.short.get(lang), label))
    return found


def profile_page(
    request: Request, repo: Repository, kb: KnowledgeBase, lang: Lang, status: int = 200, **more: Any
) -> HTMLResponse:
    profile = Profiles(repo).get()
    answers = more.pop("answers", profile.answers)
    return render(request, "profile.html", status, profile=profile, fields=fields(kb, lang, answers), **more)


@admin_router.get("/admin/profile", response_class=HTMLResponse)
def show(request: Request, repo: RepoDep, kb: KbDep, lang: PageLangDep) -> HTMLResponse:
    return profile_page(request, repo, kb, lang)


@admin_router.post("/admin/profile", response_class=HTMLResponse)
async def change(request: Request, repo: RepoDep, kb: KbDep, lang: PageLangDep) -> Response:
    form = await request.form()
    wanted: dict[str, dict[str, str]] = {}
    for scope, question in profile_questions(kb):
        value = form.get(f"{scope}.{question.id}")
        if isinstance(value, str) and value:
            wanted.setdefault(scope, {})[question.id] = value[:60]
    try:
        Profiles(repo).set(wanted)
    except DescriptorError as refused:
        return profile_page(request, repo, kb, lang, 400, answers=wanted, problem=refused.location)
    return see_other("/admin/profile?saved=1")


# Ids the profile templates build from a value (profile.html, _profile_new.html).
DYNAMIC_IDS = (N_("profile.scope.system"), N_("profile.scope.development"), N_("profile.scope.deployment"))
