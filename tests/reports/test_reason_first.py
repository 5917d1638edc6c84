"""The report read the way a manager reads it: a one-page summary first, then each phase with the
reason that decided first, and the rules that did not decide last (an annex, or a collapsed block
in HTML), so that the first pages never talk about defence or crowd safety for a system that has
nothing to do with them."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from airegime.engine.evaluate import evaluate
from airegime.engine.results import Assessment
from airegime.i18n import translate
from airegime.kb import KnowledgeBase
from airegime.kb.models import Lang
from airegime.render.reports import render_report, report_dict
from airegime.system import load_system

from .helpers import REPORT_DATE, ROOT

FORMATS = ["md", "html", "docx", "pdf"]
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
OFF_TOPIC = re.compile(r"défense|defence|foule|crowd|sûreté de l’État|State security", re.IGNORECASE)


def rendered(kb: KnowledgeBase, assessment: Assessment, fmt: str, lang: Lang, tmp_path: Path) -> str:
    """The text in reading order, whitespace flattened (a PDF breaks lines anywhere, and pdftotext
    reads a non-breaking space as a space)."""
    data = render_report(kb=kb, assessment=assessment, fmt=fmt, lang=lang, generated=REPORT_DATE)  # type: ignore[arg-type]
    if fmt == "pdf":
        (tmp_path / "r.pdf").write_bytes(data)
        text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    elif fmt == "docx":
        import docx
        from docx.oxml.ns import qn

        body = docx.Document(io.BytesIO(data)).element.body
        text = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))
    elif fmt == "html":
        text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", data.decode(), flags=re.S)))
    else:
        text = re.sub(r"\\(.)", r"\1", data.decode())
    return flat(text)


def flat(text: str) -> str:
    """Every run of whitespace, non-breaking spaces included, as one space."""
    return " ".join(text.split())


def squash(text: str) -> str:
    """Without spaces and hyphens: a PDF line broken at "police-justice" reads "policejustice"."""
    return re.sub(r"[\s-]", "", text)


def example(kb: KnowledgeBase, name: str) -> Assessment:
    return evaluate(kb=kb, system=load_system(ROOT / "examples" / f"{name}.yaml", kb=kb))


def first_rule_after(text: str, start: int, titles: list[str]) -> str:
    found = [(text.find(title, start), title) for title in titles if text.find(title, start) >= 0]
    return min(found)[1]


@needs_poppler
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_phase_shows_the_deciding_rule_first(
    kb: KnowledgeBase, zone: Assessment, fmt: str, lang: Lang, tmp_path: Path
) -> None:
    report = report_dict(kb=kb, assessment=zone, lang=lang, generated=REPORT_DATE)
    text = rendered(kb, zone, fmt, lang, tmp_path)
    titles = [flat(rule.title.get(lang)) for rule in kb.rules]
    details = text.index(translate("report.phases", lang))
    summary = text[:details]
    for row in report["summary"]:  # page 1: every phase with its regime and the reason that decided
        assert all(flat(row[key]) in summary for key in ("title", "outcome_label", "reason"))
    for phase in report["phases"]:
        start = text.index(flat(f"{phase['title']} — {phase['headline']}"), details)
        assert first_rule_after(text, start, titles) == flat(phase["deciding"]["title"])
        after = text[start:]
        reason, enough = (
            after.index(flat(translate("reason.title", lang))),
            after.index(flat(translate("reason.answers", lang))),
        )
        assert reason < enough < after.index(flat(translate("explain.would_change", lang)))
        assert after.index(flat(phase["deciding"]["explanation"])) < enough
    # Nothing else was possible for this system: no other rule, and no rule about defence or crowds, anywhere
    # (a few rule titles are also an answer's or a regime's words, which the what-if tables rightly show).
    labels = [flat(o.label.get(lang)) for q in kb.questions for o in q.options]
    labels += [flat(o.label.get(lang)) for o in kb.outcomes]
    deciding = {flat(phase["deciding"]["title"]) for phase in report["phases"]}
    shown = [title for title in titles if title in text and title not in deciding]
    assert [title for title in shown if not any(title in label for label in labels)] == []
    assert translate("reason.others", lang) not in text


@needs_poppler
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_rules_that_did_not_decide_come_only_after_other_rules_considered(
    kb: KnowledgeBase, fmt: str, lang: Lang, tmp_path: Path
) -> None:
    assessment = example(kb, "startup-foundation-model")  # one deployment undetermined: ten rules still open
    report = report_dict(kb=kb, assessment=assessment, lang=lang, generated=REPORT_DATE)
    deciding = {phase["deciding"]["rule"] for phase in report["phases"] if phase["deciding"]}  # shown as reasons
    others = [rule for phase in report["phases"] for rule in phase["rules"] if rule["rule"] not in deciding]
    off_topic = [rule for rule in others if OFF_TOPIC.search(rule["title"] + rule["explanation"])]
    assert len(others) >= 5 and len(off_topic) >= 2  # rules about crowd safety and State security among them
    labels = [o.label.get(lang) for q in kb.questions for o in q.options] + [o.label.get(lang) for o in kb.outcomes]
    text = squash(rendered(kb, assessment, fmt, lang, tmp_path))
    heading = text.index(squash(translate("reason.others", lang)))
    for rule in others:  # title and explanation: not in the summary nor in the details before the heading
        said = [rule["explanation"]] + ([] if any(rule["title"] in label for label in labels) else [rule["title"]])
        for words in map(squash, said):  # (a title that is also an answer's words may be said as an answer)
            assert words in text[heading:] and words not in text[:heading], words
    if fmt != "html":  # an annex at the end: after the sources; in HTML, a collapsed block in the phase
        assert text.index(squash(translate("report.citations", lang))) < heading


def test_the_html_keeps_other_rules_in_a_collapsed_block(kb: KnowledgeBase) -> None:
    assessment = example(kb, "startup-foundation-model")
    page = render_report(kb=kb, assessment=assessment, fmt="html", lang="en").decode()
    block = re.search(r"<details class=\"others\">(.*?)</details>", page, re.S)
    assert block and "<summary>Other rules considered (10)</summary>" in block.group(1)
    assert '<details class="others" open' not in page


@needs_poppler
@pytest.mark.parametrize("name", ["zone-crossing-detector", "startup-foundation-model", "police-contractor-reuse"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_pdf_summary_holds_on_page_one(kb: KnowledgeBase, name: str, lang: Lang, tmp_path: Path) -> None:
    assessment = example(kb, name)
    report = report_dict(kb=kb, assessment=assessment, lang=lang, generated=REPORT_DATE)
    (tmp_path / "r.pdf").write_bytes(
        render_report(kb=kb, assessment=assessment, fmt="pdf", lang=lang, generated=REPORT_DATE)
    )
    page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True
    ).stdout
    flat = squash(page)
    expected: list[Any] = [report["system"]["name"], report["generated"], report["rule_set"]["hash"]]
    expected += [row["reason"] for row in report["summary"]]
    expected += [translate("report.open_points", lang), report["disclaimer"]]
    expected += [step["text"] for group in report["next_steps"] for step in group["steps"]]
    for value in expected:
        assert squash(value) in flat, value
    assert squash(translate("report.phases", lang)) not in flat  # the details start on page 2


def test_markdown_summary_comes_first_with_open_points_and_next_steps(kb: KnowledgeBase, five: Assessment) -> None:
    text = render_report(kb=kb, assessment=five, fmt="md", lang="en", generated=REPORT_DATE).decode()
    summary = text.split("## Regime of each phase")[0]
    assert "## Summary" in summary and "### Next steps" in summary and "](<https://" in summary
    points = summary.split("### Open points")[1].split("###")[0]
    # The undetermined phases' questions to settle first, and the other "I don't know" answer.
    assert "Development — Question to settle first: What is the purpose" in points
    assert "Deployment: Research lab — Question to settle first: Does this phase process personal data?" in points
    assert "(answered “I don't know”)" in points.split("Research lab")[1]
    assert "Development — For which operational uses" in points
    assert "Question to settle first" in text.split("### Development — Undetermined")[1].split("#### ")[1]


@needs_poppler
def test_a_summary_too_long_for_one_page_flows_on_without_a_blank_page(
    kb: KnowledgeBase, five: Assessment, tmp_path: Path
) -> None:
    # Six phases and five regimes' next steps: more than a page, so the details follow on page 2.
    (tmp_path / "r.pdf").write_bytes(render_report(kb=kb, assessment=five, fmt="pdf", lang="fr", generated=REPORT_DATE))
    page = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True
    )
    assert translate("report.phases", "fr") in page.stdout and translate("disclaimer", "fr") in page.stdout
