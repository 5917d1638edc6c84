"""Saved assessments: every operation the web app and the API need, one short transaction each.

Answers are never updated in place: each change appends an event (with its time) and the
current answers are the latest event per question. After every change the system is
evaluated again and the result stored with the rule-set version and hash it came from.

A repository sees ONE organisation's assessments (``repo.scoped(organisation_id, actor)``):
another's are "not found", whatever the caller asks, which is how the pages, the API and the
exports keep organisations apart. Every change is written to the audit log, in the same
transaction, under the acting person's name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Literal

from sqlalchemy import Engine, Row, bindparam, func, insert, or_, select
from sqlalchemy.orm import Session

from airegime.engine.evaluate import evaluate
from airegime.engine.results import Assessment
from airegime.errors import AnswerError, DescriptorError, NotFoundError, StorageError
from airegime.kb.models import KnowledgeBase, Scope
from airegime.storage.audit import write_audit
from airegime.storage.database import open_engine, sessions
from airegime.storage.evidence import store_descriptor_evidence
from airegime.storage.models import (
    DEFAULT_ORGANISATION_ID,
    AssessmentRow,
    ContextRow,
    EvaluationRow,
    EventRow,
    as_utc,
    now,
)
from airegime.storage.records import (
    Context,
    EvaluationRecord,
    HistoryEntry,
    ListItem,
    Page,
    PhaseSummary,
    Recheck,
    Saved,
    phase_changes,
)
from airegime.system import Deployment, Development, System, normalise_answer

Sort = Literal["updated", "created", "name", "organisation"]
SORTS: tuple[Sort, ...] = ("updated", "created", "name", "organisation")
PER_PAGE = 20


Answers = dict[tuple[str | None, int | None], dict[str, str]]  # by (scope, development or context id)
Phase = Literal["development", "deployment"]
# Event kinds for a phase's row added, renamed or removed (deployment contexts kept their older names).
ADDED = {"development": "development_added", "deployment": "context_added"}
RENAMED = {"development": "development_renamed", "deployment": "context_renamed"}
REMOVED = {"development": "development_removed", "deployment": "context_removed"}


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
            return self._load(session, assessment_id)

    def list(self, *, search: str = "", sort: str = "updated", page: int = 1, per_page: int = PER_PAGE) -> Page:
        query = select(*_LISTED).where(AssessmentRow.organisation_id == self.organisation_id)  # plain rows
        if search.strip():
            pattern = f"%{_escape_like(search.strip().lower())}%"
            query = query.where(
                or_(
                    func.lower(AssessmentRow.name).like(pattern, escape="\\"),
                    func.lower(AssessmentRow.organisation).like(pattern, escape="\\"),
                )
            )
        order = {
            "name": (AssessmentRow.name, AssessmentRow.id),
            "organisation": (AssessmentRow.organisation, AssessmentRow.name),
            "created": (AssessmentRow.created_at.desc(), AssessmentRow.id.desc()),
        }.get(sort, (AssessmentRow.updated_at.desc(), AssessmentRow.id.desc()))
        with self._reads() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            last_page = max(1, -(-total // per_page))
            page = min(max(1, page), last_page)
            rows = session.execute(query.order_by(*order).limit(per_page).offset((page - 1) * per_page))
            items = tuple(
                ListItem(r.id, r.name, r.organisation, as_utc(r.updated_at), r.rule_set_hash, _summary(r.summary_json))
                for r in rows
            )
        return Page(items, total, page, per_page)

    def count(self) -> int:
        with self._reads() as session:
            query = select(func.count()).where(AssessmentRow.organisation_id == self.organisation_id)
            return session.scalar(query) or 0

    def history(self, assessment_id: int) -> tuple[HistoryEntry, ...]:
        """Every change, oldest first, with the answer each change replaced."""
        with self._reads() as session:
            self._row(session, assessment_id)
            names = {  # every development processing and context, removed ones too
                c.id: c.name
                for c in session.scalars(select(ContextRow).where(ContextRow.assessment_id == assessment_id))
            }
            events = session.scalars(
                select(EventRow).where(EventRow.assessment_id == assessment_id).order_by(EventRow.id)
            ).all()
        current: dict[tuple[str | None, int | None, str | None], str | None] = {}
        entries = []
        for e in events:
            key = (e.scope, e.context_id, e.question)
            previous = current.get(key) if e.kind == "answer" else None
            if e.kind == "answer":
                current[key] = e.value
            context = names.get(e.context_id, "") if e.context_id is not None else ""
            entries.append(
                HistoryEntry(as_utc(e.at), e.kind, e.scope, context, e.question, e.value, previous, e.detail)
            )
        return tuple(entries)

    def evaluations(self, assessment_id: int) -> tuple[EvaluationRecord, ...]:
        with self._reads() as session:
            self._row(session, assessment_id)
            rows = session.scalars(
                select(EvaluationRow).where(EvaluationRow.assessment_id == assessment_id).order_by(EvaluationRow.id)
            ).all()
            return tuple(
                EvaluationRecord(
                    as_utc(r.at),
                    r.rule_set_version,
                    r.rule_set_hash,
                    r.reason,
                    tuple(PhaseSummary.of(p) for p in Assessment.from_dict(json.loads(r.result_json)).phases),
                )
                for r in rows
            )

    def get_with_result(self, assessment_id: int) -> tuple[Saved, Assessment | None]:
        """The current state and the latest stored result, read together."""
        with self._reads() as session:
            found = session.execute(_WITH_RESULT, {"assessment": assessment_id, "organisation": self.organisation_id})
            row = found.first()
            saved = self._load(session, assessment_id, row=row)
        return saved, _result(row.result_json if row else None)

    def last_result(self, assessment_id: int) -> Assessment | None:
        """The latest stored result, as computed then (possibly under an older rule set)."""
        with self._reads() as session:
            result = self._last_result(session, assessment_id)
            if result is None:
                self._load(session, assessment_id)  # a missing assessment (or another's): 404
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
    ) -> int:
        """A new assessment with one development processing (unnamed) and one deployment context
        (a system always has at least one of each)."""
        _check_details(name, organisation, description)
        _check_phase("development", "", development_description)
        _check_phase("deployment", first_context, first_context_description)
        with self._sessions.begin() as session:
            row = self._new_row(session, name, organisation, description)
            self._first_rows(session, row.id, "development", [("", development_description)])
            self._first_rows(session, row.id, "deployment", [(first_context, first_context_description)])
            self._event(session, row.id, "created")
            self._evaluate(session, row, "created")
            self._audit(session, "assessment.created", row)
            return row.id

    def import_system(self, system: System, *, detail: str = "", kind: str = "imported") -> int:
        """A new assessment holding a descriptor's details, contexts and answers."""
        return self.add_system(system, detail=detail, kind=kind)[0].id

    def add_system(self, system: System, *, detail: str = "", kind: str = "imported") -> tuple[Saved, Assessment]:
        """``import_system``, returning the new assessment's state and its stored result (no need to read them back)."""
        with self._sessions.begin() as session:
            row = self._new_row(session, system.name, system.organisation, system.description)
            developments = self._first_rows(
                session, row.id, "development", [(d.name, d.description) for d in system.developments]
            )
            contexts = self._first_rows(
                session, row.id, "deployment", [(d.name, d.description) for d in system.deployments]
            )
            self._event(session, row.id, kind, detail=detail)
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
                    self._event(
                        session, row.id, "answer", scope=scope, context_id=context_id, question=question, value=value
                    )
            store_descriptor_evidence(session, row.id, system, developments + contexts, actor=self.actor)
            stored = _state(row, developments + contexts, answers)  # what _load would read back
            assessment, saved = self._evaluate(session, row, kind, known=stored)
            self._audit(session, f"assessment.{kind}", row, detail)
            return saved, assessment

    def duplicate(self, assessment_id: int, *, name: str) -> int:
        saved = self.get(assessment_id)
        system = saved.system().model_copy(update={"name": name[:200]})
        return self.import_system(system, detail=saved.name, kind="duplicated")

    def delete(self, assessment_id: int) -> None:
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            self._audit(session, "assessment.deleted", row)
            session.delete(row)

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
        _check_details(name, organisation, description)
        if development_description is not None:
            _check_phase("development", "", development_description)
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            row.name, row.organisation, row.description = name.strip(), organisation.strip(), description.strip()
            self._event(session, row.id, "details", detail=row.name)
            if development_description is not None:
                first = self._active_rows(session, row.id, "development")[0]
                if first.description != development_description.strip():
                    first.description = development_description.strip()
                    detail = first.name
                    self._event(
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
        code = None if value is None else self._check_answer(scope, question, value)
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            where: str = scope
            if scope == "deployment":
                where = self._context(session, assessment_id, context_id, "deployment").name
            elif scope == "development":
                development = (
                    self._context(session, assessment_id, context_id, "development")
                    if context_id is not None
                    else self._active_rows(session, assessment_id, "development")[0]
                )
                context_id, where = development.id, f"development {development.name}".strip()
            elif context_id is not None:
                raise StorageError(
                    "only development and deployment answers belong to a phase", hint="leave the context out"
                )
            self._event(session, row.id, "answer", scope=scope, context_id=context_id, question=question, value=code)
            self._audit(session, "assessment.answer", row, f"{where}: {question} = {code or '—'}")
            return self._evaluate(session, row, "answers")[1]

    def add_context(
        self, assessment_id: int, *, name: str, description: str = "", phase: Phase = "deployment"
    ) -> Context:
        """A new deployment context (or, with ``phase="development"``, development processing), last."""
        _check_phase(phase, name, description)
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            context = self._add_context(session, row.id, phase, name, description)
            self._evaluate(session, row, "contexts")
            self._audit(session, f"{_AUDITED[phase]}.added", row, context.name)
            return context

    def add_development(self, assessment_id: int, *, name: str, description: str = "") -> Context:
        return self.add_context(assessment_id, name=name, description=description, phase="development")

    def rename_context(self, assessment_id: int, context_id: int, *, name: str, description: str) -> None:
        """Rename a deployment context or a development processing (``context_id`` says which)."""
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            context = self._context(session, assessment_id, context_id)
            phase = _phase(context)
            _check_phase(phase, name, description)
            detail = f"{context.name} → {name.strip()}"
            context.name, context.description = name.strip(), description.strip()
            self._event(session, row.id, RENAMED[phase], scope=phase, context_id=context_id, detail=detail)
            self._evaluate(session, row, "contexts")
            self._audit(session, f"{_AUDITED[phase]}.renamed", row, detail)

    def remove_context(self, assessment_id: int, context_id: int) -> None:
        """Remove a deployment context or a development processing; the last of either kind stays."""
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            context = self._context(session, assessment_id, context_id)
            phase = _phase(context)
            if len(self._active_rows(session, assessment_id, phase)) == 1:
                raise StorageError(
                    f"an assessment needs at least one {_NAMES[phase]}",
                    hint=f"add another {_NAMES[phase]} before removing this one",
                )
            context.removed_at = now()
            self._event(session, row.id, REMOVED[phase], scope=phase, context_id=context_id, detail=context.name)
            self._evaluate(session, row, "contexts")
            self._audit(session, f"{_AUDITED[phase]}.removed", row, context.name)

    def recheck(self, assessment_id: int) -> Recheck:
        """Evaluate again under the current rule set and say, phase by phase, what changed."""
        before = self.last_result(assessment_id)
        with self._sessions.begin() as session:
            row = self._row(session, assessment_id)
            old_version, old_hash = row.rule_set_version, row.rule_set_hash
            after, _ = self._evaluate(session, row, "recheck")
            detail = f"{old_version} → {after.rule_set_version}"
            self._event(session, row.id, "rechecked", detail=detail)
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
            current = self._load(session, assessment_id, row=row)
            wanted = change(current)
            self._store_differences(session, row, current, wanted)
            known = _after(current, wanted) if _same_phases(current, wanted) else None
            assessment, saved = self._evaluate(session, row, "answers", known=known)
            self._audit(session, "assessment.changed", row)
            return saved, assessment

    # Inside a transaction

    def _row(self, session: Session, assessment_id: int, *, for_update: bool = False) -> AssessmentRow:
        row = session.get(AssessmentRow, assessment_id, with_for_update=for_update)
        if row is None or row.organisation_id != self.organisation_id:  # another's is as good as missing
            raise NotFoundError(f"no saved assessment #{assessment_id}", hint="it may have been deleted")
        return row

    def _new_row(self, session: Session, name: str, organisation: str, description: str) -> AssessmentRow:
        moment = now()
        row = AssessmentRow(
            organisation_id=self.organisation_id,
            name=name.strip(),
            organisation=organisation.strip(),
            description=description.strip(),
            development_description="",  # retired: development processings are rows of deployment_contexts
            created_at=moment,
            updated_at=moment,
            rule_set_version="",
            rule_set_hash="",
            summary_json="[]",
        )
        session.add(row)
        session.flush()
        return row

    def _audit(self, session: Session, action: str, row: AssessmentRow, detail: str = "") -> None:
        write_audit(
            session,
            organisation_id=self.organisation_id,
            actor=self.actor,
            action=action,
            target=f"#{row.id} {row.name}",
            detail=detail,
            address=self.address,
        )

    def _store_differences(self, session: Session, row: AssessmentRow, current: Saved, wanted: System) -> None:
        details = (wanted.name, wanted.organisation, wanted.description)
        if details != (current.name, current.organisation, current.description):
            _check_details(*details)
            row.name, row.organisation, row.description = details
            self._event(session, row.id, "details", detail=row.name)
        self._answer_changes(session, row.id, "system", None, current.system_answers, wanted.answers)
        self._phase_differences(session, row, current, "development", current.developments, wanted.developments)
        self._phase_differences(session, row, current, "deployment", current.contexts, wanted.deployments)

    def _phase_differences(
        self,
        session: Session,
        row: AssessmentRow,
        current: Saved,
        phase: Phase,
        stored: tuple[Context, ...],
        wanted: Sequence[Development | Deployment],
    ) -> None:
        """Make one phase's rows (matched by position) and answers those of ``wanted``."""
        if [(c.name, c.description) for c in stored] == [(w.name, w.description) for w in wanted]:
            for kept, given in zip(stored, wanted, strict=True):  # no row renamed, added or removed
                self._answer_changes(session, row.id, phase, kept.id, current.answers_of(kept.id), given.answers)
            return
        rows = self._active_rows(session, row.id, phase)
        for index, given in enumerate(wanted):
            if index < len(rows):
                context = rows[index]
                if (context.name, context.description) != (given.name, given.description):
                    _check_phase(phase, given.name, given.description)
                    detail = f"{context.name} → {given.name}"
                    context.name, context.description = given.name, given.description
                    self._event(session, row.id, RENAMED[phase], scope=phase, context_id=context.id, detail=detail)
                context_id, before = context.id, current.answers_of(context.id)
            else:
                context_id = self._add_context(session, row.id, phase, given.name, given.description).id
                before = {}
            self._answer_changes(session, row.id, phase, context_id, before, given.answers)
        for context in rows[len(wanted) :]:
            context.removed_at = now()
            self._event(session, row.id, REMOVED[phase], scope=phase, context_id=context.id, detail=context.name)

    def _answer_changes(
        self,
        session: Session,
        assessment_id: int,
        scope: Scope,
        context_id: int | None,
        before: dict[str, str],
        after: dict[str, str],
    ) -> None:
        for question in sorted(before.keys() | after.keys()):
            if before.get(question) != after.get(question):
                self._event(
                    session,
                    assessment_id,
                    "answer",
                    scope=scope,
                    context_id=context_id,
                    question=question,
                    value=after.get(question),
                )

    def _context(
        self, session: Session, assessment_id: int, context_id: int | None, phase: Phase | None = None
    ) -> ContextRow:
        """An active development processing or deployment context of this assessment (of ``phase``, if given)."""
        context = session.get(ContextRow, context_id) if context_id is not None else None
        if (
            context is None
            or context.assessment_id != assessment_id
            or context.removed_at is not None
            or (phase is not None and context.phase != phase)
        ):
            raise NotFoundError(
                f"no {_NAMES[phase or 'deployment']} #{context_id} in this assessment", hint="reload the page"
            )
        return context

    def _active_rows(self, session: Session, assessment_id: int, phase: Phase) -> Sequence[ContextRow]:
        return session.scalars(
            select(ContextRow)
            .where(
                ContextRow.assessment_id == assessment_id,
                ContextRow.phase == phase,
                ContextRow.removed_at.is_(None),
            )
            .order_by(ContextRow.position, ContextRow.id)
        ).all()

    def _add_context(self, session: Session, assessment_id: int, phase: Phase, name: str, description: str) -> Context:
        """A new development processing or deployment context, last of its phase, in an existing assessment."""
        last = session.scalar(
            select(func.coalesce(func.max(ContextRow.position), -1)).where(
                ContextRow.assessment_id == assessment_id, ContextRow.phase == phase
            )
        )
        row = ContextRow(
            assessment_id=assessment_id,
            phase=phase,
            position=(-1 if last is None else int(last)) + 1,
            name=name.strip(),
            description=description.strip(),
        )
        session.add(row)
        session.flush()
        self._event(session, assessment_id, ADDED[phase], scope=phase, context_id=row.id, detail=row.name)
        return Context(row.id, row.name, row.description, row.position, phase)

    def _first_rows(
        self, session: Session, assessment_id: int, phase: Phase, details: Sequence[tuple[str, str]]
    ) -> tuple[Context, ...]:
        """A new assessment's development processings or contexts (names and descriptions), in one statement."""
        texts = [(name.strip(), description.strip()) for name, description in details]
        rows = [
            {"assessment_id": assessment_id, "phase": phase, "position": i, "name": name, "description": description}
            for i, (name, description) in enumerate(texts)
        ]
        ids = session.scalars(insert(ContextRow).returning(ContextRow.id, sort_by_parameter_order=True), rows).all()
        pairs = enumerate(zip(ids, texts, strict=True))
        return tuple(Context(i, name, description, position, phase) for position, (i, (name, description)) in pairs)

    def _event(self, session: Session, assessment_id: int, kind: str, **fields: str | int | None) -> None:
        session.add(EventRow(**{"assessment_id": assessment_id, "at": now(), "kind": kind, "detail": "", **fields}))

    def _check_answer(self, scope: Scope, question_id: str, value: str) -> str:
        question = self.kb.question_by_id.get(question_id)
        if question is None or scope not in question.scope:
            raise AnswerError(
                f"no question '{question_id}' for the {scope} phase",
                location=question_id,
                hint="answer the questions the interview shows",
            )
        return normalise_answer(question, value, location=question_id)

    def _last_result(self, session: Session, assessment_id: int) -> Assessment | None:
        found = session.execute(_LAST_RESULT, {"assessment": assessment_id, "organisation": self.organisation_id})
        row = found.first()
        return _result(row.result_json if row else None)

    def _load(self, session: Session, assessment_id: int, *, row: AssessmentRow | Row[Any] | None = None) -> Saved:
        """The state stored now (``row``: the assessment's, when the caller already holds it)."""
        # Plain rows, not ORM objects: reading is most requests, and the ORM's bookkeeping costs more than the SQL.
        found = (
            row
            or session.execute(_ASSESSMENT, {"assessment": assessment_id, "organisation": self.organisation_id}).first()
        )
        if found is None:
            raise NotFoundError(f"no saved assessment #{assessment_id}", hint="it may have been deleted")
        contexts = tuple(Context(*c) for c in session.execute(_CONTEXTS, {"assessment": assessment_id}))
        answers: Answers = {}
        events = session.execute(_ANSWERS, {"assessment": assessment_id})
        for scope, context_id, question, value in events:
            current = answers.setdefault((scope, context_id), {})
            if question is None:
                continue  # answer events always name their question; a guard for the type checker
            if value is None:
                current.pop(question, None)
            else:
                current[question] = value
        return _state(found, contexts, answers)

    def _evaluate(
        self, session: Session, row: AssessmentRow, reason: str, *, known: Saved | None = None
    ) -> tuple[Assessment, Saved]:
        """Evaluate the current answers, store the result; return it with the state it was computed from.

        ``known``: that state, when the caller knows it (then it is not read back)."""
        if known is None:
            session.flush()
        saved = known or self._load(session, row.id)
        assessment = evaluate(kb=self.kb, system=saved.system())
        moment = now()
        versions = {"rule_set_version": assessment.rule_set_version, "rule_set_hash": assessment.rule_set_hash}
        result = json.dumps(assessment.to_dict(), ensure_ascii=False)
        session.add(EvaluationRow(assessment_id=row.id, at=moment, reason=reason, result_json=result, **versions))
        summary = tuple(PhaseSummary.of(p) for p in assessment.phases)
        summary_json = json.dumps([p.to_dict() for p in summary])
        row.updated_at, row.summary_json = moment, summary_json
        row.rule_set_version, row.rule_set_hash = assessment.rule_set_version, assessment.rule_set_hash
        current = replace(
            saved,
            updated_at=moment,
            rule_set_version=assessment.rule_set_version,
            rule_set_hash=assessment.rule_set_hash,
            summary=summary,
        )
        return assessment, current


_LISTED = (
    AssessmentRow.id,
    AssessmentRow.name,
    AssessmentRow.organisation,
    AssessmentRow.updated_at,
    AssessmentRow.rule_set_hash,
    AssessmentRow.summary_json,
)
_ASSESSMENT = select(
    AssessmentRow.id,
    AssessmentRow.name,
    AssessmentRow.organisation,
    AssessmentRow.description,
    AssessmentRow.created_at,
    AssessmentRow.updated_at,
    AssessmentRow.rule_set_version,
    AssessmentRow.rule_set_hash,
    AssessmentRow.summary_json,
).where(AssessmentRow.id == bindparam("assessment"), AssessmentRow.organisation_id == bindparam("organisation"))
_LAST_RESULT = (
    select(EvaluationRow.result_json)
    .join(AssessmentRow, AssessmentRow.id == EvaluationRow.assessment_id)
    .where(AssessmentRow.id == bindparam("assessment"), AssessmentRow.organisation_id == bindparam("organisation"))
    .order_by(EvaluationRow.id.desc())
    .limit(1)
)
_WITH_RESULT = _ASSESSMENT.add_columns(  # the row and its latest result, from one snapshot
    select(EvaluationRow.result_json)
    .where(EvaluationRow.assessment_id == AssessmentRow.id)
    .order_by(EvaluationRow.id.desc())
    .limit(1)
    .scalar_subquery()
    .label("result_json")
)
_CONTEXTS = (  # development processings and deployment contexts, each kind in its order
    select(ContextRow.id, ContextRow.name, ContextRow.description, ContextRow.position, ContextRow.phase)
    .where(ContextRow.assessment_id == bindparam("assessment"), ContextRow.removed_at.is_(None))
    .order_by(ContextRow.phase, ContextRow.position, ContextRow.id)
)
_ANSWERS = (
    select(EventRow.scope, EventRow.context_id, EventRow.question, EventRow.value)
    .where(EventRow.assessment_id == bindparam("assessment"), EventRow.kind == "answer")
    .order_by(EventRow.id)
)


def _result(stored: str | None) -> Assessment | None:
    return Assessment.from_dict(json.loads(stored)) if stored is not None else None


def _same_phases(current: Saved, wanted: System) -> bool:
    """True when ``wanted`` has the same development processings and contexts (names, descriptions)."""
    return [(c.name, c.description) for c in current.developments] == [
        (d.name, d.description) for d in wanted.developments
    ] and [(c.name, c.description) for c in current.contexts] == [(d.name, d.description) for d in wanted.deployments]


def _after(current: Saved, wanted: System) -> Saved:
    """The state ``_load`` would read once ``wanted``'s differences are stored (phases unchanged):
    replaying the answer events ``_answer_changes`` writes over the current answers gives ``wanted``'s."""
    pairs: list[tuple[Context, Development | Deployment]] = [
        *zip(current.developments, wanted.developments, strict=True),
        *zip(current.contexts, wanted.deployments, strict=True),
    ]
    return replace(
        current,
        name=wanted.name,
        organisation=wanted.organisation,
        description=wanted.description,
        system_answers=dict(wanted.answers),
        context_answers={c.id: dict(d.answers) for c, d in pairs},
    )


def _state(found: Any, rows: tuple[Context, ...], answers: Answers) -> Saved:
    """An assessment's state from its row (``found``: an AssessmentRow or a plain row with its columns),
    its active development processings and contexts, and its answers by (scope, row id)."""
    developments = tuple(c for c in rows if c.phase == "development")
    contexts = tuple(c for c in rows if c.phase != "development")
    return Saved(
        id=found.id,
        name=found.name,
        organisation=found.organisation,
        description=found.description,
        developments=developments,
        contexts=contexts,
        system_answers=answers.get(("system", None), {}),
        context_answers={c.id: answers.get((c.phase, c.id), {}) for c in rows},
        created_at=as_utc(found.created_at),
        updated_at=as_utc(found.updated_at),
        rule_set_version=found.rule_set_version,
        rule_set_hash=found.rule_set_hash,
        summary=_summary(found.summary_json),
    )


def _summary(text: str) -> tuple[PhaseSummary, ...]:
    return tuple(PhaseSummary.from_dict(p) for p in json.loads(text))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _check_details(name: str, organisation: str, description: str) -> None:
    _check_text("name", name, 200, required=True)
    _check_text("organisation", organisation, 200)
    _check_text("description", description, 10_000)


_NAMES = {"development": "development processing", "deployment": "deployment context"}
_AUDITED = {"development": "development", "deployment": "context"}  # audit actions: context.added…


def _phase(context: ContextRow) -> Phase:
    return "development" if context.phase == "development" else "deployment"


def _check_phase(phase: Phase, name: str, description: str) -> None:
    """A deployment context needs a name; a development processing's is needed only to tell several apart."""
    _check_text(f"{phase}s.name", name, 200, required=phase == "deployment")
    _check_text(f"{phase}s.description", description, 10_000)


def _check_text(location: str, value: str, limit: int, *, required: bool = False) -> None:
    if required and not value.strip():
        raise DescriptorError("this field is required", location=location, hint="give it a short name")
    if len(value.strip()) > limit:
        raise DescriptorError(f"longer than {limit:,} characters", location=location, hint="shorten it")
