"""Kill the server with SIGKILL in the middle of saves, restart it, and check the database.

    .venv/bin/python stress/faults.py --rounds 5              # SQLite file in a temporary folder
    .venv/bin/python stress/faults.py --database-url postgresql+psycopg://…

Each round: several clients send saves (new assessments, patches that set three answers at once
to the same value, uploads of attachments, and review steps: sent for review, then approved with
an opinion); every save the server acknowledged is recorded; the server is killed mid-stream; it
is restarted on the same database. Then: every acknowledged save is there, SQLite's PRAGMA
integrity_check says ok, and nothing half-written is visible (every assessment has its two
contexts, a stored result and the answers it was created with; the three answers of a patch
always agree; every acknowledged upload downloads with its bytes and sha256, and every file
listed downloads with the sha256 it is listed with; every acknowledged review step is among the
stored steps, in order, and an acknowledged approval has its status, opinion and snapshot).

The server is started as ``python -m airegime serve`` with this interpreter (``stress/server.py``):
set PYTHONPATH to a checkout's ``src`` to test that checkout's code.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

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


def pdf(size: int) -> bytes:
    """A small valid PDF padded with a random comment to about ``size`` bytes (each one different)."""
    body = b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    padding = os.urandom(max(size // 2, 16)).hex().encode()
    return b"%PDF-1.4\n%" + padding + b"\n" + body


@dataclass(frozen=True)
class Upload:
    assessment: int
    attachment: int
    name: str
    size: int
    sha256: str


@dataclass
class Acknowledged:
    created: dict[int, str] = field(default_factory=dict)  # id -> name
    patches: int = 0
    uploads: list[Upload] = field(default_factory=list)
    reviews: dict[int, list[str]] = field(default_factory=dict)  # id -> acknowledged steps, in order
    opinions: dict[int, str] = field(default_factory=dict)  # id -> acknowledged approval's opinion
    refused: list[str] = field(default_factory=list)  # a 4xx/5xx answer before the kill is a failure
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def approvals(self) -> int:
        return sum("approved" in steps for steps in self.reviews.values())


FILES_PER_ASSESSMENT = 40  # the store keeps at most 50 files per assessment
EVIDENCE = {"scope": "development", "question": "personal_data"}


class Worker:
    """One client's saves: creations, patches of the shared target, uploads, review steps."""

    def __init__(self, client: httpx2.Client, target: int, acknowledged: Acknowledged, number: int) -> None:
        self.client, self.target, self.acknowledged, self.number = client, target, acknowledged, number
        self.counter = itertools.count()
        self.upload_to: int | None = None  # this worker's assessment for files (never reviewed)
        self.uploaded = 0
        self.reviewing: int | None = None  # this worker's assessment going through review

    def step(self) -> httpx2.Response | None:
        """One save; the response when it was refused, else None (acknowledged and recorded)."""
        draw = random.random()
        if draw < 0.45:
            return self.create()[1]
        if draw < 0.65:
            response = self.client.patch(f"/assessments/{self.target}", json=patch(random.choice(["yes", "no"])))
            if response.status_code != 200:
                return response
            with self.acknowledged.lock:
                self.acknowledged.patches += 1
            return None
        if draw < 0.85:
            return self.upload()
        return self.review()

    def create(self) -> tuple[int | None, httpx2.Response | None]:
        name = f"w{self.number}-{next(self.counter)}-{time.monotonic_ns()}"
        response = self.client.post("/assessments", json=descriptor(name))
        if response.status_code != 201:
            return None, response
        made = int(response.json()["id"])
        with self.acknowledged.lock:
            self.acknowledged.created[made] = name
        return made, None

    def upload(self) -> httpx2.Response | None:
        if self.upload_to is None or self.uploaded >= FILES_PER_ASSESSMENT:
            created, refused = self.create()
            if created is None:
                return refused
            self.upload_to, self.uploaded = created, 0
        data = pdf(random.randint(1_000, 200_000))
        name = f"evidence-{self.number}-{next(self.counter)}.pdf"
        response = self.client.post(
            f"/assessments/{self.upload_to}/attachments",
            data=EVIDENCE,
            files={"file": (name, data, "application/pdf")},
        )
        if response.status_code != 201:
            return response
        body = response.json()
        self.uploaded += 1
        made = Upload(self.upload_to, int(body["id"]), body["name"], len(data), hashlib.sha256(data).hexdigest())
        with self.acknowledged.lock:
            self.acknowledged.uploads.append(made)
        return None

    def review(self) -> httpx2.Response | None:
        """Send this worker's assessment for review; the next time, approve it; then start another."""
        if self.reviewing is None:
            created, refused = self.create()
            if created is None:
                return refused
            self.reviewing = created
        steps = self.acknowledged.reviews.get(self.reviewing, [])
        opinion = f"approved by the fault test, {time.monotonic_ns()}"
        body = {"action": "submit"} if not steps else {"action": "approve", "opinion": opinion}
        response = self.client.post(f"/assessments/{self.reviewing}/review", json=body)
        if response.status_code != 200:
            return response
        with self.acknowledged.lock:
            if steps:
                self.acknowledged.reviews[self.reviewing].append("approved")
                self.acknowledged.opinions[self.reviewing] = opinion
            else:
                self.acknowledged.reviews[self.reviewing] = ["submitted"]
        if steps:
            self.reviewing = None
        return None


