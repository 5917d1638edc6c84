"""What the report tests share besides fixtures: paths, hostile strings, the golden-file check.

Golden files live in tests/reports/golden/. When a change to the reports or the knowledge base is
intended, regenerate them and review the diff:

    AIREGIME_UPDATE_GOLDEN=1 .venv/bin/pytest tests/reports
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
FIXTURES = HERE / "fixtures"
REPORT_DATE = date(2026, 1, 15)

# Strings that have broken document generators elsewhere: markup, scripts, formula prefixes,
# right-to-left text, Markdown syntax, Graphviz escapes, very long words (control characters are refused
# earlier, by the descriptor reader).
HOSTILE_NAME = '<script>alert("x")</script> **gras** [lien](javascript:alert(1)) | # ="=1+1" \\N \\G'
RTL = "مرحبا بالعالم שלום עולם"
LONG_WORD = "Ä" + "x" * 190 + "Z"


def hostile_descriptor() -> dict[str, Any]:
    return {
        "name": HOSTILE_NAME,
        "organisation": RTL,
        "description": '<img src=x onerror=alert(1)>\n# Titre\n- liste\n1. un\n=HYPERLINK("http://evil") ' + LONG_WORD,
        "answers": {"establishment": "eu"},
        "developments": [
            {
                "name": "<b>dev</b> | # *x*",
                "description": "<b>dev</b> & `code` ~~barré~~",
                "answers": {"personal_data": "yes", "organisation_kind": "private_body"},
            },
            {"name": RTL, "answers": {"personal_data": "no"}},
        ],
        "deployments": [
            {"name": LONG_WORD, "description": RTL, "answers": {"organisation_kind": "competent_authority"}},
            {
                "name": '"quoted" \\ back\\slash </svg><script>x</script>',
                "description": "+SUM(1) @cmd -1",
                "answers": {"personal_data": "unknown", "purpose": "criminal_law"},
            },
        ],
    }


def check_golden(name: str, actual: bytes) -> None:
    """Compare with the golden file, or rewrite it when AIREGIME_UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if os.environ.get("AIREGIME_UPDATE_GOLDEN") == "1":
        path.write_bytes(actual)
        return
    assert path.exists(), f"no golden file {path}: run AIREGIME_UPDATE_GOLDEN=1 pytest tests/reports"
    expected = path.read_bytes()
    assert actual == expected, (
        f"{name} differs from its golden file. If the change is intended, regenerate with "
        "AIREGIME_UPDATE_GOLDEN=1 .venv/bin/pytest tests/reports and review the diff."
    )
