"""The knowledge base, read-only: version and hash, questions, rules, outcomes, sources.

The knowledge base does not change while the process runs, so each answer is serialised once
per rule set (its content hash) and language, then sent as stored bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response
from pydantic import TypeAdapter

from airegime.api import views
from airegime.api.deps import StrictJsonRoute
from airegime.api.models import KbOut, OutcomeOut, QuestionOut, RuleOut, SourceOut
from airegime.edge.deps import ApiLangDep, KbDep
from airegime.kb import KnowledgeBase
from airegime.kb.models import Lang

router = APIRouter(prefix="/kb", tags=["knowledge base"], route_class=StrictJsonRoute)


@router.get("", response_model=KbOut)
async def knowledge_base(kb: KbDep, lang: ApiLangDep) -> Response:
    """The rule set's version and content hash, its disclaimer and caveats, and how many entries it has."""
    return _stored(kb, lang, views.kb_out, KbOut)


@router.get("/questions", response_model=list[QuestionOut])
async def questions(kb: KbDep, lang: ApiLangDep) -> Response:
    """Every question, with its scope (system, development, deployment) and allowed answers."""
    return _stored(kb, lang, views.questions_out, list[QuestionOut])


@router.get("/rules", response_model=list[RuleOut])
async def rules(kb: KbDep, lang: ApiLangDep) -> Response:
    """Every rule: the phases it applies to, its condition on the answers, its outcome and sources."""
    return _stored(kb, lang, views.rules_out, list[RuleOut])


@router.get("/outcomes", response_model=list[OutcomeOut])
async def outcomes(kb: KbDep, lang: ApiLangDep) -> Response:
    """Every outcome (regime, not applicable, case by case) with its next steps."""
    return _stored(kb, lang, views.outcomes_out, list[OutcomeOut])


@router.get("/sources", response_model=list[SourceOut])
async def sources(kb: KbDep, lang: ApiLangDep) -> Response:
    """Every legal source the rules cite."""
    return _stored(kb, lang, views.sources_out, list[SourceOut])


def _stored(kb: KnowledgeBase, lang: Lang, view: Callable[[KnowledgeBase, Lang], Any], shape: Any) -> Response:
    """The view's JSON, built once per rule set and language (as FastAPI would serialise it)."""
    key = (kb.hash, view.__name__, lang)
    body = _bodies.get(key)
    if body is None:
        if len(_bodies) >= 64:  # a few rule sets at most (tests load changed ones)
            _bodies.clear()
        body = _bodies[key] = TypeAdapter(shape).dump_json(view(kb, lang))
    return Response(body, media_type="application/json")


_bodies: dict[tuple[str, str, str], bytes] = {}
