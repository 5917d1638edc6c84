"""A bounded loopback load generator: mixed reads, evaluations and saves at a fixed rate.

    .venv/bin/python stress/load.py                          # SQLite, 200 requests/s for 60 s
    .venv/bin/python stress/load.py --database postgres      # AIREGIME_TEST_POSTGRES_URL
    .venv/bin/python stress/load.py --rate 50 --seconds 5    # a short run

It starts the real server (`airegime serve`: web app + API under /api/v1) on a free
loopback port, saves a few assessments, then sends requests on a fixed schedule (open loop:
a slow answer does not slow the schedule down) and stops by itself. Latency is counted from
the moment each request was due, so a server that falls behind shows it. The first
WARM_UP_SECONDS at the same rate are not counted: the server starts its threads and opens its
pooled connections then, as a server that has been running has done. Mix: 40 % reads
(one assessment, a search, the questions), 30 % evaluations, 30 % saves (patches, creations).
Beside the latencies it reports the CPU each part used per request, each server process's share
of it (an idle worker beside a busy one shows there), and what the machine did to the run (pages
read back from disk, CPU time stolen by a hypervisor), to tell a slow machine from slow code.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faults import descriptor
from server import children, start_server, stat_fields

if TYPE_CHECKING:
    from sqlalchemy import Engine

MIX = ["read"] * 20 + ["search"] * 10 + ["questions"] * 10 + ["evaluate"] * 30 + ["patch"] * 20 + ["create"] * 10
SEEDED = 20
MAX_CONNECTIONS = 100
IDLE_SECONDS = 10.0  # the server closes idle keep-alive connections after 30 s: never reuse one that old
VALUES = ("yes", "no", "unknown")
WARM_UP_SECONDS = 2.0
SLOW_SECONDS = 0.050  # the target's p99: requests slower than this are counted by the second they were due


@dataclass
class LoadReport:
    database: str
    rate: float
    seconds: float
    sent: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    by_kind_p99_ms: dict[str, float] = field(default_factory=dict)
    # second of the schedule -> requests due then that took over SLOW_SECONDS: a stall of the
    # machine shows as a few crowded seconds, a server short of capacity as many thin ones
    slow_by_second: dict[int, int] = field(default_factory=dict)
    achieved_rate: float = 0.0
    workers: int = 1
    server_cpu_ms_per_request: float = 0.0  # the server's own CPU time: what one core can carry
    client_cpu_ms_per_request: float = 0.0  # this generator's CPU time: it shares the machine's cores
    database_cpu_ms_per_request: float = 0.0  # PostgreSQL's backends serving this database (0 for SQLite)
    machine_load: float = 0.0  # load average over 1 minute when the run ended (other work on the machine)
    # What the machine did to the run, over the measured seconds (Linux /proc; 0 elsewhere): pages
    # the server processes had to read back from disk (code or data the kernel had dropped), the
    # same for the whole machine, and CPU time the hypervisor gave to others (a virtual machine's "steal").
    server_major_faults: int = 0
    machine_file_refaults: int = 0
    machine_steal_seconds: float = 0.0
    # each server process's part of the server's CPU time (the supervisor first): a worker that
    # wins most new connections does most of the work while another idles
    cpu_share_by_process: list[float] = field(default_factory=list)


def request_for(kind: str, index: int, ids: list[int]) -> tuple[str, str, dict[str, Any]]:
    target = ids[index % len(ids)]
    if kind == "read":
        return "GET", f"/assessments/{target}", {}
    if kind == "search":
        return "GET", "/assessments", {"params": {"q": "load", "per_page": 20}}
    if kind == "questions":
        return "GET", "/kb/questions", {}
    if kind == "evaluate":
        body = descriptor(f"load {index}")
        body["deployments"][0]["answers"]["purpose"] = ("other", "criminal_law", "unknown")[index % 3]
        return "POST", "/evaluate", {"json": body}
    if kind == "patch":
        change = {"scope": "development", "question": "household", "value": VALUES[index % 3]}
        return "PATCH", f"/assessments/{target}", {"json": {"answers": [change]}}
    return "POST", "/assessments", {"json": descriptor(f"load new {index}")}


async def run_load(
    api: str, *, rate: float, seconds: float, database: str = "", on_start: Callable[[], None] | None = None
) -> LoadReport:
    """Seed, warm up, then send the scheduled requests (``on_start`` is called just before them).

    The warm-up's latencies are not counted; its errors are."""
    report = LoadReport(database, rate, seconds)
    address = httpx2.URL(api)
    pool = Connections(address.host, address.port or 80)
    ids = [await _seed(pool, address.path, i) for i in range(SEEDED)]
    warm_up = LoadReport(database, rate, WARM_UP_SECONDS)
    await _at_rate(pool, address, ids, rate, int(rate * WARM_UP_SECONDS), _by_kind(), warm_up)
    report.errors, report.error_samples = warm_up.errors, warm_up.error_samples
    latencies = _by_kind()
    if on_start:
        on_start()
    total = int(rate * seconds)
    report.achieved_rate = round(total / await _at_rate(pool, address, ids, rate, total, latencies, report), 1)
    pool.close()
    _summarise(report, latencies, total)
    return report


