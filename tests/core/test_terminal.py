"""What the terminal shows, at every width: no word cut in two, no French mark alone at the start of
a line, wrapped list items under their text."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

import airegime.cli.app  # noqa: F401  # sets the command line's wrapping rule
from airegime.cli import views
from airegime.engine.evaluate import evaluate
from airegime.engine.explain import explain
from airegime.engine.verify import verify
from airegime.kb import KnowledgeBase, Lang
from airegime.render.report_data import build_report
from airegime.system import load_system

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "zone-crossing-detector.yaml"


def _printed(width: int, draw: Callable[[Console], None]) -> str:
    """What ``draw`` shows on a terminal ``width`` columns wide."""
    console = Console(width=width, record=True, file=io.StringIO())
    draw(console)
    return console.export_text()


def _shown(kb: KnowledgeBase, lang: Lang, width: int, *, explained: bool = False) -> str:
    system = load_system(EXAMPLE, kb=kb)
    if explained:
        return _printed(width, lambda out: views.print_explanation(out, kb, explain(kb=kb, system=system), lang))
    return _printed(width, lambda out: views.print_assessment(out, kb, evaluate(kb=kb, system=system), lang))


def test_french_terminal_tables_never_start_a_line_with_the_mark_a_no_break_space_holds(kb: KnowledgeBase) -> None:
    """French writes "traitement : Une" with a no-break space before the colon: no line may begin with it."""
    for width in range(40, 141, 2):
        cells = [cell.strip() for line in _shown(kb, "fr", width).splitlines() for cell in line.split("│")]
        assert not [cell for cell in cells if cell[:1] in (":", ";", "»", "?", "!")], f"at {width} columns"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_narrow_terminal_gets_every_word_whole(kb: KnowledgeBase, lang: Lang) -> None:
    """Where the table's columns cannot each hold their longest word, each phase is a block instead."""

    def words(text: str) -> set[str]:
        return {word.rstrip(":") for word in re.sub(r"[\u2500-\u257f]", " ", text).split()}

    whole = words(_shown(kb, lang, 200)) | {"·"}
    for width in range(40, 141, 2):
        assert words(_shown(kb, lang, width)) <= whole, f"a word cut at {width} columns"


def test_a_wrapped_list_item_stays_under_its_text(kb: KnowledgeBase) -> None:
    """The things to keep in mind, at the end of an explanation: each line a bullet or its item's continuation."""
    shown = _shown(kb, "fr", 58, explained=True)
    kept_in_mind = shown.split("À garder en tête")[1].splitlines()[1:]
    lines = [line for line in kept_in_mind if line.strip()]
    assert len(lines) > len([line for line in lines if line.startswith("• ")]) > 1  # some items wrap
    assert all(line.startswith(("• ", "  ")) for line in lines)


def test_the_interview_help_gives_each_source_address_whole(kb: KnowledgeBase) -> None:
    """A source's address may fold onto the next line; it is never cut short with "…"."""
    from airegime.cli.interview import Interview

    question = kb.question_by_id["establishment"]
    for width in range(40, 141, 10):
        shown = _printed(width, lambda out: Interview(kb, "fr", out)._show_help(question))
        joined = "".join(line.strip() for line in shown.splitlines())
        assert "…" not in shown, f"cut at {width} columns"
        for citation in question.sources:
            assert kb.source_by_id[citation.source].link("fr") in joined, f"at {width} columns"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_headings_are_never_cut_short(kb: KnowledgeBase, lang: Lang) -> None:
    """A phase's heading (its title, then its regime) too long for a rule is printed whole over one."""
    explanation = explain(kb=kb, system=load_system(EXAMPLE, kb=kb))
    report = build_report(kb=kb, explanation=explanation, lang=lang)
    titles = [f"{p['title']} → {p['headline']}" for p in report["phases"]]
    for width in range(40, 141, 10):
        shown = _printed(width, lambda out: views.print_explanation(out, kb, explanation, lang, all_rules=True))
        assert not re.search(r"… ─+ *$", shown, re.MULTILINE), f"a heading cut at {width} columns"
        flowing = " ".join(line.strip(" ─") for line in shown.splitlines())
        assert all(" ".join(title.split()) in " ".join(flowing.split()) for title in titles), f"at {width} columns"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_verification_table_keeps_every_word_whole(kb: KnowledgeBase, lang: Lang) -> None:
    """Too narrow for its columns, the table becomes one block a phase, as the assessment's does."""

    report = verify(kb=kb)

    def shown(width: int) -> str:
        # the figures, not the time the check took
        return _printed(width, lambda out: views.print_verification(out, report, lang)).split("✓")[0]

    def words(text: str) -> set[str]:
        return {word.strip(":") for word in re.sub(r"[\u2500-\u257f]", " ", text).split()} - {""}

    whole = words(shown(200)) | {"•"}
    for width in range(40, 141, 2):
        text = shown(width)
        assert "…" not in text and words(text) <= whole, f"a word cut at {width} columns"
