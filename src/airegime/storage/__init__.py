"""Saved assessments (SQLAlchemy 2, Alembic migrations shipped in the package).

repo = Repository.open(get_settings().effective_database_url, load_knowledge_base())
assessment_id = repo.create(name="…", first_context="…")
repo.set_answer(assessment_id, scope="development", context_id=None, question="personal_data", value="yes")
"""

from airegime.storage.records import Context, HistoryEntry, ListItem, Page, PhaseSummary, Recheck, Saved
from airegime.storage.repository import NotFoundError, Repository, StorageError

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
