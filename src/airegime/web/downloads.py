"""What the result page offers to download.

REPORT DOWNLOADS ARE WIRED HERE: the reports (issue 4, src/airegime/render/report*.py) add their
formats to ``links`` (e.g. ``("report.pdf", f"/a/{id}/report.pdf")``) and a route that renders
them. Until then the page offers the descriptor in YAML and JSON.
"""

from __future__ import annotations


def links(assessment_id: int) -> list[tuple[str, str]]:
    """(label key in the web catalogue, address) for each download of a saved assessment."""
    return [
        ("download.yaml", f"/a/{assessment_id}/export.yaml"),
        ("download.json", f"/a/{assessment_id}/export.json"),
    ]
