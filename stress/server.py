"""Start and stop the real server (`airegime serve`: web app + API mounted at /api/v1) as a child
process on a free loopback port, for the fault and load scripts and their short versions in the
test suite."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str  # e.g. http://127.0.0.1:8123 ; the API is under {url}/api/v1
    log: Path

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1"

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, no buffer is flushed by the server (nor its workers)."""
        for pid in children(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:  # uvicorn's supervisor stops its workers itself
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def stat_fields(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command's name (Linux): the parent's id is [1]."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def children(pid: int) -> list[int]:
    """Worker processes of the server (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        child = int(stat.parent.name)
        try:
            fields = stat_fields(child)
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(child)
    return found


def start_server(database_url: str, log: Path, *, timeout: float = 30.0, workers: int = 1) -> Server:
    """`airegime serve` over ``database_url`` on a free loopback port; returns once the API answers."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "AIREGIME_DATABASE_URL": database_url}
    handle = log.open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "airegime", "serve", "--port", str(port), "--workers", str(workers)),
        ],
        stdout=handle,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
    )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: see {log}")
        try:
            if httpx2.get(f"{server.api}/kb", timeout=1).status_code == 200:
                return server
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s: see {log}")
