"""The report's content: what every format must say, said once, and deterministically."""

from __future__ import annotations

import json

import pytest

from airegime.engine.evaluate import evaluate
from airegime.engine.results import Assessment
from airegime.errors import AiregimeError, DescriptorError
from airegime.kb import KnowledgeBase
from airegime.render.report_data import REPORT_FORMAT, load_report_json
from airegime.render.reports import render_report, report_dict
from airegime.render.summary import accepted_answers, answer_label, colon, expected_label

from .helpers import REPORT_DATE, check_golden


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("fixture", ["zone", "five"])
@pytest.mark.parametrize("fmt", ["md", "json"])
def test_markdown_and_json_match_their_golden_files(
    request: pytest.FixtureRequest, kb: KnowledgeBase, fixture: str, fmt: str, lang: str
) -> None:
    assessment: Assessment = request.getfixturevalue(fixture)
    data = render_report(kb=kb, assessment=assessment, fmt=fmt, lang=lang, generated=REPORT_DATE)  # type: ignore[arg-type]
    assert data == render_report(kb=kb, assessment=assessment, fmt=fmt, lang=lang, generated=REPORT_DATE)  # type: ignore[arg-type]
    check_golden(f"{fixture}.{lang}.{fmt}", data)


def test_the_report_holds_every_required_part(kb: KnowledgeBase, five: Assessment) -> None:
    report = report_dict(kb=kb, assessment=five, lang="en", generated=REPORT_DATE)
    assert report["format"] == REPORT_FORMAT
    assert report["generated"] == "2026-01-15"
    assert report["rule_set"] == {"version": kb.version, "hash": kb.hash}
    assert report["system"]["name"] == "Crowd-analytics platform"
    # every answer given, in its group, "I don't know" flagged
    answered = {(g["scope"], g["deployment_index"], i["question"]): i for g in report["answers"] for i in g["items"]}
    assert answered[("deployment", 4, "personal_data")]["unknown"] is True
    assert answered[("deployment", 0, "purpose")]["answer"] == "crowd_safety"
    given = len(five.system.answers) + sum(len(d.answers) for d in five.system.developments)
    given += sum(len(d.answers) for d in five.system.deployments)
    assert len(answered) == given
    # each phase: status and outcome exactly as the engine decided, with traced reasons and sources
    for phase, result in zip(report["phases"], five.phases, strict=True):
        assert (phase["status"], phase["outcome"]) == (result.status, result.outcome)
        assert [rule["rule"] for rule in phase["rules"]] == list(result.rules)
        assert all(rule["sources"] and rule["sources"][0]["url"].startswith("https://") for rule in phase["rules"])
    undetermined = report["phases"][5]
    assert undetermined["status"] == "undetermined"
    assert undetermined["open_questions"][0]["question"] == "personal_data"
    assert any(p["counterfactuals"] for p in report["phases"])
    assert report["caveats"] == [c.en for c in kb.caveats]
    assert report["next_steps"] and report["next_steps"][0]["steps"]
    assert report["disclaimer"] == kb.disclaimer.en


def test_case_by_case_phase_names_the_competing_regimes(kb: KnowledgeBase, five: Assessment) -> None:
    phase = report_dict(kb=kb, assessment=five, lang="fr")["phases"][4]
    assert phase["title"] == "Déploiement\u00a0: Tax fraud unit" and phase["status"] == "case_by_case"
    assert phase["competing"] == [kb.outcome_by_id[o].label.fr for o in kb.outcome_by_id[phase["outcome"]].competing]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_disclaimer_is_said_once(kb: KnowledgeBase, zone: Assessment, fmt: str) -> None:
    text = render_report(kb=kb, assessment=zone, fmt=fmt, lang="fr").decode()  # type: ignore[arg-type]
    assert text.count(kb.disclaimer.fr.split(";")[0]) == 1


def test_unknown_answers_are_called_out(kb: KnowledgeBase, five: Assessment) -> None:
    text = render_report(kb=kb, assessment=five, fmt="md", lang="en").decode()
    callout = text.split("## Questions asked and answers")[1].split("###")[0]
    assert "I don't know" in callout and "Does this phase process personal data?" in callout
    assert "**⚠ I don't know**" in text


def test_json_report_imports_back_to_the_same_assessment(kb: KnowledgeBase, five: Assessment) -> None:
    data = render_report(kb=kb, assessment=five, fmt="json", lang="fr")
    system = load_report_json(data, kb=kb)
    assert system == five.system
    assert evaluate(kb=kb, system=system).to_dict() == five.to_dict()


