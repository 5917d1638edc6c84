"""Reports, the decision diagram and the method page through HTTP: every format downloads with its
content type and a safe name, opens as what it claims to be, a JSON report imports back to the
same answers, hostile names stay harmless, and a report that cannot be drawn gets a clear page."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from airegime.errors import AiregimeError
from airegime.kb import KnowledgeBase
from airegime.render.diagram import HIGHLIGHT
from airegime.render.reports import MEDIA_TYPES
from airegime.storage import Repository
from airegime.system import load_system
from airegime.web import routes_reports

from .helpers import Client

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"
SAFE_NAME = re.compile(r'attachment; filename="airegime-[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.(md|html|pdf|docx|json)"')
HOSTILE = '<script>alert("x")</script> "; filename=evil.exe\r\n שלום ../../etc/passwd'


@pytest.fixture
def saved(repo: Repository, kb: KnowledgeBase) -> int:
    return repo.import_system(load_system(EXAMPLE, kb=kb))


@pytest.mark.parametrize("fmt", ["md", "html", "pdf", "docx", "json"])
def test_each_report_downloads_with_its_type_and_a_safe_name(client: Client, saved: int, fmt: str) -> None:
    response = client.get(f"/a/{saved}/report.{fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPES[fmt]
    assert SAFE_NAME.fullmatch(response.headers["content-disposition"])
    assert "zone-crossing-detector-" in response.headers["content-disposition"]
    assert len(response.content) > 500


def test_the_pdf_report_is_a_pdf_holding_the_system_and_its_regimes(client: Client, saved: int, tmp_path: Path) -> None:
    body = client.get(f"/a/{saved}/report.pdf").content
    assert body.startswith(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(body)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Zone-crossing detector" in text
    assert "Police-justice" in text  # the police context's regime, in French by default


def test_the_word_report_is_a_docx_with_headings_and_tables(client: Client, saved: int) -> None:
    body = client.get(f"/a/{saved}/report.docx").content
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert "word/document.xml" in archive.namelist()
    document = Document(io.BytesIO(body))
    assert any(p.style is not None and p.style.name.startswith("Heading") for p in document.paragraphs)
    assert document.tables
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Zone-crossing detector" in "\n".join([p.text for p in document.paragraphs] + cells)


def test_reports_follow_the_language_chosen(client: Client, saved: int, kb: KnowledgeBase) -> None:
    french = client.get(f"/a/{saved}/report.md").text
    client.get("/lang/en")
    english = client.get(f"/a/{saved}/report.md").text
    assert kb.outcome_by_id["police_justice"].label.fr in french
    assert kb.outcome_by_id["police_justice"].label.en in english
    assert json.loads(client.get(f"/a/{saved}/report.json").content)["lang"] == "en"


def test_a_json_report_imports_back_to_the_same_answers(client: Client, repo: Repository, saved: int) -> None:
    report = client.get(f"/a/{saved}/report.json").content
    uploaded = client.post(
        "/import", data={"csrf_token": client.token()}, files={"file": ("report.json", report, "application/json")}
    )
    assert uploaded.status_code == 303
    new = int(re.fullmatch(r"/a/(\d+)/result", uploaded.headers["location"]).group(1))  # type: ignore[union-attr]
    assert repo.get(new).system().to_dict() == repo.get(saved).system().to_dict()
    assert repo.get(new).summary == repo.get(saved).summary
    pasted = client.submit("/import", {"text": report.decode("utf-8")})
    assert pasted.status_code == 303
    assert repo.count() == 3


def test_a_report_of_an_unknown_format_version_is_refused_and_nothing_is_created(
    client: Client, repo: Repository, saved: int
) -> None:
    report = json.loads(client.get(f"/a/{saved}/report.json").content)
    report["format"] = "airegime.report/99"
    refused = client.submit("/import", {"text": json.dumps(report)})
    assert refused.status_code == 400
    assert "airegime.report/99" in refused.text
    assert "Rien n’a été modifié." in refused.text
    assert repo.count() == 1


def test_the_result_page_offers_every_report_and_shows_the_diagram_with_a_text_alternative(
    client: Client, saved: int, kb: KnowledgeBase
) -> None:
    page = client.get(f"/a/{saved}/result")
    for fmt in ("pdf", "docx", "html", "md", "json"):
        assert f'href="/a/{saved}/report.{fmt}"' in page.text
    image = re.search(r'<img src="/a/\d+/diagram.svg" alt="([^"]+)"', page.text)
    assert image, "no diagram image on the result page"
    assert kb.outcome_by_id["police_justice"].label.fr in image.group(1)  # the alternative says the outcome
    assert 'href="/method"' in page.text
    assert "style=" not in page.text and "<script>" not in page.text  # nothing the CSP would block


def test_the_diagram_is_an_svg_with_the_path_taken(client: Client, saved: int) -> None:
    focused = client.get(f"/a/{saved}/diagram.svg")
    full = client.get(f"/a/{saved}/diagram.svg", params={"full": "1"})
    for response in (focused, full):
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        assert b"<svg" in response.content and b"<script" not in response.content
        assert "default-src 'self'" in response.headers["content-security-policy"]
    assert len(full.content) > len(focused.content)  # the whole tree, not only the path
    assert HIGHLIGHT.lower().encode() in focused.content.lower()  # the path taken, highlighted
    assert HIGHLIGHT.lower().encode() not in client.get("/method/diagram.svg").content.lower()


def test_the_method_page_offers_the_methodology_and_the_full_diagram(client: Client, kb: KnowledgeBase) -> None:
    page = client.get("/method")
    assert page.status_code == 200
    assert kb.version in page.text
    assert '<img src="/method/diagram.svg" alt="' in page.text
    pdf = client.get("/method/methodology.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert re.fullmatch(
        r'attachment; filename="airegime-methode-[A-Za-z0-9._-]+\.pdf"', pdf.headers["content-disposition"]
    )
    html = client.get("/method/methodology.html")
    assert html.headers["content-type"].startswith("text/html") and b"<html" in html.content.lower()
    diagram = client.get("/method/diagram.svg")
    assert diagram.headers["content-type"] == "image/svg+xml" and b"<svg" in diagram.content
    assert client.get("/method/methodology.exe").status_code == 404


def test_unknown_formats_and_assessments_get_a_clear_page(client: Client, saved: int) -> None:
    for url in [f"/a/{saved}/report.exe", "/a/999/report.pdf", "/a/999/diagram.svg"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Rien n’a été modifié." in response.text


def test_hostile_system_names_stay_harmless_in_file_names_and_pages(client: Client, repo: Repository) -> None:
    evil = repo.create(name=HOSTILE, organisation="<img src=x onerror=alert(1)>", first_context="<b>ctx</b>")
    for fmt in ("md", "pdf", "json"):
        disposition = client.get(f"/a/{evil}/report.{fmt}").headers["content-disposition"]
        assert SAFE_NAME.fullmatch(disposition), disposition
        assert disposition.isascii() and "/" not in disposition and "\\" not in disposition
    page = client.get(f"/a/{evil}/result").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert b"<script" not in client.get(f"/a/{evil}/diagram.svg").content
    html_report = client.get(f"/a/{evil}/report.html").text
    assert '<script>alert("x")' not in html_report


def test_a_report_that_cannot_be_drawn_gets_a_clear_page(
    client: Client, saved: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> bytes:
        raise AiregimeError("Graphviz is not installed (no `dot` program)", hint="install it")

    monkeypatch.setattr(routes_reports, "render_report", broken)
    monkeypatch.setattr(routes_reports, "decision_diagram", broken)
    for url in [f"/a/{saved}/report.pdf", f"/a/{saved}/diagram.svg", "/method/diagram.svg"]:
        response = client.get(url)
        assert response.status_code == 500, url
        assert "Document impossible à produire" in response.text
        assert "Graphviz is not installed" in response.text
        assert "Traceback" not in response.text
