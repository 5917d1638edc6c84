"""Engine benchmark (issue 2): one full evaluation, `verify`, and the cold start, side by side
with the per-row rule engines of the shared peer harness, measured in the same run.

    .venv/bin/python benchmarks/bench_engine.py                 # airegime alone
    /tmp/bench-venv/bin/python benchmarks/bench_engine.py --peers [FOLDER]
        # with the peers (their venv: see the harness's README.md, plus `pip install -e .`); FOLDER
        # defaults to $AIREGIME_PEERS_HARNESS, else ../shared/bench (see peers_plugin.harness)

Timings: time.perf_counter, each sample is the mean of a batch of calls, median of the samples.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TWO_DEPLOYMENTS = ROOT / "examples" / "zone-crossing-detector.yaml"
PER_ROW_PEERS = ("business_rules", "rule_engine", "durable_rules", "experta", "openfisca", "pydmnrules")


def median_call_seconds(function: Callable[[], Any], *, budget: float = 1.0, samples: int = 15) -> float:
    """Median over `samples` batches of the mean time of one call, each batch taking ~budget/samples."""
    function()
    started, calls = time.perf_counter(), 0
    while time.perf_counter() - started < 0.05:
        function()
        calls += 1
    per_batch = max(1, int(calls * budget / samples / 0.05))
    results = []
    for _ in range(samples):
        begin = time.perf_counter()
        for _ in range(per_batch):
            function()
        results.append((time.perf_counter() - begin) / per_batch)
    return statistics.median(results)


def airegime_figures() -> dict[str, float]:
    from airegime.engine.evaluate import _decided, evaluate
    from airegime.engine.verify import verify
    from airegime.kb import load_knowledge_base
    from airegime.system import load_system

    kb = load_knowledge_base()
    system = load_system(TWO_DEPLOYMENTS, kb=kb)
    assessment = evaluate(kb=kb, system=system)
    assert len(assessment.deployments) == 2 and all(p.rules for p in assessment.phases)

    def cold() -> None:  # as for a system never seen: the per-answer-set decision cache emptied first
        _decided.cache_clear()
        evaluate(kb=kb, system=system)

    figures = {
        "evaluate (dev + 2 deployments, with trace)": median_call_seconds(cold),
        "evaluate, the same answers again (cached)": median_call_seconds(lambda: evaluate(kb=kb, system=system)),
    }
    figures["verify (whole rule set)"] = statistics.median(verify(kb=kb).seconds for _ in range(5))
    return figures


def command_seconds(*args: str, runs: int = 10) -> float:
    """Median wall time of a fresh `airegime ...` process."""
    command = [str(Path(sys.executable).with_name("airegime")), *args]
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def peer_figures(folder: str, rows: int = 2000) -> tuple[dict[str, float], list[str]]:
    """Median latency of one evaluate_one call of each per-row peer, on the harness's own random rows."""
    sys.path.insert(0, str(Path(__file__).parent))
    sys.path.insert(0, str(importlib.import_module("peers_plugin").harness(folder or None)))
    common = importlib.import_module("common")
    data = common.rows_from_columns(common.random_columns(rows, 20240613))
    figures, skipped = {}, []
    for key in PER_ROW_PEERS:
        try:
            module = importlib.import_module(f"impl_{key}")
            if hasattr(module, "setup"):
                scratch = Path("/tmp/bench-scratch") / f"{key}.tmp"
                scratch.mkdir(parents=True, exist_ok=True)
                module.setup(scratch)
        except Exception as error:  # a peer that cannot load is reported, not fatal
            skipped.append(f"{key}: {type(error).__name__}: {error}")
            continue
        cursor = iter(range(10**12))

        def one(module: Any = module, cursor: Any = cursor) -> None:
            module.evaluate_one(data[next(cursor) % rows])

        figures[getattr(module, "NAME", key)] = median_call_seconds(one, budget=1.0)
    return figures, skipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--peers", nargs="?", const="", help="the shared harness folder, to time its per-row engines too"
    )
    args = parser.parse_args()
    ours = airegime_figures()
    print(f"python {sys.version.split()[0]}  ({sys.executable})")
    for label, seconds in ours.items():
        print(f"  airegime {label:<45} {seconds * 1e6:>12.1f} µs")
    print(
        f"  airegime {'verify command, fresh process (median of 5)':<45} "
        f"{command_seconds('verify', runs=5) * 1e3:>12.1f} ms"
    )
    print(f"  airegime {'--version cold start (median of 10)':<45} {command_seconds('--version') * 1e3:>12.1f} ms")
    if args.peers is not None:
        peers, skipped = peer_figures(args.peers)
        full = ours["evaluate (dev + 2 deployments, with trace)"]
        print("\nPer-row peers (one evaluate_one call: 9 facts, 2 outputs), same run:")
        for label, seconds in sorted(peers.items(), key=lambda item: item[1]):
            print(
                f"  {label:<40} {seconds * 1e6:>10.1f} µs   airegime full evaluation is {seconds / full:6.1f}x faster"
            )
        for line in skipped:
            print(f"  not measured: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