def test_importing_something_else_fails_clearly(kb: KnowledgeBase, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DescriptorError, match="not an airegime JSON report"):
        load_report_json({"format": "airegime.assessment/1"}, kb=kb)
    with pytest.raises(DescriptorError, match="not supported"):
        load_report_json({"format": "airegime.report/99", "system": {}}, kb=kb)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "airegime.report/2",\n "system": {not json}}')
    with pytest.raises(DescriptorError, match="not valid JSON") as caught:
        load_report_json(broken, kb=kb)
    assert "at line 2, column 13" in caught.value.text("en")  # where, as for a descriptor
    assert "à la ligne 2, colonne 13" in caught.value.text("fr")
    report = json.loads(render_report(kb=kb, assessment=_tiny(kb), fmt="json"))
    report["system"]["deployments"][0]["answers"]["purpose"] = "piracy"
    with pytest.raises(DescriptorError) as caught:
        load_report_json(report, kb=kb)
    assert "deployments[0].answers.purpose" in caught.value.location


def test_a_report_refuses_an_assessment_made_under_other_rules(kb: KnowledgeBase, zone: Assessment) -> None:
    stale = Assessment(zone.system, "2000.1", "0" * 16, zone.developments, zone.deployments)
    with pytest.raises(AiregimeError, match=r"rule set 2000\.1"):
        render_report(kb=kb, assessment=stale, fmt="md")


def test_unknown_format_is_refused(kb: KnowledgeBase, zone: Assessment) -> None:
    with pytest.raises(AiregimeError, match="unknown report format"):
        render_report(kb=kb, assessment=zone, fmt="odt")  # type: ignore[arg-type]


def _tiny(kb: KnowledgeBase) -> Assessment:
    from airegime.system import parse_system

    return evaluate(kb=kb, system=parse_system({"name": "T", "deployments": [{"name": "D"}]}, kb=kb))


def test_download_names_are_safe(zone: Assessment, hostile: Assessment) -> None:
    from airegime.render.reports import report_filename

    assert report_filename(assessment=zone, fmt="pdf", generated=REPORT_DATE) == (
        "airegime-zone-crossing-detector-2026-01-15.pdf"
    )
    name = report_filename(assessment=hostile, fmt="docx", generated=REPORT_DATE)
    assert name.startswith("airegime-script-alert-x-script-gras-lien") and name.endswith("-2026-01-15.docx")
    assert all(c.isalnum() or c in "-." for c in name) and len(name) < 90


