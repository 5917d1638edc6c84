"""The organisation profile: the usual answers that describe the organisation itself (where it is
established, what kind of controller it is, whether it acts on a mission given by law), set by an
admin and pre-filled into each new assessment.

Only the questions that describe the organisation may be in it (``PROFILE_QUESTIONS``, as the
knowledge base scopes them: a system-level question once for the system, a phase question for
each phase); values are checked against the knowledge base's answers. A new assessment gets them
in the transaction that creates it (``give_profile_answers``): each as an ordinary answer event,
with the detail ``PROFILE_DETAIL`` (the history says where it came from), never overriding an
answer it was created with.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.orm import Session

from airegime.errors import AiregimeError, DescriptorError, msg
from airegime.kb.models import KnowledgeBase, Question, Scope
from airegime.storage.history import add_answer
from airegime.storage.models import ProfileRow, as_utc, now
from airegime.storage.state import Answers
from airegime.storage.validation import check_answer
from airegime.system import normalise_answer

if TYPE_CHECKING:  # the repository gives new assessments the profile's answers (give_profile_answers)
    from airegime.storage.repository import Repository

PROFILE_QUESTIONS = ("establishment", "organisation_kind", "legal_mission")
PROFILE_DETAIL = "organisation profile"  # the detail of an answer event the profile wrote
SCOPES: tuple[Scope, ...] = ("system", "development", "deployment")
ProfileAnswers = dict[str, dict[str, str]]  # scope -> question -> answer code


@dataclass(frozen=True, slots=True)
class Profile:
    answers: ProfileAnswers
    updated_by: str
    updated_at: datetime | None

    @property
    def empty(self) -> bool:
        return not any(self.answers.values())


def profile_questions(kb: KnowledgeBase) -> list[tuple[Scope, Question]]:
    """(scope, question) a profile may answer: a system-level question for the system, another for each phase."""
    found: list[tuple[Scope, Question]] = []
    for scope in SCOPES:
        for question_id in PROFILE_QUESTIONS:
            question = kb.question_by_id.get(question_id)
            if question is None:
                continue
            scopes = ("system",) if "system" in question.scope else question.scope
            if scope in scopes:
                found.append((scope, question))
    return found


def checked_answers(kb: KnowledgeBase, answers: Any) -> ProfileAnswers:
    """``answers`` ({scope: {question: answer}}) as codes, or a ``DescriptorError`` saying where it is wrong.
    An empty or null answer means "no usual answer"."""
    if not isinstance(answers, Mapping):
        raise DescriptorError(
            msg("error.profile.not_object"), hint=msg("error.example", example='{"system": {"establishment": "eu"}}')
        )
    allowed = {(scope, question.id): question for scope, question in profile_questions(kb)}
    checked: ProfileAnswers = {}
    for scope, given in answers.items():
        if scope not in SCOPES or not isinstance(given, Mapping):
            raise DescriptorError(
                msg("error.profile.scope"),
                location=str(scope),
                hint=msg("error.use_one_of", choices="system, development, deployment"),
            )
        for question_id, value in given.items():
            question = allowed.get((scope, question_id))
            where = f"{scope}.{question_id}"
            if question is None:
                names = ", ".join(sorted(q for s, q in allowed if s == scope)) or "none"
                raise DescriptorError(
                    msg("error.profile.question"),
                    location=where,
                    hint=msg("error.profile.question.hint", questions=names),
                )
            if value is None or value == "":
                continue
            checked.setdefault(scope, {})[question_id] = normalise_answer(question, value, location=where)
    return {scope: checked[scope] for scope in SCOPES if checked.get(scope)}


class Profiles:
    """The profile of the repository's organisation."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def get(self) -> Profile:
        with self.repo._reads() as session:
            row = session.get(ProfileRow, self.repo.organisation_id)
        if row is None:
            return Profile({}, "", None)
        return Profile(json.loads(row.answers_json), row.updated_by, as_utc(row.updated_at))

    def set(self, answers: Any) -> Profile:
        """Replace the profile (checked against the knowledge base first); written to the audit log."""
        checked = checked_answers(self.repo.kb, answers)
        text = json.dumps(checked, ensure_ascii=False, sort_keys=True)
        with self.repo._sessions.begin() as session:
            row = session.get(ProfileRow, self.repo.organisation_id)
            if row is None:
                row = ProfileRow(organisation_id=self.repo.organisation_id)
                session.add(row)
            row.answers_json, row.updated_by, row.updated_at = text, self.repo.actor, now()
            count = sum(len(given) for given in checked.values())
            self.repo._audit_organisation(session, "profile.changed", "organisation profile", f"{count} answers")
            return Profile(checked, row.updated_by, as_utc(row.updated_at))


def give_profile_answers(
    session: Session, kb: KnowledgeBase, organisation_id: int, assessment_id: int, answers: Answers
) -> int:
    """Give a new assessment, in the transaction that creates it, the organisation profile's answers
    to the questions it leaves open (``answers``: what it has, by scope and row id, for every phase;
    completed in place). Each is recorded with the detail ``PROFILE_DETAIL``; one the rules no longer
    accept is left out. The number of answers given."""
    row = session.get(ProfileRow, organisation_id)
    usual: ProfileAnswers = json.loads(row.answers_json) if row is not None else {}
    given = 0
    for (scope, context_id), current in answers.items():
        for question, value in usual.get(scope or "", {}).items():
            if question in current:
                continue
            try:
                code = check_answer(kb, cast(Scope, scope), question, value)
            except AiregimeError:
                continue  # the rule set changed since the profile was set
            add_answer(session, assessment_id, scope, context_id, question, code, detail=PROFILE_DETAIL)
            current[question] = code
            given += 1
    return given