def _by_kind() -> dict[str, list[float]]:
    return {kind: [] for kind in set(MIX)}


async def _at_rate(
    pool: Connections,
    address: httpx2.URL,
    ids: list[int],
    rate: float,
    total: int,
    latencies: dict[str, list[float]],
    report: LoadReport,
) -> float:
    """Send ``total`` requests of the mix on a fixed schedule; the seconds it took."""
    start = time.perf_counter() + 0.2
    tasks = []
    for index in range(total):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        kind = MIX[(index * 7) % len(MIX)]  # a fixed interleaving of the mix
        method, path, options = request_for(kind, index, ids)
        raw = raw_request(method, address.path + path, options, address.netloc.decode())
        label = f"{method} {path}"
        tasks.append(asyncio.create_task(_one(pool, kind, label, raw, (start, due), latencies, report)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - start


def _summarise(report: LoadReport, latencies: dict[str, list[float]], total: int) -> None:
    everything = sorted(v for values in latencies.values() for v in values)
    report.sent = total
    if everything:
        cuts = statistics.quantiles(everything, n=100, method="inclusive")
        report.p50_ms, report.p95_ms, report.p99_ms = (round(cuts[i] * 1000, 1) for i in (49, 94, 98))
        report.max_ms = round(everything[-1] * 1000, 1)
    for kind, values in sorted(latencies.items()):
        if len(values) >= 2:
            report.by_kind_p99_ms[kind] = round(statistics.quantiles(values, n=100, method="inclusive")[98] * 1000, 1)


def slow_summary(report: LoadReport) -> str:
    """Where the requests over the target fell: spread over the run, or crowded into a few seconds."""
    slow = sorted(report.slow_by_second.items(), key=lambda item: -item[1])
    total = sum(count for _, count in slow)
    if not total:
        return f"no request over {SLOW_SECONDS * 1000:.0f} ms"
    busiest = sum(count for _, count in slow[:3])
    seconds = ", ".join(f"{second} s ({count})" for second, count in slow[:3])
    requests = "1 request" if total == 1 else f"{total} requests"
    return (
        f"{requests} over {SLOW_SECONDS * 1000:.0f} ms, due in {len(slow)} of the run's seconds; "
        f"the 3 busiest hold {busiest * 100 // total} % of them: {seconds}"
    )


def raw_request(method: str, path: str, options: dict[str, Any], host: str) -> bytes:
    """The request's bytes, built once: the generator must cost far less than the server."""
    if "params" in options:
        path += "?" + str(httpx2.QueryParams(options["params"]))
    body = json.dumps(options["json"]).encode() if "json" in options else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
    if body:
        head += "Content-Type: application/json\r\n"
    return (head + "\r\n").encode() + body


class Connections:
    """Keep-alive HTTP/1.1 connections, opened as needed up to ``most`` (one request at a time on
    each, like a browser's pool): past that, requests wait for a free connection, and the wait
    counts in their latency."""

    def __init__(self, host: str, port: int, most: int = MAX_CONNECTIONS) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self.slots = asyncio.Semaphore(most)

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        async with self.slots:
            return await self._send(raw)

    async def _send(self, raw: bytes) -> tuple[int, bytes]:
        reader, writer = await self._connection()
        try:
            writer.write(raw)
            status_line = await reader.readline()
            length, keep = 0, True
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    keep = False
            body = await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        if keep:
            self.idle.append((reader, writer, time.monotonic()))
        else:
            writer.close()
        parts = status_line.split()
        return (int(parts[1]) if len(parts) > 1 else 0), body

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The most recently used idle connection, unless the server may have closed it by now."""
        while self.idle:
            reader, writer, since = self.idle.pop()
            if time.monotonic() - since < IDLE_SECONDS:
                return reader, writer
            writer.close()
        return await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        for _, writer, _since in self.idle:
            writer.close()


async def _seed(pool: Connections, base: str, index: int) -> int:
    method, path, options = "POST", "/assessments", {"json": descriptor(f"load seed {index}")}
    status, body = await pool.send(raw_request(method, base + path, options, f"{pool.host}:{pool.port}"))
    if status != 201:
        raise RuntimeError(f"cannot seed the database: {status} {body[:200]!r}")
    return int(json.loads(body)["id"])


async def _one(
    pool: Connections,
    kind: str,
    label: str,
    raw: bytes,
    schedule: tuple[float, float],
    latencies: dict[str, list[float]],
    report: LoadReport,
) -> None:
    """Send one request; ``schedule``: when the load started and when this request was due."""
    start, due = schedule
    try:
        status, body = await pool.send(raw)
        problem = f"{label}: {status} {body[:200]!r}"
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        status, problem = 0, f"{label}: {type(error).__name__} {error}"
    latency = time.perf_counter() - due
    latencies[kind].append(latency)
    if latency > SLOW_SECONDS:
        second = int(due - start)
        report.slow_by_second[second] = report.slow_by_second.get(second, 0) + 1
    if not 200 <= status < 400:
        report.errors += 1
        if len(report.error_samples) < 10:
            report.error_samples.append(problem)


def database_url(choice: str, folder: Path) -> str:
    if choice == "sqlite":
        return f"sqlite:///{folder / 'load.sqlite3'}"
    if choice == "postgres":
        url = os.environ.get("AIREGIME_TEST_POSTGRES_URL", "")
        if not url:
            raise SystemExit("set AIREGIME_TEST_POSTGRES_URL to load PostgreSQL")
        from sqlalchemy import create_engine, text

        from airegime.storage.models import Base

        tables = ", ".join([*(t.name for t in Base.metadata.sorted_tables), "alembic_version"])
        engine = create_engine(url)
        with engine.begin() as connection:  # start from an empty database, as the tests do
            connection.execute(text(f"DROP TABLE IF EXISTS {tables} CASCADE"))
        _checkpoint(engine)
        engine.dispose()
        return url
    return choice


def _checkpoint(engine: Engine) -> None:
    """Write PostgreSQL's dirty pages out before the run, as ``os.sync`` does the kernel's: a test
    suite that has just created and dropped tables thousands of times leaves a checkpoint due,
    whose syncing of their files would otherwise fall in the run and stall its commits."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CHECKPOINT"))
    except DBAPIError as error:
        print(f"note: no CHECKPOINT before the run ({str(error.orig).strip()}): scripts/setup-system grants it")


