"""POST /evaluate: a descriptor in, its assessment and explanation out; nothing is saved."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from airegime.api.deps import DESCRIPTOR_BODY, DescriptorBody, StrictJsonRoute
from airegime.api.models import EvaluationOut
from airegime.api.views import evaluation_out
from airegime.edge.deps import ApiLangDep, KbDep
from airegime.engine.explain import explain
from airegime.kb import KnowledgeBase
from airegime.kb.models import Lang
from airegime.system import parse_system

router = APIRouter(tags=["evaluate"], route_class=StrictJsonRoute)
MAX_CHANGES = 3  # counterfactuals of up to three changed answers, as the reports show
# A few deployments take a millisecond or two to assess: handing them to a worker thread (and
# back) would cost a good part of that. Longer descriptors go to a thread, off the event loop.
INLINE_DEPLOYMENTS = 4


@router.post("/evaluate", openapi_extra=DESCRIPTOR_BODY)
async def evaluate_descriptor(descriptor: DescriptorBody, kb: KbDep, lang: ApiLangDep) -> EvaluationOut:
    """Assess a descriptor without saving it: each phase's regime, the rules traced, what would change it."""
    deployments = descriptor.get("deployments")
    if isinstance(deployments, list) and len(deployments) <= INLINE_DEPLOYMENTS:
        return _evaluate(kb, descriptor, lang)
    return await run_in_threadpool(_evaluate, kb, descriptor, lang)


def _evaluate(kb: KnowledgeBase, descriptor: dict[str, Any], lang: Lang) -> EvaluationOut:
    system = parse_system(descriptor, kb=kb)
    return evaluation_out(kb, explain(kb=kb, system=system, max_changes=MAX_CHANGES), lang)
