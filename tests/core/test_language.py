"""Each language gets its own: French readers the French pages of the law and the French spacing,
English readers the English pages and no French spacing; « CEPD » never stands alone; times are
shown in the reader's time zone (UTC until the browser rewrites them)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from catalogues import texts
from pydantic import BaseModel

from airegime.engine.explain import explain
from airegime.kb import KnowledgeBase, Lang
from airegime.kb.models import Link, Text
from airegime.render.report_data import build_report
from airegime.render.summary import colon, quoted, semicolon
from airegime.system import load_system
from airegime.web.pages import templates, when

ROOT = Path(__file__).resolve().parents[2]
APP_JS = ROOT / "src" / "airegime" / "web" / "static" / "app.js"

# Links


def every_link(kb: KnowledgeBase) -> list[Link]:
    steps = [step.url for outcome in kb.outcomes for step in outcome.next_steps if step.url]
    return [source.url for source in kb.sources] + steps


def urls(report: Any) -> Iterator[str]:
    if isinstance(report, dict):
        for key, value in report.items():
            if key == "url" and isinstance(value, str) and value:
                yield value
            else:
                yield from urls(value)
    elif isinstance(report, list):
        for item in report:
            yield from urls(item)


SHEET_3 = {
    "fr": "https://www.cnil.fr/fr/determiner-la-qualification-juridique-des-fournisseurs-de-systemes-dia",
    "en": "https://www.cnil.fr/en/determining-legal-qualification-ai-system-providers",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_report_links_to_the_pages_in_its_language(kb: KnowledgeBase, lang: Lang) -> None:
    system = load_system(ROOT / "examples" / "zone-crossing-detector.yaml", kb=kb)
    found = set(urls(build_report(kb=kb, explanation=explain(kb=kb, system=system), lang=lang)))
    other: Lang = "en" if lang == "fr" else "fr"
    links = every_link(kb)
    assert found and found <= {link.get(lang) for link in links}
    assert not found & {link.get(other) for link in links if link.get(other) != link.get(lang)}
    assert f"https://eur-lex.europa.eu/legal-content/{lang.upper()}/TXT/?uri=CELEX:32016R0679" in found  # GDPR
    assert SHEET_3[lang] in found
    foreign = {url for url in found if f"/legal-content/{other.upper()}/" in url or f"cnil.fr/{other}/" in url}
    # in English, only the French page that has no English version found: the CNIL's sheet 1
    assert foreign == (set() if lang == "fr" else {kb.source_by_id["cnil_sheet_1"].link("en")})


def test_each_address_is_the_page_of_its_language(kb: KnowledgeBase) -> None:
    """EUR-Lex's French and English pages of the same text; the CNIL's French page under /fr/, never
    an English page under the French key."""
    for link in every_link(kb):
        if "eur-lex.europa.eu" in link.fr:
            assert "/legal-content/FR/" in link.fr and link.en == link.fr.replace("/FR/", "/EN/", 1), link
        if "cnil.fr" in link.fr:
            assert "cnil.fr/fr/" in link.fr, link
            assert link.en == link.fr or "cnil.fr/en/" in link.en, link
    pairs = [link for link in every_link(kb) if link.fr != link.en]
    assert len({link.fr for link in pairs}) >= 10  # most sources have an English page


def test_link_accepts_one_address_for_both_languages(kb: KnowledgeBase) -> None:
    one = Link.model_validate("https://www.legifrance.gouv.fr/loda/id/JORFTEXT000000886460")
    assert one.get("fr") == one.get("en") == "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000000886460"
    lil = kb.source_by_id["lil"]
    assert lil.link("fr") == lil.link("en") and "legifrance" in lil.link("en")
    gdpr = kb.source_by_id["gdpr"]
    assert gdpr.link("fr").endswith("/FR/TXT/?uri=CELEX:32016R0679")
    assert gdpr.link("en").endswith("/EN/TXT/?uri=CELEX:32016R0679")


# Spacing


def every_text(kb: KnowledgeBase) -> Iterator[tuple[str, str, str]]:
    """(where, French, English) for every text of the knowledge base and of the interfaces."""

    def walk(item: Any, where: str) -> Iterator[tuple[str, str, str]]:
        if isinstance(item, Text):
            yield where, item.fr, item.en
        elif isinstance(item, BaseModel):
            for name in type(item).model_fields:
                yield from walk(getattr(item, name), f"{where}.{name}")
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            for field in dataclasses.fields(item):
                yield from walk(getattr(item, field.name), f"{where}.{field.name}")
        elif isinstance(item, tuple):
            for position, value in enumerate(item):
                yield from walk(value, f"{where}[{position}]")

    yield from walk(kb, "kb")
    french, english = (interface_words(lang) for lang in ("fr", "en"))
    for key, fr in french.items():
        yield f"catalogue.{key}", fr, english[key]


def interface_words(lang: str) -> dict[str, str]:
    """The interface's catalogue in ``lang`` (src/airegime/locale), id: text."""
    return texts(lang)


