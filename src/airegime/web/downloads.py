"""What the result page offers to download, and how a download is answered.

Each report format of the render library is a GET route in ``routes_reports``; this
module lists them for the result page and builds the file responses (content type and a safe
ASCII ``Content-Disposition`` name).
"""

from __future__ import annotations

import re
import unicodedata

from fastapi.responses import Response

from airegime.render.reports import MEDIA_TYPES

REPORT_LABELS = {fmt: f"download.report.{fmt}" for fmt in ("pdf", "docx", "html", "md", "json")}
SPREADSHEET_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def links(assessment_id: int) -> list[tuple[str, str]]:
    """(label key in the web catalogue, address) for each download of a saved assessment."""
    reports = [(label, f"/a/{assessment_id}/report.{fmt}") for fmt, label in REPORT_LABELS.items()]
    return [
        *reports,
        ("download.yaml", f"/a/{assessment_id}/export.yaml"),
        ("download.json", f"/a/{assessment_id}/export.json"),
    ]


def safe_filename(name: str, fallback: str = "airegime") -> str:
    """ASCII letters, digits, dots, dashes and underscores only: nothing that could break the header."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip(".-")[:120]
    return cleaned or fallback


def attachment(body: bytes, *, fmt: str, filename: str) -> Response:
    """A file to save, with its content type and a download name that is safe whatever it came from."""
    media = SPREADSHEET_TYPES.get(fmt) or MEDIA_TYPES.get(fmt, "application/octet-stream")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{safe_filename(filename)}"'},
    )
