"""Truthful wording in every format a person reads (Markdown, HTML, PDF, Word): a question that was
never asked (no answer to it could change the outcome) is "not asked", never "I don't know", and
the reader sees rules, questions and sources in words, never by their identifiers. An answer
"I don't know" that was given still reads as such."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from airegime.i18n import translate
from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.kb.models import Lang

pytestmark = pytest.mark.slow  # runs airegime in a subprocess

ROOT = Path(__file__).resolve().parents[2]
ZONE = ROOT / "examples" / "zone-crossing-detector.yaml"  # development uses "various": purpose never asked there
FIVE = Path(__file__).parent / "fixtures" / "five-deployments.yaml"  # "I don't know" answers and unasked questions
FORMATS = ["md", "html", "docx", "pdf"]
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def text_of(path: Path) -> str:
    """The text a reader sees, one paragraph (or table cell) a line, markup and escapes undone."""
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    if path.suffix == ".docx":
        import docx
        from docx.oxml.ns import qn

        body = docx.Document(str(path)).element.body
        return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":  # every tag and attribute kept: an id hidden in a class or a link counts too
        return html.unescape(text)
    return re.sub(r"\\(.)", r"\1", text)  # Markdown escapes ("development\_uses") undone


def report(tmp_path: Path, source: Path, fmt: str, lang: Lang) -> str:
    target = tmp_path / f"report.{lang}.{fmt}"
    subprocess.run(
        [sys.executable, "-m", "airegime", "report", str(source), "-f", fmt, "--lang", lang, "-o", str(target)],
        check=True,
        capture_output=True,
    )
    return text_of(target)


@cache
def identifiers() -> tuple[str, ...]:
    """The knowledge base's ids a reader must never meet. Only those holding "_" are searched: the
    others are ordinary words or abbreviations the texts and addresses rightly hold ("purpose",
    "household", "gdpr" in a web address, "led"). Every rule id has one, so no rule escapes."""
    kb: KnowledgeBase = load_knowledge_base()
    ids = [r.id for r in kb.rules] + [q.id for q in kb.questions] + [s.id for s in kb.sources]
    assert all("_" in rule.id for rule in kb.rules)
    return tuple(i for i in ids if "_" in i)


def ids_in(text: str) -> list[str]:
    # Whole tokens: "personal_data" must not match inside a longer identifier-like word, nor the reverse.
    return [i for i in identifiers() if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]


def dont_know(lang: Lang) -> str:
    return translate("answer.unknown", lang)


@needs_poppler
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_system_with_unasked_questions_never_reads_i_dont_know(tmp_path: Path, fmt: str, lang: Lang) -> None:
    text = report(tmp_path, ZONE, fmt, lang)
    assert translate("report.summary", lang) in text and "Acme Vision" in text  # the file was read
    assert dont_know(lang) not in text  # nothing was answered "I don't know": purpose was not asked
    assert ids_in(text) == []


@needs_poppler
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_unasked_and_unknown_answers_each_read_as_what_they_are(tmp_path: Path, fmt: str, lang: Lang) -> None:
    kb = load_knowledge_base()
    text = report(tmp_path, FIVE, fmt, lang)
    not_asked = translate("answer.not_asked", lang).split(" (")[0]  # "not asked (it cannot change the outcome)"
    assert not_asked in text  # the rules traced in the annex read unasked questions as not asked
    assert ids_in(text) == []
    if fmt == "pdf":  # lines broken anywhere: the line-by-line check is made on the other formats
        markdown = report(tmp_path, FIVE, "md", lang)
        document = " ".join(text.split()).split(translate("report.diagram", lang))[
            0
        ]  # (the diagram's legend says it too)
        assert document.count(dont_know(lang)) == markdown.count(dont_know(lang))  # the same places as Markdown
        return
    # Every "I don't know" is said of a question that was answered so (its text on the same line,
    # or the answers table's cell just after it), or in the call-out's heading that announces them.
    unknown = {kb.question_by_id[q].text.get(lang) for q in ("personal_data", "development_uses")}
    lines = [line for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if dont_know(lang) in line and translate("report.unknown_called_out", lang) not in line:
            near = " ".join(lines[max(index - 1, 0) : index + 1])
            assert any(question in near for question in unknown), line


def test_an_answer_i_dont_know_still_reads_so(tmp_path: Path) -> None:
    source = tmp_path / "unknown.yaml"
    source.write_text(
        ZONE.read_text(encoding="utf-8").replace("development_uses: various", "development_uses: unknown")
    )
    text = report(tmp_path, source, "md", "en")
    assert "**⚠ I don't know**" in text
    assert "Question to settle first" in text.split("## Regime of each phase")[0]  # an open point of the summary


@needs_poppler
@pytest.mark.parametrize("fmt", FORMATS)
def test_reports_name_rules_and_sources_in_words_not_by_their_ids(tmp_path: Path, fmt: str) -> None:
    text = report(tmp_path, ROOT / "examples" / "police-contractor-reuse.yaml", fmt, "en")
    assert "Gendarmerie road checks" in text
    assert ids_in(text) == []


def test_the_id_check_finds_an_id_when_there_is_one() -> None:
    assert ids_in("see development_case2_gdpr.") == ["development_case2_gdpr"]
    assert ids_in("personal data, development case 2") == []
