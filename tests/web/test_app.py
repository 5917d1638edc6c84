"""The web app through HTTP: pages, the interview, contexts, import/export, and safety
(CSRF, CSP, size limit, escaping, clear error pages that change nothing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.system import load_system, parse_system_text

from .helpers import Client, hidden

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"


def imported(repo: Repository, kb: KnowledgeBase) -> int:
    return repo.import_system(load_system(EXAMPLE, kb=kb))


def test_home_lists_saved_assessments_with_their_regimes_search_and_pages(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    imported(repo, kb)
    for i in range(22):
        repo.create(name=f"Système {i:02d}", organisation="Mairie", first_context="C")
    page = client.get("/")
    assert page.status_code == 200
    assert "23 analyses" in page.text
    assert "Page 1 sur 2" in page.text
    found = client.get("/", params={"q": "zone-crossing"}).text
    assert "Zone-crossing detector" in found
    assert kb.outcome_by_id["police_justice"].label.fr in found
    assert "Système 00" not in found
    by_name = client.get("/", params={"sort": "name", "page": 2}).text
    assert "Zone-crossing detector" in by_name
    assert client.get("/", params={"sort": "nonsense"}).status_code == 200
    assert client.get("/", params={"page": "abc"}).status_code == 400


def test_a_new_assessment_starts_the_interview_and_a_missing_name_changes_nothing(
    client: Client, repo: Repository
) -> None:
    refused = client.submit("/new", {"name": "  ", "first_context": "Centre"})
    assert refused.status_code == 400
    assert "Ce champ est obligatoire." in refused.text
    assert repo.count() == 0
    created = client.submit("/new", {"name": "Détecteur", "organisation": "Acme", "first_context": "Centre"})
    assert created.status_code == 303
    interview = client.get(created.headers["location"])
    assert hidden(interview.text, "question") == "establishment"
    assert "Je ne sais pas" in interview.text


def answer(client: Client, assessment: int, page: str, value: str, **headers: str) -> object:
    data = {"scope": hidden(page, "scope"), "ctx": hidden(page, "ctx"), "question": hidden(page, "question")}
    return client.submit(f"/a/{assessment}/answer", {**data, "value": value}, headers=headers)


def test_answering_moves_on_and_htmx_gets_only_the_main_part(client: Client, repo: Repository) -> None:
    new = repo.create(name="S", first_context="C")
    first = client.get(f"/a/{new}/interview").text
    plain = answer(client, new, first, "eu")
    assert plain.status_code == 303  # type: ignore[attr-defined]
    second = client.get(f"/a/{new}/interview").text
    assert hidden(second, "question") == "personal_data"
    partial = answer(client, new, second, "unknown", **{"HX-Request": "true"})
    assert partial.status_code == 200  # type: ignore[attr-defined]
    assert partial.text.lstrip().startswith("<title>")  # type: ignore[attr-defined]
    assert '<main id="main"' in partial.text and "<html" not in partial.text  # type: ignore[attr-defined]
    assert partial.headers["HX-Push-Url"].startswith(f"/a/{new}/interview?scope=")  # type: ignore[attr-defined]
    assert repo.get(new).development_answers == {"personal_data": "unknown"}


def test_any_earlier_answer_can_be_changed_and_previous_goes_back(client: Client, repo: Repository) -> None:
    new = repo.create(name="S", first_context="C")
    repo.set_answer(new, scope="system", context_id=None, question="establishment", value="eu")
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="yes")
    page = client.get(f"/a/{new}/interview").text
    assert hidden(page, "question") == "organisation_kind"
    back = re.search(r'href="([^"]+)">← Question précédente', page)
    assert back, "no link back to the previous question"
    previous = client.get(back.group(1).replace("&amp;", "&")).text
    assert hidden(previous, "question") == "personal_data"
    assert 'value="yes" checked' in previous
    answer(client, new, previous, "no")
    assert repo.get(new).summary[0].outcome == "not_applicable_no_personal_data"


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"scope": "development", "question": "personal_data", "value": "perhaps"}, 422),
        ({"scope": "development", "question": "personal_data", "value": ""}, 422),
        ({"scope": "development", "question": "nope", "value": "yes"}, 404),
        ({"scope": "system", "question": "personal_data", "value": "yes"}, 404),
        ({"scope": "deployment", "ctx": "999", "question": "purpose", "value": "other"}, 404),
        ({"scope": "../etc", "question": "establishment", "value": "eu"}, 404),
        ({"scope": "system", "question": "household", "value": "yes"}, 404),
    ],
)
def test_a_bad_answer_gets_a_clear_page_and_changes_nothing(
    client: Client, repo: Repository, fields: dict[str, str], status: int
) -> None:
    new = repo.create(name="S", first_context="C")
    before = repo.history(new)
    response = client.submit(f"/a/{new}/answer", fields)
    assert response.status_code == status
    assert "Traceback" not in response.text
    assert repo.history(new) == before


def test_forms_without_this_browsers_csrf_token_are_refused(client: Client, repo: Repository) -> None:
    new = repo.create(name="S", first_context="C")
    data = {"scope": "system", "question": "establishment", "value": "eu"}
    missing = client.post(f"/a/{new}/answer", data=data)
    forged = client.post(f"/a/{new}/answer", data={**data, "csrf_token": "x" * 43})
    deleting = client.post(f"/a/{new}/delete")
    assert [missing.status_code, forged.status_code, deleting.status_code] == [403, 403, 403]
    assert "Formulaire expiré" in missing.text
    assert repo.get(new).system_answers == {}


def test_every_page_has_a_strict_csp_and_no_inline_script_or_style(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    saved = imported(repo, kb)
    context = repo.get(saved).contexts[0].id
    pages = ["/", "/new", "/import", f"/a/{saved}/interview", f"/a/{saved}/result", f"/a/{saved}/history"]
    pages += [f"/a/{saved}/contexts", f"/a/{saved}/delete", f"/a/{saved}/contexts/{context}/remove", "/nope"]
    for url in pages:
        response = client.get(url)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), url
        assert " style=" not in response.text and "<style" not in response.text, url
        assert not re.search(r"\son[a-z]+=", response.text), url
    assert client.get("/static/htmx.min.js").status_code == 200
    assert "cdn" not in client.get("/").text.lower()


def test_user_text_is_escaped_everywhere(client: Client, repo: Repository) -> None:
    evil = '<script>alert("x")</script>'
    new = repo.create(name=evil, organisation=evil, description=evil, first_context=evil)
    for url in ["/", f"/a/{new}/interview", f"/a/{new}/result", f"/a/{new}/contexts", f"/a/{new}/delete"]:
        text = client.get(url).text
        assert evil not in text, url
        assert "&lt;script&gt;" in text, url


def test_a_request_over_one_megabyte_gets_a_413_page_and_changes_nothing(client: Client, repo: Repository) -> None:
    response = client.submit("/import", {"text": "x" * 1_100_000})
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.text
    assert repo.count() == 0


def test_unknown_pages_and_ids_get_a_clear_page(client: Client) -> None:
    for url in ["/a/999/result", "/a/999/interview", "/a/abc/result", "/nothing-here"]:
        response = client.get(url)
        assert response.status_code in (404, 400), url
        assert "Traceback" not in response.text
        assert "Rien n’a été modifié." in response.text


def test_an_unexpected_error_shows_a_page_without_a_trace(
    client: Client, repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(repo, "list", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert "Erreur inattendue" in response.text
    assert "secret internal detail" not in response.text and "Traceback" not in response.text


def test_import_export_round_trip_and_a_bad_descriptor_says_where(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    uploaded = client.submit("/import", files={"file": ("zone.yaml", text.encode(), "application/yaml")})
    assert uploaded.status_code == 303
    new = int(uploaded.headers["location"].split("/")[2])
    result = client.get(uploaded.headers["location"]).text
    assert kb.outcome_by_id["police_justice"].label.fr in result
    exported = client.get(f"/a/{new}/export.yaml")
    assert exported.headers["content-disposition"].startswith("attachment")
    assert parse_system_text(exported.text, kb=kb) == load_system(EXAMPLE, kb=kb)
    as_json = client.get(f"/a/{new}/export.json")
    assert parse_system_text(as_json.text, kb=kb) == load_system(EXAMPLE, kb=kb)
    broken = yaml.safe_load(text)
    broken["deployments"][1]["answers"]["purpose"] = "spying"
    refused = client.submit("/import", {"text": yaml.safe_dump(broken)})
    assert refused.status_code == 400
    assert "deployments[1].answers.purpose" in refused.text
    assert repo.count() == 1
    assert client.submit("/import", {"text": "  "}).status_code == 400


def test_duplicate_and_delete_with_confirmation_archives(client: Client, repo: Repository, kb: KnowledgeBase) -> None:
    original = imported(repo, kb)
    copied = client.submit(f"/a/{original}/duplicate")
    assert copied.status_code == 303
    copy = int(copied.headers["location"].split("/")[2])
    assert repo.get(copy).name == "Zone-crossing detector (copie)"
    confirm = client.get(f"/a/{copy}/delete")
    assert "Elle est archivée, non effacée" in confirm.text
    assert repo.count() == 2
    deleted = client.submit(f"/a/{copy}/delete")
    assert deleted.status_code == 303
    assert repo.count() == 1
    assert client.get(f"/a/{copy}/result").status_code == 404  # archived: restorable from /archive only


def test_contexts_are_added_renamed_and_the_last_cannot_be_removed(client: Client, repo: Repository) -> None:
    new = repo.create(name="S", first_context="Centre")
    first = repo.get(new).contexts[0].id
    assert client.submit(f"/a/{new}/contexts", {"name": "Police"}).status_code == 303
    assert client.submit(f"/a/{new}/contexts", {"name": " "}).status_code == 400
    police = repo.get(new).contexts[1].id
    assert client.submit(f"/a/{new}/contexts/{police}", {"name": "Police nationale"}).status_code == 303
    assert [c.name for c in repo.get(new).contexts] == ["Centre", "Police nationale"]
    assert "Retirer ce contexte" in client.get(f"/a/{new}/contexts/{first}/remove").text
    assert client.submit(f"/a/{new}/contexts/{first}/remove").status_code == 303
    last = client.submit(f"/a/{new}/contexts/{police}/remove")
    assert last.status_code == 400
    assert "au moins un contexte de déploiement" in last.text
    assert [c.name for c in repo.get(new).contexts] == ["Police nationale"]


def test_french_by_default_english_one_click_away_and_no_open_redirect(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    saved = imported(repo, kb)
    assert '<html lang="fr">' in client.get(f"/a/{saved}/result").text
    switched = client.get("/lang/en", params={"next": f"/a/{saved}/result"})
    assert switched.status_code == 303 and switched.headers["location"] == f"/a/{saved}/result"
    english = client.get(f"/a/{saved}/result").text
    assert '<html lang="en">' in english
    assert kb.disclaimer.en in english and kb.disclaimer.fr not in english
    assert english.count(kb.disclaimer.en) == 1
    assert "What would change the outcome" in english
    for target in ["//evil.example", "https://evil.example", "/\\evil"]:
        assert client.get("/lang/fr", params={"next": target}).headers["location"] == "/"


def test_history_shows_each_change_with_its_time(client: Client, repo: Repository) -> None:
    new = repo.create(name="S", first_context="C")
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="yes")
    repo.set_answer(new, scope="development", context_id=None, question="personal_data", value="no")
    page = client.get(f"/a/{new}/history").text
    assert page.count("UTC</time>") >= 4
    assert re.search(r"Oui → <strong>Non</strong>", page)


def test_a_result_under_older_rules_is_flagged_and_a_recheck_shows_the_change(
    tmp_path: Path, kb: KnowledgeBase, changed_kb: KnowledgeBase
) -> None:
    from airegime.web.app import create_app

    url = f"sqlite:///{tmp_path / 'stale.sqlite3'}"
    saved = Repository.open(url, kb).import_system(load_system(EXAMPLE, kb=kb))
    with Client(create_app(repository=Repository.open(url, changed_kb)), follow_redirects=False) as client:
        page = client.get(f"/a/{saved}/result").text
        assert "Résultat peut-être périmé." in page
        assert "règles modifiées depuis" in client.get("/").text
        recheck = client.submit(f"/a/{saved}/recheck")
        assert recheck.status_code == 200
        changed = re.findall(r'<tr class="changed">\s*<th scope="row">([^<]+)</th>', recheck.text)
        assert changed == ["Shopping centre"]
        assert "Résultat peut-être périmé." not in client.get(f"/a/{saved}/result").text


def test_serve_listens_on_localhost_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from airegime.cli.app import app

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("AIREGIME_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AIREGIME_DATABASE_URL", raising=False)
    outcome = CliRunner().invoke(app, ["serve"])
    assert outcome.exit_code == 0, outcome.output
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8000
    assert (tmp_path / "data" / "airegime.sqlite3").exists()


def test_serve_says_clearly_when_its_port_is_taken(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import socket

    from typer.testing import CliRunner
    from uvicorn import supervisors

    from airegime.cli.app import app

    monkeypatch.setattr(supervisors, "Multiprocess", None)  # never reached: the address is taken
    monkeypatch.setenv("AIREGIME_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AIREGIME_DATABASE_URL", raising=False)
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        outcome = CliRunner().invoke(app, ["serve", "--port", str(port), "--workers", "2"])
    assert outcome.exit_code == 2, outcome.output
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in outcome.output
    assert "--port" in outcome.output and "Traceback" not in outcome.output


def test_on_localhost_other_host_names_are_refused(repo: Repository) -> None:
    from airegime.web.app import create_app
    from airegime.web.server import allowed_hosts

    app = create_app(repository=repo, allowed_hosts=allowed_hosts("127.0.0.1"))
    with Client(app, base_url="http://127.0.0.1:8000") as local:
        assert local.get("/").status_code == 200
    with Client(app, base_url="http://rebound.example") as rebound:
        assert rebound.get("/").status_code == 400
    assert allowed_hosts("0.0.0.0") is None


def test_serve_says_clearly_when_the_database_cannot_be_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from airegime.cli.app import app

    monkeypatch.setenv("AIREGIME_DATABASE_URL", "nonsense://nowhere")
    outcome = CliRunner().invoke(app, ["serve"])
    assert outcome.exit_code == 2
    assert "cannot open the database nonsense://nowhere" in outcome.output
    assert "AIREGIME_DATABASE_URL" in outcome.output and "Traceback" not in outcome.output


def test_i_dont_know_everywhere_ends_the_interview_with_an_undetermined_result_naming_the_gaps(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    new = repo.create(name="S", first_context="C")
    asked = []
    page = client.get(f"/a/{new}/interview").text
    while 'name="question"' in page:
        asked.append(hidden(page, "question"))
        assert answer(client, new, page, "unknown").status_code == 303  # type: ignore[attr-defined]
        page = client.get(f"/a/{new}/interview").text
        assert len(asked) < 40, "the interview does not end"
    assert "Questionnaire terminé" in page and "restent indéterminées" in page
    result = client.get(f"/a/{new}/result").text
    assert "Question à trancher d’abord" in result and "Autres questions ouvertes" in result
    for question in ("personal_data", "organisation_kind"):
        assert kb.question_by_id[question].text.fr in result
    assert [p.status for p in repo.get(new).summary] == ["undetermined", "undetermined"]


@pytest.mark.parametrize(
    ("path", "heading", "crumb", "tab"),
    [
        ("history", "Historique", "", "Historique"),
        (
            "contexts",
            "Description, traitements de développement et contextes de déploiement",
            "",
            "Description et contextes",
        ),
        ("actions", "Plan d’action", "Plan d’action", ""),
        ("share", "Partager", "Partager", ""),
        ("compare", "Comparer avec une autre version ou une autre analyse", "Comparer", ""),
    ],
)
def test_each_page_of_an_assessment_has_its_crumb_heading_tab_and_a_switch_to_english_back_to_it(
    client: Client, repo: Repository, path: str, heading: str, crumb: str, tab: str
) -> None:
    new = repo.create(name="Caméra", first_context="C")
    page = client.get(f"/a/{new}/{path}").text
    assert re.search(rf"<title>{heading}[^<]*· Caméra · airegime</title>", page)
    assert f"<h1>{heading}</h1>" in page
    crumb_line = re.search(r'<p class="crumb">(.*?)</p>', page, re.S)
    assert crumb_line is not None and "/a/" not in re.sub(r'href="[^"]*"', "", crumb_line[1])
    assert crumb_line[1].rstrip().endswith(f"› {crumb}" if crumb else "› Caméra")
    if tab:
        assert f'aria-current="page">{tab}</a>' in page
    switch = re.search(
        r'<span id="lang-switch"><a href="/lang/en\?next=([^"]+)" lang="en" hreflang="en">English</a>', page
    )
    assert switch is not None and switch[1] == f"/a/{new}/{path}"
