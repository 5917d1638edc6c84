"""Kill the server with SIGKILL in the middle of saves, restart it, and check the database.

    .venv/bin/python stress/faults.py --rounds 5              # SQLite file in a temporary folder
    .venv/bin/python stress/faults.py --database-url postgresql+psycopg://…

Each round: several clients send saves (new assessments, and patches that set three answers
at once to the same value); every save the server acknowledged is recorded; the server is
killed mid-stream; it is restarted on the same database. Then: every acknowledged save is
there, SQLite's PRAGMA integrity_check says ok, and nothing half-written is visible (every
assessment has its two contexts, a stored result and the answers it was created with; the three
answers of a patch always agree).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import Server, start_server

ORGANISATION = "airegime fault test"
PATCHED = ("personal_data", "legal_mission", "household")  # set together: "yes" or "no" for all three


def descriptor(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "organisation": ORGANISATION,
        "answers": {"establishment": "eu"},
        "development": {"answers": {"personal_data": "yes", "legal_mission": "yes", "household": "yes"}},
        "deployments": [
            {"name": "Centre", "answers": {"purpose": "other", "organisation_kind": "private_body"}},
            {"name": "Police", "answers": {"purpose": "criminal_law", "organisation_kind": "competent_authority"}},
        ],
    }


def patch(value: str) -> dict[str, Any]:
    return {"answers": [{"scope": "development", "question": question, "value": value} for question in PATCHED]}


@dataclass
class Acknowledged:
    created: dict[int, str] = field(default_factory=dict)  # id -> name
    patches: int = 0
    refused: list[str] = field(default_factory=list)  # a 4xx/5xx answer before the kill is a failure
    lock: threading.Lock = field(default_factory=threading.Lock)


def send_saves(api: str, target: int, stop: threading.Event, acknowledged: Acknowledged, worker: int) -> None:
    counter = itertools.count()
    with httpx.Client(base_url=api, timeout=5) as client:
        while not stop.is_set():
            try:
                if random.random() < 0.6:
                    name = f"w{worker}-{next(counter)}-{time.monotonic_ns()}"
                    response = client.post("/assessments", json=descriptor(name))
                    if response.status_code == 201:
                        with acknowledged.lock:
                            acknowledged.created[response.json()["id"]] = name
                        continue
                else:
                    response = client.patch(f"/assessments/{target}", json=patch(random.choice(["yes", "no"])))
                    if response.status_code == 200:
                        with acknowledged.lock:
                            acknowledged.patches += 1
                        continue
                acknowledged.refused.append(f"{response.status_code} {response.text[:200]}")
            except httpx.HTTPError:
                return  # the server is gone: what it acknowledged is recorded


def one_round(server: Server, target: int, seconds: float, workers: int, least: int) -> Acknowledged:
    acknowledged = Acknowledged()
    stop = threading.Event()
    threads = [
        threading.Thread(target=send_saves, args=(server.api, target, stop, acknowledged, i), daemon=True)
        for i in range(workers)
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    deadline = time.monotonic() + 60
    while len(acknowledged.created) < least and time.monotonic() < deadline:
        time.sleep(0.05)  # a busy machine: wait for enough acknowledged saves to make the round count
    time.sleep(random.uniform(0, 0.2))
    server.kill()  # mid-stream: requests are in flight
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    return acknowledged


def check(api: str, database_url: str, acknowledged: list[Acknowledged], target: int) -> list[str]:
    """Problems found after the restart (empty: all good)."""
    problems = []
    with httpx.Client(base_url=api, timeout=10) as client:
        for round_ in acknowledged:
            for assessment_id, name in round_.created.items():
                response = client.get(f"/assessments/{assessment_id}")
                if response.status_code != 200 or response.json()["name"] != name:
                    problems.append(f"acknowledged save #{assessment_id} ({name}) is missing: {response.status_code}")
        problems += whole_assessments(client)
        answers = client.get(f"/assessments/{target}").json()["descriptor"]
        values = {answers["developments"][0]["answers"].get(q) for q in PATCHED}
        if len(values) != 1:
            problems.append(f"a patch was half applied: {values}")
    return problems + integrity(database_url)


def whole_assessments(client: httpx.Client) -> list[str]:
    problems = []
    search = {"per_page": 100, "q": ORGANISATION}  # only this script's saves (a shared database holds others)
    listed = client.get("/assessments", params=search).json()
    for page in range(1, listed["pages"] + 1):
        items = client.get("/assessments", params={**search, "page": page}).json()["items"]
        for item in items:
            if item["organisation"] != ORGANISATION or item["name"] == "target":
                continue
            body = client.get(f"/assessments/{item['id']}").json()
            whole = (
                [c["name"] for c in body["contexts"]] == ["Centre", "Police"]
                and len(body["phases"]) == 3
                and body["descriptor"]["deployments"][1]["answers"].get("purpose") == "criminal_law"
            )
            if not whole:
                problems.append(f"assessment #{item['id']} is half-written: {body}")
    return problems


def integrity(database_url: str) -> list[str]:
    if not database_url.startswith("sqlite:///"):
        return []
    import sqlite3

    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        result = connection.execute("PRAGMA integrity_check").fetchall()
    return [] if result == [("ok",)] else [f"PRAGMA integrity_check: {result}"]


@dataclass
class FaultReport:
    rounds: int
    created: int
    patches: int
    problems: list[str]


def run(
    database_url: str, folder: Path, *, rounds: int = 3, seconds: float = 1.5, workers: int = 6, least: int = 10
) -> FaultReport:
    """``rounds`` kills, each after ``seconds`` of saves and at least ``least`` acknowledged creations."""
    log = folder / "server.log"
    server = start_server(database_url, log)
    try:
        target = httpx.post(f"{server.api}/assessments", json=descriptor("target"), timeout=10).json()["id"]
        acknowledged = []
        for _ in range(rounds):
            acknowledged.append(one_round(server, target, seconds, workers, least))
            server = start_server(database_url, log)
        problems = [f"refused before the kill: {r}" for a in acknowledged for r in a.refused]
        problems += check(server.api, database_url, acknowledged, target)
    finally:
        server.stop()
    created = sum(len(a.created) for a in acknowledged)
    return FaultReport(rounds, created, sum(a.patches for a in acknowledged), problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="saves sent before each kill")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="airegime-faults-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'faults.sqlite3'}"
        report = run(url, Path(folder), rounds=args.rounds, seconds=args.seconds, workers=args.workers)
    print(f"{report.rounds} kills, {report.created} acknowledged creations, {report.patches} acknowledged patches")
    for problem in report.problems:
        print("PROBLEM:", problem)
    print("ok: every acknowledged save is there, nothing half-written" if not report.problems else "FAILED")
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