def run(choice: str, *, rate: float, seconds: float, workers: int = 1) -> LoadReport:
    """Start a server on ``choice`` (sqlite, postgres or a URL), load it, stop it."""
    os.sync()  # earlier work's writes are on disk: not flushed during the run
    with tempfile.TemporaryDirectory(prefix="airegime-load-") as folder:
        server = start_server(database_url(choice, Path(folder)), Path(folder) / "server.log", workers=workers)
        try:
            processes = [server.process.pid, *children(server.process.pid)]
            settle(processes)  # every worker has started (imports, knowledge base): not part of the load
            start: dict[str, Any] = {}

            def sample() -> None:  # once seeded and warmed up, when the schedule starts
                start.update(by_process=[cpu_seconds(pid) for pid in processes], client=time.process_time())
                start.update(backends=database_backends(choice), faults=sum(map(major_faults, processes)))
                start.update(machine=machine_counters())

            report = asyncio.run(run_load(server.api, rate=rate, seconds=seconds, database=choice, on_start=sample))
            by_process = [cpu_seconds(pid) - before for pid, before in zip(processes, start["by_process"], strict=True)]
            server_used = sum(by_process)
            report.cpu_share_by_process = [round(used / server_used, 2) if server_used else 0.0 for used in by_process]
            client_used = time.process_time() - start["client"]
            database_used = sum(cpu - start["backends"].get(pid, 0.0) for pid, cpu in database_backends(choice).items())
            report.workers = workers
            report.server_cpu_ms_per_request = round(server_used * 1000 / max(1, report.sent), 2)
            report.client_cpu_ms_per_request = round(client_used * 1000 / max(1, report.sent), 2)
            report.database_cpu_ms_per_request = round(database_used * 1000 / max(1, report.sent), 2)
            report.machine_load = os.getloadavg()[0]
            report.server_major_faults = sum(map(major_faults, processes)) - start["faults"]
            machine = machine_counters()
            report.machine_file_refaults = machine["refaults"] - start["machine"]["refaults"]
            report.machine_steal_seconds = round(machine["steal"] - start["machine"]["steal"], 2)
            return report
        finally:
            server.stop()


