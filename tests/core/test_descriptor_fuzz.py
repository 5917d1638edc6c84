"""Fuzzing the descriptor reader: whatever comes in, the result is a System or a DescriptorError, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airegime.errors import DescriptorError
from airegime.kb import load_knowledge_base
from airegime.system import System, parse_system, parse_system_text

pytestmark = pytest.mark.slow  # hundreds of random descriptors per test

KB = load_knowledge_base()
KEYS = ["name", "organisation", "description", "answers", "development", "deployments", "airegime", "x"]
QUESTIONS = [q.id for q in KB.questions] + ["nope"]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from([c for q in KB.questions for c in q.codes] + ["unknown", "Oui", "NON"]),
)
json_like = st.recursive(
    VALUES,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
answers = st.dictionaries(st.sampled_from(QUESTIONS), json_like, max_size=5)
deployment = st.fixed_dictionaries(
    {}, optional={"name": json_like, "answers": st.one_of(answers, json_like), "description": json_like, "x": json_like}
)
descriptor = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.text(max_size=30), json_like),
        "answers": st.one_of(answers, json_like),
        "development": st.one_of(
            st.fixed_dictionaries({}, optional={"answers": st.one_of(answers, json_like)}), json_like
        ),
        "deployments": st.one_of(st.lists(deployment, max_size=3), json_like),
        "airegime": json_like,
        "x": json_like,
    },
)


def accepts_or_explains(data: Any) -> None:
    try:
        result = parse_system(data, kb=KB)
    except DescriptorError as error:
        assert error.message and error.hint
        return
    assert isinstance(result, System)


@settings(max_examples=500, deadline=None)
@given(descriptor)
def test_structured_garbage(data: dict[str, Any]) -> None:
    accepts_or_explains(data)


@settings(max_examples=300, deadline=None)
@given(json_like)
def test_any_json_value(data: Any) -> None:
    accepts_or_explains(data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text(text: str) -> None:
    try:
        parse_system_text(text, kb=KB)
    except DescriptorError as error:
        assert error.message and error.hint


@settings(max_examples=200, deadline=None)
@given(descriptor)
def test_json_text_of_garbage(data: dict[str, Any]) -> None:
    try:
        parse_system_text(json.dumps(data), kb=KB)
    except DescriptorError as error:
        assert error.message


def test_pathological_documents_get_clear_errors() -> None:
    for text in ("name: " + "[" * 50_000 + "]" * 50_000, "{" + '"a":{' * 50_000 + "}" * 50_001):
        try:
            parse_system_text(text, kb=KB)
        except DescriptorError as error:
            assert "nested too deeply" in error.message or "not valid" in error.message
        else:
            raise AssertionError("a pathological document was accepted")


def test_python_tags_are_never_constructed() -> None:
    try:
        parse_system_text("name: !!python/object/apply:os.system ['echo hi']\n", kb=KB)
    except DescriptorError as error:
        assert "not valid YAML" in error.message
    else:
        raise AssertionError("a python tag was accepted")
