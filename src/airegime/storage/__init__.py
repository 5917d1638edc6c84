"""Saved assessments, accounts and the audit log (SQLAlchemy 2, Alembic migrations shipped in the package).

repo = Repository.open(get_settings().effective_database_url, load_knowledge_base())
assessment_id = repo.create(name="…", first_context="…")
repo.set_answer(assessment_id, scope="development", context_id=None, question="personal_data", value="yes")

Two façades, each opening one session per call (a read, or a unit of work that commits or rolls
back whole), over modules of plain functions that take that session:

- ``repository.Repository``: one organisation's assessments, over ``validation`` (what a save
  accepts), ``state`` (an assessment as stored now, the list), ``phases`` (development
  processings and deployment contexts), ``history`` (the append-only events), ``differences``
  (an edit stored as its differences), ``evaluation`` (results computed and stored) and
  ``audit`` (the audit log);
- ``accounts.Accounts``: people and organisations (``accounts.people``), passwords
  (``accounts.passwords``), login throttling (``accounts.throttle``), login sessions
  (``accounts.logins``) and API tokens (``accounts.api_tokens``).

Beside them: ``database`` (opening, migrating), ``models`` (the tables), ``records`` (the
immutable views handed out), ``batch_uploads``, ``transfer`` (export and import of a whole
database) and the data upgrades of old migrations (``format1``, ``developments``).
"""

from airegime.errors import NotFoundError, StorageError
from airegime.storage.records import Context, HistoryEntry, ListItem, Page, PhaseSummary, Recheck, Saved
from airegime.storage.repository import Repository

__all__ = [
    "Context",
    "HistoryEntry",
    "ListItem",
    "NotFoundError",
    "Page",
    "PhaseSummary",
    "Recheck",
    "Repository",
    "Saved",
    "StorageError",
]
