"""Library errors speak the reader's language (issue 15, item 5): they are raised with message ids
and values (``msg("error.x", name=…)``), never English sentences; every id is in both catalogues with
the placeholders the code fills; the command line, the pages and the API say them in French to a
French reader and in English to an English one, ``str(error)`` staying English.

The source check covers the whole package, storage included (NOT_YET is empty); a plain string is
still accepted for what no catalogue holds (codes, a parser's own words), shown as it is."""

from __future__ import annotations

import ast
import inspect
import os
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from catalogues import texts
from fastapi.testclient import TestClient
from web.helpers import Client

from airegime import errors
from airegime.api import create_api
from airegime.errors import AiregimeError, DescriptorError, KnowledgeBaseError, Problem, msg
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.system import parse_system
from airegime.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "airegime"
NOT_YET: tuple[str, ...] = ()  # folders of the package whose messages may still be English strings: none
NB = "\u00a0"  # French puts a no-break space before : ; ? ! and inside « »

BAD = {
    "name": "Bad system",
    "answers": {"establishment": "eu", "colour": "blue"},
    "deployments": [{"name": "Police", "owner": "Ministry", "answers": {"purpose": "fun"}}],
}


# The source: message ids, never sentences


def checked_files() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] not in NOT_YET and "migrations" not in path.parts:
            yield path


def error_parameters() -> dict[str, set[str]]:
    """Each error class (and Problem) by name: its parameters that say something to people."""
    found = {}
    for name, value in vars(errors).items():
        if inspect.isclass(value) and (issubclass(value, AiregimeError) or value is Problem):
            words = set(inspect.signature(value).parameters) & {"message", "hint", "said", "advice"}
            found[name] = words
    return found


