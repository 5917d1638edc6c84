"""`airegime db export` / `db import` benchmark: a database of N saved assessments (default 1,000)
moved SQLite -> file -> PostgreSQL -> file -> SQLite, through the command line as a user runs it.

    AIREGIME_BENCH_POSTGRES_URL=postgresql+psycopg://user:pass@host/db \\
        .venv/bin/python benchmarks/bench_transfer.py [--assessments 1000] [--rounds 3]
        # prints a table, writes benchmarks/results/transfer-1000.txt
        # the PostgreSQL database is emptied (airegime's tables dropped) before each import

The source is filled through the Repository: every example descriptor in turn, imported, then
three answers changed (so each assessment has a history and four evaluations). Each step runs
`airegime db …` in a child process: "command" is its wall time (interpreter start, imports, the
schema check included), "transfer" the time the command itself reports, "peak RSS" the child's
maximum resident memory (os.wait4). Figures: median [min–max] over the rounds.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"  # transfer-<assessments>.txt
AIREGIME = [sys.executable, "-m", "airegime"]


def fill(url: str, assessments: int) -> None:
    from airegime.kb import load_knowledge_base
    from airegime.storage import Repository
    from airegime.system import load_system

    kb = load_knowledge_base()
    repo = Repository.open(url, kb)
    systems = [load_system(path, kb=kb) for path in sorted((ROOT / "examples").glob("*.yaml"))]
    for i in range(assessments):
        new = repo.import_system(systems[i % len(systems)].model_copy(update={"name": f"System {i} — é 🚀"}))
        for value in ("yes", "no", "unknown"):
            repo.set_answer(new, scope="development", context_id=None, question="personal_data", value=value)
    repo.engine.dispose()


def empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    from airegime.storage.models import Base

    engine = create_engine(url)
    with engine.begin() as connection:
        names = ", ".join([*(t.name for t in Base.metadata.sorted_tables), "alembic_version"])
        connection.execute(text(f"DROP TABLE IF EXISTS {names} CASCADE"))
    engine.dispose()


def run(*arguments: str) -> tuple[float, float, float]:
    """(command seconds, transfer seconds it reports, peak RSS in MB) of one `airegime db …`."""
    started = time.perf_counter()
    child = subprocess.Popen([*AIREGIME, "db", *arguments], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    output = child.stdout.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"airegime db {' '.join(arguments)} failed ({child.returncode}): {output}")
    reported = re.search(r"\(([\d.]+) s\)\s*$", output) or re.search(r", ([\d.]+) s\)\s*$", output)
    assert reported, output
    return wall, float(reported.group(1)), usage.ru_maxrss / 1024


def spread(values: list[float], unit: str, digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} {unit} [{min(values):.{digits}f}–{max(values):.{digits}f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    postgres = os.environ.get("AIREGIME_BENCH_POSTGRES_URL", "")
    if not postgres:
        raise SystemExit("set AIREGIME_BENCH_POSTGRES_URL (a PostgreSQL database this benchmark may empty)")

    load_before = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="bench-transfer-"))
    try:
        source = f"sqlite:///{folder / 'source.sqlite3'}"
        started = time.perf_counter()
        fill(source, options.assessments)
        filling = time.perf_counter() - started
        steps: dict[str, list[tuple[float, float, float]]] = {}
        sizes = []
        for round_ in range(options.rounds):
            from_sqlite, from_postgres = folder / f"a{round_}.jsonl.gz", folder / f"b{round_}.jsonl.gz"
            steps.setdefault("export SQLite -> file", []).append(
                run("export", str(from_sqlite), "--database-url", source)
            )
            empty_postgres(postgres)
            steps.setdefault("import file -> PostgreSQL (empty)", []).append(
                run("import", str(from_sqlite), "--database-url", postgres)
            )
            steps.setdefault("export PostgreSQL -> file", []).append(
                run("export", str(from_postgres), "--database-url", postgres)
            )
            steps.setdefault("import file -> PostgreSQL --replace", []).append(
                run("import", str(from_postgres), "--database-url", postgres, "--replace")
            )
            back = f"sqlite:///{folder / f'back{round_}.sqlite3'}"
            steps.setdefault("import file -> SQLite (new)", []).append(
                run("import", str(from_postgres), "--database-url", back)
            )
            steps.setdefault("import file -> SQLite --replace", []).append(
                run("import", str(from_sqlite), "--database-url", back, "--replace")
            )
            sizes.append(from_sqlite.stat().st_size)
        rows = _rows(from_sqlite)
        sqlite_size = (folder / "source.sqlite3").stat().st_size
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    lines = [
        f"airegime db export/import benchmark — Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average before the run {load_before:.2f}",
        "",
        f"source: {options.assessments:,} assessments filled through the Repository in {filling:.0f} s; "
        f"{rows} ; SQLite file {sqlite_size / 1e6:.1f} MB; export file {statistics.median(sizes) / 1e6:.2f} MB",
        f"median [min–max] over {options.rounds} rounds",
        "",
        f"{'step':<38}{'command (wall)':>26}{'transfer (reported)':>26}{'peak RSS':>22}",
    ]
    for name, figures in steps.items():
        walls, transfers, memory = zip(*figures, strict=True)
        lines.append(
            f"{name:<38}{spread(list(walls), 's'):>26}{spread(list(transfers), 's', 1):>26}"
            f"{spread(list(memory), 'MB', 0):>22}"
        )
    lines.append(f"\nload average after the run: {os.getloadavg()[0]:.2f}")
    report = "\n".join(lines) + "\n"
    print(report)
    (RESULTS / f"transfer-{options.assessments}.txt").write_text(report, encoding="utf-8")


def _rows(path: Path) -> str:
    import gzip
    import json

    with gzip.open(path) as lines:
        tables = json.loads(lines.readline())["tables"]
    total = sum(t["rows"] for t in tables)
    return f"{total:,} rows (" + ", ".join(f"{t['name']} {t['rows']:,}" for t in tables if t["rows"]) + ")"


if __name__ == "__main__":
    main()
