"""`airegime report`, `import-report`, `methodology` and `diagram`, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import GOLDEN, ROOT

pytestmark = pytest.mark.slow  # runs airegime in a subprocess

EXAMPLE = str(ROOT / "examples" / "zone-crossing-detector.yaml")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    environment = {k: v for k, v in os.environ.items() if k not in ("AIREGIME_LANG", "SOURCE_DATE_EPOCH")}
    environment.update({"COLUMNS": "200", **(env or {})})
    return subprocess.run([sys.executable, "-m", "airegime", *args], capture_output=True, env=environment, timeout=120)


def test_report_markdown_to_stdout_matches_the_library(tmp_path: Path) -> None:
    result = run("report", EXAMPLE, "--lang", "en", "--date", "2026-01-15")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (GOLDEN / "zone.en.md").read_bytes()


def test_report_date_from_source_date_epoch() -> None:
    result = run("report", EXAMPLE, "-f", "json", env={"SOURCE_DATE_EPOCH": "1768435200"})
    assert json.loads(result.stdout)["generated"] == "2026-01-15"


def test_every_format_writes_its_file(tmp_path: Path) -> None:
    magic = {"md": b"# ", "json": b"{", "html": b"<!DOCTYPE html>", "pdf": b"%PDF", "docx": b"PK"}
    for fmt, start in magic.items():
        out = tmp_path / f"report.{fmt}"
        result = run("report", EXAMPLE, "-f", fmt, "-o", str(out), "--no-diagram")
        assert result.returncode == 0, result.stderr
        assert out.read_bytes().startswith(start) and str(out).encode() in result.stderr


def test_without_a_format_the_output_name_chooses_it(tmp_path: Path) -> None:
    made = {
        ("report", EXAMPLE, "--no-diagram", "-o", "report.pdf"): b"%PDF",
        ("report", EXAMPLE, "-o", "report.htm"): b"<!DOCTYPE html>",
        ("report", EXAMPLE, "-o", "report.txt"): b"# ",  # no format of its own: the default, Markdown
        ("methodology", "-o", "method.html"): b"<!DOCTYPE html>",
        ("diagram", "-o", "diagram.dot"): b"digraph",
    }
    for args, start in made.items():
        out = tmp_path / args[-1]
        result = run(*args[:-1], str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_bytes().startswith(start), args


@pytest.mark.parametrize(("lang", "words"), [("en", b"ends in .pdf"), ("fr", b"se termine par .pdf")])
def test_a_format_the_output_name_contradicts_is_refused_and_nothing_written(
    tmp_path: Path, lang: str, words: bytes
) -> None:
    out = tmp_path / "report.pdf"
    result = run("report", EXAMPLE, "--format", "md", "-o", str(out), "--lang", lang)
    assert result.returncode == 2
    assert words in result.stderr and b"--format" in result.stderr
    assert not out.exists()


def test_json_report_round_trip_through_the_command_line(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    assert run("report", EXAMPLE, "-f", "json", "-o", str(report)).returncode == 0
    descriptor = tmp_path / "descriptor.yaml"
    result = run("import-report", str(report), "-o", str(descriptor))
    assert result.returncode == 0, result.stderr
    original = yaml.safe_load(Path(EXAMPLE).read_text())
    assert yaml.safe_load(descriptor.read_text())["deployments"][1]["answers"] == original["deployments"][1]["answers"]
    # a JSON report is accepted wherever `report` and `diagram` take a descriptor
    again = run("report", str(report), "--date", "2026-01-15", "--lang", "en")
    assert again.stdout == (GOLDEN / "zone.en.md").read_bytes()
    assert run("diagram", str(report), "-f", "dot").stdout.count(b"#d9480f") > 0


def test_bad_inputs_get_a_clear_error_and_exit_2(tmp_path: Path) -> None:
    result = run("report", EXAMPLE, "--date", "yesterday", "--lang", "en")
    assert result.returncode == 2 and b"YYYY-MM-DD" in result.stderr
    assert "AAAA-MM-JJ" in run("report", EXAMPLE, "--date", "yesterday").stderr.decode()  # French by default
    result = run("import-report", EXAMPLE, env={"AIREGIME_LANG": "en"})
    assert result.returncode == 2 and b"not valid JSON" in result.stderr
    fake = tmp_path / "fake.json"
    fake.write_text('{"format": "airegime.report/7", "system": {}}')
    result = run("import-report", str(fake), env={"AIREGIME_LANG": "en"})
    assert result.returncode == 2 and b"not supported" in result.stderr
    result = run("report", EXAMPLE, "-o", str(tmp_path / "missing" / "r.md"), "--lang", "en")
    assert result.returncode == 2 and b"cannot write" in result.stderr
    assert run("report", EXAMPLE, "-f", "odt").returncode == 2


def test_methodology_and_diagram_commands(tmp_path: Path) -> None:
    result = run("methodology", "--lang", "en")
    assert result.returncode == 0 and result.stdout == (ROOT / "docs" / "methodology.en.md").read_bytes()
    png = tmp_path / "d.png"
    assert run("diagram", "-f", "png", "-o", str(png)).returncode == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    svg = run("diagram", EXAMPLE, "--focus", "--lang", "en").stdout
    assert b"<svg" in svg and "← Deployment: National police".encode() in svg
