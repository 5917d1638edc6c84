"""A question that was never asked (no answer to it could change the outcome) is said to be "not
asked" in every report format, never "I don't know": that would be false in a report for
management or the CNIL. An answer "I don't know" that was given still reads as such."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ZONE = ROOT / "examples" / "zone-crossing-detector.yaml"  # household and purpose are never asked
WORDS = {"fr": ("non posée", "je ne sais pas"), "en": ("not asked", "I don't know")}


def text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            return archive.read("word/document.xml").decode("utf-8")
    return path.read_text(encoding="utf-8")


def report(tmp_path: Path, source: Path, fmt: str, lang: str) -> str:
    target = tmp_path / f"report.{lang}.{fmt}"
    subprocess.run(
        [sys.executable, "-m", "airegime", "report", str(source), "-f", fmt, "--lang", lang, "-o", str(target)],
        check=True,
        capture_output=True,
    )
    return text_of(target)


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_unasked_questions_read_not_asked_in_every_format(tmp_path: Path, fmt: str, lang: str) -> None:
    not_asked, dont_know = WORDS[lang]
    text = report(tmp_path, ZONE, fmt, lang)
    assert not_asked in text
    assert dont_know not in text


def test_an_answer_i_dont_know_still_reads_so(tmp_path: Path) -> None:
    source = tmp_path / "unknown.yaml"
    source.write_text(
        ZONE.read_text(encoding="utf-8").replace("development_uses: various", "development_uses: unknown")
    )
    text = report(tmp_path, source, "md", "en")
    assert "I don't know" in text


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_reports_name_rules_and_sources_in_words_not_by_their_ids(tmp_path: Path, fmt: str) -> None:
    from airegime.kb import load_knowledge_base

    kb = load_knowledge_base()
    source = ROOT / "examples" / "police-contractor-reuse.yaml"
    text = report(tmp_path, source, fmt, "en")
    ids = [rule.id for rule in kb.rules] + [s.id for s in kb.sources if "_" in s.id]
    assert [found for found in ids if found in text] == []
