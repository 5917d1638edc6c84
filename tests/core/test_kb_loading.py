"""The knowledge base loads strictly: every problem names the file, the id and the field."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from airegime.errors import KnowledgeBaseError
from airegime.kb import KnowledgeBase, load_knowledge_base
from airegime.kb.loader import default_knowledge_dir
from airegime.kb.models import Citation


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), target)
    return target


def edit(directory: Path, file: str, change: Callable[[str], str]) -> None:
    path = directory / file
    original = path.read_text(encoding="utf-8")
    changed = change(original)
    assert changed != original, "the test's edit did not apply"
    path.write_text(changed, encoding="utf-8")


def load_error(directory: Path) -> KnowledgeBaseError:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(directory)
    return caught.value


def test_packaged_knowledge_base_loads_with_version_and_hash(kb: KnowledgeBase) -> None:
    assert kb.version
    assert len(kb.hash) == 16
    assert len(kb.questions) >= 7 and len(kb.rules) >= 25
    assert all(rule.sources for rule in kb.rules)


def test_every_text_has_both_languages(kb: KnowledgeBase) -> None:
    for question in kb.questions:
        for text in (question.text, question.help, *question.examples, *(o.label for o in question.options)):
            assert text.fr.strip() and text.en.strip()


def every_citation(kb: KnowledgeBase) -> list[Citation]:
    return [c for item in (*kb.questions, *kb.rules, *kb.outcomes) for c in item.sources]


def test_pinpoints_read_in_each_language(kb: KnowledgeBase) -> None:
    """A French reader sees "considérant 18" and "et", never the English words pinpoints are written with."""
    cited = every_citation(kb)
    assert any("recital" in c.pinpoint for c in cited) and any(" and " in c.pinpoint for c in cited)
    english_words = re.compile(r"\b(and|recitals?|paragraph|point|see)\b")
    for citation in cited:
        assert not english_words.search(citation.pinpoint_in("fr")), citation
        assert citation.pinpoint_in("en") == citation.pinpoint
    assert Citation(source="gdpr", pinpoint="art. 1(1), recitals 11 and 12").pinpoint_in("fr") == (
        "art. 1(1), considérants 11 et 12"
    )
    assert Citation(source="cnil_sheet_1", pinpoint="Cas n°1 et cas n°2").pinpoint_in("en") == "Cas n°1 et cas n°2"
    assert kb.citation_label(Citation(source="gdpr", pinpoint="recital 26"), "fr").endswith(", considérant 26")


def test_content_hash_changes_with_any_edit(kb_copy: Path, kb: KnowledgeBase) -> None:
    edit(kb_copy, "rules.yaml", lambda s: s.replace("No personal data", "No personal data at all", 1))
    assert load_knowledge_base(kb_copy).hash != kb.hash


def test_unknown_key_is_rejected_with_file_id_and_field(kb_copy: Path) -> None:
    edit(
        kb_copy, "questions.yaml", lambda s: s.replace("  - id: household\n", "  - id: household\n    colour: red\n", 1)
    )
    error = load_error(kb_copy)
    assert (error.file, error.id, error.field) == ("questions.yaml", "household", "colour")
    assert "remove this key" in error.hint


def test_missing_translation_names_the_language(kb_copy: Path) -> None:
    edit(kb_copy, "outcomes.yaml", lambda s: s.replace('label: {fr: "RGPD", en: "GDPR"}', 'label: {fr: "RGPD"}', 1))
    error = load_error(kb_copy)
    assert (error.file, error.id, error.field) == ("outcomes.yaml", "gdpr", "label.en")
    assert "English" in error.hint


def test_a_source_address_is_one_for_both_languages_or_one_per_language(kb_copy: Path) -> None:
    gdpr_fr = "https://eur-lex.europa.eu/legal-content/FR/TXT/?uri=CELEX:32016R0679"
    gdpr_en = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32016R0679"
    pair = f"    url:\n      fr: {gdpr_fr}\n      en: {gdpr_en}\n"
    edit(kb_copy, "sources.yaml", lambda s: s.replace(pair, f"    url: {gdpr_fr}\n", 1))
    gdpr = load_knowledge_base(kb_copy).source_by_id["gdpr"]
    assert gdpr.link("fr") == gdpr.link("en") == gdpr_fr  # a plain address serves both languages


def test_a_source_address_missing_a_language_or_not_https_is_refused(kb_copy: Path) -> None:
    en = "      en: https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32016R0679\n"
    edit(kb_copy, "sources.yaml", lambda s: s.replace(en, "", 1))
    error = load_error(kb_copy)
    assert (error.file, error.id, error.field) == ("sources.yaml", "gdpr", "url.en")
    assert "url: {fr: https://..., en: https://...}" in error.hint
    edit(kb_copy, "sources.yaml", lambda s: s.replace("      fr: https://eur-lex", "      fr: http://eur-lex", 1))
    edit(
        kb_copy,
        "sources.yaml",
        lambda s: s.replace("/FR/TXT/?uri=CELEX:32016R0679\n", f"/FR/TXT/?uri=CELEX:32016R0679\n{en}", 1),
    )
    error = load_error(kb_copy)
    assert (error.id, error.field) == ("gdpr", "url.fr") and "pattern" in error.message


def test_dangling_source_reference(kb_copy: Path, kb: KnowledgeBase) -> None:
    edit(kb_copy, "rules.yaml", lambda s: s.replace("{source: cnil_delib_2023_068}", "{source: nowhere}", 1))
    first = next(r.id for r in kb.rules if any(c.source == "cnil_delib_2023_068" for c in r.sources))
    error = load_error(kb_copy)
    assert error.file == "rules.yaml" and error.id == first and "nowhere" in error.message


def test_dangling_question_and_value_references(kb_copy: Path) -> None:
    edit(
        kb_copy, "rules.yaml", lambda s: s.replace("{question: purpose, is: other}", "{question: purpose, is: fun}", 1)
    )
    error = load_error(kb_copy)
    assert error.field == "when" and "'fun'" in error.message and "criminal_law" in error.hint


def test_rule_reading_a_question_of_another_phase(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "rules.yaml",
        lambda s: s.replace(
            "    phases: [deployment]\n    when:\n      all:\n        - *applies",
            "    phases: [deployment]\n    when:\n      all:\n        - {question: development_uses, is: various}",
            1,
        ),
    )
    error = load_error(kb_copy)
    assert "not asked in the deployment phase" in error.message


def test_rule_without_sources_is_rejected(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "rules.yaml",
        lambda s: s.replace(
            '    sources: [{source: gdpr, pinpoint: "art. 2(2)(c), recital 18"}, {source: cjeu_c101_01, pinpoint: "§47"},'
            ' {source: cjeu_c212_13, pinpoint: "§33"}]\n',
            "    sources: []\n",
            1,
        ),
    )
    error = load_error(kb_copy)
    assert error.id == "household_exemption" and error.field == "sources"


def test_malformed_yaml_gives_line_and_column(kb_copy: Path) -> None:
    edit(kb_copy, "sources.yaml", lambda s: s.replace("  - id: gdpr\n", "  - id: gdpr\n   bad: [\n", 1))
    error = load_error(kb_copy)
    assert error.file == "sources.yaml" and "line" in error.message


def test_duplicate_ids_are_rejected(kb_copy: Path) -> None:
    edit(kb_copy, "rules.yaml", lambda s: s.replace("  - id: household_exemption", "  - id: no_personal_data", 1))
    error = load_error(kb_copy)
    assert error.field == "id" and "duplicate" in error.message


def test_unknown_condition_vocabulary_is_rejected(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "rules.yaml",
        lambda s: s.replace('when: {question: personal_data, is: "no"}', 'when: {python: "1 == 1"}', 1),
    )
    error = load_error(kb_copy)
    assert error.id == "no_personal_data" and "unknown condition keys" in error.message


OUTCOME_AND_RULE_CHECKS = [
    # (file, text, replaced by, entry id, field, words of the message)
    ("outcomes.yaml", "competing: [police_justice, gdpr]", "competing: [police_justice, nowhere]",
     "case_by_case_police_justice_or_gdpr", "competing", "nowhere"),
    ("outcomes.yaml", "kind: case_by_case\n    competing: [police_justice, gdpr]", "kind: regime\n    competing: [police_justice, gdpr]",
     "case_by_case_police_justice_or_gdpr", "competing", ""),
    ("outcomes.yaml", "      - outcome: police_justice\n", "      - outcome: case_by_case_police_justice_or_gdpr\n",
     "split_police_justice_gdpr", "parts", "case_by_case_police_justice_or_gdpr"),
    ("outcomes.yaml", "  - id: split_police_justice_gdpr\n    kind: split", "  - id: split_police_justice_gdpr\n    kind: regime",
     "split_police_justice_gdpr", "parts", ""),
    ("rules.yaml", "outcome: not_applicable_no_personal_data", "outcome: nowhere",
     "no_personal_data", "outcome", "nowhere"),
    ("rules.yaml", "outcome: not_applicable_no_personal_data", "outcome: case_by_case_national_security_or_gdpr",
     "no_personal_data", "outcome", "case_by_case_national_security_or_gdpr"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "text", "replaced_by", "entry", "field", "words"), OUTCOME_AND_RULE_CHECKS)
def test_outcomes_and_rules_are_checked_against_each_other(
    kb_copy: Path, file: str, text: str, replaced_by: str, entry: str, field: str, words: str
) -> None:
    edit(kb_copy, file, lambda s: s.replace(text, replaced_by, 1))
    error = load_error(kb_copy)
    assert (error.file, error.id, error.field) == (file, entry, field)
    assert words in error.message and error.hint


def test_a_choice_question_needs_two_options(kb_copy: Path) -> None:
    path = kb_copy / "questions.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(q for q in document["questions"] if q["id"] == "purpose")
    entry["options"] = entry["options"][:1]
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    error = load_error(kb_copy)
    assert (error.file, error.id, error.field) == ("questions.yaml", "purpose", "options")
