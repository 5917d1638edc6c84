"""Reports of a saved assessment show its review: status, reviewer and date of approval, in every
format (issue 16, part 2); the JSON report keeps them as data."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from airegime.engine.results import Assessment
from airegime.kb import KnowledgeBase
from airegime.render.reports import render_report, report_dict

from .helpers import REPORT_DATE

APPROVED = {
    "status": "approved",
    "reviewer": "ada.lovelace",
    "approved_at": "2026-12-03T09:15:00+00:00",
    "opinion": "Sound reasoning.",
    "flag": "",
    "last_approved_at": "2026-12-03T09:15:00+00:00",
}


def test_the_report_dict_has_the_review_as_data_and_a_line_in_each_language(
    kb: KnowledgeBase, zone: Assessment
) -> None:
    assert "review" not in report_dict(kb=kb, assessment=zone, lang="en")  # a descriptor file: no review
    review = report_dict(kb=kb, assessment=zone, lang="en", review=APPROVED)["review"]
    assert {k: review[k] for k in APPROVED} == APPROVED
    assert (review["label"], review["line"]) == ("Review", "Approved by ada.lovelace on 2026-12-03.")
    french = report_dict(kb=kb, assessment=zone, lang="fr", review=APPROVED)["review"]
    assert french["line"] == "Approuvée par ada.lovelace le 2026-12-03."
    draft = {**APPROVED, "status": "draft", "reviewer": "", "approved_at": "", "opinion": ""}
    line = report_dict(kb=kb, assessment=zone, lang="en", review=draft)["review"]["line"]
    assert line == "Draft, not approved. Last approved version: 2026-12-03."
    flagged = report_dict(kb=kb, assessment=zone, lang="en", review={**APPROVED, "flag": "rules changed"})
    assert "To review again" in flagged["review"]["line"]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_text_formats_show_status_reviewer_and_date(kb: KnowledgeBase, zone: Assessment, fmt: Any) -> None:
    text = render_report(kb=kb, assessment=zone, fmt=fmt, lang="en", generated=REPORT_DATE, review=APPROVED)
    assert "Approved by ada.lovelace on 2026-12-03." in text.decode("utf-8")
    plain = render_report(kb=kb, assessment=zone, fmt=fmt, lang="en", generated=REPORT_DATE)
    assert "ada.lovelace" not in plain.decode("utf-8")


def test_json_keeps_the_review_as_data(kb: KnowledgeBase, zone: Assessment) -> None:
    data = json.loads(render_report(kb=kb, assessment=zone, fmt="json", lang="en", review=APPROVED))
    assert (data["review"]["status"], data["review"]["reviewer"]) == ("approved", "ada.lovelace")
    assert data["review"]["approved_at"] == APPROVED["approved_at"]


def test_word_shows_the_review_line(kb: KnowledgeBase, zone: Assessment) -> None:
    import docx

    document = docx.Document(io.BytesIO(render_report(kb=kb, assessment=zone, fmt="docx", lang="fr", review=APPROVED)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Revue" in cells and "Approuvée par ada.lovelace le 2026-12-03." in cells


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_shows_the_review_line(kb: KnowledgeBase, zone: Assessment, tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(
        render_report(kb=kb, assessment=zone, fmt="pdf", lang="en", generated=REPORT_DATE, review=APPROVED)
    )
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "Approved by ada.lovelace on 2026-12-03." in text
