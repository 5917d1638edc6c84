"""The one check of a form's texts before anything is saved (``pages.form_problems``), which the
new-assessment form and the contexts page share."""

from __future__ import annotations

from airegime.web.pages import form_problems


def test_each_field_gets_its_problem_unreadable_ones_first() -> None:
    values = {"name": "", "organisation": "o" * 201, "description": "d" * 201, "first_context": "bad\x07"}
    problems = form_problems(values, required=("name", "first_context"))
    assert problems == {
        "first_context": "form.control",
        "name": "form.required",
        "organisation": "form.too_long",  # a name or organisation: 200 characters; other texts 10,000
    }
    assert next(iter(problems.values())) == "form.control"  # what the contexts page says: the first one


def test_texts_within_their_limits_and_optional_ones_left_empty_pass() -> None:
    values = {"name": "  N  ", "description": "d" * 10_000, "development_description": None}
    assert form_problems(values, required=("name",)) == {}
    assert form_problems({"name": " ", "description": "d" * 10_001}) == {"description": "form.too_long"}
