"""A short run of stress/load.py against the real server: mixed reads, evaluations and saves
at a fixed rate, and not one error. Latency targets are measured by the full script, not here."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path

import anyio.to_thread
import httpx2
import pytest
from databases import postgres_url
from fastapi.testclient import TestClient
from pytest import MonkeyPatch
from sqlalchemy import Engine, create_engine, text

from airegime.web.server import ReusePortListener, serving_app

from .helpers import stress_module

pytestmark = pytest.mark.slow


def test_a_short_mixed_load_on_sqlite_gives_no_error() -> None:
    load = stress_module("load")
    report = load.run("sqlite", rate=40, seconds=3, workers=2)
    assert report.sent == 120
    assert report.errors == 0, report.error_samples
    assert len(report.cpu_share_by_process) >= 3  # the supervisor and its two workers
    assert abs(sum(report.cpu_share_by_process) - 1) <= 0.03, report.cpu_share_by_process


@pytest.mark.postgres
def test_a_short_mixed_load_on_postgres_gives_no_error() -> None:
    postgres_url()  # skipped (or failed in CI) without a server
    load = stress_module("load")
    report = load.run("postgres", rate=40, seconds=3)
    assert report.errors == 0, report.error_samples


@pytest.mark.postgres
def test_a_postgres_run_starts_with_a_checkpoint(capsys: pytest.CaptureFixture[str]) -> None:
    engine = create_engine(postgres_url())
    before = _checkpoints_requested(engine)
    stress_module("load")._checkpoint(engine)
    assert _checkpoints_requested(engine) > before
    assert capsys.readouterr().out == ""
    engine.dispose()


def test_a_database_that_refuses_the_checkpoint_gets_a_note_not_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'load.sqlite3'}")  # SQLite knows no CHECKPOINT
    stress_module("load")._checkpoint(engine)
    assert capsys.readouterr().out.startswith("note: no CHECKPOINT before the run (")


def _checkpoints_requested(engine: Engine) -> int:
    """Checkpoints the server has done on request (pg_stat_checkpointer from PostgreSQL 17)."""
    with engine.connect() as connection:  # a new connection: no cached statistics snapshot
        newer = connection.scalar(text("SELECT to_regclass('pg_catalog.pg_stat_checkpointer')")) is not None
        query = (
            "SELECT num_requested FROM pg_stat_checkpointer"
            if newer
            else "SELECT checkpoints_req FROM pg_stat_bgwriter"
        )
        return int(connection.scalar(text(query)))


def test_the_cpu_profile_gets_a_success_for_every_kind_of_request(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    profile = stress_module("cpu_profile")
    monkeypatch.setenv("AIREGIME_DATABASE_URL", f"sqlite:///{tmp_path / 'profile.sqlite3'}")
    cpu = asyncio.run(profile.measure(serving_app(), 2, None, [], cold=True))  # it checks each status
    assert set(cpu) == {"create", "evaluate", "patch", "questions", "read", "search"}
    assert all(ms > 0 for ms in cpu.values())


def test_a_server_process_runs_as_many_threads_as_its_pool_keeps_connections(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    monkeypatch.setenv("AIREGIME_DATABASE_URL", f"sqlite:///{tmp_path / 'threads.sqlite3'}")
    app = serving_app()
    with TestClient(app) as client:  # runs the app's lifespan, in the client's event loop
        threads = client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
    assert threads == app.state.repo.engine.pool.size() == 5


def test_two_server_processes_answer_every_request_and_share_the_batch_uploads(tmp_path: Path) -> None:
    """`airegime serve --workers 2`: whichever process a new connection reaches, a batch upload made
    through the other is there (uploads live in the database, not in one process's memory)."""
    server_module = stress_module("server")
    server = server_module.start_server(f"sqlite:///{tmp_path / 'two.sqlite3'}", tmp_path / "server.log", workers=2)
    try:
        spawned = [_cmdline(pid) for pid in server_module.children(server.process.pid)]
        assert sum(b"spawn_main" in command for command in spawned) == 2  # (beside multiprocessing's tracker)
        with httpx2.Client(base_url=server.url) as browser:
            browser.get("/")
            inventory = b"system_id,system_name,deployment_name,household\nS1,Photos,Maison,oui\n"
            uploaded = browser.post(
                "/batch",
                data={"csrf_token": browser.cookies["airegime_csrf"]},
                files={"file": ("inventory.csv", inventory, "text/csv")},
            )
            assert uploaded.status_code == 303, uploaded.text
            location = uploaded.headers["location"]
            cookies = dict(browser.cookies)
        statuses = []
        for _ in range(20):  # a new connection each time: the kernel hands them to either process
            with httpx2.Client(base_url=server.url, cookies=cookies) as again:
                statuses.append(again.get(location).status_code)
        assert statuses == [200] * 20
    finally:
        server.stop()


def test_each_server_process_listens_on_a_socket_of_its_own_and_gets_its_share(tmp_path: Path) -> None:
    """With one socket shared by the workers, a new connection goes to whichever wins the race to
    accept it, often the same one (stress/load.py measured 84 % of the work in one of two, and
    here it gave all 40 connections to one). With a socket of its own in each, the kernel shares
    connections out evenly."""
    server_module = stress_module("server")
    server = server_module.start_server(f"sqlite:///{tmp_path / 'even.sqlite3'}", tmp_path / "server.log", workers=2)
    try:
        workers = [pid for pid in server_module.children(server.process.pid) if b"spawn_main" in _cmdline(pid)]
        port = int(server.url.rsplit(":", 1)[1])
        deadline = time.monotonic() + 30
        while len(_held(workers, port, LISTENING)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # the second worker may still be starting
        listening = _held(workers, port, LISTENING)
        assert sorted(map(len, listening.values())) == [1, 1] and len(set.union(*listening.values())) == 2
        clients = []
        for _ in range(40):  # one after the other, as clients arrive; each kept open, as keep-alive does
            connection = socket.create_connection(("127.0.0.1", port))
            connection.sendall(b"GET /api/v1/kb/outcomes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert connection.recv(12).startswith(b"HTTP/1.1 200")
            clients.append(connection)
        held = {pid: len(sockets) for pid, sockets in _held(workers, port, ESTABLISHED).items()}
        for connection in clients:
            connection.close()
        with pytest.raises(OSError, match="in use"):  # another server cannot join the address
            ReusePortListener("127.0.0.1", port)
    finally:
        server.stop()
    assert sum(held.values()) == 40, held
    assert min(held.values()) >= 6, held  # shared out at random, fewer than 6 of 40: once in 700,000 runs


ESTABLISHED, LISTENING = "01", "0A"  # TCP states in /proc/net/tcp


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def _held(pids: list[int], port: int, state: str) -> dict[int, set[str]]:
    """The IPv4 TCP sockets on local ``port`` in ``state`` that each process holds (Linux /proc)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(f"socket:[{fields[9]}]")
    held = {pid: {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()} & inodes for pid in pids}
    return {pid: sockets for pid, sockets in held.items() if sockets}
