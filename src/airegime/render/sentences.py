"""Conditions as readable sentences, shared by the reports and the methodology.

A condition dict (see :func:`airegime.render.report_data.condition_dict`) becomes an indented list
of lines: groups say "all of the following" / "at least one of the following" / "it is not the
case that", questions say which answers satisfy them and, in a report, the answer given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airegime.i18n import translate
from airegime.kb.models import Lang
from airegime.render.summary import accepted_answers, colon

TRUTH_MARK = {"met": "✓", "not_met": "✗", "open": "?"}


def atom_sentence(node: dict[str, Any], lang: Lang, *, traced: bool) -> str:
    """ "Does this phase process personal data? → Yes (answer given: No)"."""
    sentence = f"{node['text']} → {accepted_answers(node['expected_labels'], node['excluded_labels'], lang)}"
    if traced and node["truth"] != "met":  # a ✓ already says the answer fits; say which one when it does not
        sentence += f" ({translate('cond.given', lang)}{colon(lang)}{node['answer_label']})"
    return sentence


def group_sentence(node: dict[str, Any], lang: Lang) -> str:
    return translate(f"cond.{node['kind']}", lang)


def condition_lines(
    node: dict[str, Any],
    lang: Lang,
    *,
    traced: bool,
    escape: Callable[[str], str] = str,
    depth: int = 0,
    flatten_top: bool = True,
) -> list[tuple[int, str]]:
    """(depth, text) lines. A top-level "all" is flattened: the reader is told "applies when" already."""
    mark = f"{TRUTH_MARK[node['truth']]} " if traced else ""
    if node["kind"] == "question":
        return [(depth, mark + escape(atom_sentence(node, lang, traced=traced)))]
    lines: list[tuple[int, str]] = []
    child_depth = depth
    if not (flatten_top and depth == 0 and node["kind"] == "all"):
        lines.append((depth, mark + escape(group_sentence(node, lang))))
        child_depth = depth + 1
    for child in node["children"]:
        lines += condition_lines(child, lang, traced=traced, escape=escape, depth=child_depth, flatten_top=False)
    return lines
