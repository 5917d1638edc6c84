"""What a save accepts: the texts people type (names, descriptions) and answers to the questions.

Everything here is checked before a transaction opens (or, for an edit, before its changes are
written), so a refused save touches nothing. Pure functions: no session, no database.
"""

from __future__ import annotations

from airegime.errors import AnswerError, DescriptorError, msg
from airegime.kb.models import KnowledgeBase, Scope
from airegime.storage.records import Phase
from airegime.system import normalise_answer


def check_details(name: str, organisation: str, description: str) -> None:
    check_text("name", name, 200, required=True)
    check_text("organisation", organisation, 200)
    check_text("description", description, 10_000)


def check_phase(phase: Phase, name: str, description: str) -> None:
    """A deployment context needs a name; a development processing's is needed only to tell several apart."""
    check_text(f"{phase}s.name", name, 200, required=phase == "deployment")
    check_text(f"{phase}s.description", description, 10_000)


def check_text(location: str, value: str, limit: int, *, required: bool = False) -> None:
    if required and not value.strip():
        raise DescriptorError(msg("error.required"), location=location, hint=msg("error.required.name"))
    if len(value.strip()) > limit:
        raise DescriptorError(msg("error.too_long", limit=limit), location=location, hint=msg("error.shorten"))


def check_answer(kb: KnowledgeBase, scope: Scope, question_id: str, value: str) -> str:
    """The stored form of an answer to ``question_id`` in ``scope`` (a code, or "unknown")."""
    question = kb.question_by_id.get(question_id)
    if question is None or scope not in question.scope:
        raise AnswerError(
            msg("error.storage.no_question", question=question_id, scope=scope),
            location=question_id,
            hint=msg("error.storage.no_question.hint"),
        )
    return normalise_answer(question, value, location=question_id)


def escape_like(text: str) -> str:
    """``text`` matched literally by SQL ``LIKE … ESCAPE '\\'`` (its % and _ are not wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
