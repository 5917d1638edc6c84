"""Web app benchmark (issue 3): server time for one interview step and for the result page with
1,000 saved assessments on SQLite, for the result page of assessments whose answers carry 20
notes and 20 attached files (issue 16), and for the home page with 10,000.

    .venv/bin/python benchmarks/bench_web.py            # prints the figures
    .venv/bin/python benchmarks/bench_web.py --quick    # fewer samples (smoke run)

"Server time" is measured inside the process by an ASGI wrapper, from the moment the app gets
the request to the last byte of its response: no network, no client. Targets (medians):
interview step < 10 ms, result page < 20 ms (also with 20 notes and 20 attachments), home page
with 10,000 assessments < 100 ms. The notes and files are written through
``storage.evidence.EvidenceStore``, on answers the result page lists (examples given more
deployments until they have 20 answers); each file is a PDF of 20 kB.
The database is a fresh SQLite file in a temporary folder; the 1,000 assessments are made
through the repository (imported examples and interviews in progress); the home-page test
then clones rows up to 10,000 with one INSERT … SELECT (the home page reads only that table).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from airegime.kb import load_knowledge_base
from airegime.storage import Repository
from airegime.storage.evidence import EvidenceStore
from airegime.system import System, load_system
from airegime.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
RESULT_WITH_EVIDENCE = "result, 20 notes + 20 files"
TARGETS_MS = {"interview step": 10.0, "result page": 20.0, RESULT_WITH_EVIDENCE: 20.0, "home page (10,000)": 100.0}
NOTES = FILES = 20


class ServerTimer:
    """ASGI wrapper recording, per request, the time until the response body is complete."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.samples: list[float] = []

    async def __call__(self, scope: Any, receive: Callable[[], Awaitable[Any]], send: Any) -> None:
        start = time.perf_counter()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.samples.append(time.perf_counter() - start)

        await self.app(scope, receive, timed_send)


def populate(repo: Repository, count: int) -> tuple[list[int], list[int]]:
    """`count` assessments: complete imported examples and fresh interviews (to answer)."""
    systems = [load_system(path, kb=repo.kb) for path in EXAMPLES]
    complete, fresh = [], []
    for i in range(count):
        if i % 2:
            complete.append(repo.import_system(systems[i % len(systems)].model_copy(update={"name": f"System {i}"})))
        else:
            fresh.append(repo.create(name=f"Interview {i}", organisation="Bench", first_context="Main deployment"))
    return complete, fresh


def with_answers(system: System, least: int) -> System:
    """``system`` with copies of its deployments added until it has at least ``least`` answers."""
    deployments = list(system.deployments)
    count = len(system.answers) + sum(len(d.answers) for d in system.developments)
    count += sum(len(d.answers) for d in deployments)
    copy = 0
    while count < least:
        copy += 1
        for deployment in system.deployments:
            deployments.append(deployment.model_copy(update={"name": f"{deployment.name} ({copy + 1})"}))
            count += len(deployment.answers)
    return system.model_copy(update={"deployments": deployments})


def populate_evidence(repo: Repository, count: int) -> list[int]:
    """``count`` assessments, each with ``NOTES`` notes and ``FILES`` files on the answers it shows."""
    systems = [load_system(path, kb=repo.kb) for path in EXAMPLES]
    store = EvidenceStore(repo)
    made = []
    for i in range(count):
        system = with_answers(systems[i % len(systems)], NOTES)
        assessment = repo.import_system(system.model_copy(update={"name": f"With evidence {i}"}))
        saved = repo.get(assessment)
        answers: list[tuple[str, int | None, str]] = [("system", None, q) for q in saved.system_answers]
        for context in (*saved.developments, *saved.contexts):
            answers += [(context.phase, context.id, q) for q in saved.answers_of(context.id)]
        for n, (scope, context_id, question) in enumerate(answers[:NOTES]):
            text = f"Why: note {n}, see the contract signed in 2024."
            store.set_note(assessment, scope=scope, context_id=context_id, question=question, text=text)
        for n in range(FILES):
            scope, context_id, question = answers[n % len(answers)]
            data = b"%PDF-1.4\n%" + bytes(20_000) + b"\ntrailer << >>\n%%EOF\n"
            name = f"contract-{n}.pdf"
            store.add_file(assessment, scope=scope, context_id=context_id, question=question, filename=name, data=data)
        found = store.evidence(assessment)
        assert (len(found.notes), len(found.attachments)) == (NOTES, FILES), found
        made.append(assessment)
    return made


