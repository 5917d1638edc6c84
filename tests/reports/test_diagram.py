"""The decision diagram: the tree drawn must decide exactly as the engine does, and show the path."""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from airegime.engine.evaluate import evaluate
from airegime.engine.results import Assessment
from airegime.errors import AiregimeError
from airegime.i18n import translate
from airegime.kb import KnowledgeBase
from airegime.kb.models import Phase
from airegime.render.diagram import HIGHLIGHT, Branch, Leaf, decision_diagram, decision_tree, diagram_dot
from airegime.render.reports import render_report
from airegime.system import parse_system


@pytest.fixture
def no_dot_program(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine without Graphviz's programs: an empty PATH, and any attempt to start a program fails."""
    monkeypatch.setenv("PATH", str(tmp_path))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a program was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)


def follow(tree: Branch | Leaf, answers: dict[str, str]) -> str:
    node = tree
    while isinstance(node, Branch):
        node = next(child for codes, child in node.arms if answers[node.question] in codes)
    return node.outcome


def all_answers(kb: KnowledgeBase, phase: Phase) -> list[dict[str, str]]:
    questions = kb.phase_questions(phase)
    return [
        dict(zip([q.id for q in questions], combo, strict=True)) for combo in product(*(q.codes for q in questions))
    ]


def system_for(phase: Phase, answers: dict[str, str]) -> dict[str, object]:
    """Every answer given by the phase itself (the establishment too: a phase's own answer wins)."""
    if phase == "development":
        return {"name": "S", "developments": [{"answers": answers}], "deployments": [{"name": "D"}]}
    return {"name": "S", "deployments": [{"name": "D", "answers": answers}]}


@pytest.mark.parametrize("phase", ["development", "deployment"])
def test_the_tree_gives_the_engines_outcome_for_every_full_set_of_answers(kb: KnowledgeBase, phase: Phase) -> None:
    tree = decision_tree(kb, phase)
    combos = all_answers(kb, phase)
    sample = combos if len(combos) <= 600 else random.Random(4).sample(combos, 600)
    for answers in sample:
        drawn = follow(tree, answers)
        result = evaluate(kb=kb, system=parse_system(system_for(phase, dict(answers)), kb=kb))
        decided = result.development if phase == "development" else result.deployments[0]
        assert decided.status != "undetermined"
        assert drawn == decided.outcome, f"{phase} {answers}: diagram says {drawn}, engine {decided.outcome}"


def test_every_outcome_of_every_phase_appears_in_the_tree(kb: KnowledgeBase) -> None:
    def leaves(node: Branch | Leaf) -> set[str]:
        return {node.outcome} if isinstance(node, Leaf) else set().union(*(leaves(c) for _, c in node.arms))

    for phase in ("development", "deployment"):
        assert leaves(decision_tree(kb, phase)) == {r.outcome for r in kb.rules_for(phase)}  # type: ignore[arg-type]


def test_the_path_taken_is_highlighted_and_tagged(kb: KnowledgeBase, zone: Assessment) -> None:
    source = diagram_dot(kb=kb, assessment=zone, lang="en")
    tagged = [line for line in source.splitlines() if "← Deployment: National police" in line]
    assert len(tagged) == 1 and HIGHLIGHT in tagged[0] and "Police-justice" in tagged[0]
    assert "← Development" in source
    assert HIGHLIGHT not in diagram_dot(kb=kb, lang="en")


def test_an_unknown_answer_marks_where_the_path_stops(kb: KnowledgeBase, five: Assessment) -> None:
    source = diagram_dot(kb=kb, assessment=five, lang="en", focus=True)
    stops = [line for line in source.splitlines() if "answer unknown" in line]
    lab = [line for line in stops if "Research lab" in line]
    assert len(lab) == 1 and "Does this phase process personal\\ndata?" in lab[0]
    # the development's uses are unknown too: its path stops at that question, tagged with the phase
    development = [line for line in stops if "← Development" in line]
    assert len(development) == 1 and "operational uses" in development[0]
    assert "…" in source  # focus: the sub-trees off the paths are stubs


@pytest.mark.usefixtures("no_dot_program")
def test_svg_and_png_are_produced_without_any_graphviz_program(kb: KnowledgeBase, zone: Assessment) -> None:
    svg = decision_diagram(kb=kb, assessment=zone, fmt="svg", lang="fr")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg and "Déploiement".encode() in svg
    png = decision_diagram(kb=kb, fmt="png", lang="en", phase="deployment")
    assert png.startswith(b"\x89PNG")


