"""The methodology document: complete, deterministic, and the committed copy up to date."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from airegime.kb import KnowledgeBase
from airegime.render.methodology import render_methodology

from .helpers import ROOT

DOCS = {"fr": ROOT / "docs" / "methodology.md", "en": ROOT / "docs" / "methodology.en.md"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_committed_methodology_is_up_to_date(kb: KnowledgeBase, lang: str) -> None:
    current = render_methodology(kb=kb, fmt="md", lang=lang)  # type: ignore[arg-type]
    path: Path = DOCS[lang]
    assert path.exists() and path.read_bytes() == current, (
        f"{path.relative_to(ROOT)} is out of date with the knowledge base: regenerate it with "
        f"`airegime methodology --lang {lang} -o {path.relative_to(ROOT)}` and commit it"
    )


def ids_in(kb: KnowledgeBase, text: str) -> list[str]:
    """The rule, question, outcome and source ids found in ``text`` as whole tokens. Ids without an
    underscore ("gdpr", "purpose") are ordinary words too, so only those with one are looked for."""
    ids = [item.id for group in (kb.rules, kb.questions, kb.outcomes, kb.sources) for item in group]
    return [i for i in ids if "_" in i and re.search(rf"(?<![\w/.-]){re.escape(i)}(?![\w/.-])", text)]


def test_methodology_covers_every_question_rule_outcome_and_source_in_words(kb: KnowledgeBase) -> None:
    text = render_methodology(kb=kb, fmt="md", lang="en").decode()
    assert kb.version in text and kb.hash in text
    assert ids_in(kb, text) == []  # ids and codes are data: the JSON and the API carry them
    for question in kb.questions:
        assert question.text.en in text and question.help.en.split(".")[0] in text
        for option in question.options:
            assert f"- {option.label.en}" in text
    for rule in kb.rules:
        assert f"#### {rule.title.en}" in text
    for outcome in kb.outcomes:  # a retired outcome (no rule leads there) is not part of the method
        assert (f"### {outcome.label.en}\n" in text) is not outcome.retired
        for part in outcome.parts:  # a split outcome: each regime with the purposes it governs
            assert f"**{kb.outcome_by_id[part.outcome].label.en}**: {part.purposes.en}" in text
    for source in kb.sources:  # every source with what it says, and beside every rule citing it
        assert source.link("en") in text and source.summary.en in text
    sections = [part.split("\n## ")[0] for part in text.split("\n#### ")[1:]]
    for rule in kb.rules:  # a development rule and a deployment rule may share a title: one section fits
        summaries = [kb.source_by_id[c.source].summary.en for c in rule.sources]
        assert any(
            section.startswith(f"{rule.title.en}\n") and all(summary in section for summary in summaries)
            for section in sections
        ), rule.id
    left_open = text.split("## What is left to case-by-case analysis")[1].split("## ")[0]
    for rule in kb.rules:
        if kb.outcome_by_id[rule.outcome].kind == "case_by_case":
            assert f"**{rule.title.en}**" in left_open


def test_rules_read_as_sentences(kb: KnowledgeBase) -> None:
    text = render_methodology(kb=kb, fmt="md", lang="fr").decode()
    police = text.split(f"#### {kb.rule_by_id['deployment_police_justice'].title.fr}\n")[1].split("####")[0]
    controller = "Qui décide pourquoi et comment les données sont traitées dans cette phase (le responsable du traitement)\u00a0?"
    assert f"{controller} → Une autorité compétente en matière pénale" in police
    assert "Un texte confie-t-il à cet organisme, pour cette activité, la mission" in police  # or one given the mission
    assert "**Conduit à\u00a0:** Police-justice" in police
    split = text.split(f"#### {kb.rule_by_id['deployment_mixed_separable'].title.fr}\n")[1].split("####")[0]
    assert "**Conduit à\u00a0:** Police-justice pour les finalités pénales\u00a0; RGPD pour les autres" in split


def test_methodology_html(kb: KnowledgeBase) -> None:
    html = render_methodology(kb=kb, fmt="html", lang="en").decode()
    assert "<h2>The questions</h2>" in html and "data:image/svg+xml;base64," in html
    assert f'<a href="{kb.source_by_id["gdpr"].link("en")}">' in html and "&lt;a href" not in html
    assert ids_in(kb, html.split("data:image/svg+xml")[0]) == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_methodology_pdf_holds_every_question_rule_and_source(kb: KnowledgeBase, lang: str, tmp_path: Path) -> None:
    path = tmp_path / "methodology.pdf"
    path.write_bytes(render_methodology(kb=kb, fmt="pdf", lang=lang))  # type: ignore[arg-type]

    def run(*command: str) -> str:
        done = subprocess.run([*command], capture_output=True, text=True, check=True)
        assert done.stderr == ""  # poppler reads it without a complaint
        return done.stdout

    text = run("pdftotext", str(path), "-")
    found = re.sub(r"[\s-]", "", text)  # lines broken anywhere (identifiers, addresses)
    assert kb.version in text and kb.hash in text
    for question in kb.questions:
        assert re.sub(r"[\s-]", "", question.text.get(lang)) in found
    for rule in kb.rules:
        assert re.sub(r"[\s-]", "", rule.title.get(lang)) in found
    assert ids_in(kb, text) == []
    for source in kb.sources:
        assert re.sub(r"[\s-]", "", source.link(lang)) in found
    sizes = re.findall(r"size:\s+([\d.]+) x ([\d.]+)", run("pdfinfo", "-l", "999", str(path)))
    pages = len(sizes)
    landscape = [i for i, (width, height) in enumerate(sizes) if float(width) > float(height)]
    assert landscape == [pages - 2, pages - 1]  # one diagram page per phase, at the end
    assert f"Page {pages} / {pages}" in text and "Page 1 / " in text
    fonts = run("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)


@pytest.mark.slow
def test_methodology_pdf_is_reproducible(kb: KnowledgeBase) -> None:
    first = render_methodology(kb=kb, fmt="pdf", lang="fr")
    assert b"/CreationDate" not in first  # no clock in it: a knowledge base gives one file
    assert render_methodology(kb=kb, fmt="pdf", lang="fr") == first