def grow_to(repo: Repository, total: int) -> None:
    """Clone finished assessments' rows (their phases and answers are not copied: an unfinished
    clone would send the home page's "resume" link looking for answers that are not there)."""
    with repo.engine.begin() as connection:
        while (have := connection.scalar(text("SELECT count(*) FROM assessments"))) < total:
            connection.execute(
                text(
                    "INSERT INTO assessments (name, organisation, description, development_description, created_at,"
                    " updated_at, rule_set_version, rule_set_hash, summary_json)"
                    " SELECT name || ' copy', organisation, description, development_description, created_at,"
                    " updated_at, rule_set_version, rule_set_hash, summary_json FROM assessments"
                    " WHERE summary_json NOT LIKE '%undetermined%' AND summary_json NOT LIKE '%case_by_case%' LIMIT :n"
                ),
                {"n": total - have},
            )


def report(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    median, p95 = statistics.median(ms), ms[int(len(ms) * 0.95) - 1]
    target = TARGETS_MS.get(name)
    verdict = "" if target is None else ("  OK" if median < target else "  OVER TARGET") + f" (target < {target:g} ms)"
    return f"  {name:<28} median {median:7.2f} ms   p95 {p95:7.2f} ms   n={len(ms)}{verdict}"


def interview_steps(client: TestClient, timer: ServerTimer, fresh: list[int], rounds: int) -> list[float]:
    """Answer the next question of fresh interviews, as htmx does: POST, get the next question back."""
    timer.samples.clear()
    token = client.cookies.get("airegime_csrf")
    page_of = {}
    for assessment in fresh[:rounds]:
        page_of[assessment] = client.get(f"/a/{assessment}/interview").text
    timer.samples.clear()
    for assessment, page in page_of.items():
        fields = {name: _hidden(page, name) for name in ("scope", "ctx", "question")}
        response = client.post(
            f"/a/{assessment}/answer",
            data={**fields, "value": "unknown" if assessment % 3 == 0 else _first_answer(page), "csrf_token": token},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200, response.text[:300]
    return list(timer.samples)


def _first_answer(page: str) -> str:
    """The first answer the question offers (its radio buttons are named "value")."""
    marker = 'name="value" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def _hidden(page: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def timed_gets(client: TestClient, timer: ServerTimer, urls: list[str]) -> list[float]:
    for url in urls[:3]:
        client.get(url)  # warm up
    timer.samples.clear()
    for url in urls:
        assert client.get(url).status_code == 200, url
    return list(timer.samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer assessments answered and pages fetched")
    args = parser.parse_args()
    rounds = 60 if args.quick else 300
    kb = load_knowledge_base()
    with tempfile.TemporaryDirectory() as folder:
        repo = Repository.open(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", kb)
        started = time.perf_counter()
        complete, fresh = populate(repo, 1000)
        print(f"populated 1,000 assessments in {time.perf_counter() - started:.1f} s (SQLite, {folder})")
        timer = ServerTimer(create_app(repository=repo))
        with TestClient(timer) as client:
            client.get("/")
            print("With 1,000 saved assessments:")
            print(report("interview step", interview_steps(client, timer, fresh, rounds)))
            urls = [f"/a/{a}/result" for a in complete[:rounds]]
            print(report("result page", timed_gets(client, timer, urls)))
            evidenced = populate_evidence(repo, 20)
            urls = [f"/a/{evidenced[i % len(evidenced)]}/result" for i in range(rounds)]
            shown = client.get(urls[0]).text  # the page lists every note and file it is timed with
            assert shown.count("see the contract signed in 2024") == NOTES and "contract-19.pdf" in shown
            print(report(RESULT_WITH_EVIDENCE, timed_gets(client, timer, urls)))
            print(report("home page (1,000)", timed_gets(client, timer, ["/"] * rounds)))
            grow_to(repo, 10_000)
            print(f"With {repo.count():,} saved assessments:")
            print(report("home page (10,000)", timed_gets(client, timer, ["/"] * rounds)))
            pages = [f"/?sort=name&page={p}" for p in range(1, rounds + 1)]
            print(report("home, by name, pages 1..n", timed_gets(client, timer, pages)))
            searches = [f"/?q=System%20{i}" for i in range(rounds)]
            print(report("home, search", timed_gets(client, timer, searches)))
        repo.engine.dispose()


if __name__ == "__main__":
    main()
