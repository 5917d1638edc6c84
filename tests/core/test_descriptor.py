"""System descriptors: answers normalised from words; every error gives its path and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airegime.errors import AnswerError, DescriptorError
from airegime.kb import KnowledgeBase
from airegime.system import descriptor_schema, load_system, parse_system, parse_system_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def minimal(**deployment_answers: object) -> dict:
    return {"name": "S", "deployments": [{"name": "A"}, {"name": "B", "answers": deployment_answers}]}


def test_every_example_loads(kb: KnowledgeBase) -> None:
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert len(files) >= 12
    for path in files:
        assert load_system(path, kb=kb).deployments


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("competent_authority", "competent_authority"),
        ("Autorité compétente", "competent_authority"),
        ("POLICE", "competent_authority"),
        ("  entreprise ", "private_body"),
        ("A company, an association or another private body", "private_body"),
        (
            "Un organisme public qui n’est pas une autorité pénale ni un service de renseignement (ministère, préfecture, "
            "collectivité, hôpital, agence…)",
            "public_body",
        ),
        ("Europol", "eu_justice_police_body"),
        ("PSDC", "csdp_mission"),
        ("je ne sais pas", "unknown"),
        (None, "unknown"),
        ("", "unknown"),
        ("I don't know", "unknown"),
    ],
)
def test_answers_accept_codes_labels_aliases_and_unknown_words(kb: KnowledgeBase, given: object, code: str) -> None:
    system = parse_system(minimal(organisation_kind=given), kb=kb)
    assert system.deployments[1].answers["organisation_kind"] == code and not system.upgrade_notes


@pytest.mark.parametrize(("given", "code"), [(True, "yes"), (False, "no"), ("Oui", "yes"), ("non", "no")])
def test_boolean_answers(kb: KnowledgeBase, given: object, code: str) -> None:
    assert parse_system(minimal(personal_data=given), kb=kb).deployments[1].answers["personal_data"] == code


def test_wrong_answer_value_names_its_path_and_the_allowed_values(kb: KnowledgeBase) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_system(minimal(purpose="fun"), kb=kb)
    assert caught.value.location == "deployments[1].answers.purpose"
    assert "criminal_law" in caught.value.hint and "unknown" in caught.value.hint


def test_unknown_question(kb: KnowledgeBase) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_system(minimal(colour="red"), kb=kb)
    assert caught.value.location == "deployments[1].answers.colour"
    assert "airegime questions" in caught.value.hint


def test_question_at_the_wrong_level_says_where_it_belongs(kb: KnowledgeBase) -> None:
    data = minimal(development_uses="various")  # a development's question, given for a deployment
    with pytest.raises(AnswerError) as caught:
        parse_system(data, kb=kb)
    assert caught.value.location == "deployments[1].answers.development_uses"
    assert "developments[…].answers" in caught.value.hint


def test_structure_errors(kb: KnowledgeBase) -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_system({"name": "S", "deployments": []}, kb=kb)
    assert caught.value.location == "deployments" and "at least one deployment" in caught.value.hint
    with pytest.raises(DescriptorError) as caught:
        parse_system({"name": "S", "deployments": [{"name": "A", "owner": "x"}]}, kb=kb)
    assert caught.value.location == "deployments[0].owner"
    with pytest.raises(DescriptorError) as caught:
        parse_system({"deployments": [{"name": "A"}]}, kb=kb)
    assert caught.value.location == "name"
    with pytest.raises(DescriptorError):
        parse_system(["not", "a", "mapping"], kb=kb)


def test_syntax_errors_give_a_line(kb: KnowledgeBase) -> None:
    with pytest.raises(DescriptorError, match="line 3, column 3"):
        parse_system_text("name: S\ndeployments: [\n  - x: {\n", kb=kb)
    with pytest.raises(DescriptorError, match="line 1"):
        parse_system_text('{"name": "S",,}', kb=kb)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: S\n\x01deployments: []\n", "line 2, column 1"),
        ('name: "caf\x7f"\n', "line 1, column 11"),
        # letters of several bytes before it: the place is counted in characters, as an editor shows it
        ('name: "été 😀"\ndescription: "a\x01"\n', "line 2, column 16"),
    ],
)
def test_a_control_character_is_located_not_a_parser_internal(kb: KnowledgeBase, text: str, where: str) -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_system_text(text, kb=kb)
    said = caught.value.text("en")
    assert f"control characters are not allowed at {where}" in said
    assert "<unicode string>" not in said and "position" not in said


def test_oversized_and_binary_files_are_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("name: S\ndescription: " + "x" * 1_100_000 + "\n", encoding="utf-8")
    with pytest.raises(DescriptorError, match="limit"):
        load_system(big, kb=kb)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DescriptorError, match="UTF-8"):
        load_system(binary, kb=kb)
    with pytest.raises(DescriptorError, match="cannot read"):
        load_system(tmp_path / "missing.yaml", kb=kb)


def test_hostile_strings_are_kept_as_plain_text(kb: KnowledgeBase) -> None:
    name = "<script>alert(1)</script> ‮gnp.exe =cmd|' /C calc'!A0"
    system = parse_system({"name": name, "deployments": [{"name": "{{7*7}}"}]}, kb=kb)
    assert system.name == name and system.deployments[0].name == "{{7*7}}"


def test_json_and_yaml_descriptors_are_equivalent(kb: KnowledgeBase) -> None:
    from_yaml = load_system(EXAMPLES / "zone-crossing-detector.yaml", kb=kb)
    from_json = parse_system_text(json.dumps(from_yaml.to_dict()), kb=kb)
    assert from_json == from_yaml


def test_schema_lists_allowed_answers(kb: KnowledgeBase) -> None:
    schema = descriptor_schema(kb)
    purpose = schema["properties"]["deployments"]["items"]["properties"]["answers"]["properties"]["purpose"]
    assert "criminal_law" in purpose["enum"] and "unknown" in purpose["enum"]
    development = schema["properties"]["developments"]["items"]["properties"]["answers"]
    assert development["additionalProperties"] is False and "development_uses" in development["properties"]
    assert "development_uses" not in schema["properties"]["deployments"]["items"]["properties"]["answers"]["properties"]
    assert list(schema["properties"]["answers"]["properties"]) == ["establishment"]  # asked once for the system


def test_control_characters_are_refused_with_where(kb: KnowledgeBase) -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_system({"name": "\x1c\x1d", "deployments": [{"name": "A"}]}, kb=kb)
    assert caught.value.location == "name" and "control characters" in caught.value.message
    with pytest.raises(DescriptorError) as caught:
        parse_system({"name": "S", "deployments": [{"name": "A", "description": "bell\x07"}]}, kb=kb)
    assert caught.value.location == "deployments[0].description"
    text = parse_system({"name": "S", "description": "two\nlines\tand a tab", "deployments": [{"name": "A"}]}, kb=kb)
    assert text.description == "two\nlines\tand a tab"


def test_several_developments_and_the_short_form_of_one(kb: KnowledgeBase) -> None:
    answers = {"personal_data": "yes", "organisation_kind": "private_body", "development_uses": "various"}
    short = parse_system({"name": "S", "development": {"answers": answers}, "deployments": [{"name": "A"}]}, kb=kb)
    listed = parse_system({"name": "S", "developments": [{"answers": answers}], "deployments": [{"name": "A"}]}, kb=kb)
    assert short == listed and short.development.answers == answers
    two = parse_system(
        {
            "name": "S",
            "developments": [{"name": "Training", "answers": answers}, {"name": "Reuse"}],
            "deployments": [{"name": "A"}],
        },
        kb=kb,
    )
    assert [d.name for d in two.developments] == ["Training", "Reuse"]
    with pytest.raises(AnswerError) as caught:
        parse_system(
            {"name": "S", "developments": [{}, {"answers": {"purpose": "x"}}], "deployments": [{"name": "A"}]}, kb=kb
        )
    assert caught.value.location == "developments[1].answers.purpose"
