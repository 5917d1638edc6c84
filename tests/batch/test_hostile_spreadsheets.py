"""Issue 13, items 1 and 2, through the command line: a 1.5 kB .xlsx with one cell at XFD1048576
made `airegime batch` abort (exit 134) after asking for hundreds of GB; one at ZZ100000 cost
2.7 GB; a 1 MB zip bomb inflates to 1 GB. Each is now refused with exit 2 and a message that
says what is wrong, before any reader allocates the sheet: the peak memory of the subprocess
stays that of the program itself."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from batch.hostile import far_cell_xlsx, zip_bomb_xlsx

pytestmark = pytest.mark.slow  # runs airegime in a subprocess

CLI = Path(sys.executable).parent / "airegime"
PEAK_LIMIT_MB = 400  # the program alone (Python, polars, the rules) is about 125 MB

HOSTILE: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "far.xlsx": ("column 16,384, beyond the limit of at most 256 columns", lambda p: far_cell_xlsx(p, "XFD", 1048576)),
    "wide.xlsx": ("column 702, beyond the limit of at most 256 columns", lambda p: far_cell_xlsx(p, "ZZ", 100000)),
    "tall.xlsx": ("a row numbered 1,048,577", lambda p: far_cell_xlsx(p, "A", 1048577)),
    "bomb.xlsx": ("inflates to more than 512 MB", zip_bomb_xlsx),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_spreadsheet_exits_2_with_the_reason_in_bounded_memory(
    tmp_path: Path, name: str, run_measured: Callable[..., tuple[subprocess.CompletedProcess[str], float]]
) -> None:
    message, make = HOSTILE[name]
    path = make(tmp_path / name)
    assert path.stat().st_size < 2_000_000
    done, peak_mb = run_measured(str(CLI), "batch", str(path), "-o", str(tmp_path / "results.csv"), "--lang", "en")
    assert done.returncode == 2, done.stderr
    assert message in " ".join(done.stderr.split()), done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "results.csv").exists()
    assert peak_mb < PEAK_LIMIT_MB, f"{name}: peak {peak_mb:.0f} MB"


SERVER = """
import sys
from pathlib import Path
from fastapi.testclient import TestClient
from airegime.kb import load_knowledge_base
from airegime.storage import Repository
from airegime.web.app import create_app

folder = Path(sys.argv[1])
repo = Repository.open(f"sqlite:///{folder / 'web.sqlite3'}", load_knowledge_base())
with TestClient(create_app(repository=repo), raise_server_exceptions=False, follow_redirects=False) as client:
    client.get("/")
    token = client.cookies.get("airegime_csrf")
    for path in sorted(folder.glob("*.xlsx")):
        data = path.read_bytes()
        page = client.post("/batch", data={"csrf_token": token}, files={"file": (path.name, data)})
        api = client.post("/api/v1/batch", files={"file": (path.name, data)})
        print(path.name, page.status_code, api.status_code, api.json()["error"]["message"])
    print("alive", client.get("/batch").status_code)
"""


def test_the_web_app_and_the_api_refuse_every_hostile_spreadsheet_in_bounded_memory(
    tmp_path: Path, run_measured: Callable[..., tuple[subprocess.CompletedProcess[str], float]]
) -> None:
    for name, (_, make) in HOSTILE.items():
        make(tmp_path / name)
    done, peak_mb = run_measured(sys.executable, "-c", SERVER, str(tmp_path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for name, (message, _) in HOSTILE.items():
        assert any(line.startswith(f"{name} 400 422 ") and message in line for line in lines), done.stdout
    assert lines[-1] == "alive 200"
    assert peak_mb < PEAK_LIMIT_MB, f"peak {peak_mb:.0f} MB"