@pytest.mark.usefixtures("no_dot_program")
@pytest.mark.parametrize(
    "options", [{}, {"phase": "development"}, {"ppi": 96}], ids=["whole", "development", "dot's size"]
)
@pytest.mark.slow
def test_png_is_graphviz_svg_drawn_at_its_own_size_opaque_and_not_blank(
    kb: KnowledgeBase, options: dict[str, Any]
) -> None:
    svg = decision_diagram(kb=kb, fmt="svg", lang="fr", phase=options.get("phase")).decode()
    png = decision_diagram(kb=kb, fmt="png", lang="fr", **options)
    ppi = options.get("ppi", 72)
    width, height = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())  # type: ignore[union-attr]
    from PIL import Image

    picture = Image.open(io.BytesIO(png))
    assert picture.size == (round(width * ppi / 72), round(height * ppi / 72))  # points: 72 per inch
    if picture.mode == "RGBA":  # every pixel opaque: a white page under the drawing
        assert picture.getchannel("A").getextrema() == (255, 255)
    colours = picture.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # drawn, anti-aliased: not a blank page
    assert sum(count for count, rgb in colours if rgb == (255, 255, 255)) < 0.95 * picture.width * picture.height


def test_hostile_names_stay_text_in_the_svg(kb: KnowledgeBase, hostile: Assessment) -> None:
    svg = decision_diagram(kb=kb, assessment=hostile, fmt="svg", lang="fr", focus=True).decode()
    assert "<script" not in svg and svg.count("</svg>") == 1 and "back\\slash &lt;/sv…" in svg
    assert '"quoted" \\ back\\slash' in svg.replace("&quot;", '"').replace("&#34;", '"')


def test_a_split_outcome_is_drawn_as_such_and_each_development_is_tagged(kb: KnowledgeBase) -> None:
    system = parse_system(
        {
            "name": "Police tool",
            "answers": {"establishment": "eu"},
            "developments": [
                {
                    "name": "Police training",
                    "answers": {
                        "personal_data": "yes",
                        "organisation_kind": "competent_authority",
                        "development_uses": "single_use_with_other_ends",
                        "purpose": "criminal_law",
                    },
                },
                {
                    "name": "Vendor reuse",
                    "answers": {
                        "personal_data": "yes",
                        "organisation_kind": "private_body",
                        "development_uses": "various",
                    },
                },
            ],
            "deployments": [{"name": "D", "answers": {"personal_data": "no"}}],
        },
        kb=kb,
    )
    assessment = evaluate(kb=kb, system=system)
    assert [p.outcome for p in assessment.developments] == ["split_police_justice_gdpr", "gdpr"]
    source = diagram_dot(kb=kb, assessment=assessment, lang="en")
    split = kb.outcome_by_id["split_police_justice_gdpr"]
    tagged = [line for line in source.splitlines() if "← Development: Police training" in line]
    assert len(tagged) == 1 and "Police-justice for the" in tagged[0] and HIGHLIGHT in tagged[0]
    assert "#d6e6f5" in tagged[0]  # the colour of several regimes, each for its purposes, as the legend says
    assert "several regimes, each for its purposes" in source and split.parts
    reuse = [line for line in source.splitlines() if "← Development: Vendor reuse" in line]
    assert len(reuse) == 1 and "GDPR" in reuse[0]


def test_reports_embed_the_diagram_without_any_graphviz_program(
    kb: KnowledgeBase, zone: Assessment, no_dot_program: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    html = render_report(kb=kb, assessment=zone, fmt="html", lang="en")
    assert b"data:image/svg+xml" in html
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_report(kb=kb, assessment=zone, fmt="pdf", lang="en"))
    monkeypatch.undo()  # PATH and programs back: poppler reads what was made without Graphviz
    pages = poppler("pdftotext", pdf, "-").split("\f")
    drawn = [page for page in pages if translate("diagram.title", "en") in page]
    # the diagram's own words, drawn as text on its page: its title, the legend, a question, a path's tag
    assert len(drawn) == 1
    assert (
        translate("diagram.legend.regime", "en") in drawn[0]
        and "personal" in drawn[0]
        and "National police" in drawn[0]
    )


def poppler(*command: str | Path) -> str:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, check=True)
    assert done.stderr == ""
    return done.stdout


def test_layouts_from_several_threads_are_the_same_picture(kb: KnowledgeBase, zone: Assessment) -> None:
    # Graphviz's library keeps global state: layouts at once must not mix up (they take turns).
    jobs = [{"phase": "development"}, {"phase": "deployment"}, {"assessment": zone, "focus": True}] * 3
    alone = [decision_diagram(kb=kb, fmt="svg", lang="en", **job) for job in jobs[:3]]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda job: decision_diagram(kb=kb, fmt="svg", lang="en", **job), jobs))
    assert together == alone * 3


def test_a_missing_layout_package_is_a_clear_error(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # import fails, as where no wheel was installed
    with pytest.raises(AiregimeError, match="pygraphviz"):
        decision_diagram(kb=kb, fmt="svg", lang="en", phase="deployment")
    assert decision_diagram(kb=kb, fmt="dot", lang="en").startswith(b"digraph")  # the source needs nothing
