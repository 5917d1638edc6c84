"""Saved assessments: every operation the web app and the API need, one short transaction each.

``Repository`` is the façade: each public method checks its input, opens one session (a read,
or a unit of work that commits or rolls back whole) and calls the modules that do the work:

- ``validation``: what a save accepts (names, descriptions, answers), checked before writing;
- ``state``: an assessment as stored now (its row, phase rows, current answers), and the list;
- ``phases``: its development processings and deployment contexts, as rows;
- ``history``: the events every change appends (answers are never updated in place);
- ``differences``: an edit stored as its differences only;
- ``evaluation``: the system evaluated again after every change, each result stored with the
  rule-set version and hash it came from;
- ``audit``: the audit log, written in the same transaction under the acting person's name.

A repository sees ONE organisation's assessments (``repo.scoped(organisation_id, actor)``):
another's are "not found", whatever the caller asks, which is how the pages, the API and the
exports keep organisations apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from airegime.engine.results import Assessment
from airegime.errors import StorageError, msg
from airegime.kb.models import KnowledgeBase, Scope
from airegime.storage import evaluation, history, state
from airegime.storage.audit import audit_assessment, write_audit
from airegime.storage.database import open_engine, sessions
from airegime.storage.differences import same_phases, state_after, store_differences
from airegime.storage.evidence import store_descriptor_evidence
from airegime.storage.history import add_answer, add_event
from airegime.storage.models import DEFAULT_ORGANISATION_ID, AssessmentRow, EventRow, now
from airegime.storage.phases import (
    AUDITED,
    NAMES_SAID,
    REMOVED,
    RENAMED,
    active_rows,
    add_context,
    context_row,
    first_rows,
    phase_of,
)
from airegime.storage.profiles import give_profile_answers
from airegime.storage.records import Context, EvaluationRecord, HistoryEntry, Page, Phase, Recheck, Saved, phase_changes
from airegime.storage.reviews import Reviews, flag_if_changed, reopen_if_approved
from airegime.storage.state import Answers, assessment_row, new_assessment_row
from airegime.storage.validation import check_answer, check_details, check_phase
from airegime.system import System

Sort = Literal["updated", "created", "name", "organisation"]
AlsoStore = Callable[[Session, AssessmentRow, tuple[Context, ...]], None]  # more to store with a new assessment
SORTS: tuple[Sort, ...] = ("updated", "created", "name", "organisation")
PER_PAGE = 20


class Repository:
    """The saved assessments of one organisation, evaluated with one knowledge base.

    ``actor`` (a user name) and ``address`` (where the request came from) go into the audit log.
    """

    def __init__(
        self,
        engine: Engine,
        kb: KnowledgeBase,
        *,
        organisation_id: int = DEFAULT_ORGANISATION_ID,
        actor: str = "local",
        address: str = "",
    ) -> None:
        self.engine = engine
        self.kb = kb
        self.organisation_id = organisation_id
        self.actor = actor
        self.address = address
        self._reads, self._sessions = sessions(engine)

    @classmethod
    def open(cls, url: str, kb: KnowledgeBase) -> Repository:
        return cls(open_engine(url), kb)

    def scoped(self, organisation_id: int, *, actor: str, address: str = "") -> Repository:
        """The same database seen by ``actor`` in one organisation (cheap: shares the engine)."""
        scoped = Repository.__new__(Repository)
        scoped.__dict__.update(self.__dict__, organisation_id=organisation_id, actor=actor, address=address)
        return scoped

    # Reading

    def get(self, assessment_id: int) -> Saved:
        with self._reads() as session:
            return state.load(session, self.organisation_id, assessment_id)

    def list(self, *, search: str = "", sort: str = "updated", page: int = 1, per_page: int = PER_PAGE) -> Page:
        with self._reads() as session:
            return state.listing(session, self.organisation_id, search=search, sort=sort, page=page, per_page=per_page)

    def count(self) -> int:
        with self._reads() as session:
            return state.count(session, self.organisation_id)

    def history(self, assessment_id: int) -> tuple[HistoryEntry, ...]:
        """Every change, oldest first, with the answer each change replaced."""
        with self._reads() as session:
            self._row(session, assessment_id)
            return history.history(session, assessment_id)

    def evaluations(self, assessment_id: int) -> tuple[EvaluationRecord, ...]:
        with self._reads() as session:
            self._row(session, assessment_id)
            return evaluation.evaluations(session, assessment_id)

    def get_with_result(self, assessment_id: int) -> tuple[Saved, Assessment | None]:
        """The current state and the latest stored result, read together."""
        with self._reads() as session:
            return evaluation.with_result(session, self.organisation_id, assessment_id)

    def last_result(self, assessment_id: int) -> Assessment | None:
        """The latest stored result, as computed then (possibly under an older rule set)."""
        with self._reads() as session:
            result = evaluation.last_result(session, self.organisation_id, assessment_id)
            if result is None:
                state.load(session, self.organisation_id, assessment_id)  # a missing assessment (or another's): 404
            return result

    def record(self, action: str, assessment_id: int, detail: str = "") -> None:
        """Write a read worth tracing (an export, a report) to the audit log."""
        with self._sessions.begin() as session:
            self._audit(session, action, self._row(session, assessment_id), detail)

    # Changing

    def create(
        self,
        *,
        name: str,
        organisation: str = "",
        description: str = "",
        development_description: str = "",
        first_context: str,
        first_context_description: str = "",
        profile: bool = False,
    ) -> int:
        """A new assessment with one development processing (unnamed) and one deployment context
        (a system always has at least one of each); ``profile``: with the organisation profile's answers."""
        check_details(name, organisation, description)
        check_phase("development", "", development_description)
        check_phase("deployment", first_context, first_context_description)
        with self._sessions.begin() as session:
            row = new_assessment_row(session, self.organisation_id, name, organisation, description)
            developments, contexts = first_rows(
                session, row.id, [("", development_description)], [(first_context, first_context_description)]
            )
            add_event(session, row.id, "created")
            answers: Answers = {("system", None): {}, **{(c.phase, c.id): {} for c in developments + contexts}}
            prefilled = give_profile_answers(session, self.kb, self.organisation_id, row.id, answers) if profile else 0
            # The state is read back, not built here: names are stored cleaned of control characters.
            evaluation.evaluate_and_store(session, self.kb, row, "created")
            self._audit_new(session, row, "assessment.created", "", prefilled)
            return row.id

    def import_system(self, system: System, *, detail: str = "", kind: str = "imported") -> int:
        """A new assessment holding a descriptor's details, contexts and answers."""
        return self.add_system(system, detail=detail, kind=kind)[0].id

    def add_system(
        self,
        system: System,
        *,
        detail: str = "",
        kind: str = "imported",
        also: AlsoStore | None = None,
        profile: bool = False,
    ) -> tuple[Saved, Assessment]:
        """``import_system``, returning the new assessment's state and its stored result (no need to read them
        back). ``also`` stores more with it, in the same transaction (a duplicate's notes and evidence);
        ``profile``: the organisation profile answers the questions the descriptor leaves open."""
        with self._sessions.begin() as session:
            row = new_assessment_row(
                session, self.organisation_id, system.name, system.organisation, system.description
            )
            developments, contexts = first_rows(
                session,
                row.id,
                [(d.name, d.description) for d in system.developments],
                [(d.name, d.description) for d in system.deployments],
            )
            add_event(session, row.id, kind, detail=detail)
            answers: Answers = {
                ("system", None): dict(system.answers),
                **{
                    ("development", c.id): dict(d.answers)
                    for c, d in zip(developments, system.developments, strict=True)
                },
                **{("deployment", c.id): dict(d.answers) for c, d in zip(contexts, system.deployments, strict=True)},
            }
            for (scope, context_id), given in answers.items():
                for question, value in given.items():
                    add_answer(session, row.id, scope, context_id, question, value)
            prefilled = give_profile_answers(session, self.kb, self.organisation_id, row.id, answers) if profile else 0
            store_descriptor_evidence(session, row.id, system, developments + contexts, actor=self.actor)
            if also is not None:
                also(session, row, developments + contexts)
            stored = state.state(row, developments + contexts, answers)  # what state.load would read back
            assessment, saved = evaluation.evaluate_and_store(session, self.kb, row, kind, known=stored)
            self._audit_new(session, row, f"assessment.{kind}", detail, prefilled)
            return saved, assessment

    def duplicate(self, assessment_id: int, *, name: str, also: AlsoStore | None = None) -> int:
        """A copy of the assessment's details, phases and answers (``also``: see ``add_system``)."""
        saved = self.get(assessment_id)
        system = saved.system().model_copy(update={"name": name[:200]})
        return self.add_system(system, detail=saved.name, kind="duplicated", also=also)[0].id

    def delete(self, assessment_id: int) -> None:
        """Archive the assessment (restorable by an admin; purging deletes: ``storage.reviews``)."""
        Reviews(self).archive(assessment_id)

    def update_details(
        self,
        assessment_id: int,
        *,
        name: str,
        organisation: str,
        description: str,
        development_description: str | None = None,
    ) -> Saved:
        """The system's name, organisation and description (``development_description``, if given:
        the first development processing's, as before several could be saved)."""
        check_details(name, organisation, description)
        if development_description is not None:
            check_phase("development", "", development_description)
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            row.name, row.organisation, row.description = name.strip(), organisation.strip(), description.strip()
            add_event(session, row.id, "details", detail=row.name)
            if development_description is not None:
                first = active_rows(session, row.id, "development")[0]
                if first.description != development_description.strip():
                    first.description = development_description.strip()
                    detail = first.name
                    add_event(
                        session, row.id, RENAMED["development"], scope="development", context_id=first.id, detail=detail
                    )
            self._audit(session, "assessment.details", row)
            return self._evaluate(session, row, "details")[1]

    def set_answer(
        self, assessment_id: int, *, scope: Scope, context_id: int | None, question: str, value: str | None
    ) -> Saved:
        """Record an answer (a code, "unknown", or None to withdraw it) and evaluate again.

        ``context_id``: the deployment context's id, for a deployment's answer; the development
        processing's, for a development's (None: the first one); None for the system's.
        """
        code = None if value is None else check_answer(self.kb, scope, question, value)
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            where: str = scope
            if scope == "deployment":
                where = context_row(session, assessment_id, context_id, "deployment").name
            elif scope == "development":
                development = (
                    context_row(session, assessment_id, context_id, "development")
                    if context_id is not None
                    else active_rows(session, assessment_id, "development")[0]
                )
                context_id, where = development.id, f"development {development.name}".strip()
            elif context_id is not None:
                raise StorageError(msg("error.storage.phase_answers"), hint=msg("error.storage.no_context"))
            add_answer(session, row.id, scope, context_id, question, code)
            self._audit(session, "assessment.answer", row, f"{where}: {question} = {code or '—'}")
            return self._evaluate(session, row, "answers")[1]

    def add_context(
        self, assessment_id: int, *, name: str, description: str = "", phase: Phase = "deployment"
    ) -> Context:
        """A new deployment context (or, with ``phase="development"``, development processing), last."""
        check_phase(phase, name, description)
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            context = add_context(session, row.id, phase, name, description)
            self._evaluate(session, row, "contexts")
            self._audit(session, f"{AUDITED[phase]}.added", row, context.name)
            return context

    def rename_context(self, assessment_id: int, context_id: int, *, name: str, description: str) -> None:
        """Rename a deployment context or a development processing (``context_id`` says which)."""
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            context = context_row(session, assessment_id, context_id)
            phase = phase_of(context)
            check_phase(phase, name, description)
            detail = f"{context.name} → {name.strip()}"
            context.name, context.description = name.strip(), description.strip()
            add_event(session, row.id, RENAMED[phase], scope=phase, context_id=context_id, detail=detail)
            self._evaluate(session, row, "contexts")
            self._audit(session, f"{AUDITED[phase]}.renamed", row, detail)

    def remove_context(self, assessment_id: int, context_id: int) -> None:
        """Remove a deployment context or a development processing; the last of either kind stays."""
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            context = context_row(session, assessment_id, context_id)
            phase = phase_of(context)
            if len(active_rows(session, assessment_id, phase)) == 1:
                raise StorageError(
                    msg("error.phase.last", phase=NAMES_SAID[phase]),
                    hint=msg("error.phase.last.hint", phase=NAMES_SAID[phase]),
                )
            context.removed_at = now()
            add_event(session, row.id, REMOVED[phase], scope=phase, context_id=context_id, detail=context.name)
            self._evaluate(session, row, "contexts")
            self._audit(session, f"{AUDITED[phase]}.removed", row, context.name)

    def recheck(self, assessment_id: int) -> Recheck:
        """Evaluate again under the current rule set and say, phase by phase, what changed."""
        before = self.last_result(assessment_id)
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            old_version, old_hash = row.rule_set_version, row.rule_set_hash
            after, _ = evaluation.evaluate_and_store(session, self.kb, row, "recheck")
            flag_if_changed(self, session, row, after)  # an approved result the new rules change
            detail = f"{old_version} → {after.rule_set_version}"
            add_event(session, row.id, "rechecked", detail=detail)
            self._audit(session, "assessment.rechecked", row, detail)
        return Recheck(old_version, old_hash, after.rule_set_version, after.rule_set_hash, phase_changes(before, after))

    def replace_system(self, assessment_id: int, system: System) -> tuple[Saved, Assessment]:
        """Make the assessment hold exactly ``system`` (details, contexts by position, answers), all at once."""
        return self.edit(assessment_id, lambda _current: system)

    def edit(self, assessment_id: int, change: Callable[[Saved], System]) -> tuple[Saved, Assessment]:
        """Apply ``change`` to the current state in ONE transaction, storing only the differences.

        Return the new state and the result stored with it. ``change`` may raise to refuse: then
        nothing is stored. Concurrent edits of one assessment wait their turn (row lock).
        """
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id, for_update=True)
            current = state.load(session, self.organisation_id, assessment_id, row=row)
            wanted = change(current)
            store_differences(session, row, current, wanted)
            known = state_after(current, wanted) if same_phases(current, wanted) else None
            assessment, saved = self._evaluate(session, row, "answers", known=known)
            self._audit(session, "assessment.changed", row)
            return saved, assessment

    # Inside a transaction: this repository's organisation and actor

    def _row(self, session: Session, assessment_id: int, *, for_update: bool = False) -> AssessmentRow:
        return assessment_row(session, self.organisation_id, assessment_id, for_update=for_update)

    def _evaluate(
        self, session: Session, row: AssessmentRow, reason: str, *, known: Saved | None = None
    ) -> tuple[Assessment, Saved]:
        """Evaluate an edited assessment and store the result (reopening it if the edit is a change)."""
        self._reopen_on_change(session, row.id)
        return evaluation.evaluate_and_store(session, self.kb, row, reason, known=known)

    def _event(self, session: Session, assessment_id: int, kind: str, **fields: str | int | None) -> None:
        """A change recorded by another part of storage (notes, evidence), which evaluates nothing:
        appended to the history, reopening the assessment."""
        add_event(session, assessment_id, kind, **fields)
        self._reopen_on_change(session, assessment_id)

    def _reopen_on_change(self, session: Session, assessment_id: int) -> None:
        """The one rule of approvals under edits: a change this unit of work recorded in the history
        (an event) makes an approved assessment a draft again (its approved snapshot stays in ``reviews``)."""
        changes = [item.kind for item in session.new if isinstance(item, EventRow)]
        if changes:
            reopen_if_approved(self, session, assessment_id, changes[0])

    def _audit_new(self, session: Session, row: AssessmentRow, action: str, detail: str, prefilled: int) -> None:
        """A new assessment in the audit log, then the organisation profile's answers it was given, if any."""
        self._audit(session, action, row, detail)
        if prefilled:
            self._audit(session, "assessment.prefilled", row, f"{prefilled} answers from the organisation profile")

    def _audit(self, session: Session, action: str, row: AssessmentRow, detail: str = "") -> None:
        audit_assessment(session, row, action, detail, actor=self.actor, address=self.address)

    def _audit_organisation(self, session: Session, action: str, target: str, detail: str = "") -> None:
        """Audit what was done to the organisation as a whole, not to one assessment."""
        write_audit(
            session,
            organisation_id=self.organisation_id,
            actor=self.actor,
            action=action,
            target=target,
            detail=detail,
            address=self.address,
        )
