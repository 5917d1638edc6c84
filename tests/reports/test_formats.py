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
from airegime.i18n import translate
from airegime.kb import KnowledgeBase
from airegime.render.report_data import load_report_json, unknown_answers
from airegime.render.reports import render_report, render_report_dict, report_dict

from .helpers import HOSTILE_NAME, LONG_WORD, REPORT_DATE, RTL, hostile_descriptor

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdf_text(data: bytes, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", *options, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def poppler(tool: str, path: Path, *options: str, out: tuple[str, ...] = ()) -> str:
    """A poppler tool's output; it must print no error or warning (poppler 22 chokes on tagged Typst PDFs)."""
    done = subprocess.run([tool, *options, str(path), *out], capture_output=True, text=True, check=True)
    assert done.stderr == "", f"{tool}: {done.stderr}"
    return done.stdout


def page_sizes(path: Path) -> list[str]:
    info = poppler("pdfinfo", path, "-l", "999")
    return re.findall(r"Page\s+\d+ size:\s+([\d.]+ x [\d.]+)", info)


A4_PORTRAIT, A4_LANDSCAPE = "595.276 x 841.89", "841.89 x 595.276"


@pytest.fixture(scope="module")
def five_pdf(kb: KnowledgeBase, five: Assessment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "five.fr.pdf"
    path.write_bytes(render_report(kb=kb, assessment=five, fmt="pdf", lang="fr", generated=REPORT_DATE))
    return path


@needs_poppler
def test_pdf_is_a4_with_title_block_phase_table_and_page_numbers(
    kb: KnowledgeBase, five: Assessment, five_pdf: Path, tmp_path: Path
) -> None:
    data = five_pdf.read_bytes()
    assert data.startswith(b"%PDF")
    sizes = page_sizes(five_pdf)
    assert set(sizes[:-1]) == {A4_PORTRAIT} and sizes[-1] == A4_LANDSCAPE  # the diagram page is landscape
    pages = len(sizes)
    text = flat(pdf_text(data, tmp_path))
    assert "Rapport d’analyse du régime applicable" in text
    assert "Crowd-analytics platform" in text and "2026-01-15" in text and kb.hash in text
    assert "Phase Régime Statut Raison" in text  # the phases table's header
    for deployment in five.system.deployments:
        assert deployment.name in text
    for page in range(1, pages + 1):  # every page numbered, each under the running header
        assert f"Page {page} / {pages}" in text
    assert text.count("Rapport d’analyse du régime applicable") >= pages + 1
    assert "Déploiement" in text and "sûreté de l’État" in text  # accents survive (DejaVu)


@needs_poppler
def test_pdf_holds_everything_the_report_says(kb: KnowledgeBase, five: Assessment, tmp_path: Path) -> None:
    report = report_dict(kb=kb, assessment=five, lang="en", generated=REPORT_DATE)
    data = render_report(kb=kb, assessment=five, fmt="pdf", lang="en", generated=REPORT_DATE)
    (tmp_path / "r.pdf").write_bytes(data)
    text = poppler("pdftotext", tmp_path / "r.pdf", out=("-",))  # reading order: a table cell's lines stay together

    def squash(value: str) -> str:  # lines broken anywhere, "crowd-movement" joined by pdftotext at a break
        return re.sub(r"[\s-]", "", value)

    found = squash(text)
    for heading in ("Summary", "Questions asked and answers", "Regime of each phase", "Sources cited", "Caveats"):
        assert heading in text
    for value in (report["title"], report["disclaimer"], report["generated"], report["rule_set"]["hash"]):
        assert squash(value) in found
    assert squash(five.system.description) in found and squash(five.system.development.description) in found
    assert (
        squash(f"⚠ {translate('report.unknown_called_out', 'en')}") in found
    )  # "I don't know" answers called out first
    for called_out in unknown_answers(report):
        assert squash(called_out) in found
    assert text.count("⚠ I don't know") == len(unknown_answers(report))  # and marked where they were given
    for group in report["answers"]:
        assert squash(group["title"]) in found
        for item in group["items"]:
            assert squash(item["text"]) in found and squash(item["answer_label"]) in found
    for phase in report["phases"]:
        assert squash(f"{phase['title']} — {phase['headline']}") in found
        assert squash(f"Status: {phase['status_label']}") in found
        for rule in phase["rules"]:
            assert squash(rule["title"]) in found and squash(rule["explanation"]) in found
            for cited in rule["sources"]:  # the law beside the rule
                assert squash(cited["summary"]) in found
        for part in phase["parts"]:
            assert squash(part["label"]) in found and squash(part["purposes"]) in found
        for change in phase["counterfactuals"]:
            assert squash(change["outcome_label"]) in found
    for step in (s for group in report["next_steps"] for s in group["steps"]):
        assert squash(step["text"]) in found
    for caveat in report["caveats"] + report["rule_caveats"]:
        assert squash(caveat) in found
    for source in report["sources"]:  # each citation a working link, its address printed too
        assert squash(source["title"]) in found and squash(source["url"]) in found
        assert re.search(rb"/URI\s*\(" + re.escape(source["url"].encode()) + rb"\)", data)


@needs_poppler
def test_pdf_is_clean_for_poppler_with_its_fonts_embedded(five_pdf: Path) -> None:
    assert "Crowd-analytics platform" in poppler("pdftotext", five_pdf, out=("-",))
    poppler("pdfinfo", five_pdf)
    fonts = poppler("pdffonts", five_pdf).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # "emb" column: every font embedded
    assert {line.split()[0].split("+")[-1] for line in fonts} >= {"DejaVuSans", "DejaVuSans-Bold"}


@needs_poppler
def test_pdf_diagram_page_is_landscape_and_drawn_as_vectors(five_pdf: Path, tmp_path: Path) -> None:
    pages = len(page_sizes(five_pdf))
    assert poppler("pdfimages", five_pdf, "-list").splitlines()[2:] == []  # no raster image: Graphviz's SVG as is
    last = flat(pdf_text(five_pdf.read_bytes(), tmp_path, "-f", str(pages), "-l", str(pages)))
    assert "Chemin suivi dans l’arbre de décision" in last
    assert "Arbre de décision du régime applicable" in last  # the diagram's own text, searchable
    assert "← Déploiement : City police" in last and f"Page {pages} / {pages}" in last


@needs_poppler
def test_pdf_without_diagram_has_no_landscape_page(kb: KnowledgeBase, zone: Assessment, tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(render_report(kb=kb, assessment=zone, fmt="pdf", lang="en", diagram=False))
    assert set(page_sizes(path)) == {A4_PORTRAIT}
    assert "Path taken through the decision tree" not in pdf_text(path.read_bytes(), tmp_path)


@pytest.mark.slow
def test_pdfs_laid_out_at_once_from_several_threads(kb: KnowledgeBase, zone: Assessment, five: Assessment) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def pdf(assessment: Assessment) -> bytes:
        return render_report(kb=kb, assessment=assessment, fmt="pdf", lang="en", generated=REPORT_DATE)

    alone = {id(a): pdf(a) for a in (zone, five)}
    with ThreadPoolExecutor(4) as pool:  # the web app's threads: one shared Typst compiler, others wait for none
        together = list(pool.map(pdf, [zone, five] * 3))
    assert together == [alone[id(zone)], alone[id(five)]] * 3


def test_pdf_is_reproducible(kb: KnowledgeBase, zone: Assessment) -> None:
    def pdf() -> bytes:
        return render_report(kb=kb, assessment=zone, fmt="pdf", lang="en", generated=REPORT_DATE)

    assert pdf() == pdf()  # dated by the report's date, not the clock


def test_docx_has_real_headings_and_tables(kb: KnowledgeBase, five: Assessment) -> None:
    import docx

    document = docx.Document(io.BytesIO(render_report(kb=kb, assessment=five, fmt="docx", lang="en")))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Summary") in headings
    assert ("Heading 2", "Deployment: Tax fraud unit — Case by case: police-justice or GDPR") in headings
    assert ("Heading 2", "Deployment: Customs — Police-justice for the criminal-law purposes; GDPR for the others") in (
        headings
    )
    assert headings.index(("Heading 1", "Summary")) < headings.index(("Heading 1", "Regime of each phase"))
    assert (
        headings[-1] == ("Heading 3", "Other answers that would change the outcome")
        and ("Heading 1", "Annex: rules considered and other scenarios") in headings
    )
    summary = document.tables[1]
    assert [c.text for c in summary.rows[0].cells] == ["Phase", "Regime", "Status", "Reason"]
    assert len(summary.rows) == 1 + len(five.phases)
    assert summary.rows[6].cells[2].text == "undetermined"
    body = "\n".join(p.text for p in document.paragraphs)
    assert kb.disclaimer.en in body and "I don't know" in body
    for part in kb.outcome_by_id["split_police_justice_gdpr"].parts:  # each regime with the purposes it governs
        assert f"{kb.outcome_by_id[part.outcome].label.en}: {part.purposes.en}" in body
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


# Typst's own syntax: code, maths, markup, labels, references, comments, raw text, file reads.
TYPST_NAME = (
    '#panic("pwned") #let x = 1 $x^2$ *gras* _it_ <lbl> @ref \\ // c /* c */ `raw` ~ [a] {b} #read("/etc/passwd")'
)
TYPST_DESCRIPTION = '= Titre\n- liste\n+ un\n#image("/etc/passwd") #link("javascript:alert(1)")[x] ```py\nprint()\n```'


def words_off_the_page(path: Path) -> list[str]:
    """Words whose box crosses the page's right or left edge (pdftotext -bbox)."""
    html = poppler("pdftotext", path, "-bbox", out=("-",))
    off = []
    for width, body in re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', html, flags=re.S):
        for x_min, x_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', body
        ):
            if float(x_min) < 30 or float(x_max) > float(width) - 30:  # margins are 12 to 16 mm (34 to 45 pt)
                off.append(word)
    return off


@needs_poppler
def test_hostile_strings_print_as_text_in_pdf(kb: KnowledgeBase, hostile: Assessment, tmp_path: Path) -> None:
    path = tmp_path / "hostile.pdf"
    path.write_bytes(render_report(kb=kb, assessment=hostile, fmt="pdf", lang="fr"))
    text = poppler("pdftotext", path, "-layout", out=("-",))
    assert '<script>alert("x")</script> **gras** [lien](javascript:alert(1)) | # ="=1+1" \\N \\G' in flat(text)
    assert "<img src=x onerror=alert(1)>" in text and "<b>dev</b> & `code` ~~barré~~" in text
    assert all(word in text for word in RTL.split())  # right-to-left words kept (and set right to left)
    assert "Äxxxx" in text and "xxxxZ" in text  # the 192-letter word is wrapped, not cut off or dropped
    assert "".join(LONG_WORD) in re.sub(r"\s", "", text)
    assert words_off_the_page(path) == []  # nothing runs off the page
    assert not re.search(rb"/URI\s*\(javascript", path.read_bytes())


@needs_poppler
def test_typst_syntax_in_names_prints_as_text(kb: KnowledgeBase, tmp_path: Path) -> None:
    from airegime.engine.evaluate import evaluate
    from airegime.system import parse_system

    descriptor = hostile_descriptor()
    descriptor.update(name=TYPST_NAME, description=TYPST_DESCRIPTION)
    descriptor["deployments"][0]["name"] = "a_very_long_identifier/" + "y" * 120 + "_end"
    system = parse_system(descriptor, kb=kb)
    path = tmp_path / "typst.pdf"
    path.write_bytes(render_report(kb=kb, assessment=evaluate(kb=kb, system=system), fmt="pdf", lang="en"))
    text = poppler("pdftotext", path, out=("-",))
    assert TYPST_NAME in flat(text)  # nothing evaluated: no panic, no file read, every character printed
    for line in TYPST_DESCRIPTION.splitlines():
        assert line in text
    assert "root:" not in text  # /etc/passwd was not read
    assert "a_very_long_identifier/" + "y" * 120 + "_end" in re.sub(r"\s", "", text)
    assert words_off_the_page(path) == []


@needs_poppler
def test_control_characters_are_dropped_from_the_pdf(kb: KnowledgeBase, zone: Assessment, tmp_path: Path) -> None:
    # The descriptor reader refuses them, but a report dict may come from elsewhere (an old JSON report).
    report = report_dict(kb=kb, assessment=zone, lang="en", generated=REPORT_DATE)
    report["system"]["name"] = "Bell\x07ringing\x1b[31m red\x00"
    path = tmp_path / "control.pdf"
    path.write_bytes(render_report_dict(report, fmt="pdf", kb=kb))
    assert "Bellringing[31m red" in poppler("pdftotext", path, out=("-",))


def test_hostile_strings_in_docx_are_plain_text(kb: KnowledgeBase, hostile: Assessment) -> None:
    import docx

    document = docx.Document(io.BytesIO(render_report(kb=kb, assessment=hostile, fmt="docx", lang="fr")))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert HOSTILE_NAME in cells and RTL in cells
    body = "\n".join(p.text for p in document.paragraphs)
    assert '=HYPERLINK("http://evil") ' + LONG_WORD in body  # the bell character dropped, the rest kept


@pytest.mark.slow
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


def test_the_note_on_changes_left_to_the_annex_is_one_plural_message() -> None:
    from airegime.render.report_markdown import more_changes_note

    assert more_changes_note(1, "en").startswith("One other combination of answers would")
    assert more_changes_note(2, "en").startswith("2 other combinations of answers would")
    assert more_changes_note(1, "fr").startswith("Une autre combinaison de réponses changerait")
    assert more_changes_note(12, "fr").startswith("12 autres combinaisons de réponses changeraient")
