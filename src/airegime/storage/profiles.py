"""The organisation profile: the usual answers that describe the organisation itself (where it is
established, what kind of controller it is, whether it acts on a mission given by law), set by an
admin and pre-filled into each new assessment.

Only the questions that describe the organisation may be in it (``PROFILE_QUESTIONS``, as the
knowledge base scopes them: a system-level question once for the system, a phase question for
each phase); values are checked against the knowledge base's answers. Pre-filling writes each
answer as an ordinary answer event of the new assessment, with the detail ``PROFILE_DETAIL``
(the history says where it came from), and never overrides an answer the assessment already has.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airegime.engine.results import Assessment
from airegime.errors import AiregimeError, DescriptorError, msg
from airegime.kb.models import KnowledgeBase, Question, Scope
from airegime.storage import state
from airegime.storage.history import add_answer
from airegime.storage.models import ProfileRow, as_utc, now
from airegime.storage.records import Saved
from airegime.storage.repository import Repository
from airegime.storage.validation import check_answer
from airegime.system import normalise_answer

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

    def prefill(self, assessment_id: int) -> tuple[Saved, Assessment] | None:
        """Give the new assessment the profile's answers to the questions it has not answered (the
        system's, and each development processing's and deployment context's); evaluate it again.
        None when there was nothing to add. An answer the rules no longer accept is left out."""
        profile = self.get()
        if profile.empty:
            return None
        with self.repo._sessions.begin() as session:
            row = self.repo._row(session, assessment_id, for_update=True)
            saved = state.load(session, self.repo.organisation_id, assessment_id, row=row)
            places: list[tuple[Scope, int | None, dict[str, str]]] = [("system", None, saved.system_answers)]
            places += [("development", c.id, saved.answers_of(c.id)) for c in saved.developments]
            places += [("deployment", c.id, saved.answers_of(c.id)) for c in saved.contexts]
            added = 0
            for scope, context_id, current in places:
                for question, value in profile.answers.get(scope, {}).items():
                    if question in current:
                        continue
                    try:
                        code = check_answer(self.repo.kb, scope, question, value)
                    except AiregimeError:
                        continue  # the rule set changed since the profile was set
                    add_answer(session, assessment_id, scope, context_id, question, code, detail=PROFILE_DETAIL)
                    added += 1
            if not added:
                return None
            assessment, current_state = self.repo._evaluate(session, row, "profile")
            self.repo._audit(session, "assessment.prefilled", row, f"{added} answers from the organisation profile")
            return current_state, assessment
