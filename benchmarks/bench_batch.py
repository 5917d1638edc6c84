"""Batch benchmark (issue 5): the real knowledge base, three-valued answers (yes / no / unknown).

    /tmp/bench-venv/bin/python benchmarks/bench_batch.py --peers --output benchmarks/results/batch.txt
        # --peers [FOLDER]: the shared harness (default: see peers_plugin.harness), run in its venv
    .venv/bin/python benchmarks/bench_batch.py --quick          # small sizes, no peers

Measures, in one run:
1. evaluation on 1M in-memory rows (answer codes in, outcome + status bytes out, both phases),
   and OpenFisca from the shared harness on its own 1M rows, in the same process;
2. a 1M-row CSV inventory to a results CSV, end to end (`airegime batch` as a subprocess), with
   the current columns, and with the old (format-1) columns that are mapped to format 2 on read;
3. a 100k-row .xlsx inventory to .xlsx results (and to CSV);
4. the peak memory (max RSS of the subprocess) for a 10M-row Parquet inventory.
Timings: time.perf_counter; in-memory figures are the median of several runs after a warm-up.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from airegime.batch.assess import ERRORS_COLUMN, NOTES_COLUMN, result_columns
from airegime.batch.columns import canonical_name, format1_columns, inventory_columns
from airegime.batch.compiled import BLOCK_ROWS, batch_program, usable_processors
from airegime.kb import load_knowledge_base
from airegime.kb.models import KnowledgeBase, Question, Scope

KB = load_knowledge_base()
CLI = Path(sys.executable).parent / "airegime"
DEPLOYMENTS_PER_SYSTEM = 3


def medians(functions: dict[str, Callable[[], Any]], runs: int) -> dict[str, tuple[float, float]]:
    """(median seconds, spread) of ``runs`` calls of each function after one warm-up each. The calls
    take turns (one of each per round), so a change in the machine's load falls on all of them alike."""
    for function in functions.values():
        function()
    times: dict[str, list[float]] = {label: [] for label in functions}
    for _ in range(runs):
        for label, function in functions.items():
            start = time.perf_counter()
            function()
            times[label].append(time.perf_counter() - start)
    return {
        label: (statistics.median(taken), (max(taken) - min(taken)) / statistics.median(taken))
        for label, taken in times.items()
    }


def evaluation(rows: int) -> tuple[dict[str, Callable[[], Any]], float]:
    """What to time on ``rows`` random answer rows of the real knowledge base (both phases), and
    the share of unknown answers among them."""
    program = batch_program(KB)
    rng = np.random.default_rng(20261128)
    dev = [rng.integers(0, n + 1, rows, dtype=np.uint8) for n in program.development.unknown_codes]
    dep = [rng.integers(0, n + 1, rows, dtype=np.uint8) for n in program.deployment.unknown_codes]
    unknown_share = np.mean([np.mean(c == n) for c, n in zip(dev, program.development.unknown_codes, strict=True)])

    def both() -> None:
        program.development.verdicts(dev)
        program.deployment.verdicts(dep)

    def result_ids() -> None:  # what `airegime batch` looks up: a result id (2 bytes) per row and phase
        program.development.result_ids(dev)
        program.deployment.result_ids(dep)

    def one_thread() -> None:  # the same evaluator, on the calling thread only
        program.development.verdicts(dev, threads=1)
        program.deployment.verdicts(dep, threads=1)

    inputs = [*dev, *dep]
    buffers = [np.empty_like(c) for c in inputs]
    outputs = [np.empty(rows, np.uint8), np.empty(rows, np.uint8)]

    def touch() -> None:  # the bytes any evaluator must move: read the answer bytes, write 2
        for source, target in zip(inputs, buffers, strict=True):
            np.copyto(target, source)
        for output in outputs:
            output.fill(1)

    functions = {
        "batch evaluator": both,
        "result ids": result_ids,
        "one thread": one_thread,
        "memory touch": touch,
    }
    return functions, float(unknown_share)


PEERS = (
    ("openfisca", "impl_openfisca"),
    ("numpy", "impl_numpy"),
    ("polars", "impl_polars"),
    ("airegime plug-in", "peers_plugin"),
)


