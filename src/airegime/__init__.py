"""airegime: which data-protection regime governs each phase of an AI system, and why.

A system is described by a descriptor (a YAML or JSON file for ``load_system``, or a mapping for
``parse_system``); ``evaluate`` gives the regime of each development and deployment context:

    >>> import airegime
    >>> kb = airegime.load_knowledge_base()
    >>> company = {"personal_data": "yes", "organisation_kind": "private_body"}
    >>> police = {"personal_data": "yes", "organisation_kind": "competent_authority", "purpose": "criminal_law"}
    >>> system = airegime.parse_system(
    ...     {
    ...         "airegime": 2,
    ...         "name": "Zone-crossing detector",
    ...         "answers": {"establishment": "eu"},
    ...         "developments": [{"answers": {**company, "development_uses": "various"}}],
    ...         "deployments": [
    ...             {"name": "Shopping centre", "answers": {**company, "purpose": "other"}},
    ...             {"name": "National police", "answers": police},
    ...         ],
    ...     },
    ...     kb=kb,
    ... )
    >>> assessment = airegime.evaluate(kb=kb, system=system)
    >>> for phase in assessment.phases:
    ...     print(phase.name, "|", phase.status, "|", phase.outcome)
    development | determined | gdpr
    Shopping centre | determined | gdpr
    National police | determined | police_justice

Names are imported lazily so that ``airegime --version`` starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from airegime._version import __version__

if TYPE_CHECKING:
    from airegime.engine.counterfactuals import Change, Counterfactual, counterfactuals
    from airegime.engine.evaluate import evaluate
    from airegime.engine.explain import Explanation, explain
    from airegime.engine.interview import NextQuestion, next_question
    from airegime.engine.results import Assessment, Dependency, PhaseResult
    from airegime.engine.verify import VerificationReport, verify
    from airegime.errors import AiregimeError, AnswerError, DescriptorError, KnowledgeBaseError
    from airegime.kb import KnowledgeBase, load_knowledge_base
    from airegime.system import Deployment, Development, System, load_system, parse_system

_EXPORTS = {
    "Change": "airegime.engine.counterfactuals",
    "Counterfactual": "airegime.engine.counterfactuals",
    "counterfactuals": "airegime.engine.counterfactuals",
    "evaluate": "airegime.engine.evaluate",
    "Explanation": "airegime.engine.explain",
    "explain": "airegime.engine.explain",
    "NextQuestion": "airegime.engine.interview",
    "next_question": "airegime.engine.interview",
    "Assessment": "airegime.engine.results",
    "Dependency": "airegime.engine.results",
    "PhaseResult": "airegime.engine.results",
    "VerificationReport": "airegime.engine.verify",
    "verify": "airegime.engine.verify",
    "AiregimeError": "airegime.errors",
    "AnswerError": "airegime.errors",
    "DescriptorError": "airegime.errors",
    "KnowledgeBaseError": "airegime.errors",
    "KnowledgeBase": "airegime.kb",
    "load_knowledge_base": "airegime.kb",
    "Deployment": "airegime.system",
    "Development": "airegime.system",
    "System": "airegime.system",
    "load_system": "airegime.system",
    "parse_system": "airegime.system",
}
__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'airegime' has no attribute {name!r}")
    return getattr(import_module(module), name)
