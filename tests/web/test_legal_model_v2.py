"""The web app with the legal model v2: split outcomes on the result page, source summaries beside
citations, format-1 descriptors imported with their notes, several developments saved, and the
rule-set upgrade of a saved assessment shown legibly in its history."""

from __future__ import annotations

import html
from pathlib import Path

import yaml

from airegime.kb import KnowledgeBase
from airegime.render.summary import colon
from airegime.storage import Repository
from airegime.storage.format1 import upgrade_saved_answers
from airegime.system import parse_system

from .helpers import Client

FORMAT1 = Path(__file__).parents[1] / "format1"
SEPARABLE = {"personal_data": "yes", "organisation_kind": "competent_authority", "legal_mission": "yes"}
CUSTOMS = {
    "name": "Customs risk scoring",
    "answers": {"establishment": "eu"},
    "developments": [{"answers": {**SEPARABLE, "development_uses": "single_use", "purpose": "mixed_separable"}}],
    "deployments": [{"name": "Customs checks", "answers": {**SEPARABLE, "purpose": "mixed_separable"}}],
}


def test_a_split_outcome_shows_each_regime_with_the_purposes_it_governs(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    new = repo.import_system(parse_system(CUSTOMS, kb=kb))
    outcome_id = repo.get(new).summary[0].outcome
    assert outcome_id is not None
    outcome = kb.outcome_by_id[outcome_id]
    assert outcome.kind == "split"
    for lang in ("fr", "en"):
        client.read_in(lang)
        page = html.unescape(client.get(f"/a/{new}/result").text)
        parts = page.split('<ul class="split-parts">', 1)[1].split("</ul>", 1)[0]
        for part in outcome.parts:
            assert kb.outcome_by_id[part.outcome].label.get(lang) in parts
            assert part.purposes.get(lang) in parts
        # Every source cited in the reasons comes with what it says.
        rule = kb.rule_by_id[repo.last_result(new).development.rules[0]]  # type: ignore[union-attr]
        for citation in rule.sources:
            assert kb.source_by_id[citation.source].summary.get(lang) in page


def test_a_format1_descriptor_is_imported_with_its_notes_in_the_readers_language(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    old = (FORMAT1 / "household-photo-sorter.yaml").read_text(encoding="utf-8")
    expected = parse_system(yaml.safe_load(old), kb=kb)
    assert expected.upgrade_notes
    page = client.submit("/import", {"text": old})
    assert page.status_code == 200
    text = html.unescape(page.text)
    for note in expected.upgrade_notes:
        assert note.text("fr") in text
        assert note.question not in text.split('<ul class="upgrade-notes">', 1)[1].split("</ul>", 1)[0]
    assert repo.count() == 1
    saved = repo.list().items[0]
    assert f"/a/{saved.id}/result" in text
    assert repo.get(saved.id).system().development.answers == expected.development.answers


def test_importing_several_developments_saves_them_all_and_the_pages_name_each(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    reuse = (Path(__file__).parents[2] / "examples" / "police-contractor-reuse.yaml").read_text(encoding="utf-8")
    expected = parse_system(yaml.safe_load(reuse), kb=kb)
    page = client.submit("/import", {"text": reuse})
    assert page.status_code == 303, page.text
    (item,) = repo.list().items
    assert repo.get(item.id).system().to_dict() == expected.to_dict()
    names = [d.name for d in expected.developments]
    for lang, word in (("fr", "Développement"), ("en", "Development")):
        client.read_in(lang)
        result = html.unescape(client.get(f"/a/{item.id}/result").text)
        glance = result.split('<table class="glance stack">', 1)[1].split("</table>", 1)[0]
        for name, phase in zip(names, repo.last_result(item.id).developments, strict=True):  # type: ignore[union-attr]
            assert f"{word}{colon(lang)}{name}" in glance
            assert kb.outcome_by_id[phase.outcome].label.get(lang) in glance  # type: ignore[index]
        home = html.unescape(client.get("/").text)
        assert all(name in home for name in names)
        contexts = html.unescape(client.get(f"/a/{item.id}/contexts").text)
        assert all(f'value="{name}"' in contexts for name in names)
        review = html.unescape(client.get(f"/a/{item.id}/review").text)
        answers = review.split('<section class="answers', 1)[1]
        assert all(f"{word}{colon(lang)}{name}" in answers for name in names)
    exported = yaml.safe_load(client.get(f"/a/{item.id}/export.yaml").text)
    assert parse_system(exported, kb=kb).to_dict() == expected.to_dict()


def test_the_history_shows_the_rule_set_upgrade_in_words(client: Client, repo: Repository, kb: KnowledgeBase) -> None:
    """An assessment saved with format-1 answers, then upgraded (as migration 0004 does)."""
    new = repo.create(name="Old", first_context="Police")
    context = repo.get(new).contexts[0].id
    with repo.engine.begin() as connection:  # the answers an airegime up to 2026.11 stored
        for scope, context_id, question, value in [
            ("system", None, "household", "yes"),
            ("development", None, "personal_data", "yes"),
            ("deployment", context, "controller_kind", "competent_authority"),
        ]:
            connection.exec_driver_sql(
                "INSERT INTO events (assessment_id, at, kind, scope, context_id, question, value, detail)"
                " VALUES (?, '2026-11-01 10:00:00', 'answer', ?, ?, ?, ?, '')",
                (new, scope, context_id, question, value),
            )
        assert upgrade_saved_answers(connection) == 1
    for lang in ("fr", "en"):
        client.read_in(lang)
        page = html.unescape(client.get(f"/a/{new}/history").text)
        assert {"fr": "mise à jour des règles", "en": "rule-set upgrade"}[lang] in page
        assert {"fr": "Réponses reprises", "en": "Answers carried over"}[lang] in page
        notes = page.split('<ul class="upgrade-notes">', 1)[1].split("</ul>", 1)[0]
        assert "particulier" in notes if lang == "fr" else "individual" in notes
        # The withdrawn format-1 answers read as words, never as question codes.
        for code in ("controller_kind", ">household<", "competent_authority", "rule_set_upgrade", "organisation_kind"):
            assert code not in page
