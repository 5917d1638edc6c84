"""Every rule's title is true of every answer set that reaches it: a title that names a kind of
organisation, a purpose or a household activity is never reached by another one."""

from __future__ import annotations

import numpy as np
import pytest

from airegime.engine.tables import PhaseTable, compiled
from airegime.kb import KnowledgeBase
from airegime.kb.models import Rule

# Words a title may use (French and English, lower case), and the answers each one is true of.
NAMES: dict[str, dict[str, set[str]]] = {
    "organisation_kind": {
        "individual": {"natural_person"},
        "particulier": {"natural_person"},
        "company": {"private_body"},
        "entreprise": {"private_body"},
        "public body": {"public_body"},
        "organisme public": {"public_body"},
        "state body": {"public_body", "competent_authority", "state_security_service"},
        "organe de l’état": {"public_body", "competent_authority", "state_security_service"},
        "criminal-law authority": {"competent_authority"},
        "autorité pénale": {"competent_authority"},
        "union institution": {"eu_institution"},
        "institution ou un organisme de l’union": {"eu_institution"},
        "europol": {"eu_justice_police_body"},
        "eppo": {"eppo"},
        "parquet européen": {"eppo"},
        "common security and defence policy": {"csdp_mission"},
        "politique de sécurité et de défense commune": {"csdp_mission"},
    },
    "purpose": {
        "criminal-law ends": {"criminal_law", "crowd_safety", "mixed_separable", "mixed_inseparable"},
        "fins pénales": {"criminal_law", "crowd_safety", "mixed_separable", "mixed_inseparable"},
        "public order": {"crowd_safety", "criminal_law", "mixed_separable", "mixed_inseparable"},
        "ordre public": {"crowd_safety", "criminal_law", "mixed_separable", "mixed_inseparable"},
        "event safety": {"crowd_safety"},
        "sécurité d’un événement": {"crowd_safety"},
        "state security": {"national_security"},
        "sûreté de l’état": {"national_security"},
        "administrative enforcement": {"administrative_enforcement"},
        "sanctions administratives": {"administrative_enforcement"},
        "ordinary": {"other"},
        "ordinaire": {"other"},
        "can be told apart": {"mixed_separable"},
        "finalités distinctes": {"mixed_separable"},
        "inseparably": {"mixed_inseparable"},
        "indissociables": {"mixed_inseparable"},
    },
    "household": {"household": {"yes"}, "domestique": {"yes"}},
    "development_uses": {
        "several uses": {"several_uses_same_purpose"},
        "plusieurs usages": {"several_uses_same_purpose"},
        "other ends": {"single_use_with_other_ends"},
        "autres fins": {"single_use_with_other_ends"},
        "use not fixed": {"various"},
        "usage non fixé": {"various"},
    },
}


def reached(table: PhaseTable, rule: Rule) -> dict[str, set[str]]:
    """The answers to each question of the phase among the full answer sets where the rule applies."""
    hits = table.hits[table.rules.index(rule)]
    found = {}
    for axis in table.axes:
        others = tuple(a.position for a in table.axes if a is not axis)
        seen = np.any(hits, axis=others)
        found[axis.id] = {code for code, hit in zip(axis.question.codes, seen, strict=True) if hit}
    return found


def cases(kb: KnowledgeBase) -> list[tuple[str, PhaseTable, Rule]]:
    tables = compiled(kb)
    return [(f"{t.phase}:{r.id}", t, r) for t in (tables.development, tables.deployment) for r in t.rules]


def test_every_title_is_true_of_every_answer_set_that_reaches_its_rule(kb: KnowledgeBase) -> None:
    wrong = []
    for name, table, rule in cases(kb):
        answers = reached(table, rule)
        title = f"{rule.title.fr} | {rule.title.en}".lower()
        for question, words in NAMES.items():
            if question not in answers:
                continue
            for word, true_of in words.items():
                if word in title and not answers[question] <= true_of:
                    wrong.append(
                        f"{name}: «{word}» in the title, but reached with {question} = {sorted(answers[question] - true_of)}"
                    )
    assert not wrong, "\n".join(wrong)


def test_the_check_finds_a_title_that_names_the_wrong_organisation(kb: KnowledgeBase) -> None:
    table = compiled(kb).deployment
    rule = next(r for r in table.rules if r.id == "deployment_police_justice")
    answers = reached(table, rule)
    # Reached by bodies given criminal-law powers by law, not by competent authorities alone.
    assert answers["organisation_kind"] == {
        "private_body",
        "public_body",
        "competent_authority",
        "state_security_service",
    }
    assert not answers["organisation_kind"] <= NAMES["organisation_kind"]["public body"]


@pytest.mark.parametrize("question", sorted(NAMES))
def test_the_words_name_real_answers(kb: KnowledgeBase, question: str) -> None:
    codes = set(kb.question_by_id[question].codes)
    assert all(true_of <= codes for true_of in NAMES[question].values())