SPACE = "[ \u00a0\u202f]"
# A mark stuck to a word (French needs a space before it), or a space before a mark after a word
# (English has none). "? open" in a legend is the symbol, not a question mark.
STUCK = re.compile(r"(?<=[\w”’)\]»])[:;?!](?=\s|$)")
SPACED = re.compile(rf"(?<=[\w”’)\]]){SPACE}[:;?!](?=\s|$)")
LITERALS = ("Authorization: Bearer", "or ? for help")  # an HTTP header; the ? key, written as typed


def test_french_texts_have_the_french_spacing_and_english_texts_do_not(kb: KnowledgeBase) -> None:
    texts = list(every_text(kb))
    assert len(texts) > 500
    for where, fr, en in texts:
        for literal in LITERALS:
            fr, en = fr.replace(literal, ""), en.replace(literal, "")
        assert not STUCK.search(fr), f"{where}: French needs a space before : ; ? ! — {fr!r}"
        assert not re.search(rf"«(?!{SPACE})|(?<!{SPACE})»", fr), f"{where}: French needs spaces inside « » — {fr!r}"
        assert not SPACED.search(en), f"{where}: no space before : ; ? ! in English — {en!r}"
        assert "«" not in en and "»" not in en, f"{where}: English quotes are “ ” — {en!r}"


def test_french_interface_words_keep_their_marks_on_the_line() -> None:
    """A line that breaks before « : » or inside « » reads wrong: the catalogue's French puts a
    non-breaking space there (the knowledge base's texts are not held to it yet)."""
    for key, fr in interface_words("fr").items():
        assert not re.search(r" [:;?!»]|« ", fr), f"catalogue.{key}: a plain space before a mark or inside « » — {fr!r}"
    assert colon("fr") == "\u00a0: " and semicolon("fr") == "\u00a0; " and quoted("x", "fr") == "«\u00a0x\u00a0»"
    assert colon("en") == ": " and semicolon("en") == "; " and quoted("x", "en") == "“x”"


def test_the_spacing_checks_catch_each_mistake() -> None:
    assert STUCK.search("Fiche 2: définir") and STUCK.search("vraiment?") and not STUCK.search("Fiche 2 : définir")
    assert SPACED.search("Sheet 2 : define") and SPACED.search("really ?") and not SPACED.search("Sheet 2: define")
    assert not STUCK.search("https://www.cnil.fr") and not STUCK.search("14:05")


# CEPD

FULL_NAMES = ("Contrôleur européen de la protection des données", "Comité européen de la protection des données")


def bare_cepd(text: str) -> bool:
    """« CEPD » with neither full name before it: the reader cannot tell the EDPS from the EDPB."""
    first = text.find("CEPD")
    if first < 0:
        return False
    named = [text.find(name) for name in FULL_NAMES if name in text]
    return not named or min(named) > first


