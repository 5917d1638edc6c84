"""The real server (web app + mounted API, SQLite file) killed with SIGKILL in the middle of
saves, uploads of attachments and approvals, then restarted: every acknowledged save, file and
review step is there, the database passes its integrity check, nothing half-written is visible.
stress/faults.py runs longer rounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from databases import empty_postgres, postgres_url

from .helpers import stress_module

pytestmark = pytest.mark.slow


def test_sigkill_during_saves_loses_no_acknowledged_save_on_sqlite(tmp_path: Path) -> None:
    faults = stress_module("faults")
    report = faults.run(f"sqlite:///{tmp_path / 'faults.sqlite3'}", tmp_path, rounds=2, seconds=1.0, workers=4)
    assert report.created >= 2 * 10, "saves were acknowledged before each kill"
    assert report.patches > 0
    assert report.uploads > 0 and report.submissions > 0  # files and review steps were among the saves
    assert report.problems == []


@pytest.mark.postgres
def test_sigkill_during_saves_loses_no_acknowledged_save_on_postgres(tmp_path: Path) -> None:
    faults = stress_module("faults")
    report = faults.run(empty_postgres(postgres_url()), tmp_path, rounds=1, seconds=1.0, workers=4)
    assert report.created >= 10
    assert report.problems == []
