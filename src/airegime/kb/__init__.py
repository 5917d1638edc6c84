"""The knowledge base: questions, rules, outcomes and sources, loaded strictly from YAML."""

from airegime.kb.loader import load_knowledge_base
from airegime.kb.models import (
    LANGS,
    PHASES,
    UNKNOWN,
    Citation,
    KnowledgeBase,
    Lang,
    Outcome,
    Phase,
    Question,
    Rule,
    Source,
    Text,
    as_lang,
)

__all__ = [
    "LANGS",
    "PHASES",
    "UNKNOWN",
    "Citation",
    "KnowledgeBase",
    "Lang",
    "Outcome",
    "Phase",
    "Question",
    "Rule",
    "Source",
    "Text",
    "as_lang",
    "load_knowledge_base",
]
