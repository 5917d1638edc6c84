"""Each format opened the way its readers open it: PDF text, Word structure, HTML escaping,
and hostile strings that must come out as plain text everywhere."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from airegime.engine.results import Assessment
from airegime.kb import KnowledgeBase
from airegime.render.report_data import load_report_json
from airegime.render.reports import render_report

from .conftest import HOSTILE_NAME, LONG_WORD, REPORT_DATE, RTL

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


@needs_poppler
def test_pdf_is_a4_with_title_block_phase_table_and_page_numbers(
    kb: KnowledgeBase, five: Assessment, tmp_path: Path
) -> None:
    data = render_report(kb=kb, assessment=five, fmt="pdf", lang="fr", generated=REPORT_DATE)
    assert data.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(data)
    info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    assert "x 841.89 pts (A4)" in info  # A4 portrait (the diagram page is landscape)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    text = flat(pdf_text(data, tmp_path))
    assert "Rapport d’analyse du régime applicable" in text
    assert "Crowd-analytics platform" in text and "2026-01-15" in text and kb.hash in text
    assert "Phase Régime Statut Raison" in text  # the phases table's header
    for deployment in five.system.deployments:
        assert deployment.name in text
    assert f"Page 1 / {pages}" in text and f"Page {pages} / {pages}" in text
    assert "Déploiement" in text and "sûreté de l’État" in text  # accents survive (DejaVu)


@needs_poppler
def test_pdf_diagram_page_is_landscape_and_holds_graphviz_png_pixel_for_pixel(
    kb: KnowledgeBase, five: Assessment, tmp_path: Path
) -> None:
    from PIL import Image

    from airegime.render.diagram import diagram_dot, printable_png

    path = tmp_path / "r.pdf"
    path.write_bytes(render_report(kb=kb, assessment=five, fmt="pdf", lang="fr", generated=REPORT_DATE))
    info = subprocess.run(["pdfinfo", "-l", "99", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert re.search(rf"Page\s+{pages} size:\s+841.89 x 595.27", info)  # the diagram page is landscape
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    images = listing.splitlines()[2:]
    assert len(images) == 1 and images[0].split()[0] == str(pages)  # one image, on the last page
    subprocess.run(["pdfimages", "-png", str(path), str(tmp_path / "image")], check=True)
    printed = Image.open(tmp_path / "image-000.png").convert("RGB")
    drawn = printable_png(diagram_dot(kb=kb, assessment=five, lang="fr", focus=True))()
    expected = Image.open(io.BytesIO(drawn)).convert("RGB")
    assert printed.size == expected.size and printed.tobytes() == expected.tobytes()  # lossless, not blank


def test_pdf_keeps_the_diagram_when_the_fast_path_cannot_place_it(
    kb: KnowledgeBase, five: Assessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airegime.render.pdf as pdf_module

    def report() -> bytes:
        return render_report(kb=kb, assessment=five, fmt="pdf", lang="fr", generated=REPORT_DATE)

    fast = report()
    monkeypatch.setattr(pdf_module, "_bytes", lambda item: b"")  # as if WeasyPrint stored images otherwise
    slow = report()  # laid out again, the PNG handed to WeasyPrint as it is
    for data in (fast, slow):
        images = re.findall(rb"/Subtype /Image/Width (\d+)/Height (\d+).*?/Filter /(\w+)", data)
        assert len(images) == 1 and images[0][2] == b"FlateDecode"
        assert b"airegime stand-in" not in data
    assert re.findall(rb"/Width (\d+)/Height (\d+)", fast) == re.findall(rb"/Width (\d+)/Height (\d+)", slow)


def test_docx_has_real_headings_and_tables(kb: KnowledgeBase, five: Assessment) -> None:
    import docx

    document = docx.Document(io.BytesIO(render_report(kb=kb, assessment=five, fmt="docx", lang="en")))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Summary") in headings
    assert ("Heading 2", "Deployment: City police → Case by case: police-justice or GDPR") in headings
    summary = document.tables[1]
    assert [c.text for c in summary.rows[0].cells] == ["Phase", "Regime", "Status", "Reason"]
    assert len(summary.rows) == 1 + len(five.phases)
    assert summary.rows[6].cells[2].text == "undetermined"
    body = "\n".join(p.text for p in document.paragraphs)
    assert kb.disclaimer.en in body and "I don't know" in body
    assert document.core_properties.title.startswith("Applicable-regime assessment report")


def test_html_is_standalone_and_includes_the_path_diagram(kb: KnowledgeBase, zone: Assessment) -> None:
    html = render_report(kb=kb, assessment=zone, fmt="html", lang="en").decode()
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "<link" not in html and "<script" not in html  # nothing fetched, nothing run


# Hostile strings: markup stays text, nothing runs, nothing breaks the layout or the file.


def test_hostile_strings_in_markdown_are_inert(kb: KnowledgeBase, hostile: Assessment) -> None:
    text = render_report(kb=kb, assessment=hostile, fmt="md", lang="fr").decode()
    assert not re.findall(r"(?<![\\(])<", text)  # every "<" escaped, except our own <https://…> links
    assert "\x07" not in text
    assert "[lien](javascript" not in text and "**gras**" not in text
    assert "\n# Titre" not in text and "\n- liste" not in text and "\n1. un" not in text
    assert "\\<script\\>" in text and RTL in text and LONG_WORD in text
    summary = text.split("## Synthèse")[1].split("##")[0]
    assert all(line.count("|") - line.count("\\|") == 5 for line in summary.strip().splitlines()[2:])


def test_hostile_strings_in_html_are_escaped(kb: KnowledgeBase, hostile: Assessment) -> None:
    html = render_report(kb=kb, assessment=hostile, fmt="html", lang="fr").decode()
    assert "<script" not in html and "<img src=x" not in html and "<b>dev" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert f'dir="auto">{RTL}' in html
    assert "\x07" not in html


def test_hostile_strings_survive_json_exactly(kb: KnowledgeBase, hostile: Assessment) -> None:
    data = render_report(kb=kb, assessment=hostile, fmt="json", lang="fr")
    assert json.loads(data)["system"]["name"] == HOSTILE_NAME
    assert load_report_json(data, kb=kb) == hostile.system


@needs_poppler
def test_hostile_strings_print_as_text_in_pdf(kb: KnowledgeBase, hostile: Assessment, tmp_path: Path) -> None:
    text = pdf_text(render_report(kb=kb, assessment=hostile, fmt="pdf", lang="fr"), tmp_path)
    assert '<script>alert("x")</script>' in text
    assert "Äxxxx" in text  # the 192-letter word is wrapped, not cut off or dropped
    assert "xxxxZ" in text


def test_hostile_strings_in_docx_are_plain_text(kb: KnowledgeBase, hostile: Assessment) -> None:
    import docx

    document = docx.Document(io.BytesIO(render_report(kb=kb, assessment=hostile, fmt="docx", lang="fr")))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert HOSTILE_NAME in cells and RTL in cells
    body = "\n".join(p.text for p in document.paragraphs)
    assert '=HYPERLINK("http://evil") ' + LONG_WORD in body  # the bell character dropped, the rest kept


def test_many_deployments_and_long_texts_keep_the_pdf_whole(kb: KnowledgeBase, tmp_path: Path) -> None:
    from airegime.engine.evaluate import evaluate
    from airegime.system import parse_system

    long_text = "Une description très longue, répétée. " * 200
    deployments = [
        {"name": f"Contexte {i} " + "nom-très-long-" * 12, "description": long_text, "answers": {"purpose": "other"}}
        for i in range(12)
    ]
    system = parse_system({"name": "Many", "description": long_text, "deployments": deployments}, kb=kb)
    data = render_report(kb=kb, assessment=evaluate(kb=kb, system=system), fmt="pdf", lang="fr", diagram=False)
    if shutil.which("pdftotext"):
        text = pdf_text(data, tmp_path)
        assert "Contexte 11" in text and "Page 1 / " in text


def test_hostile_markdown_stays_inert_through_a_commonmark_renderer(kb: KnowledgeBase, hostile: Assessment) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    text = render_report(kb=kb, assessment=hostile, fmt="md", lang="en").decode()
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(text)  # raw HTML allowed
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert not re.search(r'href="javascript', html)
    assert html.count("<h1>") == 1 and "<strong>gras</strong>" not in html
    assert "&lt;script&gt;" in html and RTL in html
