"""Report benchmark (issue 4): Markdown and JSON reports, the PDF with five deployment contexts,
and the decision diagram, against the issue's targets.

    .venv/bin/python benchmarks/bench_reports.py            # prints a table, writes benchmarks/results/reports.txt
    .venv/bin/python benchmarks/bench_reports.py --no-save  # prints the table only

Each figure is the median of several runs after one warm-up run (fonts, templates and the
knowledge base loaded once, as in a running web app): wall-clock time (time.perf_counter) and CPU
time (this process and its children, from os.times), the latter telling a busy machine from a slow
program. "end to end" starts from the assessment and includes `explain` (counterfactuals);
"layout only" starts from the built report and measures the format alone. "cold command line" is
`airegime report … --format pdf` in a new Python process: imports, fonts, knowledge base, the
diagram's layout (Graphviz in-process, from the pygraphviz wheel) and Typst, as a user waits for it.

Typst (PDF, diagram PNG) memoizes layouts and decoded images within a process: the same input
twice is mostly a cache hit. So each PDF run reports on a different date (new data to lay out, as a
new report would be; its path diagram stays the same picture, as for one assessment downloaded
again) and each PNG run draws an SVG that differs by a comment (parsed and drawn afresh).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIVE_DEPLOYMENTS = ROOT / "tests" / "reports" / "fixtures" / "five-deployments.yaml"
RESULTS = ROOT / "benchmarks" / "results" / "reports.txt"


def median_seconds(function: Callable[[], Any], *, runs: int) -> tuple[float, float]:
    """(wall, cpu) medians in seconds."""
    function()
    walls, cpus = [], []
    for _ in range(runs):
        before, started = os.times(), time.perf_counter()
        function()
        walls.append(time.perf_counter() - started)
        after = os.times()
        cpus.append(sum(after[:4]) - sum(before[:4]))
    return statistics.median(walls), statistics.median(cpus)


def measure() -> list[tuple[str, tuple[float, float], float]]:
    """(what, (wall, cpu) seconds, target seconds) for each figure the issue asks for."""
    from airegime.engine.evaluate import evaluate
    from airegime.kb import load_knowledge_base
    from airegime.render.diagram import PNG_PPI, decision_diagram
    from airegime.render.pdf import svg_to_png
    from airegime.render.report_data import report_json
    from airegime.render.report_markdown import report_markdown
    from airegime.render.reports import render_report, report_dict
    from airegime.system import load_system

    kb = load_knowledge_base()
    five = evaluate(kb=kb, system=load_system(FIVE_DEPLOYMENTS, kb=kb))
    day = date(2026, 1, 15)

    def report(fmt: str, **options: Any) -> Callable[[], bytes]:
        return lambda: render_report(kb=kb, assessment=five, fmt=fmt, lang="fr", generated=day, **options)  # type: ignore[arg-type]

    def fresh_pdf(**options: Any) -> Callable[[], bytes]:
        days = itertools.count(1)
        return lambda: render_report(
            kb=kb, assessment=five, fmt="pdf", lang="fr", generated=day + timedelta(next(days)), **options
        )

    def fresh_png(**options: Any) -> Callable[[], bytes]:
        runs = itertools.count()

        def draw() -> bytes:  # what decision_diagram(fmt="png") does, with a new SVG each time
            svg = decision_diagram(kb=kb, fmt="svg", lang="fr", **options).decode()
            return svg_to_png(svg + f"<!-- run {next(runs)} -->\n", ppi=PNG_PPI)

        return draw

    def diagram(fmt: str, **options: Any) -> Callable[[], bytes]:
        return lambda: decision_diagram(kb=kb, fmt=fmt, lang="fr", **options)  # type: ignore[arg-type]

    def cold_pdf() -> None:
        with tempfile.TemporaryDirectory() as folder:
            command = [sys.executable, "-m", "airegime", "report", str(FIVE_DEPLOYMENTS), "--format", "pdf"]
            subprocess.run([*command, "-o", f"{folder}/report.pdf"], check=True, capture_output=True)

    built = report_dict(kb=kb, assessment=five, lang="fr", generated=day)
    return [
        ("PDF report with path diagram, cold command line", median_seconds(cold_pdf, runs=5), 1.0),
        ("Markdown report, 5 deployments, end to end", median_seconds(report("md"), runs=50), 0.005),
        ("JSON report, 5 deployments, end to end", median_seconds(report("json"), runs=50), 0.005),
        ("Markdown report, 5 deployments, layout only", median_seconds(lambda: report_markdown(built), runs=50), 0.005),
        ("JSON report, 5 deployments, layout only", median_seconds(lambda: report_json(built), runs=50), 0.005),
        ("PDF report, 5 deployments, with path diagram", median_seconds(fresh_pdf(), runs=9), 1.0),
        ("PDF report, 5 deployments, no diagram", median_seconds(fresh_pdf(diagram=False), runs=9), 1.0),
        ("HTML report, 5 deployments, with path diagram", median_seconds(report("html"), runs=15), 1.0),
        ("Word report, 5 deployments", median_seconds(report("docx"), runs=15), 1.0),
        ("Diagram SVG, whole rule set", median_seconds(diagram("svg"), runs=15), 0.3),
        ("Diagram SVG, 5-deployment paths", median_seconds(diagram("svg", assessment=five, focus=True), runs=15), 0.3),
        ("Diagram PNG, whole rule set", median_seconds(fresh_png(), runs=9), 0.3),
        ("Diagram PNG, deployment phase", median_seconds(fresh_png(phase="deployment"), runs=9), 0.3),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-save", action="store_true", help=f"print the table without writing {RESULTS.name}")
    options = parser.parse_args()
    import pygraphviz  # type: ignore[import-untyped]

    load = os.getloadavg()[0]
    rows = measure()
    versions = (
        f"Typst {version('typst')}, pygraphviz {pygraphviz.__version__} (Graphviz {pygraphviz.__graphviz_version__})"
    )
    lines = [f"airegime report benchmark — Python {platform.python_version()}, {platform.machine()}, {versions}", ""]
    lines.append(f"load average before the run: {load:.2f}, after: {os.getloadavg()[0]:.2f}, on {os.cpu_count()} CPUs")
    lines.append("")
    lines.append(f"{'what':<52} {'wall':>9} {'cpu':>9} {'target':>8}  met (wall)")
    for what, (wall, cpu), target in rows:
        mark = "yes" if wall < target else "NO"
        lines.append(f"{what:<52} {wall * 1000:>7.1f}ms {cpu * 1000:>7.1f}ms {target * 1000:>6.0f}ms  {mark}")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if not options.no_save:  # the hand-written notes below the table are kept
        RESULTS.parent.mkdir(exist_ok=True)
        previous = RESULTS.read_text() if RESULTS.exists() else ""
        notes = previous[previous.find("\nNotes") :] if "\nNotes" in previous else ""
        RESULTS.write_text(text + notes)


if __name__ == "__main__":
    main()
