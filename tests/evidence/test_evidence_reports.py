"""Reports name each answer's note and evidence in every format; `db export`/`import` carry the files."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from accounts.helpers import Browser
from fastapi.testclient import TestClient

from airegime.engine.evaluate import evaluate
from airegime.kb import KnowledgeBase
from airegime.render.reports import render_report
from airegime.storage import Repository
from airegime.storage.evidence import EvidenceStore
from airegime.storage.transfer import export_database, import_database
from airegime.system import parse_system

from .conftest import World
from .files import PDF


def prepare(repo: Repository, world: World) -> None:
    store = EvidenceStore(repo.scoped(world.org_a, actor="anna"))
    where = {"scope": "deployment", "context_id": world.context, "question": "purpose"}
    store.set_note(world.assessment, text="Clause 4 of the contract", **where)
    store.add_file(world.assessment, filename="dpa-2024.pdf", data=PDF, **where)
    store.add_link(world.assessment, url="https://www.cnil.fr/fiche", title="CNIL sheet", **where)


def text_of(fmt: str, body: bytes) -> str:
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return archive.read("word/document.xml").decode()
    return body.decode()


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "json"])
def test_web_reports_name_the_note_and_the_evidence(
    browser_for: Callable[[str], Browser], world: World, repo: Repository, fmt: str
) -> None:
    prepare(repo, world)
    amy = browser_for("amy")  # a reader downloads reports too
    amy.get("/lang/en")
    body = amy.get(f"/a/{world.assessment}/report.{fmt}")
    assert body.status_code == 200, body.text[:300]
    shown = text_of(fmt, body.content)
    for expected in ("Clause 4 of the contract", "dpa-2024.pdf", "CNIL sheet", "https://www.cnil.fr/fiche"):
        assert expected in shown, (fmt, expected)
    if fmt != "json":
        assert "Notes and evidence" in shown and "PDF" in shown
    else:
        [group] = json.loads(body.content)["evidence"]
        assert [i["question"] for i in group["items"]] == ["purpose"]  # JSON keeps the ids


def test_the_api_report_names_them_too(api_as: Callable[[str], TestClient], world: World, repo: Repository) -> None:
    prepare(repo, world)
    report = api_as("amy").get(f"/api/v1/assessments/{world.assessment}/report.md", params={"lang": "fr"})
    assert report.status_code == 200, report.text
    assert "Justifications et pièces" in report.text and "dpa-2024.pdf (PDF, 1\u00a0ko)" in report.text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdf_report_has_the_appendix(kb: KnowledgeBase, tmp_path: Path) -> None:
    system = parse_system(
        {
            "name": "S",
            "notes": {"establishment": "Registered in Lyon"},
            "deployments": [{"name": "D", "evidence": {"purpose": [{"name": "dpa.pdf", "type": "PDF", "size": 2048}]}}],
        },
        kb=kb,
    )
    body = render_report(kb=kb, assessment=evaluate(kb=kb, system=system), fmt="pdf", lang="en", diagram=False)
    (tmp_path / "r.pdf").write_bytes(body)
    shown = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True, text=True)
    for expected in ("Notes and evidence", "Registered in Lyon", "dpa.pdf (PDF, 2"):
        assert expected in shown.stdout
    markdown = render_report(kb=kb, assessment=evaluate(kb=kb, system=system), fmt="md", lang="en").decode()
    assert "Registered in Lyon" in markdown and "dpa.pdf (PDF, 2\u00a0KB)" in markdown


def test_a_report_without_notes_has_no_appendix(kb: KnowledgeBase) -> None:
    system = parse_system({"name": "S", "deployments": [{"name": "D"}]}, kb=kb)
    markdown = render_report(kb=kb, assessment=evaluate(kb=kb, system=system), fmt="md", lang="en").decode()
    assert "Notes and evidence" not in markdown


def test_db_export_and_import_carry_notes_and_files(
    repo: Repository, world: World, kb: KnowledgeBase, tmp_path: Path
) -> None:
    prepare(repo, world)
    exported = tmp_path / "all.jsonl.gz"
    export_database(repo.engine, exported)
    target = Repository.open(f"sqlite:///{tmp_path / 'copy.sqlite3'}", kb)
    import_database(target.engine, exported)
    store = EvidenceStore(target.scoped(world.org_a, actor="t"))
    found = store.evidence(world.assessment)
    assert [n.text for n in found.notes] == ["Clause 4 of the contract"]
    [file] = [a for a in found.attachments if a.kind == "file"]
    assert store.attachment(world.assessment, file.id)[1] == PDF
    assert not EvidenceStore(target.scoped(world.org_b, actor="t")).evidence(world.b_assessment)
    target.engine.dispose()
