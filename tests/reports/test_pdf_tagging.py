"""PDF reports and the methodology are tagged for accessibility, and poppler reads them without a message."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import typst

from airegime.engine.results import Assessment
from airegime.kb import KnowledgeBase
from airegime.render.methodology import render_methodology
from airegime.render.pdf import without_suspects
from airegime.render.reports import render_report


def pdfinfo(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert done.stderr == ""  # Debian 12's poppler once said "Suspects object is wrong type" here
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in done.stdout.splitlines())}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_pdf_is_tagged(kb: KnowledgeBase, five: Assessment, lang: str, tmp_path: Path) -> None:
    pdf = render_report(kb=kb, assessment=five, fmt="pdf", lang=lang)  # type: ignore[arg-type]
    info = pdfinfo(pdf, tmp_path)
    assert info["Tagged"] == "yes" and info["Suspects"] == "no"
    assert b"/StructTreeRoot" in pdf and f"/Lang({lang})".encode() in pdf  # the structure, in the reader's language


def test_methodology_pdf_is_tagged(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert pdfinfo(render_methodology(kb=kb, fmt="pdf", lang="en"), tmp_path)["Tagged"] == "yes"


def test_only_the_catalogs_suspects_entry_is_blanked(tmp_path: Path) -> None:
    title = "x /MarkInfo<</Marked true/Suspects false>> y"  # a system name holding the very bytes
    source = f'#set document(title: "{title}")\n= T\nText.\n'.encode()
    raw = typst.compile(source, format="pdf", pdf_tags=True)
    assert raw.count(b"/Suspects false") == 3  # the metadata, the title, the catalog
    pdf = without_suspects(raw)
    assert len(pdf) == len(raw) and pdf.count(b"/Suspects false") == 2  # same offsets: the xref still holds
    info = pdfinfo(pdf, tmp_path)
    assert info["Title"] == title and info["Tagged"] == "yes"
    untagged = typst.compile(source, format="pdf", pdf_tags=False)
    assert without_suspects(untagged) == untagged
