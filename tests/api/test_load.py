"""A short run of stress/load.py against the real server: mixed reads, evaluations and saves
at a fixed rate, and not one error. Latency targets are measured by the full script, not here."""

from __future__ import annotations

import asyncio
from pathlib import Path

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from pytest import MonkeyPatch
from storage.conftest import postgres_url

from airegime.api.__main__ import DATABASE_VARIABLE, app_from_environment

from .test_faults import stress_module


def test_a_short_mixed_load_on_sqlite_gives_no_error() -> None:
    load = stress_module("load")
    report = load.run("sqlite", rate=40, seconds=3)
    assert report.sent == 120
    assert report.errors == 0, report.error_samples


@pytest.mark.postgres
def test_a_short_mixed_load_on_postgres_gives_no_error() -> None:
    postgres_url()  # skipped (or failed in CI) without a server
    load = stress_module("load")
    report = load.run("postgres", rate=40, seconds=3)
    assert report.errors == 0, report.error_samples


def test_the_cpu_profile_gets_a_success_for_every_kind_of_request(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    profile = stress_module("cpu_profile")
    monkeypatch.setenv(DATABASE_VARIABLE, f"sqlite:///{tmp_path / 'profile.sqlite3'}")
    cpu = asyncio.run(profile.measure(app_from_environment(), 2, None, [], cold=True))  # it checks each status
    assert set(cpu) == {"create", "evaluate", "patch", "questions", "read", "search"}
    assert all(ms > 0 for ms in cpu.values())


def test_a_server_process_runs_as_many_threads_as_its_pool_keeps_connections(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_VARIABLE, f"sqlite:///{tmp_path / 'threads.sqlite3'}")
    app = app_from_environment()
    with TestClient(app) as client:  # runs the app's lifespan, in the client's event loop
        threads = client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
    assert threads == app.state.repo.engine.pool.size() == 5
