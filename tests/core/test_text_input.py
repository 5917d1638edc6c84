"""One rule for typed text: control characters and invisible-only names are refused where people
submit them, escaped on a terminal, replaced where text must be kept; a key given twice in a
descriptor is refused rather than silently replaced."""

from __future__ import annotations

import pytest

from airegime.errors import DescriptorError
from airegime.kb import KnowledgeBase
from airegime.system import parse_system_text
from airegime.text import cleaned, escaped, problem

DEPLOYMENTS = "deployments: [{name: d}]\n"


@pytest.mark.parametrize("name", ["\u202e", "\u200b\u200b", "\u2066 \u2069", "\ufeff"])
def test_a_name_made_only_of_invisible_characters_is_refused(kb: KnowledgeBase, name: str) -> None:
    with pytest.raises(DescriptorError, match="name: is made only of invisible characters"):
        parse_system_text(f'name: "{name}"\n' + DEPLOYMENTS, kb=kb)


def test_a_visible_name_with_a_direction_mark_inside_is_kept(kb: KnowledgeBase) -> None:
    assert parse_system_text('name: "abc\u200fdef"\n' + DEPLOYMENTS, kb=kb).name == "abc\u200fdef"


def test_control_characters_are_refused_in_json_too(kb: KnowledgeBase) -> None:
    with pytest.raises(DescriptorError, match=r"deployments\[0\].name: contains control characters"):
        parse_system_text('{"name": "ok", "deployments": [{"name": "a\\u001bb"}]}', kb=kb)


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "a", "name": "b", "deployments": [{"name": "d"}]}',
        "name: a\nname: b\n" + DEPLOYMENTS,
        "name: a\ndeployments: [{name: d, name: e}]\n",
    ],
)
def test_a_key_given_twice_is_refused(kb: KnowledgeBase, text: str) -> None:
    with pytest.raises(DescriptorError, match="is given twice in one mapping"):
        parse_system_text(text, kb=kb)


def test_the_rule_itself() -> None:
    assert problem("Acme") is None and problem("") is None
    assert str(problem("", required=True)) == "is empty; write a name"
    assert (said := problem("a\x00b")) is not None and "control" in said.text("en") and "contrôle" in said.text("fr")
    assert cleaned("a\x00b\x1b[2J") == "a\ufffdb\ufffd[2J"
    assert escaped("a\x1b[2Jb\x9b") == "a\\x1b[2Jb\\x9b"
    assert escaped("line\nnext\ttab") == "line\nnext\ttab"
