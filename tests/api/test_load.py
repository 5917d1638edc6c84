"""A short run of stress/load.py against the real server: mixed reads, evaluations and saves
at a fixed rate, and not one error. Latency targets are measured by the full script, not here."""

from __future__ import annotations

import pytest
from storage.conftest import postgres_url

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
