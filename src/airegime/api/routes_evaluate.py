"""POST /evaluate: a descriptor in, its assessment and explanation out; nothing is saved."""

from __future__ import annotations

from fastapi import APIRouter, Request

from airegime.api import deps
from airegime.api.deps import DESCRIPTOR_BODY, DescriptorBody, LangQuery
from airegime.api.models import EvaluationOut
from airegime.api.views import evaluation_out
from airegime.engine.explain import explain
from airegime.system import parse_system

router = APIRouter(tags=["evaluate"])
MAX_CHANGES = 3  # counterfactuals of up to three changed answers, as the reports show


@router.post("/evaluate", openapi_extra=DESCRIPTOR_BODY)
def evaluate_descriptor(request: Request, descriptor: DescriptorBody, lang: LangQuery = None) -> EvaluationOut:
    """Assess a descriptor without saving it: each phase's regime, the rules traced, what would change it."""
    kb = deps.kb(request)
    system = parse_system(deps.clean_text(descriptor), kb=kb)
    return evaluation_out(kb, explain(kb=kb, system=system, max_changes=MAX_CHANGES), deps.lang(request, lang))
