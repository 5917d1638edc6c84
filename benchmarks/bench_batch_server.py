"""The web server's resident memory over repeated batch uploads (issue 13, item 14).

    .venv/bin/python benchmarks/bench_batch_server.py --output benchmarks/results/batch-server.txt
    .venv/bin/python benchmarks/bench_batch_server.py --quick

One `airegime serve` process (uvicorn, one worker) on a fresh SQLite database. Several browsers
(each its own owner) upload in turn a ~4.9 MB CSV inventory (44,000 rows) and an .xlsx one
(~20,000 rows), open the results page in French and in English, and download the results as
CSV and .xlsx; then hostile spreadsheets are sent (a cell at XFD1048576, a 1 MB zip bomb). The
server's resident memory (VmRSS) is read from /proc after every step, and its peak (VmHWM) at
the end. The budget documented in docs/web.md is 300 MB of resident memory.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
import numpy as np
import polars as pl

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from batch.hostile import far_cell_xlsx, zip_bomb_xlsx  # type: ignore[import-not-found]  # noqa: E402

HEADER = [
    "system_id", "system_name", "deployment_name", "household", "development.personal_data",
    "development.eu_link", "for_client", "development.controller_kind", "use_defined", "foreseen_uses",
    "deployment.personal_data", "deployment.eu_link", "deployment.controller_kind", "deployment.purpose",
]  # fmt: skip
CHOICES = {
    "household": ["oui", "non", ""],
    "development.personal_data": ["oui", "non", ""],
    "development.eu_link": ["oui", "non"],
    "for_client": ["oui", "non"],
    "development.controller_kind": ["private_body", "competent_authority", ""],
    "use_defined": ["oui", "non"],
    "foreseen_uses": ["various", ""],
    "deployment.personal_data": ["oui", "non"],
    "deployment.eu_link": ["oui", "non"],
    "deployment.controller_kind": ["private_body", "competent_authority", "entreprise"],
    "deployment.purpose": ["criminal_law", "other"],
}


def inventory(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    systems = np.arange(rows) // 3
    columns: dict[str, object] = {
        "system_id": [f"S{n}" for n in systems],
        "system_name": [f"Système {n} de tri" for n in systems],
        "deployment_name": [f"Contexte {n}" for n in range(rows)],
    }
    for name, values in CHOICES.items():
        columns[name] = [values[i] for i in rng.integers(0, len(values), rows)]
    return pl.DataFrame(columns).select(HEADER)


class Lines(list[str]):
    """The report, printed as it grows (a long run shows its progress)."""

    def append(self, line: str) -> None:
        print(line, flush=True)
        super().append(line)


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(field)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--output", type=Path)
    parser.add_argument(
        "--malloc-conf",
        default=None,
        help="jemalloc options for the server's polars (_RJEM_MALLOC_CONF), e.g. the ones `airegime serve` sets",
    )
    arguments = parser.parse_args()
    rounds = 2 if arguments.quick else 8
    browsers = 3
    with tempfile.TemporaryDirectory(prefix="airegime-bench-") as folder_name:
        folder = Path(folder_name)
        csv_path, xlsx_path = folder / "inventaire.csv", folder / "inventaire.xlsx"
        inventory(44_000, 1).write_csv(csv_path)
        inventory(20_000, 2).write_excel(xlsx_path)
        hostile = [far_cell_xlsx(folder / "far.xlsx", "XFD", 1048576), zip_bomb_xlsx(folder / "bomb.xlsx")]
        port = free_port()
        environment = {**os.environ, "AIREGIME_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}"}
        environment.pop("_RJEM_MALLOC_CONF", None)  # as polars set it in this process: the server sets its own
        if arguments.malloc_conf is not None:
            environment["_RJEM_MALLOC_CONF"] = arguments.malloc_conf
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "airegime"), "serve", "--port", str(port)],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        lines = Lines()
        lines.append(
            f"inventories: {csv_path.stat().st_size / 1e6:.1f} MB CSV (44,000 rows), "
            f"{xlsx_path.stat().st_size / 1e6:.1f} MB .xlsx (20,000 rows); {browsers} browsers, {rounds} rounds"
        )
        lines.append(
            "allocator: polars' jemalloc with _RJEM_MALLOC_CONF="
            + (
                f"{arguments.malloc_conf} (on top of polars' defaults)"
                if arguments.malloc_conf
                else "(polars' defaults)"
            )
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx2.get(f"{base}/batch", timeout=1)
                    break
                except httpx2.HTTPError:
                    time.sleep(0.2)
            clients = [httpx2.Client(base_url=base, timeout=120) for _ in range(browsers)]
            for client in clients:
                client.get("/")
            idle = rss_mb(server.pid)
            lines.append(f"idle after start: {idle:.0f} MB")
            samples: list[float] = []
            started = time.perf_counter()
            for round_number in range(rounds):
                for client in clients:
                    for path in (csv_path, xlsx_path):
                        token = client.cookies.get("airegime_csrf")
                        response = client.post(
                            "/batch", data={"csrf_token": token}, files={"file": (path.name, path.read_bytes())}
                        )
                        assert response.status_code == 303, (
                            response.status_code,
                            response.text[response.text.find('role="alert"') :][:800],
                        )
                        location = response.headers["location"]
                        for lang in ("fr", "en"):
                            client.get(f"/lang/{lang}")
                            assert client.get(location).status_code == 200
                            assert client.get(f"{location}/results.csv").status_code == 200
                            assert client.get(f"{location}/results.xlsx").status_code == 200
                        samples.append(rss_mb(server.pid))
                lines.append(
                    f"round {round_number + 1}: {len(samples)} uploads, resident {samples[-1]:.0f} MB "
                    f"(highest so far {max(samples):.0f} MB)"
                )
            elapsed = time.perf_counter() - started
            for path in hostile:
                token = clients[0].cookies.get("airegime_csrf")
                response = clients[0].post(
                    "/batch", data={"csrf_token": token}, files={"file": (path.name, path.read_bytes())}
                )
                assert response.status_code == 400, response.status_code
                lines.append(
                    f"hostile {path.name} ({path.stat().st_size:,} bytes): 400, resident {rss_mb(server.pid):.0f} MB"
                )
            lines.append(
                f"after {len(samples)} uploads (each viewed and downloaded in 2 languages, {elapsed:.0f} s): "
                f"resident {rss_mb(server.pid):.0f} MB, highest between uploads {max(samples):.0f} MB, "
                f"peak (VmHWM) {rss_mb(server.pid, 'VmHWM'):.0f} MB"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    if arguments.output:
        arguments.output.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