def test_a_descriptor_mentioning_the_report_format_is_still_a_descriptor(kb: KnowledgeBase, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from airegime.render.report_data import load_descriptor_or_report

    path = tmp_path / "system.json"
    path.write_text(json.dumps({"name": "S", "description": "see airegime.report/1", "deployments": [{"name": "D"}]}))
    assert load_descriptor_or_report(path, kb=kb).description == "see airegime.report/1"
    report = tmp_path / "report.json"
    report.write_bytes(render_report(kb=kb, assessment=_tiny(kb), fmt="json"))
    assert load_descriptor_or_report(report, kb=kb).name == "T"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_split_outcome_names_each_regime_with_the_purposes_it_governs(
    kb: KnowledgeBase, five: Assessment, fmt: str, lang: str
) -> None:
    customs = five.deployments[2]
    assert (customs.name, customs.status, customs.outcome) == ("Customs", "determined", "split_police_justice_gdpr")
    report = report_dict(kb=kb, assessment=five, lang=lang)  # type: ignore[arg-type]
    phase = report["phases"][3]
    police, gdpr = (kb.outcome_by_id[o] for o in ("police_justice", "gdpr"))
    assert [(p["outcome"], p["label"]) for p in phase["parts"]] == [
        ("police_justice", police.label.get(lang)),  # type: ignore[arg-type]
        ("gdpr", gdpr.label.get(lang)),  # type: ignore[arg-type]
    ]
    assert (
        "pénales" in phase["parts"][0]["purposes"] if lang == "fr" else "criminal-law" in phase["parts"][0]["purposes"]
    )
    assert all(p["parts"] == [] for i, p in enumerate(report["phases"]) if i != 3)  # only a split outcome has parts
    text = render_report(kb=kb, assessment=five, fmt=fmt, lang=lang).decode()  # type: ignore[arg-type]
    heading = f"### {phase['title']} — "
    section = text.split(heading)[1].split("\n### ")[0] if fmt == "md" else text
    for part in kb.outcome_by_id["split_police_justice_gdpr"].parts:
        label = kb.outcome_by_id[part.outcome].label.get(lang)  # type: ignore[arg-type]
        purposes = part.purposes.get(lang)  # type: ignore[arg-type]
        if fmt == "md":
            assert f"**{label}**{colon(lang).rstrip()} {purposes}" in section
        else:
            from html import escape

            assert f"<strong>{escape(label)}</strong>{colon(lang).rstrip()} {escape(purposes)}" in text


def test_a_report_of_two_developments_shows_both(kb: KnowledgeBase) -> None:
    from airegime.system import parse_system

    system = parse_system(
        {
            "name": "Forensics tool",
            "answers": {"establishment": "eu"},
            "developments": [
                {
                    "name": "Police training",
                    "description": "The police train the model on seized material for their investigations.",
                    "answers": {
                        "personal_data": "yes",
                        "organisation_kind": "competent_authority",
                        "development_uses": "single_use",
                        "purpose": "criminal_law",
                    },
                },
                {
                    "description": "The contractor reuses the annotated data to improve its own product.",
                    "answers": {
                        "personal_data": "yes",
                        "organisation_kind": "private_body",
                        "development_uses": "various",
                    },
                },
            ],
            "deployments": [
                {
                    "name": "Forensics lab",
                    "answers": {
                        "personal_data": "yes",
                        "organisation_kind": "competent_authority",
                        "purpose": "criminal_law",
                    },
                }
            ],
        },
        kb=kb,
    )
    assessment = evaluate(kb=kb, system=system)
    assert [(p.outcome, p.development_index) for p in assessment.developments] == [("police_justice", 0), ("gdpr", 1)]
    report = report_dict(kb=kb, assessment=assessment, lang="en", generated=REPORT_DATE)
    titles = [row["title"] for row in report["summary"]]
    assert titles == ["Development: Police training", "Development 2", "Deployment: Forensics lab"]
    assert [p["description"] for p in report["phases"][:2]] == [d.description for d in system.developments]
    groups = [(g["title"], g["development_index"], len(g["items"])) for g in report["answers"]]
    assert groups[1:3] == [("Development: Police training", 0, 4), ("Development 2", 1, 3)]
    text = render_report(kb=kb, assessment=assessment, fmt="md", lang="en", generated=REPORT_DATE).decode()
    police = kb.outcome_by_id["police_justice"].label.en
    assert f"### Development: Police training — {police}" in text and "### Development 2 — GDPR" in text
    assert text.count(system.developments[1].description) == 1  # under its own phase, not in the system's
    french = report_dict(kb=kb, assessment=assessment, lang="fr", generated=REPORT_DATE)
    assert [row["title"] for row in french["summary"]][:2] == [
        "Développement\u00a0: Police training",
        "Développement 2",
    ]


def test_sources_are_cited_with_what_they_say(kb: KnowledgeBase, zone: Assessment) -> None:
    for lang in ("fr", "en"):
        report = report_dict(kb=kb, assessment=zone, lang=lang)  # type: ignore[arg-type]
        for source in report["sources"]:
            assert source["summary"] == kb.source_by_id[source["source"]].summary.get(lang)  # type: ignore[arg-type]
        text = render_report(kb=kb, assessment=zone, fmt="md", lang=lang).decode()  # type: ignore[arg-type]
        deciding = report["phases"][0]["deciding"]
        first = deciding["sources"][0]
        reason = text.split(f"**{deciding['sentence']}**")[1].split("\n#### ")[0]  # the reason that decided
        assert f", {first['pinpoint']} — {first['summary']}" in reason


def test_a_condition_names_the_answers_it_accepts_the_shorter_way(kb: KnowledgeBase) -> None:
    """The command line and the reports share one rule: the accepted answers, or, when more than two
    fit and fewer do not, the others after "any answer except"."""
    assert accepted_answers(["A"], ["B", "C"], "en") == "A"
    assert accepted_answers(["A", "B"], ["C"], "en") == "A or B"
    assert accepted_answers(["A", "B", "C"], ["D"], "en") == "any answer except: D"
    assert accepted_answers(["A", "B", "C"], ["D"], "fr") == "toute réponse sauf\u00a0: D"
    question = next(q for q in kb.questions if len(q.codes) >= 4)
    *accepted, last = question.codes
    said = expected_label(kb, question.id, tuple(accepted), "en")
    assert said == "any answer except: " + answer_label(kb, question.id, last, "en")
