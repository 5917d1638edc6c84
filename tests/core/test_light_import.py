"""A light library, honest extras: the library and the command line's core need pydantic, PyYAML,
numpy, typer and rich only; a command that needs an extra says which, and pyproject.toml has it.

Each check runs in a fresh interpreter: what a test process has already imported proves nothing.
Import speed is measured by benchmarks/bench_import.py, not asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from airegime.errors import AiregimeError, MissingExtraError

pytestmark = pytest.mark.slow  # runs airegime in a subprocess

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "zone-crossing-detector.yaml")
EXTRA_MODULES = {module for modules in MissingExtraError.MODULES.values() for module in modules}
HEAVY = {"fastapi", "starlette", "polars", "pyarrow", "typst", "sqlalchemy", "docx", "openpyxl", "pygraphviz"}

# A fresh interpreter where no extra is installed: importing any of their modules fails as it would there.
CORE_ONLY = """
import sys

BLOCKED = set(sys.argv[1].split(","))


class NotInstalled:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NotInstalled)
sys.argv = ["airegime", *sys.argv[2:]]
from airegime.cli import main

main()
"""


def run_core_only(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIREGIME_")}
    env.update(AIREGIME_DATA_DIR=str(tmp_path / "data"), AIREGIME_LANG="en", COLUMNS="200")
    blocked = ",".join(sorted(EXTRA_MODULES))
    return subprocess.run(
        [sys.executable, "-c", CORE_ONLY, blocked, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_import_and_evaluate_load_no_optional_package() -> None:
    script = f"""
import json, sys
import airegime

kb = airegime.load_knowledge_base()
system = airegime.load_system({EXAMPLE!r}, kb=kb)
outcomes = [phase.outcome for phase in airegime.evaluate(kb=kb, system=system).phases]
loaded = sorted({{name.partition(".")[0] for name in sys.modules}})
print(json.dumps({{"outcomes": outcomes, "loaded": loaded}}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(result.stdout)
    assert seen["outcomes"] == ["gdpr", "gdpr", "police_justice"]
    assert sorted((HEAVY | EXTRA_MODULES) & set(seen["loaded"])) == []
    assert {"pydantic", "yaml", "numpy"} <= set(seen["loaded"])  # the probe sees real imports


def test_bare_import_loads_nothing_but_the_package() -> None:
    script = "import json, sys, airegime; print(json.dumps(sorted({n.partition('.')[0] for n in sys.modules})))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(json.loads(result.stdout))
    assert "airegime" in loaded
    assert sorted(loaded & (HEAVY | EXTRA_MODULES | {"pydantic", "numpy", "yaml"})) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["serve", "--help"],
        ["assess", EXAMPLE, "--format", "json"],
        ["compare", EXAMPLE, EXAMPLE],
        ["report", EXAMPLE, "--format", "md"],
        ["diagram", "--format", "dot"],
    ],
    ids=lambda args: " ".join(arg for arg in args if arg != EXAMPLE),
)
def test_the_core_commands_run_without_any_extra(args: list[str], tmp_path: Path) -> None:
    result = run_core_only(*args, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


@pytest.mark.parametrize(
    ("args", "extra", "module"),
    [
        (["report", EXAMPLE, "--format", "pdf", "-o", "r.pdf"], "reports", "jinja2"),
        (["report", EXAMPLE, "--format", "docx", "-o", "r.docx"], "reports", "docx"),
        (["diagram", "--format", "svg"], "reports", "pygraphviz"),
        (["methodology", "--format", "html"], "reports", "pygraphviz"),  # raised by the library: main() catches it
        (["batch", "--template", "t.xlsx"], "batch", "polars"),
        (["serve", "--port", "18999"], "web", "fastapi"),
        (["users", "list"], "web", "sqlalchemy"),
    ],
    ids=lambda value: " ".join(v for v in value if v != EXAMPLE) if isinstance(value, list) else value,
)
def test_a_command_needing_an_extra_names_it(args: list[str], extra: str, module: str, tmp_path: Path) -> None:
    result = run_core_only(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert f"this command needs the {extra} extra ({module} is not installed)" in result.stderr
    assert f"pip install 'airegime[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert sorted(path.name for path in tmp_path.iterdir()) == []  # nothing written, no database made


def test_a_missing_module_no_extra_brings_is_not_blamed_on_one() -> None:
    assert MissingExtraError.of(ModuleNotFoundError("No module named 'yaml'", name="yaml")) is None
    assert MissingExtraError.of(ModuleNotFoundError("No module named 'airegime.x'", name="airegime.x")) is None
    error = MissingExtraError.of(ModuleNotFoundError("halted", name="fastapi.responses"))
    assert error is not None and isinstance(error, AiregimeError)
    assert (error.extra, error.module, error.hint) == ("web", "fastapi", "pip install 'airegime[web]'")


def test_an_internal_missing_module_still_fails_loudly(tmp_path: Path) -> None:
    # Not an extra's module: a bug or a broken install, which a message about extras would hide.
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIREGIME_")}
    script = CORE_ONLY.replace("from airegime.cli", "sys.modules['airegime.engine.explain'] = None\nfrom airegime.cli")
    result = subprocess.run(
        [sys.executable, "-c", script, "", "explain", EXAMPLE], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1
    assert "ModuleNotFoundError" in result.stderr and "this command needs" not in result.stderr


def test_pyproject_extras_match_what_the_messages_name() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    for extra in MissingExtraError.MODULES:
        assert extra in extras, f"a message names airegime[{extra}], which pyproject.toml does not define"
    assert "airegime[reports,batch]" in extras["web"]  # the web app's pages offer reports and batch
    assert "airegime[web,reports,batch]" in extras["all"]
    assert "airegime[all]" in extras["dev"]
    core = {requirement.split(">")[0].split("<")[0].lower() for requirement in project["dependencies"]}
    assert core == {"pydantic", "pydantic-settings", "pyyaml", "numpy", "typer", "rich"}
    runtime = project["dependencies"] + [
        requirement
        for name in MissingExtraError.MODULES
        for requirement in extras[name]
        if "airegime[" not in requirement
    ]
    assert [requirement for requirement in runtime if "<" not in requirement] == []  # an upper bound on each