def peers(folder: str, rows: int) -> dict[str, Callable[[], Any]]:
    """OpenFisca, the numpy and Polars references of the harness, and our plug-in, on the harness's data."""
    sys.path.insert(0, str(Path(__file__).parent))
    sys.path.insert(0, str(importlib.import_module("peers_plugin").harness(folder or None)))
    common = importlib.import_module("common")
    columns = common.random_columns(rows, 20240613)
    evaluators = {label: importlib.import_module(module).evaluate_batch for label, module in PEERS}
    return {label: functools.partial(evaluate, columns) for label, evaluate in evaluators.items()}


# ── inventories on disk ──


def spelled(questions: list[Question]) -> dict[str, list[str | None]]:
    """Per question: its answers written as code, French label, English label (index = code * 3 + variant)."""
    spellings = {}
    for question in questions:
        words: list[str | None] = []
        for option in question.options:
            words += [option.code, option.label.fr, option.label.en]
        words += [None, None, None]  # unknown: a blank cell
        spellings[question.id] = words
    return spellings


def inventory_frame(kb: KnowledgeBase, rows: int, seed: int, given_once: bool, old: bool = False) -> pl.DataFrame:
    """Random inventory rows, three rows per system; shared answers repeated or given once; with
    the old (format-1) columns if ``old``."""
    rng = np.random.default_rng(seed)
    systems = -(-rows // DEPLOYMENTS_PER_SYSTEM)
    columns_of: list[tuple[Scope, Question]] = format1_columns() if old else inventory_columns(kb)
    words = spelled([question for _, question in columns_of])
    system_of_row = np.arange(rows) // DEPLOYMENTS_PER_SYSTEM
    first_row = np.arange(rows) % DEPLOYMENTS_PER_SYSTEM == 0
    columns: dict[str, pl.Series] = {
        "system_id": pl.Series(np.char.add("S", system_of_row.astype(str))) if rows <= 2_000_000 else
        pl.select(pl.format("S{}", pl.Series(system_of_row))).to_series(),
        "deployment_name": pl.Series(np.arange(rows) % DEPLOYMENTS_PER_SYSTEM).cast(pl.String),
    }  # fmt: skip
    for scope, question in columns_of:
        choices = len(question.codes) + 1
        if scope == "deployment":
            codes = rng.integers(0, choices, rows)
        else:
            codes = rng.integers(0, choices, systems)[system_of_row]
        index = codes * 3 + rng.integers(0, 3, rows)
        if given_once and scope != "deployment":
            index = np.where(first_row, index, len(question.codes) * 3)  # blank after the first row
        columns[canonical_name(scope, question.id)] = pl.Series(words[question.id], dtype=pl.String).gather(index)
    return pl.DataFrame(columns)


def write_parquet_inventory(path: Path, rows: int, chunk: int = 1_000_000) -> None:
    writer = None
    for start in range(0, rows, chunk):
        frame = inventory_frame(KB, min(chunk, rows - start), seed=start, given_once=True)
        frame = frame.with_columns(pl.format("P{}-{}", pl.lit(start), pl.col("system_id")).alias("system_id"))
        table = frame.to_arrow()
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


ROUNDS = 3  # the 1M-row CSV end to end: each side's best of this many rounds, in turn
PASSES = 3  # Polars alone, in each round: its first pass in a fresh process, then passes warmed up

POLARS_ALONE = """
import sys, time
import polars as pl
source, results, target, passes, *names = sys.argv[1:]
texts = pl.read_csv(results, columns=names, infer_schema=False)
for _ in range(int(passes)):
    start = time.perf_counter()
    pl.read_csv(source, infer_schema=False).hstack(texts).write_csv(target)
    print(time.perf_counter() - start)
"""


ONE_PASS = "one pass in a fresh process"
WARMED_UP = "warmed up"


def polars_alone(source: Path, results: Path) -> tuple[float, float]:
    """Seconds for Polars alone to read ``source`` and write a file of the results' shape (the inputs
    plus the twelve result text columns, taken from ``results`` and read before timing): its first pass
    in a fresh process (what one run of a script costs, as `airegime batch` is one run), and its best
    pass once warmed up (memory already mapped by the earlier passes). In a subprocess: a child's peak
    RSS counts its parent's, so this process stays small."""
    names = [c for c in result_columns() if c not in (ERRORS_COLUMN, NOTES_COLUMN)]
    target = results.with_name("polars-alone.csv")
    arguments = [str(source), str(results), str(target), str(PASSES), *names]
    done = subprocess.run([sys.executable, "-c", POLARS_ALONE, *arguments], check=True, capture_output=True, text=True)
    target.unlink()
    first, *warm = (float(line) for line in done.stdout.split())
    return first, min(warm)


def run_cli(*arguments: str) -> tuple[float, int, int, float]:
    """(wall seconds, exit code, peak RSS in bytes, CPU seconds) of one `airegime` subprocess."""
    start = time.perf_counter()
    process = subprocess.Popen([str(CLI), *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        assert process.stderr is not None
        raise RuntimeError(process.stderr.read().decode())
    return seconds, process.returncode, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def files(
    workdir: Path, csv_rows: int, xlsx_rows: int, parquet_rows: int, old_csv_rows: int = 0
) -> dict[str, tuple[float, int, int, float]]:
    workdir.mkdir(parents=True, exist_ok=True)
    figures = {}
    if csv_rows:
        source = workdir / f"inventory-{csv_rows}.csv"
        inventory_frame(KB, csv_rows, seed=1, given_once=False).write_csv(source)
        label = f"{csv_rows:,}-row CSV -> CSV"
        # Each side's best of ROUNDS, taken in turn, so that a burst of other work on the machine
        # weighs on both sides alike; each starts with nothing left to write back to the disk
        # (os.sync), or the one that runs after the other's 1 GB results would pay for them; and
        # with no earlier output of its own: Polars alone's is deleted after each round, and
        # writing 1 GB beside an old 1 GB file (`airegime batch` replaces its output only once
        # the new one is whole) takes up to twice as long on this machine's page cache.
        runs, alone = [], []
        for _ in range(ROUNDS):
            (workdir / "results.csv").unlink(missing_ok=True)
            os.sync()
            runs.append(run_cli("batch", str(source), "-o", str(workdir / "results.csv")))
            os.sync()
            alone.append(polars_alone(source, workdir / "results.csv"))
        figures[label] = min(runs)
        for name, seconds in zip((ONE_PASS, WARMED_UP), zip(*alone, strict=True), strict=True):
            figures[f"{label}: Polars alone, {name}"] = (min(seconds), 0, 0, float("nan"))
    if old_csv_rows:
        source = workdir / f"inventory-format1-{old_csv_rows}.csv"
        inventory_frame(KB, old_csv_rows, seed=1, given_once=False, old=True).write_csv(source)
        output = str(workdir / "results-format1.csv")
        figures[f"{old_csv_rows:,}-row format-1 CSV -> CSV"] = run_cli("batch", str(source), "-o", output)
    if xlsx_rows:
        source = workdir / f"inventory-{xlsx_rows}.xlsx"
        inventory_frame(KB, xlsx_rows, seed=2, given_once=True).write_excel(source)
        for suffix, label in ((".xlsx", ".xlsx"), ("-x.csv", "CSV")):
            output = str(workdir / f"results{suffix}")
            figures[f"{xlsx_rows:,}-row .xlsx -> {label}"] = run_cli("batch", str(source), "-o", output)
    if parquet_rows:
        source = workdir / f"inventory-{parquet_rows}.parquet"
        if not source.exists():
            write_parquet_inventory(source, parquet_rows)
        results = workdir / "results.parquet"
        figures[f"{parquet_rows:,}-row Parquet -> Parquet"] = run_cli("batch", str(source), "-o", str(results))
        assert pq.ParquetFile(results).metadata.num_rows == parquet_rows
    return figures


def report(args: argparse.Namespace) -> list[str]:
    load = os.getloadavg()[0]
    lines = [
        f"airegime batch benchmark — rule set {KB.version} ({KB.hash}); {os.cpu_count()} CPUs, "
        f"evaluator: {usable_processors()} threads, blocks of {BLOCK_ROWS:,} rows; Python {sys.version.split()[0]}; "
        f"polars {pl.__version__}, numpy {np.__version__}; load average at start {load:.1f} "
        "(the machine is shared: wall times grow with it)",
        "",
    ]
    functions, unknown_share = evaluation(args.rows)
    if args.peers is not None:
        functions |= peers(args.peers, args.rows)
    timed = medians(functions, args.runs)
    rate = {label: args.rows / seconds for label, (seconds, _) in timed.items()}
    program = batch_program(KB)
    development, deployment = len(program.development.table.axes), len(program.deployment.table.axes)
    lines += [
        f"1. Evaluation, {args.rows:,} in-memory rows, both phases ({development} + {deployment} answer columns, "
        f"{unknown_share:.0%} unknown); every evaluator below timed in turn, median of {args.runs} rounds:",
        f"   airegime batch evaluator    {rate['batch evaluator'] / 1e6:8.1f} M rows/s   "
        f"(spread {timed['batch evaluator'][1]:.0%})",
        f"   the same, result ids        {rate['result ids'] / 1e6:8.1f} M rows/s   "
        "(what `airegime batch` runs: 2 bytes out)",
        f"   the same on one thread      {rate['one thread'] / 1e6:8.1f} M rows/s   (for comparison)",
        f"   memory-touch limit          {rate['memory touch'] / 1e6:8.1f} M rows/s   "
        f"(copy {development + deployment} input bytes, write 2)",
    ]
    ours = rate["batch evaluator"]
    targets = [("evaluation >= 100 M rows/s", ours >= 100e6, f"{ours / 1e6:.0f} M rows/s")]
    if args.peers is not None:
        ratio = ours / rate["openfisca"]
        lines += [
            f"   harness, same rounds, its {args.rows:,} rows of 9 boolean facts:",
            *(f"     {label:<25} {rate[label] / 1e6:8.1f} M rows/s" for label, _ in PEERS),
            f"   airegime (real KB) / OpenFisca (9 facts) = {ratio:.1f}x",
        ]
        targets.append(("evaluation >= 10x OpenFisca", ratio >= 10, f"{ratio:.1f}x"))
        compared = (
            ("batch evaluator", ours),
            ("its result ids", rate["result ids"]),
            ("plug-in", rate["airegime plug-in"]),
        )
        for label, ours_rate in compared:
            versus = ours_rate / rate["polars"]
            targets.append((f"{label} >= harness's Polars expression", versus >= 1, f"{versus:.2f}x"))
    figures = files(Path(args.workdir), args.csv_rows, args.xlsx_rows, args.parquet_rows, args.format1_csv_rows)
    lines += [
        "",
        "2-4. Files, end to end (`airegime batch` subprocess: start-up, read, assess, write;"
        f" the 1M-row CSV and Polars alone: each the best of {ROUNDS} rounds, in turn):",
    ]
    for label, (seconds, code, peak, cpu) in figures.items():
        if ": Polars alone, " in label:
            lines.append(f"   {label:<32} {seconds:7.2f} s (read + write the inputs and 12 result columns)")
            continue
        lines.append(
            f"   {label:<32} {seconds:7.2f} s wall  {cpu:7.2f} s CPU   peak RSS {peak / 2**20:6.0f} MiB   exit {code}"
        )
    limits = {"CSV -> CSV": ("s", 5.0), ".xlsx -> .xlsx": ("s", 10.0), "Parquet -> Parquet": ("MiB", 2048.0)}
    for label, (seconds, _, peak, _) in figures.items():
        for suffix, (unit, limit) in limits.items():
            if label.endswith(suffix):
                value = seconds if unit == "s" else peak / 2**20
                targets.append((f"{label} < {limit:g} {unit}", value < limit, f"{value:.2f} {unit}"))
    for label, (seconds, *_) in figures.items():
        for name in (ONE_PASS, WARMED_UP):
            alone = figures.get(f"{label}: Polars alone, {name}")
            if alone is not None:
                ratio = seconds / alone[0]
                targets.append((f"{label} <= 2.5x Polars alone, {name}", ratio <= 2.5, f"{ratio:.2f}x"))
    lines += ["", "Targets:"]
    lines += [f"   [{'met' if ok else 'MISSED'}] {name}: {value}" for name, ok, value in targets]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--format1-csv-rows", type=int, default=1_000_000, help="old (format-1) columns")
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--parquet-rows", type=int, default=10_000_000)
    parser.add_argument(
        "--peers",
        nargs="?",
        const="",
        help="the shared harness folder (alone: $AIREGIME_PEERS_HARNESS, else ../shared/bench), run in its venv",
    )
    parser.add_argument("--workdir", default="/tmp/airegime-bench-batch")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--output", help="also write the report here")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.runs, args.csv_rows, args.xlsx_rows, args.parquet_rows = 100_000, 3, 10_000, 2_000, 50_000
        args.format1_csv_rows = 10_000
    lines = report(args)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
