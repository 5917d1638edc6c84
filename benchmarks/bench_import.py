"""Import benchmark (issue 15): the cold cost of `import airegime` and of a first result, beside the peer
`import pydantic, yaml, numpy` (the core the library needs), and which optional packages each loads.

    .venv/bin/python benchmarks/bench_import.py

Each sample is a fresh interpreter timing its own imports with time.perf_counter (the interpreter's
start-up left out); the figure is the median of 10 samples. The disk cache is warm, as on a second run.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from airegime.errors import MissingExtraError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "zone-crossing-detector.yaml"
OPTIONAL = sorted({module for modules in MissingExtraError.MODULES.values() for module in modules})  # the extras'

CASES = {
    "peer: import pydantic, yaml, numpy": "import pydantic, yaml, numpy",
    # `import pydantic` defers its models to first use: this peer pays for them, as any pydantic user does
    "peer: from pydantic import BaseModel; import yaml, numpy": "from pydantic import BaseModel\nimport yaml, numpy",
    "import airegime": "import airegime",
    "from airegime import evaluate, load_system, load_knowledge_base": (
        "from airegime import evaluate, load_system, load_knowledge_base"
    ),
    "import + load the rules + evaluate the example": (
        "import airegime\n"
        "kb = airegime.load_knowledge_base()\n"
        f"airegime.evaluate(kb=kb, system=airegime.load_system({str(EXAMPLE)!r}, kb=kb))"
    ),
}

PROBE = """
import json, sys, time
begin = time.perf_counter()
exec(compile({code!r}, "<case>", "exec"))
seconds = time.perf_counter() - begin
loaded = sorted({{name.partition(".")[0] for name in sys.modules}} & set({optional!r}))
print(json.dumps({{"seconds": seconds, "optional": loaded}}))
"""


def sample(code: str) -> tuple[float, list[str]]:
    probe = PROBE.format(code=code, optional=OPTIONAL)
    result = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT)
    seen = json.loads(result.stdout)
    return seen["seconds"], seen["optional"]


def main(runs: int = 10) -> None:
    print(f"python {sys.version.split()[0]}  ({sys.executable}), median of {runs} fresh interpreters")
    for code in CASES.values():
        sample(code)  # warms the disk cache and the bytecode files
    samples: dict[str, list[tuple[float, list[str]]]] = {label: [] for label in CASES}
    for _ in range(runs):  # the cases in turn: a change of load on the machine falls on each alike
        for label, code in CASES.items():
            samples[label].append(sample(code))
    for label, seen in samples.items():
        median_ms = statistics.median(seconds for seconds, _ in seen) * 1e3
        optional = sorted({name for _, names in seen for name in names})
        print(f"  {label:<66} {median_ms:>8.1f} ms   optional packages loaded: {', '.join(optional) or 'none'}")


if __name__ == "__main__":
    main()
