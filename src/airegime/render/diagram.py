"""The decision diagram: the rule set drawn as a flowchart of questions, from the knowledge base alone.

For each phase the rules are unfolded into a decision tree: ask the first question (in the
interview's order) that some still-possible rule reads, branch on its answers, stop when every
still-possible rule leads to the same outcome. Answers leading to the same sub-tree share one
arrow, and identical sub-trees are drawn once. For an assessment, the path each phase took is
highlighted; a question answered "I don't know" is marked where the path stops.
Graphviz's ``dot`` layout, from the library bundled in the ``pygraphviz`` wheel, draws it as SVG
(nothing to install outside pip); the PNG is that SVG drawn by Typst (faster than ``dot -Tpng``).
"""

from __future__ import annotations

import textwrap
import threading
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Literal

from airegime.engine.evaluate import phase_answers
from airegime.engine.results import Assessment
from airegime.errors import AiregimeError, MissingExtraError, msg
from airegime.i18n import N_, translate
from airegime.kb.models import UNKNOWN, AllOf, AnyOf, Atom, Condition, KnowledgeBase, Lang, Not, Phase, Rule
from airegime.render.summary import answer_label, phase_title, short_label

_LAYOUT_LOCK = threading.Lock()
DiagramFormat = Literal["svg", "png", "dot"]
Constraints = dict[str, frozenset[str]]
HIGHLIGHT = "#d9480f"
PNG_PPI = 72  # pixels per inch of the PNG by default: one pixel per point, the diagram's own unit
TAG_LENGTH = 40  # a phase named on the outcome it reached: long names are cut, the report has them whole
# Fill colour by outcome kind: a regime, several each for its purposes, no regime, the law leaves it open.
OUTCOME_STYLE = {
    "regime": "#d3e9d3",
    "split": "#d6e6f5",
    "not_applicable": "#e4e7eb",
    "case_by_case": "#ecd9f0",
}


@dataclass(frozen=True, slots=True)
class Leaf:
    outcome: str


@dataclass(frozen=True, slots=True)
class Branch:
    """A question, and for each group of answers leading to the same place, where they lead."""

    question: str
    arms: tuple[tuple[tuple[str, ...], Node], ...]


Node = Leaf | Branch


def _truth(condition: Condition, known: Constraints) -> bool | None:
    """Kleene truth of a condition when each known question is narrowed to a set of answers."""
    if isinstance(condition, Atom):
        allowed = known.get(condition.question)
        if allowed is None:
            return None
        if allowed <= set(condition.values):
            return True
        return False if not allowed & set(condition.values) else None
    if isinstance(condition, Not):
        inner = _truth(condition.item, known)
        return None if inner is None else not inner
    truths = [_truth(item, known) for item in condition.items]
    if isinstance(condition, AllOf):
        return False if False in truths else (None if None in truths else True)
    assert isinstance(condition, AnyOf)
    return True if True in truths else (None if None in truths else False)


@cache
def decision_tree(kb: KnowledgeBase, phase: Phase) -> Node:
    """The phase's rules unfolded into a tree (identical sub-trees are the same object)."""
    shared: dict[Node, Node] = {}
    order = [q.id for q in kb.phase_questions(phase)]
    return _unfold(kb, phase, {}, order, shared, tuple(kb.rules_for(phase)))


