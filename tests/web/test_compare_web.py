"""The compare page: two assessments or two versions side by side, regimes that differ first, in
both languages and in words only; the history marks the changes that changed a regime."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.system import load_system, parse_system

from .helpers import Client

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible(html: str) -> str:
    """What a reader sees: the page's text, without tags or attributes."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def ids_shown(kb: KnowledgeBase, text: str) -> set[str]:
    """Rule, question and outcome ids found as words in ``text`` (only words with an underscore: "purpose"
    is a question id and an English word alike)."""
    ids = {r.id for r in kb.rules} | {q.id for q in kb.questions} | {o.id for o in kb.outcomes}
    return {i for i in ids if "_" in i and re.search(rf"\b{re.escape(i)}\b", text)}


@pytest.fixture
def pair(repo: Repository, kb: KnowledgeBase) -> tuple[int, int]:
    """The example, and a copy where the national police's purpose is ordinary (GDPR, not police-justice)."""
    system = load_system(EXAMPLE, kb=kb)
    data = copy.deepcopy(system.to_dict())
    data["name"] = "Zone-crossing detector, ordinary purposes"
    data["deployments"][1]["answers"]["purpose"] = "other"
    return repo.import_system(system), repo.import_system(parse_system(data, kb=kb))


def test_two_assessments_side_by_side_regimes_first_in_both_languages(
    client: Client, kb: KnowledgeBase, pair: tuple[int, int]
) -> None:
    first, second = pair
    french = client.get(f"/a/{first}/compare", params={"with": second})
    assert french.status_code == 200, french.text
    page = french.text
    assert page.index("Régimes qui diffèrent") < page.index("Réponses qui diffèrent") < page.index("Même régime")
    text = visible(page)
    assert "Déploiement : National police" in text  # visible() flattens every space
    assert "autre régime" in text and "RGPD" in text
    assert kb.question_by_id["purpose"].option("other").label.fr in text
    assert kb.rule_by_id["deployment_police_justice"].title.fr in text  # the reason, on the first side
    assert '<th scope="col">Zone-crossing detector, ordinary purposes</th>' in page  # each side's name heads it
    assert re.search(r'<table class="stack compare-regimes">\s*<caption', page)
    assert ids_shown(kb, text) == set()
    client.get("/lang/en")
    english = visible(client.get(f"/a/{first}/compare", params={"with": second}).text)
    assert "Regimes that differ" in english and "Answers that differ" in english
    assert "Deployment: National police" in english and "other regime" in english
    assert kb.rule_by_id["deployment_police_justice"].title.en in english
    assert ids_shown(kb, english) == set()


def test_a_version_beside_now_and_the_history_marks_the_change(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    new = repo.import_system(load_system(EXAMPLE, kb=kb))
    made = len(repo.history(new)) - 1
    police = repo.get(new).contexts[1].id
    repo.set_answer(new, scope="deployment", context_id=police, question="purpose", value="other")
    repo.set_answer(new, scope="deployment", context_id=police, question="legal_mission", value="no")
    client.get("/lang/en")
    history = client.get(f"/a/{new}/history").text
    rows = re.findall(r"<tr( class=\"changed\")?>(.*?)</tr>", history, re.S)
    marked = [visible(row) for changed, row in rows if changed]
    assert len(marked) == 1, marked
    assert "Changed a regime" in marked[0]
    assert "National police: Police-justice (Directive 2016/680, Titre III of the French Act) → GDPR" in marked[0]
    assert f'href="/a/{new}/compare?version={made}"' in history
    page = client.get(f"/a/{new}/compare", params={"version": made})
    assert page.status_code == 200, page.text
    text = visible(page.text)
    assert "Version of" in text and "Now" in text and "other regime" in text
    assert ids_shown(kb, text) == set()


def test_identical_sides_say_so(client: Client, pair: tuple[int, int]) -> None:
    first, _ = pair
    page = visible(client.get(f"/a/{first}/compare", params={"with": first}).text)
    assert "Les deux ont les mêmes réponses et les mêmes régimes." in page
    assert "Régimes qui diffèrent" not in page


def test_the_choosing_page_offers_versions_and_other_assessments(
    client: Client, repo: Repository, pair: tuple[int, int]
) -> None:
    first, second = pair
    page = client.get(f"/a/{first}/compare")
    assert page.status_code == 200
    others = page.text.split('<select id="with" name="with" required>')[1].split("</select>")[0]
    assert f'<option value="{second}">Zone-crossing detector, ordinary purposes' in others
    assert f'<option value="{first}">' not in others  # not itself
    versions = page.text.split('<select id="version" name="version" required>')[1].split("</select>")[0]
    assert versions.count("<option") == len(repo.history(first)) - 1  # all but the last: that one is now
    found = client.get(f"/a/{first}/compare", params={"q": "nothing like it"}).text
    assert "Aucune analyse ne correspond à cette recherche." in found
    assert f'href="/a/{first}/compare"' in client.get(f"/a/{first}/result").text


def test_missing_or_wrong_sides_get_a_clear_page(client: Client, pair: tuple[int, int]) -> None:
    first, second = pair
    assert client.get(f"/a/{first}/compare", params={"with": second + 100}).status_code == 404
    assert client.get(f"/a/{second + 100}/compare", params={"with": first}).status_code == 404
    assert client.get(f"/a/{first}/compare", params={"version": 10_000}).status_code == 404
    assert client.get(f"/a/{first}/compare", params={"version": "x"}).status_code == 400
    assert client.get(f"/a/{first}/compare", params={"version": 0, "with": second}).status_code == 400