def settle(processes: list[int], *, most: float = 30.0) -> None:
    """Wait until the processes are idle (under 20 ms of CPU in half a second), at most ``most`` seconds."""
    deadline = time.monotonic() + most
    used = sum(map(cpu_seconds, processes))
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = sum(map(cpu_seconds, processes))
        if now - used < 0.02:
            return
        used = now


def database_backends(choice: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to the load's database (Linux /proc), by pid.

    Backends that close during the run are missed: connections beyond the pool's size are closed
    when given back, so this figure is low when the server opens many (see the server's log)."""
    if choice != "postgres":
        return {}
    from sqlalchemy.engine import make_url

    name = make_url(os.environ["AIREGIME_TEST_POSTGRES_URL"]).database or ""
    found = {}
    for command in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = command.read_bytes().decode(errors="replace").split()
            if words and words[0] == "postgres:" and name in words:
                found[int(command.parent.name)] = cpu_seconds(int(command.parent.name))
        except (OSError, ValueError):
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), including the warm-up and seeding."""
    fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def major_faults(pid: int) -> int:
    """Page faults of a process that had to read from disk (Linux /proc)."""
    return int(stat_fields(pid)[9])


def machine_counters() -> dict[str, float]:
    """File pages read back after the kernel dropped them, and CPU seconds stolen by the hypervisor."""
    counters = {"refaults": 0.0, "steal": 0.0}
    try:
        for line in Path("/proc/vmstat").read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == "workingset_refault_file":
                counters["refaults"] = float(value)
        cpu = Path("/proc/stat").read_text().splitlines()[0].split()
        counters["steal"] = int(cpu[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        pass
    return counters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite", help="sqlite, postgres, or an SQLAlchemy URL")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="server processes (default: one per core)"
    )
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()
    report = run(args.database, rate=args.rate, seconds=args.seconds, workers=args.workers)
    print(
        f"{report.database} ({report.workers} server process(es)): {report.sent} requests "
        f"at {report.achieved_rate}/s over {report.seconds:.0f} s, "
        f"{report.errors} errors; latency p50 {report.p50_ms} ms, p95 {report.p95_ms} ms, "
        f"p99 {report.p99_ms} ms, max {report.max_ms} ms"
    )
    print("p99 by kind (ms):", ", ".join(f"{k} {v}" for k, v in report.by_kind_p99_ms.items()))
    print(slow_summary(report))
    database = f"PostgreSQL {report.database_cpu_ms_per_request} ms; " if report.database == "postgres" else ""
    print(
        f"CPU per request: server {report.server_cpu_ms_per_request} ms "
        f"(one core carries about {1000 / max(report.server_cpu_ms_per_request, 0.01):.0f} requests/s); "
        f"{database}this client {report.client_cpu_ms_per_request} ms; "
        f"machine load average {report.machine_load:.1f}"
    )
    shares = " / ".join(f"{share:.0%}" for share in report.cpu_share_by_process)
    print(f"Each server process's part of the server's CPU (the supervisor first): {shares}")
    print(
        f"While measured: {report.server_major_faults} page faults of the server read from disk; on the machine, "
        f"{report.machine_file_refaults:.0f} file pages read back after the kernel dropped them, "
        f"{report.machine_steal_seconds} s of CPU stolen by the hypervisor"
    )
    for sample in report.error_samples:
        print("ERROR:", sample)
    if args.json:
        args.json.write_text(json.dumps(asdict(report), indent=2), encoding="utf-8")
    sys.exit(1 if report.errors else 0)


if __name__ == "__main__":
    main()