def _unfold(
    kb: KnowledgeBase,
    phase: Phase,
    known: Constraints,
    order: list[str],
    shared: dict[Node, Node],
    rules: tuple[Rule, ...],
) -> Node:
    # Only the rules still possible above: more answers known never bring a ruled-out rule back.
    possible = tuple(rule for rule in rules if _truth(rule.when, known) is not False)
    outcomes = {rule.outcome for rule in possible}
    if len(outcomes) == 1:
        return shared.setdefault(Leaf(outcomes.pop()), Leaf(next(iter({r.outcome for r in possible}))))
    read = set().union(*(rule.questions for rule in possible))
    for question in (q for q in order if q in read and q not in known):
        arms: dict[Node, list[str]] = {}
        for code in kb.question_by_id[question].codes:
            child = _unfold(kb, phase, {**known, question: frozenset((code,))}, order, shared, possible)
            arms.setdefault(child, []).append(code)
        if len(arms) > 1:
            node = Branch(question, tuple((tuple(codes), child) for child, codes in arms.items()))
            return shared.setdefault(node, node)
        return next(iter(arms))
    raise AiregimeError(msg("error.diagram.gap", phase=phase, outcomes=sorted(outcomes), answers=known))


def decision_diagram(
    *,
    kb: KnowledgeBase,
    assessment: Assessment | None = None,
    fmt: DiagramFormat = "svg",
    lang: Lang = "fr",
    phase: Phase | None = None,
    focus: bool = False,
    ppi: float = PNG_PPI,
) -> bytes:
    """The diagram as SVG or PNG bytes (``dot``: the Graphviz source), with the assessment's paths if given.

    ``phase`` draws only that phase's tree. ``focus`` (with an assessment) draws only the questions
    on the paths taken, the other answers ending in "…": the compact view printed in reports.
    ``ppi``: the PNG's pixels per inch (96 gives `dot -Tpng`'s size: 1.8 times the pixels, and time).
    """
    source = diagram_dot(kb=kb, assessment=assessment, lang=lang, phase=phase, focus=focus)
    if fmt == "dot":
        return source.encode("utf-8")
    svg = layout_svg(source)
    if fmt == "svg":
        return svg
    from airegime.render.pdf import svg_to_png

    # Typst draws Graphviz's SVG in about two thirds of the time `dot -Tpng` (cairo) takes, at the same size.
    return svg_to_png(svg.decode("utf-8"), ppi=ppi)


def layout_svg(source: str) -> bytes:
    """Graphviz's SVG drawing of ``source``, laid out in this process by the Graphviz library that the
    ``pygraphviz`` wheel bundles: no system package, no ``dot`` program on the PATH."""
    try:
        import pygraphviz  # type: ignore[import-untyped]
    except ImportError:  # a core-only install, or a platform without a pygraphviz wheel where it could not be built
        raise MissingExtraError("reports", module="pygraphviz") from None
    # Graphviz's library keeps global state: one layout at a time (about 25 ms for the whole rule set).
    with _LAYOUT_LOCK:
        graph = pygraphviz.AGraph(string=source)
        try:
            svg = graph.draw(format="svg", prog="dot")
        except ValueError as error:
            raise AiregimeError(
                msg("error.diagram.graphviz", reason=error), hint=msg("error.diagram.bug.hint")
            ) from None
        finally:
            graph.close()
    assert isinstance(svg, bytes)
    return svg