def _called(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def is_sentence(node: ast.expr) -> bool:
    """A text written in the code: a string, an f-string, text joined or formatted, or a choice of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value != ""
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        return True
    if isinstance(node, ast.IfExp):
        return is_sentence(node.body) or is_sentence(node.orelse)
    if isinstance(node, ast.Call):
        return _called(node.func) in ("str", "format", "join")
    return False


def sentences_in(source: str, where: str) -> list[str]:
    """Each error (or problem) built in ``source`` with a sentence where a message id belongs."""
    parameters = error_parameters()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _called(node.func) not in parameters:
            continue
        cls = getattr(errors, _called(node.func))
        names = [name for name in inspect.signature(cls).parameters]
        given = list(zip(names, node.args, strict=False)) + [(k.arg or "", k.value) for k in node.keywords]
        for name, value in given:
            if name in parameters[cls.__name__] and is_sentence(value):
                found.append(f"{where}:{node.lineno} {cls.__name__}({name}=…)")
    return found


def test_no_error_is_raised_with_an_english_sentence() -> None:
    found = [line for path in checked_files() for line in sentences_in(path.read_text(), str(path.relative_to(ROOT)))]
    assert found == [], 'raise errors with msg("error.…", **values) (README, Translations)'


def test_the_source_check_catches_each_way_of_writing_a_sentence() -> None:
    bad = """
raise DescriptorError("the file is bad")
raise DescriptorError(f"the file {path} is bad")
raise ScenarioError(msg("error.x"), hint="check the path")
raise InventoryReadError(msg("error.x"), "check the path")
raise AiregimeError("cannot read " + name)
raise LayoutError(msg("error.x"), hint=", ".join(columns))
problems.add(lambda: Problem(path, "unknown key"))
raise SessionError("empty_name", "a name is needed")
"""
    assert len(sentences_in(bad, "bad.py")) == 8
    good = """
raise DescriptorError(msg("error.x", path=path), hint=msg("error.x.hint"))
raise SessionError("empty_name", msg("error.y"))
raise ApiError(409, "no_result", error.said, where="file", hint=error.advice)
raise KnowledgeBaseError(said, file="rules.yaml", id="x", field="when")
raise AccessDenied(403, "role")
"""
    assert sentences_in(good, "good.py") == []


# The catalogues: every id the code asks for, with the placeholders it fills


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def message_calls() -> Iterator[tuple[str, ast.Call]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and _called(node.func) in ("msg", "msg_plural"):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def ids_of(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return ids_of(node.body) + ids_of(node.orelse)
    return []


def test_every_message_id_is_in_both_catalogues_with_the_values_the_code_gives() -> None:
    english, french = texts("en"), texts("fr")
    seen = set()
    for where, call in message_calls():
        keys = ids_of(call.args[0]) if call.args else []
        assert keys, f"{where}: the id must be written in the call, for extraction to find it"
        given = {keyword.arg for keyword in call.keywords}
        counted = _called(call.func) == "msg_plural"  # its {n} is the count; the catalogues add id.plural
        for key in keys:
            seen.add(key)
            forms = (key, f"{key}.plural") if counted else (key,)
            for form in forms:
                assert english.get(form) and french.get(form), f"{where}: {form} lacks a text in a catalogue"
                wanted = placeholders(english[form]) - ({"n"} if counted else set())
                if None not in given:  # no **values: the names are all here
                    assert wanted == given, f"{where}: {form} wants {wanted}"
                assert placeholders(french[form]) == placeholders(english[form]), form
    assert len(seen) > 250


def test_french_error_texts_are_written_the_french_way() -> None:
    english, french = texts("en"), texts("fr")
    used = {key for _, call in message_calls() for key in ids_of(call.args[0])}
    for key in sorted(used):
        text = french[key]
        words = re.sub(r"\{\w*\}", "", text)  # the text without its placeholders
        assert text != english[key] or not any(c.isalpha() for c in words), key
        for mark in ":;?!»":
            assert f" {mark}" not in text, f"{key}: a no-break space before {mark}, not a space"
        assert "« " not in text, f"{key}: a no-break space inside « »"
        assert "'" not in text or "pip install" in text, f"{key}: French quotes are « », apostrophes ’"
        assert NB not in english[key], key


# The errors: English by default, any language on demand


def test_an_error_is_english_as_a_string_and_french_when_asked(kb: KnowledgeBase) -> None:
    with pytest.raises(DescriptorError) as caught:
        parse_system(BAD, kb=kb, source="bad.yaml")
    error = caught.value
    assert str(error).startswith("bad.yaml: 3 problems in the descriptor:\n")
    assert error.reason == "3 problems in the descriptor, the first: no question 'colour'"
    assert error.problems[1].message == "'fun' is not an answer to 'purpose'"
    french = error.text("fr")
    assert french.startswith(f"bad.yaml{NB}: 3 problèmes dans le descripteur{NB}:\n")
    assert f"deployments[0].answers.purpose{NB}: 'fun' n’est pas une réponse à «{NB}purpose{NB}»" in french
    assert f"deployments[0].owner{NB}: clé inconnue → retirez-la" in french
    assert error.reason_in("fr") == f"3 problèmes dans le descripteur, dont le premier{NB}: aucune question 'colour'"
    assert f"\n  → {error.hint_in('fr')}" in french and "corrigez-les tous" in error.hint_in("fr")


def test_a_message_quotes_another_error_in_the_same_language() -> None:
    inner = KnowledgeBaseError(msg("error.kb.duplicate_id"), file="rules.yaml", id="r1", field="id")
    assert inner.message == "rules.yaml, id 'r1', field 'id': duplicate id"
    assert inner.message_in("fr") == f"rules.yaml, id «{NB}r1{NB}», champ «{NB}id{NB}»{NB}: identifiant en double"
    outer = AiregimeError(msg("error.at", where="kb", message=inner))
    assert outer.message_in("fr").endswith("champ «\u00a0id\u00a0»\u00a0: identifiant en double")
    assert inner.at_path("/kb/rules.yaml").message.startswith("/kb/rules.yaml, id 'r1'")


def test_a_string_message_is_shown_as_it_is_in_every_language() -> None:
    """What no catalogue holds (a list of codes, a parser's own words) is shown as it is."""
    error = AiregimeError("no assessment 7", hint="see the list")
    assert error.text("fr") == error.text("en") == str(error) == "no assessment 7\n  → see the list"


# The edges: the reader's language


def run(*args: str, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "AIREGIME_LANG"}
    environment["COLUMNS"] = "300"  # a long path on one line
    if lang is not None:
        environment["AIREGIME_LANG"] = lang
    return subprocess.run(
        [sys.executable, "-m", "airegime", *args], capture_output=True, text=True, env=environment, timeout=60
    )


def test_the_command_line_says_a_descriptor_error_in_french_with_lang_fr(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(BAD), encoding="utf-8")
    french = run("assess", str(path), "--lang", "fr", lang="en")
    assert french.returncode == 2
    lines = french.stderr.splitlines()
    assert lines[0] == f"Erreur{NB}: {path}{NB}: 3 problèmes dans le descripteur"
    assert lines[2] == (
        f"{path}{NB}: deployments[0].answers.purpose{NB}: 'fun' n’est pas une réponse à «{NB}purpose{NB}» → "
        f"réponses possibles{NB}: criminal_law, crowd_safety, administrative_enforcement, mixed_separable, "
        "mixed_inseparable, national_security, other, unknown"
    )
    english = run("assess", str(path), lang="en")  # AIREGIME_LANG when there is no --lang
    assert english.stderr.splitlines()[0] == f"Error: {path}: 3 problems in the descriptor"
    missing = run("assess", str(tmp_path / "none.yaml"), "--lang", "fr")
    assert missing.returncode == 2
    assert missing.stderr.startswith(f"Erreur{NB}: {tmp_path / 'none.yaml'}{NB}: impossible de lire le fichier (")
    assert "  → vérifiez le chemin et les droits d’accès" in missing.stderr


def test_the_api_says_an_error_in_the_readers_language(repo: Repository) -> None:
    with TestClient(create_api(repository=repo), raise_server_exceptions=False) as api:
        english = api.post("/evaluate", json=BAD).json()["error"]
        for french in (
            api.post("/evaluate", json=BAD, headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).json()["error"],
            api.post("/evaluate", json=BAD, params={"lang": "fr"}).json()["error"],
        ):
            assert french["code"] == english["code"] == "invalid_descriptor"  # the code does not change
            assert french["where"] == english["where"] == "answers.colour"
            assert (
                french["message"] == f"3 problèmes dans le descripteur, dont le premier{NB}: aucune question 'colour'"
            )
            assert french["problems"][1]["message"] == f"'fun' n’est pas une réponse à «{NB}purpose{NB}»"
            assert french["problems"][2]["hint"].startswith("retirez-la ou corrigez son orthographe")
        assert english["message"] == "3 problems in the descriptor, the first: no question 'colour'"
        preferred = api.post("/evaluate", json=BAD, headers={"Accept-Language": "de, en;q=0.8, fr;q=0.5"})
        assert preferred.json()["error"]["problems"][1]["message"] == "'fun' is not an answer to 'purpose'"
        unknown = api.get("/no/such/endpoint", headers={"Accept-Language": "fr"}).json()["error"]
        assert (unknown["code"], unknown["message"]) == ("not_found", "rien à cette adresse")
        text = api.post("/evaluate", json={**BAD, "name": "a\x00b"}, headers={"Accept-Language": "fr"})
        assert text.json()["error"]["message"].startswith("le texte contient des caractères de contrôle")


def test_the_api_says_a_storage_error_in_the_readers_language(repo: Repository) -> None:
    french = {"Accept-Language": "fr"}
    with TestClient(create_api(repository=repo), raise_server_exceptions=False) as api:
        missing = api.get("/assessments/999", headers=french).json()["error"]
        assert (missing["code"], missing["message"]) == ("not_found", f"aucune évaluation enregistrée n°{NB}999")
        assert missing["hint"] == "elle a peut-être été supprimée"
        assert api.get("/assessments/999").json()["error"]["message"] == "no saved assessment #999"
        created = api.post(
            "/assessments", json={"name": "Messages", "answers": {}, "deployments": [{"name": "Centre", "answers": {}}]}
        ).json()["id"]
        early = api.post(f"/assessments/{created}/review", json={"action": "approve", "opinion": "ok"}, headers=french)
        said = early.json()["error"]
        assert (early.status_code, said["code"]) == (409, "review_state")
        assert said["message"] == (
            f"l’évaluation n°{NB}{created} est à l’état de brouillon{NB}: seule une évaluation en revue peut être approuvée"
        )
        english = api.post(f"/assessments/{created}/review", json={"action": "approve", "opinion": "ok"}).json()
        assert english["error"]["message"] == f"assessment #{created} is draft: only one in review can be approved"


def test_the_import_page_says_a_descriptor_error_in_the_page_language(repo: Repository) -> None:
    with Client(create_app(repository=repo), raise_server_exceptions=False, follow_redirects=False) as client:
        french = client.submit("/import", {"text": yaml.safe_dump(BAD)}).text
        client.get("/lang/en")
        english = client.submit("/import", {"text": yaml.safe_dump(BAD)}).text
        one = client.submit("/import", {"text": "name: [unclosed"}).text
    assert "n’est pas une réponse à «" in french and "clé inconnue" in french
    assert "is not an answer to" in english and "unknown key" in english and "n’est pas" not in english
    assert "not valid YAML or JSON" in one
