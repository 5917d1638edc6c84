"""Saved assessments (SQLAlchemy 2, Alembic migrations shipped in the package).

repo = Repository.open(get_settings().effective_database_url, load_knowledge_base())
assessment_id = repo.create(name="…", first_context="…")
repo.set_answer(assessment_id, scope="development", context_id=None, question="personal_data", value="yes")
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