def quote(text: str) -> str:
    """A dot string literal: quotes and backslashes escaped (so no \\N, \\G… expansions), lines kept."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrap(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width)) or " "


@dataclass
class _Path:
    """What to highlight: nodes and arrows taken, where paths stop on an unknown, and who ended where."""

    nodes: set[int]
    edges: set[tuple[int, int]]
    stops: dict[int, list[str]]
    tags: dict[int, list[str]]


def diagram_dot(
    *,
    kb: KnowledgeBase,
    assessment: Assessment | None = None,
    lang: Lang = "fr",
    phase: Phase | None = None,
    focus: bool = False,
) -> str:
    phases: tuple[Phase, ...] = (phase,) if phase else ("deployment", "development")  # dot stacks them bottom-up
    paths = {drawn: _phase_path(kb, assessment, drawn, lang) for drawn in phases}
    stopped = any(path.stops for path in paths.values())
    lines = [
        "digraph airegime {",
        f"  graph [label={_title_and_legend(lang, with_path=assessment is not None, stops=stopped)},"
        ' rankdir=LR, fontname="DejaVu Sans", fontsize=16, labelloc=t, nodesep=0.25, ranksep=0.35, newrank=true];',
        '  node [fontname="DejaVu Sans", fontsize=10, shape=box, style="rounded,filled", fillcolor="#f4f7fb",'
        ' color="#7b8794", margin="0.12,0.06"];',
        '  edge [fontname="DejaVu Sans", fontsize=9, color="#7b8794", fontcolor="#3e4c59", arrowsize=0.7];',
    ]
    for drawn, path in paths.items():
        if not (focus and not path.nodes):
            lines += _cluster(kb, drawn, path, lang, focus=focus and assessment is not None)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _title_and_legend(lang: Lang, *, with_path: bool, stops: bool) -> str:
    """The title, and under it what the colours mean, as labelled swatches (an HTML-like dot label);
    the swatch for a path stopped by an answer "I don't know" only when some path stops so."""
    swatches = {
        "regime": N_("diagram.legend.regime"),
        "split": N_("diagram.legend.split"),
        "not_applicable": N_("diagram.legend.not_applicable"),
        "case_by_case": N_("diagram.legend.case_by_case"),
    }
    cells = [
        f'<td bgcolor="{OUTCOME_STYLE[kind]}">{escape(translate(key, lang))}</td>' for kind, key in swatches.items()
    ]
    if with_path:
        cells.append(
            f'<td color="{HIGHLIGHT}"><font color="{HIGHLIGHT}">{escape(translate("diagram.path", lang))}</font></td>'
        )
        if stops:
            cells.append(f'<td bgcolor="#fff3bf">{escape(translate("diagram.legend.unknown", lang))}</td>')
    # Padding to spare: renderers other than Graphviz's own (browsers, Typst) set the text a little wider.
    legend = '<table border="0" cellborder="1" cellspacing="4" cellpadding="5"><tr>' + "".join(cells) + "</tr></table>"
    title = f'<font point-size="16">{escape(translate("diagram.title", lang))}</font>'
    return (
        f'<<table border="0"><tr><td>{title}</td></tr><tr><td><font point-size="10">{legend}</font></td></tr></table>>'
    )


def _cluster(kb: KnowledgeBase, phase: Phase, path: _Path, lang: Lang, *, focus: bool = False) -> list[str]:
    tree = decision_tree(kb, phase)
    prefix = phase[:3]
    title = translate(f"phase.{phase}", lang)
    lines = [
        f"  subgraph cluster_{phase} {{",
        f'    label={quote(title)}; fontsize=14; style="rounded"; color="#cfd6de";',
        f'    {prefix}_start [label={quote(title)}, shape=oval, fillcolor="#1f4e79", fontcolor=white,'
        + (f' color="{HIGHLIGHT}", penwidth=3' if path.nodes else "")
        + "];",
    ]
    names: dict[int, str] = {}
    counter = [0]

    def name(node: Node, parent: str) -> str:
        if isinstance(node, Leaf):  # each arrow gets its own outcome box: fewer crossing lines
            counter[0] += 1
            return f"{prefix}_leaf{counter[0]}_{parent}"
        if id(node) not in names:
            names[id(node)] = f"{prefix}_q{len(names)}"
        return names[id(node)]

    drawn: set[int] = set()

    def draw(node: Node, node_name: str) -> None:
        if isinstance(node, Leaf) or id(node) in drawn:
            return
        drawn.add(id(node))
        if focus and id(node) not in path.nodes:  # off the paths taken: a stub, not the whole sub-tree
            lines.append(f'    {node_name} [label="…", shape=plaintext, style="", fontsize=14];')
            return
        question = kb.question_by_id[node.question]
        style = f', color="{HIGHLIGHT}", penwidth=3' if id(node) in path.nodes else ""
        if id(node) in path.stops:
            stopped = "\n".join(f"← {tag}" for tag in path.stops[id(node)])
            style += f', fillcolor="#fff3bf", xlabel={quote(translate("diagram.open", lang) + chr(10) + stopped)}'
        lines.append(f"    {node_name} [label={quote(wrap(question.text.get(lang)))}{style}];")
        for codes, child in node.arms:
            child_name = name(child, node_name)
            if isinstance(child, Leaf):
                lines.append(_leaf(kb, child, child_name, (id(node), id(child)) in path.edges, path, node, lang))
            label = _arm_label(kb, node, codes, lang)
            taken = (id(node), id(child)) in path.edges
            edge_style = f', color="{HIGHLIGHT}", fontcolor="{HIGHLIGHT}", penwidth=3' if taken else ""
            lines.append(f"    {node_name} -> {child_name} [label={quote(wrap(label, 26))}{edge_style}];")
            draw(child, child_name)

    root = name(tree, f"{prefix}_start")
    if isinstance(tree, Leaf):
        lines.append(_leaf(kb, tree, root, bool(path.nodes), path, None, lang))
    lines.append(f"    {prefix}_start -> {root}" + (f' [color="{HIGHLIGHT}", penwidth=3]' if path.nodes else "") + ";")
    draw(tree, root)
    return [*lines, "  }"]


def _arm_label(kb: KnowledgeBase, node: Branch, codes: tuple[str, ...], lang: Lang) -> str:
    """The answers on an arrow; the one big group of three or more answers reads "any other answer"."""
    largest = max(len(c) for c, _ in node.arms)
    if len(codes) >= 3 and len(codes) == largest and sum(len(c) == largest for c, _ in node.arms) == 1:
        return translate("diagram.other", lang)
    return " / ".join(short_label(answer_label(kb, node.question, c, lang)) for c in codes)


def _leaf(
    kb: KnowledgeBase, leaf: Leaf, node_name: str, taken: bool, path: _Path, parent: Branch | None, lang: Lang
) -> str:
    outcome = kb.outcome_by_id[leaf.outcome]
    label = wrap(outcome.label.get(lang), 30)
    key = id(parent) * 31 + id(leaf) if parent is not None else id(leaf)
    if taken and path.tags.get(key):
        label += "\n← " + "\n← ".join(path.tags[key])
    style = f', color="{HIGHLIGHT}", penwidth=3, fontcolor="#000000"' if taken else ""
    shape = "octagon" if outcome.kind == "case_by_case" else "box"
    return (
        f'    {node_name} [label={quote(label)}, shape={shape}, style="filled,bold", '
        f'fillcolor="{OUTCOME_STYLE[outcome.kind]}"{style}];'
    )


def _phase_path(kb: KnowledgeBase, assessment: Assessment | None, phase: Phase, lang: Lang) -> _Path:
    path = _Path(set(), set(), {}, {})
    if assessment is None:
        return path
    tree = decision_tree(kb, phase)
    for result in assessment.phases:
        if result.phase != phase:
            continue
        answers = phase_answers(assessment.system, phase, result.deployment_index, result.development_index)
        tag = phase_title(result, lang, developments=len(assessment.developments))
        _follow(tree, None, answers, path, tag[:TAG_LENGTH] + ("…" if len(tag) > TAG_LENGTH else ""))
    return path


def _follow(node: Node, parent: Branch | None, answers: dict[str, str], path: _Path, tag: str) -> None:
    path.nodes.add(id(node))
    while isinstance(node, Branch):
        answer = answers.get(node.question, UNKNOWN)
        child = next((c for codes, c in node.arms if answer in codes), None)
        if child is None:  # "I don't know" (or no answer): the path stops at this question
            path.stops.setdefault(id(node), []).append(tag)
            return
        path.edges.add((id(node), id(child)))
        path.nodes.add(id(child))
        parent, node = node, child
    key = id(parent) * 31 + id(node) if parent is not None else id(node)
    path.tags.setdefault(key, []).append(tag)