def send_saves(api: str, target: int, stop: threading.Event, acknowledged: Acknowledged, worker: int) -> None:
    with httpx2.Client(base_url=api, timeout=5) as client:
        saves = Worker(client, target, acknowledged, worker)
        while not stop.is_set():
            try:
                refused = saves.step()
            except httpx2.HTTPError:
                return  # the server is gone: what it acknowledged is recorded
            if refused is not None:
                acknowledged.refused.append(f"{refused.status_code} {refused.text[:200]}")


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
    with httpx2.Client(base_url=api, timeout=10) as client:
        for round_ in acknowledged:
            for assessment_id, name in round_.created.items():
                response = client.get(f"/assessments/{assessment_id}")
                if response.status_code != 200 or response.json()["name"] != name:
                    problems.append(f"acknowledged save #{assessment_id} ({name}) is missing: {response.status_code}")
            problems += uploads_there(client, round_.uploads)
            problems += reviews_there(client, round_)
        problems += whole_assessments(client)
        answers = client.get(f"/assessments/{target}").json()["descriptor"]
        values = {answers["developments"][0]["answers"].get(q) for q in PATCHED}
        if len(values) != 1:
            problems.append(f"a patch was half applied: {values}")
    return problems + integrity(database_url)


def uploads_there(client: httpx2.Client, uploads: list[Upload]) -> list[str]:
    problems = []
    for upload in uploads:
        where = f"/assessments/{upload.assessment}/attachments/{upload.attachment}"
        response = client.get(where)
        if response.status_code != 200:
            problems.append(f"acknowledged upload {where} ({upload.name}) is missing: {response.status_code}")
        elif (len(response.content), hashlib.sha256(response.content).hexdigest()) != (upload.size, upload.sha256):
            problems.append(f"acknowledged upload {where} ({upload.name}) has other bytes")
    return problems


def reviews_there(client: httpx2.Client, acknowledged: Acknowledged) -> list[str]:
    """Each acknowledged step is stored, in order (a step in flight at the kill may follow them)."""
    problems = []
    for assessment_id, steps in acknowledged.reviews.items():
        review = client.get(f"/assessments/{assessment_id}/review").json()
        stored = [s["step"] for s in review.get("steps", [])]
        if stored[: len(steps)] != steps:
            problems.append(f"assessment #{assessment_id}: acknowledged review steps {steps}, stored {stored}")
            continue
        expected = {"submitted": "in_review", "approved": "approved"}[stored[-1]]
        if review["status"] != expected:
            problems.append(f"assessment #{assessment_id}: steps {stored} but status {review['status']}")
        if "approved" in steps:
            opinion = acknowledged.opinions[assessment_id]
            snapshot = client.get(f"/assessments/{assessment_id}/approved")
            if review["approval"]["opinion"] != opinion or snapshot.status_code != 200:
                problems.append(f"assessment #{assessment_id}: the acknowledged approval is not whole: {review}")
    return problems


def whole_attachments(client: httpx2.Client, assessment_id: int) -> list[str]:
    """Every file listed downloads with the size and sha256 it is listed with."""
    problems = []
    for listed in client.get(f"/assessments/{assessment_id}/attachments").json():
        data = client.get(f"/assessments/{assessment_id}/attachments/{listed['id']}").content
        if (len(data), hashlib.sha256(data).hexdigest()) != (listed["size"], listed["sha256"]):
            problems.append(f"attachment {listed['id']} of #{assessment_id} is half-written")
    return problems


def whole_assessments(client: httpx2.Client) -> list[str]:
    problems = []
    # only this script's saves (a shared database holds others)
    search: dict[str, str | int] = {"per_page": 100, "q": ORGANISATION}
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
            problems += whole_attachments(client, item["id"])
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
    uploads: int
    approvals: int
    submissions: int
    problems: list[str]


def run(
    database_url: str, folder: Path, *, rounds: int = 3, seconds: float = 1.5, workers: int = 6, least: int = 10
) -> FaultReport:
    """``rounds`` kills, each after ``seconds`` of saves and at least ``least`` acknowledged creations."""
    log = folder / "server.log"
    server = start_server(database_url, log)
    try:
        target = httpx2.post(f"{server.api}/assessments", json=descriptor("target"), timeout=10).json()["id"]
        acknowledged = []
        for _ in range(rounds):
            acknowledged.append(one_round(server, target, seconds, workers, least))
            server = start_server(database_url, log)
        problems = [f"refused before the kill: {r}" for a in acknowledged for r in a.refused]
        problems += check(server.api, database_url, acknowledged, target)
    finally:
        server.stop()
    created = sum(len(a.created) for a in acknowledged)
    return FaultReport(
        rounds,
        created,
        sum(a.patches for a in acknowledged),
        sum(len(a.uploads) for a in acknowledged),
        sum(a.approvals for a in acknowledged),
        sum(len(a.reviews) for a in acknowledged),
        problems,
    )


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
    print(
        f"{report.rounds} kills, {report.created} acknowledged creations, {report.patches} acknowledged patches, "
        f"{report.uploads} acknowledged uploads, {report.submissions} acknowledged submissions for review, "
        f"{report.approvals} acknowledged approvals"
    )
    for problem in report.problems:
        print("PROBLEM:", problem)
    print(
        "ok: every acknowledged save, upload and review step is there, nothing half-written"
        if not report.problems
        else "FAILED"
    )
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
