"""The knowledge base, read-only: version and hash, questions, rules, outcomes, sources."""

from __future__ import annotations

from fastapi import APIRouter, Request

from airegime.api import deps, views
from airegime.api.deps import LangQuery
from airegime.api.models import KbOut, OutcomeOut, QuestionOut, RuleOut, SourceOut

router = APIRouter(prefix="/kb", tags=["knowledge base"])


@router.get("")
def knowledge_base(request: Request, lang: LangQuery = None) -> KbOut:
    """The rule set's version and content hash, its disclaimer and caveats, and how many entries it has."""
    return views.kb_out(deps.kb(request), deps.lang(request, lang))


@router.get("/questions")
def questions(request: Request, lang: LangQuery = None) -> list[QuestionOut]:
    """Every question, with its scope (system, development, deployment) and allowed answers."""
    return views.questions_out(deps.kb(request), deps.lang(request, lang))


@router.get("/rules")
def rules(request: Request, lang: LangQuery = None) -> list[RuleOut]:
    """Every rule: the phases it applies to, its condition on the answers, its outcome and sources."""
    return views.rules_out(deps.kb(request), deps.lang(request, lang))


@router.get("/outcomes")
def outcomes(request: Request, lang: LangQuery = None) -> list[OutcomeOut]:
    """Every outcome (regime, not applicable, case by case) with its next steps."""
    return views.outcomes_out(deps.kb(request), deps.lang(request, lang))


@router.get("/sources")
def sources(request: Request, lang: LangQuery = None) -> list[SourceOut]:
    """Every legal source the rules cite."""
    return views.sources_out(deps.kb(request), deps.lang(request, lang))