def test_no_french_text_uses_cepd_alone(kb: KnowledgeBase) -> None:
    french = [(where, fr) for where, fr, _ in every_text(kb)]
    assert sum("CEPD" in fr for _, fr in french) >= 3  # the EDPS is named, with its acronym
    for where, fr in french:
        assert not bare_cepd(fr), f"{where}: « CEPD » alone is ambiguous (EDPS or EDPB) — {fr!r}"
    assert bare_cepd("Les orientations du CEPD sur l’IA")
    assert bare_cepd("Le CEPD, puis le Contrôleur européen de la protection des données")
    assert not bare_cepd("Contrôleur européen de la protection des données (CEPD, EDPS en anglais)")


# Dates

NOON = datetime(2026, 12, 4, 14, 5, 9, tzinfo=UTC)


def test_a_time_is_written_in_utc_in_the_page_language() -> None:
    assert when(NOON, "fr") == '<time datetime="2026-12-04T14:05:09Z" data-when="minutes">4 déc. 2026, 14:05 UTC</time>'
    assert when(NOON, "en") == '<time datetime="2026-12-04T14:05:09Z" data-when="minutes">4 Dec 2026, 14:05 UTC</time>'
    assert when(NOON, "en", "seconds").endswith(">4 Dec 2026, 14:05:09 UTC</time>")
    assert when(NOON, "fr", "date").endswith(' data-when="date">4 déc. 2026</time>')
    assert when(datetime(2026, 2, 1, 9, 0), "fr").endswith(">1 févr. 2026, 09:00 UTC</time>")  # stored naive: UTC
    paris = NOON.astimezone(timezone(timedelta(hours=1)))
    assert when(paris, "fr") == when(NOON, "fr")  # an aware time is written in UTC, whatever its zone


def test_templates_write_times_with_the_filter_in_the_page_language() -> None:
    page = templates.env.from_string("{{ at|when }} · {{ at|when('date') }}")
    assert page.render(lang="fr", at=NOON) == when(NOON, "fr") + " · " + when(NOON, "fr", "date")
    assert "4 Dec 2026, 14:05 UTC" in page.render(lang="en", at=NOON)
    for template in (ROOT / "src" / "airegime" / "web" / "templates").glob("*.html"):
        assert "strftime" not in template.read_text(encoding="utf-8"), template.name  # every time goes through |when


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_browser_rewrites_times_in_its_own_time_zone() -> None:
    """app.js, run against a two-element page in Tokyo: the UTC text becomes the local time."""
    harness = f"""
    const vm = require("vm");
    const asked = [];
    function node(when) {{
      return {{ dataset: {{ when }}, textContent: "UTC text", title: "", attributes: {{}},
        getAttribute(name) {{ return name === "datetime" ? "2026-12-04T14:05:09Z" : this.attributes[name]; }},
        setAttribute(name, value) {{ this.attributes[name] = value; }} }};
    }}
    const nodes = [node("minutes"), node("date")];
    const document = {{ readyState: "complete", documentElement: {{ lang: "fr" }},
      addEventListener() {{}},
      querySelectorAll(selector) {{ asked.push(selector); return nodes.filter(n => !("data-local" in n.attributes)); }} }};
    vm.runInNewContext({json.dumps(APP_JS.read_text(encoding="utf-8"))},
      {{ document, navigator: {{ languages: ["fr-CA", "en"] }}, Intl, Date, isNaN }});
    console.log(JSON.stringify([asked, nodes.map(n => [n.textContent, n.title, "data-local" in n.attributes])]));
    """
    done = subprocess.run(
        ["node", "-e", harness], capture_output=True, text=True, env={"TZ": "Asia/Tokyo"}, timeout=60, check=True
    )
    asked, ((minutes, minutes_title, localised), (day, _, _)) = json.loads(done.stdout)
    assert asked and all("time[data-when]" in selector for selector in asked)
    # 14:05 UTC is 23:05 in Tokyo, written as a French Canadian reader writes it ("23 h 05")
    assert re.search(r"\b23\D{1,3}05\b", minutes) and "déc." in minutes and "2026" in minutes
    assert minutes_title == "UTC text" and localised
    assert day.startswith("4 déc.") and ":" not in day
