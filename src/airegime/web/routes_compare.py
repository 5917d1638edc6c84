"""Comparing: an assessment beside one of its earlier versions, or beside another assessment of the
organisation (``/a/{id}/compare?version=N`` or ``?with=ID``; without either, a page to choose).
Reading is enough (any role): nothing is stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from airegime.compare import compare
from airegime.edge.deps import KbDep, RepoDep
from airegime.edge.inputs import MAX_ID, AssessmentId, SearchText
from airegime.errors import AiregimeError, msg
from airegime.i18n import translator
from airegime.kb import KnowledgeBase, Lang
from airegime.storage import HistoryEntry, Repository
from airegime.storage.versions import Version, sides
from airegime.web.pages import PageLangDep, render, when
from airegime.web.routes_assessments import question_text

router = APIRouter()
CHOICES = 100  # assessments offered on the choosing page (a search finds the others)
VERSIONS = 200  # history entries offered there, the latest first (the history page links each one)
Other = Annotated[int | None, Query(alias="with", ge=1, le=MAX_ID)]
Entry = Annotated[int | None, Query(ge=0, le=MAX_ID)]


@router.get("/a/{assessment_id}/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    assessment_id: AssessmentId,
    repo: RepoDep,
    kb: KbDep,
    lang: PageLangDep,
    other: Other = None,
    version: Entry = None,
    q: Annotated[SearchText, Query(max_length=200)] = "",
) -> HTMLResponse:
    saved = repo.get(assessment_id)
    if other is None and version is None:
        return choose(request, repo, kb, lang, assessment_id, q)
    if other is not None and version is not None:
        raise AiregimeError(msg("error.compare.not_both"), hint=msg("error.compare.not_both.hint"))
    first, second = sides(repo, assessment_id, other=other, index=version)
    comparison = compare(kb=kb, before=first.system, after=second.system, lang=lang)
    return render(
        request,
        "compare.html",
        saved=saved,
        comparison=comparison,
        sides=[(side, side_label(side, lang, versions=version is not None)) for side in (first, second)],
    )


def side_label(side: Version, lang: Lang, *, versions: bool) -> str:
    """A column's heading: "Version of 4 Dec 2026, 14:05:09 UTC" or "Now" (two versions of one
    assessment), or the assessment's name (two assessments)."""
    _ = translator(lang)
    if side.at is not None:
        return _("compare.version_of", when=when(side.at, lang, "seconds").striptags())
    return _("compare.now") if versions else side.system.name


def choose(
    request: Request, repo: Repository, kb: KnowledgeBase, lang: Lang, assessment_id: int, q: str
) -> HTMLResponse:
    """The page to choose what to compare with: another assessment (a search narrows the list), or an
    earlier version (the latest entries of the history; the last one is the assessment as it is)."""
    saved = repo.get(assessment_id)
    listing = repo.list(search=q, sort="updated", per_page=CHOICES + 1)
    others = [item for item in listing.items if item.id != assessment_id][:CHOICES]
    entries = repo.history(assessment_id)[:-1]
    offered = [(i, entry_label(entries[i], kb, lang)) for i in range(len(entries) - 1, -1, -1)][:VERSIONS]
    return render(
        request, "compare_choose.html", saved=saved, others=others, more=listing.pages > 1, q=q, versions=offered
    )


def entry_label(entry: HistoryEntry, kb: KnowledgeBase, lang: Lang) -> str:
    """A history entry in one line of plain text (for a list to choose from): when, and what changed."""
    _ = translator(lang)
    moment = when(entry.at, lang, "seconds").striptags()
    question = kb.question_by_id.get(entry.question or "")
    if entry.kind != "answer":
        what = _("event." + entry.kind)
    else:
        what = question.short.get(lang) if question else question_text(kb, lang, entry.question)
    where = f" ({entry.context_name})" if entry.context_name else ""
    return f"{moment} · {what}{where}"
