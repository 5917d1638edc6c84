"""SQLite saves under contention: a process's writers taking one connection in turn (airegime's
writing pool) against every pooled connection writing (each polling SQLite's lock when it is taken).

    .venv/bin/python benchmarks/bench_sqlite_writers.py [--seconds 15] [--rate 250] [--rounds 4]

Two processes of five threads each (as `airegime serve --workers 2` runs) save answers to 50
assessments of one SQLite file, at random moments (a Poisson process at ``--rate`` saves per
second in all). Each round runs both ways in turn on a fresh file, so a change of load on the
machine falls on both alike; the figures are each save's wall time (time.perf_counter).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import random
import statistics
import tempfile
import threading
import time
from multiprocessing.queues import Queue
from pathlib import Path

WAYS = {
    "one writing connection per process (airegime)": True,
    "every pooled connection writes": False,
}
PROCESSES, THREADS, ASSESSMENTS = 2, 5, 50


def _saves(url: str, ids: list[int], seconds: float, rate: float, queued: bool, out: Queue[list[float]]) -> None:
    """One server process: THREADS threads saving for ``seconds``; their save times go to ``out``."""
    from sqlalchemy.exc import SQLAlchemyError

    import airegime.storage.database as database
    from airegime.kb import load_knowledge_base
    from airegime.storage import Repository

    if not queued:
        database._writing = lambda engine: engine  # the engine's own pool writes too
    repo = Repository.open(url, load_knowledge_base())
    times: list[float] = []
    end = time.perf_counter() + seconds

    def thread(seed: int) -> None:
        chance = random.Random(seed)
        while True:
            time.sleep(chance.expovariate(rate / THREADS))
            if time.perf_counter() > end:
                return
            start = time.perf_counter()
            value = chance.choice(("yes", "no", "unknown"))
            try:
                repo.set_answer(
                    chance.choice(ids), scope="development", context_id=None, question="household", value=value
                )
            except SQLAlchemyError:  # no lock within SQLite's busy timeout (or the pool's): failed
                times.append(math.inf)
            else:
                times.append(time.perf_counter() - start)  # list.append is atomic

    threads = [threading.Thread(target=thread, args=(seed,)) for seed in random.sample(range(1 << 30), THREADS)]
    for started in threads:
        started.start()
    for joined in threads:
        joined.join()
    repo.engine.dispose()
    out.put(times)


def one_round(queued: bool, seconds: float, rate: float) -> list[float]:
    from airegime.kb import load_knowledge_base
    from airegime.storage import Repository

    with tempfile.TemporaryDirectory(prefix="airegime-writers-") as folder:
        url = f"sqlite:///{Path(folder) / 'writers.sqlite3'}"
        repo = Repository.open(url, load_knowledge_base())
        ids = [repo.create(name=f"System {n}", first_context="Site") for n in range(ASSESSMENTS)]
        repo.engine.dispose()
        context = multiprocessing.get_context("spawn")
        out: Queue[list[float]] = context.Queue()
        arguments = (url, ids, seconds, rate / PROCESSES, queued, out)
        processes = [context.Process(target=_saves, args=arguments) for _ in range(PROCESSES)]
        for process in processes:
            process.start()
        times = [t for _ in processes for t in out.get()]
        for process in processes:
            process.join()
        return sorted(times)


def figures(times: list[float]) -> str:
    """Percentiles of the saves' times, and how many failed."""
    failed = sum(map(math.isinf, times))
    times = times[: len(times) - failed]  # sorted: the failures (infinite) come last
    cuts = statistics.quantiles(times, n=1000, method="inclusive")
    named = {"p50": statistics.median(times), "p99": cuts[989], "p99.9": cuts[998], "max": times[-1]}
    spread = "".join(f"   {name} {value * 1e3:6.1f} ms" for name, value in named.items())
    return f"{len(times):>6} saves{spread}   failed {failed}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="each way's run in a round")
    parser.add_argument("--rate", type=float, default=250.0, help="saves per second, all threads together")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    print(
        f"{PROCESSES} processes x {THREADS} threads, {args.rate:g} saves/s for {args.seconds:g} s, each round both ways"
    )
    for round_number in range(1, args.rounds + 1):
        for label, queued in WAYS.items():
            print(
                f"round {round_number}  {label:<48} {figures(one_round(queued, args.seconds, args.rate))}", flush=True
            )


if __name__ == "__main__":
    main()
