"""The real server (web app + mounted API, SQLite file) killed with SIGKILL in the middle of
saves, then restarted: every acknowledged save is there, the database passes its integrity
check, nothing half-written is visible. stress/faults.py runs longer rounds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from storage.conftest import empty_postgres, postgres_url

STRESS = Path(__file__).parents[2] / "stress"


def stress_module(name: str) -> ModuleType:
    sys.path.insert(0, str(STRESS))
    spec = importlib.util.spec_from_file_location(f"stress_{name}", STRESS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_sigkill_during_saves_loses_no_acknowledged_save_on_sqlite(tmp_path: Path) -> None:
    faults = stress_module("faults")
    report = faults.run(f"sqlite:///{tmp_path / 'faults.sqlite3'}", tmp_path, rounds=2, seconds=1.0, workers=4)
    assert report.created >= 2 * 10, "saves were acknowledged before each kill"
    assert report.patches > 0
    assert report.problems == []


@pytest.mark.postgres
def test_sigkill_during_saves_loses_no_acknowledged_save_on_postgres(tmp_path: Path) -> None:
    faults = stress_module("faults")
    report = faults.run(empty_postgres(postgres_url()), tmp_path, rounds=1, seconds=1.0, workers=4)
    assert report.created >= 10
    assert report.problems == []
